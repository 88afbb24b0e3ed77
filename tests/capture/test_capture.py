"""`phieu capture` over HTTP: what a phone's photo becomes, in the store and on disk."""

from __future__ import annotations

import socket
from pathlib import Path

import cv2
import numpy as np
import pytest

from phieu.pipeline.campaign import open_campaign
from phieu.pipeline.capture.app import create_app
from phieu.pipeline.store.captures import capture_counts
from phieu.pipeline.store.pages import page_counts
from phieu.pipeline.store.sheets import status_counts
from tests.capture.phone import serve_capture

PHONE = "phone-aaaa01"


class Phone:
    """A phone's requests, as the capture page's script sends them."""

    def __init__(self, app, phone: str = PHONE) -> None:
        self.client = app.test_client()
        html = self.client.get("/").get_data(as_text=True)
        self.csrf = html.split('name="csrf-token" content="')[1].split('"')[0]
        self.phone = phone

    def photo(self, data: bytes) -> dict:
        r = self.client.post("/api/photo", data=data, headers={
            "X-CSRF-Token": self.csrf, "X-Phone": self.phone, "Content-Type": "image/jpeg"})
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    def keep(self, capture: int) -> dict:
        r = self.client.post("/api/keep", json={"capture": capture}, headers={
            "X-CSRF-Token": self.csrf, "X-Phone": self.phone})
        assert r.status_code == 200, r.get_json()
        return r.get_json()


def _state(campaign: Path) -> tuple[dict, dict]:
    with open_campaign(campaign) as c:
        return page_counts(c.store), status_counts(c.store)


def test_a_good_photo_is_read_counted_and_kept(kit):
    phone = Phone(create_app(kit["campaign"]))
    v = phone.photo(kit["good"][0])
    sheet = kit["rows"][0]["sheet_id"]
    assert (v["verdict"], v["words"], v["sheet"]) == ("read", "Đã đọc", sheet)
    answered = sum(1 for a in kit["answers"][0].values() if a)
    assert v["answered"] == answered and v["unit"]  # the unit by its name
    assert v["counts"]["phone"] == {"taken": 1, "read": 1, "retake": 0}
    with open_campaign(kit["campaign"]) as c:
        assert status_counts(c.store) == {"ok": 1}
        answers = c.store.db.execute("SELECT answers FROM pages WHERE sheet_id = ?",
                                     (sheet,)).fetchone()[0]
    import json
    assert {q: a for q, a in json.loads(answers).items()} == {
        q: a for q, a in kit["answers"][0].items() if q in json.loads(answers)}
    kept = list((kit["campaign"] / "captures" / PHONE).glob("*.jpg"))
    assert len(kept) == 1 and kept[0].read_bytes() == kit["good"][0]


def test_a_photo_sent_twice_or_a_second_photo_of_the_paper_adds_nothing(kit):
    phone = Phone(create_app(kit["campaign"]))
    first = phone.photo(kit["good"][0])
    before = _state(kit["campaign"])
    retried = phone.photo(kit["good"][0])  # the answer was lost: the phone sends it again
    assert retried["again"] and retried["capture"] == first["capture"]
    second = phone.photo(kit["again"])  # the same paper, photographed again
    assert second["verdict"] == "known" and second["sheet"] == first["sheet"]
    assert _state(kit["campaign"]) == before  # no page, no paper, nothing to review
    assert second["counts"]["phone"] == {"taken": 2, "read": 2, "retake": 0}


@pytest.mark.parametrize("trouble", ["blurred", "dark", "corners-out", "glare"])
def test_a_poor_photo_is_taken_again_and_the_retake_takes_its_place(kit, trouble):
    phone = Phone(create_app(kit["campaign"]))
    before = _state(kit["campaign"])
    v = phone.photo(kit["troubled"][trouble])
    assert (v["verdict"], v["words"]) == ("retake", "Cần chụp lại")
    assert v["problems"][0] == trouble and v["problems_vi"][0]
    assert _state(kit["campaign"]) == before  # nothing read into the campaign
    assert v["counts"]["phone"] == {"taken": 1, "read": 0, "retake": 1}
    assert len(v["counts"]["pending"]) == 1
    assert len(list((kit["campaign"] / "captures" / PHONE).glob("*.jpg"))) == 1  # kept
    if v["sheet"]:  # refused again: still one sheet to take
        again = phone.photo(kit["troubled_again"][trouble])
        assert again["verdict"] == "retake" and again["sheet"] == v["sheet"]
        assert again["counts"]["phone"] == {"taken": 2, "read": 0, "retake": 1}
    good = phone.photo(kit["good"][1])  # the same paper, taken again
    assert good["verdict"] == "read"
    assert good["counts"]["phone"]["read"] == 1 and good["counts"]["phone"]["retake"] == 0
    assert good["counts"]["pending"] == []
    after = _state(kit["campaign"])
    assert phone.keep(v["capture"])["again"]  # the refused one, asked for later: nothing
    assert _state(kit["campaign"]) == after


