"""The review app's guard rails, request by request."""

from __future__ import annotations

import re
import shutil
import threading

import pytest

from phieu.omr.vocabulary import Code, Reason
from phieu.pipeline.review import app as review_app
from phieu.pipeline.review.app import create_app
from phieu.pipeline.review.items import page_item, sheet_item


@pytest.fixture()
def client(kit):
    app = create_app(kit["campaign"])
    c = app.test_client()
    token = re.search(r'name="csrf-token" content="([^"]+)"', c.get("/").text).group(1)
    return c, token


def _headers(token, session="sessionA1", name="Lan"):
    return {"X-CSRF-Token": token, "X-Reviewer": name, "X-Session": session}


def test_posts_without_the_token_are_refused(client):
    c, token = client
    for headers in ({}, {"X-CSRF-Token": "guess"}, {"X-CSRF-Token": ""}):
        r = c.post("/api/next", json={}, headers={**_headers(token), **headers}
                   if headers else {"X-Reviewer": "Lan", "X-Session": "sessionA1"})
        assert r.status_code == 403 and "CSRF" in r.get_json()["error"]
    assert c.get("/api/next").status_code == 405  # a GET cannot change anything


@pytest.mark.parametrize("path", [
    "/img/page/../../campaign.sqlite", "/img/page/..%2F..%2Fcampaign.sqlite",
    "/static/../campaign.sqlite", "/static/%2e%2e/%2e%2e/campaign.sqlite",
    "/img/text/1/..%2F..%2Flayout.png", "/img/text/1/../../layout.yaml",
    "/static/..%2F..%2F..%2Fstore.py", "/img/page/-1.jpg",
])
def test_image_routes_cannot_read_outside_the_campaign(client, path):
    c, _ = client
    r = c.get(path)
    assert r.status_code == 404
    assert b"SQLite" not in r.data and b"layout" not in r.data.lower()[:200]


def test_an_identity_must_be_printed_and_free(client, kit):
    c, token = client
    h = _headers(token)
    state = c.post("/api/next", json={"reason": "id-unreadable"}, headers=h).get_json()
    item = state["item"]["item"]
    assert state["item"]["needs_identity"]
    r = c.post("/api/decide", json={"item": item, "action": "identity", "value": "99999-000001"},
               headers=h)
    assert r.status_code == 422 and "không có trong danh sách" in r.get_json()["error"]
    taken = kit["rows"][0]["sheet_id"]
    r = c.post("/api/decide", json={"item": item, "action": "identity", "value": taken},
               headers=h)
    assert r.status_code == 422 and "đã có bản quét" in r.get_json()["error"]
    r = c.post("/api/decide", json={"item": item, "action": "identity", "value": "<script>"},
               headers=h)
    assert r.status_code == 400
    good = kit["rows"][1]["sheet_id"]
    r = c.post("/api/decide", json={"item": item, "action": "identity", "value": good},
               headers=h)
    assert r.status_code == 200 and r.get_json()["item"]["sheet_id"] == good


def test_malformed_requests_get_a_message_not_a_trace(client):
    c, token = client
    h = _headers(token)
    cases = [
        c.post("/api/decide", data="{not json", headers={**h, "Content-Type":
                                                           "application/json"}),
        c.post("/api/decide", json=["a", "list"], headers=h),
        c.post("/api/decide", json={"item": "s:../../x", "action": "accept"}, headers=h),
        c.post("/api/decide", json={"item": "p:1", "action": "explode"}, headers=h),
        c.post("/api/decide", json={"item": 5}, headers=h),
        c.post("/api/open", json={"item": "p:999999"}, headers=h),
        c.post("/api/next", json={}, headers={**h, "X-Reviewer": ""}),
        c.post("/api/next", json={}, headers={**h, "X-Session": "x"}),
        c.get("/nowhere"),
    ]
    for r in cases:
        assert 400 <= r.status_code < 500, (r.status_code, r.data[:200])
        body = r.get_json()
        assert body and body["error"] and "Traceback" not in r.text


