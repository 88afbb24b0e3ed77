"""Two stations scanning one batch into one PostgreSQL campaign at once, against one
station scanning it alone into SQLite: pages/s, pages lost, sheets counted twice.

    .venv/bin/python bench/bench_stations.py [--pages 620]

The batch is bench_scan's (made once, cached in bench/out/). Station A is given the
first 55 % of its files and station B the last 55 %, so a tenth of the files is
scanned at both, as happens when two offices each scan a box that was split badly.
Both stations run here on this one computer, one worker each (two cores in all);
the SQLite station gets the same two cores as two workers. A throw-away
PostgreSQL server is started for the run (tests/postgres.py) and stopped after.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from bench_scan import batch  # noqa: E402

from phieu.pipeline.campaign import open_campaign  # noqa: E402
from phieu.pipeline.export import export_frame  # noqa: E402
from phieu.pipeline.store.pages import page_counts  # noqa: E402
from tests.postgres import postgres  # noqa: E402


def phieu(*args: str | Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "phieu.pipeline", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(*runs: subprocess.Popen) -> None:
    for run in runs:
        out = run.communicate()[0]
        if run.returncode != 0:
            raise SystemExit(f"phieu failed ({run.args}):\n{out}")


def scanned(c: Path) -> tuple[int, object]:
    with open_campaign(c) as camp:
        return sum(page_counts(camp.store).values()), export_frame(camp)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=620, help="about; 620 makes 600 pages")
    args = ap.parse_args()
    campaign, scans = batch(args.pages, "office", 7)
    files = sorted(p for p in scans.iterdir() if p.name != "truth.json")
    cut = round(len(files) * 0.55)
    halves = (files[:cut], files[len(files) - cut:])
    both = len(set(halves[0]) & set(halves[1]))
    work = campaign.parent / "stations"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()

    alone = work / "alone"
    shutil.copytree(campaign, alone)
    started = time.perf_counter()
    finish(phieu("scan", alone, scans, "--workers", "2"))
    alone_s = time.perf_counter() - started
    pages, alone_frame = scanned(alone)

    with postgres() as server:
        url = server.url()
        a, b = work / "a", work / "b"
        shutil.copytree(campaign, a)
        finish(phieu("store", "copy", a, "--to", url, "--campaign", "bench"))
        finish(phieu("join", b, "--store", url))
        started = time.perf_counter()
        finish(phieu("scan", a, *halves[0], "--workers", "1"),
               phieu("scan", b, *halves[1], "--workers", "1"))
        shared_s = time.perf_counter() - started
        shared_pages, shared_frame = scanned(a)
        # the store's share of the difference: one station, two workers, on the server
        one = work / "one"
        shutil.copytree(campaign, one)
        finish(phieu("store", "copy", one, "--to", url, "--campaign", "one"))
        started = time.perf_counter()
        finish(phieu("scan", one, scans, "--workers", "2"))
        one_s = time.perf_counter() - started

    named = shared_frame[shared_frame["sheet_id"] != ""]
    double = int(named["sheet_id"].duplicated().sum())
    same = sorted(named["sheet_id"]) == sorted(
        alone_frame[alone_frame["sheet_id"] != ""]["sheet_id"])
    print(f"batch            {len(files)} files, {pages} pages; {both} files given at both "
          "stations")
    print(f"one station      SQLite, 2 workers: {alone_s:.1f} s, {pages / alone_s:.1f} pages/s")
    print(f"one station      PostgreSQL, 2 workers: {one_s:.1f} s, {pages / one_s:.1f} pages/s")
    print(f"two stations     PostgreSQL, 1 worker each, at once: {shared_s:.1f} s, "
          f"{shared_pages / shared_s:.1f} pages/s together")
    print(f"pages lost       {pages - shared_pages}")
    print(f"counted twice    {double} (same sheets as the single station: {same})")


if __name__ == "__main__":
    main()
