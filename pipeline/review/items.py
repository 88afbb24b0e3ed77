"""What the review page works on, as one typed reference: a flagged sheet (a paper, by its
key), a loose page (by its number), an imported row, or a comment box of a paper.

Parsed once where a request comes in; the store keeps it as the text `str(item)` gives
(`s:18073-000041`, `p:12`, `r:online-…`, `t:18073-000041/y_kien`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from .shared import ReviewError


class ItemKind(StrEnum):
    SHEET = "s"
    PAGE = "p"
    ROW = "r"
    COMMENT = "t"


_PAPER = r"[A-Za-z0-9]{1,12}-\d{6,9}(?:\.\d{1,6})?"
_KEYS = {ItemKind.SHEET: re.compile(_PAPER),
         ItemKind.PAGE: re.compile(r"\d{1,12}"),
         ItemKind.ROW: re.compile(r"[a-z][a-z0-9-]{0,19}-[0-9a-f]{16}(?:-\d{1,6})?"),
         ItemKind.COMMENT: re.compile(rf"{_PAPER}/[A-Za-z0-9_]{{1,40}}")}


@dataclass(frozen=True)
class Item:
    kind: ItemKind
    key: str

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.key}"

    @classmethod
    def parse(cls, text: str) -> Item:
        """An item from its text; a request naming none is refused (400)."""
        kind, _, key = (text or "").partition(":")
        try:
            k = ItemKind(kind)
        except ValueError:
            raise ReviewError(400, "Mã mục không hợp lệ.") from None
        if not _KEYS[k].fullmatch(key):
            raise ReviewError(400, "Mã mục không hợp lệ.")
        return cls(k, key)

    @property
    def page_id(self) -> int:
        return int(self.key)

    @property
    def paper(self) -> str:
        """The paper a sheet or comment item is about."""
        return self.key.partition("/")[0]

    @property
    def box(self) -> str:
        """A comment item's box."""
        return self.key.partition("/")[2]


def sheet_item(key: str) -> Item:
    return Item(ItemKind.SHEET, key)


def page_item(page_id: int) -> Item:
    return Item(ItemKind.PAGE, str(page_id))


def row_item(response_id: str) -> Item:
    return Item(ItemKind.ROW, response_id)


def comment_item(paper: str, box: str) -> Item:
    return Item(ItemKind.COMMENT, f"{paper}/{box}")
