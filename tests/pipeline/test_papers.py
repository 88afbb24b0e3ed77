"""Every respondent counted once: photocopies are people, second scans are not, blank forms
are nobody, and a form of another campaign is not this one's."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from phieu.forms.template import Template
from phieu.omr.vocabulary import Status
from phieu.pipeline.campaign import open_campaign
from phieu.pipeline.export import export_frame
from phieu.pipeline.report.results import compute
from phieu.pipeline.review.decisions import decide
from phieu.pipeline.review.items import Item, ItemKind, sheet_item
from phieu.pipeline.review.queue import claim
from phieu.pipeline.review.shared import Reviewer
from phieu.pipeline.scan.batch import scan
from phieu.samples.scanner import Look
from tests.conftest import (
    TWO_PAGE,
    Backend,
    filled_page,
    read_manifest,
    render_page,
    run_cli,
)

LAN = Reviewer("Lan", "session-papers")


@pytest.fixture()
def kit(printed_once) -> Path:
    return printed_once


def _fresh(kit: Path, tmp_path: Path, backend: Backend) -> Path:
    return backend.copy(kit / "c", tmp_path / "c")


def _differ(a: dict[str, str], b: dict[str, str]) -> int:
    return sum(a[q] != b[q] for q in a)


def _people(kit: Path, index: int, n: int, first_seed: int, dpi: int = 200):
    """`n` people filling photocopies of printed page `index`, each answering otherwise
    than every other on two questions at least: (image, answers) in the order scanned."""
    template = Template.read(kit / "p" / "template.json")
    printed = render_page(kit / "p" / "forms.pdf", index, dpi)
    sid = read_manifest(kit / "p" / "manifest.csv")[index]["sheet_id"]
    out: list[tuple[np.ndarray, dict[str, str]]] = []
    seed = first_seed
    while len(out) < n:
        img, answers = filled_page(template, printed, sid, dpi, seed)
        seed += 1
        if all(_differ(answers, a) >= 2 for _, a in out):
            out.append((img, answers))
    return sid, out


def _tiff(images: list[np.ndarray], path: Path) -> Path:
    Image.fromarray(images[0]).save(path, "TIFF", save_all=True, compression="tiff_lzw",
                                    append_images=[Image.fromarray(i) for i in images[1:]])
    return path


def _papers(frame: pd.DataFrame, sid: str) -> pd.DataFrame:
    return frame[(frame["sheet_id"] == sid) & (frame["channel"] == "paper")]


def test_twenty_photocopies_of_one_sheet_are_twenty_respondents(kit, tmp_path, backend):
    """An office out of forms photocopies one printed sheet; twenty people fill twenty
    copies. Each is counted with its own answers, numbered in scan order, nobody asked."""
    sid, people = _people(kit, 0, 20, first_seed=300)
    scans = tmp_path / "in"
    scans.mkdir()
    _tiff([img for img, _ in people[:12]], scans / "a.tif")
    _tiff([img for img, _ in people[12:]], scans / "b.tif")
    c = _fresh(kit, tmp_path, backend)
    result = run_cli("scan", c, scans, "--workers", "2")
    assert result.exit_code == 0, result.output
    assert "Copies: 19 papers" in result.output and "18070: 19" in result.output
    with open_campaign(c) as camp:
        frame = export_frame(camp)
        r = compute(camp)
    papers = _papers(frame, sid)
    assert list(papers["copy"]) == list(range(1, 21))
    assert set(papers["status"]) == {"ok"}
    for (_, answers), (_, row) in zip(people, papers.iterrows(), strict=True):
        assert {q: row[q] for q in answers} == answers
    assert len(frame) == 20  # nothing else: no second scan, no loose page
    unit = r.units.set_index("unit_code").loc["18070"]
    assert (unit["printed"], unit["returned"], unit["copies"], unit["sheets"]) == (1, 20, 19, 20)


def _scanned_twice(kit: Path, tmp_path: Path, backend: Backend, index: int, seed: int,
                   look: Look) -> tuple[Path, str, dict[str, str]]:
    """Printed page `index` filled once, through the scanner twice (the second time with
    `look`), scanned into a fresh campaign: (campaign, sheet id, answers)."""
    template = Template.read(kit / "p" / "template.json")
    sid = read_manifest(kit / "p" / "manifest.csv")[index]["sheet_id"]
    printed = render_page(kit / "p" / "forms.pdf", index, 200)
    first, answers = filled_page(template, printed, sid, 200, seed)
    again, same = filled_page(template, printed, sid, 200, seed, look)
    assert same == answers and not np.array_equal(first, again)
    (tmp_path / "in").mkdir()
    cv2.imwrite(str(tmp_path / "in" / "1.png"), first)
    cv2.imwrite(str(tmp_path / "in" / "2.png"), again)
    c = _fresh(kit, tmp_path, backend)
    assert run_cli("scan", c, tmp_path / "in", "--workers", "1").exit_code == 0
    return c, sid, answers


def test_the_same_paper_scanned_twice_is_one_respondent(kit, tmp_path, backend):
    """The same ink through the scanner twice (another skew, other noise) adds nobody."""
    c, sid, _ = _scanned_twice(kit, tmp_path, backend, 1, 41,
                               Look(angle=1.2, shift_px=(9.0, -6.0), noise=4.0))
    with open_campaign(c) as camp:
        frame = export_frame(camp)
    papers = _papers(frame, sid)
    assert list(papers["copy"]) == [1] and list(papers["status"]) == ["ok"]
    second = frame[frame["sheet_id"] == ""]
    assert list(second["flags"]) == [f"duplicate of {sid}"]


def test_the_print_file_scanned_counts_nobody_and_the_filled_sheets_then_count(
        kit, tmp_path, backend):
    """`phieu scan C forms.pdf` by mistake: every page a blank form, nothing returned; the
    filled sheets scanned after it are every one of them counted, none a second scan."""
    c = _fresh(kit, tmp_path, backend)
    result = run_cli("scan", c, kit / "p" / "forms.pdf", "--workers", "2")
    assert result.exit_code == 0, result.output
    assert "15 blank form(s)" in result.output
    with open_campaign(c) as camp:
        frame = export_frame(camp)
        r = compute(camp)
    assert len(frame) == 15 and set(frame["sheet_id"]) == {""}
    assert set(frame["status"]) == {Status.SKIPPED}
    rows = read_manifest(kit / "p" / "manifest.csv")
    assert sorted(frame["flags"]) == sorted(f"blank form {r['sheet_id']}" for r in rows)
    assert sorted(frame["unit_code"]) == sorted(r["unit_code"] for r in rows)
    assert r.units["returned"].sum() == 0 and r.units["sheets"].sum() == 0
    assert r.units["blank"].sum() == 15
    template = Template.read(kit / "p" / "template.json")
    (tmp_path / "in").mkdir()
    truth = {}
    for i in range(5):
        img, truth[rows[i]["sheet_id"]] = filled_page(
            template, render_page(kit / "p" / "forms.pdf", i, 200), rows[i]["sheet_id"], 200,
            60 + i)
        cv2.imwrite(str(tmp_path / "in" / f"{i}.png"), img)
    assert run_cli("scan", c, tmp_path / "in", "--workers", "1").exit_code == 0
    with open_campaign(c) as camp:
        frame = export_frame(camp)
        r = compute(camp)
    papers = frame[frame["sheet_id"] != ""].set_index("sheet_id")
    assert sorted(papers.index) == sorted(truth)
    for sid, answers in truth.items():
        assert papers.loc[sid, "status"] == "ok" and papers.loc[sid, "copy"] == 1
        assert {q: papers.loc[sid, q] for q in answers} == answers
    assert r.units["returned"].sum() == 5 and r.units["blank"].sum() == 15


def test_a_blank_form_then_the_same_sheet_filled_is_the_ordinary_case(kit, tmp_path):
    """Fed through the feeder before it was handed out, then filled: one respondent, no
    flag."""
    template = Template.read(kit / "p" / "template.json")
    rows = read_manifest(kit / "p" / "manifest.csv")
    printed = render_page(kit / "p" / "forms.pdf", 2, 200)
    blank = cv2.GaussianBlur(printed, (3, 3), 0)
    filled, answers = filled_page(template, printed, rows[2]["sheet_id"], 200, 77)
    c = _fresh(kit, tmp_path, Backend("sqlite"))
    path = _tiff([blank, filled], tmp_path / "feeder.tif")
    assert run_cli("scan", c, path, "--workers", "1").exit_code == 0
    with open_campaign(c) as camp:
        frame = export_frame(camp)
    paper = _papers(frame, rows[2]["sheet_id"])
    assert list(paper["status"]) == ["ok"] and list(paper["source_page"]) == [2]
    assert {q: paper.iloc[0][q] for q in answers} == answers
    assert list(frame[frame["sheet_id"] == ""]["flags"]) == [f"blank form {rows[2]['sheet_id']}"]


def _two_page_kit(tmp_path: Path, backend: Backend) -> tuple[Path, Path]:
    c = tmp_path / "dn"
    assert backend.new(c, TWO_PAGE).exit_code == 0
    assert run_cli("print", c, "--copies", "1", "--out", tmp_path / "p").exit_code == 0
    return c, tmp_path / "p"


def test_photocopies_of_a_two_page_form_are_paired_by_their_order(tmp_path, backend):
    """Three people fill photocopies of both pages of one sheet; one writes no comment on
    page 2. Fed one paper after another, each paper's pages go together."""
    c, p = _two_page_kit(tmp_path, backend)
    template = Template.read(p / "template.json")
    sid = read_manifest(p / "manifest.csv")[0]["sheet_id"]
    pages, truth = [], []
    seeds = iter(range(500, 600))
    while len(truth) < 3:
        img, answers = filled_page(template, render_page(p / "forms.pdf", 0, 200), sid, 200,
                                   next(seeds))
        if any(_differ(answers, a) < 2 for a in truth):
            continue
        wrote = len(truth) != 1
        back, _ = filled_page(template, render_page(p / "forms.pdf", 1, 200), sid, 200,
                              next(seeds), form_page=2, text=wrote)
        pages += [img, back]
        truth.append(answers)
    # the print file scanned first: its blank pages are nobody's, and take no paper's place
    assert run_cli("scan", c, p / "forms.pdf", "--workers", "1").exit_code == 0
    assert run_cli("scan", c, _tiff(pages, tmp_path / "copies.tif"), "--workers",
                   "1").exit_code == 0
    with open_campaign(c) as camp:
        frame = export_frame(camp)
        r = compute(camp)
    papers = _papers(frame, sid)
    assert list(papers["copy"]) == [1, 2, 3] and set(papers["status"]) == {"ok"}
    assert list(papers["source_page"]) == [1, 3, 5]
    for answers, (_, row) in zip(truth, papers.iterrows(), strict=True):
        assert {q: row[q] for q in answers} == answers
    texts = r.texts.set_index("sheet_id")
    assert set(texts.index) == {sid, f"{sid}.3"}  # the first and the third wrote a comment
    assert r.units.set_index("unit_code").loc[sid.split("-")[0], "returned"] == 3


