"""The minimum sample rule at every band edge, and cases files with mistakes in them."""

from __future__ import annotations

import pytest

from phieu.forms.plan import PlanError, minimum_sample, parse_count, read_cases, read_plan

UNITS = {"18070": "Phường Trần Phú", "18073": "Phường Nam Hà", "18112": "Xã Thạch Bình"}


@pytest.mark.parametrize(
    ("cases", "sample"),
    [(0, 0), (1, 1), (99, 99), (100, 100), (101, 100), (999, 100), (1000, 200), (4999, 200),
     (5000, 500), (120_000, 500)],
)
def test_band_edges(cases, sample):
    assert minimum_sample(cases) == sample


def test_never_more_than_the_cases():
    for cases in range(0, 6000, 7):
        assert minimum_sample(cases) <= cases


def test_negative_cases_are_refused():
    with pytest.raises(ValueError):
        minimum_sample(-1)


@pytest.mark.parametrize(("text", "value"), [("1200", 1200), ("1.200", 1200), ("12,500", 12500),
                                             (" 95 ", 95), ("1.5", None), ("abc", None),
                                             ("", None), ("1.20", None), ("-5", None)])
def test_counts_as_people_type_them(text, value):
    assert parse_count(text) == value


def _csv(tmp_path, text: str):
    p = tmp_path / "cases.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_plan_rows_follow_the_rule(tmp_path):
    p = _csv(tmp_path, "unit_code,cases\n18070,99\n18073,5.000\n18112,1000\n")
    rows = read_cases(p, UNITS)
    assert [(r.unit_code, r.min_sample, r.forms) for r in rows] == [
        ("18070", 99, 99), ("18073", 500, 500), ("18112", 200, 200)]
    assert rows[0].unit_name == "Phường Trần Phú"


def test_spare_forms_round_up(tmp_path):
    rows = read_cases(_csv(tmp_path, "unit_code,cases\n18070,150\n18073,0\n"), UNITS, 10)
    assert [r.forms for r in rows] == [110, 0]


def test_semicolon_csv_from_a_spreadsheet_is_read(tmp_path):
    rows = read_cases(_csv(tmp_path, "\ufeffunit_code;cases\n18070;2000\n"), UNITS)
    assert rows[0].min_sample == 200


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("unit,cases\n18070,10\n", "missing column 'unit_code'"),
        ("unit_code,cases\n18070,10\n18073,-4\n", "line 3: cases '-4' is negative"),
        ("unit_code,cases\n18070,mười\n", "line 2: cases 'mười' is not a whole number"),
        ("unit_code,cases\n18070,\n", "line 2: cases '' is not a whole number"),
        ("unit_code,cases\n18070,10\n99999,10\n", "line 3: unknown unit '99999'"),
        ("unit_code,cases\n18070,10\n18070,12\n", "line 3: unit '18070' already given on line 2"),
        ("unit_code,cases\n", "no rows under the header"),
        ("unit_code,cases\n,12\n", "line 2: empty unit_code"),
    ],
)
def test_bad_cases_file_names_the_row(tmp_path, text, message):
    p = _csv(tmp_path, text)
    with pytest.raises(PlanError) as err:
        read_cases(p, UNITS)
    assert str(err.value).startswith(str(p))
    assert message in str(err.value)


def test_plan_file_errors_name_the_row(tmp_path):
    p = _csv(tmp_path, "unit_code,forms\n18070,100\n18073,nhiều\n")
    with pytest.raises(PlanError, match="line 3: forms 'nhiều' is not a whole number"):
        read_plan(p, UNITS)
    ok = _csv(tmp_path, "unit_code,unit_name,cases,min_sample,forms\n18070,x,150,100,110\n")
    assert read_plan(ok, UNITS) == {"18070": 110}
