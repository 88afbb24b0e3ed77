"""What the review page reads and writes: the queue, claims, decisions and their undo.

Every function works inside the caller's transaction (`Store.transaction()`),
so a decision and everything it changes are stored together or not at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from phieu.omr.vocabulary import Reason, Status, from_text, to_text

from . import Db, marks, now
from .comments import Comment, comment_of, drop_comment, set_comment
from .encoding import (
    Measures,
    doubts_text,
    mapping_of,
    mapping_text,
    measures_of,
    reasons_data,
    reasons_of,
)
from .items import MATCH, Item
from .pages import PageReasons
from .responses import Flagged, set_response


@dataclass(frozen=True)
class Claim:
    """Who holds an item on the review page, and until when (seconds since the epoch)."""
    session: str
    reviewer: str
    until: float


@dataclass(frozen=True)
class Decision:
    decision_id: int
    action: str  # answer | text | identity | keep | accept | reject
    question: str | None  # the question or text box decided
    value: str | None
    machine: str | None  # what the machine had read
    reviewer: str
    decided_at: str
    undone_at: str | None
    before: str | None  # the rows it changed (JSON), for undo
    from_page: int | None  # a page named or kept: logged on the paper it joined


@dataclass(frozen=True)
class SheetInfo:
    status: str
    reasons: list[Reason]
    unit_code: str
    printed_id: str  # the printed sheet the paper carries
    copy_no: int  # which paper of it: 1, or 2, 3, … for photocopies


_DECISION = ("decision_id, action, question, value, machine, reviewer, decided_at, undone_at, "
             "before, from_page")

@dataclass(frozen=True)
class PageInfo:
    """A stored page as the review page shows it and decides on it."""
    page_id: int
    kind: str
    sheet_id: str | None  # the paper it counts for, if any
    form_page: int | None
    status: str
    reasons: list[Reason]
    answers: dict[str, str]
    readings: dict[str, list[str]]  # the doubtful ones: q -> [doubt, likely]
    measures: Measures | None
    has_image: bool
    source: str  # the scan file
    source_page: int
    duplicate_of: int | None
    printed_id: str | None  # the printed sheet it names
    file_id: int
    unmarked: bool
_SNAPSHOT_PAGE = ("page_id", "sheet_id", "form_page", "status", "flags", "reasons",
                  "duplicate_of", "answers", "readings", "printed_id")
_SNAPSHOT_SHEET = ("sheet_id", "status", "flags", "reasons")
_SNAPSHOT_RESPONSE = ("response_id", "unit_code", "status")


# -- the queue ------------------------------------------------------------------------
def flagged_sheets(db: Db) -> list[Flagged]:
    """Every sheet waiting, by unit and serial."""
    return [Flagged(sid, unit, reasons_of(r)) for sid, unit, r in db.execute(
        "SELECT s.sheet_id, p.unit_code, s.reasons FROM sheets s JOIN printed_sheets p "
        "ON p.sheet_id = s.printed_id WHERE s.status = ? "
        "ORDER BY p.unit_code, p.serial, s.copy_no", (Status.FLAGGED,))]


def flagged_loose_pages(db: Db) -> list[PageReasons]:
    """Waiting pages that are no sheet's (yet), by page id."""
    return [PageReasons(pid, reasons_of(r)) for pid, r in db.execute(
        "SELECT page_id, reasons FROM pages WHERE sheet_id IS NULL AND status = ? "
        "ORDER BY page_id", (Status.FLAGGED,))]


# -- claims -------------------------------------------------------------------------
def claim_of(db: Db, item: Item) -> Claim | None:
    """Whoever holds an item."""
    row = db.execute(f"SELECT session, reviewer, until FROM claims WHERE {MATCH}",
                     item.params).fetchone()
    return Claim(*row) if row else None


def hold(db: Db, item: Item, session: str, reviewer: str, until: float) -> None:
    db.execute("INSERT INTO claims (item_kind, item_key, session, reviewer, until) "
               "VALUES (?, ?, ?, ?, ?) ON CONFLICT (item_kind, item_key) DO UPDATE SET "
               "session = excluded.session, reviewer = excluded.reviewer, until = excluded.until",
               (*item.params, session, reviewer, until))


def release_others(db: Db, session: str, item: Item) -> None:
    """A session holds one item at a time: what it skipped is free for the others again."""
    db.execute(f"DELETE FROM claims WHERE session = ? AND NOT ({MATCH})",
               (session, *item.params))


def extend(db: Db, item: Item, until: float) -> None:
    db.execute(f"UPDATE claims SET until = ? WHERE {MATCH}", (until, *item.params))


