"""bao-cao.docx: the same report, editable, set as Nghị định 30/2020 asks (Times New Roman,
A4, margins 20–25 / 30–35 / 15–20 mm, page numbers centred at the top from page 2, the
signature block on one page) so an office can finish it in Word before signing."""

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

from .blocks import (
    Appendix,
    Document,
    Grid,
    Keep,
    Masthead,
    PageBreak,
    Para,
    Picture,
    Run,
    Signature,
    appendix_lines,
    masthead_lines,
    signature_lines,
)

FONT = "Times New Roman"
PAGE, LEFT, RIGHT, TOP = (210, 297), 30, 15, 20  # mm: A4, NĐ 30 margins
TEXT_WIDTH = PAGE[0] - LEFT - RIGHT

# style -> (size pt, bold, italic, alignment, first-line indent mm, space before pt)
_LOOK = {
    "body": (13, False, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 10, 0),
    "plain": (13, False, False, WD_ALIGN_PARAGRAPH.LEFT, 0, 0),
    "quote": (13, False, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 0, 0),
    "small": (12, False, False, WD_ALIGN_PARAGRAPH.LEFT, 0, 0),
    "note": (12, False, True, WD_ALIGN_PARAGRAPH.LEFT, 0, 0),
    "h1": (13, True, False, WD_ALIGN_PARAGRAPH.LEFT, 0, 8),
    "h2": (13, True, False, WD_ALIGN_PARAGRAPH.LEFT, 10, 4),
    "title": (14, True, False, WD_ALIGN_PARAGRAPH.CENTER, 0, 12),
    "subject": (14, True, False, WD_ALIGN_PARAGRAPH.CENTER, 0, 0),
    "center": (13, False, False, WD_ALIGN_PARAGRAPH.CENTER, 0, 0),
    "dots": (13, False, False, WD_ALIGN_PARAGRAPH.LEFT, 0, 0),
}
QUOTE_INDENT = 10  # mm: a person's words set in from the left


def _paragraph(container, runs: list[Run], style: str, size: float | None = None,
               align=None):
    pt, bold, italic, default_align, indent, before = _LOOK[style]
    p = container.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = default_align if align is None else align
    fmt.space_before, fmt.space_after = Pt(before), Pt(3)
    if indent:
        fmt.first_line_indent = Mm(indent)
    if style == "quote":
        fmt.left_indent = Mm(QUOTE_INDENT)
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


def _no_split(row) -> None:
    """A row is never broken across two pages."""
    el = OxmlElement("w:cantSplit")
    el.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(el)


def _shade(cell, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _cell_text(cell, text: str, bold: bool = False, size: float = 10.5) -> None:
    p = cell.paragraphs[0]
    p.paragraph_format.space_after = Pt(0)
    run = p.add_run(text)
    run.bold, run.font.size = bold, Pt(size)


def _grid(doc, block: Grid, keep: bool = False) -> None:
    """A data table; `keep`: its rows kept on one page with what comes before when they fit."""
    table = doc.add_table(rows=len(block.rows), cols=len(block.widths))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # the widths given, in Word and in LibreOffice
    fixed = OxmlElement("w:tblLayout")
    fixed.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(fixed)
    margins = OxmlElement("w:tblCellMar")  # 1 mm each side: narrow columns keep their words
    for side in ("left", "right"):
        m = OxmlElement(f"w:{side}")
        m.set(qn("w:w"), "57")
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    table._tbl.tblPr.append(margins)
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
                _shade(cell, "E8EEF5")
            if keep:
                cell.paragraphs[0].paragraph_format.keep_with_next = True
        _no_split(row)
    _repeat_header(table.rows[0])
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def _two_columns(doc, widths: tuple[float, float]):
    table = doc.add_table(rows=1, cols=2)
    _borders(table, False)
    _no_split(table.rows[0])
    for i, w in enumerate(widths):
        table.columns[i].width = Mm(TEXT_WIDTH * w)
        table.rows[0].cells[i].width = Mm(TEXT_WIDTH * w)
    return table.rows[0].cells


def _fill(cell, lines: list[tuple[list[Run], float, bool]], keep: bool = False) -> None:
    """Centred lines in a cell: (runs, size, italic); `keep`: after what it holds already."""
    if not keep:
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
    for runs, size, italic in lines:
        p = _paragraph(cell, [Run(r.text, r.bold, italic or r.italic) for r in runs], "center",
                       size=size)
        p.paragraph_format.space_after = Pt(0)


def _rule(cell, width_mm: float, cell_mm: float) -> None:
    """A centred line `width_mm` long (NĐ 30's rules under the issuing body and the tiêu
    ngữ): the bottom border of a paragraph of its own, indented to that length."""
    paragraph = cell.add_paragraph()
    run = paragraph.add_run(" ")
    run.font.size = Pt(2)
    side = Mm(max(0.0, (cell_mm - width_mm) / 2))
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.left_indent, fmt.right_indent = side, side
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "000000")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _masthead(doc, block: Masthead) -> None:
    left, right, number, dated = masthead_lines(block.info, block.day, block.month, block.year)
    lcell, rcell = _two_columns(doc, (0.4, 0.6))
    _fill(lcell, [([r], 12.5, False) for r in left])
    _rule(lcell, 28, TEXT_WIDTH * 0.4)
    _fill(lcell, [([Run(number)], 13, False)], keep=True)
    _fill(rcell, [([r], 12.5 if i == 0 else 13.5, False) for i, r in enumerate(right)])
    _rule(rcell, 62, TEXT_WIDTH * 0.6)
    _fill(rcell, [([Run(dated)], 13.5, True)], keep=True)
    rcell.paragraphs[-1].paragraph_format.space_before = Pt(6)


