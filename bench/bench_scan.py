"""How fast `phieu scan` reads, and how much memory it takes: pages/s and peak RSS.

    .venv/bin/python bench/bench_scan.py [--pages 500] [--workers 2] [--profile office]
    .venv/bin/python bench/bench_scan.py --accuracy [--pages 300] [--mixed] [--fresh 300]
                                         [--shift 0.4,0.3]

The second form scores every profile (office, hard, handled) on the seeds the
reader was tuned on and on held-out seeds nobody looked at while tuning it:
silent answers per million (wrong answers on sheets exported `ok`) and
needless flags (flagged sheets whose every answer a person reads at a glance,
over all such sheets). The held-out seeds are looked at once a change is made;
`--fresh BASE` adds seeds made there and then, that no change has seen yet.
`--shift DX,DY` reads every page moved by that fraction of a pixel, resampled:
the same papers through a scanner whose grid sits elsewhere and is a little
softer (read in one process, where the move is made as each page is decoded).

Makes (once, cached in bench/out/) a mixed batch of about --pages pages at
200 dpi from the repo's generator: ADF PDFs of embedded JPEGs or 1-bit
pages, multi-page TIFFs, single JPEGs, with blank backs, second scans
and the odd foreign page. Then scans it into a fresh campaign and
prints pages/s, the peak resident memory of all processes together, and
the accuracy against the truth.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import threading
import time
from collections import Counter
from pathlib import Path

# The readers `scan` starts import this module again, as they import `phieu`'s command line
# when a clerk runs it: what the benchmark alone uses (the generator, the scoring, the
# tables) is imported where it is used, so that they start as they do for a clerk.

PROFILES = ("office", "hard", "handled")  # phieu.samples.batch.PROFILES, checked in main
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    """Child processes, from the kernel's own list (cheap enough to sample often)."""
    out = []
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return out


