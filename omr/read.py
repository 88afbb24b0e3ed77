"""`read_page(image, template) -> PageResult`: one page image in, its reading out.

Pure: no file, no database, no state between calls, so it runs the same
in a test on an array and in any worker process.
"""

from __future__ import annotations

import cv2
import numpy as np

from phieu.forms.template import Template

from .decide import decide
from .identity import QrFound, ocr_identity, qr_anywhere, qr_on_located_page
from .measure import measure_bubbles
from .pose import MAX_REPROJECTION_PT, Pose, find_markers, fit_pose, reduce, rotation_degrees
from .result import BLANK, FOREIGN, FORM, PageResult
from .warp import warp_box

BLANK_INK = 0.002  # share of clearly inked pixels below which a page is a blank back
OUTLINE_MIN = 0.1  # printed outlines stand out this much from the paper when the page is located
TEXT_INK_MIN = 0.004  # share of inked pixels in a free-text box that means something is written


def as_grey(image: np.ndarray) -> np.ndarray:
    """8-bit single-channel view of any scan: colour, 16-bit or 1-bit (bool)."""
    img = np.asarray(image)
    if img.dtype == bool:
        return np.where(img, 255, 0).astype(np.uint8)
    if img.ndim == 3:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2GRAY if img.shape[2] == 4 else cv2.COLOR_BGR2GRAY)
    if img.dtype == np.uint16:
        img = (img >> 8).astype(np.uint8)
    elif img.dtype != np.uint8:
        img = np.clip(img, 0, 255).astype(np.uint8)
    return img


def ink_share(small: np.ndarray) -> float:
    """Share of pixels clearly darker than the paper around them (on a reduced image)."""
    sample = small[::4, ::4]  # a page full of print is told at a glance
    level = int(np.percentile(sample, 95))
    rough = np.count_nonzero(sample.astype(np.uint16) * 20 < level * 13) / sample.size
    if rough > 20 * BLANK_INK:
        return rough
    paper = cv2.blur(cv2.dilate(small, np.ones((9, 9), np.uint8)), (9, 9))  # local paper
    # dark when below 65 % of the paper's brightness: integer maths, no float image
    return float(np.count_nonzero(small.astype(np.uint16) * 20 < paper.astype(np.uint16) * 13)
                 / small.size)


def _qr_pose(template: Template, markers: dict, qr: QrFound) -> Pose | None:
    corners = np.array(template.identity.qr.corners())
    return fit_pose(template, markers, extra=[(corners, qr.corners)])


Unlocated = tuple[PageResult | None, Pose | None, QrFound | None]


def _unlocated(image: np.ndarray, template: Template, markers: dict) -> Unlocated:
    """A page whose markers were not found: ours anyway (QR), or something else."""
    codes = qr_anywhere(image)
    ours = next((c for c in codes if c.identity), None)
    if ours is not None:
        pose = _qr_pose(template, markers, ours) if len(markers) >= 2 else None
        if pose is not None:
            return None, pose, ours
        return PageResult(FORM, ours.identity, "qr", ["page-not-located"],
                          markers=len(markers)), None, ours
    return PageResult(FOREIGN, doubts=["not a phieu form"], markers=len(markers)), None, None


def _measure_page(image: np.ndarray, pose: Pose, template: Template, page: int | None):
    """Bubble measures of the given form page or, for a page of a multi-page form without
    identity, of the page whose bubbles are printed here (returns the page too)."""
    if page is not None or template.pages == 1:
        page = page or 1
        return page, measure_bubbles(image, pose, template, page)
    best, bare = None, None
    for candidate in range(1, template.pages + 1):
        measured = measure_bubbles(image, pose, template, candidate)
        outline = measured[2].outline
        if not len(outline):  # a page with no bubbles (only a text box, say)
            bare = bare or (candidate, measured)
            continue
        score = float(np.median(outline))
        if best is None or score > best[0]:
            best = (score, candidate, measured)
    if bare and (best is None or best[0] < OUTLINE_MIN):  # no page's bubbles are printed here
        return bare
    return best[1], best[2]


def read_page(image: np.ndarray, template: Template, ocr: bool = True) -> PageResult:
    """Read one scanned page against the form's template."""
    image = as_grey(image)
    reduced = reduce(image)
    if ink_share(reduced[0]) < BLANK_INK:  # a blank back; before any QR search, as the
        return PageResult(BLANK)  # front shows through and can even be decoded mirrored
    markers = find_markers(image, template, reduced)
    pose = fit_pose(template, markers) if len(markers) >= 3 else None
    qr: QrFound | None = None
    if pose is None:
        result, pose, qr = _unlocated(image, template, markers)
        if result is not None:
            return result
    assert pose is not None
    if qr is None:
        qr = qr_on_located_page(image, pose, template)
    doubts: list[str] = []
    identity, source = (qr.identity, "qr") if qr and qr.identity else (None, "")
    if identity is None and ocr:
        read = ocr_identity(image, pose, template)
        if read is not None:
            identity, source = read[0], "ocr"
    if identity is None:
        doubts.append("id-unreadable")
    elif identity.layout != template.layout:
        doubts.append(f"other survey: {identity.layout}")
    elif not 1 <= identity.form_page <= template.pages:
        doubts.append(f"page {identity.form_page} is not a page of this form")
    if pose.error_pt > MAX_REPROJECTION_PT:
        doubts.append("page-misaligned")
    known = identity.form_page if identity and 1 <= identity.form_page <= template.pages \
        else None
    page, (layout, on_page, measures) = _measure_page(image, pose, template, known)
    if len(measures.outline) and float(np.median(measures.outline)) < OUTLINE_MIN:
        doubts.append("page-misaligned")
    questions = decide(template, layout, on_page, measures)
    doubts += [f"{r.doubt} {q}" for q, r in questions.items() if r.doubt]
    text_ink = {}
    for tb in template.text_boxes:
        if tb.page == page:
            crop = warp_box(image, pose, tb.box, 1.5, margin_pt=-3)
            text_ink[tb.id] = ink_share(crop) if crop.size else 0.0
    return PageResult(
        FORM, identity, source, list(dict.fromkeys(doubts)), questions,
        measures.fill, measures.strong, pose.homography, len(markers),
        rotation_degrees(pose, template), text_ink,
    )
