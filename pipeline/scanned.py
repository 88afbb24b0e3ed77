"""Scanned pages into the store, and the state of each sheet derived from its pages.

A page is stored exactly once (its file's content hash and its number);
a second scan of a sheet already stored is kept but flagged `duplicate
of <sheet_id>` and never counts; a sheet is `ok` only when every one of
its pages is present and read without doubt.
"""

from __future__ import annotations

import json
import sqlite3

from phieu.omr.vocabulary import Code, Kind, Reason, Status

from .reading import PageOutcome
from .store import Store, retried
from .store.pages import (
    PageRow,
    insert_page,
    is_printed,
    page_stored,
    primary_page,
    save_sheet,
    sheet_pages,
    sheet_status,
)


def update_sheet(db: sqlite3.Connection, sheet_id: str, form_pages: int) -> None:
    """Recompute a sheet's state from its pages, unless a person has decided it."""
    if sheet_status(db, sheet_id) in (Status.REVIEWED, Status.REJECTED):
        return
    pages = sheet_pages(db, sheet_id)
    flags: list[Reason] = []
    for _, page_reasons in pages:
        flags += [f for f in page_reasons if f not in flags]
    present = {p for p, _ in pages}
    flags += [Reason(Code.MISSING_PAGE, str(p)) for p in range(1, form_pages + 1)
              if p not in present]
    save_sheet(db, sheet_id, Status.FLAGGED if flags else Status.OK, flags)


def record_page(store: Store, file_id: int, o: PageOutcome, form_pages: int
                ) -> tuple[Status, list[Reason]]:
    """Store one page's outcome in one transaction; returns its status and reasons. When
    another station stores the same sheet's page at the same moment, the one that commits
    first counts and this one is recorded again as its second scan."""
    return retried(lambda: _record(store, file_id, o, form_pages))


def _record(store: Store, file_id: int, o: PageOutcome, form_pages: int
            ) -> tuple[Status, list[Reason]]:
    flags = list(o.flags)
    sheet_id = o.sheet_id
    duplicate_of = None
    with store.transaction() as db:
        if (done := page_stored(db, file_id, o.page_no)) is not None:
            return Status(done[0]), done[1]  # read at another station meanwhile
        if o.kind == Kind.FORM and sheet_id:
            if not is_printed(db, sheet_id):  # a QR or text naming a sheet never printed here
                flags.append(Reason(Code.UNKNOWN_SHEET, sheet_id))
                sheet_id = None
            elif o.form_page and (first := primary_page(db, sheet_id, o.form_page)):
                duplicate_of = first
                flags.append(Reason(Code.DUPLICATE, sheet_id))
                sheet_id = None
        if o.kind == Kind.BLANK:
            status = Status.SKIPPED
        else:
            status = Status.OK if o.kind == Kind.FORM and not flags else Status.FLAGGED
        insert_page(db, PageRow(
            file_id, o.page_no, o.kind, sheet_id, o.form_page, o.id_source, status,
            flags, json.dumps(o.answers) if o.kind == Kind.FORM else None,
            json.dumps(o.readings) if o.readings else None, o.measures, o.homography,
            o.rotation, o.image, duplicate_of), o.text_crops)
        if sheet_id:
            update_sheet(db, sheet_id, form_pages)
    return status, flags
