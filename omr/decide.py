"""From ink measures to answers: each bubble marked, empty or in doubt; each question decided.

Empty bubbles are the reference: most bubbles on a sheet are empty, so
their ink (printed outline bleeding in, the light digit inside, scanner
noise) is read off the sheet itself, per kind of bubble, and only ink
above that counts. A mark is clear when there is much more ink (a fill,
a pencil fill) or clearly inked strokes (a tick, a cross, a scribble).
What is neither clear nor empty is a doubt a person settles.
"""

from __future__ import annotations

import numpy as np

from phieu.forms.template import Template

from .added import JOINED_MIN_PT2, NEAR_MIN_PT2, REACHING, AddedInk
from .measure import BubbleLayout, BubbleMeasures
from .register import Registration
from .result import COARSE_PX_PER_PT, QuestionReading
from .vocabulary import Code

MARKED, EMPTY, DOUBT = 2, 0, 1
GREY = 3  # a doubt that is grey only, no stroke in it: rubbed out, if a clear mark is beside it
RUBBED_SHARE = 0.5  # ... and holds less than this share of the clear mark's ink
# excess over the empty reference, on a 0 (paper) .. 1 (printed black) scale
FILL_MARK = 0.22  # mean ink inside: a fill, pencil included
FILL_SOLID = 0.45  # a fill this dark stays a mark even with a line through it
STROKE_MARK = 0.09  # share of clearly inked pixels: a tick or a cross ...
STROKE_FILL = 0.07  # ... with at least this much ink overall
FILL_EMPTY = 0.05  # over it, ink is a doubt: a faint tick at 150 dpi reads 0.05-0.08, an
# empty bubble at most 0.046 on every profile and resolution generated
FILL_EMPTY_DIGIT = 0.06  # a bubble's digit printed heavier (black ink on the digit alone)
STROKE_EMPTY = 0.04
TRACE_EMPTY = 0.02  # a fine pen line across a bubble is ink, not paper ...
SPECKS_FILL = 0.02  # ... when it darkens the bubble this much: a copy's toner specks link up
# too, adding next to no ink (empties 0.012 at most; marks with a line 0.055 at least)
# a fine pen tick: this share of linked inked pixels, some of them dark (a faint or
# rubbed-out fill has none), and this much ink in all; the longer the line, the fewer
# dark pixels it needs (at 150 dpi a fine line is never solid black)
TRACE_MARK = ((0.05, 0.03), (0.1, 0.01))  # (trace, strong) pairs
# on a coarse scan (under COARSE_PX_PER_PT) a fine line is never dark at all: this share of
# linked inked pixels alone is a stroke (a faint or rubbed-out fill links none)
TRACE_COARSE = 0.1
# ... or a line that stands out of the paper inside the bubble (CONTRAST_MARK: its darkest
# tenth over its middle; a barely pressed pencil fill or a rubbed-out mark is an even grey,
# 0.11 and 0.15 at most on every profile generated; an empty bubble's speckle reaches 0.18
# but never TRACE_FILL) with some of it linked (TRACE_LINE)
CONTRAST_MARK, TRACE_LINE = 0.2, 0.02
# a fine tick the coarse scan all but blurred away (a fraction of a pixel of shift is enough
# to unlink its samples): little ink, no linked line, but standing out of the paper inside
# the bubble. Empties reach this contrast with this much ink once in 15,000 (150 dpi, every
# profile): not empty, a doubt
CONTRAST_INK, FILL_LINE = 0.12, 0.03
TRACE_FILL = 0.06
EMPTY_PRIOR = 0.12  # an empty bubble never reads darker than this
ROW_SHADE_MAX = 0.1  # a row's own empties may read this much darker than the sheet's


