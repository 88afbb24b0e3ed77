"""A campaign with one flagged item of each kind, and the review app serving it."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

import cv2
import numpy as np
import pytest

from phieu.forms.template import Template
from phieu.pipeline.campaign import open_campaign
from phieu.pipeline.review.app import create_app
from phieu.pipeline.scan.batch import scan
from phieu.samples.batch import SheetTruth, foreign_page, ink_for_page
from phieu.samples.scanner import Look
from phieu.samples.scanner import scan as scanner
from tests.conftest import REFERENCE, read_manifest, render_page, run_cli


def _page(template, printed, marks: dict[str, list[tuple[str, str]]], seed: int, look=None):
    rng = np.random.default_rng(seed)
    truth = SheetTruth("x", [0])
    for q in template.questions:
        truth.marks[q.id] = marks.get(q.id, [(q.options[0].value, "pen")])
    ink = ink_for_page(template, truth, 1, printed.shape, 200 / 72, rng)
    return scanner(printed, ink, look or Look(), rng)


def printed_campaign(base: Path, backend):
    """A campaign of the reference layout with a form printed per unit, and an empty folder
    for its scans: (campaign, template, manifest rows, forms.pdf, scans folder)."""
    c = base / "campaign"
    assert backend.new(c, REFERENCE).exit_code == 0
    assert run_cli("print", c, "--copies", "1", "--out", base / "print").exit_code == 0
    template = Template.read(base / "print" / "template.json")
    rows = read_manifest(base / "print" / "manifest.csv")
    scans = base / "scans"
    scans.mkdir()
    return c, template, rows, base / "print" / "forms.pdf", scans


@pytest.fixture(scope="session")
def flagged_kit(tmp_path_factory, backend) -> dict:
    """Scanned campaign: a sheet with two marks on q07, a page whose identity is unreadable,
    a sheet scanned twice, and a cover letter."""
    base = tmp_path_factory.mktemp("review")
    c, template, rows, pdf, scans = printed_campaign(base, backend)
    double = _page(template, render_page(pdf, 0, 200), {"q07": [("2", "pen"), ("4", "pen")]}, 1)
    cv2.imwrite(str(scans / "a-double.png"), double)
    nameless = _page(template, render_page(pdf, 1, 200), {}, 2).copy()
    s = 200 / 72
    for box in (template.identity.qr, template.identity.text):
        nameless[int(box.y_pt * s):int((box.y_pt + box.h_pt) * s),
                 int(box.x_pt * s):int((box.x_pt + box.w_pt) * s)] = 0
    cv2.imwrite(str(scans / "b-nameless.png"), nameless)
    twice = render_page(pdf, 2, 200)
    cv2.imwrite(str(scans / "c1-first.png"), _page(template, twice, {}, 3))
    cv2.imwrite(str(scans / "c2-again.png"), _page(template, twice, {}, 3, Look(turn=2)))
    letter = foreign_page("letter", (2339, 1654), s, np.random.default_rng(4))
    cv2.imwrite(str(scans / "d-letter.png"), letter)
    with open_campaign(c) as camp:
        scan(camp, [scans], workers=1)
    return {"campaign": c, "rows": rows, "scans": scans, "backend": backend}


@pytest.fixture()
def kit(flagged_kit, tmp_path) -> dict:
    """A fresh copy of the flagged campaign (on the same backend) for a test that changes it."""
    c = flagged_kit["backend"].copy(flagged_kit["campaign"], tmp_path / "campaign")
    return {**flagged_kit, "campaign": c}


@contextmanager
def serving(campaign: Path, host: str = "127.0.0.1", access: str | None = None,
            make=create_app):
    """The review app (or the app `make` makes) on a free port of `host`, as `phieu
    review` runs it; yields the port."""
    from werkzeug.serving import make_server

    app = make(campaign, host, access)
    srv = make_server(host, 0, app, threaded=True)
    app.config["PHIEU_PORT"] = srv.server_port
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv.server_port
    finally:
        srv.shutdown()
        thread.join(5)


@pytest.fixture()
def server(kit):
    """The review app on a free loopback port; yields its address."""
    with serving(kit["campaign"]) as port:
        yield f"http://127.0.0.1:{port}/"


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture()
def browser():
    """A headless Chromium (Debian's), driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()
