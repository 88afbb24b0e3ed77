"""Remake the pictures the README shows: a printed form, the review page (a scanned
sheet, and a row of the web form), the comment queue, a report page, the phones'
capture page.

    .venv/bin/python scripts/screenshots.py

Runs the demo in a temporary folder, renders the first printed page, and takes a
screenshot of the review page in headless Chromium at 1366x768.
"""

import tempfile
import threading
from pathlib import Path

import pypdfium2
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from phieu.pipeline.demo import run_demo
from phieu.pipeline.review.app import create_app

OUT = Path(__file__).resolve().parents[1] / "samples" / "screens"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        made = run_demo(Path(tmp) / "demo", echo=lambda _line: None)
        pdf = pypdfium2.PdfDocument(str(made["forms"]))
        pdf[0].render(scale=90 / 72, grayscale=True).to_pil().save(OUT / "form.png",
                                                                   optimize=True)
        pdf.close()
        report = pypdfium2.PdfDocument(str(made["report"]))
        report[0].render(scale=90 / 72).to_pil().save(OUT / "report.png", optimize=True)
        report.close()
        server = make_server("127.0.0.1", 0, create_app(made["campaign"]), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(f"http://127.0.0.1:{server.server_port}/")
            page.fill("#name", "Nguyễn Thị Lan")
            page.keyboard.press("Enter")
            page.wait_for_selector("#pages img")
            page.wait_for_timeout(500)
            page.screenshot(path=str(OUT / "review.png"))
            page.select_option("#reason", "not-an-option")  # a row of the web form
            page.wait_for_selector("table.cells")
            page.wait_for_timeout(300)
            page.screenshot(path=str(OUT / "review-row.png"))
            page.goto(f"http://127.0.0.1:{server.server_port}/comments")
            page.wait_for_function("document.querySelector('#cropimg').naturalWidth > 0")
            page.keyboard.type("Cần thêm ghế ngồi cho người chờ")
            page.keyboard.press("Alt+1")
            page.screenshot(path=str(OUT / "comments.png"))
            _phone(browser, made, Path(tmp))
            browser.close()
        server.shutdown()
    print(f"pictures in {OUT}")


def _phone(browser, made: dict, tmp: Path) -> None:
    """The capture page on a phone, after a photo of a sheet the demo did not scan."""
    from phieu.pipeline.capture.app import create_app as capture_app
    from phieu.samples.capture import make_photos

    truth = make_photos(made["template"].parent, tmp / "photos", 1, seed=5,
                        troubles=("good",), first=14)
    server = make_server("127.0.0.1", 0, capture_app(made["campaign"]), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    phone = browser.new_context(viewport={"width": 390, "height": 760}, device_scale_factor=2,
                                is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.goto(f"http://127.0.0.1:{server.server_port}/")
    page.set_input_files("#photo", str(tmp / "photos" / truth[0]["path"]))
    page.locator('#verdict[data-n="1"]').wait_for()
    page.wait_for_timeout(300)
    page.screenshot(path=str(OUT / "capture.png"))
    phone.close()
    server.shutdown()


if __name__ == "__main__":
    main()
