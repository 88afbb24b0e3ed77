"""Hold a scan's export against the truth a batch was made with.

The measures the project is judged by: wrong answers on sheets marked
`ok` (must be 0), pages lost (0), sheets counted twice (0), the share of
sheets accepted without a person, and the share flagged that needed no
flag. A sheet here is a paper: a photocopy filled by another person is a
sheet of its own (its printed id and its copy number), a blank form none.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from phieu.omr.vocabulary import Kind
from phieu.pipeline.store import Store
from phieu.pipeline.store.pages import blank_form_pages, files, page_kinds


@dataclass
class Score:
    sheets: int = 0  # distinct sheets in the batch
    accepted: int = 0  # exported with status ok
    wrong: list[str] = field(default_factory=list)  # "sheet q07: read 3, truth 4" on ok sheets
    answers_checked: int = 0  # answers on sheets exported ok, each held against the truth
    needless: list[str] = field(default_factory=list)  # flagged, though nothing needed a person
    needed: int = 0  # sheets whose truth needs a person
    missed_flags: list[str] = field(default_factory=list)  # needed a person, exported ok
    double_counted: list[str] = field(default_factory=list)
    pages: int = 0
    pages_stored: int = 0
    blank_pages: int = 0
    blank_skipped: int = 0
    foreign_pages: int = 0
    foreign_flagged: int = 0
    copies: int = 0  # papers beyond the first with a printed id (photocopies)
    blank_forms: int = 0  # forms scanned blank
    blank_forms_kept: int = 0  # ... stored as blank forms, counting for nothing

    @property
    def accepted_share(self) -> float:
        return self.accepted / self.sheets if self.sheets else 0.0

    @property
    def needless_share(self) -> float:
        clean = self.sheets - self.needed
        return len(self.needless) / clean if clean else 0.0

    @property
    def silent_per_million(self) -> float:
        """Wrong answers stored as certain, per million answers stored as certain."""
        return len(self.wrong) / self.answers_checked * 1e6 if self.answers_checked else 0.0

    @property
    def pages_lost(self) -> int:
        return self.pages - self.pages_stored

    def line(self) -> str:
        return (f"{self.sheets} sheets: {self.accepted_share:.1%} accepted, "
                f"{len(self.wrong)} wrong answers on ok sheets "
                f"({self.silent_per_million:.0f} per million), {self.pages_lost} pages lost, "
                f"{len(self.double_counted)} counted twice, needless flags "
                f"{self.needless_share:.1%} ({len(self.needless)}), "
                f"blank backs skipped {self.blank_skipped}/{self.blank_pages}, "
                f"foreign flagged {self.foreign_flagged}/{self.foreign_pages}, "
                f"copies {self.copies}, blank forms kept apart "
                f"{self.blank_forms_kept}/{self.blank_forms}")


def score(export: pd.DataFrame, truth: dict, store: Store, scan_dir: Path) -> Score:
    """Compare; `scan_dir` is the folder the truth's file names are relative to."""
    s = Score()
    sheets: dict[tuple[str, int], dict[str, str]] = {}
    needs: dict[tuple[str, int], bool] = {}
    for f in truth["files"]:
        for p in f["pages"]:
            s.pages += 1
            if p["kind"] == "blank":
                s.blank_pages += 1
            elif p["kind"] == "foreign":
                s.foreign_pages += 1
            elif p["kind"] == "blank_form":
                s.blank_forms += 1
            elif not p["second_scan"]:
                paper = (p["sheet_id"], p.get("copy", 1))
                sheets.setdefault(paper, {}).update(p["answers"])
                needs[paper] = needs.get(paper, False) or p["needs_flag"]
    s.sheets = len(sheets)
    s.copies = sum(1 for _, copy in sheets if copy > 1)
    s.needed = sum(needs.values())
    papers = export[(export["sheet_id"] != "") & (export["channel"] == "paper")]
    keys = [(sid, int(copy)) for sid, copy in zip(papers["sheet_id"], papers["copy"],
                                                  strict=True)]
    s.double_counted = [f"{sid} copy {c}" for (sid, c), n in Counter(keys).items() if n > 1]
    rows = dict(zip(keys, papers.to_dict("records"), strict=True))
    for paper, answers in sheets.items():
        sid = f"{paper[0]}" + (f" copy {paper[1]}" if paper[1] > 1 else "")
        row = rows.get(paper)
        if row is not None and row["status"] == "ok":
            s.accepted += 1
            s.answers_checked += len(answers)
            for q, value in answers.items():
                if str(row[q]) != value:
                    s.wrong.append(f"{sid} {q}: read {row[q]!r}, truth {value!r}")
            if needs[paper]:
                s.missed_flags.append(sid)
        elif not needs[paper]:
            reason = row["flags"] if row is not None else "no row of its own"
            s.needless.append(f"{sid}: {reason}")
    by_path = {Path(path).resolve(): fid for path, fid in files(store).items()}
    for f in truth["files"]:
        fid = by_path.get((scan_dir / f["path"]).resolve())
        if fid is None:
            continue
        stored = page_kinds(store, fid)
        kept_blank = blank_form_pages(store, fid)
        s.pages_stored += len(stored)
        for n, p in enumerate(f["pages"], 1):
            if p["kind"] == Kind.BLANK and stored.get(n) == Kind.BLANK:
                s.blank_skipped += 1
            if p["kind"] == Kind.FOREIGN and stored.get(n) == Kind.FOREIGN:
                s.foreign_flagged += 1
            if p["kind"] == "blank_form" and n in kept_blank:
                s.blank_forms_kept += 1
    return s