class PeakMemory(threading.Thread):
    """Samples the resident memory of this process and its children, summed."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kib = 0
        self.stop = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        while not self.stop.wait(0.1):
            total = _rss_kib(me) + sum(_rss_kib(c) for c in _children(me))
            self.peak_kib = max(self.peak_kib, total)


def batch(pages: int, profile: str, seed: int, mixed: bool = False) -> tuple[Path, Path]:
    """The campaign and scans for the benchmark, made once; `mixed`: every container (PNG
    too) at 150 to 300 dpi, as offices' scanners make them, rather than 200 dpi only."""
    from phieu.pipeline.campaign import new_campaign
    from phieu.pipeline.printing import print_forms
    from phieu.samples import make_batch

    where = OUT / f"{profile}-{pages}-{seed}{'-mixed' if mixed else ''}"
    campaign, scans = where / "campaign", where / "scans"
    if (scans / "truth.json").is_file():
        return campaign, scans
    shutil.rmtree(where, ignore_errors=True)
    sheets = int(pages * 0.72)  # blank backs and the odd extra page make up the rest
    with new_campaign(campaign, ROOT / "layouts" / "ha-tinh-2022.yaml") as c:
        copies = -(-sheets // len(c.layout.units))
        result = print_forms(c, copies=copies, out=where / "print")
    started = time.perf_counter()
    if mixed:
        make_batch(result.out_dir, scans, profile, sheets, seed)
    else:
        make_batch(result.out_dir, scans, profile, sheets, seed, dpi=200,
                   containers=("pdf", "tiff", "jpg"))
    print(f"made the batch in {time.perf_counter() - started:.0f} s")
    return campaign, scans


TUNED = {"office": 7, "hard": 8, "handled": 9}  # the seeds the reader was tuned on
HELD_OUT = {"office": 107, "hard": 108, "handled": 109}  # never looked at while tuning


def decode_alone(scans: Path) -> float:
    """Pages/s of one process that only decodes the batch's pages, as a worker does before
    reading them: what reading in parallel is measured against."""
    import cv2

    from phieu.pipeline.scan.inputs import KINDS, PageLoader, ScanFile, count_pages

    truth = json.loads((scans / "truth.json").read_text(encoding="utf-8"))
    loader = PageLoader()
    cv2.setNumThreads(1)
    started, n = time.perf_counter(), 0
    for f in truth["files"]:
        path = scans / f["path"]
        one = ScanFile(path, KINDS[path.suffix.lower()])
        for i in range(count_pages(one)):
            loader.load(one, i)
            n += 1
    return n / (time.perf_counter() - started)


def run(pages: int, profile: str, seed: int, workers: int, mixed: bool = False):
    """Scan a batch into a fresh copy of its campaign: (summary, score, files, peak KiB)."""
    from phieu.pipeline.campaign import open_campaign
    from phieu.pipeline.export import export_frame
    from phieu.pipeline.scan.batch import scan
    from phieu.samples.score import score

    campaign, scans = batch(pages, profile, seed, mixed)
    fresh = campaign.parent / "run"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(campaign, fresh)
    truth = json.loads((scans / "truth.json").read_text(encoding="utf-8"))
    files = [scans / f["path"] for f in truth["files"]]
    mem = PeakMemory()
    mem.start()
    with open_campaign(fresh) as c:
        summary = scan(c, [scans], workers=workers)
        mem.stop.set()
        mem.join()
        s = score(export_frame(c), truth, c.store, scans)
    return summary, s, files, mem.peak_kib


def move_pages(dx: float, dy: float) -> None:
    """From now on, every page this process decodes is moved by (dx, dy) pixels."""
    import cv2
    import numpy as np

    from phieu.pipeline.scan.inputs import PageLoader

    load = PageLoader.load

    def moved(self, *args, **kwargs):
        page = load(self, *args, **kwargs)
        return cv2.warpAffine(page, np.float32([[1, 0, dx], [0, 1, dy]]),
                              (page.shape[1], page.shape[0]), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_REPLICATE)

    PageLoader.load = moved


def accuracy(pages: int, workers: int, mixed: bool = False, fresh: int | None = None,
             shift: tuple[float, float] | None = None) -> None:
    """Every profile on the tuned and held-out seeds; with `fresh`, also on seeds
    fresh + 7, 8, 9, made now: a set nobody has looked at, for a change tuned on the rest;
    with `shift`, every page moved by that fraction of a pixel."""
    from phieu.omr.vocabulary import from_text

    if shift is not None:
        move_pages(*shift)
        workers = 1  # the pages are moved in this process
        print(f"every page moved by {shift[0]}, {shift[1]} px")
    sets = [("tuned", TUNED), ("held-out", HELD_OUT)]
    if fresh is not None:
        sets.append((f"new {fresh}", {p: fresh + s for p, s in TUNED.items()}))
    print(f"{'profile':9}{'seeds':10}{'sheets':>7}{'accepted':>10}{'silent/1M':>11}"
          f"{'needless':>10}  reasons of needless flags")
    for profile in PROFILES:
        for name, seeds in sets:
            _, s, _, _ = run(pages, profile, seeds[profile], workers, mixed)
            reasons = Counter(r.code.value for n in s.needless
                              for r in from_text(n.split(": ", 1)[1]))
            print(f"{profile:9}{name:10}{s.sheets:>7}{s.accepted_share:>10.1%}"
                  f"{s.silent_per_million:>11.0f}{s.needless_share:>10.1%}  "
                  + ", ".join(f"{k} {v}" for k, v in reasons.most_common()))
            for w in s.wrong:
                print(f"    wrong: {w}")


def main() -> None:
    from phieu.samples.batch import PROFILES as MADE

    assert tuple(MADE) == PROFILES, MADE  # every profile the generator makes is scored
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=500)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--profile", choices=PROFILES, default="office")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--mixed", action="store_true",
                    help="every container (PNG too) at 150-300 dpi, not 200 dpi only")
    ap.add_argument("--fresh", type=int, metavar="BASE",
                    help="with --accuracy: also score seeds BASE+7, +8, +9, never looked at")
    ap.add_argument("--shift", metavar="DX,DY",
                    type=lambda v: tuple(float(x) for x in v.split(",")),
                    help="with --accuracy: every page moved by this fraction of a pixel")
    ap.add_argument("--accuracy", action="store_true",
                    help="score every profile, tuned and held-out seeds")
    args = ap.parse_args()
    if args.accuracy:
        accuracy(args.pages, args.workers, args.mixed, args.fresh, args.shift)
        return
    summary, s, files, peak_kib = run(args.pages, args.profile, args.seed, args.workers,
                                      args.mixed)
    alone = decode_alone(files[0].parent)
    size = sum(f.stat().st_size for f in files)
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(summary.kinds.items()))
    print(f"batch         {len(files)} files, {size / 2**20:.0f} MiB, {summary.pages_read} pages "
          f"({kinds})")
    print(f"workers       {args.workers} on {os.cpu_count()} cores")
    print(f"time          {summary.seconds:.1f} s")
    print(f"speed         {summary.pages_per_second:.0f} pages/s; decoding alone in one "
          f"process {alone:.0f} pages/s ({summary.pages_per_second / alone:.2f} x)")
    print(f"peak memory   {peak_kib / 1024:.0f} MiB (all processes)")
    print(f"accuracy      {s.line()}")


if __name__ == "__main__":
    main()
