"""bao-cao.xlsx: the summary with an all-units row, criteria per unit, a sheet per unit,
the breakdown by respondent group and a sheet per question. Each sheet's answers are
`phieu export`'s (one writer of per-sheet data, and a province's 230,000 answer cells
would be most of the report's time).

Numbers are numbers, shares are formatted as percentages, headers are in
Vietnamese and sized so that they never run over the first row; every sheet
prints on A4, fitted to the page width, with its header repeated on each page.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import xlsxwriter

from phieu.forms.units import unit_scheme_words
from phieu.omr.vocabulary import channel_words

from ..campaign import Campaign
from ..files import EXCEL_AS_TEXT
from .about import subject
from .results import FULL_COUNT, Results, enough_word
from .words import SHORT, short

INVALID = re.compile(r"[\[\]:*?/\\]")
WIDEST = 38  # characters: a wider text column wraps, so the sheet prints at a readable size
ALL_UNITS = "Toàn địa bàn"


def _name(text: str, used: set[str]) -> str:
    """A sheet name Excel accepts (31 characters, no []:*?/\\), unique in the book."""
    base = INVALID.sub(" ", text)[:31].strip()
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:27]} ({n})"
        n += 1
    used.add(name.lower())
    return name


def _blank(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells as Python values XlsxWriter writes directly: None for a blank (nothing is
    written), int for whole counts."""
    out = frame.astype(object).replace({"": None})
    return out.where(out.notna(), None)


