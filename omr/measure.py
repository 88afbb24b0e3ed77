"""Measure the ink in every bubble, all at once, in template coordinates.

Each bubble is sampled as a small square patch around it through the
page's homography, in one `cv2.remap` call for the whole page. Ink is
measured relative to the paper around that bubble (so shading from a
phone photo or a fold does not count as ink) and to the darkest ink on
the page (the markers), so a pale scan and a dark one read alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from phieu.forms.template import Template

from .pose import Pose

PATCH_R = 1.6  # patch half-side, in bubble radii
INNER_R = 0.68  # inside this, ink is a mark (the printed outline sits at 1.0)
STRONG = 0.5  # a pixel this dark (0..1) is clearly inked


@dataclass(frozen=True)
class BubbleLayout:
    """The template's bubbles as arrays, in template order."""

    centres: np.ndarray  # (N, 2) points
    radii: np.ndarray  # (N,)
    question: np.ndarray  # (N,) index into template.questions
    appearance: np.ndarray  # (N,) class of look when empty: shape and inner label
    values: tuple[str, ...]
    page: np.ndarray  # (N,) form page


_LAYOUTS: dict[int, tuple[Template, BubbleLayout]] = {}


def bubble_layout(template: Template) -> BubbleLayout:
    """The bubbles of a template as arrays; computed once per template object."""
    cached = _LAYOUTS.get(id(template))
    if cached and cached[0] is template:
        return cached[1]
    layout = _bubble_layout(template)
    _LAYOUTS[id(template)] = (template, layout)
    return layout


def _bubble_layout(template: Template) -> BubbleLayout:
    centres, radii, question, appearance, values, page = [], [], [], [], [], []
    classes: dict[tuple[str, bool], int] = {}
    for qi, q in enumerate(template.questions):
        cls = classes.setdefault((q.shape, q.inner_label), len(classes))
        for o in q.options:
            centres.append((o.x_pt, o.y_pt))
            radii.append(o.r_pt)
            question.append(qi)
            appearance.append(cls)
            values.append(o.value)
            page.append(q.page)
    return BubbleLayout(np.array(centres, float), np.array(radii, float), np.array(question),
                        np.array(appearance), tuple(values), np.array(page))


@lru_cache(maxsize=8)
def _patch_grid(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Offsets of a k x k patch in bubble radii, and each sample's distance from the centre."""
    t = (np.arange(k) + 0.5) / k * 2 * PATCH_R - PATCH_R
    gx, gy = np.meshgrid(t, t)
    return np.stack([gx, gy], -1), np.hypot(gx, gy)


def sample_patches(image: np.ndarray, pose: Pose, centres: np.ndarray, radii: np.ndarray,
                   k: int) -> np.ndarray:
    """(N, k, k) float32 patches around each centre, k samples across 2 * PATCH_R radii."""
    offsets, _ = _patch_grid(k)
    pts = centres[:, None, None, :] + offsets[None] * radii[:, None, None, None]
    img_pts = pose.to_image(pts.reshape(-1, 2)).astype(np.float32)
    maps = img_pts.reshape(len(centres) * k, k, 2)
    patches = cv2.remap(image, maps[..., 0], maps[..., 1], cv2.INTER_LINEAR,
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


@dataclass(frozen=True)
class BubbleMeasures:
    fill: np.ndarray  # mean darkness inside, 0 (paper) .. 1 (printed black)
    strong: np.ndarray  # share of inside pixels darker than STRONG
    outline: np.ndarray  # printed outline darker than the paper just outside: found where said


def measure_bubbles(image: np.ndarray, pose: Pose, template: Template,
                    page: int) -> tuple[BubbleLayout, np.ndarray, BubbleMeasures]:
    """Ink measures for the bubbles on form page `page`; returns the layout and their mask."""
    layout = bubble_layout(template)
    on_page = layout.page == page
    if not on_page.any():
        empty = np.zeros(0, np.float32)
        return layout, on_page, BubbleMeasures(empty, empty, empty)
    radii = layout.radii[on_page]
    # about 2 samples per point, fewer when the scan itself is coarser
    k = int(np.clip(round(2 * PATCH_R * radii.mean() * min(pose.px_per_pt, 2.2)), 14, 40))
    patches = sample_patches(image, pose, layout.centres[on_page], radii, k)
    _, dist = _patch_grid(k)
    black = ink_level(image, pose, template)
    white = np.percentile(patches.reshape(len(patches), -1), 80, axis=1)[:, None, None]
    white = np.maximum(white, black + 40)  # a patch that is all ink is still measured fairly
    dark = np.clip((white - patches) / (white - black), 0, 1)
    inner = dist <= INNER_R
    ring = (dist >= 0.88) & (dist <= 1.12)
    outside = (dist >= 1.3) & (dist <= 1.5)
    fill = dark[:, inner].mean(axis=1)
    strong = (dark[:, inner] > STRONG).mean(axis=1)
    outline = dark[:, ring].mean(axis=1) - dark[:, outside].mean(axis=1)
    return layout, on_page, BubbleMeasures(fill, strong, outline)
