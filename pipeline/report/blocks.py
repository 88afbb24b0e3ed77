"""The report as plain blocks, written once and set twice: as PDF and as an editable .docx.

`body` says what the report holds; `pdf` and `word` only
say how a block looks. Numbers are already text here, with Vietnamese
decimal commas.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from phieu.forms.layout import ReportInfo

BLANK = "……"  # a place left to fill in by hand


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Para:
    runs: tuple[Run, ...]
    style: str = "body"  # body | small | note | h1 | h2 | title | subject | center | dots
    # | quote (a person's words, indented)


@dataclass(frozen=True)
class Grid:
    rows: list[list[str]]  # the first row is the header, repeated on every page
    widths: list[float]  # shares of the text width (the body writes them in mm of 174)


@dataclass(frozen=True)
class Picture:
    png: bytes
    width: float  # share of the text width


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass(frozen=True)
class Keep:
    """Blocks set on one page when they fit (a unit's heading with its table)."""
    blocks: tuple


@dataclass(frozen=True)
class Appendix:
    """A new page headed as an appendix of the report: its name, what it holds, and the
    line tying it to the report (Kèm theo Báo cáo số …)."""
    name: str
    title: str
    info: ReportInfo
    day: int
    month: int
    year: int


@dataclass(frozen=True)
class Masthead:
    """Issuing body (left) and Quốc hiệu, tiêu ngữ (right); number and the date line."""
    info: ReportInfo
    day: int
    month: int
    year: int


@dataclass(frozen=True)
class Signature:
    """Nơi nhận (left) and the signer (right), at the end of the body."""
    info: ReportInfo


Block = Para | Grid | Picture | PageBreak | Masthead | Signature | Keep | Appendix


@dataclass
class Document:
    title: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)


def para(*parts: str | Run, style: str = "body") -> Para:
    """A paragraph from plain strings and `bold(...)`/`italic(...)` runs."""
    return Para(tuple(p if isinstance(p, Run) else Run(p) for p in parts), style)


def bold(text: str) -> Run:
    return Run(text, bold=True)


def italic(text: str) -> Run:
    return Run(text, italic=True)


def _missing(v: float | None) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def pct(v: float | None) -> str:
    """0.8234 -> '82,3%'; a missing value -> '—'."""
    return "—" if _missing(v) else f"{v * 100:.1f}%".replace(".", ",")


def num(v: float | None, places: int = 2) -> str:
    return "—" if _missing(v) else f"{v:.{places}f}".replace(".", ",")


def count(v: int | float | None) -> str:
    """12500 -> '12.500' (Vietnamese thousands); missing -> '—'."""
    return "—" if _missing(v) else f"{int(v):,}".replace(",", ".")


def masthead_lines(info: ReportInfo, day: int, month: int, year: int) -> tuple[
        list[Run], list[Run], str, str]:
    """The masthead's text, one source for both renderers: left lines, right lines, the
    number line and the place-and-date line."""
    left = [Run(info.parent.upper())] if info.parent else []
    left += [Run(line, bold=True) for line in body_lines((info.body or BLANK * 4).upper())]
    right = [Run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True),
             Run("Độc lập - Tự do - Hạnh phúc", bold=True)]
    number = f"Số: {BLANK}/{info.code or BLANK}"
    place = info.place or BLANK * 2
    return left, right, number, f"{place}, {dated(day, month, year)}"


LEVELS = ("THÀNH PHỐ", "TỈNH", "HUYỆN", "QUẬN", "THỊ XÃ", "THỊ TRẤN", "PHƯỜNG", "XÃ")
ONE_LINE = 24  # characters of an issuing body's name that fit the masthead's column


def body_lines(name: str) -> list[str]:
    """An issuing body's name in one or two lines, broken before the place it governs
    (ỦY BAN NHÂN DÂN / THÀNH PHỐ HÀ TĨNH), never inside a word pair like THÀNH PHỐ."""
    if len(name) <= ONE_LINE:
        return [name]
    for i in range(8, len(name)):
        if name[i - 1] == " " and name[i:].startswith(LEVELS):
            return [name[:i].strip(), name[i:]]
    return [name]


def dated(day: int, month: int, year: int) -> str:
    """'ngày 03 tháng 02 năm 2026': Nghị định 30/2020 writes a day under 10 and the months
    1 and 2 with a leading zero (tháng 3 to tháng 12 as they are)."""
    shown = f"{month:02d}" if month < 3 else str(month)
    return f"ngày {day:02d} tháng {shown} năm {year}"


def appendix_lines(block: Appendix) -> tuple[str, str, str]:
    """The appendix's heading: its name, its title and the line tying it to the report."""
    code = block.info.code or BLANK
    return (block.name.upper(), block.title.upper(),
            f"(Kèm theo Báo cáo số {BLANK}/{code} {dated(block.day, block.month, block.year)})")


def signature_lines(info: ReportInfo) -> tuple[list[str], list[str], str]:
    """Nơi nhận lines; the signer's authority and title (upper case); the signer's name."""
    recipients = [f"- {r}" for r in info.recipients] or [f"- {BLANK};", "- Lưu: VT."]
    head = [x.upper() for x in (info.authority, info.signer_title) if x] or [BLANK * 3]
    return recipients, head, info.signer_name or BLANK * 3
