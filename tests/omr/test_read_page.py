"""read_page on synthetic scans with known truth: every mark kind, every scanner trouble."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from phieu.omr import BLANK, FOREIGN, FORM, read_page
from phieu.omr.vocabulary import Code, Reason
from phieu.samples.batch import SheetTruth, foreign_page
from phieu.samples.marks import CLEAR
from phieu.samples.scanner import blank_back
from tests.omr.conftest import DPI, answers_for, look, scanned


@pytest.mark.parametrize("kind", CLEAR)
def test_every_clear_kind_of_mark_is_read(form, kind):
    template, render = form
    for seed in range(3):
        truth = answers_for(template, np.random.default_rng(seed), kind)
        result = read_page(scanned(render(), template, truth, seed=seed), template)
        assert result.kind == FORM and result.doubts == [], result.doubts
        assert result.answers == truth.answers
        assert result.identity.sheet_id == "18070-000001"


SCANNERS = {
    "skewed": dict(angle=2.4, shift_px=(25, -18), scale=1.012),
    "upside down": dict(turn=2, angle=-1.5),
    "fed sideways": dict(turn=1, angle=0.8),
    "1-bit": dict(one_bit=True, threshold=0.55, blur=0.6),
    "dark and noisy": dict(paper=180, black=60, noise=7, blur=0.9),
    "pale": dict(paper=252, black=110),
    "crease shadow": dict(fold=True),
    "colour": dict(colour=True),
    "photocopy": dict(photocopy=True, blur=1.1, noise=6, paper=205),
    "phone photo": dict(phone=True, colour=True, light=0.35, angle=5, blur=0.8, noise=4),
}


@pytest.mark.parametrize("name", SCANNERS)
def test_scanner_troubles_do_not_change_the_answers(form, name):
    template, render = form
    truth = answers_for(template, np.random.default_rng(7), "pen")
    img = scanned(render(), template, truth, look(**SCANNERS[name]), seed=3)
    result = read_page(img, template)
    assert result.kind == FORM
    assert result.answers == truth.answers or result.doubts, "wrong answers without a doubt"
    assert result.doubts == [], f"{name}: {result.doubts}"
    expected_turn = {"upside down": 180, "fed sideways": 270}.get(name, 0)
    assert result.rotation == expected_turn


@pytest.mark.parametrize("dpi", [150, 300])
def test_resolutions_from_150_to_300_dpi(form, dpi):
    template, render = form
    truth = answers_for(template, np.random.default_rng(dpi), "tick")
    result = read_page(scanned(render(0, dpi), template, truth, dpi=dpi), template)
    assert result.answers == truth.answers and result.doubts == []


def test_jpeg_artefacts(form):
    template, render = form
    truth = answers_for(template, np.random.default_rng(11), "pencil")
    img = scanned(render(), template, truth, look(noise=3))
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 35])
    result = read_page(cv2.imdecode(buf, cv2.IMREAD_UNCHANGED), template)
    assert result.answers == truth.answers and result.doubts == []


def _one_question(template, rng, qid, marks):
    truth = answers_for(template, rng, "pen")
    truth.marks[qid] = marks
    return truth


def test_two_marks_on_a_one_answer_question_are_flagged_not_guessed(form):
    template, render = form
    truth = _one_question(template, np.random.default_rng(1), "q07", [("2", "pen"), ("4", "tick")])
    result = read_page(scanned(render(), template, truth), template)
    assert result.questions["q07"].answer == "*"
    assert Reason.parse("multiple-marks q07") in result.doubts


def test_a_faint_mark_is_flagged_with_what_it_would_read(form):
    template, render = form
    truth = _one_question(template, np.random.default_rng(2), "q03", [("5", "faint")])
    result = read_page(scanned(render(), template, truth), template)
    assert Reason.parse("faint-mark q03") in result.doubts
    assert result.questions["q03"].reading == "5"
    assert not result.ok


def test_a_rubbed_out_mark_never_counts_as_an_answer(form):
    template, render = form
    for seed in range(4):
        truth = _one_question(template, np.random.default_rng(seed), "q05",
                              [("4", "pen"), ("1", "erased")])
        result = read_page(scanned(render(), template, truth, seed=seed), template)
        q = result.questions["q05"]
        # either read as the one clear answer, or flagged as an erasure with that reading
        assert (q.answer, q.doubt) in (("4", None), ("4", "erasure"))


def test_blank_answers_are_legal(form):
    template, render = form
    truth = answers_for(template, np.random.default_rng(3), "pen")
    for q in ("q02", "gioi_tinh", "cai_thien"):
        truth.marks[q] = []
        truth.answers[q] = ""
    result = read_page(scanned(render(), template, truth), template)
    assert result.ok and result.answers == truth.answers


def test_several_boxes_on_a_multi_answer_question(form):
    template, render = form
    truth = answers_for(template, np.random.default_rng(4), "pen")
    truth.marks["cai_thien"] = [("1", "cross"), ("3", "pen"), ("6", "tick")]
    truth.answers["cai_thien"] = "1|3|6"
    result = read_page(scanned(render(), template, truth), template)
    assert result.ok and result.answers["cai_thien"] == "1|3|6"


def test_damaged_qr_falls_back_to_the_printed_number(form, printed_reference):
    """The printed line gives the sheet's number and the campaign's code, which Tesseract
    reads with little confidence in a line but right on its own."""
    from phieu.pipeline.campaign import open_campaign

    template, render = form
    with open_campaign(printed_reference.parent / "c") as campaign:
        code = campaign.code
    for page, dpi in ((0, DPI), (1, 150), (2, 300)):
        truth = answers_for(template, np.random.default_rng(5 + page), "pen")
        img = scanned(render(page, dpi), template, truth, dpi=dpi).copy()
        s = dpi / 72
        b = template.identity.qr
        x0, y0 = int(b.x_pt * s), int(b.y_pt * s)
        img[y0:y0 + int(b.h_pt * s * 0.55), x0:x0 + int(b.w_pt * s * 0.6)] = 30  # ink blot
        result = read_page(img, template)
        assert result.identity_source == "ocr"
        assert result.identity.sheet_id == f"{('18070', '18070', '18073')[page]}-" \
            f"{page + 1:06d}" and result.ok
        assert result.identity.campaign == code


def test_a_qr_code_blurred_past_reading_falls_back_to_the_printed_number(form):
    """A photocopy or a phone's focus blurs the small QR modules long before the printed
    line's digits: the sheet is still identified, from the line, and read in full."""
    import cv2

    template, render = form
    truth = answers_for(template, np.random.default_rng(21), "pen")
    img = scanned(render(), template, truth).copy()
    s = DPI / 72
    b = template.identity.qr
    y0, y1 = int(b.y_pt * s) - 4, int((b.y_pt + b.h_pt) * s) + 4
    x0, x1 = int(b.x_pt * s) - 4, int((b.x_pt + b.w_pt) * s) + 4
    img[y0:y1, x0:x1] = cv2.GaussianBlur(img[y0:y1, x0:x1], (0, 0), 6.0)
    result = read_page(img, template)
    assert result.identity_source == "ocr"
    assert result.identity.sheet_id == "18070-000001" and result.ok
    assert result.answers == truth.answers


