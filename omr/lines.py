"""Long pen lines across the form: a stray stroke, not a mark.

A tick or a cross keeps its ends near the bubble. A pen that slipped, a
ruler line, a line someone drew down a column runs straight on for several
bubbles' widths. Near a bubble whose surroundings show ink reaching out, a
wide square is sampled and searched (a Hough transform of the added ink)
for such a line through the bubble or grazing it; its run is then followed
on paper, across print, to where it ends.

A line counts as stray only when it also leaves the bubble's own row or
option: it passes through the bubble and on, runs into another row, or
crosses another bubble. A line that starts at an option and stays beside
it (an underlined label) is someone pointing at that option, and stays a
doubt.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .measure import darkness, sample_squares
from .pose import PageView
from .printed import PRINTED, SAMPLES_PER_PT, added_threshold, print_raster

SEARCH_HALF_PT = 40.0  # the square searched around a bubble
WIDE_SAMPLES = 5  # a line shows paper this far to both sides
VOTES_PT = 14.0  # a line shows at least this long in the square to be looked at
LINES_TRIED = 4  # the strongest lines near the bubble are followed, at most,
SAME_DEG, SAME_SAMPLES = 3.0, 2.0  # a line tried once, not again a degree or a sample off
FIT_SAMPLES, FIT_ROUNDS = 3.0, 3  # the ink this close to a line is its own, fitted again
PASS_R = 1.3  # through the bubble, or grazing its outline (radii from the centre) ...
BESIDE_R = 3.3  # ... or beside it, as far as ink near it is looked for (added.NEAR_R)
LONG_PT = 16.0  # a stray line runs on this far beyond the bubble's edge ...
GAP_PT = 3.0  # ... broken by no longer gap of paper (print in between is unknown) ...
INKED_SHARE = 0.7  # ... and inked over this share of the paper it crosses, ...
INKED_PT = 8.0  # ... this long at least
THROUGH_R = 2.2  # a line passes through a bubble: it shows this far out on both sides
# (radii); the reader's crossing test (added.py) holds a line to the same
ROW_R = 3.0  # it leaves the row: it runs this far up or down (radii)
OTHER_R = 0.8  # it crosses another bubble: passes this close to its centre (radii)


@dataclass(frozen=True)
class Line:
    """A straight line on the page, in points."""

    point: np.ndarray  # (2,)
    direction: np.ndarray  # (2,) unit

    def distance(self, points: np.ndarray) -> np.ndarray:
        d = points - self.point
        return np.abs(d[..., 0] * self.direction[1] - d[..., 1] * self.direction[0])


def stray_line(view: PageView, radii: np.ndarray, i: int, white: float,
               black: float) -> Line | None:
    """The stray line through, grazing or beside bubble `i` of the page, if there is one.
    `radii` are the page's bubbles' (points); `white` and `black` the grey levels of the
    paper around it and of printed black."""
    image, pose, template, page, centres = (view.image, view.pose, view.template, view.page,
                                            view.centres)
    s = SAMPLES_PER_PT
    k = int(2 * SEARCH_HALF_PT * s)
    patch = sample_squares(image, pose, centres[i:i + 1], np.array([SEARCH_HALF_PT]), k)[0]
    off = (np.arange(k) + 0.5) / s - SEARCH_HALF_PT  # each sample from the centre, points
    raster = print_raster(template, page, False)  # lines show up to a rule
    ys = np.clip(((centres[i, 1] + off) * s).astype(int), 0, raster.shape[0] - 1)
    xs = np.clip(((centres[i, 0] + off) * s).astype(int), 0, raster.shape[1] - 1)
    printed = raster[np.ix_(ys, xs)]
    dark = darkness(patch, np.float32(white), black)
    ink = (dark > added_threshold(printed)) & (printed != PRINTED)
    centre = (k - 1) / 2
    r = radii[i] * s
    others = (np.delete(centres, i, axis=0) - centres[i]) * s  # other bubbles, samples
    # another bubble's fill is a mark, not a line: only ink outside them votes (two fills
    # one above the other would vote for a line through both, and this bubble between)
    votes = _outside(ink, others + centre, np.delete(radii, i) * s)
    found = cv2.HoughLines(votes, 1, np.pi / 180, int(VOTES_PT * s))
    if found is None:
        return None
    ys, xs = np.nonzero(votes)
    voters = np.stack([xs, ys], axis=1).astype(np.float64)  # fitted to, line after line
    normals = np.stack([np.cos(found[:, 0, 1]), np.sin(found[:, 0, 1])], axis=1)
    signed = centre * normals.sum(axis=1) - found[:, 0, 0]  # the centre from each line
    tried: list[tuple[np.ndarray, float]] = []
    # the lines through or grazing it first, then those running by beside it; each fitted
    # to its ink first (a line crossing a thick stroke at a slant, through the bubble, is
    # that stroke's, which may run beside it)
    near = np.flatnonzero(np.abs(signed) <= BESIDE_R * r)
    for j in near[np.argsort(np.abs(signed[near]) > PASS_R * r, kind="stable")]:
        if len(tried) == LINES_TRIED:
            break
        normal, offset = _fitted(voters, normals[j], signed[j], centre)
        if abs(offset) > BESIDE_R * r or any(
                abs(float(normal @ n)) > np.cos(np.radians(SAME_DEG))
                and abs(offset - o * np.sign(normal @ n)) <= SAME_SAMPLES for n, o in tried):
            continue  # away from the bubble, or the same line again, a sample or a degree off
        tried.append((normal, offset))
        foot = np.full(2, centre) - offset * normal
        along = np.array([-normal[1], normal[0]])
        chord = float(np.sqrt(max(r * r - offset ** 2, 0.0)))
        ends = [_run(ink, printed == PRINTED, foot, along, normal, chord, sign)
                for sign in (1, -1)]
        if max(ends) - chord < LONG_PT * s:
            continue
        through = min(ends) >= THROUGH_R * r
        leaves_row = abs(along[1]) * max(ends) >= ROW_R * r
        rel = others - (foot - centre)
        t = rel @ along
        reached = OTHER_R * radii.max() * s  # it runs on into another bubble, or to its edge
        crosses = ((np.abs(rel @ normal) <= reached) & (t <= ends[0] + 2 * reached)
                   & (t >= -ends[1] - 2 * reached)).any()
        if through or leaves_row or crosses:
            return Line(centres[i] + (foot - centre) / s, along)
    return None


def _outside(ink: np.ndarray, centres: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """The ink (a k x k square of samples) outside the given bubbles (centres and radii in
    samples of the square), as an 8-bit image."""
    k = ink.shape[0]
    votes = ink.astype(np.uint8)
    grid = np.arange(k)
    for (cx, cy), r in zip(centres, radii, strict=True):
        if -r <= cx <= k + r and -r <= cy <= k + r:
            inside = ((grid[None, :] - cx) ** 2 + (grid[:, None] - cy) ** 2) <= r * r
            votes[inside] = 0
    return votes


def _fitted(pts: np.ndarray, normal: np.ndarray, signed: float, centre: float
            ) -> tuple[np.ndarray, float]:
    """The line Hough voted for, fitted to its own ink (`pts`: the inked samples, x and y):
    a stroke a few samples thick holds lines some degrees apart (one from edge to edge
    across it wins as often as its middle), and its far end lies off all but its middle.
    Fitted to the samples within FIT_SAMPLES of the line, FIT_ROUNDS times, each from the
    last fit; its normal and the centre's distance from it, as given."""
    middle = np.full(2, centre)
    for _ in range(FIT_ROUNDS):
        on = np.abs((middle - pts) @ normal - signed) <= FIT_SAMPLES
        if on.sum() < VOTES_PT * SAMPLES_PER_PT:
            break
        mean = pts[on].mean(axis=0)
        _, _, vt = np.linalg.svd(pts[on] - mean, full_matrices=False)
        fitted = np.array([-vt[0, 1], vt[0, 0]])
        normal = fitted if fitted @ normal >= 0 else -fitted
        signed = float((middle - mean) @ normal)
    return normal, signed


