"""`phieu import`: answers given on a web form (Google Forms, Microsoft Forms,
KoboToolbox), over Zalo or by post, merged with the paper ones.

A web form's export has one header row and one row per respondent. Its columns
are matched to the layout's questions by a mapping file or by their text
(diacritics, case and numbering tolerated); the unit column is the one whose
values are the layout's unit codes or names. Option labels become the
layout's values (`Hài lòng`, `4 - Hài lòng`, `4` → `4`); the ticked boxes of a
several-answer question are found by their labels, which may hold commas
themselves. A cell that cannot be mapped flags its row with the reason: never
a guess. Each row is known by its content, so importing the same file again,
or a longer export of the same form, adds only the rows not seen yet.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from phieu.forms.layout import Layout, Question
from phieu.forms.units import bare_unit_name, plain
from phieu.omr.vocabulary import Code, Reason, Status, quoted_cell

from .campaign import Campaign
from .errors import PhieuError
from .store.responses import Response, add_responses, file_imported, rows_of_channel

CHANNEL_RE = re.compile(r"^[a-z][a-z0-9-]{0,19}$")  # online, zalo, post, …; `paper` is scans
UNIT = "unit"  # the mapping's key for the unit column
_NUMBERING = re.compile(r"^(cau|c|q)?\s*\d+[a-z]?\s*[.:)\-/]\s*|^(cau|q)\s*\d+\s+")
_SEPARATORS = " ,;|\n\t"


@dataclass
class Mapping:
    """Which column answers which question, and which column names the unit."""
    unit: str | None
    questions: dict[str, str] = field(default_factory=dict)  # question id -> column
    unmatched: list[str] = field(default_factory=list)  # columns used for nothing

    def lines(self, layout: Layout) -> list[str]:
        out = [f"unit: {self.unit or '(no column found)'}"]
        for q in layout.questions:
            out.append(f"{q.id}: {self.questions.get(q.id, '(no column)')}")
        if self.unmatched:
            out.append("not used: " + ", ".join(self.unmatched))
        return out


def read_answers(path: Path) -> pd.DataFrame:
    """A web form's export as text cells (CSV in any usual delimiter, or Excel)."""
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        elif path.suffix.lower() in (".csv", ".tsv", ".txt"):
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, sep=None,
                                engine="python", encoding="utf-8-sig")
        else:
            raise PhieuError(f"{path}: import reads .csv or .xlsx files")
    except PhieuError:
        raise
    except UnicodeDecodeError as e:  # Excel's plain "CSV" on a Vietnamese Windows: cp1258
        raise PhieuError(f"{path}: not UTF-8 text (byte {e.start + 1:,}); in Excel save it as "
                         "“CSV UTF-8”, or import the .xlsx itself") from e
    except (OSError, ValueError, pd.errors.ParserError) as e:
        raise PhieuError(f"{path}: cannot read the answers: {e}") from e
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.columns.duplicated().any():
        raise PhieuError(f"{path}: two columns are named "
                         f"{frame.columns[frame.columns.duplicated()][0]!r}")
    return frame.fillna("")


def _words(text: str) -> str:
    """A question's or a header's words: no diacritics, case, numbering or punctuation."""
    text = _NUMBERING.sub("", plain(text))
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def _header_matches(header: str, q: Question) -> bool:
    h = _words(header)
    if plain(header) == q.id:
        return True
    inner = re.search(r"\[(.+)\]\s*$", header)  # a grid's row: "Mức độ hài lòng [câu]"
    if inner is not None:
        h = _words(inner.group(1))
    text = _words(q.text)
    if h == text:
        return True
    # a header that leaves out the question's tail, or adds one: "(có thể chọn nhiều …)"
    shorter = min(h, text, key=len)
    return len(shorter.split()) >= 4 and (f"{h} ".startswith(f"{text} ")
                                          or f"{text} ".startswith(f"{h} "))


def unit_lookup(layout: Layout) -> dict[str, str]:
    """Every way a unit may be written (code, name, name without Phường/Xã) -> code."""
    out = {}
    for u in layout.units:
        out[plain(u.code)] = out[plain(u.name)] = out[bare_unit_name(u.name)] = u.code
    return out


