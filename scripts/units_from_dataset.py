"""Print a layout's `units:` list for one district from the vietnam-provinces dataset.

Usage: python scripts/units_from_dataset.py DISTRICT_CODE
The dataset release decides which units exist: vietnam-provinces 0.5.0
(data of 2023-05-07) still carries the units as they were before the
2024-2025 mergers, e.g. the 15 wards and communes of Hà Tĩnh city (436).
"""

import json
import sys
from importlib.metadata import version

from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH, __data_version__

__version__ = version("vietnam-provinces")  # the module's own __version__ is not kept up to date


def district_units(code: int) -> tuple[str, list[dict]]:
    for province in json.loads(NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8")):
        for district in province["districts"]:
            if district["code"] == code:
                where = f"{district['name']}, {province['name']}"
                return where, district["wards"]
    raise SystemExit(f"no district with code {code} in vietnam-provinces {__version__}")


def main() -> None:
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        raise SystemExit(__doc__)
    where, wards = district_units(int(sys.argv[1]))
    print(f'units_source: "vietnam-provinces {__version__} (data {__data_version__}), '
          f'{where}, code {sys.argv[1]}"')
    print("units:")
    for w in sorted(wards, key=lambda w: w["code"]):
        print(f'  - {{code: "{w["code"]}", name: "{w["name"]}"}}')


if __name__ == "__main__":
    main()
