"""`phieu scan`: read every page of every file given, in parallel, into the store.

Each page is committed as soon as it is read, so an interrupted run
loses nothing and the next run reads only the pages still missing.
Files are known by their content, so the same file given again (under
any name) adds nothing.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from phieu.forms.template import Template
from phieu.omr.vocabulary import SEP, Kind, Reason, Status

from ..campaign import Campaign
from ..errors import PhieuError
from ..review.audit import AuditResult
from ..review.audit import result as audit_result
from ..store.pages import (
    add_file,
    error_pages,
    known_file,
    pages_done,
    pictures_wanted,
    set_picture,
)
from ..store.sheets import status_counts
from .inputs import PageError, PageLoader, ScanFile, count_pages, discover, file_digest
from .reading import PageOutcome, init_worker, read_one, remade_picture
from .recorded import record_page

CHUNK = 4  # pages a worker takes at a time: consecutive pages of one file, opened once


@dataclass
class ScanSummary:
    files: int = 0
    pages_read: int = 0  # this run
    pages_known: int = 0  # read by an earlier run
    kinds: Counter = field(default_factory=Counter)  # this run: form, blank, foreign, error
    copies: Counter = field(default_factory=Counter)  # this run, per unit: papers counted
    # beside another with the same printed id (photocopies filled by other people)
    blank_forms: Counter = field(default_factory=Counter)  # this run, per unit ("" unknown):
    # form pages with no mark at all, not counted as returned
    flagged_pages: Counter = field(default_factory=Counter)  # reason -> pages, this run
    coarse_bilevel: Counter = field(default_factory=Counter)  # file -> form pages scanned in
    # black and white too coarsely to keep a fine pen tick, this run
    failed_files: list[tuple[str, str]] = field(default_factory=list)
    failed_pages: list[tuple[str, int, str]] = field(default_factory=list)  # path, page, why
    interrupted: bool = False
    seconds: float = 0.0
    sheets: Counter = field(default_factory=Counter)  # whole campaign: status -> sheets
    audit: AuditResult | None = None  # whole campaign: the sheets checked again

    @property
    def pages_per_second(self) -> float:
        return self.pages_read / self.seconds if self.seconds else 0.0


def failure(reasons: list[Reason]) -> str:
    """Why a page could not be decoded, as the clerk reads it."""
    return SEP.join(r.message or str(r) for r in reasons)


class _ToRead(NamedTuple):
    """A file of the batch, known by its content, and its pages still to read (from 0)."""

    file_id: int
    scan: ScanFile
    missing: list[int]


Task = tuple[int, str, str, int]  # file's place in the batch, path, kind, page (from 0)


def _prepare(campaign: Campaign, files: list[ScanFile], summary: ScanSummary
             ) -> Iterator[_ToRead]:
    """Register each file by content, one at a time (its pages are read while the next
    one is hashed); yields the files with pages still to read."""
    seen: set[int] = set()
    for f in files:
        try:
            digest = file_digest(f.path)
        except OSError as e:
            summary.failed_files.append((str(f.path), f"cannot read the file: {e.strerror}"))
            continue
        known = known_file(campaign.store, digest)
        if known and known.pages is not None:
            file_id, pages, error = known
        else:
            try:
                pages, error = count_pages(f), None
                if pages == 0:
                    pages, error = None, "the file has no pages"
            except PageError as e:
                pages, error = None, str(e)
            file_id = add_file(campaign.store, digest, str(f.path), pages, error)
        if file_id in seen:
            continue  # the same content under two names in one run
        seen.add(file_id)
        if error:
            summary.failed_files.append((str(f.path), error))
            continue
        summary.files += 1
        done = pages_done(campaign.store, file_id)
        summary.pages_known += len(done)
        summary.failed_pages += [(str(f.path), n, failure(why))
                                 for n, why in error_pages(campaign.store, file_id)]
        yield _ToRead(file_id, f, [i for i in range(pages) if i + 1 not in done])


class _Readers:
    """Worker processes, started first so they load while the files are being hashed."""

    def __init__(self, template: Template, workers: int) -> None:
        self.template = template
        self.pool = None
        self.handed: Path | None = None
        self.given: list[Task] = []
        # the workers take tasks as they are given, so reading starts with the first file
        self.tasks: queue.SimpleQueue[Task | None] = queue.SimpleQueue()
        self.ended = False
        self.results: Iterator[PageOutcome] | None = None
        if workers > 1:
            # the template goes by file: a starting worker's pipe holds 64 KiB, and the
            # picture of the print is more; through it, the workers would start one by one
            try:
                with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
                    self.handed = Path(f.name)
                template.write(self.handed)
            except OSError as e:
                self.close()
                raise PhieuError(f"{self.handed or tempfile.gettempdir()}: cannot write the "
                                 f"form's template for the readers: {e.strerror}") from e
            ctx = multiprocessing.get_context("spawn")  # no fork: OpenCV's threads would not
            self.pool = ctx.Pool(workers, initializer=init_worker,  # survive it
                                 initargs=(str(self.handed),))
            self.results = self.pool.imap(read_one, iter(self.tasks.get, None),
                                          chunksize=CHUNK)

    def give(self, tasks: list[Task]) -> None:
        """Pages to read; workers start on them at once."""
        self.given += tasks
        if self.pool is not None:
            for task in tasks:
                self.tasks.put(task)

    def outcomes(self) -> Iterator[PageOutcome]:
        """Every page given, read, in the order given."""
        self._end()
        if self.results is None:
            init_worker(self.template, own_process=False)
            return map(read_one, self.given)
        return self.results

    def _end(self) -> None:
        if not self.ended:  # the pool's feeding thread waits for more until told there is none
            self.tasks.put(None)
            self.ended = True

    def close(self) -> None:
        self._end()
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
        if self.handed is not None:
            self.handed.unlink(missing_ok=True)


def _add_pictures(campaign: Campaign, file_id: int, page_no: int, template: Template,
                  loader: PageLoader) -> None:
    """Pictures the worker could not know were wanted (a second scan and its first)."""
    for page_id, path, number, homography in pictures_wanted(campaign.store, file_id, page_no):
        jpeg = remade_picture(loader, path, number, homography, template)
        if jpeg is not None:
            set_picture(campaign.store, page_id, jpeg)


def scan(campaign: Campaign, inputs: list[Path], workers: int | None = None,
         progress: Callable[[int], None] | None = None,
         on_total: Callable[[int], None] | None = None) -> ScanSummary:
    """Read the inputs into the campaign; safe to interrupt and to run again."""
    started = time.perf_counter()
    summary = ScanSummary()
    files, problems = discover(inputs)
    summary.failed_files += [(str(p), why) for p, why in problems]
    template = campaign.template()
    code = campaign.code
    readers = _Readers(template, max(1, workers or os.cpu_count() or 1) if files else 1)
    loader = PageLoader()
    todo: list[_ToRead] = []
    try:
        for file in _prepare(campaign, files, summary):
            readers.give([(len(todo), str(file.scan.path), file.scan.kind, i)
                          for i in file.missing])
            todo.append(file)
        if on_total:
            on_total(len(readers.given))
        for outcome in readers.outcomes():
            file_id = todo[outcome.file_index].file_id
            done = record_page(campaign.store, file_id, outcome, template.pages, code)
            summary.pages_read += 1
            summary.kinds[outcome.kind] += 1
            if done.copy_no and done.copy_no > 1:
                summary.copies[outcome.unit_code] += 1
            if done.blank_form:
                summary.blank_forms[outcome.unit_code or ""] += 1
            if done.status == Status.FLAGGED:
                summary.flagged_pages.update({f.code for f in done.reasons})
                _add_pictures(campaign, file_id, outcome.page_no, template, loader)
            if outcome.strokes_may_vanish:
                summary.coarse_bilevel[str(todo[outcome.file_index].scan.path)] += 1
            if outcome.kind == Kind.ERROR:
                path = str(todo[outcome.file_index].scan.path)
                summary.failed_pages.append((path, outcome.page_no, failure(outcome.flags)))
            if progress:
                progress(1)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        readers.close()
        loader.close()
    summary.seconds = time.perf_counter() - started
    summary.sheets = Counter(status_counts(campaign.store))
    summary.audit = audit_result(campaign)
    return summary
