"""python -m phieu.samples PRINT_DIR OUT_DIR [--profile office|hard] [--sheets N] [--seed S]"""

import argparse
from pathlib import Path

from .batch import PROFILES, make_batch

ap = argparse.ArgumentParser(prog="python -m phieu.samples",
                             description="Fill and scan printed forms, with the truth beside.")
ap.add_argument("print_dir", type=Path, help="a folder written by `phieu print`")
ap.add_argument("out_dir", type=Path)
ap.add_argument("--profile", choices=PROFILES, default="office")
ap.add_argument("--sheets", type=int)
ap.add_argument("--seed", type=int, default=1)
args = ap.parse_args()
truth = make_batch(args.print_dir, args.out_dir, args.profile, args.sheets, args.seed)
pages = sum(len(f["pages"]) for f in truth["files"])
print(f"{len(truth['files'])} files, {pages} pages in {args.out_dir} (truth.json beside them)")
