"""Whatever a scanner writes is decoded as it is, and a bad file is one flagged row."""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from phieu.forms.template import Template
from phieu.pipeline.campaign import open_campaign
from phieu.pipeline.export import export_frame
from phieu.pipeline.scan.inputs import MAX_PAGE_PIXELS
from tests.conftest import filled_page, read_manifest, render_page, run_cli

PHIEU = str(Path(sys.executable).with_name("phieu"))


@pytest.fixture()
def kit(printed_once) -> Path:
    return printed_once


def _sheets(kit: Path, n: int) -> list[tuple[np.ndarray, str, dict[str, str]]]:
    """`n` filled sheets scanned at 200 dpi, 8-bit grey: (image, sheet id, answers)."""
    template = Template.read(kit / "p" / "template.json")
    rows = read_manifest(kit / "p" / "manifest.csv")
    out = []
    for i in range(n):
        img, answers = filled_page(template, render_page(kit / "p" / "forms.pdf", i, 200),
                                   rows[i]["sheet_id"], 200, 40 + i)
        out.append((img, rows[i]["sheet_id"], answers))
    return out


def _fresh(kit: Path, tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(kit / "c", tmp_path / "c"))


def _png(width: int, height: int) -> bytes:
    """A white grey PNG of any size, made without holding its pixels (a few KB)."""
    row = b"\x00" + b"\xff" * width
    data = zlib.compressobj(9)
    body = b"".join(data.compress(row) for _ in range(height)) + data.flush()

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0,
                                                               0, 0, 0))
            + chunk(b"IDAT", body) + chunk(b"IEND", b""))


def test_every_pixel_encoding_reads_as_the_sheet_it_is(kit, tmp_path):
    """16-bit (full and 12-bit range), floating-point, palette, CMYK and transparent pages,
    in TIFF and PNG: each filled sheet is read with its answers, none dropped as a blank
    back or read as ink."""
    sheets = _sheets(kit, 9)
    scans = tmp_path / "in"
    scans.mkdir()
    grey = [s[0].astype(np.float64) / 255 for s in sheets]
    Image.fromarray((grey[0] * 65535).astype(np.uint16)).save(scans / "a-16bit.tif")
    cv2.imwrite(str(scans / "b-16bit.png"), (grey[1] * 65535).astype(np.uint16))
    Image.fromarray((grey[2] * 4095).astype(np.uint16)).save(scans / "c-12bit.tif")
    Image.fromarray(grey[3].astype(np.float32)).save(scans / "d-float.tif")
    Image.fromarray(sheets[4][0]).convert("P").save(scans / "e-palette.tif")
    Image.fromarray(sheets[5][0]).quantize(64).save(scans / "f-palette.png")
    Image.fromarray(sheets[6][0]).convert("CMYK").save(scans / "g-cmyk.tif")
    # paper left transparent (and black beneath), the print and the marks opaque
    ink = 255 - sheets[7][0]
    rgba = np.dstack([np.zeros_like(ink)] * 3 + [ink])
    Image.fromarray(rgba, "RGBA").save(scans / "h-alpha.png")
    Image.fromarray(sheets[8][0]).convert("LA").save(scans / "i-grey-alpha.tif")
    assert Image.open(scans / "a-16bit.tif").mode.startswith("I;16")
    assert Image.open(scans / "d-float.tif").mode == "F"
    c = _fresh(kit, tmp_path)
    result = run_cli("scan", c, scans, "--workers", "1")
    assert result.exit_code == 0, result.output
    with open_campaign(c) as camp:
        frame = export_frame(camp).set_index("sheet_id")
    assert len(frame) == len(sheets)
    for _, sid, answers in sheets:
        assert frame.loc[sid, "status"] == "ok", (sid, frame.loc[sid, "flags"])
        assert {q: frame.loc[sid, q] for q in answers} == answers


