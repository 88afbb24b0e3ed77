"""Which paper a newly read page belongs to: a respondent is a paper, not a serial.

A page naming a printed sheet whose page was read before is

- a **second scan** of that paper when its marks agree with it (allowing for what
  either reading left in doubt): kept, flagged, never counted twice;
- **another paper** with the same printed id when its marks clearly differ (a
  photocopied form, a form printed twice): counted as a respondent of its own,
  a further copy, without asking a person;
- a **blank form** when it holds no mark at all (the print file scanned, a form
  fed through the scanner before it was handed out): accounted for, never a
  respondent, never the sheet's first scan; the filled one scanned later is.

The pages of a form of several pages are put together per paper: a page joins
the paper still lacking that page that was scanned beside it in the batch (the
same file, a page or two apart, in the form's order), or else the only one
lacking it; otherwise it
starts a paper of its own, and what cannot be paired is flagged as a missing
page. An empty page (a respondent may leave a page of comments empty) joins a
paper the same way; one that was not scanned beside its paper gives way to a
filled page of the same sheet that turns up later.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..store import Db
from ..store.papers import PaperPage, copies, counted_pages, loose_blank_pages, paper_key

DIFFERENT_ANSWERS = 2  # answers read with certainty on both that must differ: another paper
NEIGHBOURS = 2  # pages of one paper scanned this close in a file (a blank back between)


@dataclass(frozen=True)
class Arrival:
    """A page just read, as placing it needs it."""
    printed_id: str
    form_page: int
    file_id: int
    page_no: int
    unmarked: bool
    answers: dict[str, str]
    doubtful: frozenset[str]
    written: frozenset[str]


@dataclass(frozen=True)
class Placement:
    """Where a page goes: the paper it counts for (`new`: a paper not stored yet, to be
    added with `add_paper`; `replaces`: an empty page of that paper it takes the place
    of), the page it is a second scan of, or a blank form of its printed sheet (counting
    for nothing)."""
    key: str | None = None
    copy_no: int | None = None
    second_scan_of: int | None = None
    new: bool = False
    replaces: int | None = None

    @property
    def blank_form(self) -> bool:
        return self.key is None and self.second_scan_of is None


def differences(a: Arrival | PaperPage, b: PaperPage) -> int:
    """Answers read with certainty on both pages that differ, and text boxes written on one
    and not the other."""
    doubtful = a.doubtful | b.doubtful
    questions = (set(a.answers) | set(b.answers)) - doubtful
    differ = sum(a.answers.get(q, "") != b.answers.get(q, "") for q in questions)
    return differ + len(a.written ^ b.written)


def same_paper(a: Arrival | PaperPage, b: PaperPage) -> bool:
    """Whether two readings can be of the same paper. Only marks that clearly differ tell
    papers apart: a second scan wrongly taken for another paper would count a person twice,
    while another paper taken for a second scan waits for a person."""
    return differences(a, b) < DIFFERENT_ANSWERS


def _gap(a: Arrival | PaperPage, pages: list[PaperPage]) -> int | None:
    """How close in the batch `a` was scanned to the nearest of `pages` that it follows or
    precedes in the order of the form (page 2 after page 1, in the same file), or None when
    none of them is its neighbour. A blank form fed just before a filled one is not."""
    gaps = [abs(a.page_no - p.page_no) for p in pages
            if p.file_id == a.file_id and 0 < abs(a.page_no - p.page_no) <= NEIGHBOURS
            and (a.page_no - p.page_no) * (a.form_page - p.form_page) > 0]
    return min(gaps) if gaps else None


def _papers(pages: list[PaperPage]) -> dict[int, list[PaperPage]]:
    out: dict[int, list[PaperPage]] = {}
    for p in pages:
        out.setdefault(p.copy_no, []).append(p)
    return out


def _weak(page: PaperPage, paper: list[PaperPage]) -> bool:
    """An empty page taken into a paper without having been scanned beside it."""
    others = [p for p in paper if p.page_id != page.page_id]
    return page.unmarked and not page.written and _gap(page, others) is None


def _open_paper(arrival: Arrival, pages: list[PaperPage], form_pages: int,
                only_beside: bool) -> Placement | None:
    """The paper still lacking the arriving page that it belongs with: the one scanned
    beside it (in place of an empty page that was not), else (unless `only_beside`) the
    only one lacking it."""
    if form_pages == 1:
        return None
    papers = _papers(pages)
    holes: dict[int, int | None] = {}  # copy -> the weak page the arrival would replace
    for c, ps in papers.items():
        here = [p for p in ps if p.form_page == arrival.form_page]
        if not here:
            holes[c] = None
        elif only_beside and len(here) == 1 and _weak(here[0], ps):
            holes[c] = here[0].page_id
    near = {c: gap for c in holes if (gap := _gap(arrival, papers[c])) is not None}
    lacking = [c for c, weak in holes.items() if weak is None]
    if near:
        c = min(near, key=lambda k: (near[k], k))
    elif len(lacking) == 1 and not only_beside:
        c = lacking[0]
    else:
        return None
    return Placement(papers[c][0].key, c, replaces=holes[c])


def _weak_page(arrival: Arrival, pages: list[PaperPage]) -> Placement | None:
    """The one paper whose page of this number is an empty page taken in without having been
    scanned beside it: a filled page of the sheet takes its place."""
    weak = [(c, p) for c, paper in _papers(pages).items() for p in paper
            if p.form_page == arrival.form_page and _weak(p, paper)]
    if len(weak) != 1:
        return None
    c, p = weak[0]
    return Placement(p.key, c, replaces=p.page_id)


def place(db: Db, arrival: Arrival, form_pages: int,
          another_paper: bool = False) -> Placement:
    """Where a page naming a printed sheet goes (see the module's text); changes nothing.
    `another_paper`: a person said it is not a second scan."""
    pages = counted_pages(db, arrival.printed_id)
    beside = _open_paper(arrival, pages, form_pages, only_beside=True)
    if beside:  # a paper of several pages, scanned together: the strongest evidence
        return beside
    if arrival.unmarked and not another_paper:
        return _open_paper(arrival, pages, form_pages, only_beside=False) or Placement()
    if not another_paper:
        for p in pages:
            if p.form_page == arrival.form_page and not p.unmarked and same_paper(arrival, p):
                return Placement(second_scan_of=p.page_id)
    joined = _open_paper(arrival, pages, form_pages, only_beside=False)
    if joined:
        return joined
    swapped = _weak_page(arrival, pages) if form_pages > 1 else None
    if swapped:
        return swapped
    copy_no = max(copies(db, arrival.printed_id), default=0) + 1
    return Placement(paper_key(arrival.printed_id, copy_no), copy_no, new=True)


def blank_pages_to_take(db: Db, key: str, printed_id: str,
                        form_pages: int) -> list[int]:
    """Blank forms of the printed sheet a paper takes in for the pages it lacks (the
    respondent left those pages empty): one scanned beside the paper's pages, or else the
    only blank form of that page when this is the only paper lacking it."""
    if form_pages == 1:
        return []
    pages = counted_pages(db, printed_id)
    papers = _papers(pages)
    mine = next((ps for ps in papers.values() if ps[0].key == key), [])
    have = {p.form_page for p in mine}
    blanks = loose_blank_pages(db, printed_id)
    taken = []
    for f in range(1, form_pages + 1):
        if f in have:
            continue
        candidates = [b for b in blanks if b.form_page == f]
        near = [b for b in candidates if _gap(b, mine) is not None]
        lacking = [ps for ps in papers.values() if all(p.form_page != f for p in ps)]
        if near:
            taken.append(min(near, key=lambda b: (_gap(b, mine), b.page_id)).page_id)
        elif len(candidates) == 1 and len(lacking) == 1:
            taken.append(candidates[0].page_id)
    return taken
