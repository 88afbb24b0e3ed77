"""Whose page is this: the QR code first, the printed identity line (OCR) when it fails.

The QR decoder only looks at the QR region of the located page and only
for QR codes, which is what makes it cheap. When the page could not be
located, the whole image is searched once: a form whose markers are
covered still says who it is, and its QR corners help locate it.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, replace

import cv2
import numpy as np
import zxingcpp

from phieu.forms.identity import (
    CODE_ALPHABET,
    CODE_RE,
    PageIdentity,
    parse_number,
    parse_payload,
    parse_printed,
)
from phieu.forms.template import Box, Template

from .pose import Pose
from .warp import warp_box

QR_MARGIN = 0.35  # search this much around the QR box, as a share of its side
OCR_PX_PER_PT = 300 / 72
OCR_MIN_CONFIDENCE = 80.0


@dataclass(frozen=True)
class QrFound:
    text: str
    identity: PageIdentity | None  # None when the code is not one of ours
    corners: np.ndarray  # (4, 2) image pixels: top-left, top-right, bottom-right, bottom-left


def _read_qr(img: np.ndarray, offset: tuple[float, float] = (0, 0), downscale: bool = False
             ) -> list[QrFound]:
    codes = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode, try_rotate=True,
                                   try_downscale=downscale, try_invert=False)
    out = []
    for c in codes:
        p = c.position
        corners = np.array([[p.top_left.x, p.top_left.y], [p.top_right.x, p.top_right.y],
                            [p.bottom_right.x, p.bottom_right.y],
                            [p.bottom_left.x, p.bottom_left.y]], float) + np.array(offset)
        out.append(QrFound(c.text, parse_payload(c.text), corners))
    return out


def box_in_image(pose: Pose, box: Box, margin: float, shape: tuple[int, ...]
                 ) -> tuple[int, int, int, int]:
    """Pixel bounds (x0, y0, x1, y1) of a template box grown by `margin` of its size."""
    px = pose.to_image(np.array(box.corners(margin)))
    x0, y0 = np.floor(px.min(axis=0)).astype(int)
    x1, y1 = np.ceil(px.max(axis=0)).astype(int)
    h, w = shape[:2]
    return max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)


def qr_on_located_page(image: np.ndarray, pose: Pose, template: Template) -> QrFound | None:
    x0, y0, x1, y1 = box_in_image(pose, template.identity.qr, QR_MARGIN, image.shape)
    if x1 - x0 < 10 or y1 - y0 < 10:
        return None
    crop = image[y0:y1, x0:x1]
    found = _read_qr(crop, (x0, y0))
    if not found and pose.px_per_pt < 2.2:  # small modules: try them twice as large
        big = cv2.resize(crop, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
        found = [QrFound(f.text, f.identity, f.corners / 2)  # read where x0, y0 are doubled
                 for f in _read_qr(big, (x0 * 2, y0 * 2))]
    ours = [f for f in found if f.identity]
    return (ours or found or [None])[0]


def qr_anywhere(image: np.ndarray) -> list[QrFound]:
    """Every QR code on the whole image (slow; for pages that could not be located)."""
    return _read_qr(image, downscale=True)


def ocr_identity(image: np.ndarray, pose: Pose, template: Template
                 ) -> tuple[PageIdentity, int] | None:
    """The printed identity line read by Tesseract, when the sheet's number and page are read
    confidently. The campaign's code before them (five letters that make no word, which
    Tesseract reads with little confidence) is read again on its own, among the letters a
    code is made of; whoever uses it checks it against the campaign's,
    so a misread code is a doubt, never another campaign taken for this one."""
    # a point of paper above the line reads best; when the QR code's last row of modules,
    # 1 pt over the line, got into it (a pose a little off), the line alone is tried
    for margin_y in (1, 0):
        crop = warp_box(image, pose, template.identity.text, OCR_PX_PER_PT, margin_pt=6,
                        margin_y_pt=margin_y)
        crop = cv2.normalize(crop, None, 0, 255, cv2.NORM_MINMAX)
        data = _words(crop)
        if data is None:
            return None
        found = _number(data)
        if found is None:
            continue
        first, words = found
        code = _code(crop, data, words[words.index(first) - 1]) if words[0] < first else ""
        read = _confident(data, [i for i in words if i >= first], template)
        if read is None and words[0] < first:
            # Tesseract lends the number the little confidence it has in the code before
            # it: the number and the page alone, read again
            left = max(0, data["left"][first] - int(4 * OCR_PX_PER_PT))
            alone = _words(crop[:, left:])
            again = _number(alone) if alone is not None else None
            if again is not None:
                read = _confident(alone, [i for i in again[1] if i >= again[0]], template)
        if read is None and template.pages == 1:  # the page number hidden: page 1 of 1
            read = _number_alone(data, first, template)
        if read is not None:
            return replace(read[0], campaign=code), read[1]
    return None


def _number_alone(data: dict, i: int, template: Template) -> tuple[PageIdentity, int] | None:
    """A one-page form's number read confidently on its own, when what follows it (its
    page, 1/1) is hidden: the only page the form has."""
    if float(data["conf"][i]) < OCR_MIN_CONFIDENCE:
        return None
    identity = parse_number(data["text"][i], template.layout)
    return (identity, 1) if identity else None


def _tesseract():
    """pytesseract, with Tesseract on one thread: a page is read on one thread (the workers
    are the parallelism), and on one line of text OpenMP's threads cost more than they give
    (92 ms a call instead of 213 on this machine; the same words). A limit the user set
    stays."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    if "pytesseract" in sys.modules or "pandas" in sys.modules:
        import pytesseract
        return pytesseract
    # pytesseract loads pandas when it finds it, for a table output never asked for here:
    # 0.2 s of a reader's start. Marked as absent while it loads, pandas is left alone.
    sys.modules["pandas"] = None  # type: ignore[assignment]
    try:
        import pytesseract
    finally:
        del sys.modules["pandas"]
    return pytesseract


