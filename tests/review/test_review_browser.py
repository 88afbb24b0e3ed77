"""The review page in a real headless Chromium, driven with the keyboard."""

from __future__ import annotations

import pandas as pd
import pytest

from phieu.pipeline.campaign import open_campaign
from phieu.pipeline.export import export_frame
from phieu.pipeline.store.pages import sheet_status
from tests.review.conftest import CHROMIUM, CHROMIUM_ARGS


def _start(browser, url, name="Nguyễn Thị Lan"):
    # the page forbids eval (CSP); the test harness needs it to wait on conditions
    page = browser.new_page(viewport={"width": 1366, "height": 768}, bypass_csp=True)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.fill("#name", name)
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('#heading').textContent !== 'Đang tải…'")
    return page, errors


def _heading(page) -> str:
    return page.text_content("#heading") or ""


def _wait_change(page, before: str) -> None:
    page.wait_for_function(
        "(b) => document.querySelector('#heading').textContent !== b", arg=before)


def test_four_kinds_of_doubt_settled_with_the_keyboard(kit, server, browser):
    rows = kit["rows"]
    page, errors = _start(browser, server)
    assert page.text_content("#left") == "4"
    seen = []
    for _ in range(8):
        head = _heading(page)
        if head.startswith("Không còn"):
            break
        seen.append(head)
        if head.startswith("Phiếu "):  # the sheet with two marks on q07
            assert "Nhiều ô được tô" in page.text_content("#reasons")
            assert "(q07)" in page.text_content("#reasons")
            page.keyboard.press("4")
            page.wait_for_function("document.querySelector('#doubts').textContent.includes(': 4')")
            page.keyboard.press("Enter")
        elif head == "Trang chưa rõ mã phiếu":
            page.fill("#sheetid", "99999-000001")  # not printed: refused, and said so
            page.keyboard.press("Enter")
            page.wait_for_function(
                "document.querySelector('#msg').textContent.includes('không có')")
            page.fill("#sheetid", rows[0]["sheet_id"])  # already taken by the first sheet
            page.keyboard.press("Enter")
            page.wait_for_function("document.querySelector('#msg').textContent.includes('đã có')")
            page.fill("#sheetid", rows[1]["sheet_id"])
            page.keyboard.press("Enter")
            page.wait_for_function(
                f"document.querySelector('#heading').textContent.includes('{rows[1]['sheet_id']}')")
            head = _heading(page)  # the page is that sheet now
            page.locator("#sheetid").blur()
            page.keyboard.press("Enter")  # accept it
        elif head.startswith("Bản quét thứ hai"):
            assert page.locator("#pages figure").count() == 2  # both scans side by side
            page.keyboard.press("1")  # keep the first scan
        elif head == "Trang không phải phiếu khảo sát":
            page.keyboard.press("Delete")
        else:
            pytest.fail(f"unexpected item: {head}")
        _wait_change(page, head)
    assert len(seen) == 4, seen
    assert _heading(page).startswith("Không còn")
    page.reload()
    page.wait_for_function("document.querySelector('#heading').textContent !== 'Đang tải…'")
    assert page.text_content("#left") == "0"
    assert errors == []
    with open_campaign(kit["campaign"]) as c:
        frame = export_frame(c)
    by_id = frame.set_index("sheet_id")
    assert by_id.loc[rows[0]["sheet_id"], "status"] == "reviewed"
    assert by_id.loc[rows[0]["sheet_id"], "q07"] == "4"
    assert by_id.loc[rows[1]["sheet_id"], "status"] == "reviewed"
    assert by_id.loc[rows[2]["sheet_id"], "status"] == "ok"
    assert (frame["sheet_id"] == rows[2]["sheet_id"]).sum() == 1
    loose = frame[frame["sheet_id"] == ""]
    assert sorted(loose["status"]) == ["rejected", "rejected"]
    assert any(f.startswith("duplicate of") for f in loose["flags"])
    assert "not a phieu form" in set(loose["flags"])


def test_undo_and_go_back(kit, server, browser):
    page, _ = _start(browser, server)
    head = _heading(page)
    assert head.startswith("Phiếu ")
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    _wait_change(page, head)
    following = _heading(page)
    page.keyboard.press("Escape")  # out of the identity field the next item focuses
    page.keyboard.press("ArrowLeft")  # back to the sheet just accepted
    _wait_change(page, following)
    assert _heading(page) == head
    assert "đã duyệt" in page.text_content("#where")
    page.keyboard.press("u")  # take back the acceptance
    page.wait_for_function("!document.querySelector('#where').textContent.includes('đã duyệt')")
    with open_campaign(kit["campaign"]) as c:
        status = sheet_status(c.store.db, head.split()[1])
    assert status == "flagged"


def test_two_reviewers_never_get_the_same_item(kit, server, browser):
    one, _ = _start(browser, server, "Lan")
    other = browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768}
                                ).new_page()
    other.goto(server)
    other.fill("#name", "Minh")
    other.keyboard.press("Enter")
    other.wait_for_function("document.querySelector('#heading').textContent !== 'Đang tải…'")
    assert _heading(one) != _heading(other)


def test_fits_a_small_laptop_screen_in_vietnamese(kit, server, browser):
    page, _ = _start(browser, server)
    width, height = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert width <= 1366 and height <= 768
    assert page.evaluate("document.documentElement.lang") == "vi"
    assert page.evaluate("document.fonts.check('16px \"Be Vietnam Pro\"', 'Phường Hà Huy Tập')")
    page.keyboard.press("2")
    page.wait_for_function("document.querySelector('#history').children.length > 0")
    assert "Nguyễn Thị Lan" in page.text_content("#history")


