"""Answers imported from other channels than paper: one row per respondent.

What a person decided on the review page about a flagged row (its unit, whether it
counts) changes the row itself, with a snapshot for undo; the answers they chose are
decisions laid over the imported ones, as for sheets (`answers.decided_on_responses`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from phieu.omr.vocabulary import Reason, Status, to_text

from . import Db, Store, marks, now
from .answers import decided_on_responses
from .encoding import reasons_data, reasons_of


class ChannelRow(NamedTuple):
    response_id: str
    source: str  # the file it first came in
    key: str  # what it says (its answers and unit), or its id before keys were kept
    status: str


class Flagged(NamedTuple):
    """A sheet or imported row waiting for a person."""
    key: str  # the paper's key or the row's response id
    unit_code: str  # "" when none is known
    reasons: list[Reason]


class UnkeyedRow(NamedTuple):
    response_id: str
    source: str
    cells: dict[str, str]  # header -> cell, as its file had them


@dataclass(frozen=True)
class Response:
    response_id: str  # the key of what it says (see row_identity): the same answers from
    # another file, under other headers, are the same respondent
    row_no: int
    unit_code: str | None
    answers: dict[str, str]
    reasons: list[Reason]
    cells: dict[str, str]  # the row as its file has it: header -> cell


@dataclass(frozen=True)
class ResponseInfo:
    """One stored row, as the review page shows it."""
    response_id: str
    channel: str
    source: str
    row_no: int
    unit_code: str | None
    status: str
    reasons: list[Reason]
    answers: dict[str, str]  # as imported
    cells: dict[str, str]


def file_imported(store: Store, sha256: str) -> str | None:
    """The path a file with this content was imported from, if it was."""
    row = store.db.execute("SELECT path FROM import_files WHERE sha256 = ?",
                           (sha256,)).fetchone()
    return row[0] if row else None


def add_responses(store: Store, sha256: str, path: str, channel: str,
                  rows: Iterable[Response], total: int, gone: Iterable[str] = (),
                  gone_reason: Reason | None = None) -> set[str]:
    """Store the file's rows not seen before (from any file); returns the new ones' ids.
    The rows `gone` (stored before, missing from this file) wait for a person with
    `gone_reason`. One transaction: a file is imported whole or not at all."""
    stamp = now()
    new = set()
    with store.transaction() as db:
        for rid in gone:
            (reasons,) = db.execute("SELECT reasons FROM responses WHERE response_id = ?",
                                    (rid,)).fetchone()
            now_reasons = reasons_of(reasons) + [gone_reason]
            db.execute("UPDATE responses SET status = ?, flags = ?, reasons = ? "
                       "WHERE response_id = ?", (Status.FLAGGED, to_text(now_reasons),
                                                 reasons_data(now_reasons), rid))
        for r in rows:
            if db.execute("SELECT 1 FROM responses WHERE channel = ? AND row_key = ?",
                          (channel, r.response_id)).fetchone():
                continue  # the same answers, stored before from another file
            added = db.execute(
                "INSERT INTO responses (response_id, channel, source, row_no, unit_code, status,"
                " flags, reasons, answers, cells, imported_at, row_key) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (response_id) DO NOTHING RETURNING response_id",
                (r.response_id, channel, path, r.row_no, r.unit_code,
                 Status.FLAGGED if r.reasons else Status.OK, to_text(r.reasons),
                 reasons_data(r.reasons), json.dumps(r.answers, ensure_ascii=False),
                 json.dumps(r.cells, ensure_ascii=False), stamp, r.response_id),
            ).fetchone()
            if added is not None:
                new.add(r.response_id)
        db.execute("INSERT INTO import_files (sha256, path, channel, rows, imported_at) "
                   "VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
                   (sha256, path, channel, total, stamp))
    return new


def channel_keys(db: Db, channel: str) -> list[ChannelRow]:
    """Every row a channel brought, in file order."""
    return [ChannelRow(*r) for r in db.execute(
        "SELECT response_id, source, COALESCE(row_key, response_id), status "
        "FROM responses WHERE channel = ? ORDER BY source, row_no", (channel,))]


def rows_without_key(db: Db, channel: str) -> list[UnkeyedRow]:
    """A channel's rows imported by an earlier release, in file order."""
    return [UnkeyedRow(rid, source, json.loads(cells)) for rid, source, cells in db.execute(
        "SELECT response_id, source, cells FROM responses WHERE channel = ? AND row_key IS NULL "
        "ORDER BY source, row_no", (channel,))]


