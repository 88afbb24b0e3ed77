"""Scanned pages into the store, and the state of each sheet derived from its pages.

A page is stored exactly once (its file's content hash and its number).
Which paper it counts for is decided in `papers`: a second scan of a paper
already stored is kept but flagged `duplicate of <sheet_id>` and never counts,
another paper with the same printed id (a photocopy) is a respondent of its
own, a form with no mark is a blank form. A paper is `ok` only when every one
of its pages is present and read without doubt.
"""

from __future__ import annotations

from dataclasses import dataclass

from phieu.omr.vocabulary import NO_CODE, NO_ID, Code, Kind, Reason, Status

from ..store import Db, Store, retried
from ..store.pages import (
    PageRow,
    insert_page,
    page_stored,
    printed_coded,
    save_sheet,
    sheet_pages,
    sheet_status,
)
from ..store.papers import add_paper, place_page
from .papers import Arrival, Placement, blank_pages_to_take, place
from .reading import PageOutcome


def update_sheet(db: Db, sheet_id: str, form_pages: int) -> None:
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


@dataclass(frozen=True)
class Recorded:
    """What became of a page: its status and reasons, and which paper it counts for."""
    status: Status
    reasons: list[Reason]
    copy_no: int | None = None  # the paper of its printed sheet it counts for
    blank_form: bool = False  # a form with no mark, counting for nothing


def record_page(store: Store, file_id: int, o: PageOutcome, form_pages: int,
                campaign_code: str) -> Recorded:
    """Store one page's outcome in one transaction; returns what became of it. When
    another station stores the same sheet's page at the same moment, the one that commits
    first counts and this one is placed again knowing it (a second scan, or another
    paper)."""
    return retried(lambda: _record(store, file_id, o, form_pages, campaign_code))


def make_room(db: Db, placed: Placement, printed_id: str) -> None:
    """Before a page takes its place: the paper it starts, and the empty page it takes the
    place of set aside as a blank form again."""
    if placed.new:
        add_paper(db, printed_id, placed.copy_no)
    if placed.replaces is not None:
        place_page(db, placed.replaces, None, None, Status.SKIPPED,
                   [Reason(Code.BLANK_FORM, printed_id)])


def complete_paper(db: Db, key: str, printed_id: str, form_pages: int) -> None:
    """After a page joined a paper: the blank forms it takes in for the pages it lacks, and
    its state worked out again."""
    for page_id in blank_pages_to_take(db, key, printed_id, form_pages):
        place_page(db, page_id, key, None, Status.OK, [])
    update_sheet(db, key, form_pages)


def _identity_doubt(db: Db, o: PageOutcome, campaign_code: str
                    ) -> Reason | None:
    """Why a page naming a sheet cannot be that sheet of this campaign, if it cannot."""
    if o.campaign_code and o.campaign_code != campaign_code:
        return Reason(Code.OTHER_CAMPAIGN, o.campaign_code)
    coded = printed_coded(db, o.sheet_id)
    if coded is None:  # a QR or text naming a sheet never printed here
        return Reason(Code.UNKNOWN_SHEET, o.sheet_id)
    if coded and not o.campaign_code:  # a form of an earlier release: not this campaign's
        return Reason(Code.OTHER_CAMPAIGN, NO_CODE)
    return None


def arrival(o: PageOutcome, file_id: int) -> Arrival:
    """A page just read, as placing it needs it."""
    return Arrival(o.sheet_id, o.form_page, file_id, o.page_no, o.unmarked, o.answers,
                   frozenset(o.readings), frozenset(o.text_crops))


def _record(store: Store, file_id: int, o: PageOutcome, form_pages: int, campaign_code: str
            ) -> Recorded:
    flags = list(o.flags)
    key = printed = duplicate_of = copy_no = None
    with store.transaction() as db:
        if (done := page_stored(db, file_id, o.page_no)) is not None:
            return Recorded(Status(done[0]), done[1])  # read at another station meanwhile
        if o.kind == Kind.FORM and o.sheet_id:
            if (doubt := _identity_doubt(db, o, campaign_code)) is not None:
                flags.append(doubt)
            elif o.form_page and 1 <= o.form_page <= form_pages:
                printed = o.sheet_id
                placed = place(db, arrival(o, file_id), form_pages)
                key, duplicate_of, copy_no = placed.key, placed.second_scan_of, placed.copy_no
                make_room(db, placed, printed)
                if duplicate_of is not None:
                    flags.append(Reason(Code.DUPLICATE, printed))
                elif placed.blank_form:
                    flags = [Reason(Code.BLANK_FORM, printed)]
        elif o.kind == Kind.FORM and o.unmarked:  # a blank form whose number is unreadable
            flags = [Reason(Code.BLANK_FORM, NO_ID)]
        if o.kind == Kind.BLANK or (o.kind == Kind.FORM and o.unmarked and key is None):
            status = Status.SKIPPED
        else:
            status = Status.OK if o.kind == Kind.FORM and not flags else Status.FLAGGED
        insert_page(db, PageRow(
            file_id, o.page_no, o.kind, key, o.form_page, o.id_source, status,
            flags, o.answers if o.kind == Kind.FORM else None, o.readings, o.measures,
            o.homography,
            o.rotation, o.image, duplicate_of, printed, o.unmarked), o.text_crops)
        if key:
            complete_paper(db, key, printed, form_pages)
    return Recorded(status, flags, copy_no, status == Status.SKIPPED and o.kind == Kind.FORM)
