"""What a person decides on an item: an answer, a text, accepting or rejecting a sheet,
naming a page's sheet, keeping one of two scans, counting a photocopy apart; and undoing
it. Every decision is one transaction, logged with what the machine had read and a
snapshot of what it changed, so it can be undone.
"""

from __future__ import annotations

import re
import time

from phieu.forms import Layout
from phieu.forms import sheet_id as make_sheet_id
from phieu.forms.template import Template
from phieu.omr.vocabulary import (
    Code,
    Reason,
    Status,
    to_text,
)

from ..scan.papers import Arrival, place
from ..scan.recorded import complete_paper, make_room, update_sheet
from ..store import Db, Store
from ..store.answers import decided, machine_answers
from ..store.comments import NOTHING, TYPED, Comment, drop_comment, set_comment
from ..store.pages import is_printed, save_sheet, sheet_status
from ..store.papers import (
    copies,
    counted_pages,
    loose_blank_pages,
    place_page,
)
from ..store.review import (
    PageInfo,
    count_page_as,
    hold,
    identify_page,
    last_decision,
    mark_undone,
    release,
    restore,
    retire_page,
    set_page_status,
    set_sheet_status,
    sheet_info,
    sheet_readings,
    snapshot,
    text_inks,
)
from .items import Item, ItemKind, page_item, sheet_item
from .queue import CLAIM_SECONDS, holds
from .rows import decide_row
from .shared import (
    READ_ONLY,
    Reviewer,
    ReviewError,
    check_answer,
    log,
)
from .shown import page_of

# -- decisions ------------------------------------------------------------------


def decide(store: Store, template: Template, layout: Layout, item: Item, who: Reviewer,
           action: str, question: str = "", value: str = "") -> Item:
    """Carry out one decision; returns the item the reviewer continues with."""
    if store.read_only:
        raise ReviewError(503, READ_ONLY)
    with store.transaction() as db:
        holds(db, item, who)
        if action == "undo":
            return _undo(db, item, who, template)
        if item.kind == ItemKind.SHEET:
            return _decide_sheet(db, template, item, who, action, question, value)
        if item.kind == ItemKind.ROW:
            return decide_row(db, template, layout, item, who, action, question, value)
        if item.kind == ItemKind.PAGE:
            return _decide_page(db, template, item, who, action, question, value)
        raise ReviewError(400, "Mã mục không hợp lệ.")


def _decide_sheet(db: Db, template: Template, item: Item, who: Reviewer,
                  action: str, question: str, value: str) -> Item:
    sid = item.key
    if sheet_status(db, sid) is None:
        raise ReviewError(404, f"Không có phiếu {sid}.")
    machine = machine_answers(db, sid)
    if action == "answer":
        check_answer(template, question, value)
        log(db, item, who, "answer", question, value, machine.get(question, ""))
    elif action == "text":
        if question not in {t.id for t in template.text_boxes}:
            raise ReviewError(400, f"Không có ô ý kiến {question!r}.")
        if len(value) > 4000:
            raise ReviewError(400, "Ý kiến dài quá 4.000 ký tự.")
        before = snapshot(db, [], [], boxes=((sid, question),))
        text = value.strip()
        set_comment(db, Comment(sid, question, TYPED if text else NOTHING, text, (), who.name))
        log(db, item, who, "text", question, text, None, before)
    elif action == "second-scan":
        return _second_scan(db, item, who)
    elif action in ("accept", "reject"):
        pending = _undecided_doubts(db, template, sid)
        if action == "accept" and pending:
            raise ReviewError(409, "Còn câu chưa quyết định: " + ", ".join(pending) + ".")
        before = snapshot(db, [], [sid])
        status = Status.REVIEWED if action == "accept" else Status.REJECTED
        set_sheet_status(db, sid, status)
        log(db, item, who, action, None, status, None, before)
        release(db, item)
    else:
        raise ReviewError(400, f"Không làm được {action!r} với một phiếu.")
    return item


