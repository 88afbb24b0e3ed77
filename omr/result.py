"""What reading one page gives: plain data, no images kept beyond what is asked for."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from phieu.forms.identity import PageIdentity

from .vocabulary import Code, Kind, Reason

FORM, BLANK, FOREIGN = Kind.FORM, Kind.BLANK, Kind.FOREIGN
# a scan coarser than this (pixels a point, about 170 dpi) shows a fine pen line with no dark
# pixel at all; thresholded to black and white, it may show none of it
COARSE_PX_PER_PT = 2.4
TEXT_INK_MIN = 0.004  # share of inked pixels in a free-text box that means something is written


@dataclass(frozen=True)
class QuestionReading:
    id: str
    answer: str  # option value; "" for no answer; values joined by "|" (multi); "*" (several)
    doubt: Code | None = None  # one of the vocabulary's question codes
    reading: str = ""  # what the answer would be if the doubt were settled the likely way


@dataclass
class PageResult:
    kind: Kind
    identity: PageIdentity | None = None
    identity_source: str = ""  # qr | ocr | qr+ocr
    doubts: list[Reason] = field(default_factory=list)  # reasons a person can act on
    questions: dict[str, QuestionReading] = field(default_factory=dict)
    fill: np.ndarray | None = None  # per bubble, template order: mean ink inside, 0..1
    strong: np.ndarray | None = None  # per bubble: share of clearly inked pixels inside
    homography: np.ndarray | None = None  # template points -> image pixels
    markers: int = 0
    rotation: int = 0  # degrees clockwise the page was turned on the scanner
    text_ink: dict[str, float] = field(default_factory=dict)  # free-text box -> ink share
    unmarked: bool = False  # a form page nobody filled in: every question certainly blank,
    # nothing written, no doubt about anything but whose page it is
    px_per_pt: float = 0.0  # how finely the page was scanned, as read
    bilevel: bool = False  # black and white only (a 1-bit scan)

    @property
    def answers(self) -> dict[str, str]:
        return {q: r.answer for q, r in self.questions.items()}

    @property
    def strokes_may_vanish(self) -> bool:
        """A black-and-white scan coarser than COARSE_PX_PER_PT: a fine pen tick may have
        been thresholded away entirely, so a blank there is less sure than it reads."""
        return self.bilevel and 0 < self.px_per_pt < COARSE_PX_PER_PT

    @property
    def written(self) -> list[str]:
        """The free-text boxes something is written in, in the template's order."""
        return [box for box, ink in self.text_ink.items() if ink >= TEXT_INK_MIN]

    @property
    def ok(self) -> bool:
        return self.kind == FORM and not self.doubts
