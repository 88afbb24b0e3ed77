"""Scanned pages into the store, and the state of each sheet derived from its pages.

A page is stored exactly once (its file's content hash and its number);
a second scan of a sheet already stored is kept but flagged `duplicate
of <sheet_id>` and never counts; a sheet is `ok` only when every one of
its pages is present and read without doubt.
"""

from __future__ import annotations

import json
import sqlite3

from phieu.omr.vocabulary import Code, Kind, Reason, Status, from_text, to_text

from .reading import PageOutcome
from .store import Store, now


def known_file(store: Store, sha256: str) -> tuple[int, int | None, str | None] | None:
    row = store.db.execute("SELECT file_id, pages, error FROM scan_files WHERE sha256 = ?",
                           (sha256,)).fetchone()
    return tuple(row) if row else None


def add_file(store: Store, sha256: str, path: str, pages: int | None, error: str | None) -> int:
    with store.transaction() as db:
        row = db.execute("SELECT file_id FROM scan_files WHERE sha256 = ?", (sha256,)).fetchone()
        if row:
            db.execute("UPDATE scan_files SET pages = ?, error = ? WHERE file_id = ?",
                       (pages, error, row[0]))
            return row[0]
        return db.execute(
            "INSERT INTO scan_files (sha256, path, pages, error, added_at) VALUES (?, ?, ?, ?, ?)",
            (sha256, path, pages, error, now())).lastrowid


def pages_done(store: Store, file_id: int) -> set[int]:
    return {r[0] for r in store.db.execute("SELECT page_no FROM pages WHERE file_id = ?",
                                           (file_id,))}


def _primary_page(db: sqlite3.Connection, sheet_id: str, form_page: int) -> int | None:
    row = db.execute(
        "SELECT page_id FROM pages WHERE sheet_id = ? AND form_page = ? AND duplicate_of IS NULL",
        (sheet_id, form_page)).fetchone()
    return row[0] if row else None


def update_sheet(db: sqlite3.Connection, sheet_id: str, form_pages: int) -> None:
    """Recompute a sheet's state from its pages, unless a person has decided it."""
    row = db.execute("SELECT status FROM sheets WHERE sheet_id = ?", (sheet_id,)).fetchone()
    if row and row[0] in (Status.REVIEWED, Status.REJECTED):
        return
    pages = db.execute(
        "SELECT form_page, flags FROM pages WHERE sheet_id = ? AND duplicate_of IS NULL "
        "ORDER BY form_page", (sheet_id,)).fetchall()
    flags: list[Reason] = []
    for _, page_flags in pages:
        flags += [f for f in from_text(page_flags) if f not in flags]
    present = {p for p, _ in pages}
    flags += [Reason(Code.MISSING_PAGE, str(p)) for p in range(1, form_pages + 1)
              if p not in present]
    status = Status.FLAGGED if flags else Status.OK
    db.execute(
        "INSERT INTO sheets (sheet_id, status, flags, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (sheet_id) DO UPDATE SET status = excluded.status, flags = excluded.flags, "
        "updated_at = excluded.updated_at", (sheet_id, status, to_text(flags), now()))


def pictures_wanted(store: Store, file_id: int, page_no: int) -> list[tuple[int, str, int, str]]:
    """Flagged pages a person will look at that have no picture yet: this page, and the
    first scan of its sheet when this one is a second scan (shown side by side).
    Returns (page_id, path, page_no, homography)."""
    return store.db.execute(
        "WITH this AS (SELECT page_id, duplicate_of FROM pages WHERE file_id = ? AND page_no = ?) "
        "SELECT p.page_id, f.path, p.page_no, p.homography FROM pages p "
        "JOIN scan_files f USING (file_id) WHERE p.image IS NULL AND p.homography IS NOT NULL "
        "AND p.page_id IN (SELECT page_id FROM this UNION SELECT duplicate_of FROM this)",
        (file_id, page_no)).fetchall()


def set_picture(store: Store, page_id: int, jpeg: bytes) -> None:
    with store.transaction() as db:
        db.execute("UPDATE pages SET image = ? WHERE page_id = ?", (jpeg, page_id))


def record_page(store: Store, file_id: int, o: PageOutcome, form_pages: int
                ) -> tuple[Status, list[Reason]]:
    """Store one page's outcome in one transaction; returns its status and reasons."""
    flags = list(o.flags)
    sheet_id = o.sheet_id
    duplicate_of = None
    with store.transaction() as db:
        if o.kind == Kind.FORM and sheet_id:
            printed = db.execute("SELECT 1 FROM printed_sheets WHERE sheet_id = ?",
                                 (sheet_id,)).fetchone()
            if printed is None:  # a QR or text that names a sheet never printed here
                flags.append(Reason(Code.UNKNOWN_SHEET, sheet_id))
                sheet_id = None
            elif o.form_page and (first := _primary_page(db, sheet_id, o.form_page)):
                duplicate_of = first
                flags.append(Reason(Code.DUPLICATE, sheet_id))
                sheet_id = None
        if o.kind == Kind.BLANK:
            status = Status.SKIPPED
        else:
            status = Status.OK if o.kind == Kind.FORM and not flags else Status.FLAGGED
        page_id = db.execute(
            "INSERT INTO pages (file_id, page_no, kind, sheet_id, form_page, id_source, status, "
            "flags, answers, readings, measures, homography, rotation, image, duplicate_of, "
            "read_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (file_id, o.page_no, o.kind, sheet_id, o.form_page, o.id_source, status,
             to_text(flags), json.dumps(o.answers) if o.kind == Kind.FORM else None,
             json.dumps(o.readings) if o.readings else None, o.measures, o.homography,
             o.rotation, o.image, duplicate_of, now()),
        ).lastrowid
        db.executemany(
            "INSERT INTO text_crops (page_id, box_id, image, ink) VALUES (?, ?, ?, ?)",
            [(page_id, box, png, ink) for box, (png, ink) in o.text_crops.items()])
        if sheet_id:
            update_sheet(db, sheet_id, form_pages)
    return status, flags