def test_export_after_review_is_what_the_page_shows(kit, server, browser, tmp_path):
    page, _ = _start(browser, server)
    assert _heading(page).startswith("Phiếu ")
    area = page.locator("#texts textarea")
    area.fill("Cần thêm ghế <b>chờ</b> & quạt")
    area.blur()
    page.wait_for_timeout(300)
    head = _heading(page)  # read before Enter: the next sheet may be shown at once
    page.keyboard.press("5")
    page.keyboard.press("Enter")
    _wait_change(page, head)
    out = tmp_path / "x.csv"
    from tests.conftest import run_cli

    assert run_cli("export", kit["campaign"], "--out", out).exit_code == 0
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    row = frame[frame["sheet_id"] == kit["rows"][0]["sheet_id"]].iloc[0]
    assert row["status"] == "reviewed" and row["q07"] == "5"
    assert row["y_kien"] == "Cần thêm ghế <b>chờ</b> & quạt"


def test_a_rebound_name_gets_nothing_from_the_page(kit, server):
    """A site that points its own name at 127.0.0.1 (DNS rebinding) reads no answers."""
    from playwright.sync_api import sync_playwright

    port = server.rstrip("/").rsplit(":", 1)[1]
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            *CHROMIUM_ARGS, "--host-resolver-rules=MAP rebound.example 127.0.0.1"])
        page = b.new_page()
        for path in ("", "api/queue"):
            r = page.goto(f"http://rebound.example:{port}/{path}")
            assert r.status == 400
            assert "csrf" not in page.content().lower()
        assert page.goto(server).status == 200  # the real address still works
        b.close()


def test_shared_on_the_network_the_printed_address_opens_it(kit, browser):
    import threading
    from urllib.parse import urlsplit

    from phieu.pipeline.review.app import start

    server, printed = start(kit["campaign"], "0.0.0.0", 0)  # as `phieu review --host 0.0.0.0`
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        parts = urlsplit(printed)
        assert parts.query.startswith("token=") and len(parts.query) > 20
        # the second laptop reaches this one by its address; here, by loopback
        base = f"http://127.0.0.1:{parts.port}/"
        stranger = browser.new_page()
        assert stranger.goto(base).status == 401
        assert stranger.goto(base + "api/queue").status == 401
        assert stranger.goto(f"{base}?token=not-the-one").status == 401
        page, errors = _start(browser, f"{base}?{parts.query}")
        assert page.url == base  # the token is not left in the address bar
        assert _heading(page) not in ("", "Đang tải…")  # the page works: an item is shown
        assert page.goto(base + "api/queue").status == 200  # the cookie carries on
        assert not errors
    finally:
        server.shutdown()
        thread.join(5)


def test_an_audited_sheet_is_checked_and_corrected_on_the_same_page(kit, browser):
    """Phúc tra: the sheet read with certainty is drawn, shown from its scan file, one
    answer corrected and the sheet confirmed; the answer changes, the report says so."""
    from phieu.pipeline.report.write import report
    from phieu.pipeline.review.audit import draw, make_pictures, result
    from tests.review.conftest import serving

    rows = kit["rows"]
    with open_campaign(kit["campaign"]) as c:
        assert draw(c, 1.0) == 1  # the one sheet read with certainty
        assert make_pictures(c) == 0
    with serving(kit["campaign"]) as port:
        page, errors = _start(browser, f"http://127.0.0.1:{port}/")
        page.select_option("#reason", "audit")
        page.wait_for_function(
            f"document.querySelector('#heading').textContent.includes('{rows[2]['sheet_id']}')")
        head = _heading(page)
        assert "phúc tra" in page.text_content("#reasons")
        assert page.locator("#pages img").count() == 1  # the page, made again from its scan
        page.keyboard.press("2")  # the first question: the machine read 1
        page.wait_for_function("document.querySelector('#history').textContent.includes('2')")
        page.keyboard.press("Enter")  # confirm the sheet with the correction
        _wait_change(page, head)
        assert errors == []
    with open_campaign(kit["campaign"]) as c:
        first = c.layout.questions[0].id
        by_id = export_frame(c).set_index("sheet_id")
        assert by_id.loc[rows[2]["sheet_id"], first] == "2"
        assert by_id.loc[rows[2]["sheet_id"], "status"] == "reviewed"
        assert result(c).checked == 1 and result(c).wrong == 1
        files = report(c)
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(files.pdf))
    text = " ".join(" ".join(pdf[i].get_textpage().get_text_range().split())
                    for i in range(len(pdf)))
    assert "đã kiểm tra lại 1 phiếu, 1 sai" in text


def test_the_shared_link_opened_from_another_site_opens_the_page(kit, browser):
    """The address with its token, clicked in another site's page (a chat, a web mail):
    the review page opens at once, not a refusal on the first click."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from tests.review.conftest import serving

    access = "lien-ket-trong-zalo-2026"
    with serving(kit["campaign"], "0.0.0.0", access) as port:
        link = f"http://127.0.0.1:{port}/?token={access}"

        class Chat(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server's name
                body = f'<a id="go" href="{link}">Duyệt phiếu</a>'.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        chat = ThreadingHTTPServer(("127.0.0.1", 0), Chat)
        threading.Thread(target=chat.serve_forever, daemon=True).start()
        try:
            page = browser.new_page()
            page.goto(f"http://localhost:{chat.server_port}/")  # another site
            with page.expect_navigation():
                page.click("#go")
            page.wait_for_selector("#namebox", state="attached")
            assert page.url == f"http://127.0.0.1:{port}/"  # the token left the address bar
            assert "Duyệt phiếu cần kiểm tra" in page.text_content("h1")
        finally:
            chat.shutdown()
