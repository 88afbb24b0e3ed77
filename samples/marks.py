"""Marks people make in bubbles, drawn as ink onto a darkness layer (0 paper .. 1 black).

Every mark is drawn at random within wide ranges (darkness, size, place,
stroke width, shape) from the given generator, so a seed reproduces it.
"""

from __future__ import annotations

import cv2
import numpy as np

# kinds a person reading the sheet would take as a clear answer
CLEAR = ("pen", "pencil", "tick", "cross", "scribble", "spill", "dot",
         "sloppy", "spiral", "hatch", "offset", "thin-tick")
# kinds a person would have to look at: too light, or rubbed out
FAINT = "faint"
ERASED = "erased"
# ink beside the bubble rather than in it: a person reads the answer, the reader must ask
BESIDE = ("circled", "tick-beside", "circled-label")


def stroke(layer: np.ndarray, pts: np.ndarray, width_px: float, darkness: float) -> None:
    """A pen stroke along `pts` (pixels), anti-aliased, darkening the layer."""
    pad = int(width_px) + 3
    x0, y0 = np.maximum(np.floor(pts.min(0)).astype(int) - pad, 0)
    x1, y1 = np.ceil(pts.max(0)).astype(int) + pad
    x1, y1 = min(x1, layer.shape[1]), min(y1, layer.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    shift = 4  # sub-pixel precision
    cv2.polylines(mask, [np.round((pts - [x0, y0]) * (1 << shift)).astype(np.int32)], False, 255,
                  max(1, int(round(width_px))), cv2.LINE_AA, shift)
    region = layer[y0:y1, x0:x1]
    np.maximum(region, mask.astype(np.float32) / 255 * darkness, out=region)


def _blob(layer: np.ndarray, cx: float, cy: float, radius: float, darkness: float,
          rng: np.random.Generator, texture: float = 0.0, roughness: float = 0.12) -> None:
    """A filled, irregular disk: a bubble filled in by hand."""
    n = 28
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    radii = radius * (1 + rng.normal(0, roughness, n).clip(-0.3, 0.3))
    pts = np.stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)], 1)
    x0, y0 = np.floor(pts.min(0)).astype(int) - 2
    x1, y1 = np.ceil(pts.max(0)).astype(int) + 3
    x0, y0 = max(x0, 0), max(y0, 0)
    x1, y1 = min(x1, layer.shape[1]), min(y1, layer.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    shift = 4
    cv2.fillPoly(mask, [np.round((pts - [x0, y0]) * (1 << shift)).astype(np.int32)], 255,
                 cv2.LINE_AA, shift)
    ink = mask.astype(np.float32) / 255 * darkness
    if texture:  # pencil grain and pen gaps: the fill is not uniform
        grain = rng.uniform(1 - texture, 1, ink.shape).astype(np.float32)
        ink *= cv2.GaussianBlur(grain, (3, 3), 0)
    region = layer[y0:y1, x0:x1]
    np.maximum(region, ink, out=region)


def _sheen(layer: np.ndarray, cx: float, cy: float, r: float, rng: np.random.Generator) -> None:
    """Lighten a band across a pencil fill: graphite reflects the scanner's lamp."""
    y0, y1 = max(int(cy - 1.3 * r), 0), min(int(cy + 1.3 * r) + 1, layer.shape[0])
    x0, x1 = max(int(cx - 1.3 * r), 0), min(int(cx + 1.3 * r) + 1, layer.shape[1])
    if y1 <= y0 or x1 <= x0:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1]
    a = rng.uniform(0, np.pi)
    dist = (xx - cx) * np.sin(a) - (yy - cy) * np.cos(a) - rng.uniform(-0.4, 0.4) * r
    band = np.exp(-(dist / (rng.uniform(0.15, 0.3) * r)) ** 2).astype(np.float32)
    layer[y0:y1, x0:x1] *= 1 - rng.uniform(0.3, 0.55) * band


