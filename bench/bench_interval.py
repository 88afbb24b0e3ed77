"""How often the report's 95 % interval holds a unit's true index, on simulated units.

    .venv/bin/python bench/bench_interval.py [--runs 2000]

Each run draws a unit's year of cases (a simulated population whose true index is
known), samples n of them without replacement, and computes the interval two ways:
the t interval on respondent scores (what the report uses, with the finite-population
correction) and a percentile bootstrap over respondents. Prints the coverage of each.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from phieu.forms.layout import load_layout
from phieu.pipeline.report.estimate import respondent_scores, unit_estimate
from phieu.samples.respondents import population

ROOT = Path(__file__).resolve().parents[1]
# (yearly cases, sample): a small commune surveyed nearly in full, a big ward sampled
DESIGNS = [(95, 30), (400, 60), (2960, 200), (2960, 15)]


def bootstrap(scores: np.ndarray, rng: np.random.Generator, draws: int = 400
              ) -> tuple[float, float]:
    means = rng.choice(scores, (draws, len(scores))).mean(axis=1)
    return float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--layout", default=str(ROOT / "layouts" / "ha-tinh-2022.yaml"))
    args = ap.parse_args()
    layout = load_layout(args.layout)
    rng = np.random.default_rng(7)
    print(f"{'cases':>6}{'sample':>8}{'t interval':>12}{'bootstrap':>11}")
    for cases, n in DESIGNS:
        hit_t = hit_b = 0
        for _ in range(args.runs):
            pop = respondent_scores(population(layout, cases, rng, mood=rng.normal(0, 0.7)),
                                    layout).dropna().to_numpy()
            truth = pop.mean()
            sample = rng.choice(pop, min(n, len(pop)), replace=False)
            e = unit_estimate(sample, len(pop))
            hit_t += e.low <= truth <= e.high
            low, high = bootstrap(sample, rng)
            hit_b += low <= truth <= high
        print(f"{cases:>6}{n:>8}{hit_t / args.runs:>12.1%}{hit_b / args.runs:>11.1%}")


if __name__ == "__main__":
    main()
