"""Draw forms with ReportLab from the geometry, one PDF page per form page.

What is the same on every sheet (text, rules, bubbles, registration
marks) is drawn once per form page into a PDF form object and placed by
reference on each printed page; only the identity (QR code, sheet id,
unit name) is drawn per page. That keeps a 1,000-sheet PDF small and
quick to write.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pypdfium2
import zxingcpp
from reportlab.pdfgen.canvas import Canvas

from .fonts import BOLD, REGULAR, SEMIBOLD, register_fonts, text_width
from .geometry import Disc, FormGeometry, Line, Rect, Text
from .identity import PageIdentity
from .markers import marker_cells
from .template import (
    PICTURE_DARK,
    PICTURE_LIGHT,
    PICTURE_SAMPLES_PER_PT,
    Box,
    Template,
)

QR_ERROR = "Q"  # recovers from about a quarter of the symbol damaged
PICTURE_DARK_FROM = 0.45  # darkness (0 paper .. 1 black) of printed matter a pen cannot hide in
PICTURE_LIGHT_FROM = 0.04  # ... and of a tint or a grey hairline


@dataclass(frozen=True)
class SheetToPrint:
    unit_code: str
    unit_name: str
    area: str
    serial: int


@dataclass(frozen=True)
class PrintedPage:
    pdf_page: int
    identity: PageIdentity


class _Page:
    """Top-left coordinates onto ReportLab's bottom-left canvas."""

    def __init__(self, canvas: Canvas, height: float) -> None:
        self.c = canvas
        self.h = height

    def text(self, t: Text) -> None:
        c = self.c
        c.setFillGray(t.gray)
        c.setFont(t.font, t.size)
        draw = {"left": c.drawString, "center": c.drawCentredString,
                "right": c.drawRightString}[t.align]
        draw(t.x, self.h - t.y, t.text)

    def line(self, ln: Line) -> None:
        c = self.c
        c.setStrokeGray(ln.gray)
        c.setLineWidth(ln.width)
        if ln.dash:
            c.setDash(*ln.dash)
        c.line(ln.x1, self.h - ln.y1, ln.x2, self.h - ln.y2)
        c.setDash()

    def rect(self, r: Rect) -> None:
        c = self.c
        c.setLineWidth(r.width)
        c.setStrokeGray(r.gray)
        if r.fill is not None:
            c.setFillGray(r.fill)
        c.rect(r.x, self.h - r.y - r.h, r.w, r.h, stroke=1 if r.width > 0 else 0,
               fill=0 if r.fill is None else 1)

    def cells(self, box: Box, cells: Iterable[Iterable[bool]], n: int) -> None:
        """Fill a square grid of n x n cells, one rectangle per horizontal run."""
        size = box.w_pt / n
        c = self.c
        c.setFillGray(0)
        path = c.beginPath()
        for row, line in enumerate(cells):
            start = None
            for col, dark in enumerate([*line, False]):
                if dark and start is None:
                    start = col
                elif not dark and start is not None:
                    y = self.h - box.y_pt - (row + 1) * size
                    path.rect(box.x_pt + start * size, y, (col - start) * size, size)
                    start = None
        c.drawPath(path, stroke=0, fill=1)


def _draw_static(page: _Page, geometry: FormGeometry, number: int) -> None:
    t = geometry.template
    for item in geometry.page_items[number - 1]:
        if isinstance(item, Text):
            page.text(item)
        elif isinstance(item, Line):
            page.line(item)
        elif isinstance(item, Disc):
            page.c.setFillGray(0)
            page.c.circle(item.x, page.h - item.y, item.r, stroke=0, fill=1)
        else:
            page.rect(item)
    for m in t.markers:
        cells = marker_cells(m.id)
        page.cells(m.box, cells.tolist(), cells.shape[0])
    c = page.c
    c.setStrokeGray(0)
    c.setLineWidth(1.0)  # survives a 1-bit scan at 150 dpi
    for q in t.questions:
        if q.page != number:
            continue
        for o in q.options:
            if q.shape == "square":
                c.rect(o.x_pt - o.r_pt, page.h - o.y_pt - o.r_pt, 2 * o.r_pt, 2 * o.r_pt)
            else:
                c.circle(o.x_pt, page.h - o.y_pt, o.r_pt)


