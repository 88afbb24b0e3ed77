"""Line the page up on what is printed on it: every bubble outline where the pose puts it.

The corner marks give a first pose; the page itself holds dozens of printed
outlines whose place is known exactly. Each is looked for near where the
pose puts it (never farther than half the way to its nearest neighbour, so
a neighbouring row is not taken for it), the pose is fitted again on all
that were found together with the marks, robustly (a fill over an outline
or a stray line does not pull it), and the search is repeated from the
better pose. A pose from marks on one side of the page is thus confirmed,
or corrected, by the print all over the page before anything is read.

Paper curl and roller slip bend a page a little: what is left after the
fit is kept per question as a local offset. A question whose outlines are
not found where the pose puts them is misaligned: it is not read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import cv2
import numpy as np

from phieu.forms.template import Template

from .measure import bubble_layout, per_template, sample_squares
from .pose import Pose, marker_points, pose_from_homography

OUTLINE_SAMPLES_PER_PT = 1.5  # outlines are 1 pt wide: seen at one and a half samples a point
SEARCH_MAX_PT = 9.0  # the farthest an outline is looked for around where the pose puts it
NEIGHBOUR_SHARE = 0.42  # ... and never beyond this share of the way to the nearest bubble
MATCH_MIN = 0.5  # correlation with the drawn outline for a found outline
SEEN_MIN = 0.6  # an empty bubble's own outline, whole and where its question is
FIT_PT = 1.5  # a found outline this far from the fitted pose is not used for it
ALIGNED_PT = 1.2  # a question's found outlines agree with one another this closely
LOCAL_MAX_PT = 4.0  # the most a question may sit off the page's fit (curl, slip)
ROUNDS = 2  # search, fit, search again from the better pose
RANSAC_TRIES = 400  # samples the robust fit draws: ample for a page's few hundred outlines
RANSAC_CONFIDENCE = 0.999  # ... and the chance it asks of having met a clean one
FIT_MIN_OUTLINES = 6  # fewer outlines agreeing with a fit (or found at all) say nothing


@dataclass(frozen=True)
class Registration:
    pose: Pose
    offsets: np.ndarray  # (N, 2) per bubble of the page: local correction in points
    aligned: dict[int, bool]  # question index -> its outlines were found where they are read
    seen: np.ndarray  # (N,) bool per bubble of the page: its own outline was found
    found: float  # share of the page's bubbles whose outline was found


@dataclass(frozen=True)
class _Search:
    """What is looked for on one page: bubbles, their drawn outlines, how far to look."""

    index: np.ndarray  # bubble indexes into the layout
    centres: np.ndarray
    reach: np.ndarray  # per bubble, search radius in points
    half: float  # half side of the sampled squares at the widest search, points
    templates: dict[bool, np.ndarray]  # square? -> the drawn outline, float32
    square: np.ndarray  # per bubble: a box, not a circle
    questions: tuple[tuple[int, np.ndarray], ...]  # question index, its bubbles here
    windows: dict[float, list[_Window]] = field(default_factory=dict)  # per reach cap


@dataclass(frozen=True)
class _Window:
    """One outline shape's search at one reach: its bubbles and where each may be found."""

    rows: np.ndarray
    template: np.ndarray
    side: int  # positions tried across the sampled square, each way
    inside: np.ndarray  # (rows, side * side) bool: within the bubble's reach


