"""Who a printed page belongs to: layout, unit, serial and page of the form, and the
campaign it was printed for.

The same identity is printed twice on every page: as a QR code (the
payload below) and as text a person, or OCR, can read. The campaign's code
is short (four characters no OCR takes for another) and came with `PH2`;
forms printed before it (`PH1`) carry none and still read.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

QR_TAG = "PH2"  # bump when the payload format changes
SERIAL_DIGITS = 6
CODE_ALPHABET = "ACHKLMNPRUWX"  # letters no scan or OCR takes for one another (nor digits)
CODE_LENGTH = 5
_CODE = f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}"
CODE_RE = re.compile(_CODE)
_NUMBER_RE = re.compile(r"([A-Za-z0-9]{1,12})-(\d{6,9})")
_PAYLOAD_RE = re.compile(r"^(?:PH1|PH2)\|([a-z0-9-]{1,40})\|([A-Za-z0-9]{1,12})\|(\d{1,9})\|"
                         rf"(\d{{1,2}})(?:\|({_CODE}))?$")
_PRINTED_RE = re.compile(rf"(?:\b({_CODE})\s+)?([A-Za-z0-9]{{1,12}})-(\d{{6,9}})\s+"
                         r"(\d{1,2})/(\d{1,2})")


@dataclass(frozen=True)
class PageIdentity:
    layout: str
    unit_code: str
    serial: int
    form_page: int
    campaign: str = ""  # the campaign's code; "" on forms printed before there was one

    @property
    def sheet_id(self) -> str:
        return sheet_id(self.unit_code, self.serial)

    def payload(self) -> str:
        serial = f"{self.serial:0{SERIAL_DIGITS}d}"
        if not self.campaign:
            return f"PH1|{self.layout}|{self.unit_code}|{serial}|{self.form_page}"
        # PH2 writes the serial without its zeros: the code's five letters fit the same
        # symbol size
        return f"{QR_TAG}|{self.layout}|{self.unit_code}|{self.serial}|{self.form_page}|" \
               f"{self.campaign}"

    def printed_parts(self, pages: int) -> tuple[str, str, str]:
        """Campaign code, sheet id and page number, printed with wide gaps so OCR keeps
        them apart."""
        return self.campaign, self.sheet_id, f"{self.form_page}/{pages}"

    def printed(self, pages: int) -> str:
        return " ".join(p for p in self.printed_parts(pages) if p)


def sheet_id(unit_code: str, serial: int) -> str:
    return f"{unit_code}-{serial:0{SERIAL_DIGITS}d}"


def unit_of(sheet_id: str) -> str:
    """The unit a sheet id names (its part before the serial)."""
    return sheet_id.rsplit("-", 1)[0]


def parse_payload(text: str) -> PageIdentity | None:
    """The identity in a QR payload, or None when it is not one of ours."""
    text = text.strip()
    m = _PAYLOAD_RE.match(text)
    if not m or text.startswith("PH1") != (m.group(5) is None):
        return None
    return PageIdentity(m.group(1), m.group(2), int(m.group(3)), int(m.group(4)),
                        m.group(5) or "")


def parse_printed(text: str, layout: str) -> tuple[PageIdentity, int] | None:
    """The identity and page count in the printed identity line, or None."""
    m = _PRINTED_RE.search(text)
    if not m:
        return None
    return PageIdentity(layout, m.group(2), int(m.group(3)), int(m.group(4)),
                        m.group(1) or ""), int(m.group(5))


def parse_number(word: str, layout: str) -> PageIdentity | None:
    """The sheet's number alone (`18073-000041`), as page 1: what the printed line still
    says of a one-page form when its page number is hidden (a thumb, a stain)."""
    m = _NUMBER_RE.fullmatch(word.strip())
    return PageIdentity(layout, m.group(1), int(m.group(2)), 1) if m else None


def new_campaign_code() -> str:
    """A campaign's code, drawn at random: two campaigns of one layout tell their forms
    apart by it (one chance in 248,832 that two draw the same)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
