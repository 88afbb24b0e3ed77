"""`phieu report`: bao-cao.pdf, bao-cao.docx, bao-cao.xlsx and bao-cao.csv for a campaign."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ..campaign import Campaign
from ..files import folder_for, write_csv, written
from .body import build
from .excel import write_xlsx
from .pdf import serif, write_pdf
from .results import Results, compute
from .word import write_docx


@dataclass(frozen=True)
class ReportFiles:
    xlsx: Path
    pdf: Path
    docx: Path
    csv: Path
    results: Results
    seconds: float
    serif: bool = True  # the PDF is set in the administrative serif (else: font missing)


def report(campaign: Campaign, out: Path | None = None, plan: Path | None = None) -> ReportFiles:
    started = time.perf_counter()
    out = out or campaign.root / "bao-cao"
    folder_for(out, "the report")
    results = compute(campaign, plan)
    files = ReportFiles(out / "bao-cao.xlsx", out / "bao-cao.pdf", out / "bao-cao.docx",
                        out / "bao-cao.csv", results, 0.0)
    long = results.levels.copy()
    long.insert(1, "unit_name", long["unit_code"].map(
        {u.code: u.name for u in campaign.layout.units}))
    with written(files.csv) as path:
        write_csv(long, path)
    with written(files.xlsx) as path:
        write_xlsx(results, campaign, path)
    document = build(results, campaign)
    with written(files.pdf) as path:
        write_pdf(document, path)
    with written(files.docx) as path:
        write_docx(document, path)
    return ReportFiles(files.xlsx, files.pdf, files.docx, files.csv, results,
                       time.perf_counter() - started, serif() is not None)
