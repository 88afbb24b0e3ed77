"""The capture page in Chromium with a phone's screen and touch: a clerk's photos, good and
poor, and what the page says of each."""

from __future__ import annotations

import cv2
import pytest

from phieu.pipeline.campaign import open_campaign
from phieu.pipeline.store.pages import page_counts
from tests.capture.phone import phones, serve_capture, sheet_photo, wait_verdict

pytestmark = pytest.mark.slow


@pytest.fixture()
def sqlite_kit(kit):
    if kit["backend"].kind != "sqlite":
        pytest.skip("the page is the same on either store (tests/capture/test_capture)")
    return kit


def _write(tmp_path, name: str, data: bytes):
    path = tmp_path / f"{name}.jpg"
    path.write_bytes(data)
    return str(path)


def _open(context, url: str):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    return page, errors


def test_a_clerk_photographs_good_and_poor_sheets(sqlite_kit, tmp_path):
    kit = sqlite_kit
    with serve_capture(kit["campaign"]) as url, phones(1) as (context,):
        page, errors = _open(context, url)
        assert page.locator("#shoot").inner_text() == "Chụp phiếu"
        assert page.locator("#photo").get_attribute("capture") == "environment"
        box = page.locator("#shoot").bounding_box()
        assert box["width"] > 300 and box["height"] > 70  # one large button for a thumb
        page.set_input_files("#photo", _write(tmp_path, "good", kit["good"][0]))
        assert wait_verdict(page, 1) == "read"
        assert page.locator("#verdict-words").inner_text() == "Đã đọc"
        assert kit["rows"][0]["sheet_id"] in page.locator("#verdict-detail").inner_text()
        n = 1
        for trouble, words in (("blurred", "mờ"), ("dark", "tối"),
                               ("corners-out", "bốn góc"), ("glare", "loá sáng")):
            page.set_input_files("#photo", _write(tmp_path, trouble, kit["troubled"][trouble]))
            n += 1
            assert wait_verdict(page, n) == "retake"
            assert page.locator("#verdict-words").inner_text() == "Cần chụp lại"
            assert words in page.locator("#verdict-problems").inner_text().lower()
            assert page.locator("#keep").is_visible()
        page.set_input_files("#photo", _write(tmp_path, "again", kit["again"]))
        assert wait_verdict(page, n + 1) == "known"  # the first paper, photographed again
        assert "không tính thêm" in page.locator("#verdict-detail").inner_text()
        # the photos too poor to show whose sheet they are count as taken again by the next
        # photo that stands; the two that name the second sheet wait for one photo of it
        assert page.locator("#mine").inner_text() == "đã chụp 6, đọc được 2, cần chụp lại 1"
        assert kit["rows"][1]["sheet_id"] in page.locator("#pending").inner_text()
        assert not errors
    with open_campaign(kit["campaign"]) as c:
        assert sum(page_counts(c.store).values()) == 1  # one paper read; nothing else stored


def test_the_photo_is_shrunk_on_the_phone_before_it_is_sent(sqlite_kit, tmp_path):
    kit = sqlite_kit
    big, _ = sheet_photo(kit["template"], kit["pdf"], 2, long_side=4032)  # a 12 MP camera
    sent: list[int] = []
    with serve_capture(kit["campaign"]) as url, phones(1) as (context,):
        page, errors = _open(context, url)
        page.on("request", lambda r: sent.append(len(r.post_data_buffer or b""))
                if r.url.endswith("/api/photo") else None)
        page.set_input_files("#photo", _write(tmp_path, "big", big))
        assert wait_verdict(page, 1) == "read"
        assert not errors
    assert len(sent) == 1 and sent[0] < len(big) / 2
    kept = next(kit["campaign"].glob("captures/*/*.jpg"))
    h, w = cv2.imread(str(kept)).shape[:2]
    assert (max(h, w), min(h, w)) == (2000, 1500)


def test_two_phones_capture_at_once(sqlite_kit, tmp_path):
    kit = sqlite_kit
    with serve_capture(kit["campaign"]) as url, phones(2) as (lan_ctx, minh_ctx):
        lan, lan_errors = _open(lan_ctx, url)
        minh, minh_errors = _open(minh_ctx, url)
        lan.set_input_files("#photo", _write(tmp_path, "a", kit["good"][0]))
        minh.set_input_files("#photo", _write(tmp_path, "b", kit["good"][1]))
        assert wait_verdict(lan, 1) == wait_verdict(minh, 1) == "read"
        assert lan.locator("#mine").inner_text().startswith("đã chụp 1, đọc được 1")
        assert minh.locator("#mine").inner_text().startswith("đã chụp 1, đọc được 1")
        minh.set_input_files("#photo", _write(tmp_path, "c", kit["good"][2]))
        assert wait_verdict(minh, 2) == "read"
        assert "đã chụp 3, đọc được 3" in minh.locator("#every").inner_text()
        assert not lan_errors and not minh_errors
    with open_campaign(kit["campaign"]) as c:
        assert sum(page_counts(c.store).values()) == 3


def test_beyond_this_computer_a_phone_needs_the_printed_address(sqlite_kit, tmp_path):
    kit = sqlite_kit
    token = "capture-access-token-1"
    with serve_capture(kit["campaign"], "0.0.0.0", token) as url, phones(2) as (ok, stranger):
        other = stranger.new_page()
        assert other.goto(url).status == 401
        assert other.goto(url + "?token=not-the-one").status == 401
        page, errors = _open(ok, f"{url}?token={token}")
        assert page.url == url  # the token leaves the address bar
        page.set_input_files("#photo", _write(tmp_path, "good", kit["good"][0]))
        assert wait_verdict(page, 1) == "read"
        assert not errors