def test_a_person_counts_a_second_scan_as_another_paper_and_back(kit, tmp_path, backend):
    """Two people who gave the same answers look like one paper scanned twice: the
    coordinator says it is another paper (3), and can take it back; a counted copy can be
    set aside as a rescan, and that taken back too."""
    template = Template.read(kit / "p" / "template.json")
    rows = read_manifest(kit / "p" / "manifest.csv")
    c, sid, answers = _scanned_twice(kit, tmp_path, backend, 3, 88,
                                     Look(angle=-0.8, noise=3.0))
    with open_campaign(c) as camp:
        before = export_frame(camp)
        page_item = next(i for i in _queue(camp) if i.kind == ItemKind.PAGE)
        claim(camp.store, page_item, LAN)
        now = decide(camp.store, template, camp.layout, page_item, LAN, "keep", "", "copy")
        assert now == sheet_item(f"{sid}.2")
        counted = export_frame(camp)
        papers = _papers(counted, sid)
        assert list(papers["copy"]) == [1, 2] and set(papers["status"]) == {"ok"}
        assert {q: papers.iloc[1][q] for q in answers} == answers
        assert (counted["sheet_id"] == "").sum() == 0  # no loose second scan any more
        back = decide(camp.store, template, camp.layout, now, LAN, "undo")
        assert back == page_item
        pd.testing.assert_frame_equal(export_frame(camp), before)
        # counted as another paper again, then set aside as a rescan: not counted
        decide(camp.store, template, camp.layout, page_item, LAN, "keep", "", "copy")
        decide(camp.store, template, camp.layout, now, LAN, "second-scan")
        papers = _papers(export_frame(camp), sid)
        assert list(papers["status"]) == ["ok", "rejected"]
        assert papers.iloc[1]["flags"] == f"duplicate of {sid}"
        assert compute(camp).units.set_index("unit_code").loc[rows[3]["unit_code"],
                                                               "sheets"] == 1
        claim(camp.store, now, LAN)  # gone back to it on the page
        decide(camp.store, template, camp.layout, now, LAN, "undo")
        assert list(_papers(export_frame(camp), sid)["status"]) == ["ok", "ok"]