def empty_reference(values: np.ndarray, appearance: np.ndarray,
                    rows: np.ndarray | None = None) -> np.ndarray:
    """Per bubble, the measure an empty bubble of its kind has on this sheet; `values` may
    hold several measures, one per row.

    `appearance` groups bubbles that look alike when empty: same shape, same digit printed
    inside (a "4" holds more ink than a "1"). `rows` groups the bubbles of one-answer
    questions with three or more options: there at most one bubble is meant to be marked,
    so the second lightest excess over its kind shows what empty looks like on that row (a
    crease's shadow, a grey band of the scanner).
    """
    values = np.atleast_2d(values)  # several measures at once, one per row
    n = values.shape[1]
    overall = np.minimum(np.percentile(values, 30, axis=1), EMPTY_PRIOR) if n \
        else np.zeros(len(values))
    ref = np.empty_like(values)
    for cls in np.unique(appearance):
        sel = appearance == cls
        # the kind's own lower quartile (a column of a table may hold mostly marks), never
        # above what most bubbles of the sheet show
        lower = np.sort(values[:, sel], axis=1)[:, (int(sel.sum()) - 1) // 4]
        ref[:, sel] = np.minimum(lower, overall + 0.05)[:, None]
    if rows is not None:
        for row in np.unique(rows[rows >= 0]):
            sel = rows == row
            local = np.sort(values[:, sel] - ref[:, sel], axis=1)[:, 1]
            ref[:, sel] += np.clip(local, 0, ROW_SHADE_MAX)[:, None]
    return ref


def classify(measures: BubbleMeasures, appearance: np.ndarray,
             rows: np.ndarray | None = None, labelled: np.ndarray | None = None) -> np.ndarray:
    """MARKED, EMPTY, DOUBT or GREY per bubble, from the ink inside it.

    In a bubble with its digit printed inside, dark pixels with no stroke beside the
    digit are the digit itself printed heavier (a 1-bit scan, a dark copy), not a mark.
    """
    measured = np.stack([measures.fill, measures.strong, measures.trace])
    fill, strong, trace = measured - empty_reference(measured, appearance, rows)
    state = np.full(len(fill), DOUBT)
    on_digit = np.zeros(len(fill), bool) if labelled is None else labelled & (trace <= 0)
    heavier_digit = on_digit & (strong >= STROKE_EMPTY)  # black on the digit, nothing beside
    clean = (fill < np.where(heavier_digit, FILL_EMPTY_DIGIT, FILL_EMPTY)) \
        & ((strong < STROKE_EMPTY) | on_digit) & ((trace < TRACE_EMPTY) | (fill < SPECKS_FILL))
    coarse = 0 < measures.px_per_pt < COARSE_PX_PER_PT
    if coarse and measures.contrast is not None:
        clean &= (measures.contrast < CONTRAST_INK) | (fill < FILL_LINE)
    state[clean] = EMPTY
    state[(state == DOUBT) & (strong < STROKE_EMPTY) & (trace < TRACE_EMPTY)
          & (fill < FILL_MARK)] = GREY
    fine = np.zeros(len(fill), bool)
    for t_min, s_min in TRACE_MARK:
        fine |= (trace >= t_min) & (strong >= s_min) & (fill >= TRACE_FILL)
    if coarse:
        fine |= (trace >= TRACE_COARSE) & (fill >= TRACE_FILL)
        if measures.contrast is not None:
            fine |= (measures.contrast >= CONTRAST_MARK) & (trace >= TRACE_LINE) \
                & (fill >= TRACE_FILL)
    state[(fill >= FILL_MARK) | ((strong >= STROKE_MARK) & (fill >= STROKE_FILL)) | fine] = MARKED
    return state


def bubble_states(template: Template, layout: BubbleLayout, on_page: np.ndarray,
                  measures: BubbleMeasures) -> np.ndarray:
    """MARKED, EMPTY, DOUBT or GREY for every bubble of the page, from the ink inside it."""
    return classify(measures, layout.appearance[on_page], single_rows(template, layout, on_page),
                    layout.labelled[on_page])


def light_marks(state: np.ndarray, measures: BubbleMeasures) -> np.ndarray:
    """Marked bubbles with little ink in them: a stroke, or a neighbour's fill running in."""
    return (state == MARKED) & (measures.fill < FILL_MARK)


def single_rows(template: Template, layout: BubbleLayout, on_page: np.ndarray) -> np.ndarray:
    """Question index for bubbles of one-answer questions with 3+ options, else -1."""
    q = layout.question[on_page]
    ok = np.array([template.questions[i].kind == "single" and len(template.questions[i].options)
                   >= 3 for i in q], bool)
    return np.where(ok, q, -1)


def look_around(template: Template, layout: BubbleLayout, on_page: np.ndarray,
                state: np.ndarray, measures: BubbleMeasures) -> np.ndarray:
    """The bubbles whose surroundings matter: an inked one not solidly filled (a line
    through it?), every box of a several-answer question (ink beside them, or one mark
    running into the next box?), every bubble of a one-answer question with no mark, with
    a mark drawn rather than filled (ink beside another option?) or with two marks (a
    heavy line through one of them?)."""
    stroked = (state != EMPTY) & (measures.fill < FILL_SOLID)
    wanted = stroked.copy()
    qidx = layout.question[on_page]
    for qi in np.unique(qidx):
        sel = qidx == qi
        marks = int((state[sel] == MARKED).sum())
        if template.questions[qi].kind == "multi" or marks != 1 \
                or (stroked[sel] & (state[sel] == MARKED)).any():
            wanted |= sel
    return wanted


def decide(template: Template, layout: BubbleLayout, on_page: np.ndarray,
           measures: BubbleMeasures, state: np.ndarray, added: AddedInk,
           outlines: Registration) -> dict[str, QuestionReading]:
    """One reading per question on the page.

    A question whose printed outlines were not found where it is read is `misaligned`
    and not read at all; so is one with a bubble that shows neither ink nor its own
    outline (cut off the copy, torn away, under a thumb), or ink all around it as well
    (a copy's black edge): what it held cannot be seen.
    A line through a bubble and on is not a mark; ink near the options of a question
    with no mark (`ink-near`) or a line across its only inked bubble (`stroke-across`)
    is a doubt, not a blank. `outlines`: which questions' and bubbles' printed outlines the
    registration found.
    """
    aligned, seen = outlines.aligned, outlines.seen
    state = state.copy()
    # a touch of ink in a bubble, only on the side of a fill beside it: that fill's spill
    state[added.leaning & np.isin(state, (DOUBT, GREY))] = EMPTY
    # ... and a light mark joined to a heavier fill, on its side only: that fill ran over;
    # with less ink between them, the fill's or a mark of its own: a person tells
    spilt = added.leaning & light_marks(state, measures)
    state[spilt & (added.joined >= JOINED_MIN_PT2)] = EMPTY
    run_in = spilt & (added.joined < JOINED_MIN_PT2)
    # a line through a bubble, and no more; one that left no ink inside is no one's doubt
    line = (((added.crossed > 0) & (measures.fill < FILL_SOLID)) | added.lined) \
        & (state != EMPTY)
    # a stroke from far out that may be a tick's long arm: the question is a doubt
    unsure = line & (added.crossed == REACHING)
    state[line] = EMPTY
    near = added.near >= NEAR_MIN_PT2
    qidx = layout.question[on_page]
    values = [v for v, keep in zip(layout.values, on_page, strict=True) if keep]
    out: dict[str, QuestionReading] = {}
    for qi in np.unique(qidx):
        q = template.questions[qi]
        sel = np.flatnonzero(qidx == qi)
        # a line through a bubble hides its outline; anything else hidden may hide a mark
        if not aligned.get(int(qi), True) or added.covered[sel].any() \
                or any(state[i] == EMPTY and not seen[i] and not added.lined[i] for i in sel):
            out[q.id] = QuestionReading(q.id, "", Code.MISALIGNED)
            continue
        marked = [values[i] for i in sel if state[i] == MARKED]
        doubtful = [values[i] for i in sel if state[i] in (DOUBT, GREY)]
        beside = [i for i in sel if near[i] and state[i] == EMPTY]
        darkest = values[sel[np.argmax(measures.fill[sel])]]
        if q.kind == "multi":
            answer = "|".join(marked)
            # a box marked only by ink running over from the next one: its own fill is partial
            joined = any(run_in[i] or (added.joined[i] >= JOINED_MIN_PT2 and added.leaning[i]
                                       and measures.fill[i] < FILL_SOLID)
                         for i in sel if state[i] == MARKED)
            if (not marked and not doubtful and line[sel].any()) or unsure[sel].any():
                out[q.id] = QuestionReading(q.id, answer, Code.STROKE_ACROSS, answer)
            elif doubtful or beside or joined:
                likely = "|".join(v for i, v in ((i, values[i]) for i in sel)
                                  if v in marked or v in doubtful or i in beside)
                out[q.id] = QuestionReading(q.id, answer,
                                            Code.FAINT_MARK if doubtful else Code.INK_NEAR, likely)
            else:
                out[q.id] = QuestionReading(q.id, answer)
        elif unsure[sel].any():
            out[q.id] = QuestionReading(q.id, marked[0] if len(marked) == 1 else "",
                                        Code.STROKE_ACROSS, marked[0] if len(marked) == 1 else "")
        elif len(marked) > 1:
            out[q.id] = QuestionReading(q.id, "*", Code.MULTIPLE_MARKS, darkest)
        elif doubtful and marked and not beside and _rubbed_out(sel, state, measures):
            out[q.id] = QuestionReading(q.id, marked[0])
        elif doubtful:
            if marked:  # a clear mark beside a half-removed one: someone changed their mind
                out[q.id] = QuestionReading(q.id, marked[0], Code.ERASURE, marked[0])
            else:
                out[q.id] = QuestionReading(q.id, "", Code.FAINT_MARK, darkest)
        elif marked and (beside or run_in[sel].any()):  # ink beside another option too, or
            # the mark is only where a fill beside it runs in: which did they mean?
            out[q.id] = QuestionReading(q.id, marked[0], Code.INK_NEAR, marked[0])
        elif marked:
            out[q.id] = QuestionReading(q.id, marked[0])
        elif line[sel].any():
            out[q.id] = QuestionReading(q.id, "", Code.STROKE_ACROSS)
        elif beside:
            likely = values[max(beside, key=lambda i: added.near[i])]
            out[q.id] = QuestionReading(q.id, "", Code.INK_NEAR, likely)
        else:
            out[q.id] = QuestionReading(q.id, "")
    return out


def _rubbed_out(sel: np.ndarray, state: np.ndarray, measures: BubbleMeasures) -> bool:
    """One clear mark, and beside it only grey smudges with no stroke, much lighter than
    it: a changed mind rubbed out, which a person reads at a glance."""
    marked = sel[state[sel] == MARKED]
    others = sel[(state[sel] != MARKED) & (state[sel] != EMPTY)]
    if len(marked) != 1 or not len(others) or (state[others] != GREY).any():
        return False
    i = marked[0]
    return bool(measures.strong[i] >= STROKE_MARK
                and measures.fill[others].max() < RUBBED_SHARE * measures.fill[i])
