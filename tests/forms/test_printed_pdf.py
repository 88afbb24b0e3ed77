"""What comes out of the printer: pages, QR codes, registration marks, Vietnamese text."""

from __future__ import annotations

import cv2
import numpy as np
import pypdfium2
import pytesseract
import pytest

from phieu.forms import build_geometry, load_layout, parse_payload
from phieu.forms.geometry import Text
from phieu.forms.template import Template
from phieu.pipeline.campaign import open_campaign
from tests.conftest import REFERENCE, read_manifest, render_page


def _pdf_text(path) -> list[str]:
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def test_two_copies_for_fifteen_units_is_thirty_pages(printed_reference):
    rows = read_manifest(printed_reference / "manifest.csv")
    assert list(rows[0]) == ["pdf_page", "sheet_id", "unit_code", "serial", "form_page"]
    assert len(rows) == 30
    assert len(pypdfium2.PdfDocument(str(printed_reference / "forms.pdf"))) == 30
    assert [int(r["pdf_page"]) for r in rows] == list(range(1, 31))
    assert len({r["unit_code"] for r in rows}) == 15
    assert len({r["serial"] for r in rows}) == 30
    for r in rows:
        assert r["sheet_id"] == f"{r['unit_code']}-{r['serial']}"


def test_every_qr_decodes_to_the_manifest_at_150_dpi(printed_reference):
    """Decoded with OpenCV, not with the library that wrote the codes nor the one that reads
    them, where the template says the code is (as the reader looks for it): unit, serial,
    page and the campaign's code. OpenCV's two detectors each miss a code or two of thirty
    at 150 dpi (which ones depends on the payload); every code reads with one of them."""
    rows = read_manifest(printed_reference / "manifest.csv")
    box = Template.read(printed_reference / "template.json").identity.qr
    s, margin = 150 / 72, 20
    with open_campaign(printed_reference.parent / "c") as campaign:
        code = campaign.code
    assert len(code) == 5
    detectors = (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco())
    for i, row in enumerate(rows):
        img = render_page(printed_reference / "forms.pdf", i, 150)
        crop = img[int((box.y_pt - margin) * s):int((box.y_pt + box.h_pt + margin) * s),
                   int((box.x_pt - margin) * s):int((box.x_pt + box.w_pt + margin) * s)]
        readings = (parse_payload(d.detectAndDecode(crop)[0]) for d in detectors)
        ident = next((r for r in readings if r is not None), None)
        assert ident is not None, f"page {i + 1}: no phieu QR code found"
        assert (ident.unit_code, f"{ident.serial:06d}", ident.form_page, ident.campaign) == (
            row["unit_code"], row["serial"], int(row["form_page"]), code)
        assert ident.layout == "ha-tinh-2022-mot-cua"


def test_registration_marks_tell_the_corners(printed_reference):
    t = Template.read(printed_reference / "template.json")
    img = render_page(printed_reference / "forms.pdf", 0, 100)
    dictionary = cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, t.marker_dictionary))
    corners, ids, _ = cv2.aruco.ArucoDetector(dictionary).detectMarkers(img)
    assert ids is not None and sorted(ids.ravel().tolist()) == [0, 1, 2, 3]
    s = 100 / 72
    for c, marker_id in zip(corners, ids.ravel(), strict=True):
        m = next(m for m in t.markers if m.id == marker_id)
        centre = c.reshape(4, 2).mean(axis=0)
        expected = np.array([m.box.x_pt + m.box.w_pt / 2, m.box.y_pt + m.box.h_pt / 2]) * s
        assert np.abs(centre - expected).max() < 1.5, f"marker {m.corner} is not where published"


def test_text_layer_keeps_the_diacritics(printed_reference):
    pages = _pdf_text(printed_reference / "forms.pdf")
    rows = read_manifest(printed_reference / "manifest.csv")
    for text in pages:
        for needle in ("hài lòng", "Bộ phận một cửa", "Rất không hài lòng", "Ý kiến khác",
                       "Lao động – Thương binh và Xã hội", "PHIẾU KHẢO SÁT"):
            assert needle in text
    assert "Phường Trần Phú" in pages[0]
    assert any("Phường" in p for p in pages) and "Xã Thạch Bình" in pages[-1]
    with open_campaign(printed_reference.parent / "c") as campaign:
        code = campaign.code
    for row, text in zip(rows, pages, strict=True):  # the identity printed for people and OCR
        assert f"{code} {row['sheet_id']} 1/1" in " ".join(text.split())


@pytest.mark.parametrize(
    "line_start", ["PHIẾU KHẢO SÁT", "Sự hài lòng", "Để nâng cao", "Tinh thần", "Lao động"])
def test_rendered_page_shows_the_diacritics(printed_reference, line_start):
    """OCR (Vietnamese) of the rendered page reads the accented words back.

    OCR misreads a letter now and then, so most words, not all, must come back; a
    font without Vietnamese glyphs would lose nearly every one of them.
    """
    geometry = build_geometry(load_layout(REFERENCE))
    items = [i for i in geometry.page_items[0] if isinstance(i, Text)]
    item = next(i for i in items if i.text.startswith(line_start))
    dpi = 300
    s = dpi / 72
    img = render_page(printed_reference / "forms.pdf", 0, dpi)
    top = int((item.y - item.size * 1.3) * s)
    crop = img[top:int((item.y + item.size * 0.5) * s), :]
    read = pytesseract.image_to_string(crop, lang="vie", config="--psm 6").split()
    words = [w for w in item.text.split() if not w.isascii()]
    assert words, "the line must have accented words to check"
    found = sum(w in read for w in words)
    assert found >= 0.8 * len(words), f"read {read}, expected {words}"


def test_two_page_sheets_carry_each_page(printed_two_page):
    rows = read_manifest(printed_two_page / "manifest.csv")
    assert len(rows) == 6  # three units, two pages each
    assert [r["form_page"] for r in rows] == ["1", "2"] * 3
    assert rows[0]["sheet_id"] == rows[1]["sheet_id"]
    detector = cv2.QRCodeDetector()
    text, _, _ = detector.detectAndDecode(render_page(printed_two_page / "forms.pdf", 1, 150))
    ident = parse_payload(text)
    assert ident is not None and ident.form_page == 2
    assert ident.sheet_id == rows[1]["sheet_id"]
    pages = _pdf_text(printed_two_page / "forms.pdf")
    assert f"{rows[1]['sheet_id']} 2/2" in pages[1]
