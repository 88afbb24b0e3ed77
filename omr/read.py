"""`read_page(image, template) -> PageResult`: one page image in, its reading out.

Pure: no file, no database, no state between calls, so it runs the same
in a test on an array and in any worker process.
"""

from __future__ import annotations

import cv2
import numpy as np

from phieu.forms.identity import PageIdentity
from phieu.forms.template import Template

from .added import added_ink
from .decide import EMPTY, MARKED, bubble_states, decide, light_marks, look_around
from .identity import QrFound, ocr_identity, qr_anywhere, qr_on_located_page
from .measure import bubble_layout, ink_level, measure_bubbles
from .pose import PageView, Pose, find_markers, fit_pose, reduce, rotation_degrees
from .register import Registration, register
from .result import BLANK, FOREIGN, FORM, TEXT_INK_MIN, PageResult
from .vocabulary import Code, Reason
from .warp import warp_box

BLANK_INK = 0.002  # share of clearly inked pixels below which a page is a blank back
TRUSTED_PT = 1.0  # four marks that fit one another this well locate the whole page
LOCATED_MIN = 0.3  # share of a page's printed outlines found where they are: it is that page


def as_grey(image: np.ndarray) -> np.ndarray:
    """8-bit single-channel view of any scan, in OpenCV's channel order: grey, BGR or BGRA
    (transparent parts are paper), 1-bit (bool), and 16-bit, 32-bit or floating-point
    samples brought down from the range they use, never clipped."""
    img = np.asarray(image)
    if img.dtype == bool:
        return np.where(img, 255, 0).astype(np.uint8)
    img = _eight_bit(img)
    if img.ndim == 3 and img.shape[2] in (2, 4):  # alpha last: lay it on white paper
        alpha = img[..., -1:].astype(np.uint16)
        colour = img[..., :-1].astype(np.uint16)
        img = ((colour * alpha + 255 * (255 - alpha)) // 255).astype(np.uint8)
    if img.ndim == 3:
        img = img[..., 0] if img.shape[2] == 1 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    return np.ascontiguousarray(img)


def _eight_bit(img: np.ndarray) -> np.ndarray:
    """Samples of any depth as 0..255: a 16-bit scan by its 16 bits, a 12-bit one kept in
    16 bits by its 12, floating point by 0..1 (or 0..255 when it goes beyond 1)."""
    if img.dtype == np.uint8:
        return img
    values = img
    if img.dtype.kind == "f":  # a sample that is no number is taken for paper
        finite = np.isfinite(img)
        top = float(img[finite].max()) if finite.any() else 1.0
        values = np.where(finite, img, top).astype(np.float64)
    else:
        top = float(img.max()) if img.size else 0.0
    if img.dtype.kind == "f" and top <= 1.0:
        full = 1.0
    elif top <= 255:
        full = 255.0
    else:  # the bit depth the samples use: 10, 12, 14, 16 bits or more
        full = float(2 ** int(np.ceil(np.log2(top + 1))) - 1)
    if values.dtype.kind == "i" or values.dtype.kind == "f":
        values = np.maximum(values, 0)  # nothing is darker than black
    if values.dtype not in (np.uint16, np.int16, np.float32, np.float64):
        values = values.astype(np.float64)  # what OpenCV's scaling takes
    return cv2.convertScaleAbs(values, alpha=255.0 / full)


def ink_share(small: np.ndarray) -> float:
    """Share of pixels clearly darker than the paper around them (on a reduced image)."""
    sample = small[::4, ::4]  # a page full of print is told at a glance
    level = int(_percentile(sample, 95))
    rough = np.count_nonzero(sample.astype(np.uint16) * 20 < level * 13) / sample.size
    if rough > 20 * BLANK_INK:
        return rough
    paper = cv2.blur(cv2.dilate(small, np.ones((9, 9), np.uint8)), (9, 9))  # local paper
    # dark when below 65 % of the paper's brightness: integer maths, no float image
    return float(np.count_nonzero(small.astype(np.uint16) * 20 < paper.astype(np.uint16) * 13)
                 / small.size)


def _percentile(values: np.ndarray, q: float) -> float:
    """`np.percentile(values, q)` (linear between the two nearest), from a histogram of the
    levels when they are 8-bit: ten times faster than sorting them."""
    if values.dtype != np.uint8 or not values.size:
        return float(np.percentile(values, q))
    at = q / 100 * (values.size - 1)
    lo = int(np.floor(at))
    below = np.cumsum(np.bincount(values.ravel(), minlength=256))  # values <= each level
    a, b = np.searchsorted(below, [lo, min(lo + 1, values.size - 1)], side="right")
    t = at - lo  # as numpy interpolates: from the nearer end
    return float(b - (b - a) * (1 - t)) if t >= 0.5 else float(a + (b - a) * t)


def _qr_pose(template: Template, markers: dict, qr: QrFound) -> Pose | None:
    corners = np.array(template.identity.qr.corners())
    return fit_pose(template, markers, extra=[(corners, qr.corners)])


def _first_pose(image: np.ndarray, template: Template, markers: dict
                ) -> tuple[PageResult | None, Pose | None, QrFound | None]:
    """A first pose from the corner marks, with the QR code's corners when fewer than three
    marks were found; or the page's result when it cannot be located at all."""
    if len(markers) >= 3:
        pose = fit_pose(template, markers)
        if pose is not None:
            return None, pose, None
    qr = None
    if len(markers) == 2:  # the QR code is where the two marks say, usually
        rough = fit_pose(template, markers)
        qr = qr_on_located_page(image, rough, template) if rough else None
        if rough is not None and (qr is None or not qr.identity):
            return None, rough, None  # the print all over the page will confirm it, or not
    if qr is None or not qr.identity:
        qr = next((c for c in qr_anywhere(image) if c.identity), None)
    if qr is None:
        return PageResult(FOREIGN, doubts=[Reason(Code.NOT_A_FORM)], markers=len(markers)), \
            None, None
    pose = _qr_pose(template, markers, qr)
    if pose is None:
        return PageResult(FORM, qr.identity, "qr", [Reason(Code.PAGE_NOT_LOCATED)],
                          markers=len(markers)), None, qr
    return None, pose, qr


def _page_of(identity: PageIdentity | None, template: Template) -> int | None:
    """The form page an identity names, when it is one of this form's."""
    if identity and 1 <= identity.form_page <= template.pages:
        return identity.form_page
    return None


def _register_page(image: np.ndarray, pose: Pose, template: Template, page: int | None,
                   markers: dict) -> tuple[int, Registration]:
    """The page's registration on its printed outlines; for a page of a multi-page form
    without identity, on the page whose outlines are printed here."""
    trusted = len(markers) == len(template.markers) and pose.error_pt <= TRUSTED_PT
    if page is not None or template.pages == 1:
        page = page or 1
        return page, register(image, pose, template, page, markers, trusted)
    best, bare = None, None
    for candidate in range(1, template.pages + 1):
        reg = register(image, pose, template, candidate, markers, trusted)
        if not len(reg.offsets):  # a page with no bubbles (only a text box, say)
            bare = bare or (candidate, reg)
            continue
        if best is None or reg.found > best[1].found:
            best = (candidate, reg)
    if bare and (best is None or best[1].found < LOCATED_MIN):  # no page's bubbles are here
        return bare
    return best


def read_page(image: np.ndarray, template: Template, ocr: bool = True) -> PageResult:
    """Read one scanned page against the form's template.

    OpenCV runs on one thread here, whatever the caller set: some of its parallel code
    sums in an order that depends on the thread count, and a page must read the same in
    a test, in one worker or in eight.
    """
    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        return _read(as_grey(image), template, ocr)
    finally:
        cv2.setNumThreads(threads)


def _read(image: np.ndarray, template: Template, ocr: bool) -> PageResult:
    reduced = reduce(image)
    if ink_share(reduced[0]) < BLANK_INK:  # a blank back; before any QR search, as the
        return PageResult(BLANK)  # front shows through and can even be decoded mirrored
    markers = find_markers(image, template, reduced)
    result, pose, qr = _first_pose(image, template, markers)
    if result is not None:
        return result
    assert pose is not None
    if qr is None:
        qr = qr_on_located_page(image, pose, template)
    doubts: list[Reason] = []
    identity = qr.identity if qr and qr.identity else None
    known = _page_of(identity, template)
    page, reg = _register_page(image, pose, template, known, markers)
    if identity is None and reg.pose is not pose:  # the code, where the refined pose puts it
        qr = qr_on_located_page(image, reg.pose, template)
        identity = qr.identity if qr and qr.identity else None
    source = "qr" if identity else ""
    if identity is None and ocr:  # the printed number, where the refined pose puts it
        read = ocr_identity(image, reg.pose, template)
        if read is not None:
            identity, source = read[0], "ocr"
            named = _page_of(identity, template)
            if named not in (None, page):
                page, reg = _register_page(image, pose, template, named, markers)
    if identity is None:
        doubts.append(Reason(Code.ID_UNREADABLE))
    elif identity.layout != template.layout:
        doubts.append(Reason(Code.OTHER_SURVEY, identity.layout))
    elif not 1 <= identity.form_page <= template.pages:
        doubts.append(Reason(Code.NOT_IN_FORM, str(identity.form_page)))
    pose = reg.pose
    layout = bubble_layout(template)
    on_page = layout.page == page
    centres = layout.centres[on_page] + reg.offsets
    black = ink_level(image, pose, template)
    view = PageView(image, pose, template, page, centres)
    measures = measure_bubbles(view, black)
    state = bubble_states(template, layout, on_page, measures)
    wanted = look_around(template, layout, on_page, state, measures)
    added = added_ink(view, black, wanted, state != EMPTY, state == MARKED,
                      light_marks(state, measures))
    questions = decide(template, layout, on_page, measures, state, added, reg)
    if reg.aligned and not any(reg.aligned.values()):
        doubts.append(Reason(Code.PAGE_MISALIGNED))  # nothing printed is where the pose puts it
    else:
        doubts += [Reason(r.doubt, q) for q, r in questions.items() if r.doubt]
    text_ink = {}
    for tb in template.text_boxes:
        if tb.page == page:
            crop = warp_box(image, pose, tb.box, 1.5, margin_pt=-3)
            text_ink[tb.id] = ink_share(crop) if crop.size else 0.0
    doubts = list(dict.fromkeys(doubts))
    unmarked = (all(r.answer == "" and r.doubt is None for r in questions.values())
                and all(ink < TEXT_INK_MIN for ink in text_ink.values())
                and all(d.code == Code.ID_UNREADABLE for d in doubts))
    return PageResult(
        FORM, identity, source, doubts, questions, measures.fill, measures.strong,
        pose.homography, len(markers), rotation_degrees(pose, template), text_ink, unmarked,
        pose.px_per_pt, _bilevel(image),
    )


def _bilevel(image: np.ndarray) -> bool:
    """Whether a page holds black and white only (a 1-bit scan), told from a sample."""
    sample = image[::7, ::7]
    return not np.count_nonzero((sample > 0) & (sample < 255))
