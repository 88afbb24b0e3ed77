"""Files phieu writes for people (exports, reports): whole, or not at all."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pandas as pd

from .errors import PhieuError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet reads as a formula
# Excel writes text as text: nothing turned into a formula, a link or a number
EXCEL_AS_TEXT = {"strings_to_formulas": False, "strings_to_urls": False,
                 "strings_to_numbers": False}


def inert(frame: pd.DataFrame) -> pd.DataFrame:
    """A table to write as CSV with no cell a spreadsheet would run: a text cell starting
    with = + - @, a tab or a carriage return gets a leading ' (as spreadsheet users do by
    hand). People's answers from a web form reach the export as they were typed."""
    def cell(v):
        return f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v

    return frame.map(cell)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    inert(frame).to_csv(path, index=False, encoding="utf-8")


def _os_error(e: BaseException) -> OSError | None:
    """The OSError behind an exception (a writer library wraps the system's own)."""
    while e is not None:
        if isinstance(e, OSError):
            return e
        e = e.__cause__ or e.__context__
    return None


@contextmanager
def written(path: Path) -> Iterator[Path]:
    """Write `path` through a temporary name beside it: the caller writes the file yielded,
    which becomes `path` when the block ends and is removed when it fails, so a full disk
    or a read-only folder leaves no half-written file behind, only a message naming it."""
    partial = path.with_name(path.name + ".part")
    try:
        yield partial
        os.replace(partial, path)
    except Exception as e:  # noqa: BLE001 - any writer's failure: nothing partial stays
        _remove(partial)
        cause = _os_error(e)
        if cause is None:
            raise
        raise PhieuError(f"{path}: cannot write: {cause.strerror or cause}") from e
    except BaseException:
        _remove(partial)
        raise


def _remove(path: Path) -> None:
    with suppress(OSError):  # on a read-only disk it was never made
        path.unlink(missing_ok=True)


def folder_for(path: Path, what: str) -> None:
    """Make the folder output goes to, or say why it cannot be made."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise PhieuError(f"{path}: cannot make the folder for {what}: {e.strerror}; "
                         "give another with --out") from e