def _signature(doc, block: Signature) -> None:
    """Nơi nhận and the signer side by side, in one row that never breaks across pages; the
    paragraph before it stays on its page."""
    if doc.paragraphs:
        doc.paragraphs[-1].paragraph_format.keep_with_next = True
    recipients, head, name = signature_lines(block.info)
    lcell, rcell = _two_columns(doc, (0.45, 0.55))
    lcell.paragraphs[0]._p.getparent().remove(lcell.paragraphs[0]._p)
    p = _paragraph(lcell, [Run("Nơi nhận:", bold=True, italic=True)], "small", size=12)
    p.paragraph_format.space_after = Pt(0)
    for r in recipients:
        _paragraph(lcell, [Run(r)], "small", size=11).paragraph_format.space_after = Pt(0)
    _fill(rcell, [([Run(h, bold=True)], 13.5, False) for h in head]
          + [([Run("")], 13, False)] * 4 + [([Run(name, bold=True)], 13.5, False)])


def _appendix(doc, block: Appendix) -> None:
    name, title, of = appendix_lines(block)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    for text, size, italic, after in ((name, 14, False, 0), (title, 13, False, 0),
                                      (of, 13, True, 12)):
        p = _paragraph(doc, [Run(text, bold=not italic, italic=italic)], "center", size=size)
        p.paragraph_format.space_after = Pt(after)
        p.paragraph_format.keep_with_next = True


def _page_numbers(section) -> None:
    """A PAGE field centred in the header, none on the first page."""
    section.different_first_page_header_footer = True
    section.header_distance = Mm(10)
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    run.font.size = Pt(13)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def _block(doc, b, keep: bool = False) -> None:
    """One block; `keep`: held on the page of what follows it (a Keep's blocks)."""
    if isinstance(b, Para):
        p = _paragraph(doc, list(b.runs), b.style)
        if keep:
            p.paragraph_format.keep_with_next = True
        if b.style == "dots":
            for run in p.runs:
                run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    elif isinstance(b, Grid):
        _grid(doc, b, keep)
    elif isinstance(b, Picture):
        doc.add_picture(io.BytesIO(b.png), width=Mm(TEXT_WIDTH * b.width))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif isinstance(b, PageBreak):
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    elif isinstance(b, Masthead):
        _masthead(doc, b)
    elif isinstance(b, Signature):
        _signature(doc, b)
    elif isinstance(b, Appendix):
        _appendix(doc, b)
    elif isinstance(b, Keep):  # each held with the next; the last one with nothing
        for i, inner in enumerate(b.blocks):
            _block(doc, inner, keep=i < len(b.blocks) - 1)
    else:
        raise TypeError(f"no .docx for {type(b).__name__}")


def write_docx(document: Document, path: Path) -> None:
    doc = new_docx()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE[0]), Mm(PAGE[1])
    section.left_margin, section.right_margin = Mm(LEFT), Mm(RIGHT)
    section.top_margin, section.bottom_margin = Mm(TOP), Mm(TOP)
    _page_numbers(section)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(13)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    doc.core_properties.title, doc.core_properties.author = document.title, "phieu"
    for b in document.blocks:
        _block(doc, b)
    doc.save(str(path))
