"""Scan files and the pages read from them: what `phieu scan` writes, what review shows."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from phieu.omr.vocabulary import Code, Kind, Reason, Status, to_text

from . import Db, Store, now, retried
from .encoding import (
    Measures,
    doubts_text,
    homography_of,
    homography_text,
    mapping_of,
    mapping_text,
    measures_blob,
    measures_of,
    reasons_data,
    reasons_of,
)


class KnownFile(NamedTuple):
    file_id: int
    pages: int | None  # None until the file has been opened
    error: str | None  # why no page of it opens, if none does


class PageReasons(NamedTuple):
    page: int  # its page number (in its file, or of the form: as the function says)
    reasons: list[Reason]


class NamedPage(NamedTuple):
    """A page of a scan file whose printed sheet is known."""
    page_no: int  # in its file, from 1
    printed_id: str
    form_page: int
    serial: int  # the printed sheet's


class ReplacedScan(NamedTuple):
    path: str
    page_no: int
    homography: np.ndarray | None
    image: bytes | None  # its picture, if one was kept


@dataclass(frozen=True)
class PageRow:
    """One page read, as the store takes it (how it is kept: `encoding`)."""
    file_id: int
    page_no: int
    kind: str
    sheet_id: str | None
    form_page: int | None
    id_source: str
    status: str
    reasons: list[Reason]
    answers: dict[str, str] | None  # None: not a page of the form
    readings: dict[str, list[str]] | None  # the doubtful ones: q -> [doubt, likely]
    measures: Measures | None
    homography: np.ndarray | None
    rotation: int
    image: bytes | None
    duplicate_of: int | None
    printed_id: str | None = None  # the printed sheet the page names, counted or not
    unmarked: bool = False  # no mark at all


def known_file(store: Store, sha256: str) -> KnownFile | None:
    """A file already given, by its content."""
    row = store.db.execute("SELECT file_id, pages, error FROM scan_files WHERE sha256 = ?",
                           (sha256,)).fetchone()
    return KnownFile(*row) if row else None


WHOLE_FILE = 0  # the page number of the row that stands for a file no page of which opens


def add_file(store: Store, sha256: str, path: str, pages: int | None, error: str | None) -> int:
    """The file's id, by its content; given at two stations at once, still one file. A file
    that cannot be opened (`error`) is kept as one flagged row, so it is accounted for in
    the export and on the review page like any page that could not be read."""
    def once() -> int:
        with store.transaction() as db:
            row = db.execute("SELECT file_id FROM scan_files WHERE sha256 = ?",
                             (sha256,)).fetchone()
            if row:
                file_id = row[0]
                db.execute("UPDATE scan_files SET pages = ?, error = ? WHERE file_id = ?",
                           (pages, error, file_id))
            else:
                file_id = db.execute(
                    "INSERT INTO scan_files (sha256, path, pages, error, added_at) "
                    "VALUES (?, ?, ?, ?, ?) RETURNING file_id",
                    (sha256, path, pages, error, now())).fetchone()[0]
            if error and page_stored(db, file_id, WHOLE_FILE) is None:
                reasons = [Reason(Code.UNREADABLE_PAGE, error)]
                insert_page(db, PageRow(file_id, WHOLE_FILE, Kind.ERROR, None, None, "",
                                        Status.FLAGGED, reasons, None, None, None, None, 0,
                                        None, None), {})
            return file_id

    return retried(once)


def pages_done(store: Store, file_id: int) -> set[int]:
    return {r[0] for r in store.db.execute("SELECT page_no FROM pages WHERE file_id = ?",
                                           (file_id,))}


def error_pages(store: Store, file_id: int) -> list[PageReasons]:
    """A file's pages that could not be decoded (by their page number in the file)."""
    return [PageReasons(n, reasons_of(r)) for n, r in store.db.execute(
        "SELECT page_no, reasons FROM pages WHERE file_id = ? AND kind = ?", (file_id, Kind.ERROR))]


def page_stored(db: Db, file_id: int, page_no: int
                ) -> tuple[str, list[Reason]] | None:
    """(status, reasons) of a file's page already stored (by another station, say)."""
    row = db.execute("SELECT status, reasons FROM pages WHERE file_id = ? AND page_no = ?",
                     (file_id, page_no)).fetchone()
    return (row[0], reasons_of(row[1])) if row else None