def test_a_photo_that_cannot_be_taken_better_goes_to_a_person(kit):
    phone = Phone(create_app(kit["campaign"]))
    refused = phone.photo(kit["troubled"]["blurred"])
    kept = phone.keep(refused["capture"])
    assert kept["capture"] == refused["capture"] and kept["verdict"] in ("review", "foreign")
    pages, _ = _state(kit["campaign"])
    assert sum(pages.values()) == 1  # the photo is a page of the campaign now
    with open_campaign(kit["campaign"]) as c:  # never `ok`: the gate did not trust it
        flags = c.store.db.execute("SELECT status, flags FROM pages").fetchone()
    assert flags[0] == "flagged" and "poor photo: blurred" in flags[1]
    assert kept["counts"]["phone"]["retake"] == 0
    assert phone.keep(refused["capture"])["again"]  # kept twice: still one page
    assert sum(_state(kit["campaign"])[0].values()) == 1


def test_photos_of_two_phones_are_counted_apart_and_together(kit):
    app = create_app(kit["campaign"])
    lan, minh = Phone(app, "phone-lan001"), Phone(app, "phone-minh01")
    lan.photo(kit["good"][0])
    v = minh.photo(kit["good"][1])
    assert v["counts"]["phone"]["taken"] == 1 and v["counts"]["all"]["taken"] == 2
    assert v["counts"]["sheets"] == {"ok": 2, "flagged": 0}


def test_not_a_photo_is_refused_plainly(kit):
    phone = Phone(create_app(kit["campaign"]))
    r = phone.client.post("/api/photo", data=b"%PDF-1.4 not a photo", headers={
        "X-CSRF-Token": phone.csrf, "X-Phone": PHONE, "Content-Type": "image/jpeg"})
    assert r.status_code == 400 and "không phải ảnh" in r.get_json()["error"]
    assert "Traceback" not in r.get_data(as_text=True)
    r = phone.client.post("/api/photo", data=kit["good"][0], headers={
        "X-Phone": PHONE, "Content-Type": "image/jpeg"})  # no CSRF token
    assert r.status_code == 403


