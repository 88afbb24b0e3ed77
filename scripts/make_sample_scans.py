"""Remake the sample scans shipped in samples/ha-tinh-2022/scans (what `phieu demo` reads).

    .venv/bin/python scripts/make_sample_scans.py

Prints the sample campaign exactly as the demo does, then fills and scans 20 of its
sheets with the repo's generator (office scanners, 150 dpi, small JPEGs so the
folder stays a few MiB), with truth.json beside them. Troubles are made more common
than on real returns, so that the demo shows each kind at least once.
"""

import json
import shutil
import tempfile
from pathlib import Path

from phieu.pipeline.demo import print_sample, sample_scans
from phieu.samples import make_batch

SHEETS, SEED = 20, 14
RATES = {"double": 0.12, "faint": 0.08, "erased": 0.1, "qr": 0.1, "duplicate": 0.1,
         "foreign": 0.4, "text": 0.5, "copy": 0.12, "blank_form": 0.1}


def main() -> None:
    out = sample_scans()
    with tempfile.TemporaryDirectory() as tmp:
        printed = print_sample(Path(tmp) / "campaign", Path(tmp) / "print")
        shutil.rmtree(out, ignore_errors=True)
        truth = make_batch(printed.out_dir, out, "office", SHEETS, SEED, dpi=150,
                           containers=("pdf", "jpg"), quality=(40, 60), rates=RATES)
    truth["template"] = "template.json of the demo's print"
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1),
                                    encoding="utf-8")
    size = sum(p.stat().st_size for p in out.iterdir())
    print(f"{len(truth['files'])} files, {size / 2**20:.1f} MiB in {out}")


if __name__ == "__main__":
    main()