def test_a_covered_corner_mark_is_not_needed(form):
    template, render = form
    truth = answers_for(template, np.random.default_rng(6), "pen")
    img = scanned(render(), template, truth).copy()
    s = DPI / 72
    m = next(m for m in template.markers if m.corner == "bl")
    b = m.box
    img[int(b.y_pt * s) - 5:int((b.y_pt + b.h_pt) * s) + 5,
        int(b.x_pt * s) - 5:int((b.x_pt + b.w_pt) * s) + 5] = 255  # torn off / taped over
    result = read_page(img, template)
    assert result.markers == 3 and result.ok and result.answers == truth.answers


def test_unreadable_identity_is_flagged(form):
    template, render = form
    truth = answers_for(template, np.random.default_rng(8), "pen")
    img = scanned(render(), template, truth).copy()
    s = DPI / 72
    for box in (template.identity.qr, template.identity.text):
        img[int(box.y_pt * s):int((box.y_pt + box.h_pt) * s),
            int(box.x_pt * s):int((box.x_pt + box.w_pt) * s)] = 0
    result = read_page(img, template)
    assert result.identity is None and Reason.parse("id-unreadable") in result.doubts
    assert result.answers == truth.answers  # the answers are still read for the reviewer


def test_blank_back_with_the_front_showing_through(form):
    template, render = form
    back = blank_back(render(), np.random.default_rng(1))
    result = read_page(scanned(back, template, SheetTruth("x", [0]), look(noise=3)), template)
    assert result.kind == BLANK


@pytest.mark.parametrize("kind", ["letter", "photo"])
def test_foreign_pages_are_kept_as_not_a_form(form, kind):
    template, _ = form
    page = foreign_page(kind, (2339, 1654), DPI / 72, np.random.default_rng(2))
    result = read_page(page, template)
    assert result.kind == FOREIGN and result.doubts == [Reason(Code.NOT_A_FORM)]


def test_a_qr_code_of_another_kind_is_not_an_identity(form):
    import zxingcpp

    template, render = form
    page = foreign_page("letter", (2339, 1654), DPI / 72, np.random.default_rng(3)).copy()
    code = zxingcpp.create_barcode("https://dichvucong.gov.vn", zxingcpp.BarcodeFormat.QRCode)
    qr = np.asarray(code.to_image(scale=8))
    page[300:300 + qr.shape[0], 1200:1200 + qr.shape[1]] = qr
    result = read_page(page, template)
    assert result.kind == FOREIGN and result.identity is None


