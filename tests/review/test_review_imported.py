"""Rows imported from a web form that were flagged (a unit or an answer that is none of the
layout's) are settled on the review page: the row's cells instead of a picture, the unit
and the answer chosen by a person, the row counted, rejected or taken back."""

from __future__ import annotations

import re

import pytest

from phieu.pipeline.campaign import open_campaign
from phieu.pipeline.export import export_frame
from phieu.pipeline.report.results import compute
from tests.conftest import REFERENCE, run_cli
from tests.pipeline.test_import import LAYOUT, _people, google
from tests.review.conftest import serving
from tests.review.test_review_browser import _heading, _start, _wait_change

UNIT_COLUMN = "Phường, xã nơi Ông/Bà giao dịch"
Q01 = f"5. {LAYOUT.question('q01').text}"


@pytest.fixture()
def imported(tmp_path, backend):
    """Eight rows from a web form: row 3 names a unit that is gone, row 5 answers q01 with
    no option, row 7 both; the rest count."""
    c = tmp_path / "c"
    assert backend.new(c, REFERENCE).exit_code == 0
    people = _people(8, 11)
    frame = google(people)
    frame.loc[1, UNIT_COLUMN] = "Phường Nam Hà Mới"
    frame.loc[3, Q01] = "Tuyệt vời"
    frame.loc[5, UNIT_COLUMN] = ""
    frame.loc[5, Q01] = "Rất tốt, Hài lòng"
    frame.to_csv(tmp_path / "online.csv", index=False)
    result = run_cli("import", c, tmp_path / "online.csv")
    assert "8 new (online): 5 counted, 3 flagged" in result.output, result.output
    assert "phieu review" in result.output
    return {"campaign": c, "people": people}


def _client(campaign):
    from phieu.pipeline.review.app import create_app

    c = create_app(campaign).test_client()
    token = re.search(r'name="csrf-token" content="([^"]+)"', c.get("/").text).group(1)
    headers = {"X-CSRF-Token": token, "X-Reviewer": "Lan", "X-Session": "sessionImp1"}

    def post(path: str, **body):
        r = c.post(path, json=body, headers=headers)
        return r.status_code, r.get_json()
    return c, post


def _counted(campaign) -> tuple[dict, dict]:
    with open_campaign(campaign) as camp:
        frame = export_frame(camp).set_index("source_page")
        r = compute(camp)
    return frame, r.units.set_index("unit_code")


def test_a_flagged_row_is_settled_by_unit_answer_and_acceptance(imported):
    c, post = _client(imported["campaign"])
    queue = c.get("/api/queue").get_json()
    assert queue["counts"]["left"] == 3
    assert all(i["item"].startswith("r:online-") for i in queue["items"])
    assert queue["counts"]["by_reason"] == {"unknown-unit": 2, "not-an-option": 2}
    _, state = post("/api/open", item=queue["items"][0]["item"])
    # the rows without a unit first; within them, the file's order: row 3, then row 7
    row = state["item"]
    assert row["kind"] == "response" and row["row_no"] == 3 and row["unit"] == ""
    assert dict(row["cells"])[UNIT_COLUMN] == "Phường Nam Hà Mới"
    assert row["marked"] == ["Phường Nam Hà Mới"]
    assert row["channel_vi"] == "Trực tuyến"
    item = row["item"]
    status, body = post("/api/decide", item=item, action="accept")
    assert status == 409 and "đơn vị" in body["error"]
    status, body = post("/api/decide", item=item, action="unit", value="99999")
    assert status == 400
    status, state = post("/api/decide", item=item, action="unit", value="18073")
    assert status == 200 and state["item"]["unit"] == "18073"
    status, state = post("/api/decide", item=item, action="undo")
    assert status == 200 and state["item"]["unit"] == ""
    post("/api/decide", item=item, action="unit", value="18076")
    status, _ = post("/api/decide", item=item, action="accept")
    assert status == 200
    frame, units = _counted(imported["campaign"])
    assert frame.loc[3, "status"] == "reviewed" and frame.loc[3, "unit_code"] == "18076"
    p = imported["people"][1]
    assert [frame.loc[3, q] for q in ("q01", "q05")] == [p["q01"][0], p["q05"][0]]

    # row 5: a unit the layout knows, an answer it does not
    _, state = post("/api/next", after=item)
    row = state["item"]
    assert row["row_no"] == 7  # the next row without a unit comes before the rows with one
    _, state = post("/api/next", after=row["item"])
    row = state["item"]
    assert row["row_no"] == 5 and row["unit"] == imported["people"][3]["unit"]
    q01 = next(q for q in row["questions"] if q["id"] == "q01")
    assert q01["doubt"] == "not-an-option" and q01["written"] == "Tuyệt vời"
    assert q01["decided"] is None and len(q01["options"]) == 5
    status, body = post("/api/decide", item=row["item"], action="accept")
    assert status == 409 and "q01" in body["error"]
    status, _ = post("/api/decide", item=row["item"], action="answer", question="q01",
                     value="9")
    assert status == 400
    post("/api/decide", item=row["item"], action="answer", question="q01", value="5")
    status, _ = post("/api/decide", item=row["item"], action="accept")
    assert status == 200

    # row 7: set aside
    _, state = post("/api/next", after=row["item"])
    assert state["item"]["row_no"] == 7
    status, _ = post("/api/decide", item=state["item"]["item"], action="reject")
    assert status == 200
    assert c.get("/api/queue").get_json()["counts"]["left"] == 0

    frame, units = _counted(imported["campaign"])
    assert frame.loc[5, "status"] == "reviewed" and frame.loc[5, "q01"] == "5"
    assert frame.loc[7, "status"] == "rejected"
    # counted: the five clean rows, and the two a person settled, each in its unit
    expected: dict[str, int] = {}
    for n, person in enumerate(imported["people"]):
        unit = {1: "18076", 5: None}.get(n, person["unit"])
        if unit:
            expected[unit] = expected.get(unit, 0) + 1
    assert {u: int(n) for u, n in units["sheets"].items() if n} == expected
    assert units["waiting"].sum() == 0


