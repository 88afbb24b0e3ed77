"""Where the bundled layouts and the sample campaign are, installed or in a checkout."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from .errors import PhieuError

REFERENCE_LAYOUT = "ha-tinh-2022.yaml"


def _data_dir(package: str) -> Path:
    # data-only packages are namespace packages: take the first real folder on their path
    spec = importlib.util.find_spec(package)
    for location in (spec.submodule_search_locations or []) if spec else []:
        if Path(location).is_dir():
            return Path(location)
    raise PhieuError(f"the bundled {package} folder is missing; reinstall phieu")


def layouts_dir() -> Path:
    return _data_dir("phieu.layouts")


def samples_dir() -> Path:
    return _data_dir("phieu.samples")


def reference_layout() -> Path:
    return layouts_dir() / REFERENCE_LAYOUT
