"""A web form's export as Google Forms writes it, filled by simulated respondents: the
online answers the demo merges with the paper ones.

    .venv/bin/python -m phieu.samples.online OUT.csv [--per-unit N] [--seed S]

A timestamp, the unit by its name, each question headed by its number and text, answers
by their labels, ticked boxes joined with ", ". Two rows are written the way people get
them wrong: a ward named by its name before a merger, and an answer that is no option.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from phieu.forms.layout import Layout

from .respondents import population

UNIT_HEADER = "Phường, xã nơi Ông/Bà làm thủ tục"
OLD_WARD = "Phường Nam Hà cũ"
NO_OPTION = "Tuyệt vời"


def web_form_export(layout: Layout, per_unit: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    choice = [q for q in layout.questions if q.kind != "text"]
    text = next((q for q in layout.questions if q.kind == "text"), None)
    rows = []
    for u_i, unit in enumerate(layout.units):
        graded = population(layout, per_unit, rng, mood=rng.normal(0.3, 0.5), blank=0.0)
        for p in range(per_unit):
            minute = (u_i * per_unit + p) * 37
            row = {"Dấu thời gian": f"{8 + minute // 600 % 3:02d}/10/2022 "
                                    f"{7 + minute // 60 % 10:02d}:{minute % 60:02d}:00",
                   UNIT_HEADER: unit.name}
            for n, q in enumerate(choice, 1):
                options = layout.options_of(q)
                if q.scale:
                    values = [graded.loc[p, q.id]]
                elif q.kind == "multi":
                    values = [o.value for o in options if rng.random() < 0.25]
                else:
                    values = [options[int(rng.integers(len(options)))].value]
                labels = {o.value: o.label for o in options}
                row[f"{n}. {q.text}"] = ", ".join(labels[v] for v in values)
            if text is not None:
                row[text.text] = ""
            rows.append(row)
    frame = pd.DataFrame(rows)
    frame.loc[1, UNIT_HEADER] = OLD_WARD  # a unit the layout does not have
    graded_column = next(f"{n}. {q.text}" for n, q in enumerate(choice, 1) if q.scale)
    frame.loc[len(frame) // 2, graded_column] = NO_OPTION  # typed into an "Other" box
    return frame


def main() -> None:
    from phieu.forms import load_layout
    from phieu.pipeline.resources import reference_layout

    ap = argparse.ArgumentParser(prog="python -m phieu.samples.online",
                                 description="A Google Forms export of simulated answers.")
    ap.add_argument("out", type=Path)
    ap.add_argument("--per-unit", type=int, default=3)
    ap.add_argument("--seed", type=int, default=2022)
    args = ap.parse_args()
    frame = web_form_export(load_layout(reference_layout()), args.per_unit, args.seed)
    frame.to_csv(args.out, index=False, encoding="utf-8")
    print(f"{len(frame)} rows in {args.out}")


if __name__ == "__main__":
    main()
