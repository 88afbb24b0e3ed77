"""Shared fixtures: the bundled layouts and a printed reference campaign."""

from __future__ import annotations

import csv
from pathlib import Path

import pypdfium2
import pytest
from click.testing import CliRunner

from phieu.pipeline.cli import main

ROOT = Path(__file__).resolve().parents[1]
LAYOUTS = ROOT / "layouts"
REFERENCE = LAYOUTS / "ha-tinh-2022.yaml"
TWO_PAGE = LAYOUTS / "dak-nong-sxd-2023.yaml"


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


def print_campaign(base: Path, layout: Path, copies: int) -> Path:
    """`phieu new` + `phieu print --copies` in `base`; returns the print folder."""
    assert run_cli("new", base / "c", "--layout", layout).exit_code == 0
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
