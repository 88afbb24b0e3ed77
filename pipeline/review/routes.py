"""The review app's pages and their requests: the flagged items, the comment queue, and the
pictures and font they show."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request

from phieu.omr.vocabulary import WORDS, Code, Reason, for_script

from ..served import store
from ..store.pages import page_picture, text_picture
from .comments import (
    comment_detail,
    next_comment,
    progress,
    save_comment,
    themes,
    undo_comment,
)
from .decisions import decide
from .items import Item
from .queue import claim, counts, filtered, next_item
from .queue import queue as all_items
from .shared import ReviewError
from .shown import detail
from .site import body, item_named, item_or_none, site, who
from .words import explain

pages = Blueprint("review", __name__)


# -- the flagged items ------------------------------------------------------------------
@pages.get("/")
def index() -> str:
    s = site()
    units = [(u.code, u.name) for u in s.layout.units]
    return render_template("index.html", token=s.token, title=s.layout.title,
                           campaign=s.campaign_dir.name, units=units,
                           reasons={c.value: w.vi for c, w in WORDS.items() if c != Code.OTHER},
                           vocabulary=for_script())


def _state(item: Item | None, unit: str = "", reason: str = "") -> dict:
    """The item shown (with its reasons in words) and what is left, filtered and in all."""
    s = site()
    items = filtered(all_items(store().db, reason), unit, reason)
    shown = detail(store(), s.template, s.layout, item) if item else None
    if shown:
        shown["reasons_vi"] = [explain(Reason.parse(f), s.template) for f in shown["flags"]]
    return {"item": shown, "counts": counts(items), "all": counts(all_items(store().db))}


@pages.get("/api/queue")
def api_queue():
    unit, reason = request.args.get("unit", ""), request.args.get("reason", "")
    items = filtered(all_items(store().db, reason), unit, reason)
    return jsonify(counts=counts(items), items=[{**i, "item": str(i["item"])}
                                                for i in items[:1000]])


@pages.post("/api/next")
def api_next():
    data, person = body(), who()
    unit, reason = data.get("unit", ""), data.get("reason", "")
    item = next_item(store(), person, item_or_none(data), unit, reason)
    return jsonify(_state(item, unit, reason))


@pages.post("/api/open")
def api_open():
    data, person = body(), who()
    item = item_named(data)
    detail(store(), site().template, site().layout, item)  # exists?
    claim(store(), item, person)
    return jsonify(_state(item, data.get("unit", ""), data.get("reason", "")))


@pages.post("/api/decide")
def api_decide():
    data, person = body(), who()
    item = decide(store(), site().template, site().layout, item_named(data), person,
                  data.get("action", ""), data.get("question", ""), data.get("value", ""))
    return jsonify(_state(item, data.get("unit", ""), data.get("reason", "")))


# -- the comment queue --------------------------------------------------------------------
@pages.get("/comments")
def comments_page() -> str:
    """The transcription queue: every comment box with ink, typed once."""
    s = site()
    return render_template("comments.html", token=s.token, title=s.layout.title,
                           campaign=s.campaign_dir.name, themes=themes(s.layout))


def _comment_state(item: Item | None) -> dict:
    shown = comment_detail(store(), site().template, site().layout, item) if item else None
    return {"item": shown, "progress": progress(store())}


@pages.post("/api/comments/next")
def api_comment_next():
    data, person = body(), who()
    return jsonify(_comment_state(next_comment(store(), person, item_or_none(data))))


@pages.post("/api/comments/open")
def api_comment_open():
    data, person = body(), who()
    item = item_named(data)
    comment_detail(store(), site().template, site().layout, item)  # exists?
    claim(store(), item, person)
    return jsonify(_comment_state(item))


@pages.post("/api/comments/save")
def api_comment_save():
    data, person = body(), who()
    item = item_named(data)
    save_comment(store(), site().template, site().layout, item, person,
                 data.get("state", ""), data.get("text", ""), data.get("themes", ""))
    return jsonify(_comment_state(next_comment(store(), person, item)))


@pages.post("/api/comments/undo")
def api_comment_undo():
    data, person = body(), who()
    item = item_named(data)
    undo_comment(store(), site().template, item, person)
    return jsonify(_comment_state(item))


# -- pictures ----------------------------------------------------------------------------
@pages.get("/img/page/<int:page_id>.jpg")
def page_image(page_id: int) -> Response:
    jpeg = page_picture(store(), page_id)
    if jpeg is None:
        raise ReviewError(404, "Không có ảnh cho trang này.")
    return Response(jpeg, mimetype="image/jpeg",
                    headers={"Cache-Control": "private, max-age=3600"})


@pages.get("/img/text/<int:page_id>/<box_id>.png")
def text_image(page_id: int, box_id: str) -> Response:
    if box_id not in {t.id for t in site().template.text_boxes}:
        raise ReviewError(404, "Không có ô ý kiến này.")
    png = text_picture(store(), page_id, box_id)
    if png is None:
        raise ReviewError(404, "Không có ảnh ý kiến cho trang này.")
    return Response(png, mimetype="image/png")


@pages.get("/favicon.ico")
def favicon() -> Response:
    return Response(status=204)