def _second_scan(db: Db, item: Item, who: Reviewer) -> Item:
    """A person says a paper counted as another copy of its printed sheet is a second scan of
    one of the others: it is set aside (not counted), saying so; undone like any decision."""
    key = item.key
    sheet = sheet_info(db, key)
    others = [k for k in copies(db, sheet.printed_id).values() if k != key]
    if not others:
        raise ReviewError(409, f"Phiếu {sheet.printed_id} chỉ có một bản: không có bản nào "
                               "khác để coi đây là bản quét lại.")
    before = snapshot(db, [], [key])
    save_sheet(db, key, Status.REJECTED, [*sheet.reasons,
                                          Reason(Code.DUPLICATE, sheet.printed_id)])
    log(db, item, who, "second-scan", None, Status.REJECTED, None, before)
    release(db, item)
    return item


def _undecided_doubts(db: Db, template: Template, sid: str) -> list[str]:
    """Doubtful questions of a sheet nobody has decided yet."""
    doubts = []
    for readings in sheet_readings(db, sid):
        doubts += list(readings)
    done = decided(db, sheet_item(sid), "answer")
    return [q for q in doubts if q not in done]


def _decide_page(db: Db, template: Template, item: Item, who: Reviewer,
                 action: str, question: str, value: str) -> Item:
    page_id = item.page_id
    page = page_of(db, page_id)
    flags = page.reasons
    if action == "reject":
        before = snapshot(db, [page_id], [])
        set_page_status(db, page_id, Status.REJECTED)
        log(db, item, who, "reject", None, Status.REJECTED, to_text(flags), before)
        release(db, item)
        return item
    if action == "identity":
        return _identify(db, template, page, flags, item, who, value)
    if action == "keep" and page.duplicate_of:
        return _keep(db, template, page, flags, item, who, value)
    raise ReviewError(400, f"Không làm được {action!r} với trang này.")


def _keep(db: Db, template: Template, page: PageInfo, flags: list[Reason],
          item: Item, who: Reviewer, value: str) -> Item:
    """A second scan: the first one stays (first), this one replaces it (second), or it is
    another paper with the same printed id, a respondent of its own (copy)."""
    page_id = page.page_id
    first = page_of(db, page.duplicate_of)
    sid = first.sheet_id
    rest = [f for f in flags if f.code != Code.DUPLICATE]
    if value == "copy" and page.printed_id:
        return _count_as_paper(db, template, page, page.printed_id, page.form_page,
                               rest, item, who, "keep", value, another_paper=True)
    before = snapshot(db, [page_id, first.page_id], [sid] if sid else [])
    if value == "first":
        set_page_status(db, page_id, Status.REJECTED)
    elif value == "second" and sid:
        retire_page(db, first.page_id, page_id,
                    [Reason(Code.DUPLICATE_REPLACED, first.printed_id or sid)])
        count_page_as(db, page_id, sid, first.form_page,
                      Status.FLAGGED if rest else Status.OK, rest)
        update_sheet(db, sid, template.pages)
        # logged on the sheet, where the reviewer goes on and may undo it
        log(db, sheet_item(sid), who, "keep", None, value, None, before, item.page_id)
        _move_claim(db, item, sheet_item(sid), who)
        return sheet_item(sid)
    else:
        raise ReviewError(400, "Chọn giữ bản quét thứ nhất (first), bản quét này (second), "
                               "hoặc tính là một phiếu khác (copy).")
    log(db, item, who, "keep", None, value, None, before)
    release(db, item)
    return item


def _arrival(db: Db, page: PageInfo, printed_id: str, form_page: int,
             answers: dict[str, str], doubtful: frozenset[str]) -> Arrival:
    """A stored page as placing it among its printed sheet's papers needs it."""
    written = frozenset(box for _, box in text_inks(db, [page.page_id]))
    return Arrival(printed_id, form_page, page.file_id, page.source_page,
                   page.unmarked and not doubtful, answers, doubtful, written)


