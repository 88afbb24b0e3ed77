"""Make a batch of realistic scans of filled forms, with the truth written beside them.

    python -m phieu.samples PRINT_DIR OUT_DIR [--profile office|hard] [--sheets N] [--seed S]

PRINT_DIR is what `phieu print` wrote (forms.pdf, manifest.csv,
template.json). OUT_DIR receives scan files the way a clerk brings them
(ADF PDFs, multi-page TIFFs, single JPEG/PNG files, phone photos) and
`truth.json`: for every page of every file, what is on it.

Answers, marks and degradations are drawn at random over wide ranges;
a seed reproduces a batch exactly. Problems a person must settle
(two marks on a one-answer question, a mark too faint to call) are
rare, as on real returns, and marked `needs_flag` in the truth. Light
pencil does not survive a 1-bit scan, so 1-bit jobs are filled in pen.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import pypdfium2
from PIL import Image, ImageDraw, ImageFont

from phieu.forms.fonts import REGULAR, font_path
from phieu.forms.template import Template

from .marks import BESIDE, ERASED, FAINT, draw_mark, handwriting, stroke
from .scanner import Look, blank_back, draw_look, scan

# office: a good scanner; hard: photocopies, phone photos, bad light; handled: an office's
# scanner with sheets people folded, stapled, dog-eared and copied off-centre
PROFILES = ("office", "hard", "handled")
# what survives a 1-bit scan: not light pencil, not a fine-liner's thin light stroke
PEN_KINDS = ("pen", "tick", "cross", "scribble", "spill", "dot", "sloppy", "spiral", "hatch",
             "offset")
KIND_WEIGHTS = {"pen": 0.3, "pencil": 0.14, "tick": 0.1, "cross": 0.08, "scribble": 0.05,
                "spill": 0.06, "dot": 0.05, "sloppy": 0.05, "spiral": 0.04, "hatch": 0.05,
                "offset": 0.03, "thin-tick": 0.05}
SCALE_WEIGHTS = (0.05, 0.08, 0.2, 0.4, 0.27)  # people are mostly satisfied
RATES = {  # per sheet; `beside`: an answer marked beside its bubble; `across`: a long line
    # drawn through a bubble (a pen slipping, a line under a word); `copy`: a photocopy of the
    # printed sheet filled by another person, scanned after it; `blank_form`: the sheet fed
    # through the scanner blank (before it was handed out), the filled one scanned later
    "office": {"double": 0.005, "faint": 0.004, "erased": 0.006, "stray": 0.03, "qr": 0.01,
               "text": 0.3, "duplicate": 0.02, "foreign": 0.04, "beside": 0.01,
               "across": 0.01, "copy": 0.03, "blank_form": 0.02},
    "hard": {"double": 0.01, "faint": 0.01, "erased": 0.01, "stray": 0.05, "qr": 0.15,
             "text": 0.3, "duplicate": 0.02, "foreign": 0.05, "beside": 0.02, "across": 0.02,
             "copy": 0.03, "blank_form": 0.02},
    "handled": {"double": 0.005, "faint": 0.004, "erased": 0.006, "stray": 0.05, "qr": 0.02,
                "text": 0.3, "duplicate": 0.02, "foreign": 0.03, "beside": 0.02,
                "across": 0.04, "copy": 0.03, "blank_form": 0.02},
}
COPY_DIFFERS = 3  # answers a photocopy's respondent gives otherwise, at least: another paper


@dataclass
class SheetTruth:
    sheet_id: str
    pages: list[int]  # 0-based indexes into forms.pdf
    answers: dict[str, str] = field(default_factory=dict)  # "?" where no reader can know
    marks: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # q -> (value, kind)
    problems: list[str] = field(default_factory=list)
    needs_flag: bool = False
    text: bool = False
    damaged_qr: bool = False
    stray: bool = False
    across: tuple[str, str] | None = None  # (question, option) a long line runs through


def _kind(rng: np.random.Generator, pen_only: bool) -> str:
    kinds = [k for k in KIND_WEIGHTS if not pen_only or k in PEN_KINDS]
    p = np.array([KIND_WEIGHTS[k] for k in kinds])
    return str(rng.choice(kinds, p=p / p.sum()))


def plan_sheet(template: Template, sheet_id: str, pages: list[int], rates: dict[str, float],
               rng: np.random.Generator, pen_only: bool) -> SheetTruth:
    """Draw the answers a respondent gives and the marks they make for them."""
    truth = SheetTruth(sheet_id, pages)
    for q in template.questions:
        values = [o.value for o in q.options]
        if q.kind == "multi":
            k = int(rng.choice([0, 1, 2, 3, 4], p=[0.15, 0.35, 0.3, 0.15, 0.05]))
            chosen = sorted(rng.choice(len(values), size=min(k, len(values)), replace=False))
            picked = [values[i] for i in chosen]
        elif rng.random() < 0.04:
            picked = []  # left blank: legal
        else:
            w = np.array(SCALE_WEIGHTS if len(values) == 5 else [1.0] * len(values))
            picked = [values[int(rng.choice(len(values), p=w / w.sum()))]]
        truth.marks[q.id] = [(v, _kind(rng, pen_only)) for v in picked]
        truth.answers[q.id] = "|".join(picked)
    singles = [q for q in template.questions
               if q.kind == "single" and truth.answers[q.id] and len(q.options) > 1]
    if singles and rng.random() < rates["double"]:
        q = singles[int(rng.integers(len(singles)))]
        other = next(o.value for o in q.options if o.value != truth.answers[q.id])
        truth.marks[q.id].append((other, _kind(rng, pen_only)))
        truth.answers[q.id] = "*"
        truth.problems.append(f"multiple-marks {q.id}")
        truth.needs_flag = True
    elif singles and rng.random() < rates["faint"] and not pen_only:
        q = singles[int(rng.integers(len(singles)))]
        truth.marks[q.id] = [(truth.answers[q.id], FAINT)]
        truth.answers[q.id] = "?"
        truth.problems.append(f"faint-mark {q.id}")
        truth.needs_flag = True
    elif singles and rng.random() < rates["erased"] and not pen_only:
        q = singles[int(rng.integers(len(singles)))]
        other = next(o.value for o in q.options if o.value != truth.answers[q.id])
        truth.marks[q.id].append((other, ERASED))
        truth.problems.append(f"erasure {q.id}")
    elif singles and rng.random() < rates["beside"]:
        q = singles[int(rng.integers(len(singles)))]
        truth.marks[q.id] = [(truth.answers[q.id], str(rng.choice(BESIDE)))]
        truth.answers[q.id] = "?"
        truth.problems.append(f"ink-near {q.id}")
        truth.needs_flag = True
    if rng.random() < rates["across"]:  # through a bubble left empty
        q = template.questions[int(rng.integers(len(template.questions)))]
        empty = [o.value for o in q.options
                 if o.value not in {v for v, _ in truth.marks.get(q.id, [])}]
        if empty and truth.answers[q.id] not in ("", "?"):
            truth.across = (q.id, empty[int(rng.integers(len(empty)))])
            truth.problems.append(f"line-across {q.id}")
    truth.text = bool(template.text_boxes) and rng.random() < rates["text"]
    truth.damaged_qr = rng.random() < rates["qr"]
    truth.stray = rng.random() < rates["stray"]
    if truth.damaged_qr:
        truth.problems.append("damaged-qr")
    if truth.stray:
        truth.problems.append("stray-line")
    return truth


def ink_for_page(template: Template, truth: SheetTruth, form_page: int, shape: tuple[int, int],
                 px_per_pt: float, rng: np.random.Generator) -> np.ndarray:
    """Everything the respondent (and life) added to one printed page."""
    ink = np.zeros(shape, np.float32)
    for q in template.questions:
        if q.page != form_page:
            continue
        where = {o.value: o for o in q.options}
        for value, kind in truth.marks.get(q.id, ()):
            o = where[value]
            draw_mark(ink, kind, o.x_pt * px_per_pt, o.y_pt * px_per_pt, o.r_pt * px_per_pt,
                      px_per_pt, rng)
    for tb in template.text_boxes:
        if truth.text and tb.page == form_page:
            b = tb.box
            handwriting(ink, b.x_pt * px_per_pt, b.y_pt * px_per_pt, b.w_pt * px_per_pt,
                        b.h_pt * px_per_pt, px_per_pt, rng)
    if truth.damaged_qr:  # coffee, a torn corner or a pen over the code
        b = template.identity.qr
        cx = (b.x_pt + rng.uniform(0.2, 0.8) * b.w_pt) * px_per_pt
        cy = (b.y_pt + rng.uniform(0.2, 0.8) * b.h_pt) * px_per_pt
        axes = (int(b.w_pt * rng.uniform(0.2, 0.35) * px_per_pt),
                int(b.h_pt * rng.uniform(0.2, 0.35) * px_per_pt))
        blot = np.zeros(shape, np.float32)
        cv2.ellipse(blot, (int(cx), int(cy)), axes, rng.uniform(0, 180), 0, 360, 1.0, -1)
        np.maximum(ink, blot * rng.uniform(0.6, 0.95), out=ink)
    if truth.across and any(q.id == truth.across[0] and q.page == form_page
                            for q in template.questions):
        o = next(o for q in template.questions if q.id == truth.across[0] for o in q.options
                 if o.value == truth.across[1])
        a = rng.uniform(-0.6, 0.6) + (np.pi / 2 if rng.random() < 0.3 else 0)
        d = np.array([np.cos(a), np.sin(a)]) * rng.uniform(60, 140) * px_per_pt
        c = np.array([o.x_pt, o.y_pt]) * px_per_pt + rng.normal(0, 0.3 * o.r_pt * px_per_pt, 2)
        t = rng.uniform(0.3, 0.7)
        line = np.array([c - d * t, c + d * (1 - t)])
        stroke(ink, line, rng.uniform(0.7, 1.4) * px_per_pt, rng.uniform(0.6, 0.95))
        _through_blanks(template, truth, form_page, line / px_per_pt)
    if truth.stray:
        h, w = shape
        p0 = rng.uniform([0, 0], [w, h])
        p1 = p0 + rng.normal(0, w / 3, 2)
        stroke(ink, np.array([p0, p1]), rng.uniform(0.8, 1.5) * px_per_pt, rng.uniform(0.6, 0.9))
        _through_blanks(template, truth, form_page, np.array([p0, p1]) / px_per_pt)
    return ink


def _through_blanks(template: Template, truth: SheetTruth, form_page: int,
                    line_pt: np.ndarray) -> None:
    """A line drawn through a bubble of a question left blank: that blank is not clean, a
    person looks (the reader cannot tell it from a long slash meant as an answer)."""
    a, b = line_pt
    ab = b - a
    for q in template.questions:
        if q.page != form_page or truth.answers[q.id] != "":
            continue
        for o in q.options:
            c = np.array([o.x_pt, o.y_pt])
            t = np.clip((c - a) @ ab / max(float(ab @ ab), 1e-9), 0, 1)
            if np.hypot(*(a + t * ab - c)) <= o.r_pt and f"stroke-across {q.id}" \
                    not in truth.problems:
                truth.problems.append(f"stroke-across {q.id}")
                truth.needs_flag = True


_FONT_CACHE: dict[int, ImageFont.FreeTypeFont] = {}


def foreign_page(kind: str, shape: tuple[int, int], px_per_pt: float,
                 rng: np.random.Generator) -> np.ndarray:
    """A page that is not a form: a cover letter, or a photo."""
    h, w = shape
    if kind == "photo":  # smooth colour blobs, like a picture of a cat on a sofa
        small = rng.uniform(0, 255, (6, 5)).astype(np.float32)
        img = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
        return np.clip(img + rng.normal(0, 12, img.shape), 0, 255).astype(np.uint8)
    size = int(11 * px_per_pt)
    font = _FONT_CACHE.get(size) or ImageFont.truetype(str(font_path(REGULAR)), size)
    _FONT_CACHE[size] = font
    page = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(page)
    lines = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập – Tự do – Hạnh phúc", "",
             "GIẤY GIỚI THIỆU", "", "Kính gửi: Bộ phận tiếp nhận và trả kết quả",
             "Ủy ban nhân dân phường gửi kèm theo đây các phiếu khảo sát đã thu về",
             "trong đợt khảo sát sự hài lòng của người dân, tổ chức năm 2022.",
             "Đề nghị quý cơ quan tổng hợp và báo cáo kết quả theo quy định."]
    y = int(60 * px_per_pt)
    for line in lines * int(rng.integers(1, 3)):
        draw.text((int(60 * px_per_pt), y), line, fill=20, font=font)
        y += int(16 * px_per_pt)
    return np.asarray(page)


@dataclass
class Job:
    """One scanner run: a file with its settings."""

    container: str  # pdf | tiff | jpg | png
    dpi: int
    one_bit: bool
    duplex: bool
    phone: bool = False
    colour: bool = False


def draw_job(profile: str, rng: np.random.Generator, dpi: int | None = None,
             containers: tuple[str, ...] | None = None) -> Job:
    """A scanner run; `dpi` and `containers` pin what a benchmark wants fixed."""
    kinds = containers or ("pdf", "tiff", "jpg", "png")
    weights = np.array([{"pdf": 0.5, "tiff": 0.2, "jpg": 0.2, "png": 0.1}[k] for k in kinds])
    container = str(rng.choice(kinds, p=weights / weights.sum()))
    drawn = int(rng.choice([150, 200, 240, 300], p=[0.25, 0.4, 0.15, 0.2]))
    dpi = dpi or drawn
    one_bit = container in ("pdf", "tiff", "png") and rng.random() < 0.2
    duplex = container in ("pdf", "tiff") and rng.random() < 0.35
    phone = profile == "hard" and container == "jpg" and rng.random() < 0.7
    colour = phone or (not one_bit and rng.random() < 0.15)
    return Job(container, dpi, one_bit, duplex, phone, colour)


class _Pdf:
    """Rendered printed pages, kept open while a batch is made."""

    def __init__(self, path: Path) -> None:
        self.doc = pypdfium2.PdfDocument(str(path))

    def render(self, index: int, dpi: int) -> np.ndarray:
        page = self.doc[index]
        img = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        return np.asarray(img)


def _write(job: Job, images: list[np.ndarray], path: Path, rng: np.random.Generator,
           quality_range: tuple[int, int] = (55, 95)) -> None:
    quality = int(rng.integers(*quality_range))
    if job.container in ("jpg", "png"):
        img = images[0]
        if img.dtype == bool:
            img = img.astype(np.uint8) * 255
        params = [cv2.IMWRITE_JPEG_QUALITY, quality] if job.container == "jpg" else []
        cv2.imwrite(str(path), img, params)
        return
    pil = []
    for img in images:
        if img.dtype == bool:
            pil.append(Image.fromarray(img.astype(np.uint8) * 255).convert("1"))
        elif img.ndim == 3:
            pil.append(Image.fromarray(img[..., ::-1].copy()))
        else:
            pil.append(Image.fromarray(img))
    if job.container == "pdf":
        extra = {} if job.one_bit else {"quality": quality}
        pil[0].save(path, "PDF", save_all=True, append_images=pil[1:], resolution=job.dpi,
                    **extra)
    else:
        compression = "group4" if job.one_bit else "tiff_lzw"
        if not job.one_bit:
            pil = [p.convert("L") for p in pil]
        pil[0].save(path, "TIFF", save_all=True, append_images=pil[1:], compression=compression,
                    dpi=(job.dpi, job.dpi))


def make_batch(print_dir: Path, out_dir: Path, profile: str = "office", sheets: int | None = None,
               seed: int = 1, first_sheet: int = 0, dpi: int | None = None,
               containers: tuple[str, ...] | None = None,
               quality: tuple[int, int] = (55, 95), rates: dict[str, float] | None = None,
               ) -> dict:
    """Write scan files for `sheets` sheets of a print run into out_dir; returns the truth.

    `dpi`, `containers` and `quality` (the JPEG quality range) pin what a benchmark
    or the shipped sample wants fixed; otherwise they are drawn like the rest.
    `rates` overrides how often each trouble happens (see RATES).
    """
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}")
    template = Template.read(print_dir / "template.json")
    with (print_dir / "manifest.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    by_sheet: dict[str, list[int]] = {}
    for r in rows:
        by_sheet.setdefault(r["sheet_id"], []).append(int(r["pdf_page"]) - 1)
    order = list(by_sheet)[first_sheet:]
    order = order[:sheets] if sheets is not None else order
    out_dir.mkdir(parents=True, exist_ok=True)
    pdf = _Pdf(print_dir / "forms.pdf")
    rng = np.random.default_rng(seed)
    rates = {**RATES[profile], **(rates or {})}
    files: list[dict] = []
    done: list[SheetTruth] = []
    originals: dict[str, SheetTruth] = {}
    queue = list(order)
    n_file = 0
    while queue:
        job = draw_job(profile, rng, dpi, containers)
        count = 1 if job.container in ("jpg", "png") else int(rng.integers(3, 16))
        batch, queue = queue[:count], queue[count:]
        images: list[np.ndarray] = []
        pages: list[dict] = []
        items: list[tuple[str, SheetTruth | None]] = []
        for sid in batch:
            several = job.container not in ("jpg", "png")  # a file of several pages
            if several and _happens(rng, rates["blank_form"]):
                items.append(("blank_form", sid))
            items.append((sid, None))
            if done and rng.random() < rates["duplicate"] and several:
                items.append(("again", done[int(rng.integers(len(done)))]))
            if several and _happens(rng, rates["copy"]):
                items.append(("copy", sid))
        if rng.random() < rates["foreign"] and job.container != "png":
            if job.container == "jpg":  # a photo on its own; the sheet waits for the next file
                queue[:0], items = batch, [("foreign", None)]
            else:  # a cover letter in the stack
                items.insert(int(rng.integers(0, len(items) + 1)), ("foreign", None))
        for what, earlier in items:
            if what == "foreign":
                kind = "photo" if job.container == "jpg" else "letter"
                shape = (int(841.89 * job.dpi / 72), int(595.28 * job.dpi / 72))
                printed = foreign_page(kind, shape, job.dpi / 72, rng)
                look = draw_look(profile, rng, allow_one_bit=job.one_bit)
                images.append(scan(printed, np.zeros(printed.shape, np.float32),
                                   _for_job(look, job), rng))
                pages.append({"kind": "foreign"})
                continue
            if what == "blank_form":
                for form_page, pdf_index in enumerate(by_sheet[earlier], 1):
                    printed = pdf.render(pdf_index, job.dpi)
                    look = _for_job(draw_look("office", rng, False), job)
                    images.append(scan(printed, np.zeros(printed.shape, np.float32), look, rng))
                    pages.append({"kind": "blank_form", "sheet_id": earlier,
                                  "form_page": form_page})
                continue
            copy_no = 1
            if what == "copy":
                truth, copy_no = _photocopy(template, originals[earlier], by_sheet, rates,
                                            seed, job.one_bit), 2
            elif earlier is not None:
                truth = earlier
            else:
                sid = what
                serial = int(sid.rsplit("-", 1)[1])
                srng = np.random.default_rng([seed, serial])
                truth = plan_sheet(template, sid, by_sheet[sid], rates, srng,
                                   pen_only=job.one_bit)
                done.append(truth)
                originals[sid] = truth
            for form_page, pdf_index in enumerate(truth.pages, 1):
                printed = pdf.render(pdf_index, job.dpi)
                prng = np.random.default_rng([seed, int(truth.sheet_id.rsplit("-", 1)[1]),
                                              form_page, *([copy_no] if copy_no > 1 else [])
                                              ])  # the same ink on a second scan
                ink = ink_for_page(template, truth, form_page, printed.shape, job.dpi / 72, prng)
                look = draw_look(profile, rng, allow_one_bit=False)
                look = _for_job(look, job)
                lost: list[np.ndarray] = []
                images.append(scan(printed, ink, look, rng, job.dpi / 25.4, lost))
                on_page = [q.id for q in template.questions if q.page == form_page]
                hidden = _hidden(template, on_page, lost, job.dpi / 72)
                pages.append({
                    "kind": "form", "sheet_id": truth.sheet_id, "form_page": form_page,
                    "answers": {q: "?" if q in hidden else truth.answers[q] for q in on_page},
                    "marks": {q: truth.marks[q] for q in on_page},
                    "needs_flag": bool(hidden) or truth.needs_flag and any(
                        p.split()[-1] in on_page for p in truth.problems if " " in p),
                    "problems": truth.problems + [f"hidden {q}" for q in hidden],
                    "text": truth.text, "copy": copy_no,
                    "second_scan": what == "again", "look": _describe(look, job),
                })
                if job.duplex:
                    back = blank_back(printed, rng)
                    blook = _for_job(draw_look("office", rng, False), job)
                    images.append(scan(back, np.zeros(back.shape, np.float32), blook, rng))
                    pages.append({"kind": "blank"})
        n_file += 1
        name = f"scan-{n_file:03d}.{job.container}"
        if job.phone:
            name = f"photo-{n_file:03d}.jpg"
        _write(job, images, out_dir / name, rng, quality)
        files.append({"path": name, "dpi": job.dpi, "one_bit": job.one_bit, "pages": pages})
    truth = {"profile": profile, "seed": seed, "template": str(print_dir / "template.json"),
             "files": files}
    (out_dir / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1),
                                        encoding="utf-8")
    return truth


def _happens(rng: np.random.Generator, rate: float) -> bool:
    """A trouble drawn at its rate; a rate of 0 draws nothing, so a batch made without it is
    the batch it was before the trouble existed."""
    return bool(rate) and rng.random() < rate


def _photocopy(template: Template, original: SheetTruth, by_sheet: dict[str, list[int]],
               rates: dict[str, float], seed: int, pen_only: bool) -> SheetTruth:
    """Another person's answers on a photocopy of the original's printed sheet: they differ
    from the original's on COPY_DIFFERS questions at least (the reader tells papers apart by
    what they say; two people who answer alike are a second scan to it, and a person's
    question)."""
    serial = int(original.sheet_id.rsplit("-", 1)[1])
    clear = {q for q, v in original.answers.items() if v not in ("?", "*")}
    for attempt in range(50):
        rng = np.random.default_rng([seed, serial, 7919, attempt])
        truth = plan_sheet(template, original.sheet_id, by_sheet[original.sheet_id], rates,
                           rng, pen_only)
        differ = sum(truth.answers[q] != original.answers[q] for q in clear
                     if truth.answers[q] not in ("?", "*"))
        if differ >= COPY_DIFFERS:
            return truth
    raise AssertionError("no photocopy answers different enough")  # never with 5 levels


def _hidden(template: Template, on_page: list[str], lost: list[np.ndarray], px_per_pt: float
            ) -> list[str]:
    """Questions with a bubble mostly where handling hid the sheet: no one can read them."""
    if not lost:
        return []
    mask = lost[0]
    out = []
    for q in template.questions:
        if q.id not in on_page:
            continue
        for o in q.options:
            x0, y0 = int((o.x_pt - o.r_pt) * px_per_pt), int((o.y_pt - o.r_pt) * px_per_pt)
            x1, y1 = int((o.x_pt + o.r_pt) * px_per_pt) + 1, int((o.y_pt + o.r_pt) * px_per_pt) + 1
            if mask[max(y0, 0):y1, max(x0, 0):x1].mean() > 0.6:
                out.append(q.id)
                break
    return out


def _for_job(look: Look, job: Job) -> Look:
    """A page's look within its job: a 1-bit flatbed has even light and is not a phone."""
    settings = {**look.__dict__, "one_bit": job.one_bit, "phone": job.phone,
                "colour": job.colour}
    if job.one_bit:
        settings.update(light=0.0, photocopy=False)
    if not job.phone:  # a scanner's feed skews a little; only a hand-held phone tilts a lot
        settings.update(angle=float(np.clip(look.angle, -2.5, 2.5)))
    return Look(**settings)


