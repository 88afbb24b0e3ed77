"""Phone photos of filled sheets, as a clerk takes them at the desk, good and bad.

A photo is the printed page with its ink, seen by a camera held above the
desk: perspective from the camera's tilt, the desk around the paper, uneven
light, the phone's noise and JPEG. Each photo has one trouble drawn at a
severity from harmless to hopeless, so that a gate can be measured in both
directions: photos it refuses that read well, photos it lets through that
do not.

    python -m phieu.samples.capture PRINT_DIR OUT_DIR [--photos N] [--seed S]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np

from phieu.forms.template import Template

from .batch import RATES, _Pdf, ink_for_page, plan_sheet

A4_PT = (595.28, 841.89)
SHRUNK_LONG_SIDE = 2000  # what the capture page sends: the photo shrunk in the browser
PHONE_LONG_SIDE = 4032  # a 12-megapixel phone camera: 4032 x 3024
SHRUNK_QUALITY = 85
# what goes wrong with a photo at the desk; "good" is a photo with nothing notably wrong
TROUBLES = ("good", "blur", "shake", "dark", "glare", "shadow", "cut", "steep", "far")
WEIGHTS = (0.36, 0.08, 0.08, 0.08, 0.08, 0.08, 0.08, 0.08, 0.08)


@dataclass(frozen=True)
class Shot:
    """How one photo was taken: its trouble, how bad (0 harmless .. 1 hopeless), and the
    camera's settings drawn for it."""
    trouble: str
    severity: float
    tilt_deg: float  # the camera's tilt from straight above
    tilt_axis_deg: float
    turn_deg: float  # the page turned in the picture
    fill: float  # the page's height as a share of the frame's
    centre: tuple[float, float]  # the page's centre, as a share of the frame
    focus_px: float  # defocus blur, gaussian sigma in pixels of the shrunk photo
    shake_px: float  # motion blur length, pixels of the shrunk photo
    paper: float  # grey level of the lit paper
    black: float
    light: float  # strength of uneven light
    noise: float


def draw_shot(rng: np.random.Generator, trouble: str | None = None) -> Shot:
    """A photo's settings: a clerk's ordinary photo, with one trouble made worse."""
    trouble = trouble or str(rng.choice(TROUBLES, p=np.array(WEIGHTS) / sum(WEIGHTS)))
    sev = float(rng.uniform(0, 1)) if trouble != "good" else 0.0
    s = dict(trouble=trouble, severity=sev, tilt_deg=float(rng.uniform(0, 18)),
             tilt_axis_deg=float(rng.uniform(0, 360)),
             turn_deg=float(rng.uniform(-6, 6) + (180 if rng.random() < 0.1 else 0)),
             fill=float(rng.uniform(0.8, 0.94)),
             centre=(float(rng.uniform(0.47, 0.53)), float(rng.uniform(0.47, 0.53))),
             focus_px=float(rng.uniform(0.2, 0.8)), shake_px=0.0,
             paper=float(rng.uniform(170, 240)), black=float(rng.uniform(15, 50)),
             light=float(rng.uniform(0.0, 0.3)), noise=float(rng.uniform(1, 4)))
    if trouble == "blur":
        s["focus_px"] = 0.8 + 4.0 * sev
    elif trouble == "shake":
        s["shake_px"] = 2 + 16 * sev
    elif trouble == "dark":
        s["paper"] = 170 - 150 * sev
        s["black"] = min(s["black"], s["paper"] * 0.25)
        s["noise"] = 3 + 6 * sev
    elif trouble == "steep":
        s["tilt_deg"] = 18 + 45 * sev
    elif trouble == "far":
        s["fill"] = 0.8 - 0.5 * sev
    elif trouble == "cut":  # the page moved towards a side or corner, out of the frame
        a = rng.uniform(0, 2 * math.pi)
        out = 0.02 + 0.25 * sev
        s["centre"] = (0.5 + math.cos(a) * out, 0.5 + math.sin(a) * out)
        s["fill"] = float(rng.uniform(0.88, 1.0))
    return Shot(**s)


