"""What the pipeline's tests share: a campaign printed once, never scanned into."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REFERENCE, run_cli


@pytest.fixture(scope="session")
def printed_once(tmp_path_factory) -> Path:
    """The reference campaign (`c`) printed once per unit (15 sheets, to `p`); a test that
    scans copies it first."""
    base = tmp_path_factory.mktemp("printed-once")
    assert run_cli("new", base / "c", "--layout", REFERENCE).exit_code == 0
    assert run_cli("print", base / "c", "--copies", "1", "--out", base / "p").exit_code == 0
    return base
