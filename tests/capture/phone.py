"""Phone photos of printed sheets for the capture tests and benchmark, and the capture
page served and opened as a phone opens it."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np

from phieu.forms.template import Template
from phieu.samples.batch import RATES, _Pdf, ink_for_page, plan_sheet
from phieu.samples.capture import SHRUNK_LONG_SIDE, Shot, photograph, render_dpi, shrink

# a clerk's ordinary photo: nearly overhead, the page filling the frame, in focus, lit
GOOD = Shot(trouble="good", severity=0.0, tilt_deg=6.0, tilt_axis_deg=30.0, turn_deg=2.0,
            fill=0.88, centre=(0.5, 0.5), focus_px=0.4, shake_px=0.0, paper=215.0,
            black=25.0, light=0.1, noise=2.0)
TROUBLED = {  # one photo for each reason to take it again
    "blurred": replace(GOOD, trouble="blur", severity=1.0, focus_px=4.5),
    "dark": replace(GOOD, trouble="dark", severity=1.0, paper=38.0, black=8.0, noise=6.0),
    "corners-out": replace(GOOD, trouble="cut", severity=1.0, centre=(0.5, 0.3), fill=0.95),
    "glare": replace(GOOD, trouble="glare", severity=1.0),
}


def sheet_photo(template: Template, pdf: Path, index: int, shot: Shot = GOOD, seed: int = 1,
                long_side: int = SHRUNK_LONG_SIDE, form_page: int = 1, no_id: bool = False,
                blank: bool = False, double: bool = False) -> tuple[bytes, dict[str, str]]:
    """A JPEG photo of page `index` of a print run's forms.pdf (page `form_page` of its
    form), filled in by a respondent drawn from `seed` (the same paper for the same index
    and seed, whatever the shot), and the answers on it. `no_id`: the QR code and the
    printed number inked over (coffee, a marker pen); `blank`: nobody filled it in;
    `double`: two marks on a one-answer question."""
    rng = np.random.default_rng([seed, index])
    truth = plan_sheet(template, f"sheet-{index}", [index], {**RATES["office"],
                       "double": 1.0 if double else 0,
                       "faint": 0, "erased": 0, "beside": 0, "across": 0, "stray": 0,
                       "qr": 0, "text": 0}, rng, pen_only=True)
    dpi = render_dpi(shot, long_side)
    printed = _Pdf(pdf).render(index, dpi)
    ink = ink_for_page(template, truth, form_page, printed.shape, dpi / 72, rng)
    if blank:
        ink[:] = 0
    if no_id:
        for b in (template.identity.qr, template.identity.text):
            x, y, w, h = (round(v * dpi / 72) for v in (b.x_pt, b.y_pt, b.w_pt, b.h_pt))
            ink[y:y + h, x:x + w] = 1.0
    photo, _ = photograph(printed, ink, shot, np.random.default_rng([seed, index, 7]),
                          long_side)
    return shrink(photo, long_side, 92 if long_side > SHRUNK_LONG_SIDE else 85), truth.answers


@contextmanager
def serve_capture(campaign: Path, host: str = "127.0.0.1", access: str | None = None):
    """The capture page on a free port, as `phieu capture` serves it; yields its address."""
    from phieu.pipeline.capture.app import create_app
    from tests.review.conftest import serving

    with serving(campaign, host, access, create_app) as port:
        yield f"http://127.0.0.1:{port}/"


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3,
         "is_mobile": True, "has_touch": True,
         "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, "
                       "like Gecko) Chrome/120.0 Mobile Safari/537.36"}


@contextmanager
def phones(count: int = 1):
    """`count` phones' browsers (Chromium with a phone's screen and touch), each its own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield [browser.new_context(**PHONE) for _ in range(count)]
        finally:
            browser.close()


@contextmanager
def phone_page(url: str):
    """One phone with the capture page open."""
    with phones(1) as (context,):
        page = context.new_page()
        page.goto(url)
        yield page


def wait_verdict(page, n: int, timeout: float = 30_000) -> str:
    """The page's n-th verdict, once shown."""
    page.locator(f'#verdict[data-n="{n}"]').wait_for(timeout=timeout)
    return page.locator("#verdict").get_attribute("data-verdict")
