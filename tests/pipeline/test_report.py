"""`phieu report` on a store with known answers, checked against numbers computed here."""

from __future__ import annotations

import csv
import math
import re
import statistics
import subprocess

import numpy as np
import pandas as pd
import pypdfium2
import pytest

from phieu.omr.vocabulary import Code, Reason
from phieu.pipeline.campaign import open_campaign
from phieu.pipeline.review.decisions import decide
from phieu.pipeline.review.items import sheet_item
from phieu.pipeline.review.queue import claim
from phieu.pipeline.review.shared import Reviewer
from phieu.pipeline.scan.reading import PageOutcome
from phieu.pipeline.scan.recorded import record_page
from phieu.pipeline.store.pages import add_file
from tests.conftest import LAYOUTS, REFERENCE, TWO_PAGE, read_manifest, run_cli

GRADED = [f"q{i:02d}" for i in range(1, 12)]
CRITERIA = {"tc1": ["q01", "q02", "q03"], "tc2": ["q04", "q05", "q06"],
            "tc3": ["q07", "q08", "q09"], "tc4": ["q10", "q11"]}


def _answers(rng: np.random.Generator) -> dict[str, str]:
    a = {q: str(int(rng.integers(1, 6))) for q in GRADED}
    a.update(gioi_tinh=str(int(rng.integers(1, 3))), do_tuoi=str(int(rng.integers(1, 5))),
             doi_tuong=str(int(rng.integers(1, 3))), linh_vuc=str(int(rng.integers(1, 4))))
    a["cai_thien"] = "|".join(v for v in "123456" if rng.random() < 0.3)
    return a


@pytest.fixture(scope="module")
def known(tmp_path_factory, backend):
    """Unit 18070: 6 read sheets (blanks among them), one reviewed with a changed answer,
    one rejected, one waiting; unit 18073: 4 sheets; every other unit: none."""
    base = tmp_path_factory.mktemp("report")
    c = base / "c"
    assert backend.new(c, REFERENCE).exit_code == 0
    assert run_cli("print", c, "--copies", "9", "--out", base / "p").exit_code == 0
    rows = [r for r in read_manifest(base / "p" / "manifest.csv")]
    by_unit: dict[str, list[str]] = {}
    for r in rows:
        by_unit.setdefault(r["unit_code"], []).append(r["sheet_id"])
    rng = np.random.default_rng(6)
    truth: dict[str, dict[str, str]] = {}
    plan: list[tuple[str, str]] = []
    with open_campaign(c) as camp:
        file_id = add_file(camp.store, "f" * 64, "known.pdf", 20, None)
        page_no = 0
        for unit, n in (("18070", 9), ("18073", 4)):
            for sid in by_unit[unit][:n]:
                answers = _answers(rng)
                if len(truth) in (1, 2):
                    answers["q03"] = ""  # left blank: legal, out of the denominator
                    answers["q10"] = ""
                flags = [Reason(Code.MULTIPLE_MARKS, "q05")] if len(truth) in (6, 7, 8) else []
                if flags:
                    answers["q05"] = "*"
                page_no += 1
                o = PageOutcome(0, page_no, "form", sid, unit, int(sid[-6:]), 1, "qr", flags,
                                answers, {"q05": ["multiple-marks", "4"]} if flags else {},
                                campaign_code=camp.code)
                record_page(camp.store, file_id, o, 1, camp.code)
                truth[sid] = answers
                plan.append((unit, sid))
        lan = Reviewer("Lan", "session-test")
        reviewed, rejected = by_unit["18070"][6], by_unit["18070"][7]
        claim(camp.store, sheet_item(reviewed), lan)
        template, layout = camp.geometry.template, camp.layout
        decide(camp.store, template, layout, sheet_item(reviewed), lan, "answer", "q05", "4")
        decide(camp.store, template, layout, sheet_item(reviewed), lan, "answer", "q01", "1")
        decide(camp.store, template, layout, sheet_item(reviewed), lan, "text", "y_kien",
               "Cần thêm chỗ ngồi")
        decide(camp.store, template, layout, sheet_item(reviewed), lan, "accept")
        truth[reviewed].update(q05="4", q01="1")
        claim(camp.store, sheet_item(rejected), lan)
        decide(camp.store, template, layout, sheet_item(rejected), lan, "reject")
        del truth[rejected]
        waiting = by_unit["18070"][8]
        del truth[waiting]
    cases = base / "cases.csv"
    cases.write_text("unit_code,cases\n18070,1500\n18073,80\n18076,400\n", encoding="utf-8")
    assert run_cli("plan", cases, "--out", base / "plan.csv", "--campaign", c).exit_code == 0
    out = base / "out"
    result = run_cli("report", c, "--out", out)  # the plan kept by `plan --campaign`
    assert result.exit_code == 0, result.output
    return {"campaign": c, "out": out, "truth": truth, "by_unit": by_unit,
            "plan": base / "plan.csv"}


