"""The bundled layouts say what the seeds say, and bad layouts fail with a useful message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from phieu.forms import LayoutError, load_layout, parse_layout
from tests.conftest import REFERENCE, TWO_PAGE


@pytest.fixture(scope="module")
def ref():
    return load_layout(REFERENCE)


def test_reference_has_eleven_questions_on_the_five_level_scale(ref):
    graded = [q for q in ref.questions if q.scale]
    assert len(graded) == 11
    labels = [o.label for o in ref.scales[graded[0].scale].levels]
    assert labels[0] == "Rất không hài lòng" and labels[-1] == "Rất hài lòng"
    assert len(labels) == 5
    assert ref.scales[graded[0].scale].satisfied == ("4", "5")
    # every one of them counts toward a criterion, and every criterion has questions
    assert all(q.criterion for q in graded)
    assert {q.criterion for q in graded} == {c.id for c in ref.criteria}


def test_reference_part_one_asks_who_answers(ref):
    part_one = ref.sections[0].questions
    texts = {q.id: [o.label for o in q.options] for q in part_one}
    assert {"gioi_tinh", "do_tuoi", "doi_tuong", "linh_vuc"} <= set(texts)
    assert texts["linh_vuc"] == ["Tư pháp", "Tài nguyên – Môi trường",
                                 "Lao động – Thương binh và Xã hội"]
    assert "Cá nhân" in texts["doi_tuong"]
    assert all(q.breakdown and q.kind == "single" for q in part_one)


def test_reference_has_multi_answer_and_free_text(ref):
    kinds = [q.kind for q in ref.questions]
    assert "multi" in kinds
    text = [q for q in ref.questions if q.kind == "text"]
    assert [q.text for q in text] == ["Ý kiến khác"]


def test_reference_units_are_the_fifteen_of_2022_from_the_dataset(ref):
    """Checked against a snapshot of the dataset release they came from (the release
    installed today carries the units after the 2025 mergers)."""
    snapshot = json.loads((Path(__file__).parents[1] / "data" /
                           "units-2022-thanh-pho-ha-tinh.json").read_text(encoding="utf-8"))
    assert len(ref.units) == 15
    assert [(u.code, u.name) for u in ref.units] == [(u["code"], u["name"])
                                                     for u in snapshot["units"]]
    assert snapshot["dataset"] in ref.units_source and ref.unit_scheme == "vn-2022"


def test_second_layout_is_another_form():
    other = load_layout(TWO_PAGE)
    assert other.id != load_layout(REFERENCE).id
    assert len(other.scales) == 2  # a yes/no scale beside the five levels
    assert other.print.font_size > 10


def _mutated(mutate) -> str:
    data = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    mutate(data)
    return yaml.safe_dump(data, allow_unicode=True)


def _q(data, qid):
    return next(q for s in data["sections"] for q in s["questions"] if q["id"] == qid)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: _q(d, "cai_thien")["options"][2].update(value="2"),
         'question cai_thien: option value "2" repeated'),
        (lambda d: _q(d, "q07").update(scale="bay_muc"),
         "question q07: scale 'bay_muc' is not defined under 'scales'"),
        (lambda d: _q(d, "q07").update(criterion="tc9"),
         "question q07: criterion 'tc9' is not defined under 'criteria'"),
        (lambda d: _q(d, "q08").update(id="q07"), "question q07: id repeated"),
        (lambda d: _q(d, "gioi_tinh").update(kind="many"),
         "question gioi_tinh: kind 'many' is not one of single, multi, text"),
        (lambda d: _q(d, "gioi_tinh").update(colour="red"), "question gioi_tinh: unknown key"),
        (lambda d: _q(d, "gioi_tinh").pop("options"),
         "question gioi_tinh: 'options' must be a non-empty list"),
        (lambda d: d["units"][3].update(code="18070"), "unit 18070: code repeated"),
        (lambda d: d["units"][0].update(code="18 070"), "unit 18 070: code must be"),
        (lambda d: d.pop("title"), "missing 'title'"),
        (lambda d: d.update(units=[]), "units: must be a non-empty list"),
        (lambda d: d["scales"]["hai_long_5"].update(satisfied=["6"]),
         'scale hai_long_5: satisfied value "6" is not one of its levels'),
        (lambda d: d["print"].update(bubble_mm=20), "print: 'bubble_mm' must be a number"),
        (lambda d: d["criteria"].append({"id": "tc5", "name": "Trống"}),
         "criterion tc5: no question counts toward it"),
    ],
)
def test_bad_layout_names_file_and_place(mutate, message):
    with pytest.raises(LayoutError) as err:
        parse_layout(_mutated(mutate), "layouts/x.yaml")
    assert str(err.value).startswith("layouts/x.yaml: ")
    assert message in str(err.value)


def test_broken_yaml_names_the_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(LayoutError, match=r"bad\.yaml: line \d+ not valid YAML"):
        load_layout(bad)


def test_missing_layout_file_is_named(tmp_path):
    with pytest.raises(LayoutError, match="nothing.yaml: cannot read"):
        load_layout(tmp_path / "nothing.yaml")