def qr_modules(payload: str) -> np.ndarray:
    """The QR code of a payload as a boolean grid of dark modules, no quiet zone."""
    code = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level=QR_ERROR)
    return np.asarray(code.to_image(scale=1, add_quiet_zones=False)) == 0


def _draw_identity(page: _Page, t: Template, ident: PageIdentity, sheet: SheetToPrint) -> None:
    modules = qr_modules(ident.payload())
    page.cells(t.identity.qr, modules.tolist(), modules.shape[0])
    box = t.identity.text
    right, base = box.x_pt + box.w_pt, box.y_pt + box.h_pt - 2
    parts = [p for p in ident.printed_parts(t.pages) if p]
    wide = sum(text_width(p, SEMIBOLD, 11) + 9 for p in parts) - 9
    size = min(11.0, 11.0 * box.w_pt / wide)  # a long unit code: smaller, within the box
    for part in reversed(parts):  # right to left
        page.text(Text(right, base, part, SEMIBOLD, size, "right"))
        right -= text_width(part, SEMIBOLD, size) + 9 * size / 11
    u = t.identity.unit
    size = 11.0
    while size > 7 and text_width(sheet.unit_name, BOLD, size) > u.w_pt:
        size -= 0.5
    page.text(Text(u.x_pt + u.w_pt / 2, u.y_pt + size, sheet.unit_name, BOLD, size, "center"))
    if sheet.area:
        page.text(Text(u.x_pt + u.w_pt / 2, u.y_pt + size + 11, sheet.area, REGULAR, 7.5,
                       "center"))


def render_pdf(geometry: FormGeometry, sheets: list[SheetToPrint], out: Path,
               title: str = "", campaign: str = "") -> Iterator[PrintedPage]:
    """Write every page of every sheet to `out`, each naming the `campaign` (its code);
    yields each page as it is drawn."""
    register_fonts()
    t = geometry.template
    w, h = t.page_size_pt
    canvas = Canvas(str(out), pagesize=(w, h), pageCompression=1, invariant=1)
    canvas.setTitle(title or t.layout)
    canvas.setCreator("phieu")
    page = _Page(canvas, h)
    for number in range(1, t.pages + 1):
        canvas.beginForm(f"page{number}")
        _draw_static(page, geometry, number)
        canvas.endForm()
    pdf_page = 0
    for sheet in sheets:
        for number in range(1, t.pages + 1):
            pdf_page += 1
            ident = PageIdentity(t.layout, sheet.unit_code, sheet.serial, number, campaign)
            canvas.doForm(f"page{number}")
            _draw_identity(page, t, ident, sheet)
            canvas.showPage()
            yield PrintedPage(pdf_page, ident)
    canvas.save()


def print_pictures(geometry: FormGeometry) -> tuple[str, ...]:
    """Per form page, what is printed on every sheet as a picture (PNG, base64) at
    PICTURE_SAMPLES_PER_PT: dark print, light print or paper, per sample."""
    register_fonts()
    t = geometry.template
    w, h = t.page_size_pt
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=(w, h), invariant=1)
    page = _Page(canvas, h)
    for number in range(1, t.pages + 1):
        _draw_static(page, geometry, number)
        canvas.showPage()
    canvas.save()
    pdf = pypdfium2.PdfDocument(buf.getvalue())
    pictures = []
    for number in range(t.pages):
        grey = np.asarray(pdf[number].render(scale=PICTURE_SAMPLES_PER_PT, grayscale=True)
                          .to_pil().convert("L"), np.float32)
        darkness = 1 - grey / 255
        levels = np.where(darkness > PICTURE_DARK_FROM, PICTURE_DARK,
                          np.where(darkness > PICTURE_LIGHT_FROM, PICTURE_LIGHT, 0))
        ok, png = cv2.imencode(".png", levels.astype(np.uint8), [cv2.IMWRITE_PNG_COMPRESSION, 9])
        pictures.append(base64.b64encode(png.tobytes()).decode("ascii"))
    pdf.close()
    return tuple(pictures)