def test_decisions_need_the_item_held(client, kit):
    c, token = client
    lan, minh = _headers(token, "sessionLan1", "Lan"), _headers(token, "sessionMinh1", "Minh")
    first = c.post("/api/next", json={}, headers=lan).get_json()["item"]["item"]
    second = c.post("/api/next", json={}, headers=minh).get_json()["item"]["item"]
    assert first != second  # never the same item at once
    r = c.post("/api/open", json={"item": first}, headers=minh)
    assert r.status_code == 409 and "Lan" in r.get_json()["error"]
    r = c.post("/api/decide", json={"item": first, "action": "reject"}, headers=minh)
    assert r.status_code == 409  # no overwriting someone else's work
    r = c.post("/api/decide", json={"item": first, "action": "answer", "question": "q07",
                                    "value": "3"}, headers=lan)
    assert r.status_code == 200
    # what Lan skips is free again for Minh
    c.post("/api/next", json={"after": first}, headers=lan)
    assert c.post("/api/open", json={"item": first}, headers=minh).status_code == 200


def test_every_decision_is_logged_with_who_and_what_the_machine_read(client, kit):
    c, token = client
    h = _headers(token, name="Trần Văn Minh")
    item = c.post("/api/next", json={"reason": "multiple-marks"}, headers=h).get_json()["item"]
    r = c.post("/api/decide", json={"item": item["item"], "action": "answer", "question": "q07",
                                    "value": "4"}, headers={**h, "X-Reviewer":
                                                           "Tr%E1%BA%A7n%20V%C4%83n%20Minh"})
    assert r.status_code == 200
    history = r.get_json()["item"]["history"]
    assert history[-1]["reviewer"] == "Trần Văn Minh"
    assert history[-1]["machine"] == "*" and history[-1]["value"] == "4"
    assert re.match(r"\d{4}-\d\d-\d\dT", history[-1]["at"])


def test_text_from_scans_and_people_is_escaped_in_the_page(kit, tmp_path):
    odd = tmp_path / "<i>đợt-1"
    shutil.copytree(kit["campaign"], odd)  # read only: on a server, the same campaign
    html = create_app(odd).test_client().get("/").text
    assert "<i>đợt-1" not in html and "&lt;i&gt;đợt-1" in html
    script = (review_app.Path(review_app.__file__).parent / "static" / "review.js").read_text()
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script


def test_serves_on_loopback_only_by_default(kit):
    urls: list[str] = []
    thread = threading.Thread(target=review_app.serve, args=(kit["campaign"],),
                              kwargs={"port": 0, "ready": urls.append}, daemon=True)
    thread.start()
    for _ in range(100):
        if urls:
            break
        threading.Event().wait(0.05)
    assert urls and urls[0].startswith("http://127.0.0.1:")


def test_a_page_identified_as_another_page_keeps_no_foreign_answers(tmp_path, backend):
    """A nameless page read as page 1 but identified as page 2 must not blank out page 1."""
    from phieu.pipeline.campaign import open_campaign
    from phieu.pipeline.review.decisions import decide
    from phieu.pipeline.review.queue import claim
    from phieu.pipeline.review.shared import Reviewer
    from phieu.pipeline.scan.reading import PageOutcome
    from phieu.pipeline.scan.recorded import record_page
    from phieu.pipeline.store.answers import all_final_answers
    from phieu.pipeline.store.pages import add_file
    from phieu.pipeline.store.review import flagged_loose_pages, sheet_info
    from tests.conftest import TWO_PAGE, print_campaign, read_manifest

    out = print_campaign(tmp_path, TWO_PAGE, 1, backend)
    rows = read_manifest(out / "manifest.csv")
    sid = rows[0]["sheet_id"]
    with open_campaign(tmp_path / "c") as c:
        t = c.geometry.template
        page1 = {q.id: "1" for q in t.questions if q.page == 1}
        fid = add_file(c.store, "a" * 64, "x.pdf", 2, None)
        record_page(c.store, fid, PageOutcome(0, 1, "form", sid, sid[:-7], 1, 1, "qr", [],
                                              page1, campaign_code=c.code), t.pages, c.code)
        blanks = {q: "" for q in page1}
        record_page(c.store, fid, PageOutcome(0, 2, "form", None, None, None, None, "",
                                              [Reason(Code.ID_UNREADABLE)], blanks), t.pages,
                    c.code)
        page_id = flagged_loose_pages(c.store.db)[0][0]
        who = Reviewer("Lan", "session-x1")
        claim(c.store, page_item(page_id), who)
        assert decide(c.store, t, c.layout, page_item(page_id), who, "identity", "",
                      f"{sid} 2") == sheet_item(sid)
        final = all_final_answers(c.store.db)[sid]
        assert {q: v for q, v in final.items() if q in page1} == page1
        flags = sheet_info(c.store.db, sid).reasons
        assert flags == [Reason(Code.READ_AS_OTHER_PAGE, "2")]  # its answers: a person types them


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "127.0.0.1.nip.io",
                                  "localhost.evil.example", ""])
