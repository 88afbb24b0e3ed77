"""How a page's reading is kept in the store, and read back: the only place that knows.

Answers and doubtful readings are JSON objects; the homography (template points to the
pixels of the page as read) a JSON 3x3 list rounded to 6 decimals; the bubbles' measures
16-bit floats, every bubble's fill, then every bubble's strong-ink share; reasons a JSON
list beside the text the export writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from phieu.omr.vocabulary import Code, Reason

# the pictures kept of a page: the page a person reviews, straightened, and the handwriting
# in a free-text box, kept sharper (pixels a point of the template)
PAGE_PX_PER_PT = 100 / 72
TEXT_PX_PER_PT = 150 / 72


@dataclass(frozen=True)
class Measures:
    """Per bubble of a page, in the template's order: how much of it is inked, and how much
    of that ink is strong (the review page shows both beside each option)."""
    fill: np.ndarray
    strong: np.ndarray


def measures_blob(m: Measures | None) -> bytes | None:
    if m is None:
        return None
    return np.concatenate([m.fill, m.strong]).astype(np.float16).tobytes()


def measures_of(blob: bytes | None) -> Measures | None:
    if not blob:
        return None
    values = np.frombuffer(blob, dtype=np.float16)
    half = len(values) // 2
    return Measures(values[:half], values[half:])


def homography_text(h: np.ndarray | None) -> str | None:
    return None if h is None else json.dumps(np.round(h, 6).tolist())


def homography_of(text: str | None) -> np.ndarray | None:
    return None if text is None else np.array(json.loads(text))


def mapping_text(d: dict | None) -> str | None:
    """Answers as kept (None, not a page of the form, stays None)."""
    return None if d is None else json.dumps(d)


def doubts_text(readings: dict | None) -> str | None:
    """The doubtful readings as kept: none at all is NULL."""
    return json.dumps(readings) if readings else None


def mapping_of(text: str | None) -> dict:
    return json.loads(text or "{}")


def reasons_data(reasons: list[Reason]) -> str:
    """Reasons as the store keeps them beside their text: JSON [[code, about], …], with the
    quoted cell third when there is one."""
    return json.dumps([[r.code.value, r.about, *([] if r.cell is None else [r.cell])]
                       for r in reasons], ensure_ascii=False)


def reasons_of(data: str | None) -> list[Reason]:
    out = []
    for code, about, *cell in json.loads(data or "[]"):
        out.append(Reason(Code(code), about, cell[0]) if cell else Reason.said(Code(code), about))
    return out
