"""Reasons for doubt in plain Vietnamese, as the review page shows them (wording from the
vocabulary; here only how a reason names its question)."""

from __future__ import annotations

from phieu.forms.template import Template
from phieu.omr.vocabulary import Code, Reason, quoted_cell


def explain(reason: Reason, template: Template) -> str:
    """One reason in Vietnamese, naming the question or sheet it is about."""
    texts = {q.id: q.text for q in template.questions}
    words = reason.wording.vi
    written = "" if reason.cell is None else quoted_cell(reason.cell)
    if reason.question in texts:
        return f"{words}: {texts[reason.question]} ({reason.question})" + (
            f" — ghi: {written}" if written else "")
    if reason.cell is not None:
        return f"{words}: " + " ".join(x for x in (reason.about, written) if x)
    if reason.code == Code.OTHER:
        return reason.message or ""
    return f"{words}: {reason.about}" if reason.about else words
