"""Who a printed page belongs to: layout, unit, serial and page of the form.

The same identity is printed twice on every page: as a QR code (the
payload below) and as text a person, or OCR, can read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

QR_TAG = "PH1"  # bump when the payload format changes
SERIAL_DIGITS = 6
_PAYLOAD_RE = re.compile(r"^PH1\|([a-z0-9-]{1,40})\|([A-Za-z0-9]{1,12})\|(\d{1,9})\|(\d{1,2})$")
_PRINTED_RE = re.compile(r"([A-Za-z0-9]{1,12})-(\d{6,9})\s+(\d{1,2})/(\d{1,2})")


@dataclass(frozen=True)
class PageIdentity:
    layout: str
    unit_code: str
    serial: int
    form_page: int

    @property
    def sheet_id(self) -> str:
        return sheet_id(self.unit_code, self.serial)

    def payload(self) -> str:
        serial = f"{self.serial:0{SERIAL_DIGITS}d}"
        return f"{QR_TAG}|{self.layout}|{self.unit_code}|{serial}|{self.form_page}"

    def printed_parts(self, pages: int) -> tuple[str, str]:
        """Sheet id and page number, printed with a wide gap so OCR keeps them apart."""
        return self.sheet_id, f"{self.form_page}/{pages}"

    def printed(self, pages: int) -> str:
        return " ".join(self.printed_parts(pages))


def sheet_id(unit_code: str, serial: int) -> str:
    return f"{unit_code}-{serial:0{SERIAL_DIGITS}d}"


def parse_payload(text: str) -> PageIdentity | None:
    """The identity in a QR payload, or None when it is not one of ours."""
    m = _PAYLOAD_RE.match(text.strip())
    if not m:
        return None
    return PageIdentity(m.group(1), m.group(2), int(m.group(3)), int(m.group(4)))


def parse_printed(text: str, layout: str) -> tuple[PageIdentity, int] | None:
    """The identity and page count in the printed identity line, or None."""
    m = _PRINTED_RE.search(text)
    if not m:
        return None
    return PageIdentity(layout, m.group(1), int(m.group(2)), int(m.group(3))), int(m.group(4))
