"""What `phieu scan` tells the clerk at the end: every page accounted for."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from phieu.omr import COARSE_PX_PER_PT
from phieu.omr.vocabulary import WORDS, Kind, Status

from .batch import ScanSummary


def print_summary(s: ScanSummary, campaign: Path, echo: Callable[[str], None]) -> None:
    """Every page of this run accounted for, then the campaign's state."""
    echo(f"Read {s.pages_read:,} pages from {s.files:,} files in {s.seconds:.1f} s "
         f"({s.pages_per_second:.0f} pages/s).")
    if s.pages_known:
        echo(f"  Already read before (same files given again): {s.pages_known:,} pages, "
             "not read twice.")
    forms, blank = s.kinds.get(Kind.FORM, 0), s.kinds.get(Kind.BLANK, 0)
    unmarked = sum(s.blank_forms.values())
    echo(f"  This run: {forms - unmarked:,} filled form pages, {unmarked:,} blank form(s) "
         f"(no mark at all: not counted), {blank:,} blank backs skipped, "
         f"{s.kinds.get(Kind.FOREIGN, 0):,} pages not of this survey, "
         f"{s.kinds.get(Kind.ERROR, 0):,} pages that could not be decoded.")
    if s.copies:
        echo(f"  Copies: {sum(s.copies.values()):,} papers carry the number of a form already "
             "read but other answers (a photocopied form): each counted as a respondent of "
             "its own. Per unit: " + _per_unit(s.copies))
    if unmarked:
        echo("  Blank forms per unit: " + _per_unit(s.blank_forms))
    ok, flagged = s.sheets.get(Status.OK, 0), s.sheets.get(Status.FLAGGED, 0)
    decided = s.sheets.get(Status.REVIEWED, 0) + s.sheets.get(Status.REJECTED, 0)
    echo(f"Campaign: {ok:,} sheets read with confidence, {flagged:,} waiting for review"
         + (f", {decided:,} decided by a person" if decided else "") + ".")
    if s.audit and s.audit.drawn:
        a = s.audit
        echo(f"Audit: {a.checked:,} of {a.drawn:,} drawn sheets checked again, {a.wrong:,} "
             "with an answer corrected"
             + (f"; error rate at most {a.upper:.1%} (95 % confidence)." if a.checked else "."))
    if s.flagged_pages:
        echo("Flagged pages this run, by reason:")
        for code, n in sorted(s.flagged_pages.items(), key=lambda cn: (-cn[1], cn[0])):
            echo(f"  {n:6,}  {code}: {WORDS[code].en}")
    if s.coarse_bilevel:
        echo(f"Scanned in black and white under {COARSE_PX_PER_PT * 72:.0f} dpi: a fine pen "
             "tick can vanish from such a scan and its question read as blank. Scan these "
             "pages again in grey, or at 200 dpi or more, and give them to phieu scan (the "
             "review page then asks which scan of each sheet to keep):")
        for path, n in sorted(s.coarse_bilevel.items()):
            echo(f"  {path}: {n:,} form pages")
    if s.failed_files:
        echo("Files that could not be read (nothing else was affected):")
        for path, why in s.failed_files:
            echo(f"  {path}: {why}")
    if s.failed_pages:
        echo("Pages that could not be decoded (kept as flagged rows; scan them again):")
        for path, page, why in s.failed_pages:
            echo(f"  {path} page {page}: {why}")
    if flagged or s.flagged_pages:
        echo(f"Next: phieu review {campaign}   (settle the flagged sheets in a browser)")


def _per_unit(counts: dict[str, int]) -> str:
    return ", ".join(f"{unit or 'number unreadable'}: {n:,}"
                     for unit, n in sorted(counts.items()))