def _count_as_paper(db: Db, template: Template, page: PageInfo, printed_id: str,
                    form_page: int, rest: list[Reason], item: Item, who: Reviewer,
                    action: str, value: str, another_paper: bool = False,
                    answers: dict[str, str] | None = None, readings: dict | None = None,
                    unknown: frozenset[str] = frozenset(), machine: str | None = None) -> Item:
    """Place a page a person named (or said is another paper) among its printed sheet's
    papers, as a scan would: counted for a paper, a second scan, or a blank form. Logged on
    the paper it joins (where the reviewer goes on) or on the page; undone with it.
    `unknown`: questions whose reading means nothing (the page was read as another)."""
    page_id = page.page_id
    answers = page.answers if answers is None else answers
    readings = page.readings if readings is None else readings
    arrival = _arrival(db, page, printed_id, form_page, answers,
                       frozenset(readings) | unknown)
    placed = place(db, arrival, template.pages, another_paper)
    # what the decision may change: this page, the paper's, and the sheet's empty pages
    blanks = [b.page_id for b in loose_blank_pages(db, printed_id)]
    weak = [placed.replaces] if placed.replaces is not None else []
    before = snapshot(db, [page_id, *blanks, *weak], [placed.key] if placed.key else [])
    identify_page(db, page_id, printed_id, form_page, answers, readings)
    if placed.key is None:
        if placed.second_scan_of is not None:
            place_page(db, page_id, None, placed.second_scan_of, Status.FLAGGED,
                       [*rest, Reason(Code.DUPLICATE, printed_id)])
        else:
            place_page(db, page_id, None, None, Status.SKIPPED,
                       [Reason(Code.BLANK_FORM, printed_id)])
        log(db, item, who, action, None, value, machine, before)
        return item
    make_room(db, placed, printed_id)
    place_page(db, page_id, placed.key, None, Status.FLAGGED if rest else Status.OK, rest)
    complete_paper(db, placed.key, printed_id, template.pages)
    # logged on the paper, where the reviewer goes on and may undo it
    log(db, sheet_item(placed.key), who, action, None, value, machine, before,
        item.page_id)
    _move_claim(db, item, sheet_item(placed.key), who)
    return sheet_item(placed.key)


def _identify(db: Db, template: Template, page: PageInfo, flags: list[Reason],
              item: Item, who: Reviewer, value: str) -> Item:
    m = re.fullmatch(r"\s*([A-Za-z0-9]{1,12})\s*[-/ ]\s*(\d{1,9})\s*(?:[/ ]\s*(\d{1,2}))?"
                     r"\s*(\+?)\s*", value or "")
    if not m:
        raise ReviewError(400, "Nhập mã đơn vị và số phiếu, ví dụ 18073-000041.")
    unit, serial = m.group(1), int(m.group(2))
    form_page = int(m.group(3) or 1)
    sid = make_sheet_id(unit, serial)
    if not is_printed(db, sid):
        raise ReviewError(422, f"Phiếu {sid} không có trong danh sách đã in của đợt khảo sát này.")
    if not 1 <= form_page <= template.pages:
        raise ReviewError(422, f"Phiếu chỉ có {template.pages} trang.")
    another = bool(m.group(4))  # a person says: another paper with that number (a photocopy)
    if not another and any(p.form_page == form_page for p in counted_pages(db, sid)):
        raise ReviewError(422, f"Phiếu {sid} (trang {form_page}) đã có bản quét khác; kiểm tra "
                               "lại số phiếu. Nếu đây là một tờ phiếu photo khác mang cùng số, "
                               f"nhập số kèm dấu +, ví dụ {sid}+.")
    rest = [f for f in flags if f.wording.group != "identity"]
    answers, readings = page.answers, page.readings
    here = {q.id for q in template.questions if q.page == form_page}
    unknown: frozenset[str] = frozenset()
    if set(answers) - here:  # read as another page of the form: its readings mean nothing
        answers, readings, unknown = {}, {}, frozenset(here)
        rest = [Reason(Code.READ_AS_OTHER_PAGE, str(form_page))]
    return _count_as_paper(db, template, page, sid, form_page, rest, item, who, "identity",
                           sid, another, answers=answers, readings=readings, unknown=unknown,
                           machine=to_text(flags))


def _move_claim(db: Db, old: Item, new: Item, who: Reviewer) -> None:
    release(db, old)
    hold(db, new, who.session, who.name, time.time() + CLAIM_SECONDS)


def _undo(db: Db, item: Item, who: Reviewer, template: Template) -> Item:
    """Take back the item's latest decision; an undone identity returns to its page."""
    last = last_decision(db, item)
    if last is None:
        raise ReviewError(409, "Không còn gì để hoàn tác ở mục này.")
    if last.before:
        restore(db, last.before)
    elif last.action == "text":  # typed before comments were kept apart: typed anew
        drop_comment(db, item.key, last.question)
    mark_undone(db, last.decision_id)
    # a page named or kept is logged on the paper it joined, saying which page it was
    if last.from_page is not None:
        back = page_item(last.from_page)
        _move_claim(db, item, back, who)
        return back
    return item
