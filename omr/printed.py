"""What is printed on a page, as the reader compares a scan with it.

The template publishes a picture of each page's print (dark print, light
print, paper) and the boxes of everything printed; from them comes one
raster of the page at SAMPLES_PER_PT: PRINTED, LIGHT or paper. Whatever a
scan shows beyond it was added by a person (or by life).
"""

from __future__ import annotations

import base64
from typing import Any

import cv2
import numpy as np

from phieu.forms.template import PICTURE_DARK, PICTURE_LIGHT, PICTURE_SAMPLES_PER_PT, Template

from .measure import per_template

SAMPLES_PER_PT = 2.0
PRINT_PAD_PT = 1.5  # printed matter is this much larger than its box on a scan
PICTURE_PAD = 2  # ... and than its picture, in samples
RULE_PT = 2.0  # printed matter this thin is a rule
ADDED_DARK = 0.35  # darker than this (0 paper .. 1 black) is ink ...
LIGHT_DARK = 0.7  # ... and darker than this on a grey hairline
PRINTED, LIGHT = 2, 1


def added_threshold(raster_values: np.ndarray) -> np.ndarray:
    """Per sample, the darkness above which it is added ink (on paper, or on light print)."""
    return np.where(raster_values == LIGHT, LIGHT_DARK, ADDED_DARK).astype(np.float32)


@per_template
def print_raster(template: Template, page: int, rule_boxes: bool = True) -> np.ndarray:
    """The page at SAMPLES_PER_PT: PRINTED where something is printed, LIGHT on a tint or a
    grey hairline, 0 on paper. From the template's picture of the print when it has one
    (ink across printed words shows between the letters), else from its boxes. With
    `rule_boxes`, a rule covers its whole box, padded: a fill running over it stays one
    blot; without, a line crossing it shows up to its edges."""
    s = SAMPLES_PER_PT
    w, h = template.page_size_pt
    shape = (int(h * s) + 1, int(w * s) + 1)
    ident = template.identity
    dark = [ident.qr, ident.text, ident.unit]  # printed on each sheet: not in the picture
    printed = _on_page(template.printed, page)
    picture = _on_page(template.print_picture, page, None)
    if picture is not None:
        raster = _from_picture(picture, shape)
        if rule_boxes:
            dark += [b for b in printed if min(b.w_pt, b.h_pt) <= RULE_PT]
    else:
        raster = np.zeros(shape, np.uint8)
        dark += [*printed, *(m.box for m in template.markers)]
        _fill(raster, _on_page(template.printed_light, page), LIGHT)
    _fill(raster, dark, PRINTED)
    return raster


def _on_page(per_page: tuple, page: int, missing: Any = ()) -> Any:
    """What a per-page field of the template holds for `page`; `missing` when the template
    does not publish it."""
    return per_page[page - 1] if len(per_page) >= page else missing


def _from_picture(encoded: str, shape: tuple[int, int]) -> np.ndarray:
    levels = cv2.imdecode(np.frombuffer(base64.b64decode(encoded), np.uint8),
                          cv2.IMREAD_UNCHANGED)
    scale = SAMPLES_PER_PT / PICTURE_SAMPLES_PER_PT
    if scale != 1:
        levels = cv2.resize(levels, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
    grow = np.ones((2 * PICTURE_PAD + 1,) * 2, np.uint8)  # a scan's blur, a copy's toner
    raster = np.zeros(shape, np.uint8)
    h, w = min(shape[0], levels.shape[0]), min(shape[1], levels.shape[1])
    for level, value in ((PICTURE_LIGHT, LIGHT), (PICTURE_DARK, PRINTED)):
        raster[:h, :w][cv2.dilate((levels >= level).astype(np.uint8), grow)[:h, :w] > 0] = value
    return raster


def _fill(raster: np.ndarray, boxes: list, value: int) -> None:
    s = SAMPLES_PER_PT
    for b in boxes:
        x0, y0 = (b.x_pt - PRINT_PAD_PT) * s, (b.y_pt - PRINT_PAD_PT) * s
        x1, y1 = (b.x_pt + b.w_pt + PRINT_PAD_PT) * s, (b.y_pt + b.h_pt + PRINT_PAD_PT) * s
        cv2.rectangle(raster, (int(x0), int(y0)), (int(np.ceil(x1)), int(np.ceil(y1))), value, -1)