def _queue(camp) -> list[Item]:
    from phieu.pipeline.review.queue import queue

    return [i["item"] for i in queue(camp.store.db)]


def test_a_photocopys_number_typed_on_the_review_page_needs_a_plus(kit, tmp_path):
    """A photocopy whose QR code and printed number the copier blurred: its number typed as
    it is names a sheet already read (a typo?), refused; with + it is another paper."""
    from phieu.pipeline.review.shared import ReviewError

    template = Template.read(kit / "p" / "template.json")
    sid, people = _people(kit, 4, 2, first_seed=900)
    s = 200 / 72
    blurred = people[1][0].copy()
    for box in (template.identity.qr, template.identity.text):
        blurred[int(box.y_pt * s):int((box.y_pt + box.h_pt) * s),
                int(box.x_pt * s):int((box.x_pt + box.w_pt) * s)] = 0
    (tmp_path / "in").mkdir()
    cv2.imwrite(str(tmp_path / "in" / "1.png"), people[0][0])
    cv2.imwrite(str(tmp_path / "in" / "2.png"), blurred)
    c = _fresh(kit, tmp_path, Backend("sqlite"))
    assert run_cli("scan", c, tmp_path / "in", "--workers", "1").exit_code == 0
    with open_campaign(c) as camp:
        item = next(i for i in _queue(camp) if i.kind == ItemKind.PAGE)
        claim(camp.store, item, LAN)
        with pytest.raises(ReviewError, match=r"\+"):
            decide(camp.store, template, camp.layout, item, LAN, "identity", "", sid)
        assert decide(camp.store, template, camp.layout, item, LAN, "identity", "",
                      f"{sid}+") == sheet_item(f"{sid}.2")
        papers = _papers(export_frame(camp), sid)
    assert list(papers["copy"]) == [1, 2]
    assert {q: papers.iloc[1][q] for q in people[1][1]} == people[1][1]


