"""A printed campaign for the phones to photograph, and photos of its sheets."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.capture.phone import GOOD, TROUBLED, sheet_photo
from tests.review.conftest import printed_campaign


@pytest.fixture(scope="session")
def printed(tmp_path_factory, backend) -> dict:
    """A campaign of the reference layout with one sheet printed per unit, and photos of
    its sheets: good ones, a second photo of the first paper, one for each trouble."""
    base = tmp_path_factory.mktemp("capture")
    c, template, rows, pdf, _ = printed_campaign(base, backend)
    good = [sheet_photo(template, pdf, i) for i in range(3)]
    again, _ = sheet_photo(template, pdf, 0, TROUBLED_AGAIN, seed=1)
    troubled = {name: sheet_photo(template, pdf, 1, shot)[0] for name, shot in TROUBLED.items()}
    troubled_again = {name: sheet_photo(template, pdf, 1, replace(shot, turn_deg=-4.0))[0]
                      for name, shot in TROUBLED.items()}
    return {"campaign": c, "template": template, "rows": rows, "pdf": pdf,
            "good": [g for g, _ in good], "answers": [a for _, a in good], "again": again,
            "troubled": troubled, "troubled_again": troubled_again, "backend": backend}


# the first paper photographed again, by another hand: the same ink, another picture
TROUBLED_AGAIN = GOOD.__class__(**{**GOOD.__dict__, "tilt_deg": 12.0, "tilt_axis_deg": 200.0,
                                   "turn_deg": -3.0, "fill": 0.84, "paper": 190.0})


@pytest.fixture()
def kit(printed, tmp_path) -> dict:
    """A fresh copy of the printed campaign (on the same backend) for a test to capture into."""
    return {**printed, "campaign": printed["backend"].copy(printed["campaign"],
                                                            tmp_path / "campaign")}
