"""Find where the form lies in a scan: the homography from template points to pixels.

The four ArUco markers each have their own id, so the corner each one
sits in is known whatever way up the page was scanned. Detection runs
on a reduced copy of the image, first in its four corners only (where
the markers are on a flat-bed scan), then on the whole image (a phone
photo with the page somewhere in it). This is a first pose only: with
fewer than three markers the QR code's corners are added by the caller,
and `register` refines every pose on the print all over the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

from phieu.forms.template import Template

DETECT_LONG_SIDE = 900  # px of the image markers are searched in (~75 dpi for A4)
MAX_REPROJECTION_PT = 2.0  # worst marker corner off its fitted place, in points
CORNER_SHARE = (0.26, 0.2)  # of the page's width and height: where a corner marker is sought


@dataclass(frozen=True)
class PageView:
    """One page of the form as the reading stages look at it: the image, where the template
    sits on it, which page of the form it is, and its bubbles' centres (points, corrected by
    the registration)."""
    image: np.ndarray
    pose: Pose
    template: Template
    page: int
    centres: np.ndarray


@dataclass(frozen=True)
class Pose:
    homography: np.ndarray  # 3x3, template points -> image pixels
    markers: tuple[int, ...]  # ids found
    error_pt: float  # worst reprojection error of the marker corners, in points
    px_per_pt: float  # scale of the scan around the page centre

    def to_image(self, pts: np.ndarray) -> np.ndarray:
        """Template points (N, 2) to image pixels (N, 2)."""
        return to_image(self.homography, pts)


def to_image(homography: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Template points (N, 2) to image pixels (N, 2), by a homography."""
    return cv2.perspectiveTransform(np.asarray(pts, np.float64).reshape(-1, 1, 2),
                                    homography).reshape(-1, 2)


@cache
def _detector(dictionary: str) -> cv2.aruco.ArucoDetector:
    params = cv2.aruco.DetectorParameters()
    params.adaptiveThreshWinSizeMin = 9  # two window sizes suit markers of 25-60 px
    params.adaptiveThreshWinSizeMax = 23
    params.adaptiveThreshWinSizeStep = 14
    params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
    params.cornerRefinementWinSize = 3
    d = cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, dictionary))
    return cv2.aruco.ArucoDetector(d, params)


def _detect(img: np.ndarray, dictionary: str, offset: tuple[int, int] = (0, 0)
            ) -> dict[int, np.ndarray]:
    corners, ids, _ = _detector(dictionary).detectMarkers(img)
    found: dict[int, np.ndarray] = {}
    if ids is None:
        return found
    for c, i in zip(corners, ids.ravel(), strict=True):
        found.setdefault(int(i), c.reshape(4, 2) + np.array(offset, dtype=np.float32))
    return found


def reduce(image: np.ndarray, long_side: int = DETECT_LONG_SIDE) -> tuple[np.ndarray, float]:
    """A smaller copy for searching, and its scale: halved with a proper low-pass filter
    while it is twice too large, then resized the rest of the way (10x faster than INTER_AREA)."""
    small = image
    while max(small.shape[:2]) >= 2 * long_side:
        small = cv2.pyrDown(small)
    f = long_side / max(small.shape[:2])
    if f < 1:
        small = cv2.resize(small, None, fx=f, fy=f, interpolation=cv2.INTER_LINEAR)
    return small, small.shape[1] / image.shape[1]


def find_markers(image: np.ndarray, template: Template,
                 reduced: tuple[np.ndarray, float] | None = None) -> dict[int, np.ndarray]:
    """Marker id -> its 4 outer corners in image pixels (marker's own corner order)."""
    small, scale = reduced or reduce(image)
    sh, sw = small.shape[:2]
    wanted = {m.id for m in template.markers}
    found: dict[int, np.ndarray] = {}
    cw, ch = int(sw * CORNER_SHARE[0]), int(sh * CORNER_SHARE[1])
    for x0, y0 in ((0, 0), (sw - cw, 0), (0, sh - ch), (sw - cw, sh - ch)):
        found.update(_detect(small[y0:y0 + ch, x0:x0 + cw], template.marker_dictionary, (x0, y0)))
    if len(wanted & found.keys()) < len(wanted):
        for i, c in _detect(small, template.marker_dictionary).items():
            found.setdefault(i, c)
    return {i: c / scale for i, c in found.items() if i in wanted}


