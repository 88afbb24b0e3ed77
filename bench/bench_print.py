"""How fast `phieu print` writes forms: sheets/s and peak memory.

    .venv/bin/python bench/bench_print.py [--sheets 1000] [--layout layouts/ha-tinh-2022.yaml]

Prints one line per measure; the figure quoted in the README comes from here.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from phieu.pipeline.campaign import new_campaign
from phieu.pipeline.printing import print_forms

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sheets", type=int, default=1000)
    ap.add_argument("--layout", type=Path, default=ROOT / "layouts" / "ha-tinh-2022.yaml")
    args = ap.parse_args()
    with (tempfile.TemporaryDirectory() as tmp,
          new_campaign(Path(tmp) / "c", args.layout) as campaign):
        units = len(campaign.layout.units)
        copies = -(-args.sheets // units)
        started = time.perf_counter()
        result = print_forms(campaign, copies=copies, out=Path(tmp) / "out")
        seconds = time.perf_counter() - started
        size = (result.out_dir / "forms.pdf").stat().st_size
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"layout        {args.layout.name}")
    print(f"sheets        {result.sheets} ({result.pages} pages)")
    print(f"time          {seconds:.2f} s")
    print(f"speed         {result.pages / seconds:.0f} pages/s")
    print(f"pdf size      {size / 2**20:.1f} MiB ({size / result.pages / 1024:.1f} KiB/page)")
    print(f"peak memory   {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
