"""Sheets as the export and the reports read them: per sheet, per unit, in bulk."""

from __future__ import annotations

from phieu.omr.vocabulary import Kind, Status

from . import Store, marks


def sheets_with_status(store: Store, statuses: tuple[Status, ...]
                       ) -> list[tuple[str, str, str]]:
    """(sheet_id, unit_code, status) of every sheet in one of `statuses`."""
    return store.db.execute(
        "SELECT s.sheet_id, p.unit_code, s.status FROM sheets s JOIN printed_sheets p "
        f"USING (sheet_id) WHERE s.status IN ({marks(statuses)})", statuses).fetchall()


def sheets_per_unit_and_status(store: Store, statuses: tuple[Status, ...]
                               ) -> list[tuple[str, str, int]]:
    """(unit_code, status, sheets) for the given statuses."""
    return store.db.execute(
        "SELECT p.unit_code, s.status, COUNT(*) FROM sheets s JOIN printed_sheets p "
        f"USING (sheet_id) WHERE s.status IN ({marks(statuses)}) GROUP BY 1, 2",
        statuses).fetchall()


def printed_per_unit(store: Store) -> dict[str, int]:
    return dict(store.db.execute("SELECT unit_code, COUNT(*) FROM printed_sheets GROUP BY 1"))


def returned_per_unit(store: Store) -> dict[str, int]:
    """Printed sheets that came back scanned, whatever became of them, per unit."""
    return dict(store.db.execute(
        "SELECT p.unit_code, COUNT(*) FROM sheets s JOIN printed_sheets p USING (sheet_id) "
        "GROUP BY 1"))


def handwriting_kept(store: Store) -> set[tuple[str, str]]:
    """(sheet_id, text box) whose writing is kept as a picture, on the pages that count."""
    return set(store.db.execute(
        "SELECT pg.sheet_id, t.box_id FROM text_crops t JOIN pages pg USING (page_id) "
        "WHERE pg.sheet_id IS NOT NULL AND pg.duplicate_of IS NULL"))


def export_sheets(store: Store) -> list[tuple[str, str, int, str, str, str | None, int | None]]:
    """Per sheet, by unit and serial: sheet_id, unit, serial, status, reasons, and the file
    and page number of its first page that counts."""
    return store.db.execute(
        "SELECT s.sheet_id, p.unit_code, p.serial, s.status, s.flags, f.path, pg.page_no "
        "FROM sheets s JOIN printed_sheets p USING (sheet_id) "
        "LEFT JOIN pages pg ON pg.page_id = (SELECT page_id FROM pages WHERE sheet_id = "
        "s.sheet_id AND duplicate_of IS NULL ORDER BY form_page LIMIT 1) "
        "LEFT JOIN scan_files f ON f.file_id = pg.file_id "
        "ORDER BY p.unit_code, p.serial").fetchall()


def loose_pages(store: Store) -> list[tuple[str, int, str, str, str | None]]:
    """Pages that are no sheet of their own and not blank: file, page number, status,
    reasons, answers (JSON)."""
    return store.db.execute(
        "SELECT f.path, pg.page_no, pg.status, pg.flags, pg.answers FROM pages pg "
        "JOIN scan_files f USING (file_id) WHERE pg.sheet_id IS NULL AND pg.kind != ? "
        "ORDER BY f.file_id, pg.page_no", (Kind.BLANK,)).fetchall()


def flagged_loose_pages_count(store: Store) -> int:
    """Pages waiting for a person that are no sheet's: their unit is not known yet."""
    return store.db.execute("SELECT COUNT(*) FROM pages WHERE sheet_id IS NULL AND status = ?",
                            (Status.FLAGGED,)).fetchone()[0]


def status_counts(store: Store) -> dict[str, int]:
    """Sheets per status, the whole campaign."""
    return dict(store.db.execute("SELECT status, COUNT(*) FROM sheets GROUP BY 1"))


def printed_sheets(store: Store, limit: int | None = None) -> list[tuple[str, str, int]]:
    """(sheet_id, unit_code, serial) of printed sheets, in serial order."""
    rows = store.db.execute("SELECT sheet_id, unit_code, serial FROM printed_sheets "
                            "ORDER BY serial")
    return rows.fetchall() if limit is None else rows.fetchmany(limit)


def unscanned_sheets(store: Store) -> list[str]:
    """Printed sheets nothing has been scanned of yet, in serial order."""
    return [r[0] for r in store.db.execute(
        "SELECT sheet_id FROM printed_sheets WHERE sheet_id NOT IN (SELECT sheet_id FROM sheets) "
        "ORDER BY serial")]
