"""bao-cao.pdf: the report's blocks set with ReportLab as Nghị định 30/2020/NĐ-CP asks: A4,
margins top and bottom 20, left 30, right 15 mm, a Times-metric serif (Liberation Serif,
from the fonts-liberation2 package) at 13 pt, page numbers centred at the top from page 2.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Table,
    TableStyle,
)
from reportlab.platypus import PageBreak as BreakFlowable

from phieu.forms import fonts as form_fonts

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

TOP, BOTTOM, LEFT, RIGHT = 20 * mm, 20 * mm, 30 * mm, 15 * mm  # NĐ 30's margins
WIDTH = A4[0] - LEFT - RIGHT
TALLEST = A4[1] - TOP - BOTTOM - 40 * mm  # a picture on a page of its own, with its heading
HEADING_ROOM = 35 * mm  # what a heading needs below it on its page
SERIF_DIRS = ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation")
FACES = ("Regular", "Bold", "Italic", "BoldItalic")


@cache
def serif() -> tuple[str, str, str, str] | None:
    """Liberation Serif's four faces registered with ReportLab (regular, bold, italic, bold
    italic); None when the package is missing or its font lacks Vietnamese (version 1)."""
    for folder in SERIF_DIRS:
        files = [Path(folder) / f"LiberationSerif-{f}.ttf" for f in FACES]
        if not all(f.exists() for f in files):
            continue
        names = tuple(f"Serif-{f}" for f in FACES)
        for name, file in zip(names, files, strict=True):
            pdfmetrics.registerFont(TTFont(name, str(file)))
        face = pdfmetrics.getFont(names[0]).face
        if ord("ữ") not in face.charToGlyph:  # Liberation 1.x: no Vietnamese
            continue
        pdfmetrics.registerFontFamily(names[0], normal=names[0], bold=names[1],
                                      italic=names[2], boldItalic=names[3])
        return names  # type: ignore[return-value]
    return None


def faces() -> tuple[str, str, str, str]:
    """The report's faces: the serif, or the forms' sans-serif when it is not installed."""
    found = serif()
    if found:
        return found
    form_fonts.register_fonts()
    return (form_fonts.REGULAR, form_fonts.BOLD, form_fonts.ITALIC, form_fonts.BOLD_ITALIC)


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold, italic, _ = faces()
    base = ParagraphStyle("body", fontName=regular, fontSize=13, leading=17.5,
                          firstLineIndent=10 * mm, alignment=4, spaceAfter=6)
    plain = ParagraphStyle("plain", parent=base, firstLineIndent=0, alignment=0, spaceAfter=3)
    return {
        "body": base,
        "plain": plain,
        "quote": ParagraphStyle("quote", parent=base, leftIndent=10 * mm, firstLineIndent=0,
                                spaceAfter=3),
        "small": ParagraphStyle("small", parent=plain, fontSize=12, leading=15.5),
        "cell": ParagraphStyle("cell", parent=plain, fontSize=11, leading=13, spaceAfter=0),
        "note": ParagraphStyle("note", parent=plain, fontName=italic, fontSize=12, leading=15.5,
                               spaceBefore=3),
        "h1": ParagraphStyle("h1", parent=plain, fontName=bold, fontSize=13, leading=17.5,
                             spaceBefore=8, spaceAfter=4),
        "h2": ParagraphStyle("h2", parent=plain, fontName=bold, fontSize=13, leading=17.5,
                             spaceBefore=4, spaceAfter=3, firstLineIndent=10 * mm),
        "title": ParagraphStyle("title", parent=plain, fontName=bold, fontSize=14, leading=19,
                                alignment=1, spaceBefore=14, spaceAfter=0),
        "subject": ParagraphStyle("subject", parent=plain, fontName=bold, fontSize=14,
                                  leading=18, alignment=1, spaceAfter=12, leftIndent=8 * mm,
                                  rightIndent=8 * mm),
        "center": ParagraphStyle("center", parent=plain, alignment=1),
        "dots": ParagraphStyle("dots", parent=plain, leading=20, textColor="#555555"),
        "mast": ParagraphStyle("mast", parent=plain, fontSize=12.5, leading=15, alignment=1,
                               spaceAfter=0),
        "motto": ParagraphStyle("motto", parent=plain, fontName=bold, fontSize=13.5, leading=16,
                                alignment=1, spaceAfter=0),
        "date": ParagraphStyle("date", parent=plain, fontName=italic, fontSize=13.5, leading=16,
                               alignment=1, spaceBefore=6),
        "to": ParagraphStyle("to", parent=plain, fontSize=11, leading=13.5, spaceAfter=0),
        "sign": ParagraphStyle("sign", parent=plain, fontName=bold, fontSize=13.5, leading=17,
                               alignment=1, spaceAfter=0),
        "annex": ParagraphStyle("annex", parent=plain, fontName=bold, fontSize=14, leading=18,
                                alignment=1, spaceAfter=0),
        "annex-title": ParagraphStyle("annex-title", parent=plain, fontName=bold, fontSize=13,
                                      leading=17, alignment=1, spaceAfter=0),
        "annex-of": ParagraphStyle("annex-of", parent=plain, fontName=italic, fontSize=13,
                                   leading=17, alignment=1, spaceAfter=12),
    }


class _Rule(Flowable):
    """A short horizontal line centred under a heading (NĐ 30's rules under the issuing
    body and the tiêu ngữ)."""

    def __init__(self, length: float) -> None:
        super().__init__()
        self.length = length

    def wrap(self, avail_width, avail_height):
        self.avail = avail_width
        return avail_width, 5

    def draw(self) -> None:
        x = (self.avail - self.length) / 2
        self.canv.setLineWidth(0.6)
        self.canv.line(x, 2.5, x + self.length, 2.5)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _markup(runs: tuple[Run, ...] | list[Run]) -> str:
    bold_italic = faces()[3]
    out = []
    for r in runs:
        t = _esc(r.text)
        if r.bold and r.italic:
            t = f'<font name="{bold_italic}">{t}</font>'
        elif r.bold:
            t = f"<b>{t}</b>"
        elif r.italic:
            t = f"<i>{t}</i>"
        out.append(t)
    return "".join(out)


def _grid(block: Grid, st) -> Table:
    cells = [[Paragraph(_esc(c) if r else f"<b>{_esc(c)}</b>", st["cell"]) for c in row]
             for r, row in enumerate(block.rows)]
    total = sum(block.widths)
    t = Table(cells, colWidths=[w * WIDTH / total for w in block.widths], repeatRows=1,
              spaceBefore=3, spaceAfter=6)
    t.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF5")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#777777")),
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
    lines += [_Rule(28 * mm), Paragraph(_esc(number), st["mast"])]
    motto = right[-1].text
    rhs = [Paragraph(_markup([r]), st["mast"]) for r in right[:-1]]
    rhs += [Paragraph(_esc(motto), st["motto"]),
            _Rule(pdfmetrics.stringWidth(motto, st["motto"].fontName, st["motto"].fontSize)),
            Paragraph(_esc(dated), st["date"])]
    return _two_columns(lines, rhs, (0.4, 0.6))


def _signature(block: Signature, st) -> KeepTogether:
    recipients, head, name = signature_lines(block.info)
    left = [Paragraph(f'<font name="{faces()[3]}" size="12">Nơi nhận:</font>', st["to"])]
    left += [Paragraph(_esc(r), st["to"]) for r in recipients]
    right = [Paragraph(_esc(h), st["sign"]) for h in head]
    right.append(Paragraph("<br/><br/><br/><br/>", st["sign"]))
    right.append(Paragraph(_esc(name), st["sign"]))
    return KeepTogether([_two_columns(left, right, (0.45, 0.55))])


def _appendix(block: Appendix, st) -> list:
    name, title, of = appendix_lines(block)
    return [BreakFlowable(), Paragraph(_esc(name), st["annex"]),
            Paragraph(_esc(title), st["annex-title"]), Paragraph(_esc(of), st["annex-of"])]


def _page_number(canvas, doc) -> None:
    """A plain number centred in the top margin, from page 2 on."""
    if doc.page < 2:
        return
    canvas.saveState()
    canvas.setFont(faces()[0], 13)
    canvas.drawCentredString(LEFT + WIDTH / 2, A4[1] - TOP + 6 * mm, str(doc.page))
    canvas.restoreState()


def _flowables(block, st) -> list:
    if isinstance(block, Para):
        shown = Paragraph(_markup(block.runs), st[block.style])
        # a heading never ends a page: a new page when less than a few lines are left
        return [CondPageBreak(HEADING_ROOM), shown] if block.style in ("h1", "h2") else [shown]
    if isinstance(block, Grid):
        return [_grid(block, st)]
    if isinstance(block, Picture):
        return [_picture(block)]
    if isinstance(block, PageBreak):
        return [BreakFlowable()]
    if isinstance(block, Masthead):
        return [_masthead(block, st)]
    if isinstance(block, Signature):
        return [_signature(block, st)]
    if isinstance(block, Appendix):
        return _appendix(block, st)
    if isinstance(block, Keep):
        return [KeepTogether([f for b in block.blocks for f in _flowables(b, st)])]
    raise TypeError(f"no PDF for {type(block).__name__}")


def write_pdf(document: Document, path: Path) -> None:
    st = _styles()
    story = [f for b in document.blocks for f in _flowables(b, st)]
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=LEFT, rightMargin=RIGHT,
                            topMargin=TOP, bottomMargin=BOTTOM, title=document.title,
                            author="phieu")
    doc.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
