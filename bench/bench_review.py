"""How fast the review page answers with hundreds of flagged sheets waiting.

    .venv/bin/python bench/bench_review.py [--flagged 500]

Runs the demo, then fills its store with copies of a flagged sheet until
--flagged are waiting, and measures in headless Chromium (1366x768): the time
from opening the page to the first sheet shown, and the time from a key press
(accept) to the next sheet shown. Each copy keeps the picture of a handwritten
comment, so the comment queue (/comments) holds as many: the time from Enter
(a comment typed) to the next comment's crop shown is measured too.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from phieu.omr.vocabulary import Status
from phieu.pipeline.campaign import open_campaign
from phieu.pipeline.demo import run_demo
from phieu.pipeline.printing import print_forms
from phieu.pipeline.review.app import create_app
from phieu.pipeline.scan.recorded import update_sheet
from phieu.pipeline.store.comments import waiting as waiting_comments
from phieu.pipeline.store.pages import insert_page, page_row, text_picture
from phieu.pipeline.store.review import flagged_sheets, sheet_page_ids, sheet_readings
from phieu.pipeline.store.sheets import status_counts, unscanned_sheets

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def fill_queue(campaign: Path, flagged: int) -> int:
    """Copies of one flagged page, each as a sheet of its own, until `flagged` wait."""
    with open_campaign(campaign) as c:
        copies = -(-flagged // len(c.layout.units))
        print_forms(c, copies=copies, out=campaign.parent / "more")
        doubtful = next(sid for sid, _, _ in flagged_sheets(c.store.db)
                        if sheet_readings(c.store.db, sid)[0])
        page = page_row(c.store.db, sheet_page_ids(c.store.db, doubtful)[0])
        written = next(iter(waiting_comments(c.store.db)))  # a handwritten comment's picture
        crops = {written.box_id: (text_picture(c.store, written.page_id, written.box_id), 0.1)}
        waiting = status_counts(c.store).get(Status.FLAGGED, 0)
        with c.store.transaction() as tx:
            for n, sid in enumerate(unscanned_sheets(c.store)[:max(0, flagged - waiting)]):
                insert_page(tx, replace(page, page_no=100000 + n, sheet_id=sid,
                                          printed_id=sid), crops)
                update_sheet(tx, sid, c.geometry.template.pages)
        return status_counts(c.store).get(Status.FLAGGED, 0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flagged", type=int, default=500)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        made = run_demo(Path(tmp) / "demo", echo=lambda _line: None)
        waiting = fill_queue(made["campaign"], args.flagged)
        server = make_server("127.0.0.1", 0, create_app(made["campaign"]), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}/"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 768}, bypass_csp=True)
            page.add_init_script("localStorage.setItem('phieu-reviewer', 'Lan')")
            page.goto(url + "comments")
            page.wait_for_function("document.querySelector('#cropimg').complete && "
                                   "document.querySelector('#cropimg').naturalWidth > 0")
            typed = []
            for k in range(10):
                where = page.text_content("#where")
                page.fill("#text", f"Ý kiến số {k}")
                started = time.perf_counter()
                page.keyboard.press("Enter")
                page.wait_for_function(
                    "(w) => document.querySelector('#where').textContent !== w && "
                    "document.querySelector('#cropimg').complete && "
                    "document.querySelector('#cropimg').naturalWidth > 0", arg=where)
                typed.append(time.perf_counter() - started)
            started = time.perf_counter()
            page.goto(url)
            page.wait_for_selector("#pages img")
            first = time.perf_counter() - started
            steps = []
            for _ in range(10):
                head = page.text_content("#heading")
                for q, value in page.evaluate("current.questions.filter(q => q.doubt)"
                                              ".map(q => [q.id, q.options[0].value])"):
                    page.evaluate(f"chosen['{q}'] = chosen['{q}'] || '{value}'")
                started = time.perf_counter()  # a sheet is accepted, another item passed by
                page.keyboard.press("Enter" if page.evaluate("current.kind") == "sheet"
                                    else "ArrowRight")
                page.wait_for_function("(h) => document.querySelector('#heading').textContent "
                                       "!== h", arg=head)
                steps.append(time.perf_counter() - started)
            browser.close()
        server.shutdown()
    steps.sort()
    print(f"flagged sheets   {waiting}")
    print(f"first sheet      {first * 1000:.0f} ms from opening the page")
    print(f"next sheet       {steps[len(steps) // 2] * 1000:.0f} ms median after Enter "
          f"(slowest {steps[-1] * 1000:.0f} ms)")
    typed.sort()
    print(f"next comment     {typed[len(typed) // 2] * 1000:.0f} ms median from Enter to the "
          f"next crop shown (slowest {typed[-1] * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
