"""What people wrote in the comment boxes, typed once by a person: the transcription queue
(every box with ink on a paper that may count, ok sheets included) and the typed comments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from . import Db, now

TYPED, NOTHING, UNREADABLE = "typed", "none", "unreadable"  # what a box turned out to hold
STATES = (TYPED, NOTHING, UNREADABLE)


class CommentProgress(NamedTuple):
    typed: int  # boxes a person has read
    inked: int  # boxes with ink on the papers that may count


@dataclass(frozen=True)
class Comment:
    sheet_id: str  # the paper's key
    box_id: str
    state: str  # one of STATES
    text: str = ""
    themes: tuple[str, ...] = ()  # values of the layout's improvement options it speaks of
    reviewer: str = ""


@dataclass(frozen=True)
class Waiting:
    """A comment box with ink, not typed yet."""
    sheet_id: str
    box_id: str
    page_id: int
    unit_code: str


# a box kept as a picture, on its page, with the unit of the sheet the page names
_BOXES = ("FROM text_crops t JOIN pages pg USING (page_id) "
          "LEFT JOIN printed_sheets pu ON pu.sheet_id = pg.printed_id")
_BOX = "pg.sheet_id, t.box_id, t.page_id, COALESCE(pu.unit_code, '')"  # a Waiting
# ... on the pages that count for a paper not rejected
_INKED = (f"{_BOXES} JOIN sheets s ON s.sheet_id = pg.sheet_id "
          "WHERE pg.duplicate_of IS NULL AND s.status != 'rejected'")
_TYPED = ("EXISTS (SELECT 1 FROM comments c WHERE c.sheet_id = pg.sheet_id "
          "AND c.box_id = t.box_id)")


def waiting(db: Db) -> list[Waiting]:
    """Every box still to type, by unit, paper and box."""
    return [Waiting(*r) for r in db.execute(
        f"SELECT {_BOX} {_INKED} AND NOT {_TYPED} "
        "ORDER BY pu.unit_code, pg.sheet_id, t.box_id")]


def typed_and_inked(db: Db) -> CommentProgress:
    """Boxes with ink on the papers that may count (the queue's whole length), and how many
    of them a person has read."""
    inked, typed = db.execute(f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN {_TYPED} THEN 1 "
                              f"ELSE 0 END), 0) {_INKED}").fetchone()
    return CommentProgress(int(typed), int(inked))


def box_page(db: Db, sheet_id: str, box_id: str) -> Waiting | None:
    """Where a paper's box is kept, whether typed or not."""
    row = db.execute(f"SELECT {_BOX} {_BOXES} WHERE pg.sheet_id = ? AND t.box_id = ? "
                     "AND pg.duplicate_of IS NULL", (sheet_id, box_id)).fetchone()
    return Waiting(*row) if row else None


def _comment(row) -> Comment:
    sid, box, state, text, themes, who = row
    return Comment(sid, box, state, text, tuple(t for t in themes.split("|") if t), who)


_COLUMNS = "sheet_id, box_id, state, text, themes, reviewer"


def comment_of(db: Db, sheet_id: str, box_id: str) -> Comment | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM comments WHERE sheet_id = ? AND box_id = ?",
                     (sheet_id, box_id)).fetchone()
    return _comment(row) if row else None


def all_comments(db: Db) -> dict[tuple[str, str], Comment]:
    """(paper, box) -> its comment, the whole campaign in one query."""
    return {(c.sheet_id, c.box_id): c for c in map(_comment, db.execute(
        f"SELECT {_COLUMNS} FROM comments"))}


def set_comment(db: Db, c: Comment) -> None:
    db.execute("DELETE FROM comments WHERE sheet_id = ? AND box_id = ?", (c.sheet_id, c.box_id))
    db.execute(f"INSERT INTO comments ({_COLUMNS}, typed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
               (c.sheet_id, c.box_id, c.state, c.text, "|".join(c.themes), c.reviewer, now()))


def drop_comment(db: Db, sheet_id: str, box_id: str) -> None:
    db.execute("DELETE FROM comments WHERE sheet_id = ? AND box_id = ?", (sheet_id, box_id))
