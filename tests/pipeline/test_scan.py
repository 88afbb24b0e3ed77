"""`phieu scan` and `phieu export` on batches from the generator, with known truth."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from phieu.forms.template import Template
from phieu.omr.warp import straighten
from phieu.pipeline.campaign import open_campaign, read_address
from phieu.pipeline.export import export_frame
from phieu.pipeline.scan.batch import _Readers, scan
from phieu.pipeline.scan.inputs import KINDS, PageLoader, ScanFile
from phieu.pipeline.store import open_store
from phieu.pipeline.store.pages import count_pages_read_only, page_counts, replaced_scans
from phieu.samples import make_batch, write_bad_files
from phieu.samples.batch import SheetTruth, ink_for_page
from phieu.samples.scanner import Look
from phieu.samples.scanner import scan as scanner
from phieu.samples.score import score
from tests.conftest import (
    REFERENCE,
    TWO_PAGE,
    Backend,
    filled_page,
    read_manifest,
    render_page,
    run_cli,
)

PHIEU = str(Path(sys.executable).with_name("phieu"))
# no answers marked beside their bubble: these batches test the pipeline; ink beside an
# option, on its words included, has its own tests in tests/omr/test_handling.py
ON_WORDS = {"beside": 0.0}


@pytest.fixture(scope="session")
def campaign_kit(tmp_path_factory) -> Path:
    """A printed reference campaign (90 sheets), never scanned into: copy it per test (onto
    each backend)."""
    base = tmp_path_factory.mktemp("kit")
    assert run_cli("new", base / "campaign", "--layout", REFERENCE).exit_code == 0
    assert run_cli("print", base / "campaign", "--copies", "6", "--out",
                   base / "print").exit_code == 0
    return base


def _campaign(kit: Path, tmp_path: Path, backend: Backend, name: str = "c") -> Path:
    """A fresh copy of the kit's campaign, its store on `backend`."""
    return backend.copy(kit / "campaign", tmp_path / name)


@pytest.fixture(scope="session")
def office(campaign_kit, tmp_path_factory):
    out = tmp_path_factory.mktemp("office")
    truth = make_batch(campaign_kit / "print", out, "office", sheets=80, seed=21, rates=ON_WORDS)
    return out, truth


@pytest.fixture(scope="session")
def office_scanned(campaign_kit, office, tmp_path_factory, backend):
    """The office batch scanned once with two workers: (campaign, summary)."""
    c = _campaign(campaign_kit, tmp_path_factory.mktemp("office-scan"), backend)
    with open_campaign(c) as camp:
        summary = scan(camp, [office[0]], workers=2)
    return c, summary


def _score(c: Path, scans: Path, truth: dict):
    with open_campaign(c) as camp:
        return score(export_frame(camp), truth, camp.store, scans)


def test_the_workers_get_the_whole_template_and_nothing_is_left_behind(campaign_kit):
    """The template with its picture of the print is more than a pipe holds: it goes to the
    workers by a file, which is gone when the scan ends."""
    with open_campaign(campaign_kit / "campaign") as camp:
        template = camp.template()
    readers = _Readers(template, 2)
    try:
        handed = readers.handed
        assert handed is not None and Template.read(handed) == template
        assert len(json.dumps(template.to_dict())) > 65536  # why it goes by file
    finally:
        readers.close()
    assert not handed.exists()


def test_a_scan_in_the_callers_process_leaves_its_opencv_as_it_was(campaign_kit, tmp_path):
    """One worker reads in the caller's own process: the review page or the demo running
    there afterwards keeps the thread count it had."""
    page = tmp_path / "blank.png"
    cv2.imwrite(str(page), np.full((1169, 827), 250, np.uint8))
    before = cv2.getNumThreads()
    cv2.setNumThreads(3)
    try:
        copy = tmp_path / "c"
        shutil.copytree(campaign_kit / "campaign", copy)
        with open_campaign(copy) as camp:
            assert scan(camp, [page], workers=1).pages_read == 1
        assert cv2.getNumThreads() == 3
    finally:
        cv2.setNumThreads(before)


def test_office_scans_meet_the_bar(office, office_scanned):
    scans, truth = office
    c, summary = office_scanned
    s = _score(c, scans, truth)
    assert s.wrong == []  # the worst bug: a wrong answer on a sheet marked ok
    assert s.pages_lost == 0 and s.pages == s.pages_stored
    assert s.double_counted == []
    assert s.missed_flags == []
    # the generator draws fine-liner ticks, sloppy fills and spirals as well since the
    # reader learnt them: light fine lines at 150 dpi are still flagged now and then
    assert s.accepted_share >= 0.95, s.line()
    assert s.needless_share <= 0.04, s.needless
    assert s.blank_skipped == s.blank_pages > 0
    assert s.foreign_flagged == s.foreign_pages
    assert summary.pages_read == s.pages and not summary.failed_files


