"""The satisfaction index of a unit and of the whole campaign, with honest intervals.

Each respondent has a score between 0 and 1: per criterion, the share of the
graded questions they answered at a satisfied level; then the mean over the
criteria they answered (over the questions, when the layout has no
criteria). A unit's index is the mean of its respondents' scores, so its
95 % interval comes from how those scores spread: a t interval, with the
finite-population correction when the plan gives the unit's yearly cases,
and none at all when every case was surveyed (a full count). Simulated
campaigns (`bench/bench_interval.py`) cover the true index about 95 % of the
time this way; a bootstrap over respondents covers less on small units.

The overall index weights each unit by its yearly cases when the plan gives
them all (a stratified estimate); otherwise it pools respondents and says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import stdtrit  # Student's t quantile; scipy.stats is a far larger import

from phieu.forms.layout import Layout

CONFIDENCE = 0.95
TOO_WIDE = 0.15  # an interval's half-width beyond which its bounds say nothing useful


@dataclass(frozen=True)
class Estimate:
    index: float  # 0..1, NaN without respondents
    low: float  # the 95 % interval; equal to index for a full count, NaN when unknown
    high: float
    respondents: int
    census: bool = False  # every case of the period was surveyed: no sampling error
    weighted: bool = False  # overall only: units weighted by their yearly cases


def wilson(satisfied: int, n: int) -> tuple[float, float]:
    """95 % Wilson interval of a proportion: one question's index (yes or no per person)."""
    if n == 0:
        return math.nan, math.nan
    z = float(stdtrit(math.inf, 0.5 + CONFIDENCE / 2))  # the normal quantile, 1.959964
    p = satisfied / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def satisfied_table(frame: pd.DataFrame, layout: Layout) -> pd.DataFrame:
    """Per sheet and graded question: 1 satisfied, 0 not, NaN not answered on its scale."""
    cols = {}
    for q in layout.questions:
        if not q.scale:
            continue
        scale = layout.scales[q.scale]
        levels = {o.value for o in scale.levels}
        col = frame[q.id]
        cols[q.id] = np.where(col.isin(levels), col.isin(scale.satisfied).astype(float), np.nan)
    return pd.DataFrame(cols, index=frame.index)


def criterion_scores(frame: pd.DataFrame, layout: Layout) -> pd.DataFrame:
    """Per sheet and criterion (per graded question, when the layout has no criteria): the
    share of that criterion's questions the person answered at a satisfied level; NaN where
    they answered none of them."""
    table = satisfied_table(frame, layout)
    if table.empty:
        return table
    crit = {q.id: q.criterion or q.id for q in layout.questions if q.scale}
    return table.T.groupby(lambda q: crit[q], sort=False).mean().T


def respondent_scores(frame: pd.DataFrame, layout: Layout) -> pd.Series:
    """Per sheet its score (0..1), NaN for a sheet with no graded answer (not a respondent):
    the mean of its criterion scores, so every criterion weighs the same."""
    return scores_of(criterion_scores(frame, layout), frame.index)


def scores_of(per_criterion: pd.DataFrame, index: pd.Index) -> pd.Series:
    """The respondents' scores from their criterion scores (`criterion_scores`)."""
    if per_criterion.empty:
        return pd.Series(np.nan, index=index, dtype=float)
    return per_criterion.mean(axis=1)


def too_wide(low: float, high: float) -> bool:
    """An interval too wide to tell anything (unknown, or a half-width over TOO_WIDE): the
    report says the sample is too small instead of printing its bounds."""
    return math.isnan(low) or (high - low) / 2 > TOO_WIDE


def wide(est: Estimate) -> bool:
    """`too_wide` for an estimate; a full count has no sampling error at all."""
    return not est.census and too_wide(est.low, est.high)


def unit_estimate(scores: Sequence[float] | np.ndarray, cases: int | None = None) -> Estimate:
    """Mean of the respondents' scores with its t interval; `cases`: the unit's yearly
    cases (its population), for the finite-population correction or a full count."""
    x = np.asarray(scores, float)
    x = x[~np.isnan(x)]
    n = len(x)
    if not n:
        return Estimate(math.nan, math.nan, math.nan, 0)
    mean = float(x.mean())
    if cases and n >= cases:
        return Estimate(mean, mean, mean, n, census=True)
    if n < 2:
        return Estimate(mean, math.nan, math.nan, n)
    fpc = (cases - n) / (cases - 1) if cases and cases > 1 else 1.0
    se = float(x.std(ddof=1)) / math.sqrt(n) * math.sqrt(fpc)
    half = float(stdtrit(n - 1, 0.5 + CONFIDENCE / 2)) * se
    return Estimate(mean, max(0.0, mean - half), min(1.0, mean + half), n)


def overall_estimate(units: Sequence[tuple[np.ndarray, int | None]]) -> Estimate:
    """The campaign's index from each unit's scores and yearly cases: stratified (each
    unit weighted by its cases) when every unit with respondents has its cases, else the
    pooled mean of all respondents."""
    parts = [(s[~np.isnan(s)], c) for s, c in ((np.asarray(s, float), c) for s, c in units)]
    parts = [(s, c) for s, c in parts if len(s)]
    if not parts:
        return Estimate(math.nan, math.nan, math.nan, 0)
    if not all(c for _, c in parts):
        return unit_estimate(np.concatenate([s for s, _ in parts]))
    n = sum(len(s) for s, _ in parts)
    total = sum(c for _, c in parts)
    mean = sum(c / total * s.mean() for s, c in parts)
    if all(len(s) >= c for s, c in parts):
        return Estimate(float(mean), float(mean), float(mean), n, census=True, weighted=True)
    terms = []  # per unit: W² (1 - n/N) s² / n, and its degrees of freedom
    for s, c in parts:
        if len(s) >= c or len(s) < 2:  # a full count adds no sampling error
            continue
        terms.append(((c / total) ** 2 * (1 - len(s) / c) * s.var(ddof=1) / len(s), len(s) - 1))
    var = sum(v for v, _ in terms)
    if var <= 0:
        return Estimate(float(mean), math.nan, math.nan, n, weighted=True)
    df = var ** 2 / sum(v ** 2 / d for v, d in terms if v > 0)  # Satterthwaite
    half = float(stdtrit(df, 0.5 + CONFIDENCE / 2)) * math.sqrt(var)
    return Estimate(float(mean), max(0.0, mean - half), min(1.0, mean + half), n,
                    weighted=True)
