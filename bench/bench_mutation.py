"""Mutation score of a module: one deliberate bug at a time, the fast tests that cover the
module run against each; a bug no test notices is a decision no test pins down.

    .venv/bin/python bench/bench_mutation.py omr/decide.py
    .venv/bin/python bench/bench_mutation.py --all --workers 2

Runs cosmic-ray with the settings in pyproject.toml ([tool.cosmic-ray]: the timeout and
the operators left out, bugs of a kind this code cannot have) on the module, with the
tests that cover it (MODULES below). Prints killed / (all − equivalent), the time it
took, and every survivor not listed in bench/equivalent_mutants.toml, with its diff.

Mutants are written into copies of the last commit (git worktrees under
bench/out/mutation/work/, each with a small environment of its own that borrows this
one's packages), one copy per worker, so the checkout you work in is never touched and
two workers test two mutants at once. The module must be committed as it is. A session
is kept in bench/out/mutation/ and goes on where it stopped; after tests were added,
--again tries its survivors once more. A session is refused once its module has changed:
delete its .sqlite to start again.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "mutation"
EQUIVALENT = ROOT / "bench" / "equivalent_mutants.toml"
WORK = OUT / "work"
# run inside a worker's copy, with that copy's own environment
TESTS = ".venv/bin/python -m pytest -x -q -p no:cacheprovider -m 'not slow'"
PORT = 9876
# the modules where a bug is a wrong or lost answer, and the fast tests that cover each
MODULES = {
    "omr/decide.py": ["tests/omr/test_decide.py", "tests/omr/test_read_page.py",
                      "tests/omr/test_handling.py"],
    "omr/identity.py": ["tests/omr/test_identity.py", "tests/omr/test_read_page.py",
                        "tests/omr/test_handling.py"],
    "omr/register.py": ["tests/omr/test_register.py", "tests/omr/test_read_page.py",
                        "tests/omr/test_handling.py"],
    # where the reader measures ink and follows lines: scored by no session yet
    "omr/measure.py": ["tests/omr/test_decide.py", "tests/omr/test_read_page.py"],
    "omr/added.py": ["tests/omr/test_decide.py", "tests/omr/test_read_page.py"],
    "omr/lines.py": ["tests/omr/test_decide.py", "tests/omr/test_read_page.py"],
    "pipeline/report/estimate.py": ["tests/pipeline/test_report.py"],
    "pipeline/importing.py": ["tests/pipeline/test_import.py"],
    "pipeline/store/papers.py": ["tests/pipeline/test_papers.py"],
    "pipeline/store/pages.py": ["tests/pipeline/test_store.py", "tests/pipeline/test_papers.py",
                                "tests/pipeline/test_scan.py"],
    "pipeline/store/responses.py": ["tests/pipeline/test_store.py",
                                    "tests/pipeline/test_import.py"],
    "pipeline/store/review.py": ["tests/review/test_review_http.py",
                                 "tests/pipeline/test_papers.py",
                                 "tests/review/test_review_imported.py",
                                 "tests/pipeline/test_store.py"],
}
# of the store, only what writes is scored: a bug there loses or doubles a respondent for
# good, where one in a query shows in the next report and is mended there
WRITES = {
    "pipeline/store/pages.py": ("add_file", "save_sheet", "insert_page", "set_picture"),
    "pipeline/store/responses.py": ("add_responses", "set_row_keys", "set_response"),
    "pipeline/store/review.py": (
        "hold", "release_others", "extend", "release", "log_decision", "mark_undone",
        "restore", "set_sheet_status", "set_page_status", "retire_page", "count_page_as",
        "identify_page"),
}


def _tool(name: str, *args: str) -> None:
    subprocess.run([str(Path(sys.executable).with_name(name)), *args], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def _session(module: str, suffix: str) -> Path:
    """Where a module's session keeps its files: the cosmic-ray config, the results, the
    source it was made from."""
    return OUT / (module.replace("/", "-") + suffix)


def _config(module: str, workers: int) -> Path:
    """cosmic-ray's own config file for one module, from pyproject.toml's settings."""
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "cosmic-ray"]
    excluded = ", ".join(f"'{p}'" for p in settings["exclude-operators"])
    urls = ", ".join(f"'http://127.0.0.1:{PORT + k}'" for k in range(workers))
    path = _session(module, ".toml")
    path.write_text(
        "[cosmic-ray]\n"
        f"module-path = '{module}'\n"
        f"timeout = {float(settings['timeout'])}\n"
        "excluded-modules = []\n"
        f"test-command = \"{TESTS} {' '.join(MODULES[module])}\"\n"
        "[cosmic-ray.distributor]\nname = 'http'\n"
        f"[cosmic-ray.distributor.http]\nworker-urls = [{urls}]\n"
        f"[cosmic-ray.filters.operators-filter]\nexclude-operators = [{excluded}]\n",
        encoding="utf-8")
    return path


def _copy(k: int) -> Path:
    """Worker k's copy of the last commit, with an environment that imports phieu from it
    and everything else from this one's."""
    where = WORK / str(k)
    if not where.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(where), "HEAD"],
                       cwd=ROOT, check=True)
    else:  # back to the last commit, whatever an interrupted mutant left
        subprocess.run(["git", "checkout", "-q", "--force", "--detach", _head()], cwd=where,
                       check=True)
    env = where / ".venv"
    if not (env / "bin" / "python").exists():
        subprocess.run(["python3", "-m", "venv", str(env)], check=True)
        shared = next(Path(sys.prefix).glob("lib/python3*/site-packages"))
        mine = next(env.glob("lib/python3*/site-packages"))
        (mine / "shared.pth").write_text(f"{shared}\n", encoding="utf-8")
    # installed again when the packages listed may have changed since
    stamp, listed = env / "installed-from", (where / "pyproject.toml").read_bytes()
    if not stamp.exists() or stamp.read_bytes() != listed:
        subprocess.run([str(env / "bin" / "pip"), "install", "-q", "--no-deps", "-e", "."],
                       cwd=where, check=True)
        stamp.write_bytes(listed)
    return where


