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

import csv
import hashlib
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from phieu.forms.layout import Layout, Question
from phieu.forms.units import bare_unit_name, plain
from phieu.omr.vocabulary import Code, Reason, Status

from .campaign import Campaign
from .errors import PhieuError
from .row_identity import row_key
from .store.responses import (
    Response,
    add_responses,
    channel_keys,
    file_imported,
    rows_without_key,
    set_row_keys,
)

CHANNEL_RE = re.compile(r"^[a-z][a-z0-9-]{0,19}$")  # online, zalo, post, …; `paper` is scans
UNIT = "unit"  # the mapping's key for the unit column
_NUMBERING = re.compile(r"^(cau|c|q)?\s*\d+[a-z]?\s*[.:)\-/]\s*|^(cau|q)\s*\d+\s+")
_SEPARATORS = " ,;|\n\t"
_REMARK = re.compile(r"\s*\([^()]*\)\s*$")
EMPTY = "the file is empty (no header row, no answers)"


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
    """A web form's export as text cells (CSV in any usual delimiter, or Excel), its header
    row as the file has it: a header the file repeats (a question asked again in another
    section) is one column, see `_merged`."""
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            raw = pd.read_excel(path, dtype=str, header=None, keep_default_na=False,
                                engine="openpyxl")
        elif path.suffix.lower() in (".csv", ".tsv", ".txt"):
            if not path.read_bytes().strip():
                raise PhieuError(f"{path}: {EMPTY}")
            raw = _read_csv(path)
        else:
            raise PhieuError(f"{path}: import reads .csv or .xlsx files")
    except PhieuError:
        raise
    except UnicodeDecodeError as e:  # Excel's plain "CSV" on a Vietnamese Windows: cp1258
        raise PhieuError(f"{path}: not UTF-8 text (byte {e.start + 1:,}); in Excel save it as "
                         "“CSV UTF-8”, or import the .xlsx itself") from e
    except pd.errors.EmptyDataError as e:
        raise PhieuError(f"{path}: {EMPTY}") from e
    except zipfile.BadZipFile as e:
        raise PhieuError(f"{path}: not an Excel workbook (.xlsx): damaged, or another kind "
                         "of file named .xlsx; save it again as .xlsx or as CSV UTF-8") from e
    except OSError as e:
        raise PhieuError(f"{path}: cannot read the answers: {e.strerror or e}") from e
    except Exception as e:  # noqa: BLE001 - a parser's own words say what is wrong
        raise PhieuError(f"{path}: cannot read the answers: {e}") from e
    if raw.empty:
        raise PhieuError(f"{path}: {EMPTY}")
    return _merged(raw.fillna(""))


def _read_csv(path: Path) -> pd.DataFrame:
    """A CSV in whatever delimiter it uses (a file of one column has none to find)."""
    try:
        return pd.read_csv(path, dtype=str, header=None, keep_default_na=False, sep=None,
                           engine="python", encoding="utf-8-sig")
    except csv.Error:
        return pd.read_csv(path, dtype=str, header=None, keep_default_na=False,
                           encoding="utf-8-sig")


REPEATED = " ‖ "  # between the different answers a row gives in a repeated column


def _merged(raw: pd.DataFrame) -> pd.DataFrame:
    """The rows under their headers, a header given several times (Google Forms repeats a
    question asked in two sections) made one column: a row's one answer among them, or,
    when it gave different ones, all of them (no option reads so: the row waits for a
    person)."""
    headers = [str(h).strip() or f"(cột {i + 1})" for i, h in enumerate(raw.iloc[0])]
    body = raw.iloc[1:].reset_index(drop=True)
    body = body[(body.map(lambda v: str(v).strip()) != "").any(axis=1)]  # not empty lines
    columns: dict[str, list[int]] = {}
    for i, h in enumerate(headers):
        columns.setdefault(h, []).append(i)
    merged = {}
    for h, where in columns.items():
        cells = body.iloc[:, where].map(lambda v: str(v).strip())
        merged[h] = [REPEATED.join(dict.fromkeys(v for v in row if v))
                     for row in cells.itertuples(index=False, name=None)]
    return pd.DataFrame(merged, dtype=object).reset_index(drop=True)


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
    # a remark in brackets added to the header, or left out of it: "Ý kiến khác (nếu có)"
    if h == text or _words(_REMARK.sub("", header)) == text or h == _words(
            _REMARK.sub("", q.text)):
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


