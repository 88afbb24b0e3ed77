"""Shared fixtures: the bundled layouts and a printed reference campaign."""

from __future__ import annotations

import csv
import itertools
import shutil
from pathlib import Path

import pypdfium2
import pytest
from click.testing import CliRunner

from phieu.pipeline.cli import main

ROOT = Path(__file__).resolve().parents[1]
LAYOUTS = ROOT / "layouts"
REFERENCE = LAYOUTS / "ha-tinh-2022.yaml"
TWO_PAGE = LAYOUTS / "dak-nong-sxd-2023.yaml"


@pytest.fixture(scope="session", autouse=True)
def _campaign_codes():
    """Campaigns the tests make draw their codes from a fixed sequence, not at random: the
    code is printed on every form, so a test's pages read the same in every run."""
    import random

    from phieu.forms.identity import CODE_ALPHABET, CODE_LENGTH
    from phieu.pipeline import campaign

    draw = random.Random(2026)
    drawn = campaign.new_campaign_code
    campaign.new_campaign_code = lambda: "".join(draw.choice(CODE_ALPHABET)
                                                 for _ in range(CODE_LENGTH))
    yield
    campaign.new_campaign_code = drawn


def run_cli(*args: str | Path):
    """Run `phieu ARGS` in-process; returns click's Result (exit_code, output)."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def read_manifest(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def render_page(pdf_path: Path, index: int, dpi: float):
    """One PDF page as a greyscale numpy array at `dpi`."""
    import numpy as np

    pdf = pypdfium2.PdfDocument(str(pdf_path))
    try:
        return np.asarray(pdf[index].render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
    finally:
        pdf.close()


def filled_page(template, printed, sheet_id: str, dpi: int, seed: int, look=None,
                form_page: int = 1, text: bool = False):
    """Page `form_page` of a printed sheet with one answer per question marked in pen (and
    with `text`, handwriting in its comment boxes), through a scanner with `look`; returns
    the image and the answers marked on that page. The same seed draws the same ink, the
    look aside: a second scan of the same paper."""
    import numpy as np

    from phieu.samples.batch import SheetTruth, ink_for_page
    from phieu.samples.scanner import Look
    from phieu.samples.scanner import scan as scanner

    rng = np.random.default_rng(seed)
    truth = SheetTruth(sheet_id, [0], text=text)
    for q in template.questions:
        v = q.options[int(rng.integers(len(q.options)))].value
        truth.marks[q.id] = [(v, "pen")]
        truth.answers[q.id] = v
    ink = ink_for_page(template, truth, form_page, printed.shape, dpi / 72, rng)
    answers = {q.id: truth.answers[q.id] for q in template.questions if q.page == form_page}
    return scanner(printed, ink, look or Look(), rng), answers


class Backend:
    """Where a test's campaigns keep their store: a SQLite file in the folder, or a campaign
    of its own in the tests' PostgreSQL database. The CLI tests run on both."""

    _names = itertools.count(1)

    def __init__(self, kind: str, url: str | None = None) -> None:
        self.kind, self.url = kind, url

    def __repr__(self) -> str:
        return self.kind

    def store_args(self) -> list[str]:
        """What `phieu new` is told so the campaign is made on this backend."""
        if self.url is None:
            return []
        return ["--store", self.url, "--campaign", f"c{next(self._names)}"]

    def new(self, folder: Path, layout: Path, *more: str | Path):
        return run_cli("new", folder, "--layout", layout, *self.store_args(), *more)

    def copy(self, source: Path, target: Path) -> Path:
        """A campaign of its own with what `source` holds (on a server, through
        `phieu store copy`: the folder alone would name the same campaign)."""
        shutil.copytree(source, target)
        if self.url is not None:
            result = run_cli("store", "copy", target, "--to", *self.store_args()[1:])
            assert result.exit_code == 0, result.output
        return target


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request) -> Backend:
    """Each CLI test runs twice: on a SQLite campaign and on one kept in PostgreSQL."""
    if request.param == "sqlite":
        return Backend("sqlite")
    import psycopg

    server = request.getfixturevalue("postgres_server")
    with psycopg.connect(server.url(), autocommit=True) as admin:
        admin.execute("CREATE DATABASE cli")
    return Backend("postgresql", server.url("cli"))


def print_campaign(base: Path, layout: Path, copies: int, backend: Backend | None = None) -> Path:
    """`phieu new` + `phieu print --copies` in `base`; returns the print folder."""
    assert (backend or Backend("sqlite")).new(base / "c", layout).exit_code == 0
    result = run_cli("print", base / "c", "--copies", str(copies), "--out", base / "out")
    assert result.exit_code == 0, result.output
    return base / "out"


@pytest.fixture(scope="session")
def printed_reference(tmp_path_factory) -> Path:
    """The reference campaign printed with --copies 2 (30 sheets); returns the print folder."""
    return print_campaign(tmp_path_factory.mktemp("ref"), REFERENCE, 2)


@pytest.fixture(scope="session")
def printed_two_page(tmp_path_factory) -> Path:
    """The two-page layout printed once per unit (3 sheets, 6 pages)."""
    return print_campaign(tmp_path_factory.mktemp("two"), TWO_PAGE, 1)


@pytest.fixture(scope="session")
def postgres_server():
    """A throw-away PostgreSQL server for the whole test session (see tests/postgres.py)."""
    from tests.postgres import postgres

    with postgres() as server:
        yield server


# The fast loop, `pytest -m "not slow"`: every package's tests on SQLite, without what takes
# seconds a test (the second run on PostgreSQL, a real browser or LibreOffice, whole scanned
# batches). The full suite, the README's and the CI's command, runs everything.
SLOW_MODULES = frozenset({"test_scan.py", "test_faults.py", "test_shared_campaign.py",
                          "test_review_browser.py"})
SLOW_FIXTURES = frozenset({"postgres_server", "browser"})


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if (params.get("backend") == "postgresql" or item.path.name in SLOW_MODULES
                or SLOW_FIXTURES & set(getattr(item, "fixturenames", ()))):
            item.add_marker(pytest.mark.slow)