def _baseline(where: Path, module: str) -> None:
    """The tests pass on the copy as it is: else every mutant would count as caught."""
    ran = subprocess.run(f"{TESTS} {' '.join(MODULES[module])}", shell=True, cwd=where,
                         capture_output=True, text=True, check=False)
    if ran.returncode != 0:
        raise SystemExit(f"the tests of {module} fail with no mutant in it:\n"
                         + ran.stdout[-2000:])


def _head() -> str:
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout.strip()


def _ports_free(count: int) -> None:
    import socket

    for k in range(count):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", PORT + k)) == 0:
                raise SystemExit(f"port {PORT + k} is taken (a worker left from an earlier "
                                 "run?): stop it first")


def _workers(copies: list[Path]) -> list[subprocess.Popen]:
    """One cosmic-ray worker in each copy, listening on loopback."""
    started = []
    for k, where in enumerate(copies):
        started.append(subprocess.Popen(
            [str(where / ".venv" / "bin" / "python"), str(Path(sys.executable).with_name(
                "cosmic-ray")), "http-worker",
             "--port", str(PORT + k)], cwd=where, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL))
    time.sleep(2)  # let them listen
    return started


def _unchanged(module: str) -> bool:
    return subprocess.run(["git", "diff", "--quiet", "--", module], cwd=ROOT,
                          check=False).returncode == 0


def _equivalents(module: str) -> list[dict]:
    listed = tomllib.loads(EQUIVALENT.read_text(encoding="utf-8")).get("mutant", [])
    return [m for m in listed if m["module"] == module]


def _mutated(diff: str) -> str:
    """The line as the mutant writes it, stripped."""
    return next((d[1:].strip() for d in diff.splitlines()
                 if d.startswith("+") and not d.startswith("+++")), "")


def _listed_as_equivalent(module: str):
    """A test of whether a session's mutant is one bench/equivalent_mutants.toml lists: by
    the source line it changes and the line as it writes it."""
    source = (ROOT / module).read_text(encoding="utf-8").splitlines()
    listed = _equivalents(module)

    def listed_as(item, result) -> bool:
        line = source[item.mutations[0].start_pos[0] - 1].strip()
        mutated = _mutated(result.diff or "")
        return any(line == m["line"] and re.fullmatch(m["after"], mutated) for m in listed)

    return listed_as


