"""What the review page shows for an item: its pages or cells, its questions with what
the machine read and measured, its reasons and history."""

from __future__ import annotations

import numpy as np

from phieu.forms import Layout
from phieu.forms.template import Template
from phieu.omr import per_question
from phieu.omr.vocabulary import (
    Code,
    Kind,
    Reason,
)

from ..store import Db, Store
from ..store.answers import decided, machine_answers
from ..store.audit import is_audited
from ..store.comments import comment_of
from ..store.encoding import PAGE_PX_PER_PT
from ..store.pages import is_printed, named_pages_near, printed_with_serial
from ..store.papers import copies, counted_pages
from ..store.review import (
    PageInfo,
    page_info,
    sheet_info,
    sheet_page_ids,
    text_inks,
)
from .guess import REACH, as_typed, likely_sheet
from .items import Item, ItemKind, sheet_item
from .rows import row_detail
from .shared import (
    ReviewError,
    item_history,
    question_numbers,
    reason_texts,
)

# -- what a reviewer sees -------------------------------------------------------

def _needs_identity(reasons: list[Reason]) -> bool:
    """Whether a page waits for a person to name its sheet."""
    return any(r.wording.group == "identity" for r in reasons)


def page_of(db: Db, page_id: int) -> PageInfo:
    page = page_info(db, page_id)
    if page is None:
        raise ReviewError(404, f"Không có trang số {page_id}.")
    return page


def _questions(template: Template, layout: Layout, pages: list[PageInfo],
               answers: dict[str, str], decisions: dict[str, str]) -> list[dict]:
    scale = PAGE_PX_PER_PT  # where the options are on the stored picture
    out = []
    numbers = question_numbers(layout)
    by_page = {p.form_page: p for p in pages}
    measured: dict[int, tuple[dict[str, np.ndarray], dict[str, np.ndarray]]] = {
        p.form_page: (per_question(template, p.form_page, p.measures.fill),
                      per_question(template, p.form_page, p.measures.strong))
        for p in pages if p.measures is not None and p.form_page is not None}
    for q in template.questions:
        page = by_page.get(q.page)
        readings = page.readings if page else {}
        doubt, reading = readings.get(q.id, [None, ""])
        fill = strong = None
        if q.page in measured:
            fill = [round(float(v), 3) for v in measured[q.page][0][q.id]]
            strong = [round(float(v), 3) for v in measured[q.page][1][q.id]]
        b = q.box
        out.append({
            "id": q.id, "number": numbers.get(q.id, ""), "text": q.text, "kind": q.kind,
            "page": q.page, "doubt": doubt, "reading": reading,
            "machine": answers.get(q.id, ""), "decided": decisions.get(q.id),
            "box": [round(b.x_pt * scale), round(b.y_pt * scale), round(b.w_pt * scale),
                    round(b.h_pt * scale)],
            "options": [{"value": o.value, "label": o.label, "x": round(o.x_pt * scale),
                         "y": round(o.y_pt * scale), "r": round(o.r_pt * scale, 1),
                         "fill": fill[k] if fill else None,
                         "strong": strong[k] if strong else None}
                        for k, o in enumerate(q.options)],
        })
    return out


def detail(store: Store, template: Template, layout: Layout, item: Item) -> dict:
    """Everything the page shows for one item."""
    db = store.db
    if item.kind == ItemKind.ROW:
        return row_detail(db, template, layout, item)
    units = {u.code: u.name for u in layout.units}
    texts_by_id = {q.id: q.text for q in layout.questions if q.kind == "text"}
    if item.kind == ItemKind.SHEET:
        sid = item.key
        sheet = sheet_info(db, sid)
        if sheet is None:
            raise ReviewError(404, f"Không có phiếu {sid}.")
        status, reasons, unit = sheet.status, sheet.reasons, sheet.unit_code
        page_ids = sheet_page_ids(db, sid)
        pages = [page_of(db, p) for p in page_ids]
        typed = {tb.id: comment_of(db, sid, tb.id) for tb in template.text_boxes}
        crops = text_inks(db, page_ids)
        by_page = {p.form_page: p for p in pages}
        return {
            "item": str(item), "kind": "sheet", "sheet_id": sheet.printed_id,
            "copy": sheet.copy_no,
            "papers": len(copies(db, sheet.printed_id)), "unit": unit,
            "unit_name": units.get(unit, ""), "status": status, "flags": reason_texts(reasons + (
                [Reason(Code.AUDIT)] if is_audited(db, sid) else [])),
            "pages": [_public_page(p) for p in pages],
            "questions": _questions(template, layout, pages, machine_answers(db, sid),
                                    decided(db, item, "answer")),
            "texts": [{"id": tb.id, "label": texts_by_id.get(tb.id, tb.text),
                       "page_id": by_page[tb.page].page_id if tb.page in by_page else None,
                       "has_image": (by_page[tb.page].page_id, tb.id) in crops
                       if tb.page in by_page else False,
                       "text": typed[tb.id].text if typed[tb.id] else ""}
                      for tb in template.text_boxes],
            "history": item_history(db, item),
        }
    if item.kind != ItemKind.PAGE:
        raise ReviewError(400, "Mã mục không hợp lệ.")
    page = page_of(db, item.page_id)
    if page.sheet_id:  # identified since: the sheet is the item now
        return detail(store, template, layout, sheet_item(page.sheet_id))
    out = {"item": str(item), "kind": "page", "page": _public_page(page),
           "flags": reason_texts(page.reasons), "status": page.status,
           "needs_identity": page.kind == Kind.FORM and _needs_identity(
               page.reasons),
           "questions": _questions(template, layout, [page], page.answers,
                                   {}) if page.kind == Kind.FORM else [],
           "history": item_history(db, item), "pages_per_sheet": template.pages}
    if out["needs_identity"]:
        out["suggested"] = _suggested(db, page, template.pages)
    if page.duplicate_of:
        first = page_of(db, page.duplicate_of)
        out["first"] = _public_page(first)
        out["first_sheet"] = first.printed_id or first.sheet_id
        paper = sheet_info(db, first.sheet_id) if first.sheet_id else None
        out["first_copy"] = paper.copy_no if paper else None
    return out


def _suggested(db: Db, page: PageInfo, pages_per_sheet: int) -> str | None:
    """The id a page with no readable number most likely carries, from the pages scanned
    around it, when that sheet's page is printed and not scanned yet."""
    def free(printed_id: str, form_page: int) -> bool:
        return is_printed(db, printed_id) and not any(
            p.form_page == form_page for p in counted_pages(db, printed_id))

    near = named_pages_near(db, page.file_id, page.source_page, REACH)
    guess = likely_sheet(page.source_page, near, pages_per_sheet,
                         lambda serial: printed_with_serial(db, serial), free)
    return as_typed(guess, pages_per_sheet) if guess else None


def _public_page(p: PageInfo) -> dict:
    return {"page_id": p.page_id, "form_page": p.form_page, "kind": p.kind,
            "image": f"/img/page/{p.page_id}.jpg" if p.has_image else None,
            "source": p.source, "source_page": p.source_page,
            "answers": p.answers}
