"""What people decided on the review page, laid over what the machine read.

Decisions are a log: the latest decision per question that has not been
undone wins. Export, reports and the review page all read answers
through here, so they always agree.
"""

from __future__ import annotations

import json

from . import Db, marks
from .items import MATCH, Item, ItemKind


def machine_answers(db: Db, sheet_id: str) -> dict[str, str]:
    """The answers read from a sheet's pages (its first scan of each page)."""
    answers: dict[str, str] = {}
    for (text,) in db.execute(
            "SELECT answers FROM pages WHERE sheet_id = ? AND duplicate_of IS NULL "
            "ORDER BY form_page", (sheet_id,)):
        answers.update(json.loads(text or "{}"))
    return answers


def decided(db: Db, item: Item, action: str) -> dict[str, str]:
    """question -> value of the latest decision of `action` on `item` still standing."""
    out: dict[str, str] = {}
    for question, value in db.execute(
            f"SELECT question, value FROM decisions WHERE {MATCH} "
            "AND action = ? AND undone_at IS NULL ORDER BY decision_id",
            (*item.params, action)):
        out[question] = value
    return out


def all_final_answers(db: Db) -> dict[str, dict[str, str]]:
    """Per sheet: the answers and transcribed free text that count, people's decisions over
    what the machine read; the whole campaign in two queries (report and export)."""
    out: dict[str, dict[str, str]] = {}
    for sheet_id, text in db.execute(
            "SELECT sheet_id, answers FROM pages WHERE sheet_id IS NOT NULL "
            "AND duplicate_of IS NULL ORDER BY sheet_id, form_page"):
        out.setdefault(sheet_id, {}).update(json.loads(text or "{}"))
    for sheet_id, box, typed in db.execute("SELECT sheet_id, box_id, text FROM comments"):
        out.setdefault(sheet_id, {})[box] = typed
    return _lay_decisions(db, ItemKind.SHEET, ("answer",), out)


def decided_on_responses(db: Db) -> dict[str, dict[str, str]]:
    """Per imported row (response id): the answers a person chose on the review page."""
    return _lay_decisions(db, ItemKind.ROW, ("answer",), {})


def _lay_decisions(db: Db, kind: ItemKind, actions: tuple[str, ...],
                   out: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """`out` with the decisions still standing on every item of `kind` (sheets, imported
    rows) laid over it, per item key, the latest per question winning."""
    for key, question, value in db.execute(
            f"SELECT item_key, question, value FROM decisions WHERE action IN "
            f"({marks(actions)}) AND undone_at IS NULL AND item_kind = ? "
            "ORDER BY action, decision_id", (*actions, kind)):
        out.setdefault(key, {})[question] = value
    return out