def release(db: Db, item: Item) -> None:
    db.execute(f"DELETE FROM claims WHERE {MATCH}", item.params)


# -- what a reviewer sees -------------------------------------------------------------
def page_info(db: Db, page_id: int) -> PageInfo | None:
    row = db.execute(
        "SELECT p.page_id, p.kind, p.sheet_id, p.form_page, p.status, p.reasons, p.answers, "
        "p.readings, p.measures, p.image IS NOT NULL, f.path, p.page_no, p.duplicate_of, "
        "p.printed_id, p.file_id, p.unmarked "
        "FROM pages p JOIN scan_files f USING (file_id) WHERE p.page_id = ?",
        (page_id,)).fetchone()
    if row is None:
        return None
    (pid, kind, sheet_id, form_page, status, reasons, answers, readings, measures, has_image,
     source, source_page, duplicate_of, printed_id, file_id, unmarked) = row
    return PageInfo(pid, kind, sheet_id, form_page, status, reasons_of(reasons),
                    mapping_of(answers), mapping_of(readings), measures_of(measures),
                    bool(has_image), source, source_page, duplicate_of, printed_id, file_id,
                    bool(unmarked))


def sheet_info(db: Db, sheet_id: str) -> SheetInfo | None:
    row = db.execute("SELECT s.status, s.reasons, p.unit_code, s.printed_id, s.copy_no "
                     "FROM sheets s JOIN printed_sheets p ON p.sheet_id = s.printed_id "
                     "WHERE s.sheet_id = ?", (sheet_id,)).fetchone()
    return SheetInfo(row[0], reasons_of(row[1]), *row[2:]) if row else None


def sheet_page_ids(db: Db, sheet_id: str) -> list[int]:
    """The pages that count for a sheet, in page order."""
    return [r[0] for r in db.execute(
        "SELECT page_id FROM pages WHERE sheet_id = ? AND duplicate_of IS NULL "
        "ORDER BY form_page", (sheet_id,))]


def sheet_readings(db: Db, sheet_id: str) -> list[dict[str, list[str]]]:
    """The doubtful readings of the pages that count for a sheet (q -> [doubt, likely])."""
    return [mapping_of(r[0]) for r in db.execute("SELECT readings FROM pages WHERE "
                                                 "sheet_id = ? AND duplicate_of IS NULL",
                                                 (sheet_id,))]


def text_inks(db: Db, page_ids: list[int]) -> dict[tuple[int, str], float]:
    """(page_id, text box) -> share of ink, for the boxes whose picture is kept."""
    return {(p, b): ink for p, b, ink in db.execute(
        f"SELECT page_id, box_id, ink FROM text_crops WHERE page_id IN ({marks(page_ids)})",
        page_ids)}


def history(db: Db, item: Item) -> list[Decision]:
    """Every decision on an item, undone ones included, oldest first."""
    return [Decision(*r) for r in db.execute(
        f"SELECT {_DECISION} FROM decisions WHERE {MATCH} ORDER BY decision_id",
        item.params)]


# -- decisions ------------------------------------------------------------------------
def log_decision(db: Db, item: Item, reviewer: str, action: str,
                 question: str | None, value: str | None, machine: str | None,
                 before: str | None = None, from_page: int | None = None) -> None:
    db.execute("INSERT INTO decisions (item_kind, item_key, action, question, value, machine, "
               "before, from_page, reviewer, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (*item.params, action, question, value, machine, before, from_page,
                reviewer, now()))


def last_decision(db: Db, item: Item) -> Decision | None:
    """An item's latest decision still standing."""
    row = db.execute(f"SELECT {_DECISION} FROM decisions WHERE {MATCH} AND undone_at IS NULL "
                     "ORDER BY decision_id DESC LIMIT 1", item.params).fetchone()
    return Decision(*row) if row else None


def mark_undone(db: Db, decision_id: int) -> None:
    db.execute("UPDATE decisions SET undone_at = ? WHERE decision_id = ?", (now(), decision_id))


