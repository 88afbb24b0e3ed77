"""What every request of the review app shares: the campaign it serves, a store connection
for the request, who is asking and what the request says."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from flask import current_app, request

from phieu.forms import Layout
from phieu.forms.template import Template

from ..served import StorePool
from .items import Item, parse_item
from .shared import Reviewer, ReviewError

SESSION_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@dataclass(frozen=True)
class Site:
    """The campaign a review app serves, and its page's CSRF token."""
    campaign_dir: Path
    layout: Layout
    template: Template
    stores: StorePool
    token: str


def site() -> Site:
    return current_app.extensions["phieu"]


def who() -> Reviewer:
    name = unquote(request.headers.get("X-Reviewer", "")).strip()
    session = request.headers.get("X-Session", "")
    if not name or len(name) > 60:
        raise ReviewError(400, "Nhập tên người duyệt (tối đa 60 ký tự).")
    if not SESSION_RE.match(session):
        raise ReviewError(400, "Phiên làm việc không hợp lệ; tải lại trang.")
    return Reviewer(name, session)


def body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ReviewError(400, "Yêu cầu phải là một đối tượng JSON.")
    for key, value in data.items():
        if not isinstance(value, str) or len(value) > 4000:
            raise ReviewError(400, f"Trường {key!r} phải là chuỗi ngắn.")
    return data


def item_named(data: dict, key: str = "item") -> Item:
    """The item a request names (refused when it names none, or none that can be)."""
    return parse_item(data.get(key, ""))


def item_or_none(data: dict, key: str = "after") -> Item | None:
    """The item a request names, or none when it names none (the first of a queue)."""
    return parse_item(data[key]) if data.get(key) else None
