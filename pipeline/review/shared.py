"""What every kind of item on the review page shares: the error a request gets, who
decides, the questions' numbers as printed, and the log of decisions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from phieu.forms import Layout
from phieu.forms.template import Template
from phieu.omr.vocabulary import Reason

from ..store import Db
from ..store.review import history, log_decision

if TYPE_CHECKING:
    from .items import Item


class ReviewError(Exception):
    """A request that cannot be done; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


READ_ONLY = ("Đợt khảo sát đang ở chế độ chỉ đọc (thư mục hoặc ổ đĩa không ghi được): xem "
             "được các mục, không ghi được quyết định.")


@dataclass(frozen=True)
class Reviewer:
    name: str
    session: str


def reason_texts(reasons: list[Reason]) -> list[str]:
    return [str(r) for r in reasons]


def question_numbers(layout: Layout) -> dict[str, str]:
    """Each question's number as the form prints it: section, then question (II.3)."""
    return layout.part_numbers


def item_history(db: Db, item: Item) -> list[dict]:
    """Every decision on an item, as the page lists them."""
    return [{"action": d.action,
             "question": d.question if d.from_page is None else f"trang {d.from_page}",
             "value": d.value,
             "machine": d.machine, "reviewer": d.reviewer, "at": d.decided_at,
             "undone": d.undone_at is not None} for d in history(db, item)]


def log(db: Db, item: Item, who: Reviewer, action: str, question: str | None,
        value: str | None, machine: str | None, before: str | None = None,
        from_page: int | None = None) -> None:
    log_decision(db, item, who.name, action, question, value, machine, before, from_page)


def check_answer(template: Template, qid: str, value: str) -> None:
    """Refuse a value that is not the question's (or several for a one-answer question)."""
    q = next((q for q in template.questions if q.id == qid), None)
    if q is None:
        raise ReviewError(400, f"Không có câu hỏi {qid!r}.")
    allowed = {o.value for o in q.options}
    parts = [v for v in value.split("|") if v] if value else []
    if any(v not in allowed for v in parts) or (q.kind == "single" and len(parts) > 1) or \
            len(set(parts)) != len(parts):
        raise ReviewError(400, f"Giá trị {value!r} không hợp lệ cho câu {qid}.")