@lru_cache(maxsize=16)
def _outline(r_pt: float, square: bool) -> np.ndarray:
    """The printed outline as the reader samples it: dark ring (or square) on paper."""
    s = OUTLINE_SAMPLES_PER_PT
    half = r_pt + 2.0
    n = int(round(2 * half * s)) | 1
    t = (np.arange(n) - n // 2) / s
    gx, gy = np.meshgrid(t, t)
    d = np.maximum(np.abs(gx), np.abs(gy)) if square else np.hypot(gx, gy)
    ring = np.clip(1.0 - np.abs(d - r_pt) / 0.8, 0, 1)  # a 1 pt line, softened by the scan
    return (255 - 200 * ring).astype(np.float32)


@per_template
def _search(template: Template, page: int) -> _Search:
    layout = bubble_layout(template)
    index = np.flatnonzero(layout.page == page)
    centres = layout.centres[index]
    d = np.hypot(*(centres[:, None, :] - centres[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(d, np.inf)
    reach = np.minimum(SEARCH_MAX_PT, NEIGHBOUR_SHARE * d.min(axis=1)) if len(index) > 1 \
        else np.full(len(index), SEARCH_MAX_PT)
    r = float(layout.radii[index].max())
    half = r + 2.0 + float(reach.max())
    square = layout.square[index]
    templates = {sq: _outline(r, sq) for sq in np.unique(square).tolist()}
    question = layout.question[index]
    questions = tuple((int(q), np.flatnonzero(question == q)) for q in np.unique(question))
    return _Search(index, centres, reach, half, templates, square, questions)


def _windows(search: _Search, reach: np.ndarray, k: int, cap: float) -> list[_Window]:
    """Per outline shape, the bubbles of that shape and each one's search disc; once a page."""
    if cap not in search.windows:
        out = []
        for sq, tpl in search.templates.items():
            rows = np.flatnonzero(search.square == sq)
            side = k - tpl.shape[0] + 1
            mid = (side - 1) / 2
            yy, xx = np.mgrid[0:side, 0:side]
            inside = (np.hypot(yy - mid, xx - mid)[None]
                      <= reach[rows, None, None] * OUTLINE_SAMPLES_PER_PT)
            out.append(_Window(rows, tpl, side, inside.reshape(len(rows), -1)))
        search.windows[cap] = out
    return search.windows[cap]


def _vertex(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Where a parabola through three equally spaced scores peaks, from the middle one."""
    den = a - 2 * b + c
    safe = np.where(den < 0, den, -1.0)
    return np.where(den < 0, np.clip(0.5 * (a - c) / safe, -0.5, 0.5), 0.0)


def find_outlines(image: np.ndarray, pose: Pose, search: _Search,
                  reach_cap: float = SEARCH_MAX_PT) -> tuple[np.ndarray, np.ndarray]:
    """Per bubble: where its outline is relative to where the pose puts it, in points,
    and how well it matched (correlation, -1 .. 1); looked for within `reach_cap`."""
    n = len(search.index)
    reach = np.minimum(search.reach, reach_cap)
    half = search.half - search.reach.max() + reach.max()
    k = int(round(2 * half * OUTLINE_SAMPLES_PER_PT))
    patches = sample_squares(image, pose, search.centres, np.full(n, half), k)
    shift = np.zeros((n, 2))
    score = np.full(n, -1.0)
    for w in _windows(search, reach, k, reach_cap):
        side = w.side
        # the squares are matched stacked in one column; each one's own side x side
        # scores start every k rows
        stacked = cv2.matchTemplate(patches[w.rows].reshape(-1, k), w.template,
                                    cv2.TM_CCOEFF_NORMED)
        rs, cs = stacked.strides
        maps = np.lib.stride_tricks.as_strided(stacked, (len(w.rows), side, side),
                                               (k * rs, rs, cs), writeable=False)
        masked = np.where(w.inside, maps.reshape(len(w.rows), -1), -1.0)
        best = np.argmax(masked, axis=1)
        y, x = np.divmod(best, side)
        j = np.arange(len(w.rows))
        up, down = np.maximum(y - 1, 0), np.minimum(y + 1, side - 1)  # a peak on the border
        left, right = np.maximum(x - 1, 0), np.minimum(x + 1, side - 1)
        peak = maps[j, y, x]
        py = y + _vertex(maps[j, up, x], peak, maps[j, down, x])
        px = x + _vertex(maps[j, y, left], peak, maps[j, y, right])
        mid = (side - 1) / 2
        shift[w.rows] = np.stack([px - mid, py - mid], 1) / OUTLINE_SAMPLES_PER_PT
        score[w.rows] = masked[j, best]
    return shift, score


def _refit(pose: Pose, template: Template, markers: dict[int, np.ndarray],
           src: np.ndarray, found: np.ndarray) -> Pose | None:
    """A homography on markers and found outlines, robust to the few found wrongly."""
    m_src, m_dst = marker_points(template, markers)
    all_src = np.concatenate([src, m_src])
    all_dst = np.concatenate([pose.to_image(found), m_dst])
    if len(all_src) < 8:
        return None
    thr = FIT_PT * pose.px_per_pt
    H, mask = cv2.findHomography(all_src, all_dst, cv2.RANSAC, thr, maxIters=RANSAC_TRIES,
                                 confidence=RANSAC_CONFIDENCE)
    if H is None or mask is None:
        return None
    inl = mask.ravel().astype(bool)
    if inl[:len(src)].sum() < max(FIT_MIN_OUTLINES, len(src) // 3):
        return None
    H, _ = cv2.findHomography(all_src[inl], all_dst[inl], 0)
    return pose_from_homography(H, template, pose.markers, all_src[inl], all_dst[inl])


def register(image: np.ndarray, pose: Pose, template: Template, page: int,
             markers: dict[int, np.ndarray], trusted: bool = False) -> Registration:
    """The pose refined on the page's printed outlines, and each question's alignment.

    `trusted`: the pose comes from marks all round the page; when every question's
    outlines are found close to where it puts them, nothing needs refitting.
    """
    layout = bubble_layout(template)
    if not (layout.page == page).any():  # only text boxes on this page: the marks are all
        return Registration(pose, np.zeros((0, 2)), {}, np.zeros(0, bool), 1.0)
    search = _search(template, page)
    if trusted:  # four marks all round the page: look close by first
        shift, score = find_outlines(image, pose, search, LOCAL_MAX_PT)
        local, every = _aligned(search, shift, score)
        if every:
            return _registration(pose, search, local, shift, score)
    for _ in range(ROUNDS):
        shift, score = find_outlines(image, pose, search)
        good = score >= MATCH_MIN
        if good.sum() < FIT_MIN_OUTLINES:
            break
        refit = _refit(pose, template, markers, search.centres[good],
                       search.centres[good] + shift[good])
        if refit is None:
            break
        moved = np.abs(refit.to_image(search.centres) - pose.to_image(search.centres)).max()
        pose = refit
        if moved < FIT_PT * pose.px_per_pt:  # the page confirmed the pose: no second search
            break
    shift, score = find_outlines(image, pose, search, LOCAL_MAX_PT)
    return _registration(pose, search, _aligned(search, shift, score)[0], shift,
                         score)


def _aligned(search: _Search, shift: np.ndarray, score: np.ndarray
             ) -> tuple[dict[int, np.ndarray | None], bool]:
    """Per question its local offset, or None where its outlines are not where they are
    read; and whether every question is aligned."""
    good = score >= MATCH_MIN
    out: dict[int, np.ndarray | None] = {}
    for q, sel in search.questions:
        hits = sel[good[sel]]
        need = 1 if len(sel) <= 3 else 2  # a fill may hide an outline, not all of them
        out[q] = None
        if len(hits) >= need:
            found = shift[hits]
            local = np.sort(found, axis=0)[len(hits) // 2]  # the median, one way up
            if np.abs(found - local).max() <= ALIGNED_PT \
                    and math.hypot(local[0], local[1]) <= LOCAL_MAX_PT:
                out[q] = local
    return out, all(v is not None for v in out.values())


def _registration(pose: Pose, search: _Search, local: dict[int, np.ndarray | None],
                  shift: np.ndarray, score: np.ndarray) -> Registration:
    offsets = np.zeros((len(search.index), 2))
    for q, sel in search.questions:
        if local[q] is not None:
            offsets[sel] = local[q]
    # a bubble cut in half by the edge of a copy still matches a little, off its place
    seen = (score >= SEEN_MIN) & (np.hypot(*(shift - offsets).T) <= ALIGNED_PT)
    return Registration(pose, offsets, {q: off is not None for q, off in local.items()}, seen,
                        float((score >= MATCH_MIN).mean()))
