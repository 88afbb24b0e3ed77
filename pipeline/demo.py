"""`phieu demo`: the whole flow on the bundled sample campaign, in one folder."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from phieu.forms.plan import read_cases, write_plan

from .campaign import new_campaign
from .errors import PhieuError
from .printing import print_forms
from .resources import reference_layout, samples_dir

MARKER = ".phieu-demo"  # a folder with this file was made by the demo and may be remade


def _fresh_folder(directory: Path) -> None:
    if directory.exists() and any(directory.iterdir()):
        if not (directory / MARKER).is_file():
            raise PhieuError(f"{directory}: folder exists and is not a phieu demo; "
                             "give another folder: phieu demo DIR")
        shutil.rmtree(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MARKER).write_text("made by phieu demo; safe to delete\n", encoding="utf-8")


def run_demo(directory: Path, echo: Callable[[str], None] = print) -> dict[str, Path]:
    """Plan, make and print the sample campaign; returns where each artefact is."""
    _fresh_folder(directory)
    layout_path = reference_layout()
    campaign_dir = directory / "campaign"
    echo(f"1/3  Campaign from the reference layout {layout_path.name}")
    with new_campaign(campaign_dir, layout_path) as campaign:
        units = {u.code: u.name for u in campaign.layout.units}
        cases = samples_dir() / "ha-tinh-2022" / "cases.csv"
        rows = read_cases(cases, units)
        plan_path = directory / "plan.csv"
        write_plan(rows, plan_path)
        echo(f"2/3  Sample plan: {sum(r.min_sample for r in rows):,} forms at least for "
             f"{len(rows)} units, from yearly case counts → {plan_path}")
        result = print_forms(campaign, copies=2, out=directory / "print")
        echo(f"3/3  Printed 2 sheets for each of {len(units)} units: {result.pages} pages "
             f"in {result.seconds:.1f} s → {result.out_dir / 'forms.pdf'}")
    echo("")
    echo(f"Done. Open {result.out_dir / 'forms.pdf'} to see the forms; "
         f"the full print for the plan would be: phieu print {campaign_dir} --plan {plan_path}")
    return {"campaign": campaign_dir, "plan": plan_path, "forms": result.out_dir / "forms.pdf",
            "manifest": result.out_dir / "manifest.csv",
            "template": result.out_dir / "template.json"}
