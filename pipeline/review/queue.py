"""The review queue: flagged items and who holds which.

An item (`items.Item`) is a flagged sheet, a flagged page that is not a
sheet of its own (identity unreadable, a second scan, not a form, an
unreadable page), or a flagged row imported from a web form or another
channel (a unit or an answer that is none of the layout's). A reviewer
holds an item for a while (a claim); no one else gets it meanwhile, and
only its holder can decide on it (`decisions`).
"""

from __future__ import annotations

import time

from phieu.forms.identity import unit_of
from phieu.omr.vocabulary import (
    Code,
    Reason,
)

from ..store import Db, Store
from ..store.audit import audit_waiting
from ..store.papers import (
    counted_copies,
)
from ..store.responses import flagged_responses
from ..store.review import (
    claim_of,
    extend,
    flagged_loose_pages,
    flagged_sheets,
    hold,
    release_others,
)
from .items import Item, page_item, row_item, sheet_item
from .shared import (
    Reviewer,
    ReviewError,
    reason_texts,
)

CLAIM_SECONDS = 600


def _codes(reasons: list[Reason]) -> list[str]:
    return sorted({r.code.value for r in reasons})


def _unit_of(reasons: list[Reason]) -> str:
    """A loose page's unit, when a reason names its sheet (a second scan, say)."""
    return next((unit_of(r.sheet) for r in reasons if r.sheet), "")


def queue(db: Db, reason: str = "") -> list[dict]:
    """Every flagged item, sheets first (by unit and serial), then loose pages, then
    imported rows, then the sheets drawn for the audit that nobody has checked yet. The
    papers counted beside others with the same printed id (photocopies) are listed only
    when asked for (`reason` copy): they need nobody, but a person may look."""
    items = []
    def add(item: Item, unit: str, reasons: list[Reason]) -> None:
        items.append({"item": item, "unit": unit, "flags": reason_texts(reasons),
                      "reasons": _codes(reasons)})

    for sid, unit, fl in flagged_sheets(db):
        add(sheet_item(sid), unit, fl)
    for page_id, fl in flagged_loose_pages(db):
        add(page_item(page_id), _unit_of(fl), fl)
    for rid, unit, fl in flagged_responses(db):
        add(row_item(rid), unit, fl)
    for sid, unit in audit_waiting(db):
        add(sheet_item(sid), unit, [Reason(Code.AUDIT)])
    if reason == Code.COPY:
        for key, unit, printed_id in counted_copies(db):
            add(sheet_item(key), unit, [Reason(Code.COPY, printed_id)])
    return items


def filtered(items: list[dict], unit: str = "", reason: str = "") -> list[dict]:
    return [i for i in items if (not unit or i["unit"] == unit)
            and (not reason or reason in i["reasons"])]


def counts(items: list[dict]) -> dict:
    by_reason: dict[str, int] = {}
    by_unit: dict[str, int] = {}
    for i in items:
        for r in i["reasons"]:
            by_reason[r] = by_reason.get(r, 0) + 1
        by_unit[i["unit"]] = by_unit.get(i["unit"], 0) + 1
    return {"left": len(items), "by_reason": by_reason, "by_unit": by_unit}


# -- claims -------------------------------------------------------------------
def claim(store: Store, item: Item, who: Reviewer) -> None:
    """Hold an item for a while; refused when someone else holds it. A campaign that cannot
    be written (read-only) is only looked at: nobody holds anything."""
    if store.read_only:
        return
    with store.transaction() as db:
        held = claim_of(db, item)
        if held and held.session != who.session and held.until > time.time():
            raise ReviewError(409, f"{held.reviewer} đang xem mục này; chọn mục khác.")
        release_others(db, who.session, item)
        hold(db, item, who.session, who.name, time.time() + CLAIM_SECONDS)


def holds(db: Db, item: Item, who: Reviewer) -> None:
    held = claim_of(db, item)
    if not held or held.session != who.session:
        holder = f"{held.reviewer} đang xem mục này" if held and held.until > time.time() \
            else "Mục này chưa được mở để duyệt"
        raise ReviewError(409, f"{holder}; tải lại trang để tiếp tục.")
    extend(db, item, time.time() + CLAIM_SECONDS)


def next_item(store: Store, who: Reviewer, after: Item | None = None, unit: str = "",
              reason: str = "") -> Item | None:
    """Claim the first item after `after` that nobody else holds (wrapping around)."""
    return claim_next(store, who, [i["item"] for i in
                                   filtered(queue(store.db, reason), unit, reason)], after)


def claim_next(store: Store, who: Reviewer, items: list[Item],
               after: Item | None) -> Item | None:
    """Claim the first of `items` after `after` (wrapping around) that nobody else holds."""
    if after in items:
        k = items.index(after) + 1
        items = items[k:] + items[:k]
    for item in items:
        if item == after:
            continue
        try:
            claim(store, item, who)
            return item
        except ReviewError:
            continue
    return None