def _run(ink: np.ndarray, printed: np.ndarray, foot: np.ndarray, along: np.ndarray,
         normal: np.ndarray, start: float, sign: int) -> float:
    """How far (samples from the foot) the line's ink runs on one side, from `start`:
    up to its last ink before a gap of paper longer than GAP_PT; 0 when it is mostly not
    ink, or its ink is short."""
    k = ink.shape[0]
    reach = WIDE_SAMPLES + 1
    t = sign * np.arange(int(start), 2 * k)
    pts = foot + t[:, None] * along
    inside = ((pts >= reach) & (pts <= k - 1 - reach)).all(axis=1)
    pts, t = pts[inside], t[inside]

    def at(e: float) -> tuple[np.ndarray, np.ndarray]:
        q = np.rint(pts + e * normal).astype(int)
        return ink[q[:, 1], q[:, 0]], printed[q[:, 1], q[:, 0]]

    hit, on_print = at(0)
    for e in (-2, -1, 1, 2):  # a line a sample or two off, or a little crooked
        hit |= at(e)[0]
    (far_l, print_l), (far_r, print_r) = at(-WIDE_SAMPLES), at(WIDE_SAMPLES)
    # a line shows as ink with no ink to either side, and paper on one side at least (it may
    # run along a box's edge or a word); beside a fill, or with print on both sides, unknown
    clear = ~(far_l | far_r) & ~(print_l & print_r)
    seen = (hit & clear) | (~hit & ~on_print)
    hit, t = hit[seen] & clear[seen], t[seen]
    n = np.arange(len(hit))
    since = n - np.maximum.accumulate(np.where(hit, n, -1))  # paper in a row, up to here
    broken = np.flatnonzero(since > GAP_PT * SAMPLES_PER_PT)
    end = broken[0] if len(broken) else len(hit)
    inked = np.flatnonzero(hit[:end])
    if len(inked) < INKED_PT * SAMPLES_PER_PT or len(inked) < INKED_SHARE * (inked[-1] + 1):
        return 0.0
    return abs(float(t[inked[-1]]))
