"""Who an imported row is: its answers to the layout's questions and its unit, and what
else it says (a timestamp, a response number), each written one way.

The same answers downloaded again must be the same respondent whatever the file's
spelling: a CSV and an .xlsx of one export (where a timestamp becomes a date cell), a
header renamed between two downloads, columns in another order, a column the form gained
since (empty for the older rows). So a row is known by what it means, not by its cells:
the options it names (by value), its unit (by code), and the other cells' values with
dates, times and numbers written in one form, in no particular order.
"""

from __future__ import annotations

import hashlib
import re

from phieu.forms.units import plain

# a date, maybe with a time: 12/10/2022 9:15:03 SA, 2022-10-12 09:15:03.123, 10/12/22 9:15 PM
_DATE = re.compile(
    r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(sa|ch|am|pm)?)?"
    r"\s*(?:gmt\s*[+\-]?\d{1,2}(?::?\d{2})?|utc|z|[+\-]\d{2}:?\d{2})?$")
_NUMBER = re.compile(r"^[+\-]?\d+(?:[.,]\d+)?$")


def _date(m: re.Match) -> str:
    """A date (and time) in one form. Which of the first two numbers is the day and which
    the month depends on the locale the form was downloaded in, and a CSV and an .xlsx of
    one export disagree on it; the key takes them in order of size, which is the same
    either way (it tells rows apart, it is never shown)."""
    a, b, c = m.group(1), int(m.group(2)), m.group(3)
    if len(a) == 4:  # year first: 2022-10-12
        year, first, second = int(a), b, int(c)
    else:
        year, first, second = int(c), int(a), b
        year += 2000 if year < 100 else 0
    low, high = sorted((first, second))
    text = f"{year:04d}-{low:02d}-{high:02d}"
    if m.group(4) is None:
        return text
    hour, minute, second_ = int(m.group(4)), int(m.group(5)), int(m.group(6) or 0)
    half = m.group(7)
    if half in ("ch", "pm") and hour < 12:
        hour += 12
    elif half in ("sa", "am") and hour == 12:
        hour = 0
    return f"{text} {hour:02d}:{minute:02d}:{second_:02d}"


def normal_cell(cell: str) -> str:
    """A cell in one form: dates and times, numbers (4, 4.0), case, diacritics and spaces."""
    text = " ".join(plain(cell).split())
    m = _DATE.match(text)
    if m:
        return _date(m)
    if _NUMBER.match(text):
        number = float(text.replace(",", "."))
        return str(int(number)) if number.is_integer() else repr(number)
    return text


def row_key(channel: str, unit: str, answers: dict[str, str], others: list[str]) -> str:
    """The key of a respondent's row: its channel, its unit, its answers per question (as
    values) and its other cells (in one form, empty ones left out, order ignored)."""
    parts = [f"unit\x1e{unit}", *(f"{q}\x1e{answers[q]}" for q in sorted(answers)),
             "other\x1e" + "\x1d".join(sorted(normal_cell(c) for c in others if c.strip()))]
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]
    return f"{channel}-{digest}"
