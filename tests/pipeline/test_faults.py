"""A full disk and a read-only campaign end in a message naming what and where: exit 1,
no traceback, nothing half-written, and what was stored before is kept."""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from phieu.pipeline.campaign import open_campaign
from phieu.pipeline.demo import print_sample, sample_scans
from phieu.pipeline.export import export_frame
from phieu.pipeline.store.pages import count_pages_read_only

PHIEU = str(Path(sys.executable).with_name("phieu"))


def _disk_of(size: int):
    """For a child process: no file it writes grows beyond `size` bytes (a disk that fills
    up); the write fails with an error instead of the signal that would kill it."""
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    return limit


def _run(*args, limit: int | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([PHIEU, *map(str, args)], capture_output=True, text=True,
                          check=False, timeout=600,
                          preexec_fn=_disk_of(limit) if limit else None)


def _said(result: subprocess.CompletedProcess) -> str:
    out = result.stdout + result.stderr
    assert "Traceback" not in out, out
    return out


@pytest.fixture()
def sample(tmp_path) -> Path:
    """The demo's campaign, printed, not scanned yet."""
    c = tmp_path / "c"
    print_sample(c, tmp_path / "print")
    return c


def test_a_disk_that_fills_up_mid_scan_keeps_what_was_read_and_the_next_run_goes_on(
        sample, tmp_path):
    full = _run("scan", sample, sample_scans(), "--workers", "2",
                limit=(sample / "campaign.sqlite").stat().st_size + 150_000)
    assert full.returncode == 1
    out = _said(full)
    assert f"{sample / 'campaign.sqlite'}: cannot write to the campaign's store" in out
    assert "the disk is full" in out and "run the same command again" in out
    stored = count_pages_read_only(sample / "campaign.sqlite")
    on = _run("scan", sample, sample_scans(), "--workers", "2")
    assert on.returncode == 0, _said(on)
    assert f"Already read before (same files given again): {stored} pages" in on.stdout \
        or stored == 0
    alone = tmp_path / "alone"
    print_sample(alone, tmp_path / "print2")
    assert _run("scan", alone, sample_scans(), "--workers", "1").returncode == 0
    with open_campaign(sample) as c, open_campaign(alone) as a:
        pd.testing.assert_frame_equal(export_frame(c), export_frame(a))


@pytest.fixture()
def many(sample, tmp_path) -> Path:
    """The sample campaign with 1,500 answers from a web form: an export of some size."""
    from tests.pipeline.test_import import _people, google

    google(_people(1500, 31)).to_csv(tmp_path / "online.csv", index=False)
    assert _run("import", sample, tmp_path / "online.csv").returncode == 0
    return sample


@pytest.mark.parametrize("name", ["export.csv", "export.xlsx"])
def test_an_export_the_disk_cannot_hold_leaves_no_half_file(many, tmp_path, name):
    out = tmp_path / name
    assert _run("export", many, "--out", out).returncode == 0
    before = out.read_bytes()
    full = _run("export", many, "--out", out, limit=60_000)
    assert full.returncode == 1 and f"{out}: cannot write" in _said(full)
    assert out.read_bytes() == before  # the export written before is as it was
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("export")) == [name]


def test_a_report_the_disk_cannot_hold_leaves_no_half_file(many, tmp_path):
    out = tmp_path / "bao-cao"
    full = _run("report", many, "--out", out, limit=60_000)
    assert full.returncode == 1 and "cannot write" in _said(full)
    assert not [p for p in out.iterdir() if p.suffix == ".part"]
    for p in out.iterdir():  # whatever is there was written whole
        assert p.stat().st_size < 60_000


def _read_only(folder: Path, *commands: list[str]) -> list[tuple[int, str]]:
    """Each command run with `folder` on a read-only disk (a read-only bind mount in a
    namespace of its own); (exit code, what it printed) of each."""
    script = f"mount --bind {folder} {folder} && mount -o remount,ro,bind {folder} {folder}"
    outs = []
    for cmd in commands:
        r = subprocess.run(["unshare", "-rm", "sh", "-c", f'{script} && exec "$@"', "sh",
                            *cmd], capture_output=True, text=True, check=False, timeout=300)
        if r.returncode != 0 and "mount" in r.stderr and "phieu" not in r.stderr:
            pytest.skip(f"no read-only mount here: {r.stderr.strip()}")
        outs.append((r.returncode, r.stdout + r.stderr))
    return outs


def test_a_read_only_campaign_exports_reports_and_refuses_to_change(sample, tmp_path):
    assert _run("scan", sample, sample_scans(), "--workers", "2").returncode == 0
    export, report, inside, scan, imported = _read_only(
        sample,
        [PHIEU, "export", str(sample), "--out", str(tmp_path / "e.csv")],
        [PHIEU, "report", str(sample), "--out", str(tmp_path / "r")],
        [PHIEU, "report", str(sample)],
        [PHIEU, "scan", str(sample), str(tmp_path / "print" / "forms.pdf")],
        [PHIEU, "import", str(sample), str(sample_scans().parent / "online.csv")])
    for _, out in (export, report, inside, scan, imported):
        assert "Traceback" not in out, out
    assert export[0] == 0 and report[0] == 0
    with open_campaign(sample) as c:
        assert len(pd.read_csv(tmp_path / "e.csv", dtype=str)) == len(export_frame(c))
    assert {p.name for p in (tmp_path / "r").iterdir()} == {
        "bao-cao.pdf", "bao-cao.docx", "bao-cao.xlsx", "bao-cao.csv"}
    assert inside[0] == 1 and "cannot make the folder for the report" in inside[1]
    assert "--out" in inside[1]
    for code, out in (scan, imported):
        assert code == 1 and "the campaign is read-only here" in out, out


def test_the_review_page_of_a_read_only_campaign_shows_and_refuses_to_decide(sample):
    if shutil.which("unshare") is None:
        pytest.skip("no unshare here")
    assert _run("scan", sample, sample_scans(), "--workers", "2").returncode == 0
    script = f"mount --bind {sample} {sample} && mount -o remount,ro,bind {sample} {sample}"
    proc = subprocess.Popen(["unshare", "-rm", "sh", "-c", f'{script} && exec "$@"', "sh",
                             PHIEU, "review", str(sample), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        line = proc.stdout.readline()
        m = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        if not m:
            pytest.skip(f"no read-only mount here: {proc.stderr.read()[:300]}")
        url = m.group(1)
        page = urllib.request.urlopen(url, timeout=30).read().decode()
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        headers = {"X-CSRF-Token": token, "X-Reviewer": "Lan", "X-Session": "session-ro-1",
                   "Content-Type": "application/json"}

        def post(path: str, body: bytes):
            request = urllib.request.Request(url + path, body, headers)
            try:
                with urllib.request.urlopen(request, timeout=30) as r:
                    return r.status, r.read().decode()
            except urllib.error.HTTPError as e:
                return e.code, e.read().decode()

        status, text = post("api/next", b"{}")
        assert status == 200, text
        item = json.loads(text)["item"]["item"]
        status, text = post("api/decide", json.dumps({"item": item, "action": "reject"}).encode())
        assert status == 503 and "chỉ đọc" in json.loads(text)["error"]
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
