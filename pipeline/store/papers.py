"""The papers of one printed sheet, as placing a newly read page needs them.

A respondent on paper is a paper, not a printed serial: the papers that carry
one printed sheet id (a photocopied form, a form printed twice) are its copies,
numbered in scan order, each a row of `sheets` under its own key. The first
copy's key is the sheet id itself, so a campaign without copies reads as it
always did. Pages that count for a copy point to its key; a page with no mark at
all that counts for no copy is a blank form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import NamedTuple

from phieu.omr.vocabulary import Reason, Status, to_text

from . import Db, marks, now
from .encoding import reasons_data


class CountedCopy(NamedTuple):
    key: str  # the paper's key
    unit_code: str
    printed_id: str


def paper_key(printed_id: str, copy_no: int) -> str:
    """The key a paper is stored under: its printed sheet id, and for a further copy that id
    with the copy's number (never taken apart again: the number is a column of its own)."""
    return printed_id if copy_no == 1 else f"{printed_id}.{copy_no}"


@dataclass(frozen=True)
class PaperPage:
    """A page of one of the printed sheet's papers, or a blank form of it."""
    page_id: int
    key: str | None  # the paper it counts for; None for a blank form not part of one
    copy_no: int | None
    form_page: int
    file_id: int
    page_no: int
    unmarked: bool  # no mark at all
    answers: dict[str, str]
    doubtful: frozenset[str]  # questions whose reading is in doubt
    written: frozenset[str]  # free-text boxes with writing in them


def _pages(db: Db, where: str, args: tuple) -> list[PaperPage]:
    rows = db.execute(
        "SELECT p.page_id, p.sheet_id, s.copy_no, p.form_page, p.file_id, p.page_no, "
        "p.unmarked, p.answers, p.readings FROM pages p LEFT JOIN sheets s USING (sheet_id) "
        f"WHERE {where} ORDER BY s.copy_no, p.form_page, p.page_id", args).fetchall()
    ids = [r[0] for r in rows]
    written: dict[int, set[str]] = {}
    for page_id, box in db.execute(
            f"SELECT page_id, box_id FROM text_crops WHERE page_id IN ({marks(ids)})", ids):
        written.setdefault(page_id, set()).add(box)
    return [PaperPage(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), json.loads(r[7] or "{}"),
                      frozenset(json.loads(r[8] or "{}")), frozenset(written.get(r[0], ())))
            for r in rows]


def counted_pages(db: Db, printed_id: str) -> list[PaperPage]:
    """The pages that count for the printed sheet's papers, by copy and page."""
    return _pages(db, "s.printed_id = ? AND p.duplicate_of IS NULL", (printed_id,))


def loose_blank_pages(db: Db, printed_id: str) -> list[PaperPage]:
    """Blank forms of the printed sheet: pages with no mark that count for no paper."""
    return _pages(db, "p.printed_id = ? AND p.sheet_id IS NULL AND p.unmarked = 1 "
                      "AND p.duplicate_of IS NULL", (printed_id,))


def copies(db: Db, printed_id: str) -> dict[int, str]:
    """copy number -> key of every paper of the printed sheet."""
    return dict(db.execute("SELECT copy_no, sheet_id FROM sheets WHERE printed_id = ? "
                           "ORDER BY copy_no", (printed_id,)))


def add_paper(db: Db, printed_id: str, copy_no: int) -> str:
    """A paper of the printed sheet (made if new; its state is worked out from its pages
    once they are stored); returns its key."""
    key = paper_key(printed_id, copy_no)
    db.execute("INSERT INTO sheets (sheet_id, printed_id, copy_no, status, updated_at) "
               "VALUES (?, ?, ?, ?, ?) ON CONFLICT (sheet_id) DO NOTHING",
               (key, printed_id, copy_no, Status.FLAGGED, now()))
    return key


def place_page(db: Db, page_id: int, key: str | None,
               duplicate_of: int | None, status: Status, reasons: list[Reason]) -> None:
    """Where a stored page stands among its printed sheet's papers: counted for the paper
    `key`, a second scan of page `duplicate_of`, or neither (a blank form)."""
    db.execute("UPDATE pages SET sheet_id = ?, duplicate_of = ?, status = ?, flags = ?, "
               "reasons = ? WHERE page_id = ?",
               (key, duplicate_of, status, to_text(reasons), reasons_data(reasons), page_id))


def counted_copies(db: Db) -> list[CountedCopy]:
    """Every paper counted beside others with the same printed id, by unit, serial and
    copy."""
    return [CountedCopy(*r) for r in db.execute(
        "SELECT s.sheet_id, p.unit_code, s.printed_id FROM sheets s JOIN printed_sheets p "
        "ON p.sheet_id = s.printed_id WHERE s.status IN (?, ?) AND s.printed_id IN "
        "(SELECT printed_id FROM sheets GROUP BY printed_id HAVING COUNT(*) > 1) "
        "ORDER BY p.unit_code, p.serial, s.copy_no", (Status.OK, Status.REVIEWED))]
