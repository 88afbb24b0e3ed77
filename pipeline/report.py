"""`phieu report`: bao-cao.xlsx, bao-cao.pdf and bao-cao.csv for a campaign."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from .campaign import Campaign
from .errors import PhieuError
from .report_pdf import write_pdf
from .report_xlsx import write_xlsx
from .results import Results, compute

PLAN_FILE = "plan.csv"  # a campaign's plan, kept by `phieu print --plan`


@dataclass(frozen=True)
class ReportFiles:
    xlsx: Path
    pdf: Path
    csv: Path
    results: Results
    seconds: float


def keep_plan(campaign: Campaign, plan: Path) -> None:
    """Remember the plan a campaign was printed for; the report compares against it."""
    shutil.copyfile(plan, campaign.root / PLAN_FILE)


def report(campaign: Campaign, out: Path | None = None, plan: Path | None = None) -> ReportFiles:
    started = time.perf_counter()
    out = out or campaign.root / "bao-cao"
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise PhieuError(f"{out}: cannot make the folder: {e.strerror}") from e
    plan = plan or (campaign.root / PLAN_FILE if (campaign.root / PLAN_FILE).is_file() else None)
    results = compute(campaign, plan)
    files = ReportFiles(out / "bao-cao.xlsx", out / "bao-cao.pdf", out / "bao-cao.csv",
                        results, 0.0)
    try:
        long = results.levels.copy()
        long.insert(1, "unit_name", long["unit_code"].map(
            {u.code: u.name for u in campaign.layout.units}))
        long.to_csv(files.csv, index=False, encoding="utf-8")
        write_xlsx(results, campaign, files.xlsx)
        write_pdf(results, campaign, files.pdf)
    except OSError as e:
        raise PhieuError(f"{out}: cannot write the report: {e.strerror}") from e
    return ReportFiles(files.xlsx, files.pdf, files.csv, results,
                       time.perf_counter() - started)
