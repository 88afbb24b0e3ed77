"""bao-cao.xlsx: a summary sheet, a sheet per unit, a sheet per question, the raw answers.

Numbers are numbers, shares are formatted as percentages, headers are in
Vietnamese, columns are sized and header rows frozen.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import xlsxwriter

from .campaign import Campaign
from .results import FULL_COUNT, Results, enough_word

INVALID = re.compile(r"[\[\]:*?/\\]")


def _name(text: str, used: set[str]) -> str:
    """A sheet name Excel accepts (31 characters, no []:*?/\\), unique in the book."""
    base = INVALID.sub(" ", text)[:31].strip()
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:27]} ({n})"
        n += 1
    used.add(name.lower())
    return name


class _Book:
    def __init__(self, path: Path) -> None:
        self.wb = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
        self.head = self.wb.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1,
                                        "text_wrap": True, "valign": "top"})
        self.pct = self.wb.add_format({"num_format": "0.0%"})
        self.num = self.wb.add_format({"num_format": "0.00"})
        self.title = self.wb.add_format({"bold": True, "font_size": 13})
        self.used: set[str] = set()

    def table(self, sheet_name: str, frame: pd.DataFrame, headers: list[str],
              pct: set[str] = frozenset(), num: set[str] = frozenset(), title: str = "",
              start: int = 0) -> None:
        ws = self.wb.add_worksheet(_name(sheet_name, self.used))
        row0 = start
        if title:
            ws.write(0, 0, title, self.title)
            row0 = start + 2
        for c, h in enumerate(headers):
            ws.write(row0, c, h, self.head)
        for r, values in enumerate(frame.itertuples(index=False), row0 + 1):
            for c, (col, v) in enumerate(zip(frame.columns, values, strict=True)):
                if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                    ws.write_blank(r, c, None)
                elif col in pct:
                    ws.write_number(r, c, float(v), self.pct)
                elif col in num:
                    ws.write_number(r, c, float(v), self.num)
                else:
                    ws.write(r, c, v.item() if hasattr(v, "item") else v)
        for c, (col, h) in enumerate(zip(frame.columns, headers, strict=True)):
            longest = max([len(str(h)) // 2 + 2] + [len(str(v)) for v in frame[col][:300]])
            ws.set_column(c, c, min(max(longest + 2, 8), 60))
        ws.freeze_panes(row0 + 1, 1)
        return ws

    def close(self) -> None:
        self.wb.close()


def write_xlsx(results: Results, campaign: Campaign, path: Path) -> None:
    layout = campaign.layout
    book = _Book(path)
    units = results.units
    summary = units[["unit_code", "unit_name", "sheets", "respondents", "planned", "min_sample",
                     "enough", "waiting", "rejected", "index", "ci_low", "ci_high", "mean",
                     "rank"]].copy()
    summary["enough"] = [enough_word(v) for v in summary["enough"]]
    census = units["census"].astype(bool)
    summary.loc[census, ["ci_low", "ci_high"]] = float("nan")  # a full count: no interval
    summary["note"] = [FULL_COUNT if c else "" for c in census]
    book.table("Tổng hợp", summary,
               ["Mã đơn vị", "Đơn vị", "Số phiếu hợp lệ", "Số người trả lời",
                "Số phiếu theo kế hoạch", "Cỡ mẫu tối thiểu", "Đạt cỡ mẫu", "Phiếu chờ duyệt",
                "Phiếu bị loại", "Chỉ số hài lòng", "Khoảng tin cậy 95% (dưới)",
                "Khoảng tin cậy 95% (trên)", f"Điểm trung bình (1–{units.attrs['top']})",
                "Xếp hạng", "Ghi chú"],
               pct={"index", "ci_low", "ci_high"}, num={"mean"},
               title=f"{layout.title} — {layout.subtitle}")
    texts = {q.id: q.text for q in layout.questions}
    crit_names = {c.id: c.name for c in layout.criteria}
    q = results.questions
    for u in layout.units:
        mine = q[q["group"] == u.code][["question", "criterion", "answered", "blank", "index",
                                         "mean"]].copy()
        mine.insert(1, "text", mine["question"].map(texts))
        mine["criterion"] = mine["criterion"].map(lambda c: crit_names.get(c, ""))
        book.table(f"{u.code} {u.name}", mine,
                   ["Câu", "Nội dung", "Tiêu chí", "Số trả lời", "Để trống", "Chỉ số hài lòng",
                    "Điểm trung bình"], pct={"index"}, num={"mean"}, title=u.name)
    levels = results.levels
    names = {u.code: u.name for u in layout.units}
    for question in layout.questions:
        if question.kind == "text":
            continue
        part = levels[levels["question"] == question.id]
        wide = part.pivot_table(index="unit_code", columns="level", values="count",
                                aggfunc="sum", sort=False).reset_index()
        options = [o for o in layout.options_of(question)]
        wide = wide[["unit_code", *[o.value for o in options], ""]]
        wide.insert(1, "unit_name", wide["unit_code"].map(names))
        book.table(f"Câu {question.id}", wide,
                   ["Mã đơn vị", "Đơn vị", *[f"{o.value}. {o.label}" for o in options],
                    "Để trống"], title=f"{question.id}. {question.text}")
    raw = results.answers.drop(columns="score")
    book.table("Dữ liệu", raw, ["Mã phiếu", "Mã đơn vị", "Trạng thái",
                                *[q.id for q in layout.questions]])
    book.close()
