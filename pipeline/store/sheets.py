"""Sheets as the export and the reports read them: per sheet, per unit, in bulk."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import NamedTuple

from phieu.omr.vocabulary import Kind, Status

from . import Store, marks

# a paper and the printed sheet it carries (itself, or the sheet a copy was made of)
_PAPER = "sheets s JOIN printed_sheets p ON p.sheet_id = s.printed_id"


class PrintedSheet(NamedTuple):
    sheet_id: str
    unit_code: str
    serial: int


def sheets_with_status(store: Store, statuses: tuple[Status, ...]
                       ) -> list[tuple[str, str, str]]:
    """(paper key, unit_code, status) of every paper in one of `statuses`."""
    return store.db.execute(
        f"SELECT s.sheet_id, p.unit_code, s.status FROM {_PAPER} "
        f"WHERE s.status IN ({marks(statuses)})", statuses).fetchall()


def sheets_per_unit_and_status(store: Store, statuses: tuple[Status, ...]
                               ) -> list[tuple[str, str, int]]:
    """(unit_code, status, papers) for the given statuses."""
    return store.db.execute(
        f"SELECT p.unit_code, s.status, COUNT(*) FROM {_PAPER} "
        f"WHERE s.status IN ({marks(statuses)}) GROUP BY 1, 2", statuses).fetchall()


def printed_per_unit(store: Store) -> dict[str, int]:
    return dict(store.db.execute("SELECT unit_code, COUNT(*) FROM printed_sheets GROUP BY 1"))


def returned_per_unit(store: Store) -> dict[str, int]:
    """Papers that came back scanned, whatever became of them, per unit: each copy of a
    printed sheet is one (so more may return than were printed); a blank form is none."""
    return dict(store.db.execute(f"SELECT p.unit_code, COUNT(*) FROM {_PAPER} GROUP BY 1"))


def copies_per_unit(store: Store) -> dict[str, int]:
    """Papers beyond the first with a printed sheet's id (photocopied forms), per unit."""
    return dict(store.db.execute(
        f"SELECT p.unit_code, COUNT(*) FROM {_PAPER} WHERE s.copy_no > 1 GROUP BY 1"))


def blank_forms_per_unit(store: Store) -> dict[str, int]:
    """Printed sheets scanned with no mark at all (and not as part of a paper), per unit:
    accounted for, never returned."""
    return dict(store.db.execute(
        "SELECT p.unit_code, COUNT(DISTINCT pg.printed_id) FROM pages pg JOIN printed_sheets p "
        "ON p.sheet_id = pg.printed_id WHERE pg.unmarked = 1 AND pg.sheet_id IS NULL "
        "AND pg.duplicate_of IS NULL GROUP BY 1"))


def handwriting_kept(store: Store) -> set[tuple[str, str]]:
    """(sheet_id, text box) whose writing is kept as a picture, on the pages that count."""
    return set(store.db.execute(
        "SELECT pg.sheet_id, t.box_id FROM text_crops t JOIN pages pg USING (page_id) "
        "WHERE pg.sheet_id IS NOT NULL AND pg.duplicate_of IS NULL"))


@dataclass(frozen=True)
class PaperRow:
    """A paper as the export lists it."""
    key: str
    sheet_id: str  # the printed sheet it carries
    copy_no: int
    unit_code: str
    serial: int
    status: str
    flags: str
    source: str | None  # the file and page number of its first page that counts
    source_page: int | None


def export_sheets(store: Store) -> list[PaperRow]:
    """Every paper, by unit, serial and copy."""
    return [PaperRow(*r) for r in store.db.execute(
        "SELECT s.sheet_id, s.printed_id, s.copy_no, p.unit_code, p.serial, s.status, s.flags, "
        f"f.path, pg.page_no FROM {_PAPER} "
        "LEFT JOIN pages pg ON pg.page_id = (SELECT page_id FROM pages WHERE sheet_id = "
        "s.sheet_id AND duplicate_of IS NULL ORDER BY form_page LIMIT 1) "
        "LEFT JOIN scan_files f ON f.file_id = pg.file_id "
        "ORDER BY p.unit_code, p.serial, s.copy_no")]


@dataclass(frozen=True)
class LoosePage:
    """A page that counts for no paper, and is no blank back."""
    source: str
    source_page: int
    status: str
    flags: str
    answers: dict[str, str]
    unit_code: str  # of the printed sheet it names, when it is a blank form ("" otherwise)


def loose_pages(store: Store) -> list[LoosePage]:
    """Pages that are no paper's and not blank backs, by file and page: second scans,
    blank forms, pages of unknown sheets, pages that are no form or do not decode."""
    return [LoosePage(path, n, status, flags, json.loads(answers or "{}"), unit or "")
            for path, n, status, flags, answers, unit in store.db.execute(
                "SELECT f.path, pg.page_no, pg.status, pg.flags, pg.answers, "
                "CASE WHEN pg.unmarked = 1 THEN p.unit_code END FROM pages pg "
                "JOIN scan_files f USING (file_id) "
                "LEFT JOIN printed_sheets p ON p.sheet_id = pg.printed_id "
                "WHERE pg.sheet_id IS NULL AND pg.kind != ? ORDER BY f.file_id, pg.page_no",
                (Kind.BLANK,))]


def flagged_loose_pages_count(store: Store) -> int:
    """Pages waiting for a person that are no sheet's: their unit is not known yet."""
    return store.db.execute("SELECT COUNT(*) FROM pages WHERE sheet_id IS NULL AND status = ?",
                            (Status.FLAGGED,)).fetchone()[0]


def status_counts(store: Store) -> dict[str, int]:
    """Papers per status, the whole campaign."""
    return dict(store.db.execute("SELECT status, COUNT(*) FROM sheets GROUP BY 1"))


def printed_sheets(store: Store, limit: int | None = None) -> list[PrintedSheet]:
    """Printed sheets, in serial order."""
    rows = store.db.execute("SELECT sheet_id, unit_code, serial FROM printed_sheets "
                            "ORDER BY serial")
    return [PrintedSheet(*r) for r in (rows.fetchall() if limit is None
                                        else rows.fetchmany(limit))]


def unscanned_sheets(store: Store) -> list[str]:
    """Printed sheets no paper of which has been scanned yet, in serial order."""
    return [r[0] for r in store.db.execute(
        "SELECT sheet_id FROM printed_sheets WHERE sheet_id NOT IN "
        "(SELECT printed_id FROM sheets) ORDER BY serial")]