def named_pages_near(db: Db, file_id: int, page_no: int, reach: int) -> list[NamedPage]:
    """The pages of a file within `reach` of `page_no` whose printed sheet is known (printed
    for the campaign), by page number (blank backs and unread pages between them are left
    out)."""
    return [NamedPage(*r) for r in db.execute(
        "SELECT p.page_no, p.printed_id, p.form_page, s.serial FROM pages p "
        "JOIN printed_sheets s ON s.sheet_id = p.printed_id WHERE p.file_id = ? "
        "AND p.page_no BETWEEN ? AND ? AND p.page_no != ? AND p.form_page IS NOT NULL "
        "ORDER BY p.page_no", (file_id, page_no - reach, page_no + reach, page_no))]


def printed_with_serial(db: Db, serial: int) -> str | None:
    """The sheet printed with a serial (serials run on across a campaign's units)."""
    rows = db.execute("SELECT sheet_id FROM printed_sheets WHERE serial = ? LIMIT 2",
                      (serial,)).fetchall()
    return rows[0][0] if len(rows) == 1 else None


def is_printed(db: Db, sheet_id: str) -> bool:
    return db.execute("SELECT 1 FROM printed_sheets WHERE sheet_id = ?",
                      (sheet_id,)).fetchone() is not None


def printed_coded(db: Db, sheet_id: str) -> bool | None:
    """Whether a printed sheet carries the campaign's code (printed by a release that puts
    it on every sheet); None when no such sheet was printed here."""
    row = db.execute("SELECT r.coded FROM printed_sheets p JOIN print_runs r USING (run) "
                     "WHERE p.sheet_id = ?", (sheet_id,)).fetchone()
    return None if row is None else bool(row[0])


def sheet_pages(db: Db, sheet_id: str) -> list[PageReasons]:
    """The pages that count for a sheet (by their page of the form), in page order."""
    return [PageReasons(p, reasons_of(r)) for p, r in db.execute(
        "SELECT form_page, reasons FROM pages WHERE sheet_id = ? AND duplicate_of IS NULL "
        "ORDER BY form_page", (sheet_id,))]


def sheet_status(db: Db, sheet_id: str) -> str | None:
    row = db.execute("SELECT status FROM sheets WHERE sheet_id = ?", (sheet_id,)).fetchone()
    return row[0] if row else None


def save_sheet(db: Db, sheet_id: str, status: str,
               reasons: list[Reason]) -> None:
    db.execute(  # a sheet first met here is the first paper of its printed sheet
        "INSERT INTO sheets (sheet_id, printed_id, status, flags, reasons, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sheet_id) DO UPDATE SET status = "
        "excluded.status, flags = excluded.flags, reasons = excluded.reasons, "
        "updated_at = excluded.updated_at",
        (sheet_id, sheet_id, status, to_text(reasons), reasons_data(reasons), now()))


def insert_page(db: Db, row: PageRow, crops: dict[str, tuple[bytes, float]]
                ) -> int:
    """Store a page and the pictures of its free-text boxes; returns its page id."""
    page_id = db.execute(
        "INSERT INTO pages (file_id, page_no, kind, sheet_id, form_page, id_source, status, "
        "flags, reasons, answers, readings, measures, homography, rotation, image, "
        "duplicate_of, printed_id, unmarked, read_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING page_id",
        (row.file_id, row.page_no, row.kind, row.sheet_id, row.form_page, row.id_source,
         row.status, to_text(row.reasons), reasons_data(row.reasons), mapping_text(row.answers),
         doubts_text(row.readings), measures_blob(row.measures),
         homography_text(row.homography), row.rotation, row.image, row.duplicate_of,
         row.printed_id or row.sheet_id, int(row.unmarked), now())).fetchone()[0]
    db.executemany("INSERT INTO text_crops (page_id, box_id, image, ink) VALUES (?, ?, ?, ?)",
                   [(page_id, box, png, ink) for box, (png, ink) in crops.items()])
    return page_id