def test_forms_printed_before_campaign_codes_still_read(kit, tmp_path):
    """A campaign printed by an earlier release: its forms carry no code and are read as
    before; a form with no code is refused only where this campaign's forms have one."""
    from phieu.forms import SheetToPrint, render_pdf

    c = _fresh(kit, tmp_path, Backend("sqlite"))
    rows = read_manifest(kit / "p" / "manifest.csv")
    with open_campaign(c) as camp:
        camp.store.db.execute("UPDATE print_runs SET coded = 0")  # as version 8 left it
        layout = camp.layout
        sheets = [SheetToPrint(r["unit_code"], "", layout.area, int(r["serial"]))
                  for r in rows[:2]]
        list(render_pdf(camp.geometry, sheets, tmp_path / "old.pdf"))  # no campaign code
    template = Template.read(kit / "p" / "template.json")
    (tmp_path / "in").mkdir()
    truth = {}
    for i in range(2):
        img, truth[rows[i]["sheet_id"]] = filled_page(
            template, render_page(tmp_path / "old.pdf", i, 200), rows[i]["sheet_id"], 200, i)
        cv2.imwrite(str(tmp_path / "in" / f"{i}.png"), img)
    with open_campaign(c) as camp:
        summary = scan(camp, [tmp_path / "in"], workers=1)
        frame = export_frame(camp).set_index("sheet_id")
    assert summary.pages_read == 2
    for sid, answers in truth.items():
        assert frame.loc[sid, "status"] == "ok"
        assert {q: frame.loc[sid, q] for q in answers} == answers
    fresh = _fresh(kit, tmp_path / "coded", Backend("sqlite"))  # this release's campaign
    assert run_cli("scan", fresh, tmp_path / "in", "--workers", "1").exit_code == 0
    with open_campaign(fresh) as camp:
        frame = export_frame(camp)
    assert set(frame["flags"]) == {"other campaign: (none)"} and set(frame["sheet_id"]) == {""}


