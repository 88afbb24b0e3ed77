"""Straighten a located page, or a box of it, into template coordinates."""

from __future__ import annotations

import cv2
import numpy as np

from phieu.forms.template import Box, Template

from .pose import Pose


def warp_box(image: np.ndarray, pose: Pose, box: Box, px_per_pt: float,
             margin_pt: float = 0.0, margin_y_pt: float | None = None) -> np.ndarray:
    """The template box, straightened, at `px_per_pt` pixels a point."""
    my = margin_pt if margin_y_pt is None else margin_y_pt
    w = int(round((box.w_pt + 2 * margin_pt) * px_per_pt))
    h = int(round((box.h_pt + 2 * my) * px_per_pt))
    # output pixel -> template point -> image pixel
    to_tpl = np.array([[1 / px_per_pt, 0, box.x_pt - margin_pt],
                       [0, 1 / px_per_pt, box.y_pt - my], [0, 0, 1]])
    return cv2.warpPerspective(image, pose.homography @ to_tpl, (w, h),
                               flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                               borderMode=cv2.BORDER_REPLICATE)


def box_picture(image: np.ndarray, homography: np.ndarray, box: Box,
                px_per_pt: float) -> np.ndarray:
    """A box of the template as printed, upright, at `px_per_pt` pixels a point, from a page
    whose homography (template points to its pixels) a reading found."""
    return warp_box(image, Pose(np.asarray(homography, float), (), 0.0, 1.0), box, px_per_pt)


def straighten(image: np.ndarray, homography: np.ndarray, template: Template,
               px_per_pt: float) -> np.ndarray:
    """The whole page as printed, upright, at `px_per_pt` pixels a point."""
    w, h = template.page_size_pt
    return box_picture(image, homography, Box(0, 0, w, h), px_per_pt)
