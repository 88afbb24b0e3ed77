"""The code stays lint-clean: the same check a reviewer runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run([str(ruff), "check", "--no-cache", str(ROOT)], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def _imports(folder: str) -> dict[str, set[str]]:
    """Per module of a folder: the phieu modules it imports (absolute and relative)."""
    import ast

    package = f"phieu.{folder.replace('/', '.')}"
    out: dict[str, set[str]] = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        parts = path.relative_to(ROOT / folder).with_suffix("").parts
        here = [*package.split("."), *parts[:-1]]
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = here[:len(here) - node.level + 1] if node.level else []
                names.add(".".join([*base, *([node.module] if node.module else [])]))
            elif isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
        out[str(path.relative_to(ROOT))] = {n for n in names if n.startswith("phieu")}
    return out


def test_each_layer_uses_the_one_below_through_its_front_door():
    """forms knows nothing of the reader or the pipeline; the reader touches no store; the
    pipeline reads pages only through omr's entry points (and shares its vocabulary)."""
    allowed_omr = {"phieu.omr", "phieu.omr.vocabulary"}
    for module, names in _imports("forms").items():
        assert not {n for n in names if n.startswith(("phieu.omr", "phieu.pipeline"))}, module
    for module, names in _imports("omr").items():
        assert not {n for n in names if n.startswith("phieu.pipeline")}, module
    for module, names in _imports("pipeline").items():
        reached = {n for n in names if n.startswith("phieu.omr")} - allowed_omr
        assert not reached, f"{module} reaches into {sorted(reached)}"


def test_the_store_does_not_load_the_reader():
    """The store shares the reader's words, not its code: opening a campaign loads no image
    library and no reading stage."""
    code = ("import sys, phieu.pipeline.store.review, phieu.pipeline.store.copy; "
            "print(sorted(m for m in sys.modules if m.startswith('phieu.omr') or m == 'cv2'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "['phieu.omr', 'phieu.omr.vocabulary']"


def test_a_reader_process_does_not_load_the_printing():
    """A process that reads scans starts by importing the reading: the template and a
    sheet's identity, not the fonts, layouts, tables or drawing of the print."""
    code = ("import sys, phieu.pipeline.scan.reading, phieu.omr.identity as i; "
            "i._tesseract(); "  # the first page read by its printed number loads the OCR
            "print(sorted(m for m in ('reportlab', 'pandas', 'yaml', 'phieu.forms.render', "
            "'phieu.forms.geometry', 'phieu.forms.layout') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_every_package_and_its_pages_are_installed():
    """A package left out of pyproject.toml works from this folder and is missing from an
    install: every folder of code is listed, with the pages and scripts it serves."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"]
    listed = set(config["packages"])
    for folder in ("forms", "omr", "pipeline"):
        for init in (ROOT / folder).rglob("__init__.py"):
            parts = init.parent.relative_to(ROOT / folder).parts
            name = ".".join(["phieu", folder, *parts])
            assert name in listed, f"{name} is not in pyproject.toml's packages"
            if (init.parent / "templates").is_dir():
                assert config["package-data"].get(name), f"{name}'s pages are not installed"
