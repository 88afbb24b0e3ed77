"""Words the report's sections share: how an index short of its sample, an interval and the
units are said.
"""

from __future__ import annotations

import pandas as pd

from phieu.forms.layout import Layout
from phieu.forms.units import unit_scheme_words

from .blocks import num, pct
from .results import FULL_COUNT

SHORT = "chưa đủ cỡ mẫu"  # beside an index whose unit is under its minimum sample
TOO_SMALL = "mẫu quá nhỏ"  # instead of an interval too wide to tell anything
MARK = " (*)"  # a unit under its minimum sample, in a table


def short(enough) -> bool:
    """Whether a unit is under its minimum sample (None: no plan says one)."""
    return enough is not None and not pd.isna(enough) and not bool(enough)


def marked(name: str, enough) -> str:
    return name + (MARK if short(enough) else "")


def interval(low: float, high: float, census: bool, too_wide: bool) -> str:
    if census:
        return f"{FULL_COUNT}, không có sai số chọn mẫu"
    if too_wide:
        return f"{TOO_SMALL} để ước lượng khoảng tin cậy có ích"
    return f"khoảng tin cậy 95%: {pct(low)} – {pct(high)}"


def span(low: float, high: float, census: bool, too_wide: bool) -> str:
    """An interval in a table cell."""
    if census:
        return FULL_COUNT
    if too_wide:
        return TOO_SMALL
    return f"{num(low * 100, 1)} – {pct(high)}"


def units_text(layout: Layout) -> str:
    """Which units, and what their codes mean (a code alone no longer says which unit)."""
    source = f"; nguồn: {layout.units_source}" if layout.units_source else ""
    return (f"Khảo sát tại {len(layout.units)} đơn vị; mã đơn vị theo "
            f"{unit_scheme_words(layout.unit_scheme)}{source}.")
