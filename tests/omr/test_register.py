"""Lining the page up on its printed outlines: each found where the print moved it, a
question off its place not read, a neighbouring row never taken for a bubble's own."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from phieu.omr import register as reg
from phieu.omr.measure import bubble_layout
from phieu.omr.pose import Pose, find_markers, fit_pose, reduce
from phieu.samples.batch import ink_for_page
from phieu.samples.scanner import Look, scan
from tests.omr.conftest import answers_for, scanned


def test_a_peak_between_samples_is_where_the_parabola_through_them_peaks():
    """The outline's place between two sampled positions, against numpy's own fit of a
    parabola through the three scores; a peak further than half a step away is held at
    half a step, and scores that make no peak move nothing."""
    rng = np.random.default_rng(3)
    for _ in range(300):
        top, k, level = rng.uniform(-0.49, 0.49), rng.uniform(0.05, 2), rng.uniform(-1, 1)
        a, b, c = (level - k * (x - top) ** 2 for x in (-1.0, 0.0, 1.0))
        curve = np.polyfit([-1.0, 0.0, 1.0], [a, b, c], 2)
        assert reg._vertex(np.array(a), np.array(b), np.array(c)) == pytest.approx(
            -curve[1] / (2 * curve[0]), abs=1e-9)
    far = reg._vertex(np.array([0.0, 1.2]), np.array([1.0, 1.0]), np.array([1.2, 0.0]))
    assert far.tolist() == [0.5, -0.5]
    assert reg._vertex(np.array([1.0, 0.2]), np.array([0.5, 0.5]), np.array([0.2, 0.8])
                       ).tolist() == [0.0, 0.0]  # a trough, a slope


@pytest.fixture(scope="module")
def page(form):
    """(template, the scanned page, the pose its corner marks give)."""
    template, render = form
    img = scanned(render(), template, answers_for(template, np.random.default_rng(2), "pen"))
    return template, img, fit_pose(template, find_markers(img, template, reduce(img)))


def _moved(img: np.ndarray, dx_px: float, dy_px: float) -> np.ndarray:
    m = np.float32([[1, 0, dx_px], [0, 1, dy_px]])
    return cv2.warpAffine(img, m, img.shape[::-1], flags=cv2.INTER_LINEAR,
                          borderValue=245)


@pytest.mark.parametrize("dx_pt, dy_pt", [(0.0, 0.0), (1.3, -0.7), (-2.6, 2.2), (3.4, 0.35)])
def test_every_outline_is_found_where_the_print_moved_it(page, dx_pt, dy_pt):
    """The print moved under a pose that did not follow (roller slip): each empty bubble's
    outline is found that far off, to a tenth of a point, and matches well."""
    template, img, pose = page
    s = pose.px_per_pt
    search = reg._search(template, 1)
    shift, score = reg.find_outlines(_moved(img, dx_pt * s, dy_pt * s), pose, search)
    layout = bubble_layout(template)
    empty = _empty_bubbles(template, layout, search)
    assert (score[empty] >= reg.MATCH_MIN).mean() > 0.95
    good = empty & (score >= reg.MATCH_MIN)
    assert np.abs(shift[good] - [dx_pt, dy_pt]).max() < 0.1


def _empty_bubbles(template, layout, search) -> np.ndarray:
    """The bubbles of the page left empty on the `page` fixture's sheet."""
    truth = answers_for(template, np.random.default_rng(2), "pen")
    ids = [q.id for q in template.questions]
    marked = {(ids.index(q), v) for q, a in truth.answers.items() for v in a.split("|")}
    return np.array([(int(layout.question[i]), layout.values[i]) not in marked
                     for i in search.index])