def _words(crop: np.ndarray) -> dict | None:
    """Tesseract's reading of one line, word by word (None when it cannot run)."""
    pytesseract = _tesseract()

    try:  # one line of text; the format check after does what a whitelist would
        return pytesseract.image_to_data(crop, lang="eng", config="--psm 7",
                                         output_type=pytesseract.Output.DICT)
    except (pytesseract.TesseractError, OSError):
        return None


def _number(data: dict) -> tuple[int, list[int]] | None:
    """The index of the word that is a sheet's number (unit-serial), and every word read."""
    words = [i for i, w in enumerate(data["text"]) if w.strip()]
    number = [i for i in words if _NUMBER_WORD.search(data["text"][i])]
    return (number[0], words) if number else None


def _confident(data: dict, line: list[int], template: Template
               ) -> tuple[PageIdentity, int] | None:
    """The identity the words `line` print, when every one of them was read confidently."""
    if not line or min(float(data["conf"][i]) for i in line) < OCR_MIN_CONFIDENCE:
        return None
    return parse_printed(" ".join(data["text"][i] for i in line), template.layout)


_NUMBER_WORD = re.compile(r"-\d{6,9}$")  # the word of the sheet's number: unit-serial


def _code(crop: np.ndarray, data: dict, i: int) -> str:
    """The campaign's code at word `i` of a Tesseract reading: as the line read it when it
    did so confidently and as a code is made, else read alone among the characters a code
    is made of; "" when it does not read as one. (Read alone, it read the same as the line
    on every confident, well-formed reading of the benchmark's photocopies; the second
    call is a third of a damaged page's reading time.)"""
    if float(data["conf"][i]) >= OCR_MIN_CONFIDENCE and CODE_RE.fullmatch(data["text"][i]):
        return data["text"][i]
    pytesseract = _tesseract()

    pad = 6
    x, y, w, h = (data[k][i] for k in ("left", "top", "width", "height"))
    word = crop[max(0, y - pad):y + h + pad, max(0, x - pad):x + w + pad]
    try:
        text = pytesseract.image_to_string(
            word, lang="eng", config=f"--psm 8 -c tessedit_char_whitelist={CODE_ALPHABET}")
    except (pytesseract.TesseractError, OSError):
        return ""
    text = text.strip()
    return text if CODE_RE.fullmatch(text) else ""
