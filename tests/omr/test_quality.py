"""The photo gate: which phone photos stand and which are taken again, and why."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pytest

from phieu.forms.template import Template
from phieu.omr import judge_photo, read_page
from phieu.samples.batch import foreign_page
from phieu.samples.capture import photograph, shrink
from tests.capture.phone import GOOD, sheet_photo


@pytest.fixture(scope="module")
def sheets(printed_reference):
    return Template.read(printed_reference / "template.json"), printed_reference / "forms.pdf"


def _judged(sheets, shot, index=1, **kw):
    template, pdf = sheets
    data, answers = sheet_photo(template, pdf, index, shot, **kw)
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    result = read_page(image, template)
    return judge_photo(image, result, template), result, answers


def _certain_and_right(result, answers) -> bool:
    return not result.doubts and all(result.answers[q] == answers[q] for q in result.answers)


def test_a_good_photo_stands(sheets):
    judged, result, answers = _judged(sheets, GOOD)
    assert judged.problems == [] and not judged.foreign
    assert _certain_and_right(result, answers)


def test_a_photo_near_a_limit_stands_when_the_reader_is_certain(sheets):
    """Dim (paper below the NEAR limit) or far (under the NEAR detail): the reader still
    reads it with certainty and right, and the clerk is not asked to take it again."""
    for shot, index in ((replace(GOOD, paper=66.0, black=10.0, noise=3.0), 1),
                        (replace(GOOD, fill=0.3), 0)):
        judged, result, answers = _judged(sheets, shot, index)
        m = judged.measures
        assert m.paper < 75 or m.px_per_pt < 1.3  # near a limit, as meant
        assert _certain_and_right(result, answers) and judged.problems == []


def test_a_doubt_near_a_limit_names_the_measure(sheets):
    judged, result, _ = _judged(sheets, replace(GOOD, fill=0.3), 1)  # far, and doubted
    assert result.doubts and judged.problems == ["too-far"]
    judged, result, _ = _judged(sheets, replace(GOOD, trouble="shadow", severity=1.0))
    assert result.doubts and judged.problems == ["glare"]  # glare or a shadow


def test_a_page_running_out_of_the_picture_is_taken_again(sheets):
    judged, _, _ = _judged(sheets, replace(GOOD, fill=1.25))  # too close: no corner found
    assert judged.problems == ["corners-out"] and not judged.foreign


def test_a_sheet_whose_number_cannot_be_read_is_taken_again(sheets):
    judged, result, _ = _judged(sheets, GOOD, no_id=True)
    assert "id-unreadable" in {d.code for d in result.doubts}
    assert judged.problems == ["no-id"]


def test_a_page_of_no_form_is_foreign(sheets):
    template, _ = sheets
    rng = np.random.default_rng(3)
    letter = foreign_page("letter", (1754, 1240), 150 / 72, rng)
    photo, _ = photograph(letter, np.zeros(letter.shape, np.float32), GOOD, rng)
    image = cv2.imdecode(np.frombuffer(shrink(photo), np.uint8), cv2.IMREAD_COLOR)
    judged = judge_photo(image, read_page(image, template), template)
    assert judged.foreign and judged.problems == []



def test_glare_washing_out_the_print_is_refused_however_it_reads(sheets):
    """A mark under such glare would be washed out with the print: the reader's certainty
    means nothing there."""
    judged, result, _ = _judged(sheets, replace(GOOD, trouble="glare", severity=0.5))
    assert not result.doubts and judged.problems == ["glare"]
    assert judged.measures.glare > 0


def test_corner_marks_may_leave_the_picture_but_no_bubble_may(sheets):
    """The corner marks out, every bubble and box in: read with certainty, it stands.
    A bubble or box out by a few pixels: taken again, whatever was read there."""
    judged, result, answers = _judged(sheets, replace(GOOD, centre=(0.5, 0.6), fill=0.95))
    assert judged.measures.in_frame < 0 < judged.measures.content_in_frame
    assert _certain_and_right(result, answers) and judged.problems == []
    judged, result, _ = _judged(sheets, replace(GOOD, centre=(0.5, 0.64), fill=0.95))
    assert judged.measures.content_in_frame < 0 and not result.doubts
    assert judged.problems == ["corners-out"]
