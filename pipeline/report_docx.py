"""bao-cao.docx: the same report, editable, set as Nghị định 30/2020 asks (Times New Roman,
A4, margins 20–25 / 30–35 / 15–20 mm) so an office can finish it in Word before signing."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

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

FONT = "Times New Roman"
PAGE, LEFT, RIGHT, TOP = (210, 297), 30, 15, 20  # mm: A4, NĐ 30 margins
TEXT_WIDTH = PAGE[0] - LEFT - RIGHT

# style -> (size pt, bold, italic, alignment, first-line indent mm, space before pt)
_LOOK = {
    "body": (13, False, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 10, 0),
    "small": (11, False, False, WD_ALIGN_PARAGRAPH.LEFT, 0, 0),
    "note": (11, False, True, WD_ALIGN_PARAGRAPH.LEFT, 0, 0),
    "h1": (13, True, False, WD_ALIGN_PARAGRAPH.LEFT, 0, 8),
    "h2": (13, True, False, WD_ALIGN_PARAGRAPH.LEFT, 0, 4),
    "title": (14, True, False, WD_ALIGN_PARAGRAPH.CENTER, 0, 12),
    "subject": (13, True, False, WD_ALIGN_PARAGRAPH.CENTER, 0, 0),
    "center": (13, False, False, WD_ALIGN_PARAGRAPH.CENTER, 0, 0),
    "dots": (13, False, False, WD_ALIGN_PARAGRAPH.LEFT, 0, 0),
}


def _paragraph(container, runs: list[Run], style: str, size: float | None = None,
               align=None):
    pt, bold, italic, default_align, indent, before = _LOOK[style]
    p = container.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = default_align if align is None else align
    fmt.space_before, fmt.space_after = Pt(before), Pt(3)
    if indent:
        fmt.first_line_indent = Mm(indent)
    fmt.keep_with_next = style in ("h1", "h2", "title", "subject")
    for r in runs:
        run = p.add_run(r.text)
        run.bold = r.bold or bold
        run.italic = r.italic or italic
        run.font.size = Pt(size or pt)
    return p


def _borders(table, on: bool) -> None:
    """Grid lines for a data table; none for the masthead and the signature."""
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{edge}")
        e.set(qn("w:val"), "single" if on else "nil")
        if on:
            e.set(qn("w:sz"), "4")
            e.set(qn("w:color"), "808080")
        borders.append(e)
    table._tbl.tblPr.append(borders)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _shade(cell, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _cell_text(cell, text: str, bold: bool = False, size: float = 9) -> None:
    p = cell.paragraphs[0]
    p.paragraph_format.space_after = Pt(0)
    run = p.add_run(text)
    run.bold, run.font.size = bold, Pt(size)


def _grid(doc, block: Grid) -> None:
    table = doc.add_table(rows=len(block.rows), cols=len(block.widths))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borders(table, True)
    scale = TEXT_WIDTH / sum(block.widths)
    for i, w in enumerate(block.widths):
        table.columns[i].width = Mm(w * scale)
    widths = [Mm(w * scale) for w in block.widths]
    for r, (row, values) in enumerate(zip(table.rows, block.rows, strict=True)):
        for c, (cell, v) in enumerate(zip(row.cells, values, strict=True)):  # .cells: once
            cell.width = widths[c]
            _cell_text(cell, v, bold=r == 0)
            if r == 0:
                _shade(cell, "DCE6F1")
    _repeat_header(table.rows[0])
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def _two_columns(doc, widths: tuple[float, float]):
    table = doc.add_table(rows=1, cols=2)
    _borders(table, False)
    for i, w in enumerate(widths):
        table.columns[i].width = Mm(TEXT_WIDTH * w)
        table.rows[0].cells[i].width = Mm(TEXT_WIDTH * w)
    return table.rows[0].cells


def _fill(cell, lines: list[tuple[list[Run], float, bool]]) -> None:
    """Centred lines in a cell: (runs, size, italic)."""
    cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
    for runs, size, italic in lines:
        p = _paragraph(cell, [Run(r.text, r.bold, italic or r.italic) for r in runs], "center",
                       size=size)
        p.paragraph_format.space_after = Pt(0)


def _masthead(doc, block: Masthead) -> None:
    left, right, number, dated = masthead_lines(block.info, block.day, block.month, block.year)
    lcell, rcell = _two_columns(doc, (0.4, 0.6))
    _fill(lcell, [([r], 12 if not r.bold else 13, False) for r in left]
          + [([Run("―――――")], 10, False), ([Run(number)], 13, False)])
    _fill(rcell, [([r], 12 if i == 0 else 13, False) for i, r in enumerate(right)]
          + [([Run("―――――――――――")], 10, False), ([Run(dated)], 13, True)])


def _signature(doc, block: Signature) -> None:
    recipients, head, name = signature_lines(block.info)
    lcell, rcell = _two_columns(doc, (0.5, 0.5))
    lcell.paragraphs[0]._p.getparent().remove(lcell.paragraphs[0]._p)
    p = _paragraph(lcell, [Run("Nơi nhận:", bold=True, italic=True)], "small", size=12)
    p.paragraph_format.space_after = Pt(0)
    for r in recipients:
        _paragraph(lcell, [Run(r)], "small", size=11).paragraph_format.space_after = Pt(0)
    _fill(rcell, [([Run(h, bold=True)], 13, False) for h in head]
          + [([Run("")], 13, False)] * 4 + [([Run(name, bold=True)], 13, False)])


def write_docx(document: Document, path: Path) -> None:
    doc = new_docx()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE[0]), Mm(PAGE[1])
    section.left_margin, section.right_margin = Mm(LEFT), Mm(RIGHT)
    section.top_margin, section.bottom_margin = Mm(TOP), Mm(TOP)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(13)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    doc.core_properties.title, doc.core_properties.author = document.title, "phieu"
    for b in document.blocks:
        if isinstance(b, Para):
            p = _paragraph(doc, list(b.runs), b.style)
            if b.style == "dots":
                for run in p.runs:
                    run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
        elif isinstance(b, Grid):
            _grid(doc, b)
        elif isinstance(b, Picture):
            doc.add_picture(io.BytesIO(b.png), width=Mm(TEXT_WIDTH * b.width))
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif isinstance(b, PageBreak):
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif isinstance(b, Masthead):
            _masthead(doc, b)
        elif isinstance(b, Signature):
            _signature(doc, b)
    doc.save(str(path))
