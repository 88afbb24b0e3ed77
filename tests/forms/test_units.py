"""Units from the vietnam-provinces dataset: today's communes and wards, in a layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from phieu.forms import load_layout
from phieu.forms.layout import LayoutError, frozen_text, parse_layout
from tests.conftest import LAYOUTS, REFERENCE, run_cli

PRESENT = LAYOUTS / "ha-tinh-2026.yaml"


def _dataset() -> list[dict]:
    """The dataset's own file, read here without phieu's code."""
    from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

    return json.loads(Path(NESTED_DIVISIONS_JSON_PATH).read_text(encoding="utf-8"))


def test_units_of_ha_tinh_today_by_code_or_by_name():
    ha_tinh = next(p for p in _dataset() if p["code"] == 42)
    expected = sorted((f"{w['code']:05d}", w["name"]) for w in ha_tinh["wards"])
    for query in ("42", "Hà Tĩnh", "ha tinh", "Tỉnh Hà Tĩnh"):
        result = run_cli("units", query)
        assert result.exit_code == 0, result.output
        lines = [line.split("  ", 1) for line in result.output.splitlines()[:-1]]
        assert [tuple(x) for x in lines] == expected
    assert "18073  Phường Thành Sen" in result.output  # Nam Hà's code in 2022
    assert "vietnam-provinces 2025" in result.output.splitlines()[-1]
    every = run_cli("units").output.splitlines()
    assert len(every) == 35 and every[0].startswith("01  Thành phố Hà Nội")
    wrong = run_cli("units", "Hà Tây")
    assert wrong.exit_code == 1 and "no province 'Hà Tây'" in wrong.output


def test_the_yaml_block_is_a_layouts_units():
    block = run_cli("units", "42", "--yaml").output
    text = REFERENCE.read_text(encoding="utf-8")
    text = text[:text.index("unit_scheme:")] + block + "\n"
    layout = parse_layout(text)
    assert len(layout.units) == 69 and layout.unit_scheme == "vn-2025"
    assert layout.unit("18073").name == "Phường Thành Sen"


def test_a_layout_takes_its_units_from_the_dataset(tmp_path):
    layout = load_layout(PRESENT)
    assert len(layout.units) == 69 and layout.unit_scheme == "vn-2025"
    assert layout.units_source.startswith("vietnam-provinces 2025")
    text = PRESENT.read_text(encoding="utf-8").replace(
        "units: {dataset: vietnam-provinces, province: 42}",
        "units: {dataset: vietnam-provinces, province: Hà Tĩnh, only: [18073, trần phú]}")
    some = parse_layout(text)
    assert [(u.code, u.name) for u in some.units] == [("18073", "Phường Thành Sen"),
                                                      ("18100", "Phường Trần Phú")]
    bad = text.replace("trần phú", "Phường Nam Hà")  # gone since 2025
    with pytest.raises(LayoutError, match="no commune or ward 'Phường Nam Hà'"):
        parse_layout(bad, "x.yaml")


def test_a_campaign_freezes_the_units_it_was_made_with(tmp_path):
    """The frozen layout holds the list itself: a later dataset release changes nothing."""
    assert run_cli("new", tmp_path / "c", "--layout", PRESENT).exit_code == 0
    frozen = yaml.safe_load((tmp_path / "c" / "layout.yaml").read_text(encoding="utf-8"))
    assert isinstance(frozen["units"], list) and len(frozen["units"]) == 69
    assert frozen["unit_scheme"] == "vn-2025" and "2025" in frozen["units_source"]
    assert load_layout(tmp_path / "c" / "layout.yaml") == load_layout(PRESENT)
    assert frozen_text(REFERENCE) == REFERENCE.read_text(encoding="utf-8")  # a list: as is


@pytest.mark.parametrize(("change", "message"), [
    ("units: {dataset: gso, province: 42}", "'dataset' must be vietnam-provinces"),
    ("units: {dataset: vietnam-provinces, province: 99}", "no province '99'"),
    ('url: "https://x.vn/f?u={unit_code}&n={unit_name}"', None),
    ('url: "https://x.vn/f?u={ma_xa}"', "not {ma_xa}"),
    ('url: "x.vn/f?u={unit_code}"', "must start with https://"),
])
def test_dataset_and_online_mistakes_are_named(change, message):
    text = PRESENT.read_text(encoding="utf-8")
    if change.startswith("units"):
        text = text.replace("units: {dataset: vietnam-provinces, province: 42}", change)
    else:
        start = text.index("  url: ")
        text = text[:start] + "  " + change + text[text.index("\n", start):]
    if message is None:
        assert parse_layout(text).online_url.endswith("{unit_name}")
        return
    with pytest.raises(LayoutError, match=message.replace("{", r"\{").replace("}", r"\}")):
        parse_layout(text, "x.yaml")
