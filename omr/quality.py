"""Whether a phone photo of a sheet is good enough to read, measured while the paper is
still in hand: a photo that fails is taken again rather than flagged for later.

Every measure is taken where the reader located the page (its pose), so the desk, the
hand and the rest of the picture do not count:

- **in frame**: the corner marks' outer edges, as the pose puts them, inside the picture;
- **detail**: points of the page per pixel (a page photographed from too far);
- **slant**: how much larger the page is at its nearest corner than at its farthest
  (a photo taken at a steep angle);
- **sharpness**: the steepest edges of the printed page in the direction where they are
  least steep (a shaken phone smears edges across one direction only), against the
  page's contrast;
- **exposure**: the paper's grey level and its contrast with the print;
- **glare and shadow**: the paper's brightness around each bubble against the page's
  usual paper: washed towards white, or in deep shadow.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from phieu.forms.template import Template

from .pose import to_image
from .read import as_grey
from .result import PageResult
from .vocabulary import Code, Quality


@dataclass(frozen=True)
class Limits:
    """Where a measure turns from fine to a reason to take the photo again."""
    corners: bool  # the corner marks must be inside the picture (the bubbles, the code and
    # the text boxes always must)
    px_per_pt: float  # the page's detail
    slant: float  # nearest corner's scale against the farthest's
    sharpness: float  # the steepest edge's grey step per pixel, a share of the contrast
    paper: float  # grey level of the lit paper
    contrast: float  # paper against print
    glare: bool  # bubbles under glare count
    shadow: bool  # bubbles in deep shadow count


# Past these a photo is taken again whatever the reader made of it: it cannot be trusted
# to show a mark (a bubble out of the picture or washed out by glare), or it is far beyond
# every photo the reader was measured on. Between these and NEAR, the reader decides: a
# photo it reads with certainty stands; one it doubts is taken again for the measure that
# came near its limit. Both were set on generated photos of every trouble, each from
# harmless to hopeless (bench/bench_capture.py).
HARD = Limits(corners=False, px_per_pt=0.65, slant=2.6, sharpness=0.11, paper=45,
              contrast=38, glare=True, shadow=False)
NEAR = Limits(corners=True, px_per_pt=1.3, slant=1.45, sharpness=0.2, paper=75,
              contrast=60, glare=True, shadow=True)
IN_FRAME_PX = 2.0  # the corner marks' outer edges at least this far inside the picture
GLARE_SHARE = 0.6  # a bubble's paper this far from the usual paper towards white
EDGE_BAND = 0.02  # the picture's edges: this share of its short side
PAPER_LIKE = 0.75  # as light as paper: this share of the paper's grey level and more
PAPER_AT_EDGES = 0.25  # ... over this share of the edges: the page runs out of the picture
WASHED_OUT = 0.5  # ... where the print stands out less than this share of the usual
SHADOW_SHARE = 0.6  # a bubble's paper under this share of the best lit bubbles'


@dataclass(frozen=True)
class PhotoMeasures:
    """What the gate measured on a located page."""
    in_frame: float  # px the corner marks lie inside the picture (negative: outside)
    content_in_frame: float  # px the bubbles and the code lie inside it
    px_per_pt: float
    slant: float
    sharpness: float
    paper: float
    contrast: float
    glare: float  # share of the bubbles under glare
    shadow: float  # share of the bubbles in deep shadow

    def problems(self, limits: Limits = HARD) -> list[Quality]:
        """What is wrong with the photo past `limits`, the first the one to fix first."""
        out = []
        if self.content_in_frame < 0 or (limits.corners and self.in_frame < IN_FRAME_PX):
            out.append(Quality.CORNERS_OUT)
        if self.px_per_pt < limits.px_per_pt:
            out.append(Quality.TOO_FAR)
        if self.slant > limits.slant:
            out.append(Quality.STEEP)
        if self.paper < limits.paper or self.contrast < limits.contrast:
            out.append(Quality.DARK)
        if self.sharpness < limits.sharpness:
            out.append(Quality.BLURRED)
        if (limits.glare and self.glare > 0) or (limits.shadow and self.shadow > 0):
            out.append(Quality.GLARE)
        return out


def _scale_at(homography: np.ndarray, pt: np.ndarray) -> float:
    """Pixels a point near `pt` (the square root of the map's local area change)."""
    d = 1.0
    p = to_image(homography, np.array([pt, pt + (d, 0), pt + (0, d)]))
    (ax, ay), (bx, by) = p[1] - p[0], p[2] - p[0]
    return float(abs(ax * by - ay * bx)) ** 0.5 / d


def _page_corners(template: Template) -> np.ndarray:
    """The outer corners of the four corner marks, in points."""
    out = []
    for m in sorted(template.markers, key=lambda m: ("tl", "tr", "br", "bl").index(m.corner)):
        b = m.box
        x = b.x_pt if m.corner in ("tl", "bl") else b.x_pt + b.w_pt
        y = b.y_pt if m.corner in ("tl", "tr") else b.y_pt + b.h_pt
        out.append((x, y))
    return np.array(out, float)


# each direction a grey step is taken in: (rows, columns) between the two pixels, and
# the distance between them
_DIRECTIONS = (((0, 1), 1.0), ((1, 0), 1.0), ((1, 1), 2 ** 0.5), ((1, -1), 2 ** 0.5))


def _pairs(a: np.ndarray, dy: int, dx: int) -> tuple[np.ndarray, np.ndarray]:
    """Each pixel of `a` and its neighbour (dy, dx) away, as two views of equal shape."""
    h, w = a.shape
    first = a[:h - dy, max(0, -dx):w - max(0, dx)]
    return first, a[dy:, max(0, dx):w - max(0, -dx)]


def _sharpness(grey: np.ndarray, mask: np.ndarray, contrast: float) -> float:
    """The 99.5th percentile of the grey step per pixel across edges, in the direction
    where it is least, as a share of the contrast (counted in whole grey levels: a
    histogram of the steps, not a sort of them)."""
    steps = []
    for (dy, dx), apart in _DIRECTIONS:
        here, there = _pairs(grey, dy, dx)
        inside = np.ascontiguousarray(_pairs(mask, dy, dx)[0], np.uint8)
        hist = cv2.calcHist([cv2.absdiff(here, there)], [0], inside, [256], [0, 256]).ravel()
        total = hist.sum()
        if not total:
            return 0.0
        level = int(np.searchsorted(np.cumsum(hist), 0.995 * total))
        steps.append(level / apart)
    return min(steps) / max(contrast, 1.0)


def _bubble_light(grey: np.ndarray, centres: np.ndarray, radius: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Around each bubble: its paper (the bright side), and how far its print stands out
    from that paper (a bubble's printed ring, and any mark); NaN out of the picture."""
    h, w = grey.shape
    r = max(2, int(round(radius)))
    paper, shown = np.full(len(centres), np.nan), np.full(len(centres), np.nan)
    for i, (x, y) in enumerate(centres):
        x0, y0 = int(x) - r, int(y) - r
        patch = grey[max(0, y0):min(h, y0 + 2 * r + 1), max(0, x0):min(w, x0 + 2 * r + 1)]
        if patch.size:
            dark, paper[i] = np.percentile(patch, [5, 90])
            shown[i] = paper[i] - dark
    return paper, shown


def _edge_room(points: np.ndarray, shape: tuple[int, ...]) -> float:
    """Pixels the points lie inside the picture at the least (negative: outside)."""
    h, w = shape[:2]
    return float(min(points[:, 0].min(), points[:, 1].min(),
                     w - 1 - points[:, 0].max(), h - 1 - points[:, 1].max()))


def _content(template: Template, page: int) -> tuple[np.ndarray, float, np.ndarray]:
    """The page's bubble centres and largest radius, and the corners of its QR code and
    text boxes, in points."""
    options = [o for q in template.questions if q.page == page for o in q.options] or [
        o for q in template.questions for o in q.options]
    centres = np.array([(o.x_pt, o.y_pt) for o in options], float)
    boxes = [template.identity.qr] + [t.box for t in template.text_boxes if t.page == page]
    corners = np.array([(b.x_pt + dx * b.w_pt, b.y_pt + dy * b.h_pt)
                        for b in boxes for dx in (0, 1) for dy in (0, 1)], float)
    return centres, max(o.r_pt for o in options), corners


def measure_photo(grey: np.ndarray, result: PageResult, template: Template
                  ) -> PhotoMeasures | None:
    """The gate's measures of a photo whose page the reader located (None otherwise);
    `grey`: the photo as the reader saw it."""
    if result.homography is None:
        return None
    hom = result.homography
    marks = _page_corners(template)
    corners = to_image(hom, marks)
    scales = [_scale_at(hom, c) for c in marks]
    px_per_pt = float(np.mean(scales))
    page = result.identity.form_page if result.identity is not None else 1
    centres_pt, r_pt, boxes_pt = _content(template, page)
    centres = to_image(hom, centres_pt)
    content = min(_edge_room(centres, grey.shape) - r_pt * px_per_pt,
                  _edge_room(to_image(hom, boxes_pt), grey.shape))
    mask = np.zeros(grey.shape, np.uint8)
    cv2.fillConvexPoly(mask, cv2.convexHull(np.round(corners).astype(np.int32)), 1)
    inside = mask.astype(bool)
    if inside.sum() < 1000:  # a page a few pixels across: nothing else is worth measuring
        return PhotoMeasures(_edge_room(corners, grey.shape), content, px_per_pt,
                             float("inf"), 0.0, 0.0, 0.0, 0.0, 0.0)
    lo, hi = np.percentile(grey[inside], [1, 90])
    light, shown = _bubble_light(grey, centres, 2.2 * r_pt * px_per_pt)
    seen = np.isfinite(light)
    if seen.any():
        usual, lit = float(np.median(light[seen])), float(np.percentile(light[seen], 95))
        usual_shown = float(np.median(shown[seen]))
    else:
        usual = lit = usual_shown = 0.0
    # glare that washed the print out: a mark there would be gone too
    glare = seen & (light > usual + GLARE_SHARE * (255 - usual)) & (light > 235) & (
        shown < WASHED_OUT * usual_shown)
    shadow = seen & (light < SHADOW_SHARE * lit)
    return PhotoMeasures(
        in_frame=_edge_room(corners, grey.shape), content_in_frame=content,
        px_per_pt=px_per_pt, slant=max(scales) / max(min(scales), 1e-6),
        sharpness=_sharpness(grey, inside, float(hi - lo)), paper=float(hi),
        contrast=float(hi - lo), glare=float(glare.mean()), shadow=float(shadow.mean()))


@dataclass(frozen=True)
class PhotoJudgement:
    """The gate's word on a photo: what to fix before it is read (nothing: it stands), or
    a page that is no form at all."""
    problems: list[Quality]
    foreign: bool = False
    measures: PhotoMeasures | None = None


def judge_photo(image: np.ndarray, result: PageResult, template: Template) -> PhotoJudgement:
    """Whether a photo the reader has read stands, or is taken again, and why.

    A photo past a HARD limit is taken again whatever was read. Otherwise one the reader
    read with certainty stands. One it doubts is taken again when a measure came NEAR its
    limit (that is the likely cause), or when on a page it located it could not read the
    sheet's number or line the page up with the form: on a photo that is the camera's
    doing far more often than the paper's, and the paper is still in hand. A respondent's
    doubtful mark on a good photo is left to the coordinator."""
    grey = as_grey(image)
    measures = measure_photo(grey, result, template)
    if measures is not None:
        problems = measures.problems(HARD)
        if not problems and result.doubts:
            problems = measures.problems(NEAR)
            if not problems:
                problems = _photo_doubts(result)
        return PhotoJudgement(problems, measures=measures)
    # no page located: a photo too poor to find it in, the corner marks out of the
    # picture, or something that is no form
    lo, hi = np.percentile(grey, [1, 90])
    problems = []
    if 0 < result.markers < len(template.markers) or _paper_at_edges(grey, float(hi)):
        problems.append(Quality.CORNERS_OUT)
    if hi < NEAR.paper or hi - lo < NEAR.contrast:
        problems.append(Quality.DARK)
    if _sharpness(grey, np.ones(grey.shape, bool), float(hi - lo)) < NEAR.sharpness:
        problems.append(Quality.BLURRED)
    return PhotoJudgement(problems, foreign=not problems)


def _paper_at_edges(grey: np.ndarray, paper: float) -> bool:
    """Whether paper runs out of the picture: the picture's edges are largely as light as
    paper (around a page wholly in the picture lies the desk)."""
    h, w = grey.shape
    band = max(2, int(EDGE_BAND * min(h, w)))
    edges = np.concatenate([grey[:band].ravel(), grey[-band:].ravel(),
                            grey[:, :band].ravel(), grey[:, -band:].ravel()])
    return float(np.mean(edges > PAPER_LIKE * paper)) > PAPER_AT_EDGES


_UNCLEAR = frozenset({Code.PAGE_MISALIGNED, Code.MISALIGNED, Code.READ_AS_OTHER_PAGE,
                      Code.PAGE_NOT_LOCATED})


def _photo_doubts(result: PageResult) -> list[Quality]:
    """The reader's doubts on a located page that a better photo removes."""
    codes = {d.code for d in result.doubts}
    out = [Quality.NO_ID] if Code.ID_UNREADABLE in codes else []
    return out + ([Quality.UNCLEAR] if codes & _UNCLEAR else [])
