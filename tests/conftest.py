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


@pytest.fixture(scope="session")
def printed_reference(tmp_path_factory) -> Path:
    """The reference campaign printed with --copies 2 (30 sheets); returns the print folder."""
    base = tmp_path_factory.mktemp("ref")
    assert run_cli("new", base / "c", "--layout", REFERENCE).exit_code == 0
    result = run_cli("print", base / "c", "--copies", "2", "--out", base / "out")
    assert result.exit_code == 0, result.output
    return base / "out"


@pytest.fixture(scope="session")
def printed_two_page(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("two")
    assert run_cli("new", base / "c", "--layout", TWO_PAGE).exit_code == 0
    result = run_cli("print", base / "c", "--copies", "1", "--out", base / "out")
    assert result.exit_code == 0, result.output
    return base / "out"