def pictures_wanted(store: Store, file_id: int, page_no: int
                    ) -> list[tuple[int, str, int, np.ndarray]]:
    """Flagged pages a person will look at that have no picture yet: this page, and the
    first scan of its sheet when this one is a second scan (shown side by side).
    Returns (page_id, path, page_no, homography)."""
    return [(page_id, path, number, homography_of(h)) for page_id, path, number, h in
            store.db.execute(
        "WITH this AS (SELECT page_id, duplicate_of FROM pages WHERE file_id = ? AND page_no = ?) "
        "SELECT p.page_id, f.path, p.page_no, p.homography FROM pages p "
        "JOIN scan_files f USING (file_id) WHERE p.image IS NULL AND p.homography IS NOT NULL "
        "AND p.page_id IN (SELECT page_id FROM this UNION SELECT duplicate_of FROM this)",
        (file_id, page_no))]


def set_picture(store: Store, page_id: int, jpeg: bytes) -> None:
    with store.transaction() as db:
        db.execute("UPDATE pages SET image = ? WHERE page_id = ?", (jpeg, page_id))


def page_picture(store: Store, page_id: int) -> bytes | None:
    """The straightened page a person looks at (JPEG), if one was kept."""
    row = store.db.execute("SELECT image FROM pages WHERE page_id = ?", (page_id,)).fetchone()
    return row[0] if row else None


def text_picture(store: Store, page_id: int, box_id: str) -> bytes | None:
    """The picture of what was written in a free-text box (PNG)."""
    row = store.db.execute("SELECT image FROM text_crops WHERE page_id = ? AND box_id = ?",
                           (page_id, box_id)).fetchone()
    return row[0] if row else None


def page_counts(store: Store) -> dict[str, int]:
    """Pages stored per kind (form, blank, foreign, error)."""
    return dict(store.db.execute("SELECT kind, COUNT(*) FROM pages GROUP BY 1"))


def files(store: Store) -> dict[str, int]:
    """Path as first given -> file id, for every scan file."""
    return {path: fid for fid, path in store.db.execute("SELECT file_id, path FROM scan_files")}


def page_kinds(store: Store, file_id: int) -> dict[int, str]:
    """Page number -> kind, for one file's pages."""
    return dict(store.db.execute("SELECT page_no, kind FROM pages WHERE file_id = ?",
                                 (file_id,)))


def blank_form_pages(store: Store, file_id: int) -> set[int]:
    """Page numbers of a file's pages kept as blank forms (no mark, counting for nothing)."""
    return {r[0] for r in store.db.execute(
        "SELECT page_no FROM pages WHERE file_id = ? AND unmarked = 1 AND sheet_id IS NULL",
        (file_id,))}


def replaced_scans(store: Store) -> list[ReplacedScan]:
    """Each first scan a second scan points to."""
    return [ReplacedScan(path, number, homography_of(h), image) for path, number, h, image in
            store.db.execute(
        "SELECT f.path, p.page_no, p.homography, p.image FROM pages p JOIN scan_files f "
        "USING (file_id) WHERE p.page_id IN (SELECT duplicate_of FROM pages)")]


def page_row(db: Db, page_id: int) -> PageRow:
    """A stored page as a row to store again (a benchmark copies one to fill a queue)."""
    cols = ("file_id", "page_no", "kind", "sheet_id", "form_page", "id_source", "status",
            "reasons", "answers", "readings", "measures", "homography", "rotation", "image",
            "duplicate_of", "printed_id", "unmarked")
    row = list(db.execute(f"SELECT {', '.join(cols)} FROM pages WHERE page_id = ?",
                          (page_id,)).fetchone())
    row[7] = reasons_of(row[7])
    row[8] = None if row[8] is None else mapping_of(row[8])
    row[9] = mapping_of(row[9]) if row[9] else None
    row[10], row[11] = measures_of(row[10]), homography_of(row[11])
    return PageRow(*row)


def count_pages_read_only(path) -> int:
    """Pages stored, read without opening the store for writing (while a scan runs)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        return db.execute("SELECT COUNT(*) FROM pages").fetchone()[0]
    finally:
        db.close()


def page_status(db: Db, page_id: int) -> str | None:
    row = db.execute("SELECT status FROM pages WHERE page_id = ?", (page_id,)).fetchone()
    return row[0] if row else None
