"""The capture page's address as a QR code: printed in the console, and as a picture to
show on the laptop's screen, so a clerk opens the page by pointing the phone's camera."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from phieu.forms.render import qr_modules

QUIET = 4  # modules of white around the code, as readers expect
PNG_MODULE_PX = 12


def _with_quiet_zone(payload: str) -> np.ndarray:
    return np.pad(qr_modules(payload), QUIET, constant_values=False)


def console_qr(payload: str) -> str:
    """The QR code in text, two rows of modules a line (upper and lower half blocks), dark
    on a light console or light on a dark one alike (it draws the light modules)."""
    m = _with_quiet_zone(payload)
    if m.shape[0] % 2:
        m = np.vstack([m, np.zeros((1, m.shape[1]), bool)])
    glyph = {(False, False): "█", (False, True): "▀", (True, False): "▄", (True, True): " "}
    return "\n".join("".join(glyph[(bool(a), bool(b))] for a, b in zip(top, low, strict=True))
                     for top, low in zip(m[::2], m[1::2], strict=True))


def write_qr_png(payload: str, path: Path) -> Path:
    """The QR code as a PNG picture, large enough to scan from a laptop's screen."""
    m = _with_quiet_zone(payload)
    img = np.where(m, 0, 255).astype(np.uint8)
    img = cv2.resize(img, None, fx=PNG_MODULE_PX, fy=PNG_MODULE_PX,
                     interpolation=cv2.INTER_NEAREST)
    if not cv2.imwrite(str(path), img):
        raise OSError(f"cannot write {path}")
    return path
