"""Measure the ink in every bubble, all at once, in template coordinates.

Each bubble is sampled as a small square patch around it through the
page's homography, in one `cv2.remap` call for the whole page. Ink is
measured relative to the paper around that bubble (so shading from a
phone photo or a fold does not count as ink) and to the darkest ink on
the page (the markers), so a pale scan and a dark one read alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import TypeVar

import cv2
import numpy as np

from phieu.forms.template import Template

from .pose import PageView, Pose

T = TypeVar("T")

PATCH_R = 1.9  # patch half-side, in bubble radii: room to look around for the bubble
INNER_R = 0.68  # inside this, ink is a mark (the printed outline sits at 1.0)
INNER_SQUARE = 0.74  # the same for a box, to its nearest side
MAX_SHIFT_R = 0.12  # how far a bubble may sit from where the registration puts it
PAPER_ABOVE_BLACK = 40  # grey levels: a patch that is all ink is still measured fairly
STRONG = 0.5  # a pixel this dark (0..1) is clearly inked
TRACE = 0.3  # a pixel this dark is ink, however thin or light the stroke
RING_R = (0.88, 1.12)  # the printed outline's ring, in radii from the centre
DIGIT_HALF = (0.45, 0.55)  # the printed digit inside a bubble, in radii: not where strokes
# are traced (its edges vary from bubble to bubble more than a fine line weighs)


@dataclass(frozen=True)
class BubbleLayout:
    """The template's bubbles as arrays, in template order."""

    centres: np.ndarray  # (N, 2) points
    radii: np.ndarray  # (N,)
    question: np.ndarray  # (N,) index into template.questions
    appearance: np.ndarray  # (N,) class of look when empty: shape and the digit inside
    values: tuple[str, ...]
    page: np.ndarray  # (N,) form page
    square: np.ndarray  # (N,) bool: a box for a multi-answer question, not a circle
    labelled: np.ndarray  # (N,) bool: the option's digit is printed inside


def per_template(build: Callable[..., T]) -> Callable[..., T]:
    """`build(template, *args)` computed once per template object and arguments: a
    worker reads thousands of pages with the same template."""
    cache: dict[tuple, tuple[Template, T]] = {}

    @wraps(build)
    def cached(template: Template, *args: object) -> T:
        key = (id(template), *args)
        hit = cache.get(key)
        if hit is not None and hit[0] is template:
            return hit[1]
        value = build(template, *args)
        cache[key] = (template, value)
        return value

    return cached


@per_template
def bubble_layout(template: Template) -> BubbleLayout:
    """The bubbles of a template as arrays, in template order."""
    centres, radii, question, appearance, values, page, square, labelled = \
        [], [], [], [], [], [], [], []
    classes: dict[tuple[str, str], int] = {}
    for qi, q in enumerate(template.questions):
        for o in q.options:
            # bubbles look alike when empty if their shape and the digit inside them do
            cls = classes.setdefault((q.shape, o.value if q.inner_label else ""), len(classes))
            centres.append((o.x_pt, o.y_pt))
            radii.append(o.r_pt)
            question.append(qi)
            appearance.append(cls)
            values.append(o.value)
            page.append(q.page)
            square.append(q.shape == "square")
            labelled.append(q.inner_label)
    return BubbleLayout(np.array(centres, float), np.array(radii, float), np.array(question),
                        np.array(appearance), tuple(values), np.array(page),
                        np.array(square, bool), np.array(labelled, bool))


def per_question(template: Template, form_page: int,
                 per_bubble: np.ndarray) -> dict[str, np.ndarray]:
    """A page's per-bubble values (its measures, in template order) by question, one value
    per option."""
    layout = bubble_layout(template)
    on_page = layout.page == form_page
    questions = layout.question[on_page]
    return {template.questions[qi].id: per_bubble[questions == qi]
            for qi in dict.fromkeys(questions.tolist())}


