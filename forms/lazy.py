"""A package whose names are loaded from its modules when first asked for (PEP 562)."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module


def lazy_names(package: str, where: dict[str, str]) -> Callable[[str], object]:
    """The `__getattr__` of `package`: each name in `where` from the module it names."""

    def __getattr__(name: str) -> object:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(f".{where[name]}", package), name)

    return __getattr__
