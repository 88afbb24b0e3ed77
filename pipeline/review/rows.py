"""Rows imported from a web form (or another channel) on the review page: the row's
cells stand where a sheet shows its pictures; a person chooses the unit and the answers
that were none of the options, accepts the row or sets it aside."""

from __future__ import annotations

from phieu.forms import Layout
from phieu.forms.template import Template
from phieu.omr.vocabulary import Code, Status, channel_words

from ..store import Db
from ..store.answers import decided
from ..store.responses import ResponseInfo, response_info, rows_of_channel, set_response
from ..store.review import release, snapshot
from .items import Item
from .shared import (
    Reviewer,
    ReviewError,
    check_answer,
    item_history,
    log,
    question_numbers,
    reason_texts,
)


def _response(db: Db, item: Item) -> ResponseInfo:
    info = response_info(db, item.key)
    if info is None:
        raise ReviewError(404, f"Không có câu trả lời {item.key}.")
    return info


def _not_options(info: ResponseInfo) -> dict[str, str]:
    """question -> what the row holds for it, for each answer that is none of the options."""
    out = {}
    for r in info.reasons:
        if r.code == Code.NOT_AN_OPTION and r.cell is not None and r.question:
            out[r.question] = r.cell
    return out


def _alike(db: Db, info: ResponseInfo, marked: set[str]) -> list[dict]:
    """Other rows of the channel holding the same cells as this one but the doubtful ones:
    most likely this row corrected in the form's export and imported again (counting both
    would count one person twice). Shown, never acted on: the person decides."""
    if not info.cells:
        return []
    kept = {h: v for h, v in info.cells.items() if v not in marked}
    # the store looks for the two longest cells (a timestamp, an id): a few rows, not all
    telling = dict(sorted(kept.items(), key=lambda hv: -len(hv[1]))[:2])
    return [{"source": source, "row_no": row_no, "status": status}
            for rid, source, row_no, status, cells in rows_of_channel(db, info.channel, telling)
            if rid != info.response_id and cells.keys() == info.cells.keys()
            and all(cells[h] == v for h, v in kept.items())]


def row_detail(db: Db, template: Template, layout: Layout, item: Item) -> dict:
    """Everything the page shows for an imported row."""
    info = _response(db, item)
    numbers, units = question_numbers(layout), {u.code: u.name for u in layout.units}
    doubts, decisions = _not_options(info), decided(db, item, "answer")
    marked = {*doubts.values(), *(r.cell for r in info.reasons
                                  if r.code == Code.UNKNOWN_UNIT and r.cell is not None)}
    return {
        "item": str(item), "kind": "response", "response_id": info.response_id,
        "channel": info.channel, "channel_vi": channel_words(info.channel),
        "source": info.source, "row_no": info.row_no, "unit": info.unit_code or "",
        "unit_name": units.get(info.unit_code or "", ""), "status": info.status,
        "flags": reason_texts(info.reasons), "cells": list(info.cells.items()),
        "marked": sorted(marked),  # the cells a reason quotes, for the page to mark
        "alike": _alike(db, info, marked),
        "questions": [{
            "id": q.id, "number": numbers.get(q.id, ""), "text": q.text, "kind": q.kind,
            "page": None, "box": None, "reading": "",
            "doubt": Code.NOT_AN_OPTION.value if q.id in doubts else None,
            "written": doubts.get(q.id, info.answers.get(q.id, "")),
            # "*": nothing taken from a cell that was no option (not a blank answer)
            "machine": "*" if q.id in doubts else info.answers.get(q.id, ""),
            "decided": decisions.get(q.id),
            "options": [{"value": o.value, "label": o.label, "fill": None} for o in q.options],
        } for q in template.questions],
        "history": item_history(db, item),
    }


def decide_row(db: Db, template: Template, layout: Layout, item: Item,
               who: Reviewer, action: str, question: str, value: str) -> Item:
    """An imported row: its unit, the answers that were none of the options, and whether it
    counts."""
    info = _response(db, item)
    rid = info.response_id
    if action == "answer":
        check_answer(template, question, value)
        log(db, item, who, "answer", question, value, info.answers.get(question, ""))
    elif action == "unit":
        if value not in {u.code for u in layout.units}:
            raise ReviewError(400, f"Không có đơn vị {value!r} trong mẫu phiếu.")
        before = snapshot(db, [], [], (rid,))
        set_response(db, rid, value, info.status)
        log(db, item, who, "unit", None, value, info.unit_code or "", before)
    elif action in ("accept", "reject"):
        if action == "accept":
            if info.unit_code is None:
                raise ReviewError(409, "Chưa chọn đơn vị cho câu trả lời này.")
            done = decided(db, item, "answer")
            pending = [q for q in _not_options(info) if q not in done]
            if pending:
                raise ReviewError(409, "Còn câu chưa quyết định: " + ", ".join(pending) + ".")
        status = Status.REVIEWED if action == "accept" else Status.REJECTED
        before = snapshot(db, [], [], (rid,))
        set_response(db, rid, info.unit_code, status)
        log(db, item, who, action, None, status, None, before)
        release(db, item)
    else:
        raise ReviewError(400, f"Không làm được {action!r} với một câu trả lời nhập từ tệp.")
    return item
