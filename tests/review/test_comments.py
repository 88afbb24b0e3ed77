"""The comment queue: every comment box with ink (ok sheets included) typed once, shared by
two coordinators, and quoted in the report."""

from __future__ import annotations

import numpy as np
import pytest

from phieu.pipeline.campaign import open_campaign
from phieu.pipeline.review.comments import next_comment, save_comment
from phieu.pipeline.review.shared import Reviewer
from phieu.pipeline.scan.batch import scan
from phieu.pipeline.store.comments import all_comments
from phieu.samples.batch import SheetTruth, ink_for_page
from phieu.samples.scanner import Look
from phieu.samples.scanner import scan as scanner
from tests.conftest import render_page, run_cli
from tests.pipeline.test_report import _libreoffice, _pdf_text
from tests.review.conftest import printed_campaign, serving

WRITTEN = 3  # sheets whose comment box holds handwriting


@pytest.fixture(scope="session")
def comments_kit(tmp_path_factory, backend) -> dict:
    """Five sheets read with certainty (no doubt), three of them with writing in the comment
    box, in three units."""
    import cv2

    c, template, rows, pdf, scans = printed_campaign(tmp_path_factory.mktemp("comments"),
                                                     backend)
    for k in range(5):
        rng = np.random.default_rng(20 + k)
        truth = SheetTruth(rows[k]["sheet_id"], [k], text=k < WRITTEN)
        for q in template.questions:
            truth.marks[q.id] = [(q.options[-1].value if q.kind != "multi" else "1", "pen")]
        printed = render_page(pdf, k, 200)
        ink = ink_for_page(template, truth, 1, printed.shape, 200 / 72, rng)
        cv2.imwrite(str(scans / f"s{k}.png"), scanner(printed, ink, Look(), rng))
    with open_campaign(c) as camp:
        scan(camp, [scans], workers=1)
    return {"campaign": c, "rows": rows, "backend": backend}


@pytest.fixture()
def ckit(comments_kit, tmp_path) -> dict:
    c = comments_kit["backend"].copy(comments_kit["campaign"], tmp_path / "campaign")
    return {**comments_kit, "campaign": c}


def test_two_coordinators_share_the_queue_of_ok_sheets_comments(ckit):
    lan, minh = Reviewer("Lan", "session-lan-1"), Reviewer("Minh", "session-minh-1")
    with open_campaign(ckit["campaign"]) as c:
        assert all(s == "ok" for s in c.store.db.execute("SELECT status FROM sheets")
                   .fetchall() for s in s)  # nobody was asked about any sheet
        first, second = next_comment(c.store, lan), next_comment(c.store, minh)
        assert first and second and first != second  # never the same box to both
        save_comment(c.store, c.geometry.template, c.layout, first, lan, "typed",
                     "  Cần thêm ghế ngồi ", "1")
        third = next_comment(c.store, lan, first)
        assert third not in (first, second)
        assert next_comment(c.store, lan, third) is None  # the one left is Minh's
        typed = all_comments(c.store.db)
    (only,) = typed.values()
    assert only.text == "Cần thêm ghế ngồi" and only.themes == ("1",)


@pytest.mark.slow  # LibreOffice, a browser or a whole demo
def test_the_comment_queue_in_chromium_type_enter_special_keys_and_undo(ckit):
    from playwright.sync_api import sync_playwright

    from tests.review.conftest import CHROMIUM, CHROMIUM_ARGS

    with serving(ckit["campaign"]) as port, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768}, bypass_csp=True)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"http://127.0.0.1:{port}/comments")
        page.fill("#name", "Nguyễn Thị Lan")
        page.keyboard.press("Enter")

        def progress(typed: int) -> None:
            page.wait_for_function(
                "(t) => document.querySelector('#progress').textContent"
                ".startsWith(`Đã gõ ${t}/3`)", arg=typed)

        progress(0)
        page.wait_for_function("document.querySelector('#cropimg').naturalWidth > 100")
        first = page.text_content("#where")
        page.keyboard.type("Cần thêm ghế ngồi chờ")
        page.keyboard.press("Alt+1")  # tagged: the layout's first improvement option
        assert page.is_checked("#themelist input[data-key='1']")
        page.keyboard.press("Enter")
        progress(1)
        second = page.text_content("#where")
        assert second != first and page.input_value("#text") == ""  # the next crop, empty
        page.keyboard.press("F2")  # only strokes: no comment
        progress(2)
        page.keyboard.press("F8")  # taken back: the same box again
        progress(1)
        assert page.text_content("#where") == second
        page.keyboard.press("F4")  # unreadable
        progress(2)
        page.keyboard.type("Hướng dẫn rõ hơn")
        page.keyboard.press("Enter")
        progress(3)
        page.wait_for_function(
            "document.querySelector('#heading').textContent.startsWith('Không còn')")
        assert errors == []
        browser.close()
    with open_campaign(ckit["campaign"]) as c:
        kept = sorted((x.state, x.text, x.themes) for x in all_comments(c.store.db).values())
    assert kept == [("typed", "Cần thêm ghế ngồi chờ", ("1",)), ("typed", "Hướng dẫn rõ hơn", ()),
                    ("unreadable", "", ())]


@pytest.mark.slow  # LibreOffice, a browser or a whole demo
def test_typed_comments_are_quoted_by_unit_in_the_report_and_the_export(ckit, tmp_path):
    lan = Reviewer("Lan", "session-lan-2")
    said = {}
    with open_campaign(ckit["campaign"]) as c:
        units = {u.code: u.name for u in c.layout.units}
        for k, text in enumerate(("Cần thêm ghế ngồi", "Công chức rất nhiệt tình")):
            item = next_comment(c.store, lan)
            save_comment(c.store, c.geometry.template, c.layout, item, lan, "typed", text,
                         "1" if k == 0 else "")
            said[item.paper] = text
    assert run_cli("report", ckit["campaign"]).exit_code == 0
    out = ckit["campaign"] / "bao-cao"
    _libreoffice(out / "bao-cao.docx", "pdf", tmp_path)
    for text in (_pdf_text(out / "bao-cao.pdf"), _pdf_text(tmp_path / "bao-cao.pdf")):
        for sheet, words in said.items():
            unit = units[sheet.split("-")[0]]
            assert f"“{words}”" in text
            assert text.index(unit) < text.index(f"“{words}”")  # under its unit
        assert "1 ý kiến viết tay chưa được gõ lại" in text  # the third, still to type
        assert "Cơ sở vật chất, nơi ngồi chờ: 1" in text  # the theme counted
    assert run_cli("export", ckit["campaign"], "--out", tmp_path / "e.csv").exit_code == 0
    exported = (tmp_path / "e.csv").read_text(encoding="utf-8")
    assert all(words in exported for words in said.values())
