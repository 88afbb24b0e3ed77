"""Answers imported from other channels than paper: one row per respondent."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from phieu.omr.vocabulary import Reason, Status, to_data, to_text

from . import Store, marks, now


@dataclass(frozen=True)
class Response:
    response_id: str
    row_no: int
    unit_code: str | None
    answers: dict[str, str]
    reasons: list[Reason]


def file_imported(store: Store, sha256: str) -> str | None:
    """The path a file with this content was imported from, if it was."""
    row = store.db.execute("SELECT path FROM import_files WHERE sha256 = ?",
                           (sha256,)).fetchone()
    return row[0] if row else None


def add_responses(store: Store, sha256: str, path: str, channel: str,
                  rows: Iterable[Response], total: int) -> set[str]:
    """Store the file's rows not seen before (from any file); returns the new ones' ids.
    One transaction: a file is imported whole or not at all."""
    stamp = now()
    new = set()
    with store.transaction() as db:
        for r in rows:
            added = db.execute(
                "INSERT INTO responses (response_id, channel, source, row_no, unit_code, status,"
                " flags, reasons, answers, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (response_id) DO NOTHING RETURNING response_id",
                (r.response_id, channel, path, r.row_no, r.unit_code,
                 Status.FLAGGED if r.reasons else Status.OK, to_text(r.reasons),
                 to_data(r.reasons), json.dumps(r.answers, ensure_ascii=False), stamp),
            ).fetchone()
            if added is not None:
                new.add(r.response_id)
        db.execute("INSERT INTO import_files (sha256, path, channel, rows, imported_at) "
                   "VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
                   (sha256, path, channel, total, stamp))
    return new


def export_responses(store: Store) -> list[tuple[str, str, str, str, str, int, str, str]]:
    """(response_id, unit_code, status, flags, source, row_no, channel, answers JSON)."""
    return store.db.execute(
        "SELECT response_id, COALESCE(unit_code, ''), status, flags, source, row_no, channel, "
        "answers FROM responses ORDER BY channel, source, row_no").fetchall()


def responses_with_status(store: Store, statuses: tuple[Status, ...]
                          ) -> list[tuple[str, str, str, str, str]]:
    """(response_id, unit_code, status, channel, answers JSON) of responses naming a unit."""
    return store.db.execute(
        "SELECT response_id, unit_code, status, channel, answers FROM responses "
        f"WHERE unit_code IS NOT NULL AND status IN ({marks(statuses)})", statuses).fetchall()


def responses_per_unit_and_status(store: Store, statuses: tuple[Status, ...]
                                  ) -> list[tuple[str, str, int]]:
    return store.db.execute(
        "SELECT COALESCE(unit_code, ''), status, COUNT(*) FROM responses "
        f"WHERE status IN ({marks(statuses)}) GROUP BY 1, 2", statuses).fetchall()