def snapshot(db: Db, page_ids: list[int], sheet_ids: list[str],
             response_ids: tuple[str, ...] = (),
             boxes: tuple[tuple[str, str], ...] = ()) -> str:
    """The rows a decision is about to change (JSON), so that it can be undone; `boxes`:
    the (paper, comment box) whose typed comment it changes."""
    pages = [dict(zip(_SNAPSHOT_PAGE, r, strict=True)) for r in db.execute(
        f"SELECT {', '.join(_SNAPSHOT_PAGE)} FROM pages WHERE page_id IN ({marks(page_ids)})",
        page_ids)]
    sheets = [dict(zip(_SNAPSHOT_SHEET, r, strict=True)) for r in db.execute(
        f"SELECT {', '.join(_SNAPSHOT_SHEET)} FROM sheets "
        f"WHERE sheet_id IN ({marks(sheet_ids)})", sheet_ids)]
    missing = [s for s in sheet_ids if s not in {x["sheet_id"] for x in sheets}]
    responses = [dict(zip(_SNAPSHOT_RESPONSE, r, strict=True)) for r in db.execute(
        f"SELECT {', '.join(_SNAPSHOT_RESPONSE)} FROM responses "
        f"WHERE response_id IN ({marks(response_ids)})", response_ids)]
    comments = []
    for sheet_id, box_id in boxes:
        c = comment_of(db, sheet_id, box_id)
        comments.append({"sheet_id": sheet_id, "box_id": box_id, "was": None if c is None else
                         [c.state, c.text, list(c.themes), c.reviewer]})
    return json.dumps({"pages": pages, "sheets": sheets, "new_sheets": missing,
                       "responses": responses, "comments": comments})


def restore(db: Db, snap_text: str) -> None:
    """Put back the rows of a snapshot."""
    snap = json.loads(snap_text)
    # none counts while they are put back, so no two count for one sheet's page in between
    ids = [p["page_id"] for p in snap["pages"]]
    db.execute(f"UPDATE pages SET sheet_id = NULL WHERE page_id IN ({marks(ids)})", ids)
    for p in snap["pages"]:  # a snapshot made before version 4 has no reasons: its text has
        db.execute("UPDATE pages SET sheet_id = ?, form_page = ?, status = ?, flags = ?, "
                   "reasons = ?, duplicate_of = ?, answers = ?, readings = ?, "
                   "printed_id = COALESCE(?, printed_id) WHERE page_id = ?",
                   (p["sheet_id"], p["form_page"], p["status"], p["flags"],
                    p.get("reasons") or reasons_data(from_text(p["flags"])), p["duplicate_of"],
                    p["answers"], p["readings"], p.get("printed_id"), p["page_id"]))
    for s in snap["sheets"]:
        db.execute("UPDATE sheets SET status = ?, flags = ?, reasons = ?, updated_at = ? "
                   "WHERE sheet_id = ?",
                   (s["status"], s["flags"],
                    s.get("reasons") or reasons_data(from_text(s["flags"])),
                    now(), s["sheet_id"]))
    for sid in snap["new_sheets"]:
        db.execute("DELETE FROM sheets WHERE sheet_id = ?", (sid,))
    for r in snap.get("responses", []):
        set_response(db, r["response_id"], r["unit_code"], r["status"])
    for c in snap.get("comments", []):
        if c["was"] is None:
            drop_comment(db, c["sheet_id"], c["box_id"])
        else:
            state, text, themes, who = c["was"]
            set_comment(db, Comment(c["sheet_id"], c["box_id"], state, text, tuple(themes), who))


def set_sheet_status(db: Db, sheet_id: str, status: Status) -> None:
    db.execute("UPDATE sheets SET status = ?, updated_at = ? WHERE sheet_id = ?",
               (status, now(), sheet_id))


def set_page_status(db: Db, page_id: int, status: Status) -> None:
    db.execute("UPDATE pages SET status = ? WHERE page_id = ?", (status, page_id))


def retire_page(db: Db, page_id: int, replaced_by: int,
                reasons: list[Reason]) -> None:
    """A first scan a person replaced by a later one: kept, no longer counted."""
    db.execute("UPDATE pages SET sheet_id = NULL, duplicate_of = ?, status = ?, flags = ?, "
               "reasons = ? WHERE page_id = ?",
               (replaced_by, Status.REJECTED, to_text(reasons), reasons_data(reasons), page_id))


def count_page_as(db: Db, page_id: int, sheet_id: str, form_page: int,
                  status: Status, reasons: list[Reason]) -> None:
    """A second scan a person kept: it is now the page that counts for its sheet."""
    db.execute("UPDATE pages SET sheet_id = ?, form_page = ?, duplicate_of = NULL, status = ?, "
               "flags = ?, reasons = ? WHERE page_id = ?",
               (sheet_id, form_page, status, to_text(reasons), reasons_data(reasons), page_id))


def identify_page(db: Db, page_id: int, printed_id: str, form_page: int,
                  answers: dict[str, str], readings: dict[str, list[str]]) -> None:
    """A page whose printed sheet a person named, with the answers that stand for it (which
    paper it counts for, if any, is placed after)."""
    db.execute("UPDATE pages SET printed_id = ?, form_page = ?, answers = ?, readings = ? "
               "WHERE page_id = ?", (printed_id, form_page, mapping_text(answers),
                                     doubts_text(readings), page_id))

