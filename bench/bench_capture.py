"""Phone capture: how well the photo gate judges, and how long a clerk waits for a verdict.

    .venv/bin/python bench/bench_capture.py --gate [--photos 400] [--fresh SEED]
    .venv/bin/python bench/bench_capture.py --speed [--photos 20]

`--gate` reads generated phone photos (every trouble a clerk's photo has, each
drawn from harmless to hopeless) twice: by the reader alone, and through the
gate. It prints, per trouble and in all, on the seed the gate was tuned on and on
a held-out seed (and on `--fresh SEED`, made now):

- **refused, read well**: photos the gate refused that the reader, asked anyway,
  reads with certainty and right, over all such photos (target ≤ 2 %);
- **passed, flagged**: photos the gate passed that the reader flags for
  something the paper does not explain (the photo is the trouble), over all passed
  photos (target ≤ 5 %);
- **silent**: photos passed and read with certainty, with a wrong answer.

`--speed` serves the capture page, opens it in Chromium with a phone's viewport
and gives it 12-megapixel photos, as a clerk's camera takes them: the time from
choosing the photo to the verdict on the screen (the page shrinks it, sends it,
the server reads it), median and 95th percentile, and the photos one clerk can
capture in a minute at that pace.

Sets are made once and kept in bench/out/capture-*.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
TUNED, HELD_OUT = 1, 2
SHEETS = 600


def print_run() -> tuple[Path, Path]:
    """A campaign of the Hà Tĩnh layout with SHEETS sheets printed, made once."""
    from phieu.pipeline.campaign import new_campaign
    from phieu.pipeline.printing import print_forms

    where = OUT / f"capture-print-{SHEETS}"
    if (where / "print" / "template.json").is_file():
        return where / "campaign", where / "print"
    shutil.rmtree(where, ignore_errors=True)
    with new_campaign(where / "campaign", ROOT / "layouts" / "ha-tinh-2022.yaml") as c:
        print_forms(c, copies=-(-SHEETS // len(c.layout.units)), out=where / "print")
    return where / "campaign", where / "print"


def photo_set(seed: int, photos: int, long_side: int | None = None) -> Path:
    from phieu.samples.capture import SHRUNK_LONG_SIDE, make_photos

    side = long_side or SHRUNK_LONG_SIDE
    where = OUT / f"capture-{photos}-{seed}-{side}"
    if not (where / "truth.json").is_file():
        _, printed = print_run()
        started = time.perf_counter()
        make_photos(printed, where, photos, seed, side)
        print(f"made {photos} photos (seed {seed}) in {time.perf_counter() - started:.0f} s")
    return where


def judge(where: Path) -> list[dict]:
    """Each photo: its trouble, the gate's verdict and what the reader makes of it."""
    import cv2

    from phieu.forms.template import Template
    from phieu.omr import judge_photo, read_page

    _, printed = print_run()
    template = Template.read(printed / "template.json")
    out = []
    for t in json.loads((where / "truth.json").read_text(encoding="utf-8")):
        image = cv2.imread(str(where / t["path"]))
        result = read_page(image, template)
        judged = judge_photo(image, result, template)
        certain = result.kind == "form" and not result.doubts and result.identity is not None
        # a photo missing part of the page is not read well, whatever the reader says: what
        # was written there is lost
        right = certain and not t["content_out"] and result.identity.sheet_id == t[
            "sheet_id"] and all(result.answers.get(q) == v for q, v in t["answers"].items()
                                if v != "?")
        out.append({"trouble": t["shot"]["trouble"], "severity": t["shot"]["severity"],
                    "refused": bool(judged.problems), "certain": certain, "right": right,
                    "paper_trouble": t["needs_flag"],
                    "problems": [p.value for p in judged.problems],
                    "doubts": [str(d) for d in result.doubts]})
    return out


def score(rows: list[dict]) -> dict:
    read_well = [r for r in rows if r["certain"] and r["right"]]
    passed = [r for r in rows if not r["refused"]]
    flagged = [r for r in passed if not r["certain"] and not r["paper_trouble"]]
    silent = [r for r in passed if r["certain"] and not r["right"]]
    return {"photos": len(rows), "read_well": len(read_well),
            "refused_read_well": sum(r["refused"] for r in read_well),
            "passed": len(passed), "passed_flagged": len(flagged), "silent": len(silent),
            "refused": len(rows) - len(passed)}


def gate(photos: int, fresh: int | None) -> None:
    sets = [("tuned", TUNED), ("held-out", HELD_OUT)] + ([("fresh", fresh)] if fresh else [])
    print(f"{'set':9}{'trouble':9}{'photos':>7}{'refused':>9}{'refused, read well':>20}"
          f"{'passed, flagged':>17}{'silent':>8}")
    for name, seed in sets:
        rows = judge(photo_set(seed, photos))
        troubles = sorted({r["trouble"] for r in rows})
        for trouble in [*troubles, "all"]:
            some = rows if trouble == "all" else [r for r in rows if r["trouble"] == trouble]
            s = score(some)
            print(f"{name:9}{trouble:9}{s['photos']:>7}{s['refused']:>9}"
                  f"{_share(s['refused_read_well'], s['read_well']):>20}"
                  f"{_share(s['passed_flagged'], s['passed']):>17}{s['silent']:>8}")
        flagged = Counter(d.split()[0] for r in rows if not r["refused"] and not r["certain"]
                          and not r["paper_trouble"] for d in r["doubts"])
        print(f"{'':9}passed and flagged, by reason: "
              + ", ".join(f"{k} {v}" for k, v in flagged.most_common()))


def _share(n: int, of: int) -> str:
    return f"{n}/{of} {n / of:.1%}" if of else "-"


def speed(photos: int) -> None:
    """Upload-to-verdict in Chromium for 12-megapixel photos."""
    import logging
    import tempfile

    from phieu.pipeline.campaign import new_campaign
    from phieu.pipeline.printing import print_forms
    from phieu.samples.capture import PHONE_LONG_SIDE
    from tests.capture.phone import phone_page, serve_capture, wait_verdict

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    where = photo_set(TUNED + 100, photos, PHONE_LONG_SIDE)
    truth = json.loads((where / "truth.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        campaign = Path(tmp) / "campaign"
        with new_campaign(campaign, ROOT / "layouts" / "ha-tinh-2022.yaml") as c:
            print_forms(c, copies=-(-SHEETS // len(c.layout.units)), out=Path(tmp) / "print")
        times = []
        with serve_capture(campaign) as url, phone_page(url) as page:
            for t in truth:
                started = time.perf_counter()
                page.set_input_files("#photo", str(where / t["path"]))
                wait_verdict(page, len(times) + 1, 60_000)
                times.append(time.perf_counter() - started)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    median = statistics.median(times)
    size = (where / truth[0]["path"]).stat().st_size
    print(f"{len(times)} photos of 12 megapixels ({size / 2**20:.1f} MiB each) from choosing "
          f"to the verdict: median {median:.2f} s, 95th percentile {p95:.2f} s")
    print(f"the page keeps up with {60 / median:.0f} photos a minute; a clerk who takes 5 s "
          f"to lay a sheet and aim captures {60 / (5 + median):.1f} sheets a minute")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gate", action="store_true")
    ap.add_argument("--speed", action="store_true")
    ap.add_argument("--photos", type=int)
    ap.add_argument("--fresh", type=int, metavar="SEED")
    args = ap.parse_args()
    if args.speed:
        speed(args.photos or 20)
    if args.gate or not args.speed:
        gate(args.photos or 400, args.fresh)


if __name__ == "__main__":
    main()
