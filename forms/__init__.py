"""Layouts to printed forms: validation, page geometry, PDF drawing, sample sizes."""

from .geometry import FormGeometry, build_geometry
from .identity import PageIdentity, parse_payload, parse_printed, sheet_id
from .layout import Layout, LayoutError, load_layout, parse_layout
from .render import PrintedPage, SheetToPrint, render_pdf
from .template import Template

__all__ = [
    "FormGeometry", "Layout", "LayoutError", "PageIdentity", "PrintedPage", "SheetToPrint",
    "Template", "build_geometry", "load_layout", "parse_layout", "parse_payload",
    "parse_printed", "render_pdf", "sheet_id",
]
