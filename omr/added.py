"""Ink a person added around the bubbles: the print is known, so anything else is theirs.

The template publishes where the print is (a picture of it, or a box around
everything printed: text, rules, bars) beside the bubbles themselves. Around
each bubble a square is sampled upright at two samples a point; a sample is
added ink when it is clearly darker than the paper around it and nothing is
printed there. Per bubble this gives:

- `near`: added ink outside the bubble, in the part of the page closer to
  it than to any other bubble: a tick beside an option, a circled label,
  a mark between two options. Such ink on a question read as blank is a
  doubt, never silence.
- `crossed`: added ink far out on two opposite sides of the bubble: a line
  that runs through it and on, not a tick or a cross, whose ends stay near
  the bubble; or one straight stroke from far out aimed through it, whose
  other end is lost under the print.
- `joined`: ink between an inked bubble and an inked neighbour: one big
  fill running into the next box, rather than two marks.
- `leaning`: the ink inside a bubble lies only toward a marked neighbour,
  its far side paper: that neighbour's fill running in.
- `lined`: a long stray line (see `lines`) runs through the bubble and is
  all the ink it holds. The line's ink counts for none of the above.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from phieu.forms.template import Template

from .lines import BESIDE_R, PASS_R, THROUGH_R, Line, stray_line
from .measure import DIGIT_HALF, bubble_layout, darkness, per_template, sample_squares
from .pose import PageView
from .printed import ADDED_DARK, PRINTED, SAMPLES_PER_PT, added_threshold, print_raster

NEAR_R = BESIDE_R  # how far around a bubble ink is looked for, in radii
BUBBLE_PAD_PT = 1.2  # the outline and a sliver around it belong to the bubble
SPILL_PT = 4.5  # ink this close to another inked bubble is a spill of that bubble
ACROSS_PT = 6.0  # ink on both sides of a rule's padded box, this close, runs across it
SPECK_SAMPLES = 4  # a smaller blot is toner or dust; a fine pen line is longer
NEAR_MIN_PT2 = 2.0  # this much added ink near a bubble counts
JOINED_MIN_PT2 = 5.0  # this much ink between two inked boxes makes them one mark
CROSS_MIN_SAMPLES = 2  # per side of the ring
CROSS_APART_DEG = 150.0  # the two sides of a crossing line ...
CROSS_CHORD_R = 0.6  # ... and the line between them passes this close to the centre
REACH_SAMPLES = 12  # a straight stroke of this many samples beyond THROUGH_R on one side,
REACH_R = 0.8  # this long (radii)
ACROSS, REACHING = 2, 1
LINE_FAR_R, LINE_FAR_SAMPLES = 1.8, 10  # this much ink this far out: a long line, perhaps
# ... and this share of the paper that far out: no mark but something over the page (0.27
# and more where a copy's black edge hid a question; marks, spills and lines 0.09 at most)
COVERED_SHARE = 0.2
LINE_FEW_SAMPLES, LINE_THIN = 16, 0.4  # a line's ink in a bubble: little, or this thin
LINE_TOL_PT = 2.0  # ink this close to a stray line is the line's
LINE_OWN_SAMPLES = 4  # a bubble with no more ink of its own than this holds only the line
OWN_MARK_SAMPLES = 12  # ... and with this much, a mark of its own
# a bubble's ink leans on an inked neighbour (no farther than NEIGHBOUR_GAP_PT, edge to
# edge) when, inside it (INSIDE_R radii) and beyond FAR_SIDE_R radii on the side away from
# the neighbour, it is paper: darker than FAR_PAPER on average, OWN_FAR_SHARE inked at most
NEIGHBOUR_GAP_PT, INSIDE_R, FAR_SIDE_R, FAR_PAPER, OWN_FAR_SHARE = 9.0, 0.7, 0.15, 0.06, 0.05
# ... and the fill crosses the paper between them: of the free samples in a band BRIDGE_HALF_R
# radii either side of the line between the centres (BRIDGE_MIN_SAMPLES of them at least, or
# print fills the gap and nothing tells), this share is inked
BRIDGE_HALF_R, BRIDGE_MIN_SAMPLES, BRIDGE_INKED = 0.5, 4, 0.3


@dataclass(frozen=True)
class AddedInk:
    near: np.ndarray  # (N,) points² of added ink near each bubble of the page
    crossed: np.ndarray  # (N,) ACROSS, REACHING or 0: a line runs through the bubble and on
    joined: np.ndarray  # (N,) points² of ink between the bubble and an inked neighbour
    leaning: np.ndarray  # (N,) bool: its ink lies only on the side of a marked neighbour
    lined: np.ndarray  # (N,) bool: a stray line runs through it, and its ink is only that line
    covered: np.ndarray  # (N,) bool: inked, and so is the paper far around it: not a mark


@dataclass(frozen=True)
class _Zones:
    half: float  # half side of the sampled squares, points
    k: int
    free: np.ndarray  # (N, k*k) bool: neither printed nor a bubble (outline included)
    bare: np.ndarray  # (N, k*k) bool: the same, a rule only its own line (not its box)
    printed: np.ndarray  # (N, k*k) bool: print off the bubbles (a rule and its box, a word)
    near: np.ndarray  # (N, k*k) bool
    threshold: np.ndarray  # (N, k*k) darkness above which a sample is added ink
    neighbour: np.ndarray  # (N, k*k) the nearest other bubble of each sample (page index)
    to_neighbour: np.ndarray  # (N, k*k) points from that bubble's edge
    ring: np.ndarray  # (N, k*k) bool: where a crossing line shows
    angle: np.ndarray  # (k*k,) direction of each sample from the centre, radians
    offset: np.ndarray  # (k*k, 2) each sample from the centre, in radii
    inside: np.ndarray  # (N, k*k) bool: inside the bubble (INSIDE_R), off its printed digit
    far: np.ndarray  # (k*k,) bool: LINE_FAR_R radii from the centre or more

    @property
    def points(self) -> np.ndarray:
        """(k*k, 2) each sample from the centre, in points."""
        return self.offset * (self.half / NEAR_R)


@per_template
def _zones(template: Template, page: int) -> _Zones:
    layout = bubble_layout(template)
    idx = np.flatnonzero(layout.page == page)
    centres, radii = layout.centres[idx], layout.radii[idx]
    square = layout.square[idx]
    r = float(radii.max()) if len(idx) else 1.0
    half = NEAR_R * r
    k = int(round(2 * half * SAMPLES_PER_PT))
    t = (np.arange(k) + 0.5) / k * 2 * half - half
    gx, gy = np.meshgrid(t, t)
    off = np.stack([gx.ravel(), gy.ravel()], 1)  # (k*k, 2) points
    raster = print_raster(template, page)
    lines_only = print_raster(template, page, False)
    n = len(idx)
    free_all = np.zeros((n, k * k), bool)
    bare = np.zeros((n, k * k), bool)
    printed = np.zeros((n, k * k), bool)
    near = np.zeros((n, k * k), bool)
    ring = np.zeros((n, k * k), bool)
    inside = np.zeros((n, k * k), bool)
    threshold = np.zeros((n, k * k), np.float32)
    neighbour = np.zeros((n, k * k), np.int32)
    to_neighbour = np.full((n, k * k), np.inf, np.float32)
    for i in range(n):  # once per template, a bubble at a time: the few within reach of each
        pos = centres[i] + off  # (k*k, 2)
        iy = np.clip((pos[:, 1] * SAMPLES_PER_PT).astype(int), 0, raster.shape[0] - 1)
        ix = np.clip((pos[:, 0] * SAMPLES_PER_PT).astype(int), 0, raster.shape[1] - 1)
        threshold[i] = added_threshold(raster[iy, ix])
        close = np.flatnonzero(np.hypot(*(centres - centres[i]).T) < 2 * half + radii.max())
        d = np.abs(pos[:, None, :] - centres[close][None])  # (k*k, m, 2)
        box = square[close]  # (k*k, m): to the edge of each bubble near, box or circle
        edge = np.empty(d.shape[:2])
        edge[:, box] = d[:, box].max(axis=2)
        edge[:, ~box] = np.hypot(d[:, ~box, 0], d[:, ~box, 1])
        edge -= radii[close][None]
        own = edge[:, close == i][:, 0]
        others = edge[:, close != i]
        if others.shape[1]:
            neighbour[i] = close[close != i][np.argmin(others, axis=1)]
            to_neighbour[i] = others.min(axis=1)
        to_any = to_neighbour[i]
        off_bubbles = (own > BUBBLE_PAD_PT) & (to_any > BUBBLE_PAD_PT)
        free = (raster[iy, ix] != PRINTED) & off_bubbles
        free_all[i] = free
        bare[i] = (lines_only[iy, ix] != PRINTED) & off_bubbles
        printed[i] = (raster[iy, ix] == PRINTED) & off_bubbles
        dist_r = (own + radii[i]) / radii[i]
        near[i] = free & (dist_r <= NEAR_R) & (own <= to_any)
        ring[i] = free & (dist_r >= THROUGH_R)
        own_r = off / radii[i]  # in the bubble's own radii
        inside[i] = (np.abs(own_r).max(axis=1) if square[i]
                     else np.hypot(own_r[:, 0], own_r[:, 1])) <= INSIDE_R
        if layout.labelled[idx[i]]:  # the printed digit is no one's ink
            inside[i] &= ~((np.abs(own_r[:, 0]) < DIGIT_HALF[0])
                           & (np.abs(own_r[:, 1]) < DIGIT_HALF[1]))
    angle = np.arctan2(off[:, 1], off[:, 0])
    return _Zones(half, k, free_all, bare, printed, near, threshold, neighbour, to_neighbour,
                  ring, angle, off / r, inside,
                  np.hypot(off[:, 0], off[:, 1]) >= LINE_FAR_R * r)


def _across_print(ink: np.ndarray, dark_print: np.ndarray, k: int) -> np.ndarray:
    """Per square (rows of k x k samples), the dark print between ink above and ink below
    it, or left and right, no more than ACROSS_PT apart: where a blot crosses a rule (the
    rule's padded box is paper but where ink covers it)."""
    m = len(ink)
    line = int(ACROSS_PT * SAMPLES_PER_PT) | 1  # closing with it fills gaps up to its length
    # the squares one above the other, apart by more than a gap: closed up and down, and
    # left and right, ink fills every gap between ink no longer than ACROSS_PT
    stacked = np.zeros((m, k + line, k), np.uint8)
    stacked[:, :k] = ink.reshape(m, k, k)
    flat = stacked.reshape(-1, k)
    closed = cv2.morphologyEx(flat, cv2.MORPH_CLOSE, np.ones((line, 1), np.uint8)) \
        | cv2.morphologyEx(flat, cv2.MORPH_CLOSE, np.ones((1, line), np.uint8))
    return closed.reshape(m, k + line, k)[:, :k].reshape(m, -1).astype(bool) & dark_print


def _crossing(angle: np.ndarray, offset: np.ndarray) -> tuple[int, Line | None]:
    """ACROSS: ink far out on two nearly opposite sides, on a line through the bubble;
    REACHING: a straight stroke from far out on one side, aimed through the bubble (its
    other end may be under print), with that stroke's line (in radii from the centre);
    0: neither, ink that stays near the bubble."""
    bins = ((angle + np.pi) / (2 * np.pi) * 12).astype(int) % 12
    count = np.bincount(bins, minlength=12)
    sides = np.flatnonzero(count >= CROSS_MIN_SAMPLES)
    centroids = {a: offset[bins == a].mean(axis=0) for a in sides}
    for a in sides:
        for b in sides[sides > a]:
            gap = min(b - a, 12 - (b - a)) * 30.0
            p, q = centroids[a], centroids[b]
            d = q - p
            chord = abs(p[0] * d[1] - p[1] * d[0]) / max(float(np.hypot(*d)), 1e-6)
            if gap >= CROSS_APART_DEG and chord <= CROSS_CHORD_R:
                return ACROSS, None
    for a in sides:  # one long stroke: its far samples line up with the centre
        pts = offset[bins == a]
        if count[a] >= REACH_SAMPLES and len(pts) > 2:
            centred = pts - pts.mean(axis=0)
            _, sv, vt = np.linalg.svd(centred, full_matrices=False)
            p, d = pts.mean(axis=0), vt[0]
            chord = abs(p[0] * d[1] - p[1] * d[0])
            along = centred @ d
            if sv[1] < 0.5 * sv[0] and np.ptp(along) >= REACH_R and chord <= CROSS_CHORD_R:
                return REACHING, Line(p, d)
    return 0, None


def _straight(ink: np.ndarray, zones: _Zones) -> np.ndarray:
    """Per row of `ink` (samples of the squares), whether it is a thin straight stroke, or
    little: the part of a line inside a bubble, not a tick, a cross or a fill."""
    n = ink.sum(axis=1).astype(np.float64)
    w = ink / np.maximum(n, 1)[:, None]
    x, y = zones.offset[:, 0], zones.offset[:, 1]
    mx, my = w @ x, w @ y
    sxx, syy, sxy = w @ (x * x) - mx * mx, w @ (y * y) - my * my, w @ (x * y) - mx * my
    spread = np.sqrt(np.maximum((sxx - syy) ** 2 / 4 + sxy * sxy, 0))
    across = np.maximum((sxx + syy) / 2 - spread, 0)  # the eigenvalues of the spread
    along = np.maximum((sxx + syy) / 2 + spread, 1e-12)
    return (n < LINE_FEW_SAMPLES) | (np.sqrt(across / along) < LINE_THIN)


def _on_line(zones: _Zones, i: int, dark: np.ndarray, line: Line) -> tuple[np.ndarray, int]:
    """The samples of bubble `i`'s square on `line` (points, from its centre), and how much
    ink inside the bubble lies off it: the bubble's own."""
    on = line.distance(zones.points) <= LINE_TOL_PT
    return on, int((zones.inside[i] & (dark > ADDED_DARK) & ~on).sum())


def _leaning(radii: np.ndarray, i: int, zones: _Zones, dark: np.ndarray,
             centres: np.ndarray, marked: np.ndarray) -> np.ndarray | None:
    """The direction (unit, points) of the marked neighbour whose fill runs into bubble
    `i`, if the ink inside `i` lies only on its side; else None. The far side must be
    paper, neither a stroke nor a light fill of its own (a faint mark covers the whole
    bubble)."""
    gap = np.hypot(*(centres - centres[i]).T) - radii - radii[i]
    gap[i] = np.inf
    gap[~marked] = np.inf
    for nb in np.flatnonzero(gap <= NEIGHBOUR_GAP_PT):  # a marked bubble above and below
        u = (centres[nb] - centres[i]) / np.hypot(*(centres[nb] - centres[i]))
        far = zones.inside[i] & (zones.offset @ u < -FAR_SIDE_R * radii[i] / radii.max())
        if far.any() and dark[far].mean() < FAR_PAPER \
                and (dark[far] > ADDED_DARK).mean() < OWN_FAR_SHARE \
                and _bridged(zones, i, dark, u, float(gap[nb]), radii[i]):
            return u
    return None


def _bridged(zones: _Zones, i: int, dark: np.ndarray, u: np.ndarray, gap: float,
             radius: float) -> bool:
    """Whether ink crosses the paper between bubble `i` and its neighbour (direction `u`,
    `gap` points edge to edge): a fill that ran in does; a tick that only sits on that side
    of its own bubble does not (a rule between them is looked past). Where print fills the
    gap, nothing tells: it may."""
    pts = zones.points
    along = pts @ u - radius
    across = np.abs(pts @ np.array([-u[1], u[0]]))
    corridor = zones.bare[i] & (along > 0) & (along < gap) & (across <= BRIDGE_HALF_R * radius)
    if corridor.sum() < BRIDGE_MIN_SAMPLES:
        return True
    return bool((dark[corridor] > ADDED_DARK).mean() >= BRIDGE_INKED)


def added_ink(view: PageView, black: float, wanted: np.ndarray, inked: np.ndarray,
              marked: np.ndarray, light: np.ndarray) -> AddedInk:
    """Added ink around the `wanted` bubbles of the page, sampled at its centres (points,
    corrected); the others read as clean. Ink right beside an `inked` bubble is its own; a
    `marked` one may run into the next; a `light` one (marked, with little ink) leans only
    on a heavier one."""
    image, pose, template, page, centres = (view.image, view.pose, view.template, view.page,
                                            view.centres)
    zones = _zones(template, page)
    n = len(centres)
    near, crossed, joined = np.zeros(n), np.zeros(n, int), np.zeros(n)
    leaning, lined, covered = np.zeros(n, bool), np.zeros(n, bool), np.zeros(n, bool)
    which = np.flatnonzero(wanted)
    if not len(which):
        return AddedInk(near, crossed, joined, leaning, lined, covered)
    m = len(which)
    patches = sample_squares(image, pose, centres[which], np.full(m, zones.half), zones.k)
    flat = patches.reshape(m, -1)
    cut = int(flat.shape[1] * 0.9)
    white = np.partition(flat, cut, axis=1)[:, cut:cut + 1]  # the paper around
    dark = darkness(flat, white, black)
    layout = bubble_layout(template)
    radii = layout.radii[layout.page == page]
    lean = np.zeros((m, 2))  # toward the marked neighbour whose fill runs in, if any
    heavy = marked & ~light
    # a light mark may be a heavier neighbour's fill run in, even when no ink shows between
    # them (two boxes one above the other: their outlines leave no paper there)
    for j in np.flatnonzero(inked[which] & (~marked[which] | light[which])):
        u = _leaning(radii, which[j], zones, dark[j], centres,
                     heavy if marked[which[j]] else marked)
        if u is not None:
            leaning[which[j]] = True
            lean[j] = u
    # the print and the bubbles are not looked at: strokes are followed on paper only
    ink = (dark > zones.threshold[which]) & zones.free[which]
    # much of the paper far around an inked bubble inked too: something covers the page
    # there (a copy's black edge, a thumb), and what the bubble holds cannot be seen
    far = zones.free[which] & zones.far
    covered[which] = inked[which] & ((ink & far).sum(axis=1)
                                     >= COVERED_SHARE * np.maximum(far.sum(axis=1), 1))
    looked, looked_dark = which, dark  # every square, for the lines found in some of them
    rows = np.flatnonzero(ink.any(axis=1))  # a clean square has nothing to add
    which, ink, dark, white, lean = which[rows], ink[rows], dark[rows], white[rows], lean[rows]
    m = len(rows)
    if not m:
        return AddedInk(near, crossed, joined, leaning, lined, covered)
    # one image of all squares, a blank row after each so that no stroke runs into the next
    # ink on both sides of a rule, across it, is one blot (a fill running over the rule into
    # the next row) though the rule's box is not looked at
    across = _across_print(ink, zones.printed[which] & (dark > ADDED_DARK), zones.k)
    stacked = np.zeros((m, zones.k + 1, zones.k), np.uint8)
    stacked[:, :-1] = (ink | across).reshape(m, zones.k, zones.k)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(stacked.reshape(-1, zones.k),
                                                           connectivity=8)
    labels = labels.reshape(m, zones.k + 1, zones.k)[:, :-1].reshape(m, -1)
    keep = stats[:, cv2.CC_STAT_AREA] >= SPECK_SAMPLES  # specks of toner are not ink
    keep[0] = False
    ink = keep[labels] & ink
    over_rule = np.zeros(len(keep), bool)  # the blots that run across a rule
    over_rule[np.unique(labels[across])] = True
    over_rule[0] = False
    # a long line reaching out of the square: followed on the page, it is nobody's mark
    # (in an inked bubble whose ink is thin and straight; beside an empty one, only when
    # it reaches far and is enough to be a doubt)
    near_zone = zones.near[which]
    reaching = ((ink & zones.far).sum(axis=1) >= LINE_FAR_SAMPLES) \
        & ((ink & near_zone).sum(axis=1) >= NEAR_MIN_PT2 * SAMPLES_PER_PT ** 2)
    rows = np.flatnonzero(inked[which])
    own = zones.inside[which[rows]] & (dark[rows] > ADDED_DARK)
    reaching[rows] = (ink[rows].sum(axis=1) >= LINE_FAR_SAMPLES) & _straight(own, zones)
    found: list[Line] = []
    for j in np.flatnonzero(reaching):
        line = stray_line(view, radii, which[j], float(white[j, 0]), black)
        if line is not None:
            found.append(line)
            _take_line(zones, which[j], dark[j], ink[j], line, centres, radii, lined)
    # a line followed from one bubble runs on through the other inked ones in its way: down a
    # column, the rules and the next bubbles leave it little paper or none to be seen on there
    row_of = {int(i): j for j, i in enumerate(which)}
    for j in np.flatnonzero(inked[looked]):
        i = int(looked[j])
        if i in row_of and reaching[row_of[i]]:
            continue
        through = [ln for ln in found if Line(ln.point - centres[i], ln.direction)
                   .distance(np.zeros(2)) <= PASS_R * radii[i]]
        if through:
            _take_line(zones, i, looked_dark[j], ink[row_of[i]] if i in row_of else None,
                       through[0], centres, radii, lined)
    # the rest is about ink beside the bubbles: squares with none have nothing to add
    rows = np.flatnonzero(ink.any(axis=1))
    which, ink, labels, dark = which[rows], ink[rows], labels[rows], dark[rows]
    near_zone, lean = near_zone[rows], lean[rows]
    # ink beside an inked bubble is that bubble's own, and so is a blot touching it that
    # lies mostly beside it (a ring drawn round the next option only brushes it) or runs
    # on across a rule (a fill spilt into the next row: nobody marks across a rule)
    to_neighbour = zones.to_neighbour[which]
    beside = inked[zones.neighbour[which]] & (to_neighbour < SPILL_PT)
    touching = ink & beside & (to_neighbour < BUBBLE_PAD_PT * 2)
    size = np.bincount(labels[ink], minlength=len(keep))
    near_it = np.bincount(labels[ink], weights=beside[ink], minlength=len(keep))
    blot = np.zeros(len(keep), bool)
    blot[np.unique(labels[touching])] = True
    blot &= (near_it >= 0.5 * np.maximum(size, 1)) | over_rule
    blot[0] = False
    spill = beside | blot[labels]
    spill |= lean @ zones.offset.T > 0  # the neighbour's side is its fill, cut by a rule
    near[which] = (ink & near_zone & ~spill).sum(axis=1) / SAMPLES_PER_PT ** 2
    between = ink & near_zone & spill & inked[which, None]
    joined[which] = between.sum(axis=1) / SAMPLES_PER_PT ** 2
    for j in np.flatnonzero(marked[which] & (joined[which] > 0)):  # its own mark, or a spill?
        i = which[j]
        leaning[i] = _leaning(radii, i, zones, dark[j], centres,
                              heavy if light[i] else marked) is not None
    ring = ink & zones.ring[which] & ~spill  # a neighbour's own ink is no line through this one
    for j in np.flatnonzero(ring.any(axis=1)):
        kind, line = _crossing(zones.angle[ring[j]], zones.offset[ring[j]])
        if line is not None:  # a stroke reaching in: is the bubble's ink more than its end?
            scale = zones.half / NEAR_R  # the line is in radii
            if _on_line(zones, which[j], dark[j],
                        Line(line.point * scale, line.direction))[1] >= OWN_MARK_SAMPLES:
                kind = 0  # a mark of its own, and the stroke its long arm
        crossed[which[j]] = kind
    return AddedInk(near, crossed, joined, leaning, lined, covered)


def _take_line(zones: _Zones, i: int, dark: np.ndarray, ink: np.ndarray | None, line: Line,
               centres: np.ndarray, radii: np.ndarray, lined: np.ndarray) -> None:
    """Takes a stray `line` (page points) off bubble `i`'s square `ink` (in place, when it
    has any); marks the bubble `lined` when the line runs through it and it holds
    nothing else: no mark. A line beside it says nothing."""
    local = Line(line.point - centres[i], line.direction)
    on_line, own = _on_line(zones, i, dark, local)
    if ink is not None:
        ink &= ~on_line
    lined[i] = own <= LINE_OWN_SAMPLES and local.distance(np.zeros(2)) <= PASS_R * radii[i]