def _retry(module: str, session: Path, survivors: bool) -> None:
    """Mutants whose worker failed (not their tests) are tried again, not counted; with
    `survivors`, so are those no test caught and not listed as equivalent (tests added
    since are run on them; a killed mutant stays killed, as tests are only ever added)."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome

    equivalent = _listed_as_equivalent(module)
    again = []
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item, result in db.completed_work_items:
            ran = result.worker_outcome in (WorkerOutcome.NORMAL, WorkerOutcome.SKIPPED)
            survived = result.test_outcome == TestOutcome.SURVIVED
            if not ran or (survivors and survived and not equivalent(item, result)):
                again.append(item.job_id)
    with sqlite3.connect(session) as db:
        db.executemany("DELETE FROM work_results WHERE job_id = ?", [(j,) for j in again])


def _writes_only(module: str, session: Path) -> None:
    """Mutants outside the functions that write (WRITES) are marked skipped, not run."""
    import ast

    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    spans = [(f.lineno, f.end_lineno) for f in tree.body
             if isinstance(f, ast.FunctionDef) and f.name in WRITES[module]]
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item in list(db.pending_work_items):
            line = item.mutations[0].start_pos[0]
            if not any(a <= line <= b for a, b in spans):
                db.set_result(item.job_id, WorkResult(worker_outcome=WorkerOutcome.SKIPPED))


def _blob(module: str) -> str:
    return subprocess.run(["git", "rev-parse", f"HEAD:{module}"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout.strip()


def run(module: str, workers: int, again: bool = False) -> dict:
    """Every mutant of the module tried (or the rest of them, after an interruption)."""
    if not _unchanged(module):
        raise SystemExit(f"{module} differs from the last commit: commit it first (mutants "
                         "are made from this checkout and run on copies of the commit)")
    OUT.mkdir(parents=True, exist_ok=True)
    config, session = _config(module, workers), _session(module, ".sqlite")
    started = time.perf_counter()
    made_from = _session(module, ".source")
    if session.exists() and made_from.read_text(encoding="utf-8").strip() != _blob(module):
        raise SystemExit(f"{module} changed since {session.name} was made: delete it (and "
                         f"{made_from.name}) to start again")
    if not session.exists():
        _tool("cosmic-ray", "init", str(config), str(session))
        _tool("cr-filter-operators", str(session), str(config))
        if module in WRITES:
            _writes_only(module, session)
        made_from.write_text(_blob(module), encoding="utf-8")
    _retry(module, session, again)
    _ports_free(workers)
    copies = [_copy(k + 1) for k in range(workers)]
    _baseline(copies[0], module)
    running = _workers(copies)
    try:
        _tool("cosmic-ray", "exec", str(config), str(session))
    finally:
        for worker in running:
            worker.terminate()
            worker.wait()
    return tally(module, session, time.perf_counter() - started)


def tally(module: str, session: Path, seconds: float) -> dict:
    """The session's figures: killed, equivalent (as listed), and what survives."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome

    listed_as = _listed_as_equivalent(module)
    killed = equivalent = 0
    left = []
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item, result in db.completed_work_items:
            if result.worker_outcome != WorkerOutcome.NORMAL:
                continue  # an operator left out, or a worker that failed (tried next run)
            if result.test_outcome != TestOutcome.SURVIVED:
                killed += 1  # the tests failed, or the mutant would not even import
                continue
            spec = item.mutations[0]
            if listed_as(item, result):
                equivalent += 1
            else:
                left.append((spec.start_pos[0], spec.operator_name, result.diff or ""))
    real = killed + len(left)
    return {"module": module, "mutants": real + equivalent, "killed": killed,
            "equivalent": equivalent, "left": sorted(left), "seconds": seconds,
            "score": killed / real if real else 1.0}


def report(r: dict) -> None:
    print(f"{r['module']:30} {r['mutants']:5} mutants {r['killed']:5} killed "
          f"{r['equivalent']:4} equivalent {len(r['left']):4} survive   score "
          f"{r['score']:6.1%}   ({r['seconds'] / 60:.0f} min this run)")
    for line, operator, diff in r["left"]:
        changed = [d for d in diff.splitlines() if d[:1] in "+-" and d[:3] not in ("+++", "---")]
        print(f"  line {line} {operator}: " + " / ".join(c.strip() for c in changed))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("module", nargs="?", choices=sorted(MODULES))
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--workers", type=int, default=2, help="mutants tested at once")
    ap.add_argument("--again", action="store_true",
                    help="try the session's survivors again, with the tests as they are now")
    ap.add_argument("--tally", action="store_true",
                    help="print a session's figures so far, running nothing")
    args = ap.parse_args()
    if not args.all and args.module is None:
        ap.error("name a module, or --all")
    for module in sorted(MODULES) if args.all else [args.module]:
        if args.tally:
            report(tally(module, _session(module, ".sqlite"), 0.0))
        else:
            report(run(module, args.workers, args.again))


if __name__ == "__main__":
    main()