@lru_cache(maxsize=8)
def _patch_grid(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Offsets of a k x k patch in bubble radii, and each sample's distance from the centre."""
    t = (np.arange(k) + 0.5) / k * 2 * PATCH_R - PATCH_R
    gx, gy = np.meshgrid(t, t)
    return np.stack([gx, gy], -1), np.hypot(gx, gy)


def sample_patches(image: np.ndarray, pose: Pose, centres: np.ndarray, radii: np.ndarray,
                   k: int) -> np.ndarray:
    """(N, k, k) float32 patches around each centre, k samples across 2 * PATCH_R radii."""
    return sample_squares(image, pose, centres, radii * PATCH_R, k)


def sample_squares(image: np.ndarray, pose: Pose, centres: np.ndarray, half_pt: np.ndarray,
                   k: int) -> np.ndarray:
    """(N, k, k) float32 squares of side 2 * half_pt (points) around each centre, upright.

    A square is a few points wide, so the homography is taken as affine across it:
    its centre and local Jacobian are mapped exactly, the samples by a multiply-add.
    """
    t = ((np.arange(k) + 0.5) / k * 2 - 1).astype(np.float32)
    gx, gy = np.meshgrid(t, t)
    eps = 0.5
    probe = np.concatenate([centres, centres + [eps, 0], centres + [0, eps]])
    mapped = pose.to_image(probe).reshape(3, len(centres), 2).astype(np.float32)
    jac = (mapped[1:] - mapped[0]) / eps  # d(image)/d(x_pt), d(image)/d(y_pt): (2, N, 2)
    h = np.broadcast_to(np.asarray(half_pt, np.float32), (len(centres),))[:, None]
    ox = gx.reshape(1, -1) * h  # (N, k*k) points
    oy = gy.reshape(1, -1) * h
    maps = []
    for a in (0, 1):  # centre + ox * d/dx + oy * d/dy, in place: these are the big arrays
        m = np.multiply(ox, jac[0, :, a:a + 1])
        m += mapped[0, :, a:a + 1]
        m += np.multiply(oy, jac[1, :, a:a + 1])
        maps.append(m)
    map_x, map_y = maps
    patches = cv2.remap(image, map_x.reshape(-1, k), map_y.reshape(-1, k), cv2.INTER_LINEAR,
                        borderMode=cv2.BORDER_REPLICATE)
    return patches.reshape(len(centres), k, k).astype(np.float32)


def ink_level(image: np.ndarray, pose: Pose, template: Template) -> float:
    """Grey level of printed black on this scan, read inside the markers' black border."""
    pts = []
    for m in template.markers:
        b = m.box
        cell = b.w_pt / 6
        for t in np.linspace(0.2, 0.8, 5):  # along the top and left border cells
            pts.append((b.x_pt + t * b.w_pt, b.y_pt + cell / 2))
            pts.append((b.x_pt + cell / 2, b.y_pt + t * b.h_pt))
    xy = pose.to_image(np.array(pts)).astype(np.float32)
    vals = cv2.remap(image, xy[:, 0:1], xy[:, 1:2], cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE)
    return float(np.median(vals))


def darkness(samples: np.ndarray, white: np.ndarray, black: float) -> np.ndarray:
    """Samples as darkness: 0 at the paper's grey level `white`, 1 at printed black (may
    run past both)."""
    white = np.maximum(white, black + PAPER_ABOVE_BLACK)
    return (white - samples) / (white - black)


@dataclass(frozen=True)
class BubbleMeasures:
    fill: np.ndarray  # mean darkness inside, 0 (paper) .. 1 (printed black)
    strong: np.ndarray  # share of inside pixels darker than STRONG
    trace: np.ndarray  # share of inside pixels darker than TRACE: a fine or light stroke
    px_per_pt: float = 0.0  # how finely the page was sampled (0: not said)
    contrast: np.ndarray | None = None  # darkness of the darkest tenth inside over the
    # middle: a line on paper has much, an even grey (a faint fill, a shadow) little


@lru_cache(maxsize=16)
def _ring_masks(k: int, square: bool = False
                ) -> tuple[list[tuple[int, int]], dict[str, np.ndarray]]:
    """For each trial shift (in samples): flat indexes of the inside and the outline.

    `inner` is the disk whose mean ink tells a fill; `strokes` is where inked strokes
    are counted: the same disk in a circle, the whole inside of a box (a tick in a box
    runs from side to side, not through a disk at its centre).
    """
    offsets, dist = _patch_grid(k)
    side = np.abs(offsets).max(axis=-1) if square else dist
    step = 2 * PATCH_R / k
    n = int(round(MAX_SHIFT_R / step))
    shifts = [(dy, dx) for dy in range(-n, n + 1) for dx in range(-n, n + 1)]
    strokes = side <= (INNER_SQUARE if square else INNER_R)
    digit = (np.abs(offsets[..., 0]) < DIGIT_HALF[0]) & (np.abs(offsets[..., 1]) < DIGIT_HALF[1])
    masks = {"inner": dist <= INNER_R, "strokes": strokes, "beside_digit": strokes & ~digit,
             "ring": (side >= RING_R[0]) & (side <= RING_R[1])}
    return shifts, {name: np.array([np.flatnonzero(np.roll(m, s, axis=(0, 1))) for s in shifts])
                    for name, m in masks.items()}


def _best_shifts(ring: np.ndarray, fill0: np.ndarray, question: np.ndarray,
                 shifts: list[tuple[int, int]]) -> np.ndarray:
    """One shift per question: where the printed outlines of its empty-looking bubbles are."""
    penalty = 0.01 * np.hypot(*np.array(shifts).T)  # stay put unless the outline is clearly off
    reliable = fill0 < 0.3  # a filled bubble's outline is hidden under the fill
    page_score = ring[:, reliable].mean(axis=1) - penalty if reliable.any() else -penalty
    # every question at once: its reliable bubbles' mean ring darkness at each shift
    order = np.argsort(question, kind="stable")
    _, starts, sizes = np.unique(question[order], return_index=True, return_counts=True)
    used = np.add.reduceat(reliable[order], starts)
    sums = np.add.reduceat(np.where(reliable, ring, 0.0)[:, order], starts, axis=1)
    score = np.where(used > 0, sums / np.maximum(used, 1) - penalty[:, None],
                     page_score[:, None])
    return np.repeat(np.argmax(score, axis=0), sizes)[np.argsort(order, kind="stable")]


def measure_bubbles(view: PageView, black: float) -> BubbleMeasures:
    """Ink measures for the bubbles of the page, found at its centres (points)."""
    image, pose, template, page, centres = (view.image, view.pose, view.template, view.page,
                                            view.centres)
    layout = bubble_layout(template)
    on_page = layout.page == page
    if not on_page.any():
        empty = np.zeros(0, np.float32)
        return BubbleMeasures(empty, empty, empty)
    radii = layout.radii[on_page]
    # about 2 samples per point, fewer when the scan itself is coarser
    k = int(np.clip(round(2 * PATCH_R * radii.mean() * min(pose.px_per_pt, 1.7)), 16, 40))
    patches = sample_patches(image, pose, centres, radii, k)
    # the paper right around each bubble (a shadow or uneven light varies across the page,
    # little across one bubble): a high percentile of the samples outside its outline
    _, dist = _patch_grid(k)
    around = np.sort(patches.reshape(len(patches), -1)[:, (dist >= 1.3).ravel()], axis=1)
    m = around.shape[1]  # trimmed mean: print and marks below, specks above left out
    white = around[:, int(m * 0.35):int(m * 0.95)].mean(axis=1)[:, None, None]
    dark = np.clip(darkness(patches, white, black), 0, 1).reshape(len(patches), -1)
    # a fine line's samples have inked neighbours; a toner speck's do not
    inked = (dark > TRACE).astype(np.uint8).reshape(-1, k)
    linked = (cv2.boxFilter(inked, -1, (3, 3), normalize=False) >= 2) & (inked > 0)
    linked = linked.reshape(len(patches), -1)
    n = len(dark)
    fill, strong, trace, contrast = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    square = layout.square[on_page]
    labelled = layout.labelled[on_page]
    for shape in np.unique(square):
        of = np.flatnonzero(square == shape)
        shifts, masks = _ring_masks(k, bool(shape))
        d = dark[of]
        ring_dark = d[:, masks["ring"]].mean(axis=2).T  # (shifts, bubbles)
        fill0 = d[:, masks["inner"][shifts.index((0, 0))]].mean(axis=1)
        chosen = _best_shifts(ring_dark, fill0, layout.question[on_page][of], shifts)
        for s in np.unique(chosen):
            sel = chosen == s
            ds = d[sel]
            fill[of[sel]] = ds[:, masks["inner"][s]].mean(axis=1)
            inside = ds[:, masks["strokes"][s]]
            strong[of[sel]] = (inside > STRONG).mean(axis=1)
            ls = linked[of[sel]]
            trace[of[sel]] = np.where(labelled[of[sel]],
                                      ls[:, masks["beside_digit"][s]].mean(axis=1),
                                      ls[:, masks["strokes"][s]].mean(axis=1))
            contrast[of[sel]] = np.where(labelled[of[sel]],
                                         _contrast(ds[:, masks["beside_digit"][s]]),
                                         _contrast(inside))
    return BubbleMeasures(fill, strong, trace, pose.px_per_pt, contrast)


def _contrast(samples: np.ndarray) -> np.ndarray:
    """Per row, its 90th percentile of darkness over its median."""
    ordered = np.sort(samples, axis=1)
    m = ordered.shape[1]
    return ordered[:, (9 * m) // 10] - ordered[:, m // 2]
