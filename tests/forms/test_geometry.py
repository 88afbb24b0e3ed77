"""The template is the contract: complete, on the page, and where the printer drew it."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from phieu.forms import build_geometry, load_layout
from phieu.forms.template import Template
from tests.conftest import REFERENCE, TWO_PAGE, render_page

DPI = 150


@pytest.fixture(scope="module", params=[REFERENCE, TWO_PAGE], ids=["reference", "two-page"])
def geometry(request):
    return load_layout(request.param), build_geometry(load_layout(request.param))


def test_template_json_matches_the_contract(printed_reference):
    data = json.loads((printed_reference / "template.json").read_text(encoding="utf-8"))
    assert data["layout"] == "ha-tinh-2022-mot-cua"
    assert data["layout_version"] == 1
    assert data["page_size_pt"] == [595.28, 841.89]
    assert data["pages"] == 1
    layout = load_layout(REFERENCE)
    chosen = [q.id for q in layout.questions if q.kind != "text"]
    assert [q["id"] for q in data["questions"]] == chosen  # layout order
    for q in data["questions"]:
        assert q["kind"] in ("single", "multi")
        assert q["page"] == 1
        for o in q["options"]:
            assert set(o) >= {"value", "x_pt", "y_pt", "r_pt"}
            assert all(isinstance(o[k], float | int) for k in ("x_pt", "y_pt", "r_pt"))
    assert {q["id"]: q["kind"] for q in data["questions"]}["cai_thien"] == "multi"
    assert [t["id"] for t in data["text_boxes"]] == ["y_kien"]
    assert sorted(m["corner"] for m in data["registration"]["markers"]) == ["bl", "br", "tl", "tr"]
    assert set(data["identity"]) == {"qr", "text", "unit"}
    assert [c["id"] for c in data["criteria"]] == ["tc1", "tc2", "tc3", "tc4"]
    assert data["criteria"][0]["questions"] == ["q01", "q02", "q03"]
    # and it reads back into the same template the reader will use
    assert Template.from_dict(data).to_dict() == data


def _boxes(t: Template):
    """Every region on a page that must not overlap another: bubbles, marks, identity."""
    out = []
    for q in t.questions:
        for o in q.options:
            out.append((q.page, f"{q.id}={o.value}", o.x_pt - o.r_pt, o.y_pt - o.r_pt,
                        o.x_pt + o.r_pt, o.y_pt + o.r_pt))
    for page in range(1, t.pages + 1):
        for m in t.markers:
            b = m.box
            out.append((page, f"marker {m.corner}", b.x_pt, b.y_pt, b.x_pt + b.w_pt,
                        b.y_pt + b.h_pt))
        b = t.identity.qr
        out.append((page, "qr", b.x_pt, b.y_pt, b.x_pt + b.w_pt, b.y_pt + b.h_pt))
    for tb in t.text_boxes:
        b = tb.box
        out.append((tb.page, tb.id, b.x_pt, b.y_pt, b.x_pt + b.w_pt, b.y_pt + b.h_pt))
    return out


def test_everything_lies_on_the_page_and_apart(geometry):
    layout, g = geometry
    t = g.template
    w, h = t.page_size_pt
    margin = layout.print.margin_mm * 72 / 25.4
    boxes = _boxes(t)
    for _, name, x0, y0, x1, y1 in boxes:
        assert margin - 0.01 <= x0 < x1 <= w - margin + 0.01, name
        assert margin - 0.01 <= y0 < y1 <= h - margin + 0.01, name
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a[0] != b[0]:
                continue
            apart = a[4] + 2 <= b[2] or b[4] + 2 <= a[2] or a[5] + 2 <= b[3] or b[5] + 2 <= a[3]
            assert apart, f"{a[1]} and {b[1]} overlap on page {a[0]}"


def test_two_page_layout_flows_onto_the_second_page():
    g = build_geometry(load_layout(TWO_PAGE))
    t = g.template
    assert t.pages == 2
    assert {q.page for q in t.questions} | {tb.page for tb in t.text_boxes} == {1, 2}
    assert len(g.page_items) == 2


def _ring_darkness(img: np.ndarray, cx: float, cy: float, r: float, shape: str) -> float:
    """Share of points on the drawn outline (radius r, in pixels) that are dark."""
    n = 96
    hits = 0
    for k in range(n):
        a = 2 * math.pi * k / n
        if shape == "circle":
            x, y = cx + r * math.cos(a), cy + r * math.sin(a)
        else:  # walk the square's perimeter
            s = max(abs(math.cos(a)), abs(math.sin(a)))
            x, y = cx + r * math.cos(a) / s, cy + r * math.sin(a) / s
        xi, yi = int(round(x)), int(round(y))
        hits += img[yi - 1:yi + 2, xi - 1:xi + 2].min() < 128
    return hits / n


def test_every_bubble_sits_inside_its_drawn_outline(printed_reference, printed_two_page):
    """Render the printed PDF and find each published bubble's outline where it is said to be."""
    for out in (printed_reference, printed_two_page):
        t = Template.read(out / "template.json")
        for page in range(1, t.pages + 1):
            img = render_page(out / "forms.pdf", page - 1, DPI)
            s = DPI / 72
            for q in (q for q in t.questions if q.page == page):
                for o in q.options:
                    cx, cy, r = o.x_pt * s, o.y_pt * s, o.r_pt * s
                    on = _ring_darkness(img, cx, cy, r, q.shape)
                    assert on >= 0.95, f"{q.id}={o.value}: outline not at the template's place"
                    # just inside and just outside the outline the paper is white
                    for factor in (0.6, 1.45):
                        off = _ring_darkness(img, cx, cy, r * factor, q.shape)
                        assert off <= 0.2, f"{q.id}={o.value}: ink at {factor} r"


def test_the_print_picture_is_what_every_printed_sheet_shows(printed_reference, printed_two_page):
    """The template's picture of the print agrees with the printed PDF, page by page, except
    where each sheet differs (its QR code, number and unit name)."""
    import base64

    import cv2

    from phieu.forms.template import PICTURE_DARK, PICTURE_SAMPLES_PER_PT

    for out in (printed_reference, printed_two_page):
        t = Template.read(out / "template.json")
        assert len(t.print_picture) == t.pages
        s = PICTURE_SAMPLES_PER_PT
        for page in range(1, t.pages + 1):
            levels = cv2.imdecode(np.frombuffer(base64.b64decode(t.print_picture[page - 1]),
                                                np.uint8), cv2.IMREAD_UNCHANGED)
            printed = 1 - render_page(out / "forms.pdf", page - 1, 72 * s) / 255.0
            assert levels.shape == printed.shape
            same = np.ones(levels.shape, bool)
            for b in (t.identity.qr, t.identity.text, t.identity.unit):
                same[int(b.y_pt * s) - 2:int((b.y_pt + b.h_pt) * s) + 3,
                     int(b.x_pt * s) - 2:int((b.x_pt + b.w_pt) * s) + 3] = False
            dark = printed > 0.6
            assert (levels[same & dark] == PICTURE_DARK).mean() > 0.99
            assert (levels[same & (printed < 0.02)] == 0).mean() > 0.99
            assert dark[same].mean() > 0.005  # the page has print on it
