"""An A4 poster for each reception point: its name, an invitation, and a QR code that
opens the office's online form with the unit already filled in."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .fonts import BOLD, ITALIC, REGULAR, register_fonts, text_width, wrap
from .layout import Layout, Unit
from .render import qr_modules

INVITATION = ("Mời Ông/Bà quét mã QR bằng điện thoại để cho biết mức độ hài lòng với sự "
              "phục vụ của Bộ phận một cửa. Phiếu không ghi tên, mất khoảng 3 phút.")
QR_MM = 100  # readable from arm's length on a wall, by any phone camera
QUIET = 4  # modules of white around the code, as the standard asks


def unit_url(template: str, unit: Unit) -> str:
    """The online form's address for `unit`: the placeholders filled in, URL-encoded."""
    return (template.replace("{unit_code}", quote(unit.code, safe=""))
            .replace("{unit_name}", quote(unit.name, safe="")))


def write_posters(layout: Layout, units: list[Unit], out: Path) -> list[str]:
    """One A4 page per unit in the PDF `out`; returns the address each page's QR holds."""
    register_fonts()
    width, height = A4
    pdf = Canvas(str(out), pagesize=A4, pageCompression=1)
    pdf.setTitle(f"Áp phích khảo sát — {layout.title}")
    addresses = []
    for unit in units:
        url = unit_url(layout.online_url, unit)
        addresses.append(url)
        y = height - 22 * mm
        for line in layout.issuer:
            _centred(pdf, line, BOLD, 12, width, y)
            y -= 6 * mm
        y -= 10 * mm
        _centred(pdf, "KHẢO SÁT SỰ HÀI LÒNG", BOLD, 26, width, y)
        y -= 9 * mm
        _centred(pdf, "của người dân, tổ chức đối với Bộ phận một cửa", REGULAR, 14, width, y)
        y -= 18 * mm
        for line in wrap(unit.name, BOLD, 34, width - 30 * mm):
            _centred(pdf, line, BOLD, 34, width, y)
            y -= 14 * mm
        y -= 2 * mm
        for line in wrap(INVITATION, REGULAR, 13, width - 50 * mm):
            _centred(pdf, line, REGULAR, 13, width, y)
            y -= 6.5 * mm
        y -= 6 * mm
        _qr(pdf, url, (width - QR_MM * mm) / 2, y - QR_MM * mm, QR_MM * mm)
        y -= QR_MM * mm + 8 * mm
        for line in _cut(url, REGULAR, 8, width - 40 * mm):
            _centred(pdf, line, REGULAR, 8, width, y)
            y -= 4 * mm
        if layout.period:
            _centred(pdf, f"Thời gian khảo sát: {layout.period}", ITALIC, 11, width, 20 * mm)
        pdf.showPage()
    pdf.save()
    return addresses


def _centred(pdf: Canvas, text: str, font: str, size: float, width: float, y: float) -> None:
    pdf.setFont(font, size)
    pdf.drawCentredString(width / 2, y, text)


def _cut(address: str, font: str, size: float, room: float) -> list[str]:
    """An address in lines no wider than `room`, cut anywhere (it has no spaces)."""
    lines = [""]
    for ch in address:
        if lines[-1] and text_width(lines[-1] + ch, font, size) > room:
            lines.append("")
        lines[-1] += ch
    return lines


def _qr(pdf: Canvas, payload: str, x: float, y: float, side: float) -> None:
    """The QR code in a square of `side` at (x, y), its quiet zone inside the square."""
    modules = qr_modules(payload)
    n = modules.shape[0]
    cell = side / (n + 2 * QUIET)
    pdf.setFillGray(0)
    for r in range(n):
        for c in range(n):
            if modules[r, c]:
                pdf.rect(x + (c + QUIET) * cell, y + side - (r + QUIET + 1) * cell,
                         cell, cell, stroke=0, fill=1)