def test_a_foreign_host_gets_nothing(kit, host):
    """DNS rebinding: a page whose own name now points at 127.0.0.1 asks with its name."""
    c = create_app(kit["campaign"]).test_client()
    for path in ("/", "/api/queue", "/img/page/1.jpg"):
        r = c.get(path, headers={"Host": host})
        assert r.status_code == 400
        assert "csrf" not in r.text.lower() and "sheet_id" not in r.text
    for name in ("127.0.0.1", "localhost", "[::1]", "LOCALHOST:5000"):
        assert c.get("/", headers={"Host": name}).status_code == 200


def test_the_port_must_be_the_one_listened_on(kit):
    app = create_app(kit["campaign"])
    app.config["PHIEU_PORT"] = 8765
    c = app.test_client()
    assert c.get("/", headers={"Host": "127.0.0.1:8765"}).status_code == 200
    assert c.get("/", headers={"Host": "127.0.0.1:8766"}).status_code == 400
    assert c.get("/", headers={"Host": "127.0.0.1"}).status_code == 400


def test_a_page_shared_on_the_network_asks_for_its_token(kit):
    with pytest.raises(ValueError):
        create_app(kit["campaign"], "0.0.0.0")  # never shared without a token
    access = "k3Y-for-this-start-only"
    c = create_app(kit["campaign"], "0.0.0.0", access).test_client()
    host = {"Host": "192.168.1.20:8765"}
    for path in ("/", "/api/queue", "/img/page/1.jpg", "/?token=guess", "/?token="):
        r = c.get(path, headers=host)
        assert r.status_code == 401 and "csrf" not in r.text.lower()
    r = c.get(f"/?token={access}", headers=host)
    assert r.status_code == 303 and r.headers["Location"] == "/"  # the token leaves the URL
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert c.get("/", headers=host).status_code == 200  # the cookie carries on
    assert c.get("/api/queue", headers=host).status_code == 200
    other = create_app(kit["campaign"], "0.0.0.0", access).test_client()
    assert other.get("/api/queue", headers=host).status_code == 401


def test_coordinators_at_two_stations_never_get_the_same_item(kit, tmp_path):
    """Two review pages, served at two stations from one campaign on the server: the
    claims are in the database, so whatever each coordinator moves on to, the two never
    look at the same item."""
    from phieu.pipeline.campaign import read_address
    from tests.conftest import run_cli

    if kit["backend"].url is None:
        pytest.skip("one store file is one station")
    url, name = read_address(kit["campaign"])
    other = tmp_path / "station2"
    assert run_cli("join", other, "--store", url, "--campaign", name).exit_code == 0
    pages = []
    for folder in (kit["campaign"], other):
        c = create_app(folder).test_client()
        pages.append((c, re.search(r'name="csrf-token" content="([^"]+)"',
                                   c.get("/").text).group(1)))
    current = {"Lan": "", "Minh": ""}
    seen = set()
    for turn in range(8):
        (c, token), who = pages[turn % 2], ("Lan", "Minh")[turn % 2]
        state = c.post("/api/next", json={"after": current[who]}, headers=_headers(
            token, f"session{who}1", who)).get_json()
        current[who] = state["item"]["item"]
        seen.add(current[who])
        assert current["Lan"] != current["Minh"], turn
    assert len(seen) == 4  # between them they went through the whole queue


