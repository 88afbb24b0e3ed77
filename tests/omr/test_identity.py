"""Whose page it is, when the QR code cannot say: the printed line read by Tesseract, and the
decisions taken on what it reads. Tesseract here is a stand-in that reads a word only when
the whole word, with paper around it, is in the picture it is given (as the real one does),
with the confidence the test gives; the decisions are phieu's own."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pytest

from phieu.forms.template import Template
from phieu.omr import identity as ocr

HEIGHT, WIDTH, TOP, TALL = 40, 700, 8, 24  # the identity line's picture, in pixels
PAPER = 6  # pixels of paper a word needs around it to be read


@dataclass(frozen=True)
class Printed:
    """A word on the identity line: what it says, where, and how confidently Tesseract reads
    it in the whole line (`conf`) and in a picture without the line's first word, the code
    that lends it its doubt (`alone`; the same as `conf` when not given)."""

    text: str
    left: int
    width: int
    conf: float = 95.0
    alone: float | None = None
    top: int = TOP


class Tesseract:
    """Reads the words of `line` that lie wholly in the picture it is given, with paper
    around them. A picture narrower than the line is its right-hand part (the line read
    again from a word on)."""

    class TesseractError(RuntimeError):
        pass

    Output = SimpleNamespace(DICT="dict")

    def __init__(self, line: list[Printed], code_alone: str = "", fails: bool = False):
        self.line, self.code_alone, self.fails = line, code_alone, fails
        self.words_read_alone = self.lines_read = 0
        self.picture = np.full((HEIGHT, WIDTH), 255, np.uint8)
        for w in line:
            self.picture[w.top:w.top + TALL, w.left:w.left + w.width] = 0

    def image_to_data(self, crop, lang, config, output_type):
        self.lines_read += 1
        if self.fails:
            raise self.TesseractError("tesseract crashed")
        offset = WIDTH - crop.shape[1]
        seen = [w for w in self.line if w.left - PAPER >= offset or w.left == offset == 0]
        data: dict = {k: [] for k in ("text", "conf", "left", "top", "width", "height")}
        for w in seen:  # without the first word, which lent it its doubt, a word is surer
            conf = w.alone if w.alone is not None and self.line[0] not in seen else w.conf
            for key, value in (("text", w.text), ("conf", conf), ("left", w.left - offset),
                               ("top", w.top), ("width", w.width), ("height", TALL)):
                data[key].append(value)
        return data

    def image_to_string(self, word, lang, config):
        """The campaign's code read on its own: right only when the picture holds the whole
        word and nothing else, with paper after and below it."""
        self.words_read_alone += 1
        inked = word < 128
        room = inked.size and not (inked[-1].any() or inked[:, -1].any())
        if room and inked.sum() == self.line[0].width * TALL:
            return self.code_alone + "\n"
        return "K1?\n"


@pytest.fixture
def line_reader(monkeypatch):
    """read(template, words, code_alone="", fails=False) -> (identity, pages) or None."""
    used: list[Tesseract] = []

    def read(template: Template, words: list[Printed], code_alone: str = "",
             fails: bool = False):
        tesseract = Tesseract(words, code_alone, fails)
        used.append(tesseract)
        monkeypatch.setattr(ocr, "_tesseract", lambda: tesseract)
        monkeypatch.setattr(ocr, "warp_box", lambda *a, **k: tesseract.picture.copy())
        return ocr.ocr_identity(np.zeros((10, 10), np.uint8), None, template)

    read.used = used
    return read


@pytest.fixture(scope="module")
def one_page(printed_reference) -> Template:
    return Template.read(printed_reference / "template.json")


@pytest.fixture(scope="module")
def two_pages(printed_two_page) -> Template:
    return Template.read(printed_two_page / "template.json")


CODE = Printed("KLMNP", 0, 110, top=0)  # the code sits at the picture's top-left corner
NUMBER = Printed("18070-000003", 150, 260)
PAGE = Printed("1/1", 460, 60)


def test_a_line_read_confidently_names_the_sheet_its_page_and_its_campaign(line_reader,
                                                                          one_page):
    identity, pages = line_reader(one_page, [CODE, NUMBER, PAGE])
    assert (identity.sheet_id, identity.form_page, pages) == ("18070-000003", 1, 1)
    assert identity.campaign == "KLMNP"
    assert line_reader.used[0].words_read_alone == 0  # confident and well made: not read again
    assert line_reader.used[0].lines_read == 1  # read confidently: not read again either


@pytest.mark.parametrize("confidence, read_again", [(79.0, True), (80.0, False)])
def test_a_code_the_line_read_with_little_confidence_is_read_again_on_its_own(
        line_reader, one_page, confidence, read_again):
    """Five letters that make no word are what Tesseract reads worst in a line: below the
    confidence limit the code is read again alone, among the letters codes are made of, and
    that reading is the one kept; above it, the line's reading stands (a second reading is
    a third of a damaged page's time)."""
    code = Printed("KLMNP", 0, 110, conf=confidence, top=0)
    read = line_reader(one_page, [code, NUMBER, PAGE], code_alone="KLMNR")
    assert line_reader.used[0].words_read_alone == int(read_again)
    assert read[0].campaign == ("KLMNR" if read_again else "KLMNP")


