"""Synthetic filled and scanned forms with their truth: for tests, the benchmark and the demo."""

from .batch import make_batch, write_bad_files

__all__ = ["make_batch", "write_bad_files"]
