"""The transcription queue: every comment box with ink, `ok` sheets included, typed once.

An item is a paper's box (`t:<paper>/<box>`). A coordinator is shown the box's
picture large, types what it says and goes on with Enter; a box with only
strokes is "no comment", one nobody can read is "unreadable". While typing,
the comment may be tagged with the improvement options of the layout's
several-box question, so the report can count what people ask for. Two
coordinators share the queue as they share flags (claims), and every
transcription is a logged decision that can be undone.
"""

from __future__ import annotations

from phieu.forms import Layout
from phieu.forms.template import Template

from ..store import Store
from ..store.comments import (
    STATES,
    TYPED,
    Comment,
    box_page,
    comment_of,
    set_comment,
    typed_and_inked,
    waiting,
)
from ..store.review import last_decision, mark_undone, release, restore, snapshot
from .items import Item, ItemKind, comment_item
from .queue import claim, claim_next, holds
from .shared import READ_ONLY, Reviewer, ReviewError, log

LONGEST = 4000  # characters in one comment


def _parts(item: Item, template: Template) -> tuple[str, str]:
    """The paper and the box a comment item is about; refused for another kind of item or a
    box the form does not have."""
    if item.kind != ItemKind.COMMENT or item.box not in {t.id for t in template.text_boxes}:
        raise ReviewError(400, "Mã ô ý kiến không hợp lệ.")
    return item.paper, item.box


def themes(layout: Layout) -> list[dict]:
    """The improvement options a comment may be tagged with (a digit each): those of the
    layout's several-box question."""
    q = next((q for q in layout.questions if q.kind == "multi"), None)
    return [{"key": str(i), "value": o.value, "label": o.label}
            for i, o in enumerate(q.options[:9], 1)] if q else []


def progress(store: Store) -> dict:
    done, total = typed_and_inked(store.db)
    return {"typed": done, "total": total, "left": total - done}


def next_comment(store: Store, who: Reviewer, after: Item | None = None) -> Item | None:
    """Claim the first box still to type after `after` that nobody else holds."""
    return claim_next(store, who, [comment_item(w.sheet_id, w.box_id)
                                   for w in waiting(store.db)], after)


def comment_detail(store: Store, template: Template, layout: Layout, item: Item) -> dict:
    """What the transcription page shows for one box."""
    sheet_id, box_id = _parts(item, template)
    where = box_page(store.db, sheet_id, box_id)
    if where is None:
        raise ReviewError(404, f"Không có ô ý kiến {box_id} trên phiếu {sheet_id}.")
    label = next((q.text for q in layout.questions if q.id == box_id), box_id)
    units = {u.code: u.name for u in layout.units}
    c = comment_of(store.db, sheet_id, box_id)
    return {"item": str(item), "sheet_id": sheet_id, "unit": where.unit_code,
            "unit_name": units.get(where.unit_code, ""), "label": label,
            "image": f"/img/text/{where.page_id}/{box_id}.png",
            "state": c.state if c else "", "text": c.text if c else "",
            "themes": list(c.themes) if c else []}


def save_comment(store: Store, template: Template, layout: Layout, item: Item, who: Reviewer,
                 state: str, text: str, picked: str) -> None:
    """Keep what a box says (typed text, no comment, or unreadable) and its themes."""
    sheet_id, box_id = _parts(item, template)
    if state not in STATES:
        raise ReviewError(400, f"Không rõ ô ý kiến này chứa gì ({state!r}).")
    text = text.strip() if state == TYPED else ""
    if state == TYPED and not text:
        raise ReviewError(400, "Chưa gõ ý kiến; ô chỉ có nét gạch thì chọn “Không có ý kiến”.")
    if len(text) > LONGEST:
        raise ReviewError(400, "Ý kiến dài quá 4.000 ký tự.")
    allowed = {t["value"] for t in themes(layout)}
    tags = tuple(v for v in picked.split("|") if v) if state == TYPED else ()
    if any(v not in allowed for v in tags) or len(set(tags)) != len(tags):
        raise ReviewError(400, f"Nội dung {picked!r} không có trong phiếu.")
    if store.read_only:
        raise ReviewError(503, READ_ONLY)
    with store.transaction() as db:
        holds(db, item, who)
        if box_page(db, sheet_id, box_id) is None:
            raise ReviewError(404, f"Không có ô ý kiến {box_id} trên phiếu {sheet_id}.")
        before = snapshot(db, [], [], boxes=((sheet_id, box_id),))
        set_comment(db, Comment(sheet_id, box_id, state, text, tags, who.name))
        log(db, item, who, "comment", state, text, "|".join(tags), before)
        release(db, item)


def undo_comment(store: Store, template: Template, item: Item, who: Reviewer) -> None:
    """Take back the latest transcription of a box: it is shown again, to type anew."""
    _parts(item, template)
    if store.read_only:
        raise ReviewError(503, READ_ONLY)
    claim(store, item, who)
    with store.transaction() as db:
        last = last_decision(db, item)
        if last is None:
            raise ReviewError(409, "Không còn gì để hoàn tác ở ô ý kiến này.")
        if last.before:
            restore(db, last.before)
        mark_undone(db, last.decision_id)

