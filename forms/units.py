"""Vietnam's communes and wards from the `vietnam-provinces` dataset.

Since 1 July 2025 there are 34 provinces and 3,321 communes and wards, with no
district level. A new unit often carries a predecessor's code (Phường Thành Sen
has 18073, formerly Phường Nam Hà's), so a code is only meaningful with its
scheme: `vn-2025` for the codes of the present units, `vn-2022` for the codes
before the mergers, `own` for an office's own list (reception points).
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version

SCHEMES = {"vn-2025": "mã đơn vị hành chính sau sắp xếp (từ 01/7/2025)",
           "vn-2022": "mã đơn vị hành chính trước sắp xếp (năm 2022)",
           "own": "mã do cơ quan tự đặt"}
DATASET = "vietnam-provinces"


def unit_scheme_words(scheme: str) -> str:
    """A scheme as a report states it: `vn-2025 (mã đơn vị hành chính sau sắp xếp …)`."""
    return f"{scheme} ({SCHEMES[scheme]})" if scheme in SCHEMES else "không ghi rõ"


@dataclass(frozen=True)
class Division:
    code: str  # five digits for a commune or ward, two for a province
    name: str


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    units: tuple[Division, ...]


def dataset_version() -> str:
    """The dataset as a report names it: release and the date its data was taken."""
    from vietnam_provinces import __data_version__

    return f"{DATASET} {version(DATASET)} (dữ liệu ngày {__data_version__})"


@cache
def provinces() -> tuple[Province, ...]:
    from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

    raw = json.loads(NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    return tuple(Province(f"{p['code']:02d}", p["name"],
                          tuple(Division(f"{w['code']:05d}", w["name"])
                                for w in sorted(p["wards"], key=lambda w: w["code"])))
                 for p in raw)


def plain(text: str) -> str:
    """Text without diacritics, case or extra spaces: `Hà  Tĩnh` → `ha tinh`."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))
    return " ".join(text.lower().split())


_PROVINCE_KINDS = ("thanh pho ", "tinh ")
_UNIT_KINDS = ("phuong ", "xa ", "dac khu ", "thi tran ")


def _without(name: str, kinds: tuple[str, ...]) -> str:
    name = plain(name)
    for kind in kinds:
        name = name.removeprefix(kind)
    return name


def _bare(name: str) -> str:
    """`Tỉnh Hà Tĩnh` → `ha tinh`."""
    return _without(name, _PROVINCE_KINDS)


def bare_unit_name(name: str) -> str:
    """`Phường Thành Sen` → `thanh sen`: how a unit is often written without its kind."""
    return _without(name, _UNIT_KINDS)


class UnknownProvince(LookupError):
    pass


def find_province(query: str) -> Province:
    """A province by its code (`42`, `042`) or its name, diacritics and `Tỉnh` optional."""
    query = query.strip()
    if query.isdigit():
        for p in provinces():
            if int(p.code) == int(query):
                return p
    else:
        for p in provinces():
            if _bare(p.name) == _bare(query):
                return p
    raise UnknownProvince(f"no province {query!r} in {dataset_version()}; "
                          "`phieu units` lists the 34 provinces")


def pick(province: Province, only: list[str] | None) -> tuple[Division, ...]:
    """The province's units, or those named in `only` (codes or names) in that order."""
    if not only:
        return province.units
    by_code = {u.code: u for u in province.units}
    by_name = {plain(u.name): u for u in province.units}
    by_bare = {bare_unit_name(u.name): u for u in province.units}
    out = []
    for item in only:
        text = str(item).strip()
        unit = (by_code.get(text.zfill(5)) if text.isdigit() else
                by_name.get(plain(text)) or by_bare.get(plain(text)))
        if unit is None:
            raise UnknownProvince(f"{province.name} has no commune or ward {text!r} in "
                                  f"{dataset_version()}")
        out.append(unit)
    return tuple(out)


def source_line(province: Province) -> str:
    return f"{dataset_version()}, {province.name}, mã {province.code}"
