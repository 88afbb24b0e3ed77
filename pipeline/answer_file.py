"""A web form's export as phieu reads it: the file (CSV, Excel, a zip of CSVs) as a
table, a column repeated by the form merged into one, and which column answers which
question (a mapping file, or the headers' text matched to the questions' text)."""

from __future__ import annotations

import csv
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from phieu.forms.layout import Layout, Question
from phieu.forms.units import bare_unit_name, plain

from .errors import PhieuError

UNIT = "unit"  # the mapping's key for the unit column


_NUMBERING = re.compile(r"^(cau|c|q)?\s*\d+[a-z]?\s*[.:)\-/]\s*|^(cau|q)\s*\d+\s+")


SEPARATORS = " ,;|\n\t"


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


def refuse_unmatched(path: Path, frame: pd.DataFrame, mapping: Mapping, layout: Layout) -> None:
    """A file none of whose columns is a question of the layout (a plan's cases.csv, a
    print manifest, another survey's answers) is no web form's export of this survey."""
    if not mapping.questions:
        shown = ", ".join(list(frame.columns)[:6]) + (", …" if len(frame.columns) > 6 else "")
        raise PhieuError(f"{path}: no column is a question of the layout {layout.id} "
                         f"(columns: {shown}); is it this survey's answers? A mapping file "
                         "(--mapping) can name the columns")
