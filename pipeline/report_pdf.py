"""bao-cao.pdf: the report's blocks set with ReportLab in the forms' Vietnamese font."""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Table, TableStyle
from reportlab.platypus import PageBreak as BreakFlowable

from phieu.forms.fonts import BOLD, BOLD_ITALIC, ITALIC, REGULAR, register_fonts

from .report_doc import (
    Document,
    Grid,
    Masthead,
    PageBreak,
    Para,
    Picture,
    Run,
    Signature,
    masthead_lines,
    signature_lines,
)

LEFT, RIGHT = 25 * mm, 13 * mm
WIDTH = A4[0] - LEFT - RIGHT
TALLEST = A4[1] - 60 * mm  # a picture on a page of its own, with its heading


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("body", fontName=REGULAR, fontSize=10.5, leading=15,
                          firstLineIndent=8 * mm, alignment=4, spaceAfter=3)
    plain = ParagraphStyle("plain", parent=base, firstLineIndent=0, alignment=0, spaceAfter=0)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=plain, fontSize=8.5, leading=11, spaceAfter=2),
        "cell": ParagraphStyle("cell", parent=plain, fontSize=8.5, leading=10.5),
        "note": ParagraphStyle("note", parent=plain, fontName=ITALIC, fontSize=8.5, leading=11),
        "h1": ParagraphStyle("h1", parent=plain, fontName=BOLD, fontSize=11.5, leading=16,
                             spaceBefore=8, spaceAfter=3, keepWithNext=1),
        "h2": ParagraphStyle("h2", parent=plain, fontName=BOLD, fontSize=10.5, leading=15,
                             spaceBefore=4, spaceAfter=2, keepWithNext=1),
        "title": ParagraphStyle("title", parent=plain, fontName=BOLD, fontSize=14, leading=19,
                                alignment=1, spaceBefore=10),
        "subject": ParagraphStyle("subject", parent=plain, fontName=BOLD, fontSize=11,
                                  leading=15, alignment=1, spaceAfter=10),
        "center": ParagraphStyle("center", parent=plain, alignment=1),
        "dots": ParagraphStyle("dots", parent=plain, leading=18, textColor="#555555"),
        "mast": ParagraphStyle("mast", parent=plain, fontSize=10, leading=13, alignment=1),
        "date": ParagraphStyle("date", parent=plain, fontName=ITALIC, fontSize=10, leading=13,
                               alignment=1, spaceBefore=5),
        "to": ParagraphStyle("to", parent=plain, fontSize=8.5, leading=11),
    }


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _markup(runs: tuple[Run, ...] | list[Run]) -> str:
    out = []
    for r in runs:
        t = _esc(r.text)
        if r.bold and r.italic:
            t = f'<font name="{BOLD_ITALIC}">{t}</font>'
        elif r.bold:
            t = f"<b>{t}</b>"
        elif r.italic:
            t = f"<i>{t}</i>"
        out.append(t)
    return "".join(out)


def _grid(block: Grid, st) -> Table:
    cells = [[Paragraph(_esc(c), st["cell"]) for c in r] for r in block.rows]
    total = sum(block.widths)
    t = Table(cells, colWidths=[w * WIDTH / total for w in block.widths], repeatRows=1)
    t.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DCE6F1")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
    ]))
    return t


def _picture(block: Picture) -> Image:
    img = Image(io.BytesIO(block.png))
    width = WIDTH * block.width
    width = min(width, TALLEST * img.imageWidth / img.imageHeight)  # never taller than a page
    img.drawWidth, img.drawHeight = width, img.imageHeight * width / img.imageWidth
    return img


def _two_columns(left: list, right: list, widths: tuple[float, float]) -> Table:
    t = Table([[left, right]], colWidths=[WIDTH * widths[0], WIDTH * widths[1]])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("LEFTPADDING", (0, 0), (-1, -1), 0),
                           ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return t


def _masthead(block: Masthead, st) -> Table:
    left, right, number, dated = masthead_lines(block.info, block.day, block.month, block.year)
    lines = [Paragraph(_markup([r]), st["mast"]) for r in left]
    lines.append(Paragraph("―――――", st["mast"]))
    lines.append(Paragraph(_esc(number), st["mast"]))
    rhs = [Paragraph(_markup([r]), st["mast"]) for r in right]
    rhs.append(Paragraph("―――――――――――", st["mast"]))
    rhs.append(Paragraph(_esc(dated), st["date"]))
    return _two_columns(lines, rhs, (0.42, 0.58))


def _signature(block: Signature, st) -> KeepTogether:
    recipients, head, name = signature_lines(block.info)
    left = [Paragraph(f'<font name="{BOLD_ITALIC}">Nơi nhận:</font>', st["to"])]
    left += [Paragraph(_esc(r), st["to"]) for r in recipients]
    right = [Paragraph(f"<b>{_esc(h)}</b>", st["mast"]) for h in head]
    right.append(Paragraph("<br/><br/><br/><br/>", st["mast"]))
    right.append(Paragraph(f"<b>{_esc(name)}</b>", st["mast"]))
    return KeepTogether([_two_columns(left, right, (0.5, 0.5))])


def _footer(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(REGULAR, 7.5)
    canvas.drawCentredString(A4[0] / 2, 9 * mm, f"Trang {doc.page}")
    canvas.restoreState()


def write_pdf(document: Document, path: Path) -> None:
    st = _styles()
    story = []
    for b in document.blocks:
        if isinstance(b, Para):
            story.append(Paragraph(_markup(b.runs), st[b.style]))
        elif isinstance(b, Grid):
            story.append(_grid(b, st))
        elif isinstance(b, Picture):
            story.append(_picture(b))
        elif isinstance(b, PageBreak):
            story.append(BreakFlowable())
        elif isinstance(b, Masthead):
            story.append(_masthead(b, st))
        elif isinstance(b, Signature):
            story.append(_signature(b, st))
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=LEFT, rightMargin=RIGHT,
                            topMargin=16 * mm, bottomMargin=16 * mm, title=document.title,
                            author="phieu")
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
