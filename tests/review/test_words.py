"""The review page's words for every reason the reader gives about a question."""

from __future__ import annotations

import pytest

from phieu.forms.template import Template
from phieu.pipeline.review.words import QUESTION_REASONS, REASONS_VI, explain
from phieu.pipeline.summary import REASONS


@pytest.mark.parametrize("reason", QUESTION_REASONS)
def test_question_reasons_read_in_vietnamese_with_the_question(printed_reference, reason):
    template = Template.read(printed_reference / "template.json")
    q = next(q for q in template.questions if q.id == "q05")
    text = explain(f"{reason} q05", template)
    assert text.startswith(REASONS_VI[reason]) and q.text in text and "(q05)" in text
    assert any(ch in text for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")
    assert reason in REASONS  # and the scan summary says what it means


def test_a_misaligned_page_is_not_taken_for_a_misaligned_question(printed_reference):
    template = Template.read(printed_reference / "template.json")
    assert explain("page-misaligned", template) == REASONS_VI["page-misaligned"]