def test_a_code_read_confidently_but_not_as_codes_are_made_is_read_again(line_reader,
                                                                         one_page):
    code = Printed("KLMN", 0, 110, conf=97.0, top=0)
    identity, _ = line_reader(one_page, [code, NUMBER, PAGE], code_alone="KLMNP")
    assert identity.campaign == "KLMNP"


def test_a_code_that_reads_as_no_code_even_alone_is_left_empty(line_reader, one_page):
    """An empty code is checked against the campaign's by whoever uses it: a doubt, never
    another campaign taken for this one."""
    code = Printed("KLMNF", 0, 110, conf=30.0, top=0)
    identity, _ = line_reader(one_page, [code, NUMBER, PAGE], code_alone="KLMN8")
    assert identity.sheet_id == "18070-000003" and identity.campaign == ""


def test_the_code_is_read_again_whole_with_paper_round_it(line_reader, one_page):
    """The word is cut out with paper on every side, even at the picture's edge: a code cut
    by its own picture would read as another."""
    code = Printed("KLMNF", 0, 110, conf=30.0, top=0)
    identity, _ = line_reader(one_page, [code, NUMBER, PAGE], code_alone="KLMNP")
    assert identity.campaign == "KLMNP"
    code = Printed("KLMNF", 30, 110, conf=30.0, top=10)  # away from the edges
    identity, _ = line_reader(one_page, [code, NUMBER, PAGE], code_alone="KLMNP")
    assert identity.campaign == "KLMNP"


def test_a_number_lent_the_codes_doubt_is_read_again_from_just_before_it(line_reader,
                                                                       one_page):
    """Tesseract lends the number the little confidence it has in the code before it; read
    again from a little before the number, without the code, it is read confidently."""
    code = Printed("KLMNP", 0, 110, conf=40.0, top=0)
    number = Printed("18070-000003", 150, 260, conf=55.0, alone=96.0)
    identity, pages = line_reader(one_page, [code, number, PAGE], code_alone="KLMNP")
    assert (identity.sheet_id, identity.form_page, pages) == ("18070-000003", 1, 1)
    assert identity.campaign == "KLMNP"


def test_a_number_read_unsure_even_alone_names_no_sheet(line_reader, two_pages):
    code = Printed("KLMNP", 0, 110, conf=40.0, top=0)
    number = Printed("18073-000003", 150, 260, conf=55.0, alone=70.0)
    page = Printed("2/2", 460, 60)
    assert line_reader(two_pages, [code, number, page]) is None


def test_a_page_number_read_unsure_names_no_page(line_reader, two_pages):
    """Every word from the number on must be read confidently: a page number guessed would
    put the sheet's answers on another page's questions."""
    number = Printed("18073-000003", 10, 260)
    for conf, named in ((79.0, False), (80.0, True)):
        page = Printed("2/2", 330, 60, conf=conf)
        read = line_reader(two_pages, [number, page])
        assert (read is not None) == named
        assert line_reader.used[-1].words_read_alone == 0  # no code before it: none read
        if named:
            assert read[0].form_page == 2 and read[1] == 2


def test_a_confident_number_with_its_page_unsure_is_not_page_one_of_a_two_page_form(
        line_reader, two_pages):
    """Only a one-page form's number, read alone, says its page (1/1)."""
    number = Printed("18073-000003", 10, 260)
    assert line_reader(two_pages, [number]) is None
    assert line_reader(two_pages, [number, Printed("2/2", 330, 60, conf=20.0)]) is None


def test_a_one_page_forms_line_naming_another_page_keeps_that_page(line_reader, one_page):
    """A one-page form's line read, confidently, as page 2 of 2: the page it names is kept
    (the reader then says it is not this form's), never made page 1 because the form has
    only one."""
    identity, pages = line_reader(one_page, [CODE, NUMBER, Printed("2/2", 460, 60)])
    assert (identity.form_page, pages) == (2, 2)


