"""read_page on sheets handled the way people handle paper, and on ink where it is not expected.

Every test holds the reading against the truth the page was drawn with: a
sheet is either read right or flagged with a reason, never wrong and `ok`.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from phieu.omr import FORM, read_page
from phieu.omr.vocabulary import Code, Reason
from phieu.samples.marks import stroke
from phieu.samples.scanner import DAMAGE
from tests.omr.conftest import DPI, answers_for, look, scanned

S = DPI / 72  # pixels a point on an upright, unscaled scan


def _never_wrong(result, truth) -> None:
    """Every answer read without a doubt is the truth."""
    for q, r in result.questions.items():
        if r.doubt is None:
            assert r.answer == truth.answers[q], (q, r.answer, truth.answers[q])


def _bottom_answers(template, rng, kind="pen"):
    """A sheet whose far-from-the-top boxes hold a known mix of ticked and empty boxes."""
    truth = answers_for(template, rng, kind)
    truth.marks["cai_thien"] = [("2", kind), ("6", kind)]
    truth.answers["cai_thien"] = "2|6"
    return truth


@pytest.mark.parametrize("damage", DAMAGE)
@pytest.mark.parametrize("corner", [0, 1, 2, 3])
def test_corner_marks_cut_torn_stapled_or_covered(form, damage, corner):
    """One or two corner marks lost: the page still reads right, or says why it cannot."""
    template, render = form
    truth = _bottom_answers(template, np.random.default_rng(corner))
    img = scanned(render(), template, truth, look(damage=damage, damage_side=corner),
                  seed=corner)
    result = read_page(img, template)
    assert result.kind == FORM
    _never_wrong(result, truth)
    if damage != "cut" or corner != 0:  # a copy cut at the top loses the QR code too
        assert result.ok, result.doubts
        assert result.answers == truth.answers


def _cover(img: np.ndarray, template, corners: tuple[str, ...]) -> np.ndarray:
    img = img.copy()
    for m in template.markers:
        if m.corner in corners:
            b = m.box
            img[int(b.y_pt * S) - 6:int((b.y_pt + b.h_pt) * S) + 6,
                int(b.x_pt * S) - 6:int((b.x_pt + b.w_pt) * S) + 6] = 255
    return img


@pytest.mark.parametrize("kept", [("tl", "tr"), ("bl", "br"), ("tl", "bl"), ("tr", "br")])
def test_a_pose_from_the_marks_on_one_side_is_checked_on_the_whole_page(form, kept):
    """Two marks on one side (and the QR code) locate the page; the print all over it
    confirms the pose before the boxes far from those marks are read."""
    template, render = form
    truth = _bottom_answers(template, np.random.default_rng(11), "tick")
    gone = tuple(c for c in ("tl", "tr", "br", "bl") if c not in kept)
    for angle in (-1.8, 1.2):
        img = _cover(scanned(render(), template, truth, look(angle=angle, scale=1.01), seed=4),
                     template, gone)
        result = read_page(img, template)
        assert result.markers == 2
        assert result.ok, result.doubts
        assert result.answers == truth.answers


def test_a_question_whose_outlines_are_not_where_the_pose_says_is_not_read(form):
    """A band of the page slipped in the feeder: its question is a doubt, the rest is read."""
    template, render = form
    truth = answers_for(template, np.random.default_rng(12), "pen")
    img = scanned(render(), template, truth, seed=5).copy()
    box = next(q for q in template.questions if q.id == "q05").box
    y0, y1 = int((box.y_pt + 1) * S), int((box.y_pt + box.h_pt - 1) * S)
    img[y0:y1] = np.roll(img[y0:y1], int(22 * S), axis=1)  # half a column to the right
    result = read_page(img, template)
    assert result.questions["q05"].doubt == "misaligned"
    assert result.questions["q05"].answer == ""
    assert Reason.parse("misaligned q05") in result.doubts
    others = {q: a for q, a in result.answers.items() if q != "q05"}
    assert others == {q: a for q, a in truth.answers.items() if q != "q05"}
    assert [d for d in result.doubts if d != Reason(Code.MISALIGNED, "q05")] == []


def test_a_long_stroke_across_an_empty_box_is_not_a_tick(form):
    template, render = form
    q = next(q for q in template.questions if q.id == "cai_thien")
    o = next(o for o in q.options if o.value == "5")
    for marked in ([], [("1", "pen")]):
        truth = answers_for(template, np.random.default_rng(13), "pen")
        truth.marks["cai_thien"] = marked
        truth.answers["cai_thien"] = "|".join(v for v, _ in marked)
        img = scanned(render(), template, truth, seed=6)
        ink = np.zeros(img.shape, np.float32)
        c = np.array([o.x_pt, o.y_pt]) * S
        d = np.array([np.cos(0.4), np.sin(0.4)]) * 70 * S
        stroke(ink, np.array([c - d, c + d]), 1.1 * S, 0.9)
        img = (img * (1 - ink)).astype(np.uint8)
        result = read_page(img, template)
        read = result.questions["cai_thien"]
        assert "5" not in read.answer.split("|")
        if marked:  # the line is not an answer; the box ticked is
            assert read.answer == "1"
        else:  # nothing marked but a line through a box: a person looks
            assert read.doubt == "stroke-across" and not result.ok


def _option(template, qid: str, value: str):
    return next(o for q in template.questions if q.id == qid for o in q.options
                if o.value == value)


def _with_line(img: np.ndarray, a_pt, b_pt, width_pt: float = 1.1) -> np.ndarray:
    ink = np.zeros(img.shape, np.float32)
    stroke(ink, np.array([a_pt, b_pt], float) * S, width_pt * S, 0.9)
    return (img * (1 - ink)).astype(np.uint8)


@pytest.mark.parametrize("blank", [None, "do_tuoi"])
def test_a_line_down_a_column_of_options_is_no_ones_answer(form, blank):
    """A pen line drawn down the first column, through the first option of three questions
    answered elsewhere: each reads its own mark, and the sheet is not flagged for the line.
    A question it crosses that holds no mark is a doubt, never the option crossed."""
    template, render = form
    truth = answers_for(template, np.random.default_rng(18), "tick")
    for qid, value in (("gioi_tinh", "2"), ("do_tuoi", "3"), ("doi_tuong", "2")):
        truth.marks[qid] = [] if qid == blank else [(value, "tick")]
        truth.answers[qid] = "" if qid == blank else value
    top, bottom = _option(template, "gioi_tinh", "1"), _option(template, "doi_tuong", "1")
    img = _with_line(scanned(render(), template, truth, seed=11),
                     (top.x_pt + 0.5, top.y_pt - 20), (bottom.x_pt - 0.5, bottom.y_pt + 12))
    result = read_page(img, template)
    _never_wrong(result, truth)
    if blank is None:
        assert result.ok, result.doubts
        assert result.answers == truth.answers
    else:
        assert result.doubts == [Reason(Code.STROKE_ACROSS, blank)]
        assert result.questions[blank].answer == ""


@pytest.mark.parametrize("offset_r", [1.6, 2.2])
def test_a_line_down_the_page_between_two_columns_is_no_ones_ink(form, offset_r):
    """A pen line drawn down the page beside the first column of a table, through no bubble
    (along a box's edge, then past words): every question reads its own mark and nobody is
    asked about the line; a question it runs by that holds no mark stays blank."""
    template, render = form
    truth = answers_for(template, np.random.default_rng(22), "pen")
    truth.marks["q09"], truth.answers["q09"] = [], ""
    top, bottom = _option(template, "q01", "1"), _option(template, "q11", "1")
    x = top.x_pt + offset_r * top.r_pt
    img = _with_line(scanned(render(), template, truth, seed=14),
                     (x, top.y_pt - 30), (x + 1.0, bottom.y_pt + 30))
    result = read_page(img, template)
    _never_wrong(result, truth)
    assert result.ok, result.doubts
    assert result.answers == truth.answers


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_thick_stray_line_ending_beside_an_option_is_no_ones_ink(form, seed):
    """A thick pen line slanting down across a row, through an empty option, that ends just
    above the next row's first option: the line is followed to its end, all of it, and both
    rows read their own marks without a person (a line a few samples thick holds lines a
    few degrees apart; its end lies off all but its own)."""
    template, render = form
    rng = np.random.default_rng(seed)
    truth = answers_for(template, rng, "pen")
    truth.marks["q06"], truth.answers["q06"] = [("3", "pen")], "3"
    truth.marks["q07"], truth.answers["q07"] = [("3", "tick")], "3"
    one, two = _option(template, "q07", "1"), _option(template, "q06", "2")
    end = np.array([one.x_pt - 1.3 * one.r_pt, one.y_pt - 1.6 * one.r_pt])
    start = end + rng.uniform(1.4, 1.5) * (np.array([two.x_pt, two.y_pt]) - end)
    img = _with_line(scanned(render(), template, truth, seed=30 + seed), start, end,
                     width_pt=rng.uniform(1.5, 1.9))
    result = read_page(img, template)
    _never_wrong(result, truth)
    assert result.ok, result.doubts
    assert result.answers == truth.answers


@pytest.mark.parametrize("seed", [0, 1])
def test_a_stray_line_grazing_a_blank_questions_option_leaves_it_blank(form, seed):
    """A line slanting down through the next row's option brushes the outline of an option
    of a question left blank, with no ink inside it: the blank is read without a person,
    and the row it runs through reads its own mark."""
    template, render = form
    truth = answers_for(template, np.random.default_rng(seed), "pen")
    truth.marks["q10"], truth.answers["q10"] = [], ""
    truth.marks["q11"], truth.answers["q11"] = [("4", "pen")], "4"
    one, two = _option(template, "q10", "1"), _option(template, "q11", "2")
    graze = np.array([one.x_pt, one.y_pt + 1.15 * one.r_pt])
    slope = (np.array([two.x_pt, two.y_pt]) - graze)
    img = _with_line(scanned(render(), template, truth, seed=40 + seed),
                     graze - 0.4 * slope, graze + 1.8 * slope)
    result = read_page(img, template)
    _never_wrong(result, truth)
    assert result.ok, result.doubts
    assert result.answers == truth.answers


@pytest.mark.parametrize("marked", [True, False])
def test_a_long_line_that_ends_in_a_box_is_not_a_tick(form, marked):
    """A line from far up the page that stops inside an empty box: the tick beside it is
    the answer; with no tick, the question is a doubt, not the box the line ends in."""
    template, render = form
    truth = answers_for(template, np.random.default_rng(19), "pen")
    truth.marks["q07"] = [("4", "tick")] if marked else []
    truth.answers["q07"] = "4" if marked else ""
    end = _option(template, "q07", "2")
    img = _with_line(scanned(render(), template, truth, seed=12),
                     (end.x_pt + 14, end.y_pt - 60), (end.x_pt, end.y_pt + 0.3 * end.r_pt))
    result = read_page(img, template)
    _never_wrong(result, truth)
    if marked:
        assert result.ok, result.doubts
        assert result.answers == truth.answers
    else:
        assert result.questions["q07"].answer == ""
        assert result.questions["q07"].doubt is not None and not result.ok


def test_an_option_underlined_is_a_doubt_not_a_stray_line(form):
    """A line from an option's bubble along under its words is someone pointing at it."""
    template, render = form
    truth = answers_for(template, np.random.default_rng(20), "pen")
    truth.marks["do_tuoi"] = []
    truth.answers["do_tuoi"] = ""
    o = _option(template, "do_tuoi", "2")
    img = _with_line(scanned(render(), template, truth, seed=13),
                     (o.x_pt + 0.3 * o.r_pt, o.y_pt + 0.8 * o.r_pt),
                     (o.x_pt + 2 * o.r_pt + 40, o.y_pt + 1.1 * o.r_pt))
    result = read_page(img, template)
    assert result.questions["do_tuoi"].answer == ""
    assert result.questions["do_tuoi"].doubt is not None and not result.ok


@pytest.mark.parametrize("kind", ["tick-beside", "circled", "circled-label"])
def test_ink_around_an_option_is_a_doubt_not_a_blank(form, kind):
    template, render = form
    # a loop round an option and its words: on a line of options with their words beside;
    # a tick beside a bubble: in a table (beside an option on a line it lands on the words)
    places = {"circled-label": [("do_tuoi", "2")], "tick-beside": [("q03", "4"), ("q09", "2")],
              "circled": [("q03", "4"), ("do_tuoi", "2")]}[kind]
    for qid, value in places:
        truth = answers_for(template, np.random.default_rng(14), "pen")
        truth.marks[qid] = [(value, kind)]
        img = scanned(render(), template, truth, seed=7)
        result = read_page(img, template)
        read = result.questions[qid]
        assert read.doubt == "ink-near", (qid, read)
        assert read.reading == value
        assert not result.ok


def test_a_tick_on_an_options_words_is_a_doubt(form):
    template, render = form
    truth = answers_for(template, np.random.default_rng(17), "pen")
    truth.marks["linh_vuc"] = []
    img = scanned(render(), template, truth, seed=10)
    q = next(q for q in template.questions if q.id == "linh_vuc")
    o = q.options[2]
    ink = np.zeros(img.shape, np.float32)
    x, y = (o.x_pt + 2.3 * o.r_pt) * S, o.y_pt * S
    size = o.r_pt * S
    stroke(ink, np.array([[x - 0.5 * size, y], [x - 0.1 * size, y + 0.5 * size],
                          [x + 0.7 * size, y - 0.8 * size]]), 1.2 * S, 0.95)
    result = read_page((img * (1 - ink)).astype(np.uint8), template)
    assert result.questions["linh_vuc"].doubt == "ink-near"


def test_clean_surroundings_leave_a_blank_legal(form):
    template, render = form
    truth = answers_for(template, np.random.default_rng(15), "sloppy")
    truth.marks["q03"] = []
    truth.answers["q03"] = ""
    result = read_page(scanned(render(), template, truth, seed=8), template)
    assert result.questions["q03"] == result.questions["q03"].__class__("q03", "")


def test_the_same_page_reads_the_same_whatever_the_thread_count(form):
    template, render = form
    truth = answers_for(template, np.random.default_rng(16), "pencil")
    img = scanned(render(), template, truth, look(phone=True, colour=True, light=0.3, angle=4,
                                                  blur=0.8, noise=4), seed=9)
    before = cv2.getNumThreads()
    readings = []
    for threads in (1, 2, 8, -1):
        cv2.setNumThreads(threads)
        set_to = cv2.getNumThreads()  # -1: OpenCV's own default
        readings.append(read_page(img, template))
        assert cv2.getNumThreads() == set_to  # the caller's setting is left as it was
    cv2.setNumThreads(before)
    first = readings[0]
    for other in readings[1:]:
        assert other.questions == first.questions and other.doubts == first.doubts
        assert np.array_equal(other.fill, first.fill)
        assert np.array_equal(other.homography, first.homography)