def _index(sheets: list[dict[str, str]], q: str) -> float:
    answered = [s[q] for s in sheets if s[q] in "12345" and s[q]]
    return sum(v in ("4", "5") for v in answered) / len(answered) if answered else math.nan


def _score(sheet: dict[str, str]) -> float:
    """One respondent's score as the method defines it, worked out by hand."""
    shares = []
    for qs in CRITERIA.values():
        answered = [sheet[q] for q in qs if sheet[q] in ("1", "2", "3", "4", "5")]
        if answered:
            shares.append(sum(v in ("4", "5") for v in answered) / len(answered))
    return sum(shares) / len(shares) if shares else math.nan


def _t_interval(scores: list[float], cases: int) -> tuple[float, float]:
    n = len(scores)
    mean = statistics.fmean(scores)
    se = statistics.stdev(scores) / math.sqrt(n) * math.sqrt((cases - n) / (cases - 1))
    t = {3: 3.182446, 6: 2.446912}[n - 1]  # Student's t, 97.5 %, from the printed table
    return max(0.0, mean - t * se), min(1.0, mean + t * se)


def _wilson(p: float, n: int) -> tuple[float, float]:
    """The Wilson score interval as printed in textbooks, z = 1.959964."""
    z2 = 1.959964 ** 2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = math.sqrt(z2 * p * (1 - p) / n + z2 * z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _summary(known) -> dict[str, dict]:
    with (known["out"] / "bao-cao.csv").open(encoding="utf-8") as f:
        long = list(csv.DictReader(f))
    return long


def test_indices_counts_and_intervals(known):
    from phieu.pipeline.report.results import compute

    truth = known["truth"]
    with open_campaign(known["campaign"]) as c:
        r = compute(c, known["plan"])
    units = r.units.set_index("unit_code")
    for unit in ("18070", "18073"):
        sheets = [a for sid, a in truth.items() if sid.startswith(unit)]
        q_index = {q: _index(sheets, q) for q in GRADED}
        scores = [_score(s) for s in sheets]
        expected = statistics.fmean(scores)
        assert units.loc[unit, "sheets"] == units.loc[unit, "respondents"] == len(sheets)
        assert units.loc[unit, "index"] == pytest.approx(expected)
        low, high = _t_interval(scores, {"18070": 1500, "18073": 80}[unit])
        assert units.loc[unit, "ci_low"] == pytest.approx(low, abs=1e-6)
        assert units.loc[unit, "ci_high"] == pytest.approx(high, abs=1e-6)
        qs = r.questions[r.questions["group"] == unit].set_index("question")
        for q in GRADED:
            assert qs.loc[q, "index"] == pytest.approx(q_index[q])
            n = sum(1 for s in sheets if s[q])
            low, high = _wilson(q_index[q], n)
            assert (qs.loc[q, "ci_low"], qs.loc[q, "ci_high"]) == pytest.approx((low, high))
            assert qs.loc[q, "blank"] == sum(1 for s in sheets if s[q] == "")
        means = [np.mean([int(s[q]) for s in sheets if s[q]]) for q in GRADED]
        assert units.loc[unit, "mean"] == pytest.approx(float(np.mean(means)))
    assert units.loc["18070", "waiting"] == 1 and units.loc["18070", "rejected"] == 1
    assert units.loc["18076", "sheets"] == 0 and math.isnan(units.loc["18076", "index"])
    assert units.loc["18073", "min_sample"] == 80 and units.loc["18070", "min_sample"] == 200
    assert not units.loc["18070", "enough"]
    # forms printed (9 a unit) and returned (every scanned sheet, whatever became of it)
    assert units.loc["18070", "printed"] == 9 and units.loc["18070", "returned"] == 9
    assert units.loc["18073", "returned"] == 4 and units.loc["18076", "returned"] == 0


def test_the_report_uses_the_plan_kept_in_the_campaign(known):
    from phieu.pipeline.report.results import compute

    with open_campaign(known["campaign"]) as c:
        kept = compute(c).units.set_index("unit_code")
        given = compute(c, known["plan"]).units.set_index("unit_code")
    assert kept["min_sample"].equals(given["min_sample"])
    assert kept.loc["18076", "min_sample"] == 100 and kept.loc["18076", "enough"] == False  # noqa: E712
    assert math.isnan(kept.loc["18079", "min_sample"])  # a unit the plan leaves out
    assert kept.loc["18079", "enough"] is None


def test_a_bad_plan_cell_is_named_by_its_line(known, tmp_path):
    bad = tmp_path / "plan.csv"
    bad.write_text("unit_code,unit_name,cases,min_sample,forms\n18070,Trần Phú,1500,200,200\n"
                   "18073,Nam Hà,80,tám mươi,80\n", encoding="utf-8")
    result = run_cli("report", known["campaign"], "--out", tmp_path / "r", "--plan", bad)
    assert result.exit_code == 1
    assert "line 3: min_sample 'tám mươi' is not a whole number" in result.output
    assert "Traceback" not in result.output


def test_the_reviewed_answers_count_and_the_rejected_sheet_does_not(known):
    from phieu.pipeline.report.results import compute

    reviewed = known["by_unit"]["18070"][6]
    with open_campaign(known["campaign"]) as c:
        r = compute(c)
    row = r.answers.set_index("sheet_id").loc[reviewed]
    assert row["q05"] == "4" and row["q01"] == "1" and row["y_kien"] == "Cần thêm chỗ ngồi"
    assert known["by_unit"]["18070"][7] not in set(r.answers["sheet_id"])
    texts = r.texts[r.texts["sheet_id"] == reviewed]
    assert list(texts["text"]) == ["Cần thêm chỗ ngồi"]


def test_multi_answer_counts_and_the_long_csv(known):
    truth = known["truth"]
    long = _summary(known)
    for unit in ("18070", "18073"):
        sheets = [a for sid, a in truth.items() if sid.startswith(unit)]
        for v in "123456":
            row = next(x for x in long if x["unit_code"] == unit and x["question"] == "cai_thien"
                       and x["level"] == v)
            assert int(row["count"]) == sum(v in s["cai_thien"].split("|") for s in sheets)
        for level in "12345":
            row = next(x for x in long if x["unit_code"] == unit and x["question"] == "q07"
                       and x["level"] == level)
            assert int(row["count"]) == sum(s["q07"] == level for s in sheets)
    assert {x["unit_name"] for x in long} >= {"Phường Trần Phú", "Phường Nam Hà"}


def test_units_take_positions_by_index_and_none_under_their_minimum_sample(known):
    from phieu.pipeline.report.findings import ranking_text
    from phieu.pipeline.report.results import compute

    with open_campaign(known["campaign"]) as c:
        units = compute(c).units
    short = units["enough"].map(lambda e: e is not None and e == e and not e)
    able = units[units["index"].notna() & ~short]
    for r in units.itertuples():
        if r.Index in able.index:  # 1 + the units with a higher index: ties only when equal
            assert r.rank == 1 + int((able["index"].round(6) > round(r.index, 6)).sum())
        else:
            assert r.rank is pd.NA
    ranked = able.sort_values("index", ascending=False)
    said = ranking_text(ranked)
    for a, b in zip(ranked.itertuples(), ranked.iloc[1:].itertuples(), strict=False):
        if b.ci_high >= a.ci_low and not (a.wide or b.wide):  # neighbours not told apart
            assert a.unit_name in said and b.unit_name in said


def _libreoffice(path, to: str, out) -> None:
    subprocess.run(["soffice", "--headless", "--convert-to", to, "--outdir", str(out),
                    str(path)], check=True, capture_output=True, timeout=180,
                   env={"HOME": str(out), "PATH": "/usr/bin:/bin"})


@pytest.mark.slow  # LibreOffice, a browser or a whole demo
def test_excel_opens_in_libreoffice_and_the_numbers_round_trip(known, tmp_path):
    from phieu.pipeline.report.results import compute

    _libreoffice(known["out"] / "bao-cao.xlsx", "csv:Text - txt - csv (StarCalc):44,34,76,1",
                 tmp_path)  # comma, quote, UTF-8, from line 1: the first sheet
    with (tmp_path / "bao-cao.csv").open(encoding="utf-8") as f:
        table = list(csv.reader(f))
    header = next(i for i, r in enumerate(table) if r and r[0] == "Mã đơn vị")
    rows = {r[1] if r[0] == "" else r[0]: r for r in table[header + 1:] if r and r[1]}
    col = {name: i for i, name in enumerate(table[header])}
    with open_campaign(known["campaign"]) as c:
        r = compute(c)
    units, overall = r.units, r.overall
    by_code = units.set_index("unit_code")
    for unit in ("18070", "18073"):
        assert int(rows[unit][col["Phiếu hợp lệ"]]) == by_code.loc[unit, "sheets"]
        assert int(rows[unit][col["Phiếu đã in"]]) == 9
        shown = float(rows[unit][col["Chỉ số hài lòng"]].rstrip("%")) / 100
        assert shown == pytest.approx(by_code.loc[unit, "index"], abs=0.0006)
    assert rows["18070"][1] == "Phường Trần Phú"
    whole = rows["Toàn địa bàn"]  # the all-units row: sums, and the overall index
    assert int(whole[col["Phiếu thu về"]]) == units["returned"].sum() == 13
    assert int(whole[col["Phiếu hợp lệ"]]) == units["sheets"].sum()
    shown = float(whole[col["Chỉ số hài lòng"]].rstrip("%")) / 100
    assert shown == pytest.approx(overall.index, abs=0.0006)


def _pdf_text(path) -> str:
    pdf = pypdfium2.PdfDocument(str(path))
    return " ".join(" ".join(pdf[i].get_textpage().get_text_range().split())
                    for i in range(len(pdf)))


def test_pdf_reads_as_an_administrative_report_in_vietnamese(known):
    text = _pdf_text(known["out"] / "bao-cao.pdf")
    for words in ("UBND TỈNH HÀ TĨNH", "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ TĨNH", "Số: ……/BC-UBND",
                  "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                  "Hà Tĩnh, ngày", "BÁO CÁO", "KHÁI QUÁT VỀ CUỘC KHẢO SÁT",
                  "Kết quả theo tiêu chí", "Kết quả theo đơn vị và xếp hạng",
                  "Những nội dung có chỉ số hài lòng thấp nhất", "Cần thêm chỗ ngồi",
                  "Tư pháp", "KIẾN NGHỊ, ĐỀ XUẤT", "Nơi nhận:", "Sở Nội vụ tỉnh Hà Tĩnh;",
                  "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "PHƯỜNG TRẦN PHÚ (18070)"):
        assert words in text, words
    pdf = pypdfium2.PdfDocument(str(known["out"] / "bao-cao.pdf"))
    blue = 0
    for i in range(len(pdf)):
        page = np.asarray(pdf[i].render(scale=1).to_pil().convert("RGB")).astype(int)
        blue += int(((abs(page[..., 0] - 0x1F) < 30) & (abs(page[..., 1] - 0x5F) < 30)
                     & (abs(page[..., 2] - 0x99) < 30)).sum())
    assert blue > 4000  # the charts' bars are drawn


@pytest.mark.slow  # LibreOffice, a browser or a whole demo
def test_the_word_copy_opens_in_libreoffice_with_the_same_report(known, tmp_path):
    _libreoffice(known["out"] / "bao-cao.docx", "pdf", tmp_path)
    text = _pdf_text(tmp_path / "bao-cao.pdf")
    for words in ("ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ TĨNH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                  "Độc lập - Tự do - Hạnh phúc", "Nơi nhận:", "UBND các phường, xã;",
                  "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Cần thêm chỗ ngồi",
                  "Kết quả theo đơn vị và xếp hạng", "PHƯỜNG TRẦN PHÚ (18070)"):
        assert words in text, words
    assert text.count("Phường Nam Hà") == _pdf_text(known["out"] / "bao-cao.pdf").count(
        "Phường Nam Hà")  # the same tables, row for row


@pytest.mark.slow  # LibreOffice, a browser or a whole demo
def test_the_interval_holds_the_true_index_about_95_in_100_times():
    """Simulated units whose whole year of cases is known: the interval from a sample
    holds the true index about as often as it says."""
    from phieu.forms.layout import load_layout
    from phieu.pipeline.report.estimate import respondent_scores, unit_estimate
    from phieu.samples.respondents import population

    layout = load_layout(REFERENCE)
    rng = np.random.default_rng(11)
    runs, held, census = 300, 0, 0
    for _ in range(runs):
        pop = respondent_scores(population(layout, 300, rng, mood=rng.normal(0, 0.7)),
                                layout).dropna().to_numpy()
        sample = rng.choice(pop, 40, replace=False)
        e = unit_estimate(sample, len(pop))
        assert e.index == pytest.approx(statistics.fmean(sample))
        held += e.low <= pop.mean() <= e.high
        census += unit_estimate(pop, len(pop)).census
    assert 0.91 <= held / runs <= 0.98
    assert census == runs  # every case surveyed: a full count, no interval


@pytest.mark.slow  # LibreOffice, a browser or a whole demo
def test_an_empty_campaign_reports_that_nothing_is_counted_yet(backend, tmp_path):
    c = tmp_path / "c"
    assert backend.new(c, TWO_PAGE).exit_code == 0
    result = run_cli("report", c)
    assert result.exit_code == 0, result.output
    for text in (_pdf_text(c / "bao-cao" / "bao-cao.pdf"),
                 _libreoffice(c / "bao-cao" / "bao-cao.docx", "pdf", tmp_path)
                 or _pdf_text(tmp_path / "bao-cao.pdf")):
        assert "Chưa có phiếu nào được tính: chưa có kết quả để báo cáo" in text
        # a yes/no scale is worded as one, and not as five levels
        assert ("2 mức, từ “Có” đến “Không”; người trả lời được tính là hài lòng khi chọn "
                "“Có”") in text
        # what the unit codes mean: the department's own list of reception points
        assert "mã đơn vị theo own (mã do cơ quan tự đặt)" in " ".join(text.split())
        # what the layout does not say is left blank to fill in by hand
        assert "SỞ XÂY DỰNG" in text and "Số: ……/……" in text and "Nơi nhận:" in text


def test_only_flagged_sheets_and_an_unanswered_question_still_report(backend, tmp_path):
    """One sheet read with nothing but q01 answered, two waiting for review: a report,
    no traceback; the question nobody answered is shown without an index."""
    c = tmp_path / "c"
    assert backend.new(c, REFERENCE).exit_code == 0
    assert run_cli("print", c, "--copies", "3", "--unit", "18070",
                   "--out", tmp_path / "p").exit_code == 0
    sheets = [r["sheet_id"] for r in read_manifest(tmp_path / "p" / "manifest.csv")]
    with open_campaign(c) as camp:
        file_id = add_file(camp.store, "e" * 64, "x.pdf", 3, None)
        for n, sid in enumerate(sheets, 1):
            flags = [] if n == 1 else [Reason(Code.FAINT_MARK, "q02")]
            answers = {q: "" for q in GRADED} | {"q01": "5"}
            record_page(camp.store, file_id, PageOutcome(0, n, "form", sid, "18070",
                                                         int(sid[-6:]), 1, "qr", flags,
                                                         answers, campaign_code=camp.code),
                        1, camp.code)
    result = run_cli("report", c)
    assert result.exit_code == 0, result.output
    assert "1 sheets counted, 2 still waiting for review" in result.output
    from phieu.pipeline.report.results import compute

    with open_campaign(c) as camp:
        r = compute(camp)
    q = r.questions[r.questions["group"] == "18070"].set_index("question")
    assert q.loc["q02", "answered"] == 0 and math.isnan(q.loc["q02", "index"])
    assert q.loc["q01", "index"] == 1.0
    text = _pdf_text(c / "bao-cao" / "bao-cao.pdf")
    assert "chờ duyệt: 2" in text


def test_a_present_day_campaign_prints_scans_and_reports_its_units(tmp_path):
    """A campaign of today's communes and wards, units from the dataset: printed for two of
    them, scanned, reported; the report says what the codes mean and which release."""
    from importlib.metadata import version

    from phieu.pipeline.export import export_frame
    from phieu.samples import make_batch

    c = tmp_path / "c"
    assert run_cli("new", c, "--layout", LAYOUTS / "ha-tinh-2026.yaml").exit_code == 0
    assert run_cli("print", c, "--copies", "3", "--unit", "18073", "--unit", "18100",
                   "--out", tmp_path / "p").exit_code == 0
    make_batch(tmp_path / "p", tmp_path / "scans", "office", sheets=6, seed=3)
    assert run_cli("scan", c, tmp_path / "scans", "--workers", "1").exit_code == 0
    result = run_cli("report", c)
    assert result.exit_code == 0, result.output
    text = _pdf_text(c / "bao-cao" / "bao-cao.pdf")
    assert "Phường Thành Sen" in text and "Phường Trần Phú" in text
    assert "mã đơn vị theo vn-2025 (mã đơn vị hành chính sau sắp xếp (từ 01/7/2025))" in text
    assert f"vietnam-provinces {version('vietnam-provinces')}" in text
    with open_campaign(c) as camp:
        frame = export_frame(camp)
    named = frame[frame["sheet_id"] != ""]
    assert sorted(set(named["unit_code"])) == ["18073", "18100"] and len(named) == 6


def _chars(path):
    """Per page: (character, font name, size in pt, left, top in pt from the top-left)."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    pdf = pypdfium2.PdfDocument(str(path))
    pages = []
    for i in range(len(pdf)):
        page = pdf[i]
        height = page.get_height()
        tp = page.get_textpage()
        out = []
        buf = ctypes.create_string_buffer(128)
        flags = ctypes.c_int()
        for k in range(tp.count_chars()):
            ch = chr(pdfium_c.FPDFText_GetUnicode(tp.raw, k))
            if ch.isspace():
                continue
            pdfium_c.FPDFText_GetFontInfo(tp.raw, k, buf, 128, ctypes.byref(flags))
            left, right, bottom, top = (ctypes.c_double() for _ in range(4))
            pdfium_c.FPDFText_GetCharBox(tp.raw, k, ctypes.byref(left), ctypes.byref(right),
                                         ctypes.byref(bottom), ctypes.byref(top))
            out.append((ch, buf.value.decode(), pdfium_c.FPDFText_GetFontSize(tp.raw, k),
                        left.value, height - top.value))
        pages.append(out)
    return pages


MM = 72 / 25.4


def test_the_pdf_is_set_as_decree_30_asks(known):
    pages = _chars(known["out"] / "bao-cao.pdf")
    fonts = {f for page in pages for _, f, *_ in page}
    assert fonts and all("Serif" in f for f in fonts), fonts  # a Times-metric serif only
    sizes = [size for page in pages for _, _, size, *_ in page]
    body = max(set(round(s) for s in sizes), key=[round(s) for s in sizes].count)
    assert body >= 13  # the body text, the most common size
    for page in pages:  # inside NĐ 30's margins: left 30-35, right 15-20, top/bottom 20-25 mm
        xs = [x for *_, x, _ in page]
        assert min(xs) >= 29 * MM and max(xs) <= (210 - 14) * MM
    first, second = pages[0], pages[1]
    top_of = [(c, y) for c, *_, y in second if y < 20 * MM]  # in the top margin: the number
    assert "".join(c for c, _ in top_of) == "2"
    assert not [c for c, *_, y in first if y < 20 * MM]  # none on page 1
    text = _pdf_text(known["out"] / "bao-cao.pdf")
    day = re.search(r"ngày (\d+) tháng (\d+) năm", text)
    assert len(day[1]) == 2 and (int(day[2]) >= 3 or len(day[2]) == 2)


def test_the_body_speaks_plainly_and_says_what_the_sample_is_worth(known):
    from phieu.pipeline.report.results import compute

    text = _pdf_text(known["out"] / "bao-cao.pdf")
    body = text[:text.index("PHỤ LỤC")]
    for jargon in ("q01", "Wilson", "ha-tinh-2022-mot-cua", "phân phối t", "KTC"):
        assert jargon not in body, jargon
    assert "Wilson" in text[text.index("GHI CHÚ PHƯƠNG PHÁP"):]  # the detail, in the appendix
    assert "khoảng tin cậy 95%: nếu hỏi được tất cả" in body
    assert "Thực hiện Kế hoạch số 152/KH-UBND" not in body  # the test campaign has no basis
    with open_campaign(known["campaign"]) as c:
        units = compute(c).units
    short = units[units["enough"] == False]  # noqa: E712
    assert len(short) and units.loc[short.index, "rank"].isna().all()
    for name in short["unit_name"]:
        if units.set_index("unit_name").loc[name, "respondents"]:
            assert re.search(re.escape(name) + r" \d+ [\d,]+% \(chưa đủ cỡ mẫu\)", body), name
    assert "chưa đủ cỡ mẫu" in body and "chỉ có giá trị tham khảo" in body


def test_every_overall_figure_comes_from_one_estimator(known):
    from phieu.pipeline.report.estimate import overall_estimate
    from phieu.pipeline.report.results import compute, read_plan

    with open_campaign(known["campaign"]) as c:
        r = compute(c)
        cases = {u: p.get("cases") for u, p in read_plan(c.plan_path, c).items()}
    o = r.overall
    # computed here: weighted by the plan's yearly cases when it gives them all, else pooled
    frame = r.answers.dropna(subset=["score"])
    parts = [(g["score"].to_numpy(float), cases.get(u)) for u, g in frame.groupby("unit_code")]
    assert o.index == pytest.approx(overall_estimate(parts).index)
    paper = r.channels[(r.channels["group"] == "") & (r.channels["channel"] == "paper")]
    assert paper["index"].iloc[0] == pytest.approx(o.index)  # one channel: the same
    text = _pdf_text(known["out"] / "bao-cao.pdf")
    row = re.search(r"Toàn địa bàn((?: [\d,]+%)+)", text)[1].split()
    assert row[-1] == f"{o.index * 100:.1f}%".replace(".", ",")  # the criteria table's
    headline = re.search(r"Chỉ số hài lòng chung của toàn địa bàn: ([\d,]+%)", text)[1]
    assert headline == row[-1]


@pytest.mark.slow  # LibreOffice, a browser or a whole demo
def test_the_signature_block_is_on_one_page_of_the_word_copy(known, tmp_path):
    _libreoffice(known["out"] / "bao-cao.docx", "pdf", tmp_path)
    pdf = pypdfium2.PdfDocument(str(tmp_path / "bao-cao.pdf"))
    texts = [" ".join(pdf[i].get_textpage().get_text_range().split()) for i in range(len(pdf))]
    (page,) = [t for t in texts if "Nơi nhận:" in t]
    for words in ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Lưu: VT, NV.", "Sở Nội vụ tỉnh Hà Tĩnh;"):
        assert words in page, words
    assert not texts[0].startswith("1")  # no number on page 1
    assert texts[1].split()[0] == "2"  # the header's number on page 2


def test_a_sample_is_never_called_a_full_count_nor_pooled_units_weighted():
    """What the report's words rest on: "khảo sát toàn bộ" only when every case was
    surveyed, "có trọng số" only when every unit's yearly cases are known; a t interval
    (with the finite-population correction) computed here independently."""
    from scipy import stats

    from phieu.pipeline.report.estimate import overall_estimate, unit_estimate, wide

    rng = np.random.default_rng(4)
    sample = rng.uniform(0.3, 1.0, 40)
    e = unit_estimate(sample, 400)
    half = stats.t.ppf(0.975, 39) * sample.std(ddof=1) / math.sqrt(40) * math.sqrt(360 / 399)
    assert (e.census, e.weighted) == (False, False)
    assert (e.low, e.high) == (pytest.approx(sample.mean() - half),
                               pytest.approx(sample.mean() + half))
    assert unit_estimate(sample, 40).census and not wide(unit_estimate(sample, 40))
    assert not unit_estimate(sample[:1], 400).census  # one person: no interval, no count
    pooled = overall_estimate([(sample, None), (sample[:10], 50)])
    assert (pooled.census, pooled.weighted) == (False, False)
    nobody = overall_estimate([(np.array([]), 10)])
    assert (nobody.census, nobody.weighted, nobody.respondents) == (False, False, 0)
    assert overall_estimate([(sample, 400), (sample[:10], 50)]).weighted


def test_an_interval_wider_than_15_points_either_way_says_the_sample_is_too_small():
    """The rule the report states in words (“rộng hơn ±15 điểm phần trăm”)."""
    from phieu.pipeline.report.estimate import too_wide

    assert too_wide(0.50 - 0.16, 0.50 + 0.16) and not too_wide(0.50 - 0.14, 0.50 + 0.14)
    assert too_wide(math.nan, math.nan)  # no interval at all (one respondent)


def test_the_overall_index_of_sampled_units_is_the_stratified_estimate():
    """Each unit weighted by its yearly cases, the variance summed over units with their
    finite-population corrections, degrees of freedom by Satterthwaite: computed here
    term by term, independently."""
    from scipy import stats

    from phieu.pipeline.report.estimate import overall_estimate

    rng = np.random.default_rng(9)
    units = [(rng.uniform(0.2, 1.0, 30), 300), (rng.uniform(0.5, 1.0, 12), 40),
             (rng.uniform(0.0, 0.8, 25), 25)]  # the last: every case surveyed
    total = sum(c for _, c in units)
    mean = sum(c / total * s.mean() for s, c in units)
    parts = [((c / total) ** 2 * (1 - len(s) / c) * s.var(ddof=1) / len(s), len(s) - 1)
             for s, c in units if len(s) < c]
    var = sum(v for v, _ in parts)
    df = var ** 2 / sum(v ** 2 / d for v, d in parts)
    half = stats.t.ppf(0.975, df) * math.sqrt(var)
    e = overall_estimate(units)
    assert (e.weighted, e.census, e.respondents) == (True, False, 67)
    assert (e.index, e.low, e.high) == (pytest.approx(mean), pytest.approx(mean - half),
                                        pytest.approx(mean + half))
    every = overall_estimate([(s[:c], c) for s, c in ((s, min(len(s), 12)) for s, _ in units)])
    assert every.census and every.weighted and every.low == every.high == pytest.approx(
        every.index)
    # more respondents than the plan's yearly cases (an outdated plan): every case surveyed
    assert overall_estimate([(units[0][0], 20), (units[1][0], 12)]).census
    one_each = overall_estimate([(s[:1], c) for s, c in units[:2]])  # no spread to measure
    assert one_each.weighted and math.isnan(one_each.low)


def test_a_unit_outgrowing_its_plan_or_with_two_respondents_adds_what_it_should():
    """A unit with more respondents than the plan's yearly cases (an outdated plan) adds no
    sampling error; one of two respondents adds its own; computed here independently."""
    from scipy import stats

    from phieu.pipeline.report.estimate import overall_estimate

    rng = np.random.default_rng(12)
    sampled, two, over = rng.uniform(0.2, 1.0, 30), np.array([0.4, 0.9]), rng.uniform(0, 1, 15)
    units = [(sampled, 300), (two, 50), (over, 10)]
    total = 360
    parts = [((c / total) ** 2 * (1 - len(s) / c) * s.var(ddof=1) / len(s), len(s) - 1)
             for s, c in units[:2]]
    var = sum(v for v, _ in parts)
    half = stats.t.ppf(0.975, var ** 2 / sum(v ** 2 / d for v, d in parts)) * math.sqrt(var)
    e = overall_estimate(units)
    mean = sum(c / total * s.mean() for s, c in units)
    assert (e.low, e.high) == (pytest.approx(mean - half), pytest.approx(mean + half))


def test_a_units_interval_stays_between_0_and_100_percent():
    """Respondents nearly all satisfied (or nearly none): the interval is cut at the ends
    of the scale, for a unit and for the whole campaign."""
    from phieu.pipeline.report.estimate import overall_estimate, unit_estimate

    high, low = np.array([1.0, 1.0, 1.0, 1.0, 0.6]), np.array([0.0, 0.0, 0.0, 0.0, 0.4])
    assert unit_estimate(high, 500).high == 1.0 and unit_estimate(low, 500).low == 0.0
    assert overall_estimate([(high, 500), (high, 400)]).high == 1.0
    assert overall_estimate([(low, 500), (low, 400)]).low == 0.0


def test_an_interval_needs_two_respondents_and_no_plan_means_no_correction():
    """One respondent: no interval. Two: a t interval. Without the plan's yearly cases, the
    plain t interval (no finite-population correction); computed here independently."""
    from scipy import stats

    from phieu.pipeline.report.estimate import unit_estimate, wide

    assert math.isnan(unit_estimate([0.7]).low)
    two = unit_estimate([0.4, 0.9], 100)
    assert not math.isnan(two.low) and wide(two)  # two people tell little: too wide
    sample = np.random.default_rng(3).uniform(0.5, 1.0, 400)
    half = stats.t.ppf(0.975, 399) * sample.std(ddof=1) / math.sqrt(400)
    plain = unit_estimate(sample)
    assert (plain.low, plain.high) == (pytest.approx(sample.mean() - half),
                                       pytest.approx(sample.mean() + half))
    assert not wide(plain)  # 400 people: a narrow interval, printed
    assert unit_estimate(sample, 300).census  # more people than the plan's yearly cases
