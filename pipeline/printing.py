"""`phieu print`: reserve serials, draw the PDF, write the manifest and template."""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from phieu.forms import SheetToPrint, render_pdf, sheet_id
from phieu.forms.plan import PlanError, read_plan
from phieu.forms.poster import write_posters

from .campaign import Campaign, check_template
from .errors import PhieuError
from .files import folder_for, written

MANIFEST_COLUMNS = ("pdf_page", "sheet_id", "unit_code", "serial", "form_page")
OUTPUTS = ("forms.pdf", "manifest.csv", "template.json")


@dataclass(frozen=True)
class PrintResult:
    out_dir: Path
    run: int
    sheets: int
    pages: int
    seconds: float
    first_serial: int
    last_serial: int


def sheet_counts(campaign: Campaign, copies: int | None, plan: Path | None,
                 units: tuple[str, ...]) -> list[tuple[str, int]]:
    """How many sheets to print for each unit, in the layout's unit order."""
    known = {u.code: u.name for u in campaign.layout.units}
    for code in units:
        if code not in known:
            raise PhieuError(f"unit '{code}' is not in the campaign's layout "
                             f"({campaign.root / 'layout.yaml'})")
    chosen = [u.code for u in campaign.layout.units if not units or u.code in units]
    if plan is not None:
        try:
            counts = read_plan(plan, known)
        except PlanError as e:
            raise PhieuError(str(e)) from e
        return [(code, counts[code]) for code in chosen if counts.get(code)]
    return [(code, copies if copies is not None else 1) for code in chosen]


def _default_out(campaign: Campaign) -> Path:
    prints = campaign.root / "prints"
    n = 1
    while (prints / f"run-{n:03d}").exists():
        n += 1
    return prints / f"run-{n:03d}"


def print_forms(campaign: Campaign, copies: int | None = None, plan: Path | None = None,
                units: tuple[str, ...] = (), out: Path | None = None,
                progress: Callable[[int], None] | None = None) -> PrintResult:
    """Print sheets for a campaign; serials never repeat across runs."""
    started = time.perf_counter()
    counts = sheet_counts(campaign, copies, plan, units)
    total = sum(n for _, n in counts)
    if total == 0:
        raise PhieuError("nothing to print: no unit has a sheet to print")
    out = out or _default_out(campaign)
    taken = [name for name in OUTPUTS if (out / name).exists()]
    if taken:
        raise PhieuError(f"{out / taken[0]}: already exists; print into an empty folder "
                         "(earlier forms keep their serials)")
    check_template(campaign)
    geometry = campaign.geometry
    template = campaign.published_template
    folder_for(out, "the forms")
    code = campaign.code
    run, printed = campaign.store.allocate_serials(counts, str(out), template.pages, sheet_id)
    layout = campaign.layout
    names = {u.code: u.name for u in layout.units}
    sheets = [SheetToPrint(s.unit_code, names[s.unit_code], layout.area, s.serial)
              for s in printed]
    rows = []
    with written(out / "forms.pdf") as partial:
        for page in render_pdf(geometry, sheets, partial, title=layout.title, campaign=code):
            ident = page.identity
            rows.append((page.pdf_page, ident.sheet_id, ident.unit_code,
                         f"{ident.serial:06d}", ident.form_page))
            if progress:
                progress(1)
    with written(out / "manifest.csv") as partial, partial.open("w", encoding="utf-8",
                                                                 newline="") as f:
        w = csv.writer(f)
        w.writerow(MANIFEST_COLUMNS)
        w.writerows(rows)
    with written(out / "template.json") as partial:
        template.write(partial)
    if plan is not None:
        campaign.keep_plan(plan)
    return PrintResult(out, run, len(printed), len(rows), time.perf_counter() - started,
                       printed[0].serial, printed[-1].serial)


POSTERS = "posters.pdf"


def print_posters(campaign: Campaign, units: tuple[str, ...] = (),
                  out: Path | None = None) -> tuple[Path, list[tuple[str, str, str]]]:
    """An A4 poster per unit (all, or those named) with the QR code of the online form;
    also posters.csv: unit, name and the address each QR code opens. Returns the PDF
    and those rows."""
    layout = campaign.layout
    if not layout.online_url:
        raise PhieuError(f"{campaign.root / 'layout.yaml'}: the layout has no online form; "
                         "add online: {url: \"https://…{unit_code}\"} to the layout and make "
                         "the campaign again")
    known = {u.code: u for u in layout.units}
    unknown = [code for code in units if code not in known]
    if unknown:
        raise PhieuError(f"unit '{unknown[0]}' is not one of the layout's units")
    chosen = [known[c] for c in units] if units else list(layout.units)
    out = out or campaign.root / "posters"
    folder_for(out, "the posters")
    with written(out / POSTERS) as partial:
        addresses = write_posters(layout, chosen, partial)
    rows = [(u.code, u.name, url) for u, url in zip(chosen, addresses, strict=True)]
    with written(out / "posters.csv") as partial, partial.open("w", encoding="utf-8",
                                                                newline="") as f:
        w = csv.writer(f)
        w.writerow(["unit_code", "unit_name", "url"])
        w.writerows(rows)
    return out / POSTERS, rows
