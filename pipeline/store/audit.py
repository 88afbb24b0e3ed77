"""The audit (phúc tra): which sheets read with certainty were drawn to be checked again,
and what the checks found."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from phieu.omr.vocabulary import Status

from . import Db, Store, now
from .encoding import homography_of
from .items import ItemKind


class SheetOfUnit(NamedTuple):
    sheet_id: str
    unit_code: str


class AuditOutcome(NamedTuple):
    sheet_id: str
    status: str  # reviewed or rejected once checked; ok while waiting
    changed: int  # answers a person changed


class PageToDraw(NamedTuple):
    """A page whose picture is to be made again from its scan."""
    page_id: int
    path: str
    page_no: int  # in its file, from 1
    homography: np.ndarray


def unaudited_ok_sheets(store: Store) -> list[SheetOfUnit]:
    """Sheets read with certainty and not drawn yet, by sheet id."""
    return [SheetOfUnit(*r) for r in store.db.execute(
        "SELECT s.sheet_id, p.unit_code FROM sheets s JOIN printed_sheets p "
        "ON p.sheet_id = s.printed_id "
        "WHERE s.status = ? AND s.sheet_id NOT IN (SELECT sheet_id FROM audits) "
        "ORDER BY s.sheet_id", (Status.OK,))]


def ok_sheets_per_unit(store: Store) -> dict[str, int]:
    """Sheets read with certainty or already audited, per unit: what a share is taken of."""
    return dict(store.db.execute(
        "SELECT p.unit_code, COUNT(*) FROM sheets s JOIN printed_sheets p "
        "ON p.sheet_id = s.printed_id "
        "WHERE s.status = ? OR s.sheet_id IN (SELECT sheet_id FROM audits) GROUP BY 1",
        (Status.OK,)))


def audited_per_unit(store: Store) -> dict[str, int]:
    return dict(store.db.execute(
        "SELECT p.unit_code, COUNT(*) FROM audits a JOIN sheets s USING (sheet_id) "
        "JOIN printed_sheets p ON p.sheet_id = s.printed_id GROUP BY 1"))


def add_to_audit(store: Store, sheet_ids: list[str], share: float) -> None:
    with store.transaction() as db:
        db.executemany("INSERT INTO audits (sheet_id, share, drawn_at) VALUES (?, ?, ?) "
                       "ON CONFLICT (sheet_id) DO NOTHING",
                       [(sid, share, now()) for sid in sheet_ids])


def is_audited(db: Db, sheet_id: str) -> bool:
    return db.execute("SELECT 1 FROM audits WHERE sheet_id = ?",
                      (sheet_id,)).fetchone() is not None


def audit_waiting(db: Db) -> list[SheetOfUnit]:
    """Drawn sheets nobody has checked yet, by unit and serial."""
    return [SheetOfUnit(*r) for r in db.execute(
        "SELECT a.sheet_id, p.unit_code FROM audits a JOIN sheets s USING (sheet_id) "
        "JOIN printed_sheets p ON p.sheet_id = s.printed_id WHERE s.status = ? "
        "ORDER BY p.unit_code, p.serial, s.copy_no", (Status.OK,))]


def audit_outcomes(store: Store) -> list[AuditOutcome]:
    """Per drawn sheet: its status and how many answers a person changed. A checked sheet is
    `reviewed` (or `rejected`); a change is a question whose latest standing answer
    decision differs from what the machine read."""
    final: dict[tuple[str, str], bool] = {}
    for sid, question, value, machine in store.db.execute(
            "SELECT d.item_key, d.question, d.value, d.machine FROM decisions d JOIN audits a "
            "ON d.item_kind = ? AND d.item_key = a.sheet_id WHERE d.action = 'answer' "
            "AND d.undone_at IS NULL ORDER BY d.decision_id", (ItemKind.SHEET,)):
        final[(sid, question)] = (value or "") != (machine or "")
    changed: dict[str, int] = {}
    for (sid, _), differs in final.items():
        changed[sid] = changed.get(sid, 0) + differs
    return [AuditOutcome(sid, status, changed.get(sid, 0)) for sid, status in store.db.execute(
        "SELECT a.sheet_id, s.status FROM audits a JOIN sheets s USING (sheet_id) "
        "ORDER BY a.sheet_id")]


def pages_without_picture(store: Store) -> list[PageToDraw]:
    """Drawn sheets' pages with no picture yet."""
    return [PageToDraw(page_id, path, number, homography_of(h)) for page_id, path, number, h in
            store.db.execute(
        "SELECT pg.page_id, f.path, pg.page_no, pg.homography FROM audits a "
        "JOIN pages pg ON pg.sheet_id = a.sheet_id AND pg.duplicate_of IS NULL "
        "JOIN scan_files f USING (file_id) WHERE pg.image IS NULL "
        "AND pg.homography IS NOT NULL ORDER BY pg.page_id")]


def audited_sheets(store: Store) -> list[str]:
    return [r[0] for r in store.db.execute("SELECT sheet_id FROM audits ORDER BY sheet_id")]