def test_an_upload_cut_off_halfway_stores_nothing(kit):
    with serve_capture(kit["campaign"]) as url:
        port = int(url.rsplit(":", 1)[1].strip("/"))
        phone = Phone(create_app(kit["campaign"]))
        data = kit["good"][0]
        cookie_free = (f"POST /api/photo HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                       "Content-Type: image/jpeg\r\nX-Phone: " + PHONE + "\r\n")
        # the page's CSRF token is the server's own: read it from the page it serves
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
                      .encode())
            page = b""
            while chunk := s.recv(65536):
                page += chunk
        csrf = page.decode().split('name="csrf-token" content="')[1].split('"')[0]
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.sendall((cookie_free + f"X-CSRF-Token: {csrf}\r\nContent-Length: {len(data)}"
                       "\r\n\r\n").encode() + data[: len(data) // 2])
        # Wi-Fi lost: the connection closed with half the photo sent
        with socket.create_connection(("127.0.0.1", port)) as s:  # the server carries on
            s.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
                      .encode())
            assert s.recv(64).startswith(b"HTTP/1.1 200")
    with open_campaign(kit["campaign"]) as c:
        assert capture_counts(c.store).taken == 0 and sum(page_counts(c.store).values()) == 0
    assert not list(kit["campaign"].glob("captures/**/*.jpg"))
    assert phone.photo(data)["verdict"] == "read"  # the phone sends it again: read once


def test_beyond_this_computer_the_page_asks_for_its_token(kit):
    app = create_app(kit["campaign"], "0.0.0.0", "a-long-access-token")
    c = app.test_client()
    assert c.get("/").status_code == 401
    assert c.post("/api/photo", data=kit["good"][0]).status_code == 401
    assert c.get("/?token=not-the-one").status_code == 401
    assert c.get("/?token=a-long-access-token").status_code == 303
    assert c.get("/").status_code == 200  # the cookie carries on
    with pytest.raises(ValueError):
        create_app(kit["campaign"], "0.0.0.0", None)


def test_the_report_says_how_many_sheets_came_from_phones(kit):
    from phieu.pipeline.report.results import compute

    phone = Phone(create_app(kit["campaign"]))
    phone.photo(kit["good"][0])
    phone.photo(kit["good"][1])
    with open_campaign(kit["campaign"]) as c:
        results = compute(c)
        assert results.overall.captured == 2
    from phieu.pipeline.report.annexes import method_notes
    assert any("2 phiếu được đọc từ ảnh chụp" in n for n in method_notes(results, c.layout))


def test_the_address_qr_reads_back(tmp_path):
    import zxingcpp

    from phieu.pipeline.capture.address import console_qr, write_qr_png

    url = "http://192.168.1.20:8766/?token=abcDEF123_-xyz"
    png = write_qr_png(url, tmp_path / "a.png")
    read = zxingcpp.read_barcodes(cv2.imread(str(png), cv2.IMREAD_GRAYSCALE))
    assert [r.text for r in read] == [url]
    lines = console_qr(url).splitlines()
    grid = np.array([[c != "█" for c in line] for line in lines])  # light where not full
    assert grid.shape[1] == len(lines[0]) and len({len(x) for x in lines}) == 1


def test_phieu_capture_prints_the_address_and_its_code(kit, monkeypatch):
    from phieu.pipeline.capture import app as capture_app
    from tests.conftest import run_cli

    def serve(campaign, host, port, ready=None, access=None):
        from phieu.pipeline.served import start
        server, url = start(capture_app.create_app, campaign, host, 0, access)
        server.server_close()
        ready(url)

    monkeypatch.setattr(capture_app, "serve", serve)
    shared = run_cli("capture", kit["campaign"], "--host", "0.0.0.0")
    assert shared.exit_code == 0, shared.output
    assert "?token=" in shared.output and "█" in shared.output
    assert (kit["campaign"] / "capture-address.png").is_file()
    here = run_cli("capture", kit["campaign"])
    assert "token" not in here.output and "--host 0.0.0.0" in here.output
    assert run_cli("capture", kit["campaign"], "--token", "short").exit_code == 2
    missing = run_cli("capture", kit["campaign"].parent / "no-such-campaign")
    assert missing.exit_code != 0 and "Traceback" not in missing.output


def test_a_form_of_two_pages_is_photographed_a_page_at_a_time(tmp_path):
    from phieu.forms.template import Template
    from tests.capture.phone import sheet_photo
    from tests.conftest import TWO_PAGE, print_campaign, read_manifest

    out = print_campaign(tmp_path, TWO_PAGE, 1)
    template = Template.read(out / "template.json")
    first = read_manifest(out / "manifest.csv")[0]["sheet_id"]
    phone = Phone(create_app(tmp_path / "c"))
    one = phone.photo(sheet_photo(template, out / "forms.pdf", 0, form_page=1)[0])
    assert (one["verdict"], one["sheet"], one["page"], one["pages"]) == ("read", first, 1, 2)
    with open_campaign(tmp_path / "c") as c:
        assert status_counts(c.store) == {"flagged": 1}  # page 2 still missing
    two = phone.photo(sheet_photo(template, out / "forms.pdf", 1, form_page=2)[0])
    assert (two["verdict"], two["sheet"], two["page"]) == ("read", first, 2)
    with open_campaign(tmp_path / "c") as c:
        assert status_counts(c.store) == {"ok": 1}  # one paper, both pages


def test_a_picture_larger_than_a_page_may_be_is_refused_before_it_is_decoded(kit):
    import io

    from PIL import Image

    bomb = io.BytesIO()
    Image.new("L", (15_000, 15_000), 255).save(bomb, "PNG")  # 15,000 x 15,000 white: tiny
    phone = Phone(create_app(kit["campaign"]))
    r = phone.client.post("/api/photo", data=bomb.getvalue(), headers={
        "X-CSRF-Token": phone.csrf, "X-Phone": PHONE, "Content-Type": "image/png"})
    assert r.status_code == 400 and "quá lớn" in r.get_json()["error"]


def test_what_the_reader_doubts_on_a_good_photo_is_counted_and_waits_for_a_person(kit):
    from tests.capture.phone import sheet_photo

    phone = Phone(create_app(kit["campaign"]))
    photo, _ = sheet_photo(kit["template"], kit["pdf"], 2, double=True)
    v = phone.photo(photo)
    assert (v["verdict"], v["words"]) == ("review", "Đã đọc, chờ duyệt")
    assert len(v["doubts"]) == 1 and v["doubts"][0].count(".") == 1  # as printed: II.3
    assert _state(kit["campaign"])[1] == {"flagged": 1}


def test_a_blank_form_and_a_page_of_no_form(kit):
    from phieu.samples.batch import foreign_page
    from phieu.samples.capture import photograph, shrink
    from tests.capture.phone import GOOD, sheet_photo

    phone = Phone(create_app(kit["campaign"]))
    blank, _ = sheet_photo(kit["template"], kit["pdf"], 2, blank=True)
    v = phone.photo(blank)
    assert (v["verdict"], v["words"]) == ("blank", "Phiếu trắng, không tính")
    assert _state(kit["campaign"])[1] == {}  # no respondent
    rng = np.random.default_rng(3)
    letter = foreign_page("letter", (1754, 1240), 150 / 72, rng)
    v = phone.photo(shrink(photograph(letter, np.zeros(letter.shape, np.float32), GOOD,
                                      rng)[0]))
    assert v["verdict"] == "foreign" and v["words"].startswith("Không phải phiếu")
    pages_before = sum(_state(kit["campaign"])[0].values())
    kept = phone.keep(v["capture"])  # the clerk says it is one: a person will look
    assert kept["verdict"] == "foreign"
    assert sum(_state(kit["campaign"])[0].values()) == pages_before + 1
