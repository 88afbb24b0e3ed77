"""The item a request names, parsed once where it comes in (the type is the store's)."""

from __future__ import annotations

import re

from ..store.items import Item, ItemKind, comment_item, page_item, row_item, sheet_item
from .shared import ReviewError

__all__ = ["Item", "ItemKind", "comment_item", "page_item", "parse_item", "row_item",
           "sheet_item"]

_PAPER = r"[A-Za-z0-9]{1,12}-\d{6,9}(?:\.\d{1,6})?"
_KEYS = {ItemKind.SHEET: re.compile(_PAPER),
         ItemKind.PAGE: re.compile(r"\d{1,12}"),
         ItemKind.ROW: re.compile(r"[a-z][a-z0-9-]{0,19}-[0-9a-f]{16}(?:-\d{1,6})?"),
         ItemKind.COMMENT: re.compile(rf"{_PAPER}/[A-Za-z0-9_]{{1,40}}")}


def parse_item(text: str) -> Item:
    """An item from its text; a request naming none is refused (400)."""
    kind, _, key = (text or "").partition(":")
    try:
        k = ItemKind(kind)
    except ValueError:
        raise ReviewError(400, "Mã mục không hợp lệ.") from None
    if not _KEYS[k].fullmatch(key):
        raise ReviewError(400, "Mã mục không hợp lệ.")
    return Item(k, key)