@dataclass(frozen=True)
class RowRead:
    """A row as the campaign takes it."""
    row_no: int  # in the file, the header being row 1
    cells: dict[str, str]  # header -> cell, as the file has it
    unit: str | None  # the layout's unit code, when the row names one
    answers: dict[str, str]  # question -> answer, as the export writes it
    reasons: list[Reason]  # why a person must look
    answered: bool  # it answers a question of the layout (else it is no respondent)
    key: str  # who it is, whatever the file's spelling (see row_identity)


class RowReader:
    """Turns a row into a unit code, answers and reasons; what every row needs (the unit
    lookup, each question's written option forms) is worked out once."""

    def __init__(self, mapping: Mapping, layout: Layout) -> None:
        self.mapping, self.layout = mapping, layout
        self.units = unit_lookup(layout)
        choice = [q for q in layout.questions if q.kind != "text"]
        self.forms = {q.id: _option_forms(layout, q) for q in choice}
        self.order = {q.id: [o.value for o in layout.options_of(q)] for q in choice}
        self.others = mapping.unmatched  # a timestamp, a response number: who is who

    def read(self, n: int, row: pd.Series, channel: str) -> RowRead:
        """Row `n` of the file: its unit, its answers, why it is flagged, and its key."""
        reasons: list[Reason] = []
        unit, unit_key = None, ""
        if self.mapping.unit is not None:
            written = str(row[self.mapping.unit]).strip()
            unit = self.units.get(plain(written))
            unit_key = unit or f"?{plain(written)}"
            if unit is None:
                reasons.append(Reason(Code.UNKNOWN_UNIT, cell=written))
        else:
            reasons.append(Reason(Code.UNKNOWN_UNIT, "(không có cột đơn vị)"))
        answers: dict[str, str] = {}
        meant: dict[str, str] = {}  # what each answer means, for the row's key
        for q in self.layout.questions:
            column = self.mapping.questions.get(q.id)
            cell = str(row[column]).strip() if column else ""
            answers[q.id] = meant[q.id] = ""
            if not cell:
                continue
            if q.kind == "text":
                answers[q.id], meant[q.id] = cell, " ".join(cell.split())
                continue
            values = _ticked(cell, self.forms[q.id])
            if values is None or (q.kind == "single" and len(values) > 1):
                reasons.append(Reason(Code.NOT_AN_OPTION, q.id, cell))
                meant[q.id] = f"?{plain(cell)}"
            else:
                answers[q.id] = meant[q.id] = "|".join(
                    sorted(set(values), key=self.order[q.id].index))
        others = [str(row[c]) for c in self.others]
        return RowRead(n, row_cells(row), unit, answers, reasons,
                       any(meant.values()), row_key(channel, unit_key, meant, others))

    def rows(self, frame: pd.DataFrame, channel: str = ""):
        """Every row read, the header being row 1."""
        for n, (_, row) in enumerate(frame.iterrows(), start=2):
            yield self.read(n, row, channel)


def row_cells(row: pd.Series) -> dict[str, str]:
    """A row as its file has it: header -> cell, spaces around a cell dropped."""
    return {str(k): str(v).strip() for k, v in row.items()}


def keyed(rows: list[RowRead]) -> list[tuple[RowRead, str]]:
    """Each row with the key it is stored under: two people who answered exactly alike in
    one file are two respondents, told apart by their order (the first, the second, …),
    as a longer export of the same form repeats them."""
    seen: Counter = Counter()
    out = []
    for r in rows:
        seen[r.key] += 1
        out.append((r, r.key if seen[r.key] == 1 else f"{r.key}-{seen[r.key]}"))
    return out


@dataclass
class ImportResult:
    rows: int
    new: int
    flagged: int  # among the new
    already: str | None  # the file was imported before, from this path
    gone: int = 0  # rows an earlier export of the same form had and this one has not
    skipped: int = 0  # rows answering no question of the layout: no respondents