def test_a_number_like_scrawl_after_the_line_does_not_name_the_sheet(line_reader, one_page):
    """Someone wrote a number near the printed line; the sheet's number is the line's first."""
    scrawl = Printed("12-3456789", 560, 130)
    identity, _ = line_reader(one_page, [CODE, NUMBER, PAGE, scrawl])
    assert identity.sheet_id == "18070-000003"


def test_a_line_with_nothing_but_the_code_names_no_sheet(line_reader, one_page):
    assert line_reader(one_page, [CODE]) is None
    assert line_reader(one_page, []) is None


def test_tesseract_failing_names_no_sheet_and_raises_nothing(line_reader, one_page):
    assert line_reader(one_page, [CODE, NUMBER, PAGE], fails=True) is None


def test_a_small_blurred_code_is_read_enlarged_and_its_corners_line_the_page_up(form):
    """A 110 dpi scan with two opposite corner marks taped over, blurred just enough that
    the QR code no longer reads at its own size: enlarged twice it does, and its corners,
    brought back to the page, line the page up with the two marks left."""
    from phieu.omr import read_page
    from phieu.omr.pose import find_markers, fit_pose, reduce
    from tests.omr.conftest import answers_for, look, scanned

    template, render = form
    dpi = 110
    s = dpi / 72
    truth = answers_for(template, np.random.default_rng(3))
    for blur in np.arange(1.2, 2.2, 0.1):  # the least blur the code does not read through
        img = scanned(render(0, dpi), template, truth, look(blur=blur), dpi=dpi).copy()
        for m in template.markers:
            if m.corner in ("tr", "bl"):
                b = m.box
                img[int(b.y_pt * s) - 4:int((b.y_pt + b.h_pt) * s) + 4,
                    int(b.x_pt * s) - 4:int((b.x_pt + b.w_pt) * s) + 4] = 245
        markers = find_markers(img, template, reduce(img))
        rough = fit_pose(template, markers)
        x0, y0, x1, y1 = ocr.box_in_image(rough, template.identity.qr, ocr.QR_MARGIN,
                                          img.shape)
        if not ocr._read_qr(img[y0:y1, x0:x1]):
            break
    assert len(markers) == 2 and blur < 2.1
    result = read_page(img, template)
    assert result.identity_source == "qr" and result.identity.sheet_id == "18070-000001"
    assert result.ok and result.answers == truth.answers


def test_a_code_read_enlarged_has_the_corners_it_has_read_at_its_own_size(form, monkeypatch):
    """The same code read both ways on a clean 110 dpi scan with a margin of platen above
    and beside the page: the enlarged reading's corners, brought back to the page, are
    within a pixel of the plain reading's."""
    from phieu.omr.pose import find_markers, fit_pose, reduce
    from tests.omr.conftest import answers_for, scanned

    template, render = form
    img = scanned(render(0, 110), template, answers_for(template, np.random.default_rng(5)),
                  dpi=110)
    img = np.pad(img, ((60, 0), (45, 0)), constant_values=240)
    pose = fit_pose(template, find_markers(img, template, reduce(img)))
    plain = ocr.qr_on_located_page(img, pose, template)
    read = ocr._read_qr
    calls = []

    def first_fails(image, offset=(0, 0), downscale=False):
        calls.append(image.shape)
        return [] if len(calls) == 1 else read(image, offset, downscale)

    monkeypatch.setattr(ocr, "_read_qr", first_fails)
    enlarged = ocr.qr_on_located_page(img, pose, template)
    assert len(calls) == 2 and calls[1][0] == 2 * calls[0][0]
    assert enlarged.text == plain.text
    assert np.abs(enlarged.corners - plain.corners).max() <= 1.0


def test_a_code_found_anywhere_on_the_page_has_the_corners_it_has_in_its_box(form):
    """A page whose corner marks are all gone is found by its code, searched for on the
    whole image: the corners found so are the code's own, to the pixel, as read in its box
    where the pose puts it."""
    from phieu.omr.pose import find_markers, fit_pose, reduce
    from tests.omr.conftest import answers_for, scanned

    template, render = form
    img = scanned(render(), template, answers_for(template, np.random.default_rng(6)))
    pose = fit_pose(template, find_markers(img, template, reduce(img)))
    boxed = ocr.qr_on_located_page(img, pose, template)
    anywhere = [c for c in ocr.qr_anywhere(img) if c.identity]
    assert len(anywhere) == 1 and anywhere[0].text == boxed.text
    assert np.abs(anywhere[0].corners - boxed.corners).max() <= 0.5