def test_an_outline_is_never_looked_for_as_far_as_the_next_option(page):
    """The print moved half the way from one option to the next under a pose that did not
    follow: each bubble sits between two printed outlines and cannot tell its own. None is
    taken for it (an outline is looked for less than half the way to the nearest bubble),
    and the page is not lined up on a neighbour."""
    template, img, pose = page
    search = reg._search(template, 1)
    d = np.hypot(*(search.centres[:, None, :] - search.centres[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(d, np.inf)
    nearest = d.min(axis=1)
    step = float(np.median(nearest))
    moved = _moved(img, step / 2 * pose.px_per_pt, 0)
    shift, score = reg.find_outlines(moved, pose, search)
    found = score >= reg.MATCH_MIN
    assert (np.hypot(*shift[found].T) < 0.5 * nearest[found]).all()
    spaced = np.isclose(nearest, step)  # a row of options, evenly spaced
    assert (score[spaced] < reg.MATCH_MIN).mean() > 0.9
    registration = reg.register(moved, pose, template, 1, {}, trusted=False)
    assert registration.found < 0.3


def _one_question(template) -> tuple[reg._Search, int, np.ndarray]:
    """The page's search, and q05 (five options) with its bubbles."""
    search = reg._search(template, 1)
    qi = [q.id for q in template.questions].index("q05")
    return search, qi, dict(search.questions)[qi]


def _aligned(template, shifts: dict[int, tuple[float, float]], scores: dict[int, float]):
    """q05's alignment when its bubbles' outlines are found as given (the others all found
    in place): its local offset or None, and the bubbles seen."""
    search, qi, sel = _one_question(template)
    shift = np.zeros((len(search.index), 2))
    score = np.full(len(search.index), 0.9)
    for k, s in shifts.items():
        shift[sel[k]] = s
    for k, s in scores.items():
        score[sel[k]] = s
    local, every = reg._aligned(search, shift, score)
    registration = reg._registration(None, search, local, shift, score)
    return local[qi], every, registration.seen[sel], registration.offsets[sel]


def test_a_question_found_a_little_off_is_read_where_it_is(form):
    """Paper curl moved one question's row: its outlines agree with one another, so it is
    read at the median of where they were found, each bubble seen."""
    template = form[0]
    found = {0: (1.0, 0.4), 1: (1.2, 0.5), 2: (0.9, 0.3), 3: (1.1, 0.6), 4: (1.4, 0.45)}
    local, every, seen, offsets = _aligned(template, found, {})
    assert local.tolist() == [float(np.median([1.0, 1.2, 0.9, 1.1, 1.4])),
                              float(np.median([0.4, 0.5, 0.3, 0.6, 0.45]))]
    assert every and seen.all() and (offsets == local).all()


def test_a_question_whose_outlines_disagree_or_sit_too_far_is_not_read(form):
    template = form[0]
    apart = {0: (0.0, 0.0), 1: (0.1, 0.0), 2: (0.0, 0.1), 3: (1.6, 0.0), 4: (0.0, 0.0)}
    local, every, _, offsets = _aligned(template, apart, {})
    assert local is None and not every and not offsets.any()
    far = {k: (3.5, 2.5) for k in range(5)}  # 4.3 pt off: more than curl moves a row
    assert _aligned(template, far, {})[0] is None
    near = {k: (3.0, 2.5) for k in range(5)}  # 3.9 pt
    assert _aligned(template, near, {})[0].tolist() == [3.0, 2.5]


def test_a_question_needs_two_outlines_found_and_a_short_one_one(form):
    """Fills may hide outlines, not all of them: a question of four or more needs two found,
    a question of three or fewer needs one."""
    template = form[0]
    hidden = {k: 0.1 for k in (0, 1, 2, 3)}
    assert _aligned(template, {}, hidden)[0] is None
    local, _, seen, _ = _aligned(template, {}, {k: 0.1 for k in (0, 1, 2)})
    assert local is not None and seen.tolist() == [False] * 3 + [True] * 2
    search = reg._search(template, 1)
    short = next((q, sel) for q, sel in search.questions if len(sel) == 3)
    shift, score = np.zeros((len(search.index), 2)), np.full(len(search.index), 0.9)
    score[short[1][:2]] = 0.1
    assert reg._aligned(search, shift, score)[0][short[0]] is not None
    score[short[1][2]] = 0.1
    assert reg._aligned(search, shift, score)[0][short[0]] is None
    four = next((q, sel) for q, sel in search.questions if len(sel) == 4)
    score[four[1][:3]] = 0.1
    assert reg._aligned(search, shift, score)[0][four[0]] is None
    score[four[1][2]] = 0.9
    assert reg._aligned(search, shift, score)[0][four[0]] is not None


def test_a_bubble_is_seen_only_by_a_whole_outline_in_its_questions_place(form):
    """An outline half cut off by a copy's edge still matches a little: seen takes a good
    match (0.6), where the question is (within 1.2 pt of its offset)."""
    template = form[0]
    _, _, seen, _ = _aligned(template, {3: (1.0, 0.0)}, {2: 0.55, 4: 0.65})
    assert seen.tolist() == [True, True, False, True, True]
    _, _, seen, _ = _aligned(template, {3: (1.3, 0.0)}, {})
    assert seen.tolist() == [True, True, True, False, True]


def test_a_page_lined_up_on_marks_at_one_side_is_corrected_by_its_print(form):
    """Two marks at the top, a pose turned a degree about them (11 pt off at the foot of
    the page): the outlines all over the page pull it right, so every question is aligned
    where it is printed and read."""
    from phieu.omr import read_page

    template, render = form
    truth = answers_for(template, np.random.default_rng(4), "pen")
    img = scanned(render(), template, truth)
    markers = find_markers(img, template, reduce(img))
    good = fit_pose(template, markers)
    turn = cv2.getRotationMatrix2D((100.0, 100.0), 1.0, 1.0)  # about the top-left mark
    off = Pose(np.vstack([turn, [0, 0, 1]]) @ good.homography, good.markers, 0.0,
               good.px_per_pt)
    r = reg.register(img, off, template, 1, {})
    assert all(r.aligned.values()) and r.found > 0.9
    centres = reg._search(template, 1).centres
    assert np.abs(r.pose.to_image(centres) - good.to_image(centres)).max() < 1.0
    assert read_page(img, template).answers == truth.answers


def test_a_refit_needs_a_third_of_the_outlines_found_to_agree(page):
    """Outlines found wrongly (under fills, beside stray lines) are left out of the fit; but
    when fewer than a third of those found agree with any one pose (or fewer than six), the
    print says nothing and the pose stays as the marks made it."""
    template, _, pose = page
    rng = np.random.default_rng(8)
    search = reg._search(template, 1)
    src = search.centres[::max(1, len(search.centres) // 30)][:30]  # all over the page
    for agreeing, fitted in ((10, True), (9, False)):
        found = src.copy()
        bad = rng.permutation(30)[:30 - agreeing]
        found[bad] += rng.uniform(20, 40, (len(bad), 2)) * rng.choice([-1, 1], (len(bad), 2))
        refit = reg._refit(pose, template, {}, src, found)
        assert (refit is not None) == fitted, agreeing
        if fitted:
            good = np.setdiff1d(np.arange(30), bad)
            assert np.abs(refit.to_image(src[good]) - pose.to_image(src[good])).max() < 0.5
    template, img, _ = page
    markers = find_markers(img, template, reduce(img))  # the marks hold the fit in place
    twelve = src[:12]  # a third of twelve is four: six must agree
    for agreeing, fitted in ((6, True), (5, False)):
        found = twelve.copy()
        found[agreeing:] += rng.uniform(20, 40, (12 - agreeing, 2)) * rng.choice(
            [-1, 1], (12 - agreeing, 2))
        refit = reg._refit(pose, template, markers, twelve, found)
        assert (refit is not None) == fitted, agreeing
    few = search.centres[:7]
    assert reg._refit(pose, template, {}, few, few) is None  # under eight points in all
    assert reg._refit(pose, template, {}, search.centres[:8], search.centres[:8]) is not None


def test_a_page_the_marks_line_up_all_round_is_not_fitted_again(page):
    """Four marks and every question's outlines close to where they put them: the marks'
    pose is kept as it is (no refit to drift it), and the page reads."""
    template, img, pose = page
    markers = find_markers(img, template, reduce(img))
    trusted = reg.register(img, pose, template, 1, markers, trusted=True)
    assert trusted.pose is pose and all(trusted.aligned.values())
    refitted = reg.register(img, pose, template, 1, markers, trusted=False)
    assert refitted.pose is not pose and all(refitted.aligned.values())


@pytest.mark.parametrize("r_pt", [4.0, 4.3, 5.0, 5.5, 6.2, 7.0])
@pytest.mark.parametrize("square", [False, True])
def test_the_outline_looked_for_is_centred_on_the_bubble(r_pt, square):
    """Whatever the bubble's size, the drawn outline matched against the page is centred
    on an odd number of samples: an outline a half sample off would move every bubble's
    found place by a third of a point."""
    tpl = reg._outline(r_pt, square)
    assert tpl.shape[0] == tpl.shape[1] and tpl.shape[0] % 2 == 1
    assert np.array_equal(tpl, tpl[::-1, ::-1]) and np.array_equal(tpl, tpl.T)


def test_a_filled_first_page_of_a_two_page_form_without_its_number_is_read_as_page_one(
        printed_two_page):
    """Its code and printed number lost (a stain): the page is the one whose outlines are
    printed here, even when its fills hide some of them, never the page of the form that
    has no bubbles at all; its answers are read."""
    from phieu.forms.template import Template
    from phieu.omr import read_page
    from tests.conftest import render_page

    template = Template.read(printed_two_page / "template.json")
    s = 200 / 72
    truth = answers_for(template, np.random.default_rng(9), "pen")
    img = scanned(render_page(printed_two_page / "forms.pdf", 0, 200), template, truth).copy()
    for b in (template.identity.qr, template.identity.text):
        img[int(b.y_pt * s):int((b.y_pt + b.h_pt) * s),
            int(b.x_pt * s):int((b.x_pt + b.w_pt) * s)] = 245
    result = read_page(img, template)
    on_page = {q.id for q in template.questions if q.page == 1}
    assert set(result.questions) == on_page
    assert {q: a for q, a in result.answers.items() if q in on_page} == \
        {q: a for q, a in truth.answers.items() if q in on_page}


@pytest.fixture(scope="module")
def printed_long(tmp_path_factory):
    """A form whose questions run onto a second page: the reference layout with thirty more
    questions of its scale, printed once per unit."""
    import yaml

    from tests.conftest import REFERENCE, print_campaign

    layout = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    section = next(s for s in layout["sections"] if any(q["id"] == "q01"
                                                        for q in s["questions"]))
    first = section["questions"][0]
    section["questions"] += [dict(first, id=f"x{k:02d}", text=f"Câu thêm số {k}")
                             for k in range(30)]
    base = tmp_path_factory.mktemp("long")
    path = base / "long.yaml"
    path.write_text(yaml.safe_dump(layout, allow_unicode=True), encoding="utf-8")
    return print_campaign(base, path, 1)


def test_each_page_of_a_form_with_questions_on_two_pages_is_lined_up_on_its_own(
        printed_long):
    """Both pages hold bubbles: each is lined up on its own outlines only, and read."""
    from phieu.forms.template import Template
    from phieu.omr import read_page
    from tests.conftest import render_page

    template = Template.read(printed_long / "template.json")
    assert {q.page for q in template.questions if q.kind != "text"} == {1, 2}
    truth = answers_for(template, np.random.default_rng(10), "pen")
    for page in (1, 2):
        printed = render_page(printed_long / "forms.pdf", page - 1, 200)
        rng = np.random.default_rng(page)
        ink = ink_for_page(template, truth, page, printed.shape, 200 / 72, rng)
        result = read_page(scan(printed, ink, Look(), rng), template)
        on_page = {q.id for q in template.questions if q.page == page}
        assert result.identity.form_page == page and set(result.questions) == on_page
        assert result.ok and result.answers == {q: truth.answers[q] for q in on_page}


@pytest.mark.parametrize("dx_pt, dy_pt", [(12.0, 0.0), (0.0, 12.0), (-12.0, 0.0), (0.0, -12.0)])
def test_outlines_moved_beyond_the_search_are_not_found_there(page, dx_pt, dy_pt):
    """The print moved farther than any outline is looked for: each is looked for up to the
    edge of its search and no farther, and whatever best matches there is reported within
    its reach."""
    template, img, pose = page
    search = reg._search(template, 1)
    shift, score = reg.find_outlines(_moved(img, dx_pt * pose.px_per_pt,
                                            dy_pt * pose.px_per_pt), pose, search)
    assert (np.hypot(*shift.T) <= search.reach + 0.5 / reg.OUTLINE_SAMPLES_PER_PT).all()
    at_edge = search.reach == search.reach.max()
    assert at_edge.any() and (score[at_edge] < reg.MATCH_MIN).all()