def _scanned_batch(kit: Path, tmp_path: Path, backend: Backend, profile: str, sheets: int,
                   seed: int, first_sheet: int, workers: int):
    """A fresh batch of `profile` scanned into a copy of the kit's campaign; its score."""
    scans = tmp_path / profile
    truth = make_batch(kit / "print", scans, profile, sheets=sheets, seed=seed,
                       first_sheet=first_sheet, rates=ON_WORDS)
    c = _campaign(kit, tmp_path, backend)
    with open_campaign(c) as camp:
        scan(camp, [scans], workers=workers)
    return _score(c, scans, truth)


def test_hard_scans_are_never_wrong(backend, campaign_kit, tmp_path):
    s = _scanned_batch(campaign_kit, tmp_path, backend, "hard", 40, seed=22, first_sheet=40,
                       workers=1)
    assert s.wrong == [] and s.pages_lost == 0 and s.double_counted == []
    assert s.accepted_share >= 0.90, s.line()


def test_handled_sheets_are_never_wrong(backend, campaign_kit, tmp_path):
    """Sheets cut by an off-centre copy, torn, stapled, under a thumb, folded."""
    s = _scanned_batch(campaign_kit, tmp_path, backend, "handled", 30, seed=23, first_sheet=60,
                       workers=2)
    assert s.wrong == [] and s.pages_lost == 0 and s.double_counted == []
    assert s.accepted_share >= 0.85, s.line()


def test_scanning_the_same_files_again_changes_nothing(office, office_scanned, tmp_path):
    scans, _ = office
    c, _ = office_scanned
    with open_campaign(c) as camp:
        before = export_frame(camp)
        again = scan(camp, [scans], workers=1)
        after = export_frame(camp)
    assert again.pages_read == 0 and again.pages_known == sum(
        1 for f in json.loads((scans / "truth.json").read_text())["files"] for _ in f["pages"])
    pd.testing.assert_frame_equal(before, after)
    # the same content under another name is the same file
    other = tmp_path / "renamed.pdf"
    first_pdf = next(p for p in sorted(scans.iterdir()) if p.suffix == ".pdf")
    shutil.copy(first_pdf, other)
    with open_campaign(c) as camp:
        assert scan(camp, [other], workers=1).pages_read == 0
        pd.testing.assert_frame_equal(before, export_frame(camp))


def test_every_input_format(backend, campaign_kit, tmp_path):
    """ADF PDFs (JPEG and 1-bit pages), multi-page TIFF (LZW and Group 4), JPEG, PNG."""
    pdf = campaign_kit / "print" / "forms.pdf"
    rows = read_manifest(campaign_kit / "print" / "manifest.csv")
    template = Template.read(campaign_kit / "print" / "template.json")
    scans = tmp_path / "in"
    scans.mkdir()
    expected: dict[str, dict[str, str]] = {}
    pages: list[tuple[np.ndarray, bool]] = []
    for i in range(12):
        one_bit = i % 3 == 2
        img, answers = filled_page(template, render_page(pdf, i, 200), rows[i]["sheet_id"], 200, i,
                               Look(one_bit=one_bit, turn=2 if i % 4 == 1 else 0))
        expected[rows[i]["sheet_id"]] = answers
        pages.append((img, one_bit))

    def pil(img):
        return Image.fromarray(img.astype(np.uint8) * 255).convert("1") if img.dtype == bool \
            else Image.fromarray(img)

    pil(pages[0][0]).save(scans / "adf.pdf", "PDF", save_all=True,
                          append_images=[pil(pages[1][0])], resolution=200)
    pil(pages[2][0]).save(scans / "adf-1bit.pdf", "PDF", save_all=True,
                          append_images=[pil(pages[5][0])], resolution=200)
    pil(pages[3][0]).save(scans / "grey.tif", "TIFF", save_all=True,
                          append_images=[pil(pages[4][0])], compression="tiff_lzw")
    pil(pages[8][0]).save(scans / "g4.tiff", "TIFF", save_all=True,
                          append_images=[pil(pages[11][0])], compression="group4")
    cv2.imwrite(str(scans / "one.jpg"), pages[6][0], [cv2.IMWRITE_JPEG_QUALITY, 80])
    cv2.imwrite(str(scans / "two.JPEG"), cv2.cvtColor(pages[7][0], cv2.COLOR_GRAY2BGR))
    cv2.imwrite(str(scans / "three.png"), pages[9][0])
    cv2.imwrite(str(scans / "four.png"), pages[10][0])
    c = _campaign(campaign_kit, tmp_path, backend)
    result = run_cli("scan", c, scans, "--workers", "1")
    assert result.exit_code == 0, result.output
    with open_campaign(c) as camp:
        frame = export_frame(camp)
    assert len(frame) == 12 and set(frame["status"]) == {"ok"}
    for row in frame.to_dict("records"):
        assert {q: row[q] for q in expected[row["sheet_id"]]} == expected[row["sheet_id"]]
    sources = {Path(p).name for p in frame["source"]}
    assert sources == {"adf.pdf", "adf-1bit.pdf", "grey.tif", "g4.tiff", "one.jpg", "two.JPEG",
                       "three.png", "four.png"}
    assert "black and white under" not in result.output  # 1-bit at 200 dpi keeps fine ticks


