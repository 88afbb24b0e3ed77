"""What the review page works on, as one typed reference: a flagged sheet (a paper, by its
key), a loose page (by its number), an imported row, or a comment box of a paper.

The store keeps it in two columns (`item_kind`, `item_key`); `str(item)` is its text on
the page and in requests (`s:18073-000041`, `p:12`, `r:online-…`, `t:18073-000041/y_kien`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ItemKind(StrEnum):
    SHEET = "s"
    PAGE = "p"
    ROW = "r"
    COMMENT = "t"


MATCH = "item_kind = ? AND item_key = ?"  # an item in a query, with Item.params


@dataclass(frozen=True)
class Item:
    kind: ItemKind
    key: str

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.key}"

    @property
    def params(self) -> tuple[str, str]:
        """The values MATCH asks for."""
        return self.kind.value, self.key

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