def _page_corners(shot: Shot, frame: tuple[int, int]) -> np.ndarray:
    """Where the page's corners fall in the frame: the page in 3-D, tilted, seen by a
    pinhole camera, then scaled and placed as the shot says."""
    w, h = A4_PT
    pts = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
    turn = math.radians(shot.turn_deg)
    rot = np.array([[math.cos(turn), -math.sin(turn)], [math.sin(turn), math.cos(turn)]])
    pts = pts @ rot.T
    axis = math.radians(shot.tilt_axis_deg)
    ax = np.array([math.cos(axis), math.sin(axis), 0.0])
    t = math.radians(shot.tilt_deg)
    k = np.array([[0, -ax[2], ax[1]], [ax[2], 0, -ax[0]], [-ax[1], ax[0], 0]])
    r3 = np.eye(3) + math.sin(t) * k + (1 - math.cos(t)) * k @ k  # Rodrigues
    p3 = np.c_[pts, np.zeros(4)] @ r3.T
    distance = 1.6 * h  # a phone held about 45 cm above an A4 page
    proj = p3[:, :2] * distance / (distance + p3[:, 2:3])
    fw, fh = frame
    span = np.ptp(proj[:, 1]) if abs(math.cos(turn)) > 0.5 else np.ptp(proj[:, 0])
    scale = shot.fill * fh / span
    return (proj * scale + np.array([shot.centre[0] * fw, shot.centre[1] * fh])).astype(
        np.float32)


