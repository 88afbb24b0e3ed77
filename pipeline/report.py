"""`phieu report`: bao-cao.pdf, bao-cao.docx, bao-cao.xlsx and bao-cao.csv for a campaign."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from .campaign import Campaign
from .errors import PhieuError
from .report_body import build
from .report_docx import write_docx
from .report_pdf import write_pdf
from .report_xlsx import write_xlsx
from .results import Results, compute


@dataclass(frozen=True)
class ReportFiles:
    xlsx: Path
    pdf: Path
    docx: Path
    csv: Path
    results: Results
    seconds: float


def report(campaign: Campaign, out: Path | None = None, plan: Path | None = None) -> ReportFiles:
    started = time.perf_counter()
    out = out or campaign.root / "bao-cao"
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise PhieuError(f"{out}: cannot make the folder: {e.strerror}") from e
    results = compute(campaign, plan)
    files = ReportFiles(out / "bao-cao.xlsx", out / "bao-cao.pdf", out / "bao-cao.docx",
                        out / "bao-cao.csv", results, 0.0)
    try:
        long = results.levels.copy()
        long.insert(1, "unit_name", long["unit_code"].map(
            {u.code: u.name for u in campaign.layout.units}))
        long.to_csv(files.csv, index=False, encoding="utf-8")
        write_xlsx(results, campaign, files.xlsx)
        document = build(results, campaign)
        write_pdf(document, files.pdf)
        write_docx(document, files.docx)
    except OSError as e:
        raise PhieuError(f"{out}: cannot write the report: {e.strerror}") from e
    return ReportFiles(files.xlsx, files.pdf, files.docx, files.csv, results,
                       time.perf_counter() - started)
