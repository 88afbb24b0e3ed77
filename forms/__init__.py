"""Layouts to printed forms: validation, page geometry, PDF drawing, sample sizes.

The package's names are loaded when first asked for: a process that only reads scans
needs the template and a sheet's identity, not the fonts and drawing of the print.
"""

from __future__ import annotations

from .lazy import lazy_names

_FROM = {"FormGeometry": "geometry", "build_geometry": "geometry",
         "PageIdentity": "identity", "parse_payload": "identity", "parse_printed": "identity",
         "sheet_id": "identity",
         "Layout": "layout", "LayoutError": "layout", "load_layout": "layout",
         "parse_layout": "layout",
         "PrintedPage": "render", "SheetToPrint": "render", "render_pdf": "render",
         "Template": "template"}

__all__ = sorted(_FROM)

__getattr__ = lazy_names(__name__, _FROM)
