"""`phieu import`: answers given on a web form (Google Forms, Microsoft Forms,
KoboToolbox), over Zalo or by post, merged with the paper ones.

A web form's export has one header row and one row per respondent. Its columns
are matched to the layout's questions (`answer_file`) by a mapping file or by their text
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
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from phieu.forms.layout import Layout, Question
from phieu.forms.units import plain
from phieu.omr.vocabulary import Code, Reason, Status

from .answer_file import SEPARATORS, Mapping, guess_mapping, refuse_unmatched, unit_lookup
from .campaign import Campaign
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
        rest = rest.lstrip(SEPARATORS)
        if not rest:
            return values
        for written, value in forms:
            if rest.startswith(written) and (len(rest) == len(written)
                                            or rest[len(written)] in SEPARATORS):
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
