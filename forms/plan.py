"""How many forms each unit needs: the minimum sample rule and the plan CSV.

The rule (Huế 2024 plan, the usual SIPAS practice), from a unit's yearly
number of cases (hồ sơ): under 100 cases, survey all of them; 100 to
under 1,000: at least 100; 1,000 to under 5,000: at least 200; 5,000 and
over: at least 500. Never more than the cases themselves.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path

# (cases below this bound, minimum sample); None means "all cases"
BANDS: tuple[tuple[float, int | None], ...] = (
    (100, None),
    (1_000, 100),
    (5_000, 200),
    (math.inf, 500),
)
CASES_COLUMNS = ("unit_code", "cases")
PLAN_COLUMNS = ("unit_code", "unit_name", "cases", "min_sample", "forms")
_GROUPED_INT = re.compile(r"^\d{1,3}(?:([.,\s])\d{3})(?:\1\d{3})*$")  # 1.000 / 12,500 / 2 000


class PlanError(ValueError):
    """A cases or plan file that cannot be used; the message names file and row."""


@dataclass(frozen=True)
class PlanRow:
    unit_code: str
    unit_name: str
    cases: int
    min_sample: int
    forms: int


def minimum_sample(cases: int) -> int:
    """The least number of forms to collect for a unit with `cases` cases a year."""
    if cases < 0:
        raise ValueError("cases cannot be negative")
    for bound, sample in BANDS:
        if cases < bound:
            return cases if sample is None else min(sample, cases)
    raise AssertionError("unreachable: the last band is unbounded")


def parse_count(text: str) -> int | None:
    """A whole number as people type it (`1200`, `1.200`, `1,200`); None if it is not one."""
    t = text.strip()
    if t.isdigit():
        return int(t)
    if _GROUPED_INT.match(t):
        return int(re.sub(r"\D", "", t))
    return None


def _rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """CSV rows with the line number each starts on; checks the header."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            sample = f.read(4096)
            f.seek(0)
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample else csv.excel
            reader = csv.DictReader(f, dialect=dialect)
            header = [h.strip() for h in (reader.fieldnames or [])]
            missing = [c for c in required if c not in header]
            if missing:
                raise PlanError(f"{path}: missing column '{missing[0]}' "
                                f"(the header must have: {', '.join(required)})")
            reader.fieldnames = header
            out = []
            for row in reader:
                out.append((reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}))
            return out
    except OSError as e:
        raise PlanError(f"{path}: cannot read: {e.strerror}") from e
    except UnicodeDecodeError as e:
        raise PlanError(f"{path}: not UTF-8 text (save the sheet as CSV UTF-8)") from e
    except csv.Error as e:
        raise PlanError(f"{path}: not a readable CSV file: {e}") from e


def read_cases(path: Path, units: dict[str, str], spare_pct: float = 0.0) -> list[PlanRow]:
    """Plan rows from a CSV of yearly cases per unit (`unit_code,cases`)."""
    rows = _rows(path, CASES_COLUMNS)
    if not rows:
        raise PlanError(f"{path}: no rows under the header")
    seen: dict[str, int] = {}
    plan = []
    for line, row in rows:
        code = row.get("unit_code", "")
        where = f"{path}: line {line}"
        if not code:
            raise PlanError(f"{where}: empty unit_code")
        if code not in units:
            raise PlanError(f"{where}: unknown unit '{code}' (not in the layout's units)")
        if code in seen:
            raise PlanError(f"{where}: unit '{code}' already given on line {seen[code]}")
        seen[code] = line
        raw = row.get("cases", "")
        cases = parse_count(raw)
        if cases is None:
            if raw.lstrip().startswith("-") and parse_count(raw.lstrip()[1:]) is not None:
                raise PlanError(f"{where}: cases '{raw}' is negative")
            raise PlanError(f"{where}: cases '{raw}' is not a whole number")
        sample = minimum_sample(cases)
        forms = sample + math.ceil(round(sample * spare_pct / 100, 6))  # 10 % of 100 is 10, not 11
        plan.append(PlanRow(code, units[code], cases, sample, forms))
    return plan


def write_plan(rows: list[PlanRow], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(PLAN_COLUMNS)
        for r in rows:
            w.writerow([r.unit_code, r.unit_name, r.cases, r.min_sample, r.forms])


def _whole(row: dict[str, str], key: str, where: str) -> int | None:
    """A whole-number cell, None when the column is absent; the error names row and column."""
    if key not in row:
        return None
    value = parse_count(row[key])
    if value is None:
        raise PlanError(f"{where}: {key} '{row[key]}' is not a whole number")
    return value


def read_plan_rows(path: Path, units: dict[str, str]) -> dict[str, dict[str, int | None]]:
    """unit -> {cases, min_sample, forms} from a plan CSV; `unit_code,forms` is enough (a
    column left out is None), every row is checked and an error names its line."""
    counts: dict[str, dict[str, int | None]] = {}
    for line, row in _rows(path, ("unit_code", "forms")):
        code = row.get("unit_code", "")
        where = f"{path}: line {line}"
        if code not in units:
            raise PlanError(f"{where}: unknown unit '{code}' (not in the campaign's units)")
        if code in counts:
            raise PlanError(f"{where}: unit '{code}' given twice")
        counts[code] = {k: _whole(row, k, where) for k in ("cases", "min_sample", "forms")}
    return counts


def read_plan(path: Path, units: dict[str, str]) -> dict[str, int]:
    """Forms to print per unit from a plan CSV (`unit_code,forms`)."""
    return {code: int(r["forms"]) for code, r in read_plan_rows(path, units).items()}