def fit_pose(template: Template, markers: dict[int, np.ndarray],
             extra: list[tuple[np.ndarray, np.ndarray]] = ()) -> Pose | None:
    """A first pose from the markers found (and any extra point pairs: the QR code's
    corners), or None.

    Points that all lie along one side of the page (two top marks and the QR code, say)
    fix a homography's tilt terms badly: far from them it can be off by a row. There
    the fit is a similarity (rotation, scale, shift), which a flat scan is; the printed
    outlines all over the page then confirm or correct it (see `register`).
    """
    pairs = [marker_points(template, markers)] if markers else []
    pairs += [(np.asarray(s, float), np.asarray(d, float)) for s, d in extra]
    if not pairs:
        return None
    src_a = np.concatenate([s for s, _ in pairs])
    dst_a = np.concatenate([d for _, d in pairs])
    if len(markers) + len(extra) >= 3 and _spans_page(template, src_a):
        H, _ = cv2.findHomography(src_a, dst_a, 0)
    else:
        A, _ = cv2.estimateAffinePartial2D(src_a, dst_a, method=cv2.LMEDS)
        H = None if A is None else np.vstack([A, [0, 0, 1]])
    return pose_from_homography(H, template, tuple(sorted(markers)), src_a, dst_a)


def marker_points(template: Template, markers: dict[int, np.ndarray]
                  ) -> tuple[np.ndarray, np.ndarray]:
    """The found markers' corners: template points (M*4, 2) and image pixels (M*4, 2)."""
    boxes = {m.id: m.box for m in template.markers}
    src = [np.array(boxes[i].corners(), float) for i in markers]
    dst = [np.asarray(c, float) for c in markers.values()]
    if not src:
        return np.zeros((0, 2)), np.zeros((0, 2))
    return np.concatenate(src), np.concatenate(dst)


def _spans_page(template: Template, pts: np.ndarray) -> bool:
    """Whether points reach across most of the page both ways."""
    w, h = template.page_size_pt
    span = pts.max(axis=0) - pts.min(axis=0)
    return bool(span[0] > 0.6 * w and span[1] > 0.6 * h)


def pose_from_homography(H: np.ndarray | None, template: Template, markers: tuple[int, ...],
                         src: np.ndarray, dst: np.ndarray) -> Pose | None:
    """A Pose with its scale at the page centre and its worst error on the given pairs."""
    if H is None or not np.isfinite(H).all():
        return None
    pose = Pose(H, markers, 0.0, 1.0)
    w, h = template.page_size_pt
    centre = np.array([[w / 2, h / 2], [w / 2 + 1, h / 2], [w / 2, h / 2 + 1]])
    c = pose.to_image(centre)
    px_per_pt = float((np.linalg.norm(c[1] - c[0]) + np.linalg.norm(c[2] - c[0])) / 2)
    if not 0.3 < px_per_pt < 20:
        return None
    err = float(np.linalg.norm(pose.to_image(src) - dst, axis=1).max()) / px_per_pt
    return Pose(H, markers, err, px_per_pt)


def rotation_degrees(pose: Pose, template: Template) -> int:
    """Which way up the page was scanned: 0, 90, 180 or 270 degrees clockwise."""
    w, h = template.page_size_pt
    a, b = pose.to_image(np.array([[w / 2, h / 2], [w / 2, 0.0]]))
    angle = np.degrees(np.arctan2(b[0] - a[0], -(b[1] - a[1])))  # direction of the page's top
    return int(round(angle / 90)) % 4 * 90
