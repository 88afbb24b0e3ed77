"""Simulated respondents: a unit's whole year of cases answering the survey, whose true
index is known, to sample from and check the report's intervals against."""

from __future__ import annotations

import numpy as np
import pandas as pd

from phieu.forms.layout import Layout


def population(layout: Layout, cases: int, rng: np.random.Generator, mood: float = 0.0,
               blank: float = 0.03) -> pd.DataFrame:
    """Answers of `cases` people: each person leans one way (so their answers go
    together, as real ones do), `mood` shifts the whole unit (logit), and each graded
    question is left blank with probability `blank`."""
    lean = rng.normal(mood, 1.2, cases)
    cols = {}
    for q in layout.questions:
        if not q.scale:
            continue
        values = np.array([o.value for o in layout.scales[q.scale].levels])
        k = len(values)
        # level from the person's lean plus noise, cut into k ordered levels
        latent = lean + rng.logistic(0, 0.8, cases)
        cuts = np.linspace(-2.0, 1.0, k - 1) if k > 2 else np.array([-0.5])
        picked = values[np.searchsorted(cuts, latent)]
        cols[q.id] = np.where(rng.random(cases) < blank, "", picked)
    return pd.DataFrame(cols)
