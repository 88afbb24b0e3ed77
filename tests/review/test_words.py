"""Every reason phieu can give has its words, and its stored text reads back as the same
reason (the export's `flags` column is a contract)."""

from __future__ import annotations

import pytest

from phieu.forms.template import Template
from phieu.omr.vocabulary import (
    QUESTION_CODES,
    WORDS,
    Code,
    Reason,
    Status,
    for_script,
    from_text,
    to_text,
)
from phieu.pipeline.review.words import explain

ABOUT = {"question": "q05", "identity": "18073-000041", "sheet": "18073-000041", "page": "2"}


@pytest.mark.parametrize("code", list(Code))
def test_every_reason_has_words_and_reads_back(code):
    w = WORDS[code]
    assert any(ord(ch) > 127 for ch in w.vi), f"{code}: no Vietnamese wording (diacritics)"
    assert w.en and w.group in ("question", "identity", "page", "sheet")
    about = ABOUT[w.group] if "{}" in w.text else ""
    if code == Code.OTHER:
        about = "a reason written by an older phieu"
    reason = Reason(code, about)
    assert Reason.parse(str(reason)) == reason
    assert script_words()[code.value] == w.vi


def script_words() -> dict:
    return for_script()["reasons"]


def test_the_export_text_is_unchanged():
    """The texts the export has always written, made from data."""
    made = to_text([Reason(Code.MULTIPLE_MARKS, "q07"), Reason(Code.DUPLICATE, "18073-000041"),
                    Reason(Code.MISSING_PAGE, "2"), Reason(Code.NOT_A_FORM),
                    Reason(Code.UNKNOWN_SHEET, "18073-000999"),
                    Reason(Code.UNREADABLE_PAGE, "broken JPEG"),
                    Reason(Code.OTHER_SURVEY, "dak-nong-sxd-2023")])
    assert made == ("multiple-marks q07; duplicate of 18073-000041; missing page 2; "
                    "not a phieu form; unknown sheet 18073-000999 (not printed for this "
                    "campaign); unreadable page: broken JPEG; other survey: dak-nong-sxd-2023")
    assert [r.code for r in from_text(made)] == [
        Code.MULTIPLE_MARKS, Code.DUPLICATE, Code.MISSING_PAGE, Code.NOT_A_FORM,
        Code.UNKNOWN_SHEET, Code.UNREADABLE_PAGE, Code.OTHER_SURVEY]
    replaced = Reason.parse("duplicate of 18073-000041 (replaced)")
    assert replaced == Reason(Code.DUPLICATE_REPLACED, "18073-000041")


def test_a_page_of_no_such_number_is_its_own_reason():
    """It once summarised as 'page: page'."""
    r = Reason.parse("page 3 is not a page of this form")
    assert r == Reason(Code.NOT_IN_FORM, "3") and r.wording.group == "identity"


@pytest.mark.parametrize("code", sorted(QUESTION_CODES))
def test_question_reasons_read_in_vietnamese_with_the_question(printed_reference, code):
    template = Template.read(printed_reference / "template.json")
    q = next(q for q in template.questions if q.id == "q05")
    text = explain(Reason(code, "q05"), template)
    assert text.startswith(WORDS[code].vi) and q.text in text and "(q05)" in text


def test_a_misaligned_page_is_not_taken_for_a_misaligned_question(printed_reference):
    template = Template.read(printed_reference / "template.json")
    assert explain(Reason.parse("page-misaligned"), template) == WORDS[Code.PAGE_MISALIGNED].vi


def test_statuses_have_vietnamese_words():
    assert set(for_script()["statuses"]) == {s.value for s in Status}


def test_a_quoted_cell_is_a_field_of_its_reason_and_reads_the_same_as_before():
    """An imported answer that is none of the options keeps its question and the cell apart;
    its text (the export's flags) is what it always was, and reasons kept by earlier
    releases, as text or as data, come back with the cell apart too."""
    from phieu.omr.vocabulary import Code, Reason, from_text, to_text
    from phieu.pipeline.store.encoding import reasons_data, reasons_of

    mine = [Reason(Code.NOT_AN_OPTION, "q01", "Tuyệt vời"), Reason(Code.UNKNOWN_UNIT, cell=""),
            Reason(Code.UNKNOWN_UNIT, "(không có cột đơn vị)"), Reason(Code.FAINT_MARK, "q03")]
    assert to_text(mine) == ("not an option q01 'Tuyệt vời'; unknown unit (trống); unknown unit "
                             "(không có cột đơn vị); faint-mark q03")
    assert reasons_of(reasons_data(mine)) == mine
    assert from_text(to_text(mine)) == mine
    earlier = '[["not-an-option", "q01 \'Tuyệt vời\'"], ["unknown-unit", "(trống)"]]'
    assert reasons_of(earlier) == mine[:2]