def test_a_token_with_diacritics_or_a_garbled_cookie_is_refused_not_a_crash(kit):
    """An access token typed with Vietnamese letters works; a cookie a browser garbled with
    such letters is a 401, never a server error."""
    from urllib.parse import quote

    access = "mã-truy-cập-Hà-Tĩnh-2026"
    c = create_app(kit["campaign"], "0.0.0.0", access).test_client()
    host = {"Host": "192.168.1.20:8765"}
    r = c.get(f"/?token={quote(access)}", headers=host)
    assert r.status_code == 303
    assert c.get("/", headers=host).status_code == 200
    stranger = create_app(kit["campaign"], "0.0.0.0", access).test_client()
    stranger.set_cookie("phieu_access", "mã-sai-Đà-Nẵng", domain="192.168.1.20")
    for path in ("/", "/api/queue", "/?token=mã-sai"):
        assert stranger.get(path, headers=host).status_code == 401


def test_a_read_only_campaign_is_looked_at_not_changed(kit):
    """The campaign's folder on a read-only disk: the page opens and shows the items; a
    decision is refused with a message saying why, never a server error."""
    from phieu.pipeline.store import Store

    if kit["backend"].url is not None:
        pytest.skip("a read-only folder is a SQLite campaign's (tests/pipeline/test_faults)")
    original = Store.__init__

    def read_only(self, path):  # as a read-only disk opens it
        original(self, path)
        self.read_only = True

    Store.__init__ = read_only
    try:
        c = create_app(kit["campaign"]).test_client()
        token = re.search(r'name="csrf-token" content="([^"]+)"', c.get("/").text).group(1)
        h = _headers(token)
        state = c.post("/api/next", json={}, headers=h)
        assert state.status_code == 200 and state.get_json()["item"] is not None
        item = state.get_json()["item"]["item"]
        r = c.post("/api/decide", json={"item": item, "action": "reject"}, headers=h)
        assert r.status_code == 503 and "chỉ đọc" in r.get_json()["error"]
    finally:
        Store.__init__ = original


def test_a_claim_left_past_its_time_moves_to_the_next_coordinator(kit, monkeypatch):
    """Lan opens a sheet and walks away; once her claim has run out, Minh opens it: it is
    his now. His decision stands; hers, coming back later, is refused, not mixed in."""
    import time

    from phieu.pipeline.campaign import open_campaign
    from phieu.pipeline.review import queue
    from phieu.pipeline.review.decisions import decide
    from phieu.pipeline.review.shared import Reviewer, ReviewError
    from phieu.pipeline.store.review import claim_of, flagged_sheets

    lan, minh = Reviewer("Lan", "session-lan-1"), Reviewer("Minh", "session-minh-1")
    now = time.time()
    with open_campaign(kit["campaign"]) as c:
        item = sheet_item(flagged_sheets(c.store.db)[0][0])
        queue.claim(c.store, item, lan)
        with pytest.raises(ReviewError):  # while hers, nobody else takes it
            queue.claim(c.store, item, minh)
        monkeypatch.setattr(queue.time, "time", lambda: now + queue.CLAIM_SECONDS + 1)
        queue.claim(c.store, item, minh)
        with c.store.snapshot() as db:
            assert claim_of(db, item).reviewer == "Minh"
        with pytest.raises(ReviewError) as refused:  # Lan comes back to the open sheet
            decide(c.store, c.geometry.template, c.layout, item, lan, "accept", "", "")
        assert refused.value.status == 409 and "Minh" in refused.value.message
        decide(c.store, c.geometry.template, c.layout, item, minh, "reject", "", "")