def _desk(frame: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A desk top: a smooth wood or laminate tone with grain, 0..1."""
    fw, fh = frame
    tone = rng.uniform(0.25, 0.6)
    grain = cv2.resize(rng.normal(0, 0.04, (fh // 16 + 1, 4)).astype(np.float32), (fw, fh))
    return np.clip(tone + grain, 0, 1)


def _trouble_light(page: np.ndarray, shot: Shot, quad: np.ndarray, rng: np.random.Generator
                   ) -> np.ndarray:
    """A shadow over the middle of the page, where the answers are (the page darkened); or
    glare there (the share of white light it adds to each pixel)."""
    fh, fw = page.shape
    yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
    c = quad.mean(axis=0) + (quad[2] - quad[0]) * rng.uniform(-0.25, 0.25, 2)
    side = float(np.linalg.norm(quad[1] - quad[0]))
    if shot.trouble == "glare":  # a lamp's reflection: a bright core washing the ink out
        r = side * (0.04 + 0.12 * shot.severity)
        spot = np.exp(-(((xx - c[0]) ** 2 + ((yy - c[1]) / 0.7) ** 2) / (2 * r * r)))
        return np.clip(spot * (0.4 + 1.2 * shot.severity), 0, 1)  # share of white added
    # a hand's or the phone's shadow: a soft-edged half plane across the page
    a = rng.uniform(0, 2 * math.pi)
    d = (xx - c[0]) * math.cos(a) + (yy - c[1]) * math.sin(a)
    edge = side * rng.uniform(0.01, 0.05)
    dark = 1 / (1 + np.exp(-d / edge))
    return page * (1 - (0.3 + 0.6 * shot.severity) * dark)


def photograph(printed: np.ndarray, ink: np.ndarray, shot: Shot, rng: np.random.Generator,
               long_side: int = SHRUNK_LONG_SIDE) -> tuple[np.ndarray, np.ndarray]:
    """The photo (BGR, portrait, 4:3) of a printed page with ink on it, as `shot` says,
    and where the page's pixels went in it (a homography). `printed` is grey, 255 paper;
    `ink` 0 none .. 1 black, the same size."""
    frame = (long_side * 3 // 4, long_side)
    page = printed.astype(np.float32) / 255 * (1 - ink)
    ph, pw = page.shape
    quad = _page_corners(shot, frame)
    m = cv2.getPerspectiveTransform(np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]]), quad)
    seen = cv2.warpPerspective(page, m, frame, flags=cv2.INTER_LINEAR, borderValue=0)
    inside = cv2.warpPerspective(np.ones_like(page), m, frame, flags=cv2.INTER_LINEAR)
    img = seen * inside + _desk(frame, rng) * (1 - inside)
    if shot.light:
        small = rng.uniform(1 - shot.light, 1, (3, 3)).astype(np.float32)
        img *= cv2.resize(small, frame, interpolation=cv2.INTER_CUBIC)
    if shot.trouble == "shadow":
        img = _trouble_light(img, shot, quad, rng)
    scale = long_side / SHRUNK_LONG_SIDE  # blur is drawn in pixels of the shrunk photo
    if shot.focus_px:
        img = cv2.GaussianBlur(img, (0, 0), shot.focus_px * scale)
    if shot.shake_px:
        n = max(3, int(round(shot.shake_px * scale)) | 1)
        kernel = np.zeros((n, n), np.float32)
        kernel[n // 2, :] = 1 / n
        rot = cv2.getRotationMatrix2D((n / 2 - 0.5, n / 2 - 0.5), rng.uniform(0, 180), 1)
        kernel = cv2.warpAffine(kernel, rot, (n, n))
        img = cv2.filter2D(img, -1, kernel / max(kernel.sum(), 1e-6))
    out = shot.black + (shot.paper - shot.black) * img
    if shot.trouble == "glare":  # a lamp's reflection adds light whatever the exposure
        out += (275 - out) * _trouble_light(img, shot, quad, rng)
    noise = np.empty(out.shape, np.float32)
    cv2.setRNGSeed(int(rng.integers(2**31)))
    cv2.randn(noise, 0, shot.noise)
    out += noise
    tint = np.array([rng.uniform(0.82, 0.97), rng.uniform(0.92, 1.0), 1.0], np.float32)
    return np.clip(out[..., None] * tint, 0, 255).astype(np.uint8), m


def content_out(template: Template, page: int, to_photo: np.ndarray, px_per_pt: float,
                frame: tuple[int, ...]) -> bool:
    """Whether any bubble, the QR code or a text box of the page fell outside the photo."""
    pts = [(o.x_pt + dx * o.r_pt, o.y_pt + dy * o.r_pt) for q in template.questions
           if q.page == page for o in q.options for dx, dy in ((-1, -1), (1, 1))]
    boxes = [template.identity.qr] + [t.box for t in template.text_boxes if t.page == page]
    pts += [(b.x_pt + dx * b.w_pt, b.y_pt + dy * b.h_pt) for b in boxes for dx in (0, 1)
            for dy in (0, 1)]
    seen = cv2.perspectiveTransform(np.float32(pts)[None] * px_per_pt, to_photo)[0]
    h, w = frame[:2]
    return bool((seen < 0).any() or (seen[:, 0] > w - 1).any() or (seen[:, 1] > h - 1).any())


def shrink(photo: np.ndarray, long_side: int = SHRUNK_LONG_SIDE,
           quality: int = SHRUNK_QUALITY) -> bytes:
    """What the capture page sends for a photo: its long side brought to `long_side`
    (never enlarged), as JPEG."""
    h, w = photo.shape[:2]
    k = min(1.0, long_side / max(h, w))
    if k < 1:
        photo = cv2.resize(photo, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return buf.tobytes()


def render_dpi(shot: Shot, long_side: int) -> int:
    """A print resolution a little finer than the page's pixels in the photo."""
    return int(min(400, max(100, shot.fill * long_side / (A4_PT[1] / 72) * 1.3)))


def make_photos(print_dir: Path, out_dir: Path, photos: int = 100, seed: int = 1,
                long_side: int = SHRUNK_LONG_SIDE, troubles: tuple[str, ...] | None = None,
                first: int = 0) -> list[dict]:
    """Photos of the first page of consecutive sheets of a print run (from its `first`),
    each as the capture page would send it (shrunk JPEG; at `long_side` PHONE_LONG_SIDE,
    the camera's own photo), and `truth.json` beside them."""
    template = Template.read(print_dir / "template.json")
    with (print_dir / "manifest.csv").open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["form_page"] == "1"]
    pdf = _Pdf(print_dir / "forms.pdf")
    rng = np.random.default_rng(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    truth: list[dict] = []
    for n, row in enumerate(rows[first:first + photos]):
        sid = row["sheet_id"]
        shot = draw_shot(rng, str(rng.choice(troubles)) if troubles else None)
        srng = np.random.default_rng([seed, n])
        sheet = plan_sheet(template, sid, [int(row["pdf_page"]) - 1], RATES["office"], srng,
                           pen_only=False)
        dpi = render_dpi(shot, long_side)
        printed = pdf.render(int(row["pdf_page"]) - 1, dpi)
        ink = ink_for_page(template, sheet, 1, printed.shape, dpi / 72, srng)
        photo, to_photo = photograph(printed, ink, shot, srng, long_side)
        name = f"photo-{n + 1:04d}.jpg"
        data = shrink(photo, long_side, 92 if long_side > SHRUNK_LONG_SIDE else SHRUNK_QUALITY)
        (out_dir / name).write_bytes(data)
        on_page = [q.id for q in template.questions if q.page == 1]
        truth.append({"path": name, "sheet_id": sid, "shot": asdict(shot),
                      "answers": {q: sheet.answers[q] for q in on_page},
                      "needs_flag": sheet.needs_flag, "problems": sheet.problems,
                      "content_out": content_out(template, 1, to_photo, dpi / 72, photo.shape)})
    (out_dir / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1),
                                        encoding="utf-8")
    return truth


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("print_dir", type=Path)
    p.add_argument("out_dir", type=Path)
    p.add_argument("--photos", type=int, default=100)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--long-side", type=int, default=SHRUNK_LONG_SIDE)
    a = p.parse_args()
    make_photos(a.print_dir, a.out_dir, a.photos, a.seed, a.long_side)


if __name__ == "__main__":
    main()