def _cut_tiff(pages: list[np.ndarray], path: Path) -> int:
    """A multi-page TIFF cut short in its last page; returns the pages left whole."""
    whole = path.with_suffix(".whole")
    Image.fromarray(pages[0]).save(whole, "TIFF", save_all=True,
                                   append_images=[Image.fromarray(p) for p in pages[1:]],
                                   compression="tiff_lzw")
    data = whole.read_bytes()
    whole.unlink()
    path.write_bytes(data[:len(data) - len(data) // (2 * len(pages))])
    return len(pages) - 1


def test_a_bad_file_is_one_flagged_row_and_the_batch_goes_on(kit, tmp_path):
    """A decompression bomb, a TIFF cut short and a page too large to decode, among good
    files: every good page is stored, each bad page is one flagged row naming its file and
    page, no traceback, and a second run reads nothing again."""
    sheets = _sheets(kit, 5)
    scans = tmp_path / "in"
    scans.mkdir()
    cv2.imwrite(str(scans / "01-good.png"), sheets[0][0])
    Image.new("1", (15000, 15000), 1).save(scans / "02-bomb.tif", compression="group4")
    assert (scans / "02-bomb.tif").stat().st_size < 300_000
    whole = _cut_tiff([s[0] for s in sheets[1:4]], scans / "03-cut.tif")
    (scans / "04-huge.png").write_bytes(_png(60000, 1400))
    assert MAX_PAGE_PIXELS < 60000 * 1400
    cv2.imwrite(str(scans / "05-good.jpg"), sheets[4][0])
    c = _fresh(kit, tmp_path)
    run = [PHIEU, "scan", str(c), str(scans), "--workers", "2"]
    result = subprocess.run(run, capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    out = result.stdout
    assert "02-bomb.tif page 1: the page is 15,000 x 15,000 pixels" in out
    assert f"03-cut.tif page {whole + 1}: the TIFF page cannot be decoded" in out
    assert "04-huge.png page 1: the page is 60,000 x 1,400 pixels" in out
    with open_campaign(c) as camp:
        frame = export_frame(camp)
    good = frame[frame["sheet_id"] != ""].set_index("sheet_id")
    expected = [sheets[0], *sheets[1:1 + whole], sheets[4]]
    assert sorted(good.index) == sorted(s[1] for s in expected)
    for _, sid, answers in expected:
        assert good.loc[sid, "status"] == "ok"
        assert {q: good.loc[sid, q] for q in answers} == answers
    bad = frame[frame["sheet_id"] == ""]
    assert sorted(zip(bad["source"].map(lambda p: Path(p).name), bad["source_page"],
                      strict=True)) == [("02-bomb.tif", 1), ("03-cut.tif", whole + 1),
                                        ("04-huge.png", 1)]
    assert set(bad["status"]) == {"flagged"}
    assert all(f.startswith("unreadable page: ") for f in bad["flags"])
    again = subprocess.run(run, capture_output=True, text=True, check=False)
    assert again.returncode == 1 and "Read 0 pages" in again.stdout
    assert "Traceback" not in again.stdout + again.stderr
    with open_campaign(c) as camp:
        pd.testing.assert_frame_equal(frame, export_frame(camp))


def test_a_file_that_does_not_open_is_a_row_of_the_export(kit, tmp_path):
    """A file no page of which opens (a PDF cut short, a TIFF whose header is garbage) is
    accounted for as one flagged row, without a page number."""
    scans = tmp_path / "in"
    scans.mkdir()
    (scans / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    (scans / "broken.tif").write_bytes(b"II*\x00\x08\x00\x00\x00garbage")
    c = _fresh(kit, tmp_path)
    for _ in range(2):  # a second run adds no second row
        assert run_cli("scan", c, scans, "--workers", "1").exit_code == 1
    with open_campaign(c) as camp:
        frame = export_frame(camp)
    assert sorted(Path(p).name for p in frame["source"]) == ["broken.pdf", "broken.tif"]
    assert list(frame["source_page"]) == ["", ""]
    assert set(frame["status"]) == {"flagged"}
    assert all(f.startswith("unreadable page: not a readable") for f in frame["flags"])