def _gone(campaign: Campaign, channel: str, keys: set[str]) -> list[str]:
    """Rows stored from an earlier export of the same form that this export, which repeats
    some of that export's rows, no longer has: changed or deleted on the form since.
    Counting them beside their changed version would count a person twice, so a person
    decides. An export of only the newer rows repeats none: nothing is gone."""
    by_file: dict[str, list[tuple[str, str, str]]] = {}
    for rid, source, key, status in channel_keys(campaign.store.db, channel):
        by_file.setdefault(source, []).append((rid, key, status))
    gone = []
    for stored in by_file.values():
        if any(key in keys for _, key, _ in stored):
            gone += [rid for rid, key, status in stored
                     if key not in keys and status in (Status.OK, Status.FLAGGED)]
    return gone


def _key_older_rows(campaign: Campaign, channel: str) -> None:
    """Rows imported by an earlier release were known by their cells: give them the key a
    row is known by now (read as their file was: a mapping guessed from their headers), so
    the same answers imported again are recognised. Rows kept without their cells keep
    their first key."""
    db = campaign.store.db
    by_file: dict[tuple[str, tuple[str, ...]], list[tuple[str, dict[str, str]]]] = {}
    for rid, source, cells in rows_without_key(db, channel):
        by_file.setdefault((source, tuple(cells)), []).append((rid, cells))
    keys: dict[str, str] = {}
    for (_, headers), rows in by_file.items():
        frame = pd.DataFrame([cells for _, cells in rows], columns=list(headers), dtype=object)
        mapping = guess_mapping(frame, campaign.layout) if headers else None
        if not headers or not mapping.questions:
            keys.update({rid: rid for rid, _ in rows})
            continue
        reader = RowReader(mapping, campaign.layout)
        read = [reader.read(0, row, channel) for _, row in frame.iterrows()]
        keys.update({rid: key for (rid, _), (_, key) in zip(rows, keyed(read), strict=True)})
    if keys:
        set_row_keys(campaign.store, keys)


def refuse_unmatched(path: Path, frame: pd.DataFrame, mapping: Mapping, layout: Layout) -> None:
    """A file none of whose columns is a question of the layout (a plan's cases.csv, a
    print manifest, another survey's answers) is no web form's export of this survey."""
    if not mapping.questions:
        shown = ", ".join(list(frame.columns)[:6]) + (", …" if len(frame.columns) > 6 else "")
        raise PhieuError(f"{path}: no column is a question of the layout {layout.id} "
                         f"(columns: {shown}); is it this survey's answers? A mapping file "
                         "(--mapping) can name the columns")


def import_answers(campaign: Campaign, path: Path, frame: pd.DataFrame, channel: str,
                   mapping: Mapping) -> ImportResult:
    """Store the rows of `frame` (read from `path` by read_answers) not seen before; rows
    that answer no question are no respondents and are not stored."""
    refuse_unmatched(path, frame, mapping, campaign.layout)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    before = file_imported(campaign.store, digest)
    if before is not None:
        return ImportResult(len(frame), 0, 0, before)
    _key_older_rows(campaign, channel)
    read = list(RowReader(mapping, campaign.layout).rows(frame, channel))
    answered = [r for r in read if r.answered]
    rows = [Response(key, r.row_no, r.unit, r.answers, r.reasons, r.cells)
            for r, key in keyed(answered)]
    gone = _gone(campaign, channel, {r.response_id for r in rows})
    new = add_responses(campaign.store, digest, str(path), channel, rows, len(frame), gone,
                        Reason(Code.GONE_FROM_EXPORT, str(path)))
    flagged = sum(bool(r.reasons) for r in rows if r.response_id in new)
    return ImportResult(len(frame), len(new), flagged, None, len(gone),
                        len(read) - len(answered))


def checked_rows(frame: pd.DataFrame, mapping: Mapping, layout: Layout) -> list[str]:
    """What importing would flag or leave out, row by row (for `phieu import --check`)."""
    out = []
    for r in RowReader(mapping, layout).rows(frame):
        if not r.answered:
            out.append(f"row {r.row_no}: answers no question: not a respondent, left out")
        elif r.reasons:
            out.append(f"row {r.row_no}: " + "; ".join(str(x) for x in r.reasons))
    return out