def test_copies_and_blank_forms_agree_in_export_report_and_excel(kit, tmp_path):
    """Per unit: papers returned (photocopies among them) and blank forms, the same in the
    export's rows, the results, the report's Excel summary and its PDF."""
    import pypdfium2

    sid, people = _people(kit, 5, 3, first_seed=1200)
    rows = read_manifest(kit / "p" / "manifest.csv")
    c = _fresh(kit, tmp_path, Backend("sqlite"))
    blank_pages = [render_page(kit / "p" / "forms.pdf", i, 200) for i in (6, 7)]
    path = _tiff([*blank_pages, *(img for img, _ in people)], tmp_path / "mixed.tif")
    assert run_cli("scan", c, path, "--workers", "1").exit_code == 0
    assert run_cli("report", c).exit_code == 0
    with open_campaign(c) as camp:
        frame = export_frame(camp)
        units = compute(camp).units.set_index("unit_code")
    unit = rows[5]["unit_code"]
    exported = frame[(frame["sheet_id"] != "") & (frame["unit_code"] == unit)]
    assert len(exported) == units.loc[unit, "returned"] == 3
    assert (exported["copy"] > 1).sum() == units.loc[unit, "copies"] == 2
    blanks = frame[frame["flags"].str.startswith("blank form")]
    for r in rows[6:8]:
        assert (blanks["unit_code"] == r["unit_code"]).sum() == units.loc[r["unit_code"],
                                                                          "blank"] == 1
    book = pd.read_excel(c / "bao-cao" / "bao-cao.xlsx", sheet_name="Tổng hợp", header=None)
    header = next(i for i in range(len(book)) if book.iloc[i, 0] == "Mã đơn vị")
    table = pd.read_excel(c / "bao-cao" / "bao-cao.xlsx", sheet_name="Tổng hợp",
                          header=header, dtype={"Mã đơn vị": str})
    table = table[table["Mã đơn vị"].notna()].set_index("Mã đơn vị")
    assert table.loc[unit, "Phiếu thu về"] == 3
    assert table.loc[unit, "Trong đó: bản photo của phiếu đã in"] == 2
    for r in rows[6:8]:
        assert table.loc[r["unit_code"], "Phiếu trắng (không tính)"] == 1
    pdf = pypdfium2.PdfDocument(str(c / "bao-cao" / "bao-cao.pdf"))
    text = " ".join(" ".join(pdf[i].get_textpage().get_text_range().split())
                    for i in range(len(pdf)))
    assert "Có 2 tờ phiếu là bản photo" in text and "Đã quét 2 phiếu trắng" in text


