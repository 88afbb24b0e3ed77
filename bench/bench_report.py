"""How long `phieu report` takes for a province-size campaign (Hà Nội 2024: 11,575 forms).

    .venv/bin/python bench/bench_report.py [--sheets 11575] [--keep DIR]

Prints the sheets for the reference layout, keeps a plan of yearly cases, stores one
read page per sheet with random answers (a few per cent waiting for review, one in
twenty with a written comment), then times the
whole report: aggregation, PDF with charts, Word, Excel and CSV.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from phieu.forms.plan import read_cases, write_plan
from phieu.omr.vocabulary import Code, Reason
from phieu.pipeline.campaign import new_campaign
from phieu.pipeline.printing import print_forms
from phieu.pipeline.report.write import report
from phieu.pipeline.scan.reading import PageOutcome
from phieu.pipeline.scan.recorded import record_page
from phieu.pipeline.store.pages import add_file
from phieu.pipeline.store.sheets import printed_sheets

ROOT = Path(__file__).resolve().parents[1]
COMMENTS = ["Cần thêm chỗ ngồi cho người chờ", "Công chức hướng dẫn nhiệt tình, chu đáo",
            "Nên trả kết quả qua bưu điện", "Thời gian chờ còn lâu vào buổi sáng thứ Hai"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sheets", type=int, default=11575)
    ap.add_argument("--keep", type=Path, help="write the report here, to look at it")
    args = ap.parse_args()
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as tmp, \
            new_campaign(Path(tmp) / "c", ROOT / "layouts" / "ha-tinh-2022.yaml") as c:
        units = len(c.layout.units)
        printed = print_forms(c, copies=-(-args.sheets // units), out=Path(tmp) / "p")
        rows = printed_sheets(c.store, args.sheets)
        cases = Path(tmp) / "cases.csv"
        cases.write_text("unit_code,cases\n" + "".join(
            f"{u.code},{int(rng.integers(80, 6000))}\n" for u in c.layout.units), encoding="utf-8")
        plan = Path(tmp) / "plan.csv"
        write_plan(read_cases(cases, {u.code: u.name for u in c.layout.units}), plan)
        c.keep_plan(plan)
        file_id = add_file(c.store, "0" * 64, "bench.pdf", len(rows), None)
        started = time.perf_counter()
        for n, (sid, unit, serial) in enumerate(rows, 1):
            answers = {}
            for q in c.layout.questions:
                if q.kind == "text":  # one in twenty writes a comment, typed in on review
                    if rng.random() < 0.05:
                        answers[q.id] = COMMENTS[int(rng.integers(len(COMMENTS)))]
                    continue
                values = [o.value for o in c.layout.options_of(q)]
                answers[q.id] = "" if rng.random() < 0.03 else str(rng.choice(values))
            flags = [Reason(Code.FAINT_MARK, "q03")] if rng.random() < 0.02 else []
            record_page(c.store, file_id, PageOutcome(0, n, "form", sid, unit, serial, 1, "qr",
                                                      flags, answers, campaign_code=c.code),
                        1, c.code)
        stored = time.perf_counter() - started
        started = time.perf_counter()
        report(c, args.keep or Path(tmp) / "out")
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"sheets        {len(rows):,} in {units} units (printed {printed.pages:,} pages; "
          f"stored in {stored:.1f} s)")
    print(f"report        {seconds:.1f} s for pdf + docx + xlsx + csv")
    print(f"peak memory   {peak:.0f} MiB")


if __name__ == "__main__":
    main()
