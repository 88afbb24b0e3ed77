"""Turn a layout into page geometry: the one place that decides where things sit.

`build_geometry(layout)` flows the layout's sections onto as many pages
as they need and returns two things: the `Template` (every bubble,
registration mark, identity region and text box, as published in
`template.json` and read by the reader) and, per page, the printed
matter around them (text, rules, frames). The renderer draws both and
invents no coordinate of its own.

All values are points from the top-left corner, y downwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .fonts import BOLD, ITALIC, REGULAR, SEMIBOLD, text_width, wrap
from .layout import Layout, Question
from .markers import CORNERS, DICTIONARY
from .template import Box, Bubble, Identity, Marker, QuestionGeometry, Template, TextBox

MM = 72 / 25.4
MARKER_PT = 34.0  # 6 cells of 5.7 pt: found at 75 dpi with 5 px a cell
QR_PT = 66.0
GAP = 8.0
LEADING = 1.28  # line height as a multiple of the font size
GRID_COL_PT = 44.0  # one column per level of a scale
LIGHT_TINT = 0.8  # a fill at least this light (grey level) is paper to the reader
INLINE_LABEL_PT = 150.0  # question text column for questions answered on the same line


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # baseline
    text: str
    font: str
    size: float
    align: str = "left"  # left | center | right
    gray: float = 0.0


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float = 0.5
    gray: float = 0.0
    dash: tuple[float, ...] = ()


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    width: float = 0.6
    gray: float = 0.0
    fill: float | None = None  # gray level of the fill, None for none


@dataclass(frozen=True)
class Disc:
    x: float  # centre
    y: float
    r: float


Item = Text | Line | Rect | Disc


@dataclass(frozen=True)
class FormGeometry:
    template: Template
    page_items: tuple[tuple[Item, ...], ...]  # printed matter of each page, the same on every sheet


def _r(v: float) -> float:
    return round(v, 2)


@dataclass
class _Flow:
    """Places blocks top to bottom, opening a new page when one does not fit."""

    layout: Layout
    pages: list[list[Item]] = field(default_factory=list)
    questions: list[QuestionGeometry] = field(default_factory=list)
    text_boxes: list[TextBox] = field(default_factory=list)
    y: float = 0.0

    def __post_init__(self) -> None:
        p = self.layout.print
        self.w, self.h = p.page_size_pt
        self.m = p.margin_mm * MM
        self.fs = p.font_size
        self.r = _r(p.bubble_mm * MM / 2)
        self.x0 = self.m
        self.x1 = self.w - self.m
        self.bottom = self.h - self.m - MARKER_PT - GAP
        self.line_h = self.fs * LEADING

    # -- pages -------------------------------------------------------------
    @property
    def page(self) -> int:
        return len(self.pages)

    @property
    def items(self) -> list[Item]:
        return self.pages[-1]

    def new_page(self) -> None:
        self.pages.append([])
        self.y = self.m + QR_PT + 16  # below the identity band

    def ensure(self, height: float) -> bool:
        """Start a new page unless `height` fits; True when a page was started."""
        if self.y + height <= self.bottom:
            return False
        self.new_page()
        self.short_header()
        return True

    # -- text helpers ------------------------------------------------------
    def paragraph(self, text: str, font: str, size: float, x: float, width: float,
                  align: str = "left", gray: float = 0.0) -> float:
        """Set wrapped text from the current y; returns the height used."""
        lead = size * LEADING
        lines = wrap(text, font, size, width)
        for i, line in enumerate(lines):
            ax = {"left": x, "center": x + width / 2, "right": x + width}[align]
            self.items.append(Text(_r(ax), _r(self.y + size + i * lead), line, font, size, align,
                                   gray))
        return len(lines) * lead

    def text_height(self, text: str, font: str, size: float, width: float) -> float:
        return len(wrap(text, font, size, width)) * size * LEADING

    # -- page furniture ----------------------------------------------------
    def first_header(self) -> None:
        L = self.layout
        band_x = self.m + MARKER_PT + GAP
        for i, line in enumerate(L.issuer):
            self.items.append(Text(_r(band_x + 110), _r(self.m + 10 + i * 12), line, BOLD,
                                   self.fs - 0.5, "center"))
        if L.issuer:
            yy = self.m + 10 + (len(L.issuer) - 1) * 12 + 5
            self.items.append(Line(_r(band_x + 80), _r(yy), _r(band_x + 140), _r(yy), 0.6))
        width = self.x1 - self.x0
        self.y += self.paragraph(L.title, BOLD, self.fs + 5.5, self.x0, width, "center") + 1
        if L.subtitle:
            self.y += self.paragraph(L.subtitle, SEMIBOLD, self.fs + 0.5, self.x0 + 40, width - 80,
                                     "center")
        if L.period:
            self.y += self.paragraph(f"Thời gian khảo sát: {L.period}", ITALIC, self.fs - 1,
                                     self.x0, width, "center")
        self.y += 4
        if L.intro:
            self.y += self.paragraph(L.intro, ITALIC, self.fs - 1, self.x0, width)
        self.instruction()
        self.y += 4

    def instruction(self) -> None:
        """How to mark, with a filled example bubble; on two lines when one is too short."""
        label = "Cách đánh dấu: dùng bút bi hoặc bút chì tô kín ô như mẫu"
        rest = ". Ô tròn: chọn một; ô vuông: chọn được nhiều. Tô nhầm: tẩy sạch rồi tô lại."
        size = self.fs - 1
        one_line = (text_width(label, SEMIBOLD, size) + text_width(rest, REGULAR, size)
                    + 2 * self.r + 6) <= self.x1 - self.x0
        base = self.y + size
        self.items.append(Text(_r(self.x0), _r(base), label, SEMIBOLD, size))
        x = self.x0 + text_width(label, SEMIBOLD, size) + 4 + self.r
        self.items.append(Disc(_r(x), _r(base - size * 0.35), self.r))
        if one_line:
            self.items.append(Text(_r(x + self.r + 1), _r(base), rest, REGULAR, size))
        else:
            self.items.append(Text(_r(x + self.r + 1), _r(base), ".", REGULAR, size))
            self.y += max(size * LEADING, 2 * self.r + 2)
            self.items.append(Text(_r(self.x0), _r(self.y + size), rest[2:], REGULAR, size))
        self.y += size * LEADING

    def short_header(self) -> None:
        self.items.append(Text(_r(self.m + MARKER_PT + GAP), _r(self.m + 12), self.layout.title,
                               BOLD, self.fs + 1))
        self.items.append(Text(_r(self.m + MARKER_PT + GAP), _r(self.m + 24),
                               "(tiếp theo)", ITALIC, self.fs - 1.5))

    def furniture(self, pages: int) -> None:
        """Footer with the layout and page number on every page."""
        for i, items in enumerate(self.pages, 1):
            items.append(Text(_r(self.w / 2), _r(self.h - self.m - 6),
                              f"{self.layout.id} · phiên bản {self.layout.version} · "
                              f"Trang {i}/{pages}", REGULAR, 6.5, "center", 0.35))

    # -- blocks ------------------------------------------------------------
    def section_heading(self, title: str, note: str, next_height: float) -> None:
        h = self.fs + 9
        self.ensure(h + next_height)
        self.y += 3
        self.items.append(Rect(_r(self.x0), _r(self.y), _r(self.x1 - self.x0), _r(h - 3), 0.0,
                               fill=0.88))
        self.items.append(Text(_r(self.x0 + 4), _r(self.y + self.fs + 1), title, BOLD, self.fs))
        if note:
            self.items.append(Text(_r(self.x1 - 4), _r(self.y + self.fs + 1), note, ITALIC,
                                   self.fs - 1.5, "right"))
        self.y += h

    def option_cells(self, q: Question) -> list[tuple[str, str, float]]:
        size = self.fs - 0.5
        return [(o.value, o.label, 2 * self.r + 4 + text_width(o.label, REGULAR, size) + 14)
                for o in self.layout.options_of(q)]

    def inline_plan(self, q: Question, number: str) -> tuple[bool, list[list[tuple]], float]:
        """Where the options of a question go: beside its text, or in rows below it."""
        text = f"{number}. {q.text}"
        cells = self.option_cells(q)
        beside = text_width(text, SEMIBOLD, self.fs) <= INLINE_LABEL_PT - 6
        ox = self.x0 + (INLINE_LABEL_PT if beside else 14)
        avail = self.x1 - ox
        if sum(c[2] for c in cells) <= avail:
            rows = [[(c, sum(d[2] for d in cells[:i])) for i, c in enumerate(cells)]]
        else:
            col = max(c[2] for c in cells)
            per_row = max(1, int(avail // col))
            rows = [[(c, (i % per_row) * col) for i, c in enumerate(cells[k:k + per_row], k)]
                    for k in range(0, len(cells), per_row)]
        row_h = max(self.line_h, 2 * self.r + 4)
        height = len(rows) * row_h + (0 if beside else self.line_h) + 3
        return beside, rows, height

    def inline_question(self, q: Question, number: str) -> None:
        beside, rows, height = self.inline_plan(q, number)
        self.ensure(height)
        top = self.y
        text = f"{number}. {q.text}"
        size = self.fs - 0.5
        row_h = max(self.line_h, 2 * self.r + 4)
        if beside:
            ox = self.x0 + INLINE_LABEL_PT
        else:
            self.paragraph(text, SEMIBOLD, self.fs, self.x0 + 2, self.x1 - self.x0)
            self.y += self.line_h
            ox = self.x0 + 14
        bubbles = []
        for r_i, row in enumerate(rows):
            cy = self.y + r_i * row_h + row_h / 2
            if beside and r_i == 0:
                self.items.append(Text(_r(self.x0 + 2), _r(cy + self.fs * 0.35), text, SEMIBOLD,
                                       self.fs))
            for (value, label, _), dx in row:
                cx = ox + dx + self.r
                bubbles.append(Bubble(value, label, _r(cx), _r(cy), self.r))
                self.items.append(Text(_r(cx + self.r + 4), _r(cy + size * 0.35), label, REGULAR,
                                       size))
        self.y += len(rows) * row_h + 3
        self.add_question(q, bubbles, top)

    def add_question(self, q: Question, bubbles: list[Bubble], top: float,
                     inner_label: bool = False) -> None:
        box = Box(_r(self.x0), _r(top), _r(self.x1 - self.x0), _r(self.y - top))
        self.questions.append(QuestionGeometry(
            q.id, self.page, q.kind, q.text, "square" if q.kind == "multi" else "circle",
            q.criterion, box, tuple(bubbles), inner_label))

    def grid_columns(self, n: int) -> list[float]:
        """Centre x of each level column of a scale grid, right-aligned to the margin."""
        start = self.x1 - n * GRID_COL_PT
        return [_r(start + (i + 0.5) * GRID_COL_PT) for i in range(n)]

    def grid_header_height(self, q: Question) -> float:
        labels = [o.label for o in self.layout.options_of(q)]
        size = self.fs - 2
        lines = max(len(wrap(t, SEMIBOLD, size, GRID_COL_PT - 4)) for t in labels)
        return lines * size * LEADING + 6

    def grid_header(self, q: Question) -> None:
        """Level names over their columns, bottom-aligned to the rule under them."""
        levels = self.layout.options_of(q)
        size = self.fs - 2
        height = self.grid_header_height(q)
        top = self.y
        for x, o in zip(self.grid_columns(len(levels)), levels, strict=True):
            lines = wrap(o.label, SEMIBOLD, size, GRID_COL_PT - 4)
            for i, line in enumerate(lines):
                base = top + height - 4 - (len(lines) - 1 - i) * size * LEADING
                self.items.append(Text(x, _r(base), line, SEMIBOLD, size, "center"))
        self.y = top + height
        self.items.append(Line(_r(self.x0), _r(self.y), _r(self.x1), _r(self.y), 0.6))

    def grid_text_width(self, n_levels: int) -> float:
        return self.x1 - n_levels * GRID_COL_PT - self.x0 - 20

    def grid_row_height(self, q: Question, n_levels: int) -> float:
        text_h = self.text_height(q.text, REGULAR, self.fs, self.grid_text_width(n_levels))
        return max(text_h + 5, 2 * self.r + 6)

    def grid_row(self, q: Question, number: str) -> None:
        levels = self.layout.options_of(q)
        height = self.grid_row_height(q, len(levels))
        top = self.y
        self.items.append(Text(_r(self.x0 + 2), _r(top + 2.5 + self.fs), f"{number}.", SEMIBOLD,
                               self.fs))
        self.y = top + 2.5
        self.paragraph(q.text, REGULAR, self.fs, self.x0 + 20, self.grid_text_width(len(levels)))
        cy = top + height / 2
        bubbles = []
        for x, o in zip(self.grid_columns(len(levels)), levels, strict=True):
            bubbles.append(Bubble(o.value, o.label, x, _r(cy), self.r))
            # the level's digit inside the bubble, light enough to read through a mark
            self.items.append(Text(x, _r(cy + 2.3), o.value, REGULAR, 6.5, "center", 0.6))
        self.y = top + height
        self.items.append(Line(_r(self.x0), _r(self.y), _r(self.x1), _r(self.y), 0.3, 0.6))
        self.add_question(q, bubbles, top, inner_label=True)

    def criterion_row(self, name: str) -> None:
        self.items.append(Text(_r(self.x0 + 2), _r(self.y + self.fs + 1), name, BOLD,
                               self.fs - 0.5))
        self.y += self.fs + 5

    def grid(self, qs: list[Question], first_number: int) -> None:
        """Questions on one scale as a table: a row each, a column per level."""
        self.grid_header(qs[0])
        criterion = None
        for i, q in enumerate(qs):
            n = len(self.layout.options_of(q))
            need = self.grid_row_height(q, n)
            if q.criterion != criterion and q.criterion:
                need += self.fs + 5
            if self.ensure(need):
                self.grid_header(q)
            if q.criterion != criterion and q.criterion:
                criterion = q.criterion
                name = next(c.name for c in self.layout.criteria if c.id == criterion)
                self.criterion_row(name)
            self.grid_row(q, str(first_number + i))

    def text_question(self, q: Question, number: str) -> None:
        box_h = q.lines * 18.0
        self.ensure(self.line_h + box_h + 6)
        top = self.y
        self.y += self.paragraph(f"{number}. {q.text}:", SEMIBOLD, self.fs, self.x0 + 2,
                                 self.x1 - self.x0)
        box = Box(_r(self.x0), _r(self.y + 1), _r(self.x1 - self.x0), _r(box_h))
        self.items.append(Rect(box.x_pt, box.y_pt, box.w_pt, box.h_pt, 0.6, 0.3))
        for k in range(1, q.lines):
            yy = _r(box.y_pt + k * 18.0)
            self.items.append(Line(_r(box.x_pt + 6), yy, _r(box.x_pt + box.w_pt - 6), yy, 0.4,
                                   0.7, (1, 2)))
        self.text_boxes.append(TextBox(q.id, self.page, q.text, box))
        self.y = top + self.line_h + box_h + 6

    def first_block_height(self, qs: list[Question]) -> float:
        q = qs[0]
        if q.kind == "text":
            return self.line_h + q.lines * 18.0 + 6
        if q.scale:
            return self.grid_header_height(q) + self.fs + 5 + self.grid_row_height(
                q, len(self.layout.options_of(q)))
        return self.inline_plan(q, "1")[2]


def _printed_box(item: Item) -> Box:
    """Where an item puts ink, generously: text from above its diacritics to below its
    descenders, lines and frames with their width."""
    if isinstance(item, Text):
        w = text_width(item.text, item.font, item.size)
        x = {"left": item.x, "center": item.x - w / 2, "right": item.x - w}[item.align]
        return Box(_r(x), _r(item.y - item.size), _r(w), _r(item.size * 1.3))
    if isinstance(item, Line):
        pad = item.width / 2 + 0.5
        x, y = min(item.x1, item.x2) - pad, min(item.y1, item.y2) - pad
        return Box(_r(x), _r(y), _r(abs(item.x2 - item.x1) + 2 * pad),
                   _r(abs(item.y2 - item.y1) + 2 * pad))
    if isinstance(item, Disc):
        return Box(item.x - item.r, item.y - item.r, 2 * item.r, 2 * item.r)
    pad = item.width / 2 + 0.5
    return Box(_r(item.x - pad), _r(item.y - pad), _r(item.w + 2 * pad), _r(item.h + 2 * pad))


def _printed(item: Item) -> list[Box]:
    """Boxes of printed ink; an unfilled frame is its four sides, not its inside, and a
    light tint (a section bar) is paper a mark shows up on."""
    if isinstance(item, Rect) and item.fill is not None and item.fill >= LIGHT_TINT:
        return []
    if _light(item):
        return []
    if not isinstance(item, Rect) or item.fill is not None:
        return [_printed_box(item)]
    return [_printed_box(Line(a, b, c, d, item.width)) for a, b, c, d in (
        (item.x, item.y, item.x + item.w, item.y), (item.x, item.y + item.h, item.x + item.w,
                                                    item.y + item.h),
        (item.x, item.y, item.x, item.y + item.h), (item.x + item.w, item.y, item.x + item.w,
                                                    item.y + item.h))]


def _light(item: Item) -> bool:
    """A grey hairline (a table's row rule): lighter than any pen line drawn over it."""
    return isinstance(item, Line) and item.gray >= LIGHT_TINT - 0.2 and item.width <= 0.5


def _runs(questions: tuple[Question, ...]) -> list[list[Question]]:
    """Split a section into runs: consecutive questions on the same scale form one grid."""
    runs: list[list[Question]] = []
    for q in questions:
        if runs and q.scale and runs[-1][-1].scale == q.scale:
            runs[-1].append(q)
        else:
            runs.append([q])
    return runs


def _markers(layout: Layout) -> tuple[Marker, ...]:
    w, h = layout.print.page_size_pt
    m = layout.print.margin_mm * MM
    far_x, far_y = w - m - MARKER_PT, h - m - MARKER_PT
    places = {"tl": (m, m), "tr": (far_x, m), "br": (far_x, far_y), "bl": (m, far_y)}
    return tuple(Marker(i, c, Box(_r(places[c][0]), _r(places[c][1]), MARKER_PT, MARKER_PT))
                 for i, c in enumerate(CORNERS))


def _identity(layout: Layout) -> Identity:
    w, _ = layout.print.page_size_pt
    m = layout.print.margin_mm * MM
    qr_x = w - m - MARKER_PT - GAP - QR_PT
    qr = Box(_r(qr_x), _r(m), QR_PT, QR_PT)
    text = Box(_r(qr_x - 60), _r(m + QR_PT + 1), _r(w - m - (qr_x - 60)), 13.0)
    unit = Box(_r(m + MARKER_PT + GAP + 230), _r(m), _r(qr_x - GAP - (m + MARKER_PT + GAP + 230)),
               30.0)
    return Identity(qr, text, unit)


def build_geometry(layout: Layout) -> FormGeometry:
    """Every coordinate of the form, computed once from the layout."""
    flow = _Flow(layout)
    flow.new_page()
    flow.first_header()
    number = 0
    for section in layout.sections:
        runs = _runs(section.questions)
        flow.section_heading(section.title, section.note, flow.first_block_height(runs[0]))
        number = 0  # questions are numbered within their section
        for run in runs:
            q = run[0]
            if q.scale:
                flow.grid(run, number + 1)
            elif q.kind == "text":
                flow.text_question(q, str(number + 1))
            else:
                flow.inline_question(q, str(number + 1))
            number += len(run)
    if layout.closing:
        flow.ensure(flow.line_h + 4)
        flow.y += 4
        flow.paragraph(layout.closing, ITALIC, flow.fs, flow.x0, flow.x1 - flow.x0, "center")
    pages = len(flow.pages)
    flow.furniture(pages)
    criteria = tuple(
        {"id": c.id, "name": c.name,
         "questions": [q.id for q in layout.questions if q.criterion == c.id]}
        for c in layout.criteria
    )
    template = Template(
        layout=layout.id,
        layout_version=layout.version,
        page_size_pt=layout.print.page_size_pt,
        pages=pages,
        marker_dictionary=DICTIONARY,
        markers=_markers(layout),
        identity=_identity(layout),
        questions=tuple(q for q in flow.questions),
        text_boxes=tuple(flow.text_boxes),
        criteria=criteria,
        printed=tuple(tuple(b for item in page for b in _printed(item)) for page in flow.pages),
        printed_light=tuple(tuple(_printed_box(item) for item in page if _light(item))
                            for page in flow.pages),
    )
    return FormGeometry(template, tuple(tuple(p) for p in flow.pages))
