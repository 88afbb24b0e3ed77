"""Deciding from ink: what a person reads at a glance is read, what they would ask about is
asked about."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from phieu.omr import read_page
from phieu.omr.added import AddedInk
from phieu.omr.decide import DOUBT, EMPTY, bubble_states, classify, decide
from phieu.omr.measure import BubbleMeasures, bubble_layout
from phieu.omr.register import Registration
from phieu.omr.vocabulary import Code
from phieu.samples.batch import ink_for_page
from phieu.samples.marks import stroke
from phieu.samples.scanner import Look, scan
from tests.omr.conftest import DPI, answers_for, look, scanned

# six bubbles of one kind, five of them empty, one measured as given
APPEARANCE = np.zeros(6, int)


def _state(fill: float, strong: float, trace: float, labelled: bool) -> int:
    m = BubbleMeasures(np.array([0.03] * 5 + [0.03 + fill]), np.array([0.0] * 5 + [strong]),
                       np.array([0.0] * 5 + [trace]))
    return int(classify(m, APPEARANCE, None, np.full(6, labelled))[-1])


def test_a_digit_printed_heavier_is_not_a_doubt():
    # dark pixels on the digit, nothing beside it: a 1-bit scan's heavier "4"
    assert _state(0.05, 0.06, 0.0, labelled=True) == EMPTY
    # the same with a stroke beside the digit is ink a person must see
    assert _state(0.05, 0.06, 0.03, labelled=True) == DOUBT
    # ... and with the least stroke beside the digit
    assert _state(0.05, 0.06, 0.01, labelled=True) == DOUBT
    # a box has no digit: dark pixels in it are always a doubt, however little ink
    assert _state(0.05, 0.06, 0.0, labelled=False) == DOUBT
    assert _state(0.04, 0.06, 0.0, labelled=False) == DOUBT
    # more black on the digit than a heavier print gives: a fine tick across it, thresholded
    # into specks on a 1-bit 150 dpi scan, is a doubt
    assert _state(0.07, 0.06, 0.0, labelled=True) != EMPTY


def test_a_fine_stroke_on_a_coarse_scan_is_a_mark_with_no_dark_pixel():
    """At 150 dpi a fine-liner tick is never dark: linked strokes alone make it a mark
    there; on a finer scan, where such a line shows dark pixels, the same measures (a
    stroke with none) stay a doubt."""
    from phieu.omr.decide import MARKED

    def state(px_per_pt: float, trace: float) -> int:
        m = BubbleMeasures(np.array([0.03] * 5 + [0.11]), np.zeros(6),
                           np.array([0.0] * 5 + [trace]), px_per_pt)
        return int(classify(m, APPEARANCE, None, np.full(6, True))[-1])

    assert state(150 / 72, 0.15) == MARKED
    assert state(200 / 72, 0.15) == DOUBT
    assert state(150 / 72, 0.05) == DOUBT  # too little line to be sure


def test_a_fine_tick_a_coarse_scan_all_but_blurred_away_is_a_doubt_not_a_blank():
    """At 150 dpi a fine tick moved by a fraction of a pixel may leave no linked line and
    little ink (a "4" ticked so, on a copy under uneven light: 0.036 over its kind, its
    darkest tenth 0.16 over its middle): a doubt. The same ink on a fine scan, or an even
    grey of it, or speckle with no ink to speak of, stays empty."""
    def state(px_per_pt: float, fill: float, contrast: float) -> int:
        m = BubbleMeasures(np.array([0.03] * 5 + [0.03 + fill]), np.zeros(6), np.zeros(6),
                           px_per_pt, np.array([0.03] * 5 + [contrast]))
        return int(classify(m, APPEARANCE, None, np.full(6, True))[-1])

    assert state(150 / 72, 0.036, 0.163) != EMPTY
    assert state(150 / 72, 0.036, 0.05) == EMPTY  # an even grey as light: the paper's shade
    assert state(150 / 72, 0.005, 0.18) == EMPTY  # an empty bubble's speckle
    assert state(300 / 72, 0.036, 0.163) == EMPTY  # a fine scan shows a tick's line


def test_fine_ticks_on_a_150_dpi_scan_read_as_answers(form):
    """A sheet ticked throughout with a fine liner, scanned at 150 dpi: no answer read
    wrong, and most questions read without asking."""
    template, render = form
    flagged = 0
    for seed in range(4):
        truth = answers_for(template, np.random.default_rng(seed), "thin-tick")
        page = scanned(render(0, 150), template, truth, look(blur=0.8, noise=3.0), dpi=150,
                       seed=seed)
        for q, r in read_page(page, template).questions.items():
            assert r.answer == truth.answers[q] or r.doubt is not None, (seed, q, r)
            flagged += r.doubt is not None
    assert flagged <= 0.1 * 4 * len(template.questions)  # 3 of 64 when measured


def test_a_copys_toner_specks_in_a_bubble_are_not_ink():
    """Specks that happen to link up (a photocopy's toner) but darken the bubble by next to
    nothing: empty. A line that links as much and darkens it as a line does: a doubt."""
    for labelled in (True, False):
        assert _state(0.01, 0.0, 0.05, labelled) == EMPTY
        assert _state(0.03, 0.0, 0.05, labelled) != EMPTY


def test_faint_grey_ink_over_a_digit_is_a_doubt_not_a_blank():
    """A fine tick at 150 dpi on a photocopy: a little grey over the digit, no dark pixel,
    no linked stroke beside the digit. It is ink nobody expected: a doubt."""
    for labelled in (True, False):
        assert _state(0.06, 0.0, 0.0, labelled) != EMPTY
        assert _state(0.051, 0.0, 0.0, labelled) != EMPTY
        assert _state(0.02, 0.0, 0.0, labelled) == EMPTY  # a scan's noise on an empty one


def test_a_rubbed_out_mark_beside_a_clear_one_reads_as_the_clear_one(form):
    template, render = form
    for seed in range(6):
        truth = answers_for(template, np.random.default_rng(seed), "pen")
        truth.marks["q05"] = [("4", "pen"), ("1", "erased")]
        truth.answers["q05"] = "4"
        result = read_page(scanned(render(), template, truth, seed=seed), template)
        assert result.questions["q05"].answer == "4"
        assert result.questions["q05"].doubt is None, seed


def test_a_rubbed_out_mark_alone_is_not_an_answer(form):
    template, render = form
    truth = answers_for(template, np.random.default_rng(3), "pen")
    truth.marks["q05"] = [("1", "erased")]
    result = read_page(scanned(render(), template, truth, seed=3), template)
    q = result.questions["q05"]
    assert q.answer == ""  # a blank (or a doubt): never "1" as if it were marked


def _sheet(template, seed: int, marks: dict):
    """(rng, truth) for a sheet marked in pen, with `marks` (question -> [(value, kind)])
    instead on those questions."""
    rng = np.random.default_rng(seed)
    truth = answers_for(template, rng, "pen")
    for qid, made in marks.items():
        truth.marks[qid], truth.answers[qid] = made, "|".join(v for v, _ in made)
    return rng, truth


def _read_with_blot(template, render, seed: int, marks: dict, blot):
    """A sheet marked as `marks` says (question -> (value, kind)), with a filled blot whose
    centre and half axes (points) `blot(rng)` draws, as read."""
    px = DPI / 72
    rng = np.random.default_rng(seed)
    truth = answers_for(template, rng, "pen")
    for qid, (value, kind) in marks.items():
        truth.marks[qid], truth.answers[qid] = [(value, kind)], value
    printed = render()
    ink = ink_for_page(template, truth, 1, printed.shape, px, rng)
    cx, cy, ax, ay = blot(rng)
    shape = np.zeros_like(ink)
    cv2.ellipse(shape, (int(cx * px), int(cy * px)), (int(ax * px), int(ay * px)), 0, 0, 360,
                1.0, -1)
    np.maximum(ink, shape * 0.9, out=ink)
    return read_page(scan(printed, ink, Look(), rng), template)


def _options(template, qid: str, *values: str):
    q = next(q for q in template.questions if q.id == qid)
    return (next(o for o in q.options if o.value == v) for v in values)


def test_a_fill_running_into_the_box_below_marks_only_its_own_box(form):
    template, render = form
    three, six = _options(template, "cai_thien", "3", "6")
    r = three.r_pt

    def blot(rng):  # the fill of box 3 runs over its lower edge and a little into box 6
        cx, cy = three.x_pt + rng.uniform(-0.2, 0.2) * r, (three.y_pt + six.y_pt) / 2
        return cx, cy, 0.8 * r, six.y_pt - 0.5 * r - cy

    for seed in range(3):
        result = _read_with_blot(template, render, seed, {"cai_thien": ("3", "pen")}, blot)
        assert result.questions["cai_thien"].answer == "3"
        assert result.questions["cai_thien"].doubt is None, seed


def test_a_fill_running_up_into_the_row_above_is_not_a_mark_there(form):
    template, render = form
    (above,), (below,) = _options(template, "q08", "4"), _options(template, "q09", "4")
    r = below.r_pt

    def blot(rng):  # the fill of q09's "4" runs up across the rule and just into q08's "4"
        cx, cy = below.x_pt + rng.uniform(-0.2, 0.2) * r, (above.y_pt + below.y_pt) / 2 + 2
        return cx, cy, 0.8 * r, cy - (above.y_pt + 0.6 * r)

    for seed in range(3):
        result = _read_with_blot(template, render, seed,
                                 {"q08": ("5", "tick"), "q09": ("4", "pen")}, blot)
        assert (result.answers["q08"], result.answers["q09"]) == ("5", "4")
        assert result.doubts == [], seed


def test_a_fill_spilt_up_across_the_rule_is_no_ink_beside_the_row_above(form):
    """A sloppy fill of q06's "1" runs up and to the left across the rule, to beside q05's
    "1": the rule cuts the blot in two, and the piece above it, mostly farther from the fill
    than a spill reaches, is still the fill's own, not ink beside q05's options; both rows
    read their own marks without a person."""
    template, render = form
    (above,), (below,) = _options(template, "q05", "1"), _options(template, "q06", "1")
    r = below.r_pt

    def blot(rng):  # up and to the left, where the row above is farther than the bubble
        top = above.y_pt + rng.uniform(0.6, 0.8) * r
        bottom = below.y_pt - 0.3 * r
        return (below.x_pt - rng.uniform(0.9, 1.1) * r, (top + bottom) / 2,
                rng.uniform(0.55, 0.65) * r, (bottom - top) / 2)

    for seed in range(3):
        result = _read_with_blot(template, render, seed,
                                 {"q05": ("5", "tick"), "q06": ("1", "pen")}, blot)
        assert (result.answers["q05"], result.answers["q06"]) == ("5", "1"), seed
        assert result.doubts == [], seed


def test_a_fill_running_deep_into_the_box_below_is_still_only_its_own(form):
    """A heavier fill's blot covering the top of the next box: that box is not marked."""
    template, render = form
    one, four = _options(template, "cai_thien", "1", "4")
    r = one.r_pt

    def blot(rng):
        cx, cy = one.x_pt + rng.uniform(-0.2, 0.2) * r, one.y_pt + 0.3 * r
        return cx, cy, 1.1 * r, four.y_pt - 0.2 * r - cy

    for seed in range(3):
        result = _read_with_blot(template, render, seed, {"cai_thien": ("1", "pen")}, blot)
        assert result.questions["cai_thien"].answer == "1", seed
        assert result.questions["cai_thien"].doubt is None, seed


def _box_one_beside_the_fill_below(template, joined: float):
    """cai_thien read with box 4 filled and box 1 holding a little ink, all of it on box 4's
    side, `joined` points² of ink between them (as a 150 dpi copy of a sloppy fill of box 4
    measured): box 1's state by its own ink, and the question's reading."""
    layout = bubble_layout(template)
    on_page = layout.page == 1
    n = int(on_page.sum())
    names = [f"{template.questions[q].id}:{v}"
             for q, v, keep in zip(layout.question, layout.values, on_page, strict=True) if keep]
    one, four = names.index("cai_thien:1"), names.index("cai_thien:4")
    fill, strong, trace = np.full(n, 0.003), np.zeros(n), np.zeros(n)
    fill[four], strong[four], trace[four] = 0.588, 0.96, 0.98
    fill[one], strong[one], trace[one] = 0.065, 0.107, 0.142
    measures = BubbleMeasures(fill, strong, trace, px_per_pt=150 / 72)
    state = bubble_states(template, layout, on_page, measures)
    leaning, between = np.zeros(n, bool), np.zeros(n)
    leaning[one], between[one] = True, joined
    added = AddedInk(np.zeros(n), np.zeros(n, int), between, leaning, np.zeros(n, bool),
                     np.zeros(n, bool))
    outlines = Registration(None, np.zeros((n, 2)), {}, np.ones(n, bool), 1.0)
    return state[one], decide(template, layout, on_page, measures, state, added,
                              outlines)["cai_thien"]


@pytest.mark.parametrize("joined", [0.5, 3.75, 4.9])
def test_a_box_inked_only_where_the_fill_below_runs_in_is_never_a_silent_answer(form, joined):
    """Too little ink between box 1 and box 4's fill to be sure it is the fill's: the sheet
    goes to a person, box 1 is not counted as if it were ticked."""
    own, q = _box_one_beside_the_fill_below(form[0], joined)
    assert own != EMPTY  # by its own measures a stroke: a mark or a doubt
    assert q.doubt is not None
    assert "1" in q.reading.split("|")  # the person is shown box 1 among the likely ones


def test_a_box_joined_to_the_fill_below_by_much_ink_is_that_fills_spill(form):
    """Much ink between them: box 4's fill ran over; box 4 is read without a person."""
    _, q = _box_one_beside_the_fill_below(form[0], 6.0)
    assert (q.answer, q.doubt) == ("4", None)


@pytest.mark.parametrize("dpi", [150, 200])
def test_a_line_down_a_column_through_a_question_left_blank_is_never_its_answer(form, dpi):
    """A pen line drawn down the column of "4"s, through q01 (ticked "5"), q02 (left
    blank) and q03 (pencilled "4"). Between the rows the rules and the bubbles leave the
    line almost no paper, so it can only be followed from q01's square: it still runs
    through q02's "4", which holds nothing else. q02 is a stroke across a blank question
    for a person, never the answer "4"; q01 and q03 read their own marks."""
    from phieu.omr.vocabulary import Code

    template, render = form
    (a,), (b,), (c,) = (_options(template, q, "4") for q in ("q01", "q02", "q03"))
    px = dpi / 72
    for seed in range(3):
        rng, truth = _sheet(template, seed, {"q01": [("5", "tick")], "q02": [],
                                             "q03": [("4", "pencil")]})
        ink = ink_for_page(template, truth, 1, render(0, dpi).shape, px, rng)
        x = b.x_pt + rng.normal(0, 0.1) * b.r_pt
        stroke(ink, np.array([[x, a.y_pt - 3 * a.r_pt],
                              [x + rng.normal(0, 0.5), c.y_pt + 3 * c.r_pt]]) * px,
               rng.uniform(1.0, 1.6) * px, 0.95)
        result = read_page(scan(render(0, dpi), ink, look(blur=rng.uniform(0.5, 1.2),
                                                          noise=3.0), rng), template)
        q02 = result.questions["q02"]
        assert (q02.answer, q02.doubt) == ("", Code.STROKE_ACROSS), (seed, q02)
        assert (result.answers["q01"], result.answers["q03"]) == ("5", "4"), seed


def test_a_question_under_a_copys_black_edge_is_not_read(form):
    """An off-centre copy printed its black edge over the left of cai_thien, boxes 1 and 4
    included: black all round them is no mark. What they held cannot be seen, so the
    question goes to a person as `misaligned`, never read as if 1 and 4 were ticked."""
    from phieu.omr.vocabulary import Code

    template, render = form
    one, four = _options(template, "cai_thien", "1", "4")
    px = DPI / 72
    for seed in range(3):
        rng, truth = _sheet(template, seed, {"cai_thien": [("5", "pen")]})
        page = scanned(render(), template, truth, look(noise=2.0), seed=seed).copy()
        right = int((one.x_pt + rng.uniform(1.2, 2.0) * one.r_pt) * px)
        top, bottom = int((one.y_pt - 4 * one.r_pt) * px), int((four.y_pt + 4 * four.r_pt) * px)
        page[top:bottom, :right] = 30
        q = read_page(page, template).questions["cai_thien"]
        assert (q.answer, q.doubt) == ("", Code.MISALIGNED), (seed, q)


@pytest.mark.parametrize("kind", ["tick", "cross", "pencil"])
def test_a_mark_with_a_long_tail_is_a_mark(form, kind):
    """A mark whose pen ran on out of the bubble in one straight stroke: the mark is the
    answer; the tail is its own, not a line from elsewhere."""
    template, render = form
    o = next(o for q in template.questions if q.id == "doi_tuong" for o in q.options
             if o.value == "2")
    px = DPI / 72
    for seed, angle in enumerate((2.4, 3.6, 4.2)):
        rng = np.random.default_rng(seed)
        truth = answers_for(template, rng, "pen")
        truth.marks["doi_tuong"], truth.answers["doi_tuong"] = [("2", kind)], "2"
        printed = render()
        ink = ink_for_page(template, truth, 1, printed.shape, px, rng)
        c = np.array([o.x_pt, o.y_pt])
        tail = c + 4.0 * o.r_pt * np.array([np.cos(angle), np.sin(angle)])
        stroke(ink, np.array([c, tail]) * px, 1.6 * px, 0.9)
        result = read_page(scan(printed, ink, Look(), rng), template)
        assert result.questions["doi_tuong"].answer == "2", seed
        assert result.questions["doi_tuong"].doubt is None, seed


@pytest.mark.parametrize("dpi", [150, 200])
def test_a_fine_tick_above_a_filled_bubble_is_never_a_silent_blank(form, dpi):
    """A small fine-liner tick in the lower half of its bubble, right above a filled bubble of
    the next row: its ink lies on the fill's side only, yet no ink crosses the paper between
    them.
    It is the tick's answer or a doubt, never a blank said with certainty."""
    template, render = form
    (above,) = _options(template, "q08", "4")
    px = dpi / 72
    for seed in range(4):
        rng = np.random.default_rng(seed)
        truth = answers_for(template, rng, "pen")
        truth.marks["q08"], truth.answers["q08"] = [], ""
        truth.marks["q09"], truth.answers["q09"] = [("4", "pen")], "4"
        printed = render(0, dpi)
        ink = ink_for_page(template, truth, 1, printed.shape, px, rng)
        r = above.r_pt
        low = np.array([above.x_pt, above.y_pt + rng.uniform(0.2, 0.3) * r])
        tick = low + np.array([[-0.5, 0.0], [-0.15, 0.35], [0.5, -0.05]]) * r
        stroke(ink, tick * px, rng.uniform(0.6, 0.8) * px, rng.uniform(0.6, 0.8))
        result = read_page(scan(printed, ink, Look(), rng), template)
        q08 = result.questions["q08"]
        assert q08.answer == "4" or q08.doubt is not None, (seed, q08)
        assert result.questions["q09"].answer == "4", seed


@pytest.mark.parametrize("where", ["inside", "beside"])
def test_a_clear_mark_beside_a_stray_dot_is_read_at_a_glance(form, where):
    """A pen touched the paper in (or beside) another option of a question clearly filled:
    the clear mark is the answer, and nobody is asked about a dot."""
    template, render = form
    two, four = _options(template, "q05", "2", "4")
    px = DPI / 72
    for seed in range(4):
        rng, truth = _sheet(template, seed, {"q05": [("4", "pen")]})
        printed = render()
        ink = ink_for_page(template, truth, 1, printed.shape, px, rng)
        c = np.array([two.x_pt, two.y_pt])
        c = c + (rng.normal(0, 0.2, 2) if where == "inside"
                 else np.array([1.8, rng.uniform(-0.5, 0.5)])) * two.r_pt
        cv2.circle(ink, (int(c[0] * px), int(c[1] * px)), int(0.8 * px), 0.9, -1)
        result = read_page(scan(printed, ink, look(blur=0.5, noise=2.0), rng), template)
        assert result.questions["q05"].answer == "4", seed
        assert result.questions["q05"].doubt is None, seed


def _coarse_reading(template, render, kind: str, seed: int):
    """q04 marked "4" with `kind` on a 150 dpi scan as a hard profile's scanners make it
    (a photocopy, uneven light, a phone), never 1-bit: (reading of q04, look)."""
    from phieu.samples.scanner import draw_look

    rng = np.random.default_rng(seed)
    truth = answers_for(template, rng, "pen")
    truth.marks["q04"], truth.answers["q04"] = [("4", kind)], "4"
    printed = render(0, 150)
    ink = ink_for_page(template, truth, 1, printed.shape, 150 / 72, rng)
    look = draw_look("hard", rng, allow_one_bit=False)
    return read_page(scan(printed, ink, look, rng), template).questions["q04"], look


def test_a_fine_tick_on_a_coarse_scan_is_read_at_a_glance(form):
    """A fine-liner tick on a 150 dpi copy, under uneven light or from a phone, is a line
    standing out of the paper: at least three in four are read as the answer rather than
    sent to a person as a faint mark (the rest are too faint to tell from a pencil's
    grey), and none is read as another option."""
    template, render = form
    readings = [_coarse_reading(template, render, "thin-tick", 500 + seed)[0]
                for seed in range(40)]
    assert all(q.answer in ("4", "") for q in readings)  # never another option
    assert all(q.answer == "4" or q.doubt is not None for q in readings)  # never a blank
    read = sum((q.answer, q.doubt) == ("4", None) for q in readings)
    assert read >= 30, read


def test_a_barely_pressed_pencil_fill_on_a_coarse_scan_stays_a_doubt(form):
    """A faint pencil fill is an even grey, however coarse the scan: never read as an
    answer without a person."""
    template, render = form
    for seed in range(24):
        q, _ = _coarse_reading(template, render, "faint", 600 + seed)
        assert q.answer == "" or q.doubt is not None, (seed, q)


def _grey_fill(template, render, darkness: float, qid: str = "q03", value: str = "4"):
    """A sheet marked in pen but for `qid`, where `value`'s bubble holds an even grey fill
    of `darkness` (pencil pressed lightly, no stroke in it): (the question as read, the
    bubble's ink over an empty one of its kind, its share of clearly inked pixels)."""
    rng, truth = _sheet(template, 11, {qid: []})
    printed = render()
    px = DPI / 72
    ink = ink_for_page(template, truth, 1, printed.shape, px, rng)
    o = next(_options(template, qid, value))
    disk = np.zeros_like(ink)
    cv2.circle(disk, (round(o.x_pt * px), round(o.y_pt * px)), round(o.r_pt * 0.8 * px), 1.0, -1)
    np.maximum(ink, disk * darkness, out=ink)
    result = read_page(scan(printed, ink, Look(), rng), template)
    layout = bubble_layout(template)
    qi = [q.id for q in template.questions].index(qid)
    i = next(k for k, v in enumerate(layout.values) if layout.question[k] == qi and v == value)
    kind = (layout.appearance == layout.appearance[i]) & (layout.page == 1)
    return (result.questions[qid], float(result.fill[i] - np.median(result.fill[kind])),
            float(result.strong[i]))


def test_a_light_even_fill_just_short_of_a_mark_stays_a_doubt(form):
    """The edge between a light pencil fill a person would ask about and a mark: just
    under it the question is flagged with what it would read; a little darker it reads."""
    template, render = form
    light, fill, strong = _grey_fill(template, render, 0.22)
    assert 0.19 < fill < 0.22 and strong < 0.08  # just under the edge, no stroke in it
    assert (light.answer, light.doubt, light.reading) == ("", Code.FAINT_MARK, "4")
    dark, fill, _ = _grey_fill(template, render, 0.3)
    assert fill > 0.25 and (dark.answer, dark.doubt) == ("4", None)


def test_a_question_the_registration_could_not_line_up_is_not_read(form):
    """Its outlines each seen, one bubble clearly filled: still, when the registration says
    the question's outlines do not sit where the page's fit puts it (the print moved under
    it, a fold), what is read there may be a neighbour's. The question goes to a person."""
    template = form[0]
    layout = bubble_layout(template)
    on_page = layout.page == 1
    n = int(on_page.sum())
    qi = [q.id for q in template.questions].index("q05")
    row = np.flatnonzero(layout.question[on_page] == qi)
    fill, strong, trace = np.full(n, 0.003), np.zeros(n), np.zeros(n)
    fill[row[2]], strong[row[2]], trace[row[2]] = 0.6, 0.95, 0.9
    measures = BubbleMeasures(fill, strong, trace, px_per_pt=DPI / 72)
    state = bubble_states(template, layout, on_page, measures)
    added = AddedInk(*(np.zeros(n) for _ in range(3)), *(np.zeros(n, bool) for _ in range(3)))
    aligned = {int(q): True for q in np.unique(layout.question[on_page])}
    read = decide(template, layout, on_page, measures, state, added,
                  Registration(None, np.zeros((n, 2)), aligned, np.ones(n, bool), 1.0))
    assert (read["q05"].answer, read["q05"].doubt) == (layout.values[np.flatnonzero(
        on_page)[row[2]]], None)
    aligned[qi] = False
    read = decide(template, layout, on_page, measures, state, added,
                  Registration(None, np.zeros((n, 2)), aligned, np.ones(n, bool), 1.0))
    assert (read["q05"].answer, read["q05"].doubt) == ("", Code.MISALIGNED)
    assert read["q06"].doubt is None  # the rest of the page is read


def test_a_question_printed_off_its_place_beyond_curl_is_misaligned(form):
    """One question's row printed 6 pt to the right of where the form has it (more than
    paper curl moves a row), marked where it is printed: the page lines up on the rest,
    and that question is not read."""
    template, render = form
    rng, truth = _sheet(template, 5, {})
    printed = render().copy()
    px = DPI / 72
    q = next(q for q in template.questions if q.id == "q05")
    top = round((min(o.y_pt for o in q.options) - 1.3 * q.options[0].r_pt) * px)
    bottom = round((max(o.y_pt for o in q.options) + 1.3 * q.options[0].r_pt) * px)
    left = round((min(o.x_pt for o in q.options) - 2 * q.options[0].r_pt) * px)
    move = round(6 * px)
    band = printed[top:bottom, left:-move].copy()
    printed[top:bottom, left:] = 255
    printed[top:bottom, left + move:] = band
    ink = ink_for_page(template, truth, 1, printed.shape, px, rng)
    ink[top:bottom, left + move:] = ink[top:bottom, left:-move].copy()  # marked as printed
    ink[top:bottom, left:left + move] = 0
    result = read_page(scan(printed, ink, Look(), rng), template)
    assert result.questions["q05"].doubt == Code.MISALIGNED
    others = {k: r for k, r in result.questions.items() if k != "q05"}
    assert all(r.answer == truth.answers[k] for k, r in others.items())


def _reference_by_hand(values: np.ndarray, appearance: np.ndarray, rows: np.ndarray
                       ) -> np.ndarray:
    """The empty reference worked out bubble by bubble, with numpy's own percentiles: a
    kind's lower quartile (nearest rank below), never more than 0.05 over the sheet's 30th
    percentile (itself never over 0.12); then, on a one-answer row, raised by the row's
    second lightest excess, between 0 and 0.1."""
    cap = min(float(np.percentile(values, 30)), 0.12) + 0.05
    ref = np.array([min(float(np.percentile(values[appearance == a], 25, method="lower")), cap)
                    for a in appearance])
    for row in set(rows.tolist()) - {-1}:
        members = [i for i in range(len(values)) if rows[i] == row]
        second = sorted(values[i] - ref[i] for i in members)[1]
        for i in members:
            ref[i] += min(max(second, 0.0), 0.1)
    return ref


def test_the_empty_reference_is_each_kinds_lower_quartile_raised_by_its_rows_shade():
    """What an empty bubble looks like on this sheet, which every mark is measured over:
    sheets of random ink, three kinds of bubble, rows of one-answer questions among them
    (a crease's shadow darkens a row; only one bubble on it is meant to be marked)."""
    from phieu.omr.decide import empty_reference

    rng = np.random.default_rng(7)
    for _ in range(200):
        n = int(rng.integers(8, 60))
        values = rng.uniform(0, 0.4, n) * (rng.random(n) < 0.7) + rng.uniform(0, 0.02, n)
        appearance = rng.integers(0, 3, n)
        rows = np.full(n, -1)
        start = 0
        for row in range(int(rng.integers(0, 4))):  # rows of 3 to 6 bubbles
            size = int(rng.integers(3, 7))
            if start + size > n:
                break
            rows[start:start + size] = row
            values[start:start + size] += rng.uniform(-0.05, 0.15)  # the row's own shade
            start += size
        values = np.clip(values + rng.choice([0.0, 0.15]), 0, 1)  # a dark scan, at times
        got = empty_reference(values, appearance, rows)[0]
        assert got == pytest.approx(_reference_by_hand(values, appearance, rows), abs=1e-12)


def _measured_row(template, qid: str, ink: dict[int, tuple[float, float, float]],
                  shade: float = 0.0):
    """Page 1 measured as empty but for `qid`'s bubbles given in `ink` (option index ->
    (fill, strong, trace)), `shade` added to the row's every bubble: (layout, the page's
    bubbles, the row's bubbles on the page, the measures, their states)."""
    layout = bubble_layout(template)
    on_page = layout.page == 1
    n = int(on_page.sum())
    qi = [q.id for q in template.questions].index(qid)
    row = np.flatnonzero(layout.question[on_page] == qi)
    fill, strong, trace = np.full(n, 0.003), np.zeros(n), np.zeros(n)
    fill[row] += shade
    for k, (f, s, t) in ink.items():
        fill[row[k]], strong[row[k]], trace[row[k]] = f + shade, s, t
    measures = BubbleMeasures(fill, strong, trace, px_per_pt=DPI / 72)
    return layout, on_page, row, measures, bubble_states(template, layout, on_page, measures)


def _decide_row(template, ink: dict[int, tuple[float, float, float]], *,
                reaching: tuple[int, ...] = (), across: tuple[int, ...] = (),
                joined: dict[int, float] | None = None, near: dict[int, float] | None = None,
                unseen: tuple[int, ...] = (), shade: float = 0.0, qid: str = "q05"):
    """A page read from measures alone: every bubble empty but those of `qid` given in `ink`
    (option index -> (fill, strong, trace)), `reaching` options crossed by a stroke from
    far out and `across` ones by a line running through and on, `shade` added to the row's
    every bubble (a crease's shadow), `joined` options with their ink lying only on the
    side of a marked neighbour and this much of it (points²) between them, `near` options
    with this much ink added beside them (points²), `unseen` ones whose printed outline was
    not found. Returns the question as decided, the states of its bubbles and their
    values."""
    layout, on_page, row, measures, state = _measured_row(template, qid, ink, shade)
    n = len(state)
    crossed = np.zeros(n)
    crossed[row[list(reaching)]] = 1  # REACHING
    crossed[row[list(across)]] = 2  # ACROSS
    between, leaning = np.zeros(n), np.zeros(n, bool)
    for k, area in (joined or {}).items():
        between[row[k]], leaning[row[k]] = area, True
    beside = np.zeros(n)
    for k, area in (near or {}).items():
        beside[row[k]] = area
    seen = np.ones(n, bool)
    seen[row[list(unseen)]] = False
    added = AddedInk(beside, crossed, between, leaning, np.zeros(n, bool), np.zeros(n, bool))
    aligned = {int(q): True for q in np.unique(layout.question[on_page])}
    read = decide(template, layout, on_page, measures, state, added,
                  Registration(None, np.zeros((n, 2)), aligned, seen, 1.0))
    values = [layout.values[i] for i in np.flatnonzero(on_page)[row]]
    return read[qid], state[row], values


CLEAR_FILL = (0.6, 0.95, 0.9)
STROKED_DOUBT = (0.1, 0.05, 0.03)  # ink with a stroke in it, neither clear nor grey
GREY_SMUDGE = (0.12, 0.0, 0.0)  # rubbed out: even grey, no stroke


def test_a_clear_mark_beside_a_stroked_doubt_is_an_erasure_for_a_person(form):
    """Someone marked one option and half-removed another that still shows strokes: the
    clear mark is the likely answer, but a person decides."""
    read, state, values = _decide_row(form[0], {1: CLEAR_FILL, 3: STROKED_DOUBT})
    assert state[3] == DOUBT
    assert (read.answer, read.doubt, read.reading) == (values[1], Code.ERASURE, values[1])


def test_a_grey_smudge_beside_a_clear_mark_is_read_as_rubbed_out(form):
    """Only grey, much lighter than the clear mark, no stroke in it: a changed mind rubbed
    out, read at a glance; as dark as half the mark, a person looks."""
    read, _, values = _decide_row(form[0], {1: CLEAR_FILL, 3: GREY_SMUDGE})
    assert (read.answer, read.doubt) == (values[1], None)
    read, _, values = _decide_row(form[0], {1: CLEAR_FILL, 3: (0.3 + 0.0, 0.0, 0.0),
                                            4: GREY_SMUDGE})
    assert read.doubt == Code.MULTIPLE_MARKS  # 0.3 is a fill of its own: two marks
    read, _, values = _decide_row(form[0], {1: (0.3, 0.1, 0.2), 3: (0.16, 0.0, 0.0)})
    assert (read.answer, read.doubt) == (values[1], Code.ERASURE)  # over half the mark's ink
    read, _, values = _decide_row(form[0], {1: CLEAR_FILL, 3: GREY_SMUDGE, 4: STROKED_DOUBT})
    assert (read.answer, read.doubt) == (values[1], Code.ERASURE)  # a stroke among them
    # a mark with no stroke in it (an even grey fill) and a lighter grey beside: which is
    # the mark and which was rubbed out is for a person
    read, _, values = _decide_row(form[0], {1: (0.5, 0.05, 0.1), 3: GREY_SMUDGE})
    assert (read.answer, read.doubt) == (values[1], Code.ERASURE)


def test_a_stroke_from_far_out_through_a_bubble_is_a_doubt_with_the_mark_beside_it(form):
    """A stroke reaching in from far off may be a tick's long arm: the question goes to a
    person, with the clear mark beside it as its likely answer, or none when there is none."""
    read, _, values = _decide_row(form[0], {1: CLEAR_FILL, 3: STROKED_DOUBT}, reaching=(3,))
    assert (read.answer, read.doubt, read.reading) == (values[1], Code.STROKE_ACROSS, values[1])
    read, _, _ = _decide_row(form[0], {3: STROKED_DOUBT}, reaching=(3,))
    assert (read.answer, read.doubt, read.reading) == ("", Code.STROKE_ACROSS, "")
    read, _, values = _decide_row(form[0], {0: CLEAR_FILL, 1: CLEAR_FILL, 3: STROKED_DOUBT},
                                  reaching=(3,))
    assert (read.answer, read.doubt, read.reading) == ("", Code.STROKE_ACROSS, "")


@pytest.mark.parametrize("qid", ["q05", "do_tuoi", "linh_vuc"])  # five options, four, three
def test_a_shadow_along_one_row_leaves_its_empty_bubbles_empty(form, qid):
    """A crease's shadow darkens one row of a one-answer question: its empty bubbles are
    measured against the row's own light, so the mark is read and nothing else is asked."""
    read, state, values = _decide_row(form[0], {2: CLEAR_FILL}, shade=0.08, qid=qid)
    assert (read.answer, read.doubt) == (values[2], None)
    assert list(state).count(EMPTY) == len(state) - 1


def test_a_line_run_through_a_bubble_is_no_mark_a_solid_fill_under_it_still_is(form):
    """A line drawn through a bubble and on (crossing out a row, a slip of the pen) leaves
    ink in it that nobody meant as an answer: the question goes to a person as a stroke
    across, not as a faint mark; a solid fill it runs through is still the answer."""
    read, _, _ = _decide_row(form[0], {3: STROKED_DOUBT}, across=(3,))
    assert (read.answer, read.doubt) == ("", Code.STROKE_ACROSS)
    read, _, values = _decide_row(form[0], {3: CLEAR_FILL}, across=(3,))
    assert (read.answer, read.doubt) == (values[3], None)
    # a line run through another option beside a clear mark: the line is dropped
    read, _, values = _decide_row(form[0], {1: CLEAR_FILL, 3: STROKED_DOUBT}, across=(3,))
    assert (read.answer, read.doubt) == (values[1], None)


def test_a_fine_pen_tick_on_a_fine_scan_is_a_mark_by_its_line_and_dark_pixels():
    """On a 200 dpi scan a fine-liner tick darkens little of the bubble: a linked line with
    some dark pixels in it is a mark (the longer the line, the fewer dark pixels it needs);
    less of either, or too little ink in all, is a doubt for a person."""
    from phieu.omr.decide import MARKED

    def state(fill: float, strong: float, trace: float) -> int:
        m = BubbleMeasures(np.array([0.03] * 5 + [0.03 + fill]), np.array([0.0] * 5 + [strong]),
                           np.array([0.0] * 5 + [trace]), 200 / 72)
        return int(classify(m, APPEARANCE, None, np.full(6, True))[-1])

    assert state(0.08, 0.035, 0.06) == MARKED  # a short line, some of it dark
    assert state(0.08, 0.025, 0.06) == DOUBT
    assert state(0.08, 0.012, 0.12) == MARKED  # a long line, little of it dark
    assert state(0.08, 0.008, 0.12) == DOUBT
    assert state(0.05, 0.035, 0.12) == DOUBT  # too little ink in all
    # a clear stroke needs some ink overall too: dark pixels in a bubble hardly inked are
    # the specks of a copy
    assert state(0.1, 0.12, 0.01) == MARKED
    assert state(0.05, 0.12, 0.01) == DOUBT


def test_a_line_standing_out_of_a_coarse_scans_paper_is_a_mark_an_even_grey_is_not():
    """At 150 dpi a fine line has no dark pixel and may link too little to count: it still
    stands out of the paper inside the bubble (its darkest tenth well over its middle),
    where a barely pressed pencil or a rubbed-out mark is an even grey. With no linked line
    at all, or no scale said, it stays a doubt."""
    from phieu.omr.decide import MARKED

    def state(contrast: float, trace: float, px_per_pt: float = 150 / 72) -> int:
        m = BubbleMeasures(np.array([0.03] * 5 + [0.11]), np.zeros(6),
                           np.array([0.0] * 5 + [trace]), px_per_pt,
                           np.array([0.05] * 5 + [contrast]))
        return int(classify(m, APPEARANCE, None, np.full(6, True))[-1])

    assert state(0.25, 0.03) == MARKED
    assert state(0.15, 0.03) == DOUBT  # an even grey
    assert state(0.25, 0.01) not in (MARKED, EMPTY)  # standing out, no line linked in it
    assert state(0.25, 0.03, px_per_pt=0.0) == DOUBT  # a scale not said is not coarse
    assert state(0.25, 0.03, px_per_pt=0.8) == MARKED  # a phone's photo from afar
    m = BubbleMeasures(np.array([0.03] * 5 + [0.075]), np.zeros(6), np.array([0.0] * 5 + [0.03]),
                       150 / 72, np.array([0.05] * 5 + [0.25]))
    assert int(classify(m, APPEARANCE, None, np.full(6, True))[-1]) != MARKED  # too little ink


def test_a_linked_line_on_a_coarse_scan_needs_some_ink_to_be_a_mark():
    """At 150 dpi linked strokes alone make a mark, with ink enough (0.06 over the empty
    ones); the same links in a bubble hardly darkened are a copy's specks joined up."""
    from phieu.omr.decide import MARKED

    def state(fill: float) -> int:
        m = BubbleMeasures(np.array([0.03] * 5 + [0.03 + fill]), np.zeros(6),
                           np.array([0.0] * 5 + [0.15]), 150 / 72)
        return int(classify(m, APPEARANCE, None, np.full(6, True))[-1])

    assert state(0.07) == MARKED
    assert state(0.045) not in (MARKED, EMPTY)


def test_a_digit_printed_heavier_whose_trace_reads_under_its_kinds_is_still_empty():
    """The bubble's linked strokes may read under those of its kind's empties (their digits
    catch a little more): it is still the digit, not a mark."""
    m = BubbleMeasures(np.array([0.03] * 5 + [0.08]), np.array([0.0] * 5 + [0.06]),
                       np.array([0.01] * 5 + [0.0]))
    assert int(classify(m, APPEARANCE, None, np.full(6, True))[-1]) == EMPTY


def test_a_tick_beside_another_option_is_asked_about_with_the_mark_read(form):
    """One option ticked, a tick just beside another: which did they mean? The question is
    flagged with the ticked one as its likely answer, on a one-answer question and on a
    several-answer one (there, beside a filled box too)."""
    template, render = form
    for qid, values in (("q05", ("2", "4")), ("cai_thien", ("2", "5"))):
        for seed in range(3):
            kind = "pen" if qid == "cai_thien" else "tick"
            rng, truth = _sheet(template, 40 + seed, {qid: [(values[0], kind),
                                                          (values[1], "tick-beside")]})
            result = read_page(scanned(render(), template, truth, seed=seed), template)
            q = result.questions[qid]
            assert q.doubt == Code.INK_NEAR and values[0] in q.reading.split("|"), (qid, q)


def test_a_light_mark_joined_to_a_fill_by_enough_ink_is_that_fills_spill(form):
    """A light mark whose ink lies only on the side of a heavier fill beside it: joined by
    5 pt² of ink or more (20 samples at 2 a point), it is the fill that ran over and the
    fill is read; by less, a mark of its own or the fill's, a person tells."""
    light = (0.12, 0.1, 0.2)
    read, _, values = _decide_row(form[0], {1: CLEAR_FILL, 2: light}, joined={2: 5.0})
    assert (read.answer, read.doubt) == (values[1], None)
    read, _, values = _decide_row(form[0], {1: CLEAR_FILL, 2: light}, joined={2: 4.75})
    assert read.answer != values[1] and read.doubt is not None
    read, _, values = _decide_row(form[0], {1: CLEAR_FILL, 2: light}, joined={2: 9.0})
    assert (read.answer, read.doubt) == (values[1], None)


def test_a_box_marked_only_by_the_next_ones_fill_running_in_is_asked_about(form):
    """On a several-answer question, a box partly filled, its ink only on the side of the
    next box's fill and joined to it by 5 pt² or more: perhaps one mark run over, perhaps
    two; a person tells. Solidly filled, it is a mark of its own."""
    part = (0.3, 0.5, 0.5)
    read, _, values = _decide_row(form[0], {1: CLEAR_FILL, 2: part}, joined={2: 5.0},
                                  qid="cai_thien")
    assert read.doubt == Code.INK_NEAR and read.answer == f"{values[1]}|{values[2]}"
    read, _, values = _decide_row(form[0], {1: CLEAR_FILL, 2: part}, joined={2: 9.0},
                                  qid="cai_thien")
    assert read.doubt == Code.INK_NEAR
    read, _, values = _decide_row(form[0], {1: CLEAR_FILL, 2: part}, joined={2: 4.75},
                                  qid="cai_thien")
    assert (read.answer, read.doubt) == (f"{values[1]}|{values[2]}", None)
    read, _, values = _decide_row(form[0], {1: CLEAR_FILL, 2: CLEAR_FILL}, joined={2: 9.0},
                                  qid="cai_thien")
    assert (read.answer, read.doubt) == (f"{values[1]}|{values[2]}", None)


def test_ink_beside_an_unmarked_question_counts_from_two_square_points(form):
    """Ink added beside an option of a question left blank: 2 pt² of it (8 samples at 2 a
    point) is a doubt with that option as the likely reading; less is paper's own."""
    read, _, values = _decide_row(form[0], {}, near={3: 2.0})
    assert (read.answer, read.doubt, read.reading) == ("", Code.INK_NEAR, values[3])
    read, _, _ = _decide_row(form[0], {}, near={3: 1.75})
    assert (read.answer, read.doubt) == ("", None)


def test_an_empty_bubble_whose_outline_is_not_seen_hides_what_it_held(form):
    """An empty bubble whose own outline was not found (cut off the copy, under a thumb)
    may hide a mark: the question is not read."""
    read, _, _ = _decide_row(form[0], {1: CLEAR_FILL}, unseen=(3,))
    assert (read.answer, read.doubt) == ("", Code.MISALIGNED)
    read, _, values = _decide_row(form[0], {1: CLEAR_FILL}, unseen=(1,))  # under its fill
    assert (read.answer, read.doubt) == (values[1], None)


def test_a_doubtful_box_among_clear_ones_is_a_faint_mark_with_all_of_them(form):
    """A several-answer question with clear boxes and one in doubt: flagged faint-mark,
    its likely reading every box with ink, in the printed order."""
    read, _, values = _decide_row(form[0], {0: CLEAR_FILL, 2: STROKED_DOUBT, 4: CLEAR_FILL},
                                  qid="cai_thien")
    assert (read.answer, read.doubt) == (f"{values[0]}|{values[4]}", Code.FAINT_MARK)
    assert read.reading == f"{values[0]}|{values[2]}|{values[4]}"
    read, _, values = _decide_row(form[0], {0: CLEAR_FILL}, near={3: 3.0}, qid="cai_thien")
    assert (read.answer, read.doubt, read.reading) == (values[0], Code.INK_NEAR,
                                                       f"{values[0]}|{values[3]}")


def test_the_ink_around_a_question_is_looked_at_only_where_it_can_change_the_reading(form):
    """Around a one-answer question with one solid fill, only its inked bubbles are looked
    around (a rubbed-out smudge: a line through it?); the whole row is looked around when
    the mark is drawn rather than filled, when there is none or two, and on a
    several-answer question always (each look costs time, and what it finds, a flag)."""
    from phieu.omr.decide import look_around

    template = form[0]

    def looked(qid: str, ink: dict[int, tuple[float, float, float]]) -> list[bool]:
        layout, on_page, row, measures, state = _measured_row(template, qid, ink)
        return look_around(template, layout, on_page, state, measures)[row].tolist()

    assert looked("q05", {1: CLEAR_FILL}) == [False] * 5
    assert looked("q05", {1: CLEAR_FILL, 3: GREY_SMUDGE}) == [False, False, False, True, False]
    assert looked("q05", {1: CLEAR_FILL, 3: STROKED_DOUBT}) == [False, False, False, True,
                                                                False]
    assert looked("q05", {1: (0.3, 0.3, 0.4)}) == [True] * 5  # drawn, not filled
    assert looked("q05", {}) == [True] * 5
    assert looked("q05", {1: CLEAR_FILL, 3: CLEAR_FILL}) == [True] * 5
    assert looked("cai_thien", {1: CLEAR_FILL}) == [True] * 6


def test_several_boxes_filled_alike_are_each_an_answer_not_a_shadow(form):
    """A several-answer question with five of six boxes filled in the same even grey: a
    row of one-answer bubbles would take that for a shadow, but here each box is meant."""
    fills = {k: (0.28, 0.0, 0.0) for k in range(5)}
    read, _, values = _decide_row(form[0], fills, qid="cai_thien")
    assert (read.answer, read.doubt) == ("|".join(values[:5]), None)