def set_row_keys(store: Store, keys: dict[str, str]) -> None:
    """response_id -> the key its row is known by now."""
    with store.transaction() as db:
        db.executemany("UPDATE responses SET row_key = ? WHERE response_id = ?",
                       [(key, rid) for rid, key in keys.items()])


@dataclass(frozen=True)
class FinalResponse:
    """An imported row as the export and the report take it: its answers are the final
    ones, what people decided on the review page laid over what the row said."""
    response_id: str
    unit_code: str  # "" when it names no unit of the layout
    status: str
    flags: str
    source: str  # the file it came in
    row_no: int
    channel: str
    answers: dict[str, str]


def _responses(db: Db, where: str = "", params: tuple = (),
               order: str = "ORDER BY channel, source, row_no") -> list[FinalResponse]:
    decided = decided_on_responses(db)
    return [FinalResponse(rid, unit, status, flags, source, row_no, channel,
                     {**json.loads(answers), **decided.get(rid, {})})
            for rid, unit, status, flags, source, row_no, channel, answers in db.execute(
                "SELECT response_id, COALESCE(unit_code, ''), status, flags, source, row_no, "
                f"channel, answers FROM responses {where} {order}",
                params)]


def export_responses(store: Store) -> list[FinalResponse]:
    """Every imported row, by channel, file and row."""
    return _responses(store.db)


def responses_with_status(store: Store, statuses: tuple[Status, ...]) -> list[FinalResponse]:
    """The imported rows naming a unit, with one of `statuses`."""
    return _responses(store.db, f"WHERE unit_code IS NOT NULL AND status IN "
                                f"({marks(statuses)})", statuses, order="")


def responses_per_unit(store: Store) -> dict[str, int]:
    """Rows received per unit ("" for those naming none), whatever became of them."""
    return dict(store.db.execute(
        "SELECT COALESCE(unit_code, ''), COUNT(*) FROM responses GROUP BY 1"))


def responses_per_unit_and_status(store: Store, statuses: tuple[Status, ...]
                                  ) -> list[tuple[str, str, int]]:
    return store.db.execute(
        "SELECT COALESCE(unit_code, ''), status, COUNT(*) FROM responses "
        f"WHERE status IN ({marks(statuses)}) GROUP BY 1, 2", statuses).fetchall()


# -- the review page ------------------------------------------------------------------
def flagged_responses(db: Db) -> list[Flagged]:
    """Every imported row waiting, by unit ("" for none), file and row."""
    return [Flagged(rid, unit, reasons_of(r)) for rid, unit, r in db.execute(
        "SELECT response_id, COALESCE(unit_code, ''), reasons FROM responses WHERE status = ? "
        "ORDER BY 2, source, row_no", (Status.FLAGGED,))]


def response_info(db, response_id: str) -> ResponseInfo | None:
    row = db.execute(
        "SELECT response_id, channel, source, row_no, unit_code, status, reasons, answers, "
        "cells FROM responses WHERE response_id = ?", (response_id,)).fetchone()
    if row is None:
        return None
    return ResponseInfo(*row[:6], reasons_of(row[6]), json.loads(row[7]), json.loads(row[8]))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def rows_of_channel(db, channel: str, having: dict[str, str] | None = None
                    ) -> list[tuple[str, str, int, str, dict[str, str]]]:
    """(response_id, source, row_no, status, cells) of every row a channel brought; only
    those whose cells hold `having` (header -> cell), when given."""
    wanted = [json.dumps({h: v}, ensure_ascii=False)[1:-1] for h, v in (having or {}).items()]
    rows = db.execute(
        "SELECT response_id, source, row_no, status, cells FROM responses WHERE channel = ?"
        + " AND cells LIKE ? ESCAPE '\\'" * len(wanted) + " ORDER BY source, row_no",
        (channel, *(_like(w) for w in wanted)))
    out = []
    for r in rows:
        cells = json.loads(r[4])
        if all(cells.get(h) == v for h, v in (having or {}).items()):
            out.append((*r[:4], cells))
    return out


def set_response(db, response_id: str, unit_code: str | None, status: str) -> None:
    db.execute("UPDATE responses SET unit_code = ?, status = ? WHERE response_id = ?",
               (unit_code, status, response_id))