def test_a_coarse_black_and_white_batch_is_named_to_scan_again(campaign_kit, tmp_path):
    """Black and white at 150 dpi: the sheets are read, and the clerk is told which file to
    scan again in grey, since a fine tick can vanish from such a scan."""
    pdf = campaign_kit / "print" / "forms.pdf"
    rows = read_manifest(campaign_kit / "print" / "manifest.csv")
    template = Template.read(campaign_kit / "print" / "template.json")
    scans = tmp_path / "in"
    scans.mkdir()
    images = [filled_page(template, render_page(pdf, i, 150), rows[i]["sheet_id"], 150, i,
                          Look(one_bit=True))[0] for i in range(2)]
    frames = [Image.fromarray(img.astype(np.uint8) * 255).convert("1") for img in images]
    frames[0].save(scans / "bw-150.tif", "TIFF", save_all=True, append_images=frames[1:],
                   compression="group4", dpi=(150, 150))
    c = _campaign(campaign_kit, tmp_path, Backend("sqlite"))
    result = run_cli("scan", c, scans, "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "black and white under 173 dpi" in result.output
    assert f"{scans / 'bw-150.tif'}: 2 form pages" in result.output


def test_bad_files_are_named_and_the_batch_goes_on(backend, office, campaign_kit, tmp_path):
    scans, truth = office
    bad = tmp_path / "bad"
    good_jpg = next((p for p in sorted(scans.iterdir()) if p.suffix == ".jpg"), None)
    problems = write_bad_files(bad, good_jpg)
    first = scans / truth["files"][0]["path"]
    shutil.copy(first, bad / first.name)
    c = _campaign(campaign_kit, tmp_path, backend)
    result = subprocess.run([PHIEU, "scan", str(c), str(bad), "--workers", "1"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    for name in problems:
        line = next((ln for ln in result.stdout.splitlines() if name in ln), "")
        assert line, f"{name} is not named in:\n{result.stdout}"
    assert "truncated" in result.stdout and "has no pages" in result.stdout
    assert "broken.pdf: not a readable PDF" in result.stdout
    with open_campaign(c) as camp:  # the good file among them was read in full
        frame = export_frame(camp)
    good = frame[frame["source"] == str(bad / first.name)]
    assert len(good) == sum(1 for p in truth["files"][0]["pages"] if p["kind"] != "blank")
    assert set(good["status"]) == {"ok"}
    bad_rows = frame[frame["flags"].str.startswith("unreadable page")]  # one per bad file
    assert sorted(Path(p).name for p in bad_rows["source"]) == sorted(problems)
    # a second run says the same and reads nothing twice
    again = subprocess.run([PHIEU, "scan", str(c), str(bad), "--workers", "1"],
                           capture_output=True, text=True, check=False)
    assert again.returncode == 1 and "Read 0 pages" in again.stdout
    assert "truncated.jpg" in again.stdout


def test_a_second_scan_is_flagged_and_not_counted(office, office_scanned):
    scans, truth = office
    c, _ = office_scanned
    seconds = [(f["path"], n, p["sheet_id"]) for f in truth["files"]
               for n, p in enumerate(f["pages"], 1) if p.get("second_scan")]
    assert seconds, "the batch should hold a second scan of some sheet"
    with open_campaign(c) as camp:
        frame = export_frame(camp)
    for path, n, sheet_id in seconds:
        row = frame[(frame["source"] == str(scans / path)) & (frame["source_page"] == n)]
        assert list(row["sheet_id"]) == [""]
        assert list(row["flags"]) == [f"duplicate of {sheet_id}"]
        assert (frame["sheet_id"] == sheet_id).sum() == 1


def test_the_first_scan_beside_a_second_one_is_the_page_as_read(office, office_scanned):
    """The reviewer sees a second scan beside its first; the first one's picture is made
    again from its file, decoded smaller when the format allows: it is the same page,
    straightened the same way, as one made from the page as it was read."""
    c, _ = office_scanned
    template = Template.read(c / "template.json")
    loader = PageLoader()
    with open_campaign(c) as camp:
        firsts = replaced_scans(camp.store)
    assert firsts, "the batch should hold a second scan of some sheet"
    reduced = 0
    for path, page_no, homography, jpeg in firsts:
        f = ScanFile(Path(path), KINDS[Path(path).suffix.lower()])
        reduced += loader.load_reduced(f, page_no - 1, 100)[1] > 1
        shown = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_GRAYSCALE)
        full = straighten(loader.load(f, page_no - 1), homography,
                          template, 100 / 72)
        assert shown.shape == full.shape
        assert np.abs(shown.astype(int) - full).mean() < 6, path
    assert reduced, "some first scan should have been decoded smaller"


def test_pages_without_identity_still_get_a_row(backend, campaign_kit, tmp_path):
    template = Template.read(campaign_kit / "print" / "template.json")
    pdf = campaign_kit / "print" / "forms.pdf"
    img, _ = filled_page(template, render_page(pdf, 0, 200), "x", 200, 1)
    img = img.copy()
    s = 200 / 72
    for box in (template.identity.qr, template.identity.text):
        img[int(box.y_pt * s):int((box.y_pt + box.h_pt) * s),
            int(box.x_pt * s):int((box.x_pt + box.w_pt) * s)] = 0
    cv2.imwrite(str(tmp_path / "nameless.png"), img)
    c = _campaign(campaign_kit, tmp_path, backend)
    assert run_cli("scan", c, tmp_path / "nameless.png", "--workers", "1").exit_code == 0
    out = tmp_path / "export.csv"
    assert run_cli("export", c, "--out", out).exit_code == 0
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(frame.columns[:9]) == ["sheet_id", "unit_code", "serial", "status", "flags",
                                       "source", "source_page", "channel", "copy"]
    with open_campaign(c) as camp:
        assert list(frame.columns[9:]) == [q.id for q in camp.layout.questions]
    assert len(frame) == 1
    row = frame.iloc[0]
    assert row["sheet_id"] == "" and row["status"] == "flagged"
    assert "id-unreadable" in row["flags"] and row["source_page"] == "1"


def test_a_sheet_of_another_campaign_is_not_counted(backend, campaign_kit, tmp_path):
    """Another campaign of the same layout numbers its sheets from 1 too: its forms carry
    its own code, so neither a serial this campaign also printed nor one it never printed
    is taken for a sheet of this campaign."""
    other = tmp_path / "other"
    assert run_cli("new", other, "--layout", REFERENCE).exit_code == 0
    assert run_cli("print", other, "--copies", "7", "--out", tmp_path / "p").exit_code == 0
    rows = read_manifest(tmp_path / "p" / "manifest.csv")
    template = Template.read(tmp_path / "p" / "template.json")
    scans = tmp_path / "in"
    scans.mkdir()
    for i in (0, len(rows) - 1):  # serial 1, printed here too; serial 105, printed only there
        img, _ = filled_page(template, render_page(tmp_path / "p" / "forms.pdf", i, 200),
                             rows[i]["sheet_id"], 200, 3 + i)
        cv2.imwrite(str(scans / f"{i:03d}.png"), img)
    c = _campaign(campaign_kit, tmp_path, backend)
    with open_campaign(other) as theirs, open_campaign(c) as ours:
        code = theirs.code
        if code == ours.code:  # one chance in 248,832: nothing to tell apart
            pytest.skip("the two campaigns drew the same code")
    assert run_cli("scan", c, scans, "--workers", "1").exit_code == 0
    with open_campaign(c) as camp:
        frame = export_frame(camp)
    assert list(frame["sheet_id"]) == ["", ""]
    assert list(frame["flags"]) == [f"other campaign: {code}"] * 2
    assert set(frame["status"]) == {"flagged"}


def test_two_page_sheets_are_put_together_in_any_order(backend, tmp_path):
    c = tmp_path / "dn"
    assert backend.new(c, TWO_PAGE).exit_code == 0
    assert run_cli("print", c, "--copies", "1", "--out", tmp_path / "p").exit_code == 0
    template = Template.read(tmp_path / "p" / "template.json")
    pdf = tmp_path / "p" / "forms.pdf"
    rows = read_manifest(tmp_path / "p" / "manifest.csv")
    truth = {}
    (tmp_path / "in").mkdir()
    for i, row in enumerate(rows):
        rng = np.random.default_rng(i)
        # page 2 holds a comment box only: written on the first and the last sheet, left
        # empty on the other (an empty page joins its paper all the same)
        sheet = SheetTruth(row["sheet_id"], [0, 1], text=i in (1, len(rows) - 1))
        for q in template.questions:
            v = q.options[int(rng.integers(len(q.options)))].value
            sheet.marks[q.id] = [(v, "pen")]
            if q.page == int(row["form_page"]):
                truth.setdefault(row["sheet_id"], {})[q.id] = v
        printed = render_page(pdf, i, 200)
        ink = ink_for_page(template, sheet, int(row["form_page"]), printed.shape, 200 / 72, rng)
        img = scanner(printed, ink, Look(), rng)
        # page 2 of every sheet comes first, in its own file; the last sheet lacks page 1
        name = f"{int(row['form_page']) % 2}-{i:02d}.png"
        if not (row["sheet_id"] == rows[-1]["sheet_id"] and row["form_page"] == "1"):
            cv2.imwrite(str(tmp_path / "in" / name), img)
    assert run_cli("scan", c, tmp_path / "in", "--workers", "1").exit_code == 0
    with open_campaign(c) as camp:
        frame = export_frame(camp).set_index("sheet_id")
    assert len(frame) == 3
    complete = [sid for sid in truth if sid != rows[-1]["sheet_id"]]
    for sid in complete:
        assert frame.loc[sid, "status"] == "ok"
        assert {q: frame.loc[sid, q] for q in truth[sid]} == truth[sid]
    last = frame.loc[rows[-1]["sheet_id"]]  # something written on it: a paper, incomplete
    assert last["status"] == "flagged" and last["flags"] == "missing page 1"
    assert list(frame["copy"]) == [1, 1, 1]


def _pages_stored(c: Path) -> int:
    """Pages the campaign holds, while a scan may be writing to it."""
    if (c / "store.url").is_file():
        with open_store(*read_address(c)) as store:
            return sum(page_counts(store).values())
    try:
        return count_pages_read_only(c / "campaign.sqlite")
    except sqlite3.Error:
        return 0


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_stopped_mid_batch_loses_nothing_and_goes_on(backend, office, office_scanned,
                                                     campaign_kit, tmp_path, how):
    scans, truth = office
    total = sum(len(f["pages"]) for f in truth["files"])
    c = _campaign(campaign_kit, tmp_path, backend)
    proc = subprocess.Popen([PHIEU, "scan", str(c), str(scans), "--workers", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while _pages_stored(c) < 15 and time.monotonic() < deadline:
        time.sleep(0.05)
    if how == signal.SIGKILL:  # the whole process group: the laptop dies
        os.killpg(proc.pid, how)
    else:  # Ctrl-C
        proc.send_signal(how)
    out, err = proc.communicate(timeout=60)
    stored = _pages_stored(c)
    assert 15 <= stored < total, "the stop should land mid-batch"
    if how == signal.SIGINT:
        assert proc.returncode == 1 and "run the same command to go on" in err
    result = subprocess.run([PHIEU, "scan", str(c), str(scans), "--workers", "2"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _pages_stored(c) == total
    with open_campaign(c) as camp, open_campaign(office_scanned[0]) as whole:
        pd.testing.assert_frame_equal(export_frame(camp), export_frame(whole))


def test_excel_export_holds_the_same_rows(office_scanned, tmp_path):
    c, _ = office_scanned
    assert run_cli("export", c, "--out", tmp_path / "x.xlsx").exit_code == 0
    assert run_cli("export", c, "--out", tmp_path / "x.csv").exit_code == 0
    xl = pd.read_excel(tmp_path / "x.xlsx", dtype=str, keep_default_na=False)
    csv = pd.read_csv(tmp_path / "x.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(xl, csv)
    bad = run_cli("export", c, "--out", tmp_path / "x.json")
    assert bad.exit_code == 1 and "must end in .csv or .xlsx" in bad.output
