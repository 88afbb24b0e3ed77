"""`phieu print --posters`: a QR poster per reception point, read back by another decoder."""

from __future__ import annotations

import csv
from urllib.parse import quote

import cv2
import numpy as np
import pypdfium2

from tests.conftest import LAYOUTS, run_cli

PRESENT = LAYOUTS / "ha-tinh-2026.yaml"
FORM = "https://forms.office.com/r/AbC123?unit={unit_code}&ten={unit_name}"


def _decoded(pdf_path, dpi: float = 75) -> list[str]:
    """Every page's QR code as OpenCV reads it (phieu writes them with zxing-cpp)."""
    pdf = pypdfium2.PdfDocument(str(pdf_path))
    detector = cv2.QRCodeDetectorAruco()  # OpenCV's sturdier QR reader
    out = []
    for page in pdf:
        img = np.asarray(page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
        out.append(detector.detectAndDecode(img)[0])
    pdf.close()
    return out


def test_every_units_poster_opens_the_form_with_the_unit_filled_in(tmp_path):
    layout = tmp_path / "layout.yaml"
    text = PRESENT.read_text(encoding="utf-8")
    start = text.index('  url: "')
    layout.write_text(text[:start] + f'  url: "{FORM}"' + text[text.index("\n", start):],
                      encoding="utf-8")
    assert run_cli("new", tmp_path / "c", "--layout", layout).exit_code == 0
    result = run_cli("print", tmp_path / "c", "--posters")
    assert result.exit_code == 0, result.output
    out = tmp_path / "c" / "posters"
    with (out / "posters.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 69
    # the address, worked out here from the layout's words: code and name URL-encoded
    expected = [f"https://forms.office.com/r/AbC123?unit={r['unit_code']}&ten="
                + quote(r["unit_name"], safe="") for r in rows]
    assert [r["url"] for r in rows] == expected
    assert "ten=Ph%C6%B0%E1%BB%9Dng%20Th%C3%A0nh%20Sen" in expected[0]
    assert _decoded(out / "posters.pdf") == expected


def test_posters_for_some_units_and_the_mistakes(tmp_path):
    assert run_cli("new", tmp_path / "c", "--layout", PRESENT).exit_code == 0
    result = run_cli("print", tmp_path / "c", "--posters", "--unit", "18100", "--out",
                     tmp_path / "p")
    assert result.exit_code == 0, result.output
    assert _decoded(tmp_path / "p" / "posters.pdf") == [
        "https://docs.google.com/forms/d/e/EXAMPLE-FORM-ID/viewform?usp=pp_url"
        "&entry.1000001=18100"]
    wrong = run_cli("print", tmp_path / "c", "--posters", "--unit", "18070")
    assert wrong.exit_code == 1 and "unit '18070'" in wrong.output
    both = run_cli("print", tmp_path / "c", "--posters", "--copies", "2")
    assert both.exit_code == 2
    assert run_cli("new", tmp_path / "old", "--layout", LAYOUTS / "ha-tinh-2022.yaml"
                   ).exit_code == 0
    none = run_cli("print", tmp_path / "old", "--posters")
    assert none.exit_code == 1 and "no online form" in none.output