def guess_mapping(frame: pd.DataFrame, layout: Layout) -> Mapping:
    """Columns matched to questions by their text; the unit column by its values."""
    questions: dict[str, str] = {}
    for q in layout.questions:
        found = [c for c in frame.columns if _header_matches(c, q)]
        if found:
            questions[q.id] = found[0]
    used = set(questions.values())
    units = unit_lookup(layout)
    best, share = None, 0.0
    for c in frame.columns:
        values = [plain(v) for v in frame[c] if str(v).strip()]
        if c in used or not values:
            continue
        hit = sum(v in units for v in values) / len(values)
        if hit > share:
            best, share = c, hit
    unit = best if share >= 0.5 else None
    unmatched = [c for c in frame.columns if c not in used and c != unit]
    return Mapping(unit, questions, unmatched)


def load_mapping(path: Path, frame: pd.DataFrame, layout: Layout) -> Mapping:
    """A mapping file: `unit: COLUMN` and `questions: {q01: COLUMN, …}`."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise PhieuError(f"{path}: cannot read the mapping: {e}") from e
    if not isinstance(data, dict) or not isinstance(data.get("questions", {}), dict):
        raise PhieuError(f"{path}: expected `unit: COLUMN` and `questions: {{q01: COLUMN}}`")
    ids = {q.id for q in layout.questions}
    questions = {str(k): str(v) for k, v in (data.get("questions") or {}).items()}
    for qid, column in questions.items():
        if qid not in ids:
            raise PhieuError(f"{path}: {qid} is not a question of the layout")
        if column not in frame.columns:
            raise PhieuError(f"{path}: {qid}: no column {column!r} in the answers")
    unit = data.get(UNIT)
    if unit is not None and str(unit) not in frame.columns:
        raise PhieuError(f"{path}: unit: no column {unit!r} in the answers")
    used = set(questions.values()) | {unit}
    return Mapping(None if unit is None else str(unit), questions,
                   [c for c in frame.columns if c not in used])


def _option_forms(layout: Layout, q: Question) -> list[tuple[str, str]]:
    """(written form, value) for each option, longest first: `4 - hài lòng`, `hài lòng`,
    `4`."""
    forms = []
    for o in layout.options_of(q):
        label = plain(o.label)
        forms += [(f"{o.value} - {label}", o.value), (f"{o.value}. {label}", o.value),
                  (f"{o.value}) {label}", o.value), (label, o.value), (plain(o.value), o.value)]
    return sorted(set(forms), key=lambda f: -len(f[0]))


def _ticked(cell: str, forms: list[tuple[str, str]]) -> list[str] | None:
    """The options a cell names, read label by label from its start (labels may hold
    commas: splitting on them would cut a label); None when something is left over."""
    rest, values = plain(cell), []
    while True:
        rest = rest.lstrip(_SEPARATORS)
        if not rest:
            return values
        for written, value in forms:
            if rest.startswith(written) and (len(rest) == len(written)
                                            or rest[len(written)] in _SEPARATORS):
                values.append(value)
                rest = rest[len(written):]
                break
        else:
            return None


class RowReader:
    """Turns a row into a unit code, answers and reasons; what every row needs (the unit
    lookup, each question's written option forms) is worked out once."""

    def __init__(self, mapping: Mapping, layout: Layout) -> None:
        self.mapping, self.layout = mapping, layout
        self.units = unit_lookup(layout)
        choice = [q for q in layout.questions if q.kind != "text"]
        self.forms = {q.id: _option_forms(layout, q) for q in choice}
        self.order = {q.id: [o.value for o in layout.options_of(q)] for q in choice}

    def convert(self, row: pd.Series) -> tuple[str | None, dict[str, str], list[Reason]]:
        """A row's unit code, its answers as the export writes them, and why it is
        flagged."""
        reasons: list[Reason] = []
        unit = None
        if self.mapping.unit is not None:
            written = str(row[self.mapping.unit]).strip()
            unit = self.units.get(plain(written))
            if unit is None:
                reasons.append(Reason(Code.UNKNOWN_UNIT, quoted_cell(written)))
        else:
            reasons.append(Reason(Code.UNKNOWN_UNIT, "(không có cột đơn vị)"))
        answers: dict[str, str] = {}
        for q in self.layout.questions:
            column = self.mapping.questions.get(q.id)
            cell = str(row[column]).strip() if column else ""
            if not cell:
                answers[q.id] = ""
            elif q.kind == "text":
                answers[q.id] = cell
            else:
                values = _ticked(cell, self.forms[q.id])
                if values is None or (q.kind == "single" and len(values) > 1):
                    reasons.append(Reason(Code.NOT_AN_OPTION, f"{q.id} {quoted_cell(cell)}"))
                    answers[q.id] = ""
                else:
                    answers[q.id] = "|".join(sorted(set(values), key=self.order[q.id].index))
        return unit, answers, reasons

    def rows(self, frame: pd.DataFrame):
        """(row number in the file, the row, unit, answers, reasons), the header being
        row 1."""
        for n, (_, row) in enumerate(frame.iterrows(), start=2):
            yield n, row, *self.convert(row)


def row_cells(row: pd.Series) -> dict[str, str]:
    """A row as its file has it: header -> cell, spaces around a cell dropped."""
    return {str(k): str(v).strip() for k, v in row.items()}


def row_identity(channel: str, cells: dict[str, str]) -> str:
    """A respondent's row known by its cells: the same row in a longer export is the same."""
    text = "\x1f".join(f"{k}\x1e{v}" for k, v in cells.items())
    return f"{channel}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]}"


@dataclass
class ImportResult:
    rows: int
    new: int
    flagged: int  # among the new
    already: str | None  # the file was imported before, from this path
    gone: int = 0  # rows an earlier export of the same form had and this one has not


def _gone(campaign: Campaign, channel: str, frame: pd.DataFrame, ids: set[str]) -> list[str]:
    """Rows stored from an earlier export of the same form (the same columns) that this
    export, which repeats some of its rows, no longer has: changed or deleted on the form
    since. Counting them beside their changed version would count a person twice, so a
    person decides. An export of only the newer rows repeats none: nothing is gone."""
    columns = {str(c) for c in frame.columns}
    same_form = [(rid, status) for rid, _, _, status, cells in
                 rows_of_channel(campaign.store.db, channel) if cells.keys() == columns]
    if not any(rid in ids for rid, _ in same_form):
        return []
    return [rid for rid, status in same_form
            if rid not in ids and status in (Status.OK, Status.FLAGGED)]


def import_answers(campaign: Campaign, path: Path, frame: pd.DataFrame, channel: str,
                   mapping: Mapping) -> ImportResult:
    """Store the rows of `frame` (read from `path` by read_answers) not seen before."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    before = file_imported(campaign.store, digest)
    if before is not None:
        return ImportResult(len(frame), 0, 0, before)
    rows, seen = [], Counter()
    for n, row, unit, answers, reasons in RowReader(mapping, campaign.layout).rows(frame):
        cells = row_cells(row)
        base = row_identity(channel, cells)
        seen[base] += 1  # two people who wrote exactly the same are two respondents
        ident = base if seen[base] == 1 else f"{base}-{seen[base]}"
        rows.append(Response(ident, n, unit, answers, reasons, cells))
    gone = _gone(campaign, channel, frame, {r.response_id for r in rows})
    new = add_responses(campaign.store, digest, str(path), channel, rows, len(frame), gone,
                        Reason(Code.GONE_FROM_EXPORT, str(path)))
    flagged = sum(bool(r.reasons) for r in rows if r.response_id in new)
    return ImportResult(len(frame), len(new), flagged, None, len(gone))


def checked_rows(frame: pd.DataFrame, mapping: Mapping, layout: Layout) -> list[str]:
    """What importing would flag, row by row (for `phieu import --check`)."""
    return [f"row {n}: " + "; ".join(str(r) for r in reasons)
            for n, _, _, _, reasons in RowReader(mapping, layout).rows(frame) if reasons]
