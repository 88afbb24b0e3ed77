"""What scanners, photocopiers and phones do to a sheet, drawn at random within wide ranges.

Input: the printed page rendered at some dpi (uint8 grey, 255 = paper)
and the ink people added (float, 0 none .. 1 black). Output: the image a
clerk would get, grey, colour or 1-bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Look:
    """How one page is degraded; drawn per page by `draw_look`."""

    angle: float = 0.0  # degrees, small skew
    turn: int = 0  # quarter turns: 2 = upside down, 1/3 = fed sideways
    shift_px: tuple[float, float] = (0.0, 0.0)
    scale: float = 1.0
    blur: float = 0.0  # gaussian sigma, px
    noise: float = 0.0  # grey levels
    paper: float = 245.0  # grey level of the paper
    black: float = 25.0  # grey level of solid ink
    fold: bool = False
    one_bit: bool = False
    threshold: float = 0.55  # 1-bit: share of the way from black to paper
    photocopy: bool = False
    phone: bool = False
    colour: bool = False
    light: float = 0.0  # strength of uneven light, 0 .. 0.5
    damage: str = ""  # what handling did to the sheet: see DAMAGE
    damage_side: int = 0  # which corner (0 tl, 1 tr, 2 br, 3 bl) or edge it hit
    crease: bool = False  # a sharp fold line across the sheet


# what people and machines do to sheets: corner marks cut off by an off-centre photocopy,
# a dog-eared or torn corner, a staple through a corner, a thumb over a corner in a photo
DAMAGE = ("cut", "torn", "staple", "thumb")


def draw_look(profile: str, rng: np.random.Generator, allow_one_bit: bool = True) -> Look:
    """A random degradation for a page of the `office`, `hard` or `handled` profile.

    `handled` is an office's scanner with sheets that went through hands: most of them
    damaged at a corner or folded.
    """
    if profile == "handled":
        look = draw_look("office", rng, allow_one_bit)
        damage = str(rng.choice(DAMAGE)) if rng.random() < 0.7 else ""
        return Look(**{**look.__dict__, "damage": damage,
                       "damage_side": int(rng.integers(4)), "crease": bool(rng.random() < 0.4)})
    turn = int(rng.choice([0, 2, 1, 3], p=[0.8, 0.16, 0.02, 0.02]))
    base = dict(
        angle=float(rng.uniform(-2.0, 2.0)),
        turn=turn,
        shift_px=(float(rng.uniform(-20, 20)), float(rng.uniform(-20, 20))),
        scale=float(rng.uniform(0.985, 1.015)),
        blur=float(rng.uniform(0, 0.9)),
        noise=float(rng.uniform(0, 5)),
        paper=float(rng.uniform(215, 252)),
        black=float(rng.uniform(5, 60)),
        fold=bool(rng.random() < 0.08),
        colour=bool(rng.random() < 0.15),
    )
    if allow_one_bit and rng.random() < 0.2:
        base.update(one_bit=True, threshold=float(rng.uniform(0.45, 0.6)), colour=False)
    if profile == "office":
        return Look(**base)
    kind = rng.choice(["photocopy", "phone", "light", "office"], p=[0.3, 0.35, 0.2, 0.15])
    if kind == "photocopy":
        base.update(photocopy=True, blur=float(rng.uniform(0.5, 1.3)), noise=float(
            rng.uniform(4, 10)), paper=float(rng.uniform(190, 235)), black=float(
            rng.uniform(0, 35)), one_bit=False)
    elif kind == "phone":
        base.update(phone=True, colour=True, one_bit=False, blur=float(rng.uniform(0.4, 1.4)),
                    noise=float(rng.uniform(2, 8)), light=float(rng.uniform(0.1, 0.45)),
                    angle=float(rng.uniform(-8, 8)), turn=int(rng.choice([0, 2], p=[0.9, 0.1])))
    elif kind == "light":
        base.update(light=float(rng.uniform(0.2, 0.5)), paper=float(rng.uniform(170, 230)),
                    one_bit=False)
    return Look(**base)


def _affine(w: int, h: int, look: Look) -> tuple[np.ndarray, tuple[int, int]]:
    """Skew, scale and shift about the centre, then the quarter turns."""
    m = cv2.getRotationMatrix2D((w / 2, h / 2), look.angle + 90 * look.turn, look.scale)
    ow, oh = (h, w) if look.turn % 2 else (w, h)
    m[0, 2] += (ow - w) / 2 + look.shift_px[0]
    m[1, 2] += (oh - h) / 2 + look.shift_px[1]
    return m, (ow, oh)


def _light_field(shape: tuple[int, int], strength: float, rng: np.random.Generator) -> np.ndarray:
    """Smooth uneven light: 1 in the brightest place, 1 - strength in the darkest."""
    h, w = shape
    small = rng.uniform(0, 1, (3, 3)).astype(np.float32)
    field = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    field = (field - field.min()) / max(float(np.ptp(field)), 1e-6)
    return 1 - strength * (1 - field)


def _phone(img: np.ndarray, look: Look, rng: np.random.Generator) -> np.ndarray:
    """The page photographed on a desk: perspective, background, lower resolution."""
    h, w = img.shape
    scale = rng.uniform(0.55, 0.8)  # phones give fewer pixels per page than scanners
    pad = rng.uniform(0.05, 0.15)
    ow, oh = int(w * scale * (1 + 2 * pad)), int(h * scale * (1 + 2 * pad))
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[pad * w, pad * h], [(1 + pad) * w, pad * h], [(1 + pad) * w, (1 + pad) * h],
                      [pad * w, (1 + pad) * h]]) * scale
    dst += rng.normal(0, 0.03 * w * scale, (4, 2)).astype(np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    desk = rng.uniform(60, 150)
    out = cv2.warpPerspective(img, m, (ow, oh), flags=cv2.INTER_AREA, borderValue=desk / 255)
    texture = cv2.GaussianBlur(rng.normal(0, 0.05, (oh, ow)).astype(np.float32), (0, 0), 3)
    inside = cv2.warpPerspective(np.ones_like(img), m, (ow, oh))
    return np.where(inside > 0.5, out, out + texture)


def _crease(page: np.ndarray, rng: np.random.Generator) -> None:
    """A sharp fold across the sheet: a thin dark line with a light edge beside it."""
    h, w = page.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if rng.random() < 0.5:  # folded in thirds for an envelope: across the page
        a, c = rng.uniform(-0.03, 0.03), rng.uniform(0.3, 0.7) * h
        dist = yy - (c + a * (xx - w / 2))
    else:  # folded in half the other way: down the page, through a column of bubbles
        a, c = rng.uniform(-0.03, 0.03), rng.uniform(0.55, 0.9) * w
        dist = xx - (c + a * (yy - h / 2))
    width = rng.uniform(0.8, 2.0)
    page *= 1 - rng.uniform(0.1, 0.35) * np.exp(-(dist / width) ** 2)
    page *= 1 + 0.04 * np.exp(-((dist - 2.5 * width) / (2 * width)) ** 2)


def _damage(page: np.ndarray, look: Look, px_per_mm: float, rng: np.random.Generator
            ) -> tuple[np.ndarray, np.ndarray]:
    """What handling did to the sheet, on the page before it meets the scanner; and where
    the sheet as filled in can no longer be seen (True), in its own pixels."""
    h, w = page.shape
    corner = look.damage_side
    lost = np.zeros((h, w), bool)
    if look.damage == "cut":  # copied off-centre: the far edge runs off the paper
        shift = int(rng.uniform(8, 14) * px_per_mm)
        margin = int(4 * px_per_mm)  # the copier prints nothing this close to the edge
        out = np.ones_like(page)
        if corner in (0, 2):  # content moved up (top edge cut) or down (bottom edge cut)
            if corner == 2:
                out[shift:h - margin] = page[:h - shift - margin]
                lost[h - shift - margin:] = True
            else:
                out[margin:h - shift] = page[shift + margin:]
                lost[:shift + margin] = True
        else:  # moved right (right edge cut) or left (left edge cut)
            if corner == 1:
                out[:, shift:w - margin] = page[:, :w - shift - margin]
                lost[:, w - shift - margin:] = True
            else:
                out[:, margin:w - shift] = page[:, shift + margin:]
                lost[:, :shift + margin] = True
        return out, lost
    cy = 0 if corner in (0, 1) else h - 1
    cx = 0 if corner in (0, 3) else w - 1
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if look.damage == "torn":  # a corner folded back or torn away: the scanner's lid shows
        size = rng.uniform(12, 22) * px_per_mm
        inside = np.abs(xx - cx) + np.abs(yy - cy) < size * (1 + 0.08 * np.sin(xx / 7 + yy / 5))
        page = np.where(inside, rng.choice([0.97, 0.25]), page)
        lost = inside
    elif look.damage == "staple":  # a staple and its shadow over the corner mark
        sx, sy = cx + (1 if cx == 0 else -1) * rng.uniform(9, 18) * px_per_mm, \
            cy + (1 if cy == 0 else -1) * rng.uniform(9, 18) * px_per_mm
        a = rng.uniform(0, np.pi)
        half = rng.uniform(5, 7) * px_per_mm
        along = (xx - sx) * np.cos(a) + (yy - sy) * np.sin(a)
        across = -(xx - sx) * np.sin(a) + (yy - sy) * np.cos(a)
        metal = (np.abs(along) < half) & (np.abs(across) < 0.5 * px_per_mm)
        shadow = (np.abs(along) < half * 1.1) & (np.abs(across - px_per_mm) < px_per_mm)
        page = np.where(shadow, page * 0.6, page)
        page = np.where(metal, 0.15, page)
        lost = metal
    elif look.damage == "thumb":  # a thumb holding the sheet for a photo
        ax, ay = rng.uniform(12, 22) * px_per_mm, rng.uniform(18, 30) * px_per_mm
        ox = cx + (1 if cx == 0 else -1) * rng.uniform(0, 10) * px_per_mm
        oy = cy + (1 if cy == 0 else -1) * rng.uniform(5, 20) * px_per_mm
        skin = ((xx - ox) / ax) ** 2 + ((yy - oy) / ay) ** 2 < 1
        page = np.where(skin, rng.uniform(0.35, 0.6) * (1 + 0.1 * np.sin(yy / 9)), page)
        lost = skin
    return page.astype(np.float32), lost


def scan(printed: np.ndarray, ink: np.ndarray, look: Look, rng: np.random.Generator,
         px_per_mm: float = 200 / 25.4, lost: list[np.ndarray] | None = None) -> np.ndarray:
    """The page as the clerk's device gives it back; `lost` receives where handling
    hid the sheet (in the printed page's pixels), when damage did."""
    page = printed.astype(np.float32) / 255 * (1 - ink)  # 1 = white paper, 0 = black
    if look.crease:
        _crease(page, rng)
    if look.damage:
        page, hidden = _damage(page, look, px_per_mm, rng)
        if lost is not None:
            lost.append(hidden)
    h, w = page.shape
    if look.fold:  # a crease across the sheet casts a soft shadow
        y = rng.uniform(0.3, 0.7) * h
        band = np.exp(-((np.arange(h) - y) / (rng.uniform(0.01, 0.03) * h)) ** 2)
        page *= (1 - rng.uniform(0.08, 0.22) * band)[:, None].astype(np.float32)
    if look.phone:
        page = _phone(page, look, rng)
    m, (ow, oh) = _affine(page.shape[1], page.shape[0], look)
    page = cv2.warpAffine(page, m, (ow, oh), flags=cv2.INTER_LINEAR,
                          borderValue=float(rng.uniform(0.9, 1.0)))
    if look.light:
        page *= _light_field(page.shape, look.light, rng)
    if look.blur:
        page = cv2.GaussianBlur(page, (0, 0), look.blur)
    out = look.black + (look.paper - look.black) * page
    if look.photocopy:  # toner specks and a faint streak
        specks = rng.random(out.shape) < 0.0015
        out[specks] *= 0.3
        x = int(rng.integers(0, out.shape[1]))
        out[:, x:x + 2] *= 0.85
    if look.noise:
        noise = np.empty(out.shape, np.float32)
        cv2.setRNGSeed(int(rng.integers(2**31)))  # OpenCV's own generator, from the seed
        cv2.randn(noise, 0, look.noise)
        out += noise
    out = np.clip(out, 0, 255).astype(np.uint8)
    if look.one_bit:
        return out > look.black + look.threshold * (look.paper - look.black)
    if look.colour:  # a warm paper tint in BGR
        tint = np.array([rng.uniform(0.85, 0.97), rng.uniform(0.93, 1.0), 1.0], np.float32)
        return np.clip(out[..., None] * tint, 0, 255).astype(np.uint8)
    return out


def blank_back(printed_front: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The back of a sheet: empty paper with the front showing through, mirrored and faint."""
    ghost = cv2.flip(255 - printed_front, 1).astype(np.float32)
    return (255 - ghost * rng.uniform(0.0, 0.06)).clip(0, 255).astype(np.uint8)
