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

from .measure import BubbleLayout, BubbleMeasures
from .result import QuestionReading

MARKED, EMPTY, DOUBT = 2, 0, 1
# excess over the empty reference, on a 0 (paper) .. 1 (printed black) scale
FILL_MARK = 0.22  # mean ink inside: a fill, pencil included
STROKE_MARK = 0.09  # share of clearly inked pixels: a tick or a cross ...
STROKE_FILL = 0.07  # ... with at least this much ink overall
FILL_EMPTY = 0.08
STROKE_EMPTY = 0.04
EMPTY_PRIOR = 0.12  # an empty bubble never reads darker than this
ROW_SHADE_MAX = 0.1  # a row's own empties may read this much darker than the sheet's


def empty_reference(values: np.ndarray, appearance: np.ndarray,
                    rows: np.ndarray | None = None) -> np.ndarray:
    """Per bubble, the measure an empty bubble of its kind has on this sheet.

    `rows` groups the bubbles of one-answer questions with three or more options:
    there at most one bubble is meant to be marked, so the second lightest shows what
    empty looks like on that row (a crease's shadow, a grey band of the scanner).
    """
    overall = min(float(np.percentile(values, 30)), EMPTY_PRIOR) if len(values) else 0.0
    ref = np.empty_like(values)
    for cls in np.unique(appearance):
        sel = appearance == cls
        # the kind's own median, unless marks outnumber empties among them
        ref[sel] = min(float(np.median(values[sel])), overall + 0.05)
    if rows is not None:
        for row in np.unique(rows[rows >= 0]):
            sel = rows == row
            local = float(np.sort(values[sel])[1])
            ref[sel] = np.clip(local, ref[sel], ref[sel] + ROW_SHADE_MAX)
    return ref


def classify(measures: BubbleMeasures, appearance: np.ndarray,
             rows: np.ndarray | None = None) -> np.ndarray:
    fill = measures.fill - empty_reference(measures.fill, appearance, rows)
    strong = measures.strong - empty_reference(measures.strong, appearance, rows)
    state = np.full(len(fill), DOUBT)
    state[(fill < FILL_EMPTY) & (strong < STROKE_EMPTY)] = EMPTY
    state[(fill >= FILL_MARK) | ((strong >= STROKE_MARK) & (fill >= STROKE_FILL))] = MARKED
    return state


def single_rows(template: Template, layout: BubbleLayout, on_page: np.ndarray) -> np.ndarray:
    """Question index for bubbles of one-answer questions with 3+ options, else -1."""
    q = layout.question[on_page]
    ok = np.array([template.questions[i].kind == "single" and len(template.questions[i].options)
                   >= 3 for i in q], bool)
    return np.where(ok, q, -1)


def decide(template: Template, layout: BubbleLayout, on_page: np.ndarray,
           measures: BubbleMeasures) -> dict[str, QuestionReading]:
    """One reading per question on the page."""
    state = classify(measures, layout.appearance[on_page], single_rows(template, layout, on_page))
    qidx = layout.question[on_page]
    values = [v for v, keep in zip(layout.values, on_page, strict=True) if keep]
    out: dict[str, QuestionReading] = {}
    for qi in np.unique(qidx):
        q = template.questions[qi]
        sel = np.flatnonzero(qidx == qi)
        marked = [values[i] for i in sel if state[i] == MARKED]
        doubtful = [values[i] for i in sel if state[i] == DOUBT]
        darkest = values[sel[np.argmax(measures.fill[sel])]]
        if q.kind == "multi":
            answer = "|".join(marked)
            if doubtful:
                likely = "|".join(v for v in (values[i] for i in sel)
                                  if v in marked or v in doubtful)
                out[q.id] = QuestionReading(q.id, answer, "faint-mark", likely)
            else:
                out[q.id] = QuestionReading(q.id, answer)
        elif len(marked) > 1:
            out[q.id] = QuestionReading(q.id, "*", "multiple-marks", darkest)
        elif doubtful:
            if marked:  # a clear mark beside a half-removed one: someone changed their mind
                out[q.id] = QuestionReading(q.id, marked[0], "erasure", marked[0])
            else:
                out[q.id] = QuestionReading(q.id, "", "faint-mark", darkest)
        else:
            out[q.id] = QuestionReading(q.id, marked[0] if marked else "")
    return out