def test_two_readings_are_two_papers_only_when_two_certain_answers_differ():
    """One answer that differs may be the reader's doubt or a person's correction: the
    same paper, a person looks. Two that differ are two people. A question either reading
    doubts, or a comment box written on one only, is weighed as the rules say."""
    from phieu.pipeline.scan.papers import Arrival, differences, same_paper
    from phieu.pipeline.store.papers import PaperPage

    first = {"q01": "4", "q02": "5", "q03": "3", "q04": ""}
    stored = PaperPage(1, "18070-000001", 1, 1, 1, 1, False, first, frozenset(), frozenset())

    def arrival(answers, doubtful=(), written=()):
        return Arrival("18070-000001", 1, 2, 1, False, {**first, **answers},
                       frozenset(doubtful), frozenset(written))

    assert same_paper(arrival({}), stored)
    assert same_paper(arrival({"q01": "5"}), stored)  # one certain answer differs
    assert not same_paper(arrival({"q01": "5", "q04": "2"}), stored)  # two: two people
    # a doubt on either side is no evidence either way
    assert same_paper(arrival({"q01": "5", "q04": "2"}, doubtful={"q04"}), stored)
    doubted = PaperPage(1, "18070-000001", 1, 1, 1, 1, False, first, frozenset({"q01"}),
                        frozenset())
    assert same_paper(arrival({"q01": "5", "q04": "2"}), doubted)
    # writing in a comment box on one paper only is a difference too
    assert differences(arrival({"q01": "5"}, written={"y_kien"}), stored) == 2
    assert not same_paper(arrival({"q01": "5"}, written={"y_kien"}), stored)


def test_a_page_whose_code_names_a_page_the_form_lacks_counts_for_no_paper(kit, tmp_path):
    """The reader flags it; the store must not take it for page 3 of that sheet either: it
    is a loose page a person looks at, and nobody is counted for it."""
    from phieu.forms.identity import PageIdentity
    from tests.omr.test_read_page import _with_qr

    c = _fresh(kit, tmp_path, Backend("sqlite"))
    template = Template.read(kit / "p" / "template.json")
    sid = read_manifest(kit / "p" / "manifest.csv")[0]["sheet_id"]
    with open_campaign(c) as camp:
        code = camp.code
    unit, serial = sid.split("-")
    payload = PageIdentity(template.layout, unit, int(serial), 3, code).payload()
    printed = _with_qr(render_page(kit / "p" / "forms.pdf", 0, 200), template, payload)
    img, _ = filled_page(template, printed, sid, 200, 4)
    cv2.imwrite(str(tmp_path / "page3.png"), img)
    with open_campaign(c) as camp:
        scan(camp, [tmp_path / "page3.png"], workers=1)
        frame = export_frame(camp)
    assert _papers(frame, sid).empty  # no respondent
    assert (frame["flags"].str.contains("page 3 is not a page of this form")).sum() == 1


def test_two_copies_alike_but_for_one_answer_and_a_comment_are_two_people(kit, tmp_path):
    """Two photocopies of one sheet, filled alike but for one answer, one of them with a
    comment written in its box: the comment is a difference too, so they are two
    respondents, not one paper scanned twice."""
    from phieu.samples.batch import SheetTruth, ink_for_page
    from phieu.samples.scanner import scan as scanner

    template = Template.read(kit / "p" / "template.json")
    sid = read_manifest(kit / "p" / "manifest.csv")[2]["sheet_id"]
    printed = render_page(kit / "p" / "forms.pdf", 2, 200)
    rng = np.random.default_rng(77)
    papers = []
    for k, (text, q05) in enumerate(((True, "2"), (False, "5"))):
        truth = SheetTruth(sid, [0], text=text)
        for q in template.questions:
            truth.marks[q.id] = [("4" if q.id != "q05" else q05, "pen")]
        truth.marks["gioi_tinh"] = [("1", "pen")]
        truth.marks["doi_tuong"] = [("1", "pen")]
        truth.marks["linh_vuc"] = [("3", "pen")]
        ink = ink_for_page(template, truth, 1, printed.shape, 200 / 72,
                           np.random.default_rng(500 + k))
        papers.append(scanner(printed, ink, Look(), rng))
    (tmp_path / "in").mkdir()
    for k, img in enumerate(papers):
        cv2.imwrite(str(tmp_path / "in" / f"{k}.png"), img)
    c = _fresh(kit, tmp_path, Backend("sqlite"))
    assert run_cli("scan", c, tmp_path / "in", "--workers", "1").exit_code == 0
    with open_campaign(c) as camp:
        frame = export_frame(camp)
    assert list(_papers(frame, sid)["copy"]) == [1, 2]
    assert len(frame[frame["sheet_id"] == ""]) == 0  # no second scan