def draw_mark(layer: np.ndarray, kind: str, cx: float, cy: float, r: float,
              px_per_pt: float, rng: np.random.Generator) -> None:
    """Draw one mark of `kind` on the bubble at (cx, cy) pixels with radius r pixels."""
    jx, jy = rng.normal(0, 0.12 * r, 2)  # people do not hit the centre
    cx, cy = cx + jx, cy + jy
    pen = rng.uniform(0.7, 1.6) * px_per_pt  # stroke width
    if kind == "pen":
        _blob(layer, cx, cy, r * rng.uniform(0.78, 1.08), rng.uniform(0.75, 1.0), rng, 0.25)
    elif kind == "pencil":
        _blob(layer, cx, cy, r * rng.uniform(0.8, 1.1), rng.uniform(0.45, 0.75), rng, 0.45)
        if rng.random() < 0.3:  # graphite sheen: a lighter streak where the light caught it
            _sheen(layer, cx, cy, r, rng)
    elif kind == "dot":  # a small but solid fill in the middle
        _blob(layer, cx, cy, r * rng.uniform(0.5, 0.7), rng.uniform(0.8, 1.0), rng, 0.15)
    elif kind == "spill":  # a fill that runs over the printed circle
        _blob(layer, cx + rng.normal(0, 0.2 * r), cy + rng.normal(0, 0.2 * r),
              r * rng.uniform(1.1, 1.45), rng.uniform(0.75, 1.0), rng, 0.2, 0.18)
    elif kind == "tick":
        size = r * rng.uniform(0.9, 1.5)
        a = rng.uniform(-0.3, 0.3)
        pts = np.array([[-0.55, -0.05], [-0.1, 0.5], [0.75, -0.85]]) * size
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        stroke(layer, pts @ rot.T + [cx, cy], pen, rng.uniform(0.75, 1.0))
    elif kind == "cross":
        size = r * rng.uniform(0.8, 1.35)
        a = rng.uniform(-0.25, 0.25)
        for d in ((1, 1), (1, -1)):
            end = np.array([np.cos(a) * d[0] - np.sin(a) * d[1],
                            np.sin(a) * d[0] + np.cos(a) * d[1]]) * size * 0.72
            stroke(layer, np.array([[cx, cy] - end, [cx, cy] + end]), pen,
                    rng.uniform(0.75, 1.0))
    elif kind == "scribble":
        n = rng.integers(5, 10)
        t = np.linspace(-0.8, 0.8, n)
        pts = np.stack([t * r * rng.uniform(0.8, 1.1) + cx,
                        np.where(np.arange(n) % 2, -1, 1) * r * rng.uniform(0.4, 0.8) + cy
                        + rng.normal(0, 0.1 * r, n)], 1)
        stroke(layer, pts, pen, rng.uniform(0.7, 1.0))
    elif kind == "sloppy":  # a big hurried fill, well past the outline, not centred
        _blob(layer, cx + rng.normal(0, 0.25 * r), cy + rng.normal(0, 0.25 * r),
              r * rng.uniform(1.2, 1.6), rng.uniform(0.6, 1.0), rng, 0.3, 0.25)
    elif kind == "spiral":  # filled by going round and round, the outline traced twice
        turns = rng.uniform(2.5, 4.0)
        t = np.linspace(0, 2 * np.pi * turns, int(60 * turns))
        rad = r * np.linspace(rng.uniform(1.0, 1.15), rng.uniform(0.05, 0.3), len(t))
        pts = np.stack([cx + rad * np.cos(t), cy + rad * np.sin(t)], 1)
        stroke(layer, pts, pen * rng.uniform(1.0, 1.5), rng.uniform(0.6, 0.95))
    elif kind == "hatch":  # ballpoint back and forth, pressure rising and falling
        n = int(rng.integers(6, 12))
        a = rng.uniform(0, np.pi)
        d = np.array([np.cos(a), np.sin(a)])
        nrm = np.array([-d[1], d[0]])
        for i, u in enumerate(np.linspace(-0.85, 0.85, n)):
            half = r * np.sqrt(max(1 - u * u, 0.05)) * rng.uniform(0.9, 1.25)
            c = np.array([cx, cy]) + nrm * u * r
            stroke(layer, np.array([c - d * half, c + d * half]), pen,
                   float(np.clip(0.7 + 0.3 * np.sin(i * 1.3 + a), 0.35, 1.0)))
    elif kind == "offset":  # a solid fill that half misses the bubble
        ang = rng.uniform(0, 2 * np.pi)
        shift = r * rng.uniform(0.35, 0.55)
        _blob(layer, cx + shift * np.cos(ang), cy + shift * np.sin(ang), r * rng.uniform(0.9, 1.1),
              rng.uniform(0.75, 1.0), rng, 0.2)
    elif kind == "thin-tick":  # a fine-liner tick (0.2-0.3 mm), lighter where it starts
        size = r * rng.uniform(1.0, 1.6)
        pts = np.array([[-0.6, -0.1], [-0.15, 0.55], [0.8, -0.95]]) * size + [cx, cy]
        width = rng.uniform(0.6, 0.9) * px_per_pt
        for p0, p1, dk in ((pts[0], pts[1], rng.uniform(0.55, 0.85)),
                           (pts[1], pts[2], rng.uniform(0.65, 0.95))):
            stroke(layer, np.array([p0, p1]), width, dk)
    elif kind == "circled":  # a ring drawn round the bubble, the bubble left empty
        t = np.linspace(0, 2 * np.pi * rng.uniform(0.9, 1.1), 50) + rng.uniform(0, 6.3)
        rad = r * rng.uniform(1.45, 1.9) * (1 + rng.normal(0, 0.04, len(t)))
        stroke(layer, np.stack([cx + rad * np.cos(t), cy + rad * np.sin(t)], 1), pen,
               rng.uniform(0.7, 1.0))
    elif kind == "tick-beside":  # a tick just left (or right) of the bubble, not in it
        side = -1.0 if rng.random() < 0.7 else 1.0
        size = r * rng.uniform(0.7, 1.0)
        pts = np.array([[-0.55, -0.05], [-0.1, 0.5], [0.75, -0.85]]) * size \
            + [cx + side * r * rng.uniform(2.0, 2.6), cy]
        stroke(layer, pts, pen, rng.uniform(0.75, 1.0))
    elif kind == "circled-label":  # a loop round the bubble and the words after it
        length = r * rng.uniform(5, 9)
        t = np.linspace(0, 2 * np.pi, 60) + rng.uniform(0, 6.3)
        ex, ey = length / 2 + r * 0.3, r * rng.uniform(1.5, 1.9)
        x = cx - 1.6 * r + ex + ex * np.cos(t)
        stroke(layer, np.stack([x, cy + ey * np.sin(t)], 1), pen, rng.uniform(0.7, 1.0))
    elif kind == FAINT:  # barely pressed pencil: a person must look
        _blob(layer, cx, cy, r * rng.uniform(0.85, 1.05), rng.uniform(0.12, 0.18), rng, 0.2)
    elif kind == ERASED:  # rubbed out: a grey smudge, a few grains left
        _blob(layer, cx, cy, r * rng.uniform(0.9, 1.3), rng.uniform(0.06, 0.12), rng, 0.5, 0.2)
    else:
        raise ValueError(f"unknown mark kind {kind!r}")


def handwriting(layer: np.ndarray, x0: float, y0: float, w: float, h: float, px_per_pt: float,
                rng: np.random.Generator) -> None:
    """A few lines of cursive-looking strokes inside a text box (pixels)."""
    lines = int(rng.integers(1, max(2, int(h / (18 * px_per_pt)) + 1)))
    for i in range(lines):
        base = y0 + (i + 0.7) * 18 * px_per_pt
        length = w * rng.uniform(0.3, 0.9)
        t = np.linspace(0, length, int(length / (1.5 * px_per_pt)) + 2)
        freq = rng.uniform(0.25, 0.45) / px_per_pt
        ys = base - np.abs(np.sin(t * freq)) * rng.uniform(4, 7) * px_per_pt
        stroke(layer, np.stack([x0 + 8 * px_per_pt + t, ys], 1), 0.9 * px_per_pt,
                rng.uniform(0.7, 0.95))