class _Book:
    def __init__(self, path: Path) -> None:
        # text stays text: a comment typed as =… or a web address is no formula, no link
        self.wb = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True,
                                                  **EXCEL_AS_TEXT})
        self.head = self.wb.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1,
                                        "text_wrap": True, "valign": "top"})
        self.pct = self.wb.add_format({"num_format": "0.0%"})
        self.num = self.wb.add_format({"num_format": "0.00"})
        self.title = self.wb.add_format({"bold": True, "font_size": 13})
        self.total = self.wb.add_format({"bold": True, "top": 1})
        self.total_pct = self.wb.add_format({"bold": True, "top": 1, "num_format": "0.0%"})
        self.total_num = self.wb.add_format({"bold": True, "top": 1, "num_format": "0.00"})
        self.wrap = self.wb.add_format({"text_wrap": True, "valign": "top"})
        self.used: set[str] = set()

    def table(self, sheet_name: str, frame: pd.DataFrame, headers: list[str],
              pct: set[str] = frozenset(), num: set[str] = frozenset(), title: str = "",
              total: list | None = None) -> None:
        """A sheet: optional title, a header row, the frame's rows, an optional total row."""
        ws = self.wb.add_worksheet(_name(sheet_name, self.used))
        last = total if total is not None else [""] * len(headers)
        widths = [11 if c in pct or c in num else  # a header wraps rather than widen a column
                  min(max(min(len(str(h)) // 2 + 2, 14), 8, len(str(t or "")) + 2,
                          *[len(str(v)) + 2 for v in frame[c][:300]]), 60)
                  for c, h, t in zip(frame.columns, headers, last, strict=True)]
        wrapped = [c for c, w in enumerate(widths) if w > WIDEST]
        for c, w in enumerate(widths):  # long text wraps within a printable column
            ws.set_column(c, c, min(w, WIDEST), self.wrap if c in wrapped else None)
        row0 = 0
        if title:
            ws.write(0, 0, title, self.title)
            row0 = 2
        # a wrapped header gets the height of its longest cell: LibreOffice does not grow it
        lines = max(math.ceil(len(str(h)) / max(w - 1, 1)) for h, w in zip(headers, widths,
                                                                           strict=True))
        ws.set_row(row0, 15 * max(lines, 1))
        ws.write_row(row0, 0, headers, self.head)
        kinds = [("pct" if c in pct else "num" if c in num else "") for c in frame.columns]
        plain = not pct and not num
        if plain:
            frame = _plain(frame)
        for r, values in enumerate(frame.itertuples(index=False, name=None), row0 + 1):
            lines = max([math.ceil(len(str(values[c] or "")) / (WIDEST - 2)) for c in wrapped]
                        or [1])
            if lines > 1:  # a wrapped row's height, which LibreOffice does not grow itself
                ws.set_row(r, 15 * lines)
            if plain:  # counts and raw answers, already plain Python values (see `_plain`)
                ws.write_row(r, 0, values)
                continue
            for c, (kind, v) in enumerate(zip(kinds, values, strict=True)):
                if _blank(v):
                    ws.write_blank(r, c, None)
                elif kind:
                    ws.write_number(r, c, float(v), self.pct if kind == "pct" else self.num)
                else:
                    ws.write(r, c, v.item() if hasattr(v, "item") else v)
        if total is not None:
            r = row0 + 1 + len(frame)
            lines = max([math.ceil(len(str(total[c] or "")) / (WIDEST - 2)) for c in wrapped]
                        or [1])
            if lines > 1:
                ws.set_row(r, 15 * lines)
            for c, (kind, v) in enumerate(zip(kinds, total, strict=True)):
                fmt = {"pct": self.total_pct, "num": self.total_num}.get(kind, self.total)
                ws.write_blank(r, c, None, fmt) if _blank(v) else ws.write(r, c, v, fmt)
        ws.freeze_panes(row0 + 1, 2 if len(headers) > 2 else 1)
        ws.set_paper(9)  # A4
        if len(headers) > 7:
            ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(row0)
        ws.set_footer("&C&P / &N")

    def close(self) -> None:
        self.wb.close()


def _summary(book: _Book, results: Results, campaign: Campaign) -> None:
    layout, units = campaign.layout, results.units
    # the forms planned, when they are more than the minimum sample (spare forms)
    spare = bool((units["planned"].fillna(0) != units["min_sample"].fillna(0)).any())
    summary = units[["unit_code", "unit_name", "printed", "returned", "copies", "blank", "other",
                     "sheets", "respondents", "waiting", "rejected", "planned", "min_sample",
                     "enough", "index", "ci_low", "ci_high", "mean", "rank"]].copy()
    summary["enough"] = [enough_word(v) for v in summary["enough"]]
    census = units["census"].astype(bool)
    summary.loc[census, ["ci_low", "ci_high"]] = float("nan")  # a full count: no interval
    summary["note"] = [FULL_COUNT if c else SHORT if short(e) else ""
                       for c, e in zip(census, units["enough"], strict=True)]
    o = results.overall
    sums = [int(units[c].sum()) for c in ("printed", "returned", "copies", "blank", "other",
                                          "sheets", "respondents", "waiting", "rejected")]
    planned = units["planned"].dropna()
    minimum = units["min_sample"].dropna()
    total = ["", ALL_UNITS, *sums, int(planned.sum()) if len(planned) else None,
             int(minimum.sum()) if len(minimum) else None, "",
             o.index, None if o.census else o.ci_low,
             None if o.census else o.ci_high, o.mean, "",
             ("bình quân có trọng số theo số hồ sơ" if o.weighted else
              "gộp mọi người trả lời, không có trọng số") if o.respondents
             else "chưa có phiếu được tính"]
    headers = ["Mã đơn vị", "Đơn vị", "Phiếu đã in", "Phiếu thu về",
               "Trong đó: bản photo của phiếu đã in", "Phiếu trắng (không tính)",
               "Câu trả lời qua kênh khác", "Phiếu hợp lệ",
               "Số người trả lời", "Phiếu chờ duyệt", "Phiếu bị loại",
               "Số phiếu theo kế hoạch", "Cỡ mẫu tối thiểu", "Đạt cỡ mẫu",
               "Chỉ số hài lòng", "Khoảng tin cậy 95% (dưới)", "Khoảng tin cậy 95% (trên)",
               f"Điểm trung bình (1–{o.top})", "Xếp hạng", "Ghi chú"]
    if not spare:  # the plan's forms are its minimum sample: one column says both
        at = list(summary.columns).index("planned")
        summary = summary.drop(columns="planned")
        del headers[at], total[at]
    book.table("Tổng hợp", summary, headers, pct={"index", "ci_low", "ci_high"},
               num={"mean"}, title=subject(layout), total=total)


def _criteria(book: _Book, results: Results, campaign: Campaign) -> None:
    layout = campaign.layout
    if not layout.criteria:
        return
    by = results.criteria.set_index(["group", "criterion"])["index"]
    rows = [{"unit_code": u.code, "unit_name": u.name,
             **{c.id: by.get((u.code, c.id), math.nan) for c in layout.criteria}}
            for u in layout.units]
    frame = pd.DataFrame(rows, columns=["unit_code", "unit_name",
                                        *[c.id for c in layout.criteria]])
    frame["all"] = list(results.units["index"])  # the unit's index: the criteria together
    total = ["", ALL_UNITS, *[by.get(("", c.id), math.nan) for c in layout.criteria],
             results.overall.index]
    book.table("Tiêu chí", frame, ["Mã đơn vị", "Đơn vị", *[c.name for c in layout.criteria],
                                   "Chung"],
               pct={c.id for c in layout.criteria} | {"all"},
               title="Chỉ số hài lòng theo tiêu chí của từng đơn vị", total=total)


def _groups(book: _Book, results: Results) -> None:
    groups = results.groups
    if not len(groups):
        return
    frame = groups[["question_text", "label", "sheets", "index", "ci_low", "ci_high"]]
    book.table("Theo nhóm", frame, ["Câu hỏi", "Nhóm", "Số người trả lời", "Chỉ số hài lòng",
                                    "Khoảng tin cậy 95% (dưới)", "Khoảng tin cậy 95% (trên)"],
               pct={"index", "ci_low", "ci_high"},
               title="Chỉ số hài lòng theo nhóm người trả lời (Phần I của phiếu)")


def _channels(book: _Book, results: Results, campaign: Campaign) -> None:
    """Counted sheets, respondents and index per channel (paper, online, …), in all and per
    unit; with the code scheme the units are in."""
    ch = results.channels
    if not len(ch):
        return
    names = {u.code: u.name for u in campaign.layout.units} | {"": ALL_UNITS}
    frame = pd.DataFrame({"unit": ch["group"].map(names), "channel": ch["channel"].map(
        channel_words), "sheets": ch["sheets"], "respondents": ch["respondents"],
        "index": ch["index"]})
    order = {code: i for i, code in enumerate(names)}  # the layout's units, then all of them
    frame = frame.iloc[ch["group"].map(order).argsort(kind="stable")]
    book.table("Theo kênh", frame, ["Đơn vị", "Kênh thu thập", "Số phiếu được tính",
                                    "Số người trả lời", "Chỉ số hài lòng"], pct={"index"},
               title="Phiếu được tính theo kênh thu thập ý kiến; mã đơn vị theo "
                     + unit_scheme_words(campaign.layout.unit_scheme))


def write_xlsx(results: Results, campaign: Campaign, path: Path) -> None:
    layout = campaign.layout
    book = _Book(path)
    _summary(book, results, campaign)
    _criteria(book, results, campaign)
    _groups(book, results)
    _channels(book, results, campaign)
    texts = {q.id: q.text for q in layout.questions}
    numbers = layout.part_numbers
    crit_names = {c.id: c.name for c in layout.criteria}
    q = results.questions
    for u in layout.units:
        mine = q[q["group"] == u.code][["question", "criterion", "answered", "blank", "index",
                                         "ci_low", "ci_high", "mean"]].copy()
        mine.insert(1, "text", mine["question"].map(texts))
        mine["question"] = mine["question"].map(lambda x: f"Câu {layout.numbers[x]}")
        mine["criterion"] = mine["criterion"].map(lambda c: crit_names.get(c, ""))
        book.table(f"{u.code} {u.name}", mine,
                   ["Câu", "Nội dung", "Tiêu chí", "Số trả lời", "Để trống", "Chỉ số hài lòng",
                    "Khoảng tin cậy 95% (dưới)", "Khoảng tin cậy 95% (trên)",
                    "Điểm trung bình"], pct={"index", "ci_low", "ci_high"}, num={"mean"},
                   title=u.name)
    levels = results.levels
    names = {u.code: u.name for u in layout.units}
    numbers = layout.part_numbers
    for question in layout.questions:
        if question.kind == "text":
            continue
        part = levels[levels["question"] == question.id]
        wide = part.pivot_table(index="unit_code", columns="level", values="count",
                                aggfunc="sum", sort=False).reset_index()
        options = list(layout.options_of(question))
        wide = wide[["unit_code", *[o.value for o in options], ""]]
        wide.insert(1, "unit_name", wide["unit_code"].map(names))
        number = numbers[question.id]
        book.table(f"{number} {question.text}", wide,
                   ["Mã đơn vị", "Đơn vị", *[f"{o.value}. {o.label}" for o in options],
                    "Để trống"], title=f"Câu {number}. {question.text}",
                   total=["", ALL_UNITS, *[int(wide[c].sum()) for c in wide.columns[2:]]])
    book.close()
