"""Pages for the reader: the printed reference form, filled and scanned by the generator."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pypdfium2
import pytest

from phieu.forms.template import Template
from phieu.samples.batch import SheetTruth, ink_for_page
from phieu.samples.scanner import Look, scan

DPI = 200


@pytest.fixture(scope="session")
def form(printed_reference):
    """(template, render(pdf_page, dpi) -> printed grey page) for the printed reference."""
    template = Template.read(printed_reference / "template.json")
    pdf = pypdfium2.PdfDocument(str(printed_reference / "forms.pdf"))
    cache: dict = {}

    def render(index: int = 0, dpi: int = DPI) -> np.ndarray:
        key = (index, dpi)
        if key not in cache:
            img = pdf[index].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            cache[key] = np.asarray(img)
        return cache[key]

    return template, render


def answers_for(template: Template, rng: np.random.Generator, kind: str = "pen"
                ) -> SheetTruth:
    """A sheet with one answer on every question, each marked with `kind`."""
    truth = SheetTruth("18070-000001", [0])
    for q in template.questions:
        v = q.options[int(rng.integers(len(q.options)))].value
        truth.marks[q.id] = [(v, kind)]
        truth.answers[q.id] = v
    return truth


def scanned(printed: np.ndarray, template: Template, truth: SheetTruth, look: Look | None = None,
            dpi: int = DPI, seed: int = 0) -> np.ndarray:
    """The filled page as a scanner gives it back."""
    rng = np.random.default_rng(seed)
    ink = ink_for_page(template, truth, 1, printed.shape, dpi / 72, rng)
    return scan(printed, ink, look or Look(), rng)


def look(**kw) -> Look:
    return replace(Look(), **kw)