def _describe(look: Look, job: Job) -> str:
    parts = [f"{job.dpi}dpi", "1-bit" if look.one_bit else ("colour" if look.colour else "grey")]
    if look.phone:
        parts.append("phone")
    if look.photocopy:
        parts.append("photocopy")
    if look.turn:
        parts.append(f"turned {90 * look.turn}")
    if look.light:
        parts.append("uneven light")
    if look.damage:
        where = ("top", "right", "bottom", "left") if look.damage == "cut" else \
            ("top-left", "top-right", "bottom-right", "bottom-left")
        parts.append(f"{look.damage} {where[look.damage_side]}")
    if look.crease:
        parts.append("crease")
    return ", ".join(parts)


def write_bad_files(out_dir: Path, good_jpeg: Path | None = None) -> dict[str, str]:
    """Files a clerk's folder also holds: truncated, mislabelled, empty. Name -> what is wrong."""
    out_dir.mkdir(parents=True, exist_ok=True)
    bad: dict[str, str] = {}
    source = good_jpeg.read_bytes() if good_jpeg else _tiny_jpeg()
    (out_dir / "truncated.jpg").write_bytes(source[: len(source) // 3])
    bad["truncated.jpg"] = "truncated JPEG"
    (out_dir / "notes.jpg").write_text("Danh sách phiếu đã thu: 15 phường, xã\n", encoding="utf-8")
    bad["notes.jpg"] = "a text file named .jpg"
    empty = pypdfium2.PdfDocument.new()
    empty.save(str(out_dir / "empty.pdf"))
    bad["empty.pdf"] = "a PDF with no pages"
    (out_dir / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    bad["broken.pdf"] = "a damaged PDF"
    (out_dir / "broken.tif").write_bytes(b"II*\x00\x08\x00\x00\x00garbage")
    bad["broken.tif"] = "a damaged TIFF"
    return bad


def _tiny_jpeg() -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.full((400, 300), 200, np.uint8)).save(buf, "JPEG")
    return buf.getvalue()
