"""What `phieu scan` tells the clerk at the end: every page accounted for."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .scan import ScanSummary

REASONS = {  # what each reason means, for the person reading the summary
    "multiple-marks": "several marks on a one-answer question",
    "faint-mark": "a mark too light to call",
    "erasure": "a rubbed-out mark beside an answer",
    "ink-near": "ink beside the options, outside their bubbles",
    "stroke-across": "a long line through a bubble, not a mark in it",
    "misaligned": "the question's bubbles are not where the page says (not read)",
    "id-unreadable": "QR code and printed number unreadable",
    "page-misaligned": "the page could not be lined up exactly",
    "page-not-located": "the corner marks could not be found",
    "duplicate of": "second scan of a sheet already read (not counted again)",
    "unknown sheet": "a sheet number never printed for this campaign",
    "missing page": "a page of the sheet not scanned yet",
    "not a phieu form": "not a page of this survey",
    "unreadable page": "a page that could not be decoded",
    "other survey": "a form of another survey",
}


def print_summary(s: ScanSummary, campaign: Path, echo: Callable[[str], None]) -> None:
    """Every page of this run accounted for, then the campaign's state."""
    echo(f"Read {s.pages_read:,} pages from {s.files:,} files in {s.seconds:.1f} s "
         f"({s.pages_per_second:.0f} pages/s).")
    if s.pages_known:
        echo(f"  Already read before (same files given again): {s.pages_known:,} pages, "
             "not read twice.")
    forms, blank = s.kinds.get("form", 0), s.kinds.get("blank", 0)
    echo(f"  This run: {forms:,} form pages, {blank:,} blank backs skipped, "
         f"{s.kinds.get('foreign', 0):,} pages not of this survey, "
         f"{s.kinds.get('error', 0):,} pages that could not be decoded.")
    ok, flagged = s.sheets.get("ok", 0), s.sheets.get("flagged", 0)
    decided = s.sheets.get("reviewed", 0) + s.sheets.get("rejected", 0)
    echo(f"Campaign: {ok:,} sheets read with confidence, {flagged:,} waiting for review"
         + (f", {decided:,} decided by a person" if decided else "") + ".")
    if s.flagged_pages:
        echo("Flagged pages this run, by reason:")
        for reason, n in s.flagged_pages.most_common():
            echo(f"  {n:6,}  {reason}: {REASONS.get(reason, reason)}")
    if s.failed_files:
        echo("Files that could not be read (nothing else was affected):")
        for path, why in s.failed_files:
            echo(f"  {path}: {why}")
    if s.failed_pages:
        echo("Pages that could not be decoded (kept as flagged rows; scan them again):")
        for path, page, why in s.failed_pages:
            echo(f"  {path} page {page}: {why.removeprefix('unreadable page: ')}")
    if flagged or s.flagged_pages:
        echo(f"Next: phieu review {campaign}   (settle the flagged sheets in a browser)")