def test_the_history_shows_what_the_row_held_and_who_decided(imported):
    c, post = _client(imported["campaign"])
    _, state = post("/api/next")
    _, state = post("/api/next", after=state["item"]["item"])
    _, state = post("/api/next", after=state["item"]["item"])  # row 5: q01 'Tuyệt vời'
    item = state["item"]["item"]
    _, state = post("/api/decide", item=item, action="answer", question="q01", value="4")
    log = state["item"]["history"]
    assert log[-1]["action"] == "answer" and log[-1]["reviewer"] == "Lan"
    assert log[-1]["machine"] == ""  # nothing was taken from the cell: it was no option
    page = c.get("/").text
    assert "Đơn vị của câu trả lời này" in page


def test_a_corrected_export_imported_again_is_pointed_out_on_the_flagged_row(imported,
                                                                             tmp_path):
    frame = google(imported["people"])  # the office fixed row 3's unit in the export
    frame.loc[3, Q01] = "Tuyệt vời"
    frame.loc[5, UNIT_COLUMN] = ""
    frame.loc[5, Q01] = "Rất tốt, Hài lòng"
    frame.to_csv(tmp_path / "fixed.csv", index=False)
    result = run_cli("import", imported["campaign"], tmp_path / "fixed.csv")
    assert "8 rows, 1 new (online): 1 counted" in result.output, result.output
    c, post = _client(imported["campaign"])
    _, state = post("/api/next")
    row = state["item"]
    assert row["row_no"] == 3
    assert row["alike"] == [{"source": str(tmp_path / "fixed.csv"), "row_no": 3,
                             "status": "ok"}]
    _, state = post("/api/next", after=row["item"])
    assert state["item"]["row_no"] == 7 and state["item"]["alike"] == []


def test_flagged_rows_settled_in_the_browser_with_the_keyboard(imported, browser):
    ward = LAYOUT.unit("18073").name
    with serving(imported["campaign"]) as port:
        page, errors = _start(browser, f"http://127.0.0.1:{port}/")
        assert page.text_content("#left") == "3"
        head = _heading(page)
        assert head == "Câu trả lời Trực tuyến · chưa rõ đơn vị"  # row 3: a ward gone
        assert page.text_content("#msg") == ""
        assert page.text_content("table.cells tr.doubt td") == "Phường Nam Hà Mới"
        assert "dòng 3" in page.text_content("#where")
        page.keyboard.press("Enter")  # no unit yet: said so, nothing changes
        page.wait_for_function("document.querySelector('#msg').textContent.includes('đơn vị')")
        page.select_option("#rowunit", "18073")
        page.wait_for_function("(w) => document.querySelector('#heading').textContent"
                               ".includes(w)", arg=ward)
        assert page.get_attribute("#msg", "class") != "bad", page.text_content("#msg")
        page.keyboard.press("Enter")
        _wait_change(page, f"Câu trả lời Trực tuyến · {ward}")
        assert "dòng 7" in page.text_content("#where")  # no unit, two answers to q01
        page.select_option("#rowunit", "18076")
        page.wait_for_function("document.activeElement.id !== 'rowunit'")
        page.keyboard.press("4")
        page.wait_for_function("document.querySelector('#doubts').textContent.includes(': 4')")
        head = _heading(page)
        page.keyboard.press("Enter")
        _wait_change(page, head)
        assert "dòng 5" in page.text_content("#where")
        assert "«Tuyệt vời»" in page.text_content("#machine")
        page.keyboard.press("Delete")
        page.wait_for_function("document.querySelector('#heading').textContent"
                               ".startsWith('Không còn')")
        assert errors == []
    frame, _ = _counted(imported["campaign"])
    assert frame.loc[3, ["status", "unit_code"]].tolist() == ["reviewed", "18073"]
    assert frame.loc[7, ["status", "unit_code", "q01"]].tolist() == ["reviewed", "18076", "4"]
    assert frame.loc[5, "status"] == "rejected"