def test_a_nameless_page_of_a_two_page_form_is_read_as_the_page_it_is(printed_two_page):
    """Page 2 has no bubbles: it must not be read as page 1 with every answer blank."""
    from phieu.forms.template import Template
    from tests.conftest import render_page

    template = Template.read(printed_two_page / "template.json")
    s = 200 / 72
    for index, expected in ((0, 1), (1, 2)):
        img = render_page(printed_two_page / "forms.pdf", index, 200).copy()
        for b in (template.identity.qr, template.identity.text):
            img[int(b.y_pt * s):int((b.y_pt + b.h_pt) * s),
                int(b.x_pt * s):int((b.x_pt + b.w_pt) * s)] = 0
        result = read_page(img, template)
        on_page = {q.id for q in template.questions if q.page == expected}
        assert set(result.questions) == on_page
        assert Reason.parse("page-misaligned") not in result.doubts


def test_a_coarse_black_and_white_scan_is_told_apart(form):
    """A 1-bit scan under about 170 dpi can lose a fine tick altogether: the reader says so
    (the clerk is told to scan those pages again); grey at 150 dpi, or 1-bit at 200, it
    keeps enough."""
    template, render = form
    truth = answers_for(template, np.random.default_rng(9), "pen")
    for dpi, one_bit, coarse in ((150, True, True), (150, False, False), (200, True, False)):
        img = scanned(render(0, dpi), template, truth, look(one_bit=one_bit), dpi=dpi)
        result = read_page(img, template)
        assert result.ok and result.answers == truth.answers
        assert result.strokes_may_vanish == coarse, (dpi, one_bit)


def test_the_paper_level_is_numpys_percentile_exactly():
    """The blank-back test's paper level comes from a histogram of 8-bit levels: the same
    value numpy's percentile gives, on any sample, so no page reads differently for it."""
    from phieu.omr.read import _percentile

    rng = np.random.default_rng(0)
    for _ in range(300):
        low = int(rng.integers(0, 256))
        levels = rng.integers(low, int(rng.integers(low, 256)) + 1,
                              int(rng.integers(1, 3000))).astype(np.uint8)
        for q in (0, 30, 95, 99.5, 100):
            assert _percentile(levels, q) == pytest.approx(float(np.percentile(levels, q)),
                                                           abs=1e-9), (q, levels.size)


def _with_qr(printed: np.ndarray, template, payload: str, dpi: int = DPI) -> np.ndarray:
    """The printed page with its QR code replaced by one holding `payload`."""
    from phieu.forms.render import qr_modules

    modules = qr_modules(payload)
    b, s = template.identity.qr, dpi / 72
    x0, y0, side = round(b.x_pt * s), round(b.y_pt * s), round(b.w_pt * s)
    cells = cv2.resize(np.where(modules, 0, 255).astype(np.uint8), (side, side),
                       interpolation=cv2.INTER_NEAREST)
    page = printed.copy()
    page[y0:y0 + side, x0:x0 + side] = cells
    return page


def test_a_qr_code_naming_a_page_the_form_does_not_have_is_refused(form, printed_reference):
    """A one-page form whose code says page 3 (a code from another print, a misprint): the
    page is not taken for any page of that sheet, and says why."""
    from phieu.forms.identity import PageIdentity
    from phieu.pipeline.campaign import open_campaign

    template, render = form
    with open_campaign(printed_reference.parent / "c") as campaign:
        code = campaign.code
    assert template.pages == 1
    payload = PageIdentity(template.layout, "18070", 1, 3, code).payload()
    truth = answers_for(template, np.random.default_rng(8), "pen")
    result = read_page(scanned(_with_qr(render(0), template, payload), template, truth),
                       template)
    assert result.identity_source == "qr" and result.identity.form_page == 3
    assert Reason(Code.NOT_IN_FORM, "3") in result.doubts and not result.ok


@pytest.mark.parametrize("confidence, taken", [(40.0, False), (79.0, False), (80.0, True),
                                               (96.0, True)])
def test_a_number_read_alone_counts_only_when_read_confidently(form, monkeypatch, confidence,
                                                               taken):
    """A one-page form whose page number is hidden: its sheet number, read on its own, names
    the sheet only when Tesseract read it with confidence; a guess is a doubt for a person,
    never another sheet's identity."""
    from phieu.omr import identity as ocr
    from phieu.omr.pose import find_markers, fit_pose, reduce

    template, render = form
    words = {"text": ["18070-000003"], "conf": [confidence], "left": [10], "top": [2],
             "width": [120], "height": [20]}
    monkeypatch.setattr(ocr, "_words", lambda crop: words)  # Tesseract's reading, as given
    image = scanned(render(0), template, answers_for(template, np.random.default_rng(1)))
    pose = fit_pose(template, find_markers(image, template, reduce(image)))
    read = ocr.ocr_identity(image, pose, template)
    assert (read is not None) == taken
    if taken:
        assert read[0].sheet_id == "18070-000003" and read[1] == 1
