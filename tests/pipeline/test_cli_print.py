"""`phieu new`, `phieu print`, `phieu plan` and `phieu demo` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pypdfium2
import pytest

from phieu.pipeline.campaign import open_campaign
from phieu.pipeline.store.pages import page_counts
from phieu.pipeline.store.sheets import status_counts
from tests.conftest import REFERENCE, TWO_PAGE, read_manifest, run_cli


def _new(tmp_path, backend, layout=REFERENCE):
    c = tmp_path / "camp"
    result = backend.new(c, layout)
    assert result.exit_code == 0, result.output
    return c


def _store(c: Path):
    return open_campaign(c).store


def test_new_freezes_the_layout_and_makes_a_store(backend, tmp_path):
    c = _new(tmp_path, backend)
    assert (c / "layout.yaml").read_bytes() == REFERENCE.read_bytes()
    assert (c / "template.json").is_file()
    with _store(c) as store:
        assert store.get_meta("layout_id") == "ha-tinh-2022-mot-cua"


def test_new_refuses_a_folder_in_use(backend, tmp_path):
    c = _new(tmp_path, backend)
    again = backend.new(c, REFERENCE)
    assert again.exit_code == 1
    assert str(c) in again.output and "already a campaign" in again.output
    other = tmp_path / "full"
    other.mkdir()
    (other / "notes.txt").write_text("x")
    result = backend.new(other, REFERENCE)
    assert result.exit_code == 1 and "not empty" in result.output


def test_new_with_a_broken_layout_names_it(backend, tmp_path):
    bad = tmp_path / "x.yaml"
    bad.write_text(REFERENCE.read_text(encoding="utf-8").replace('{value: "3", label: "Bình',
                                                                '{value: "2", label: "Bình'),
                   encoding="utf-8")
    result = backend.new(tmp_path / "c", bad)
    assert result.exit_code == 1
    assert f'{bad}: scale hai_long_5: option value "2" repeated' in result.output
    assert not (tmp_path / "c").exists()


def test_serials_never_repeat_across_print_runs(backend, tmp_path):
    c = _new(tmp_path, backend)
    first = run_cli("print", c, "--copies", "2")
    second = run_cli("print", c, "--copies", "1", "--unit", "18073", "--unit", "18112")
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    runs = sorted((c / "prints").iterdir())
    assert [r.name for r in runs] == ["run-001", "run-002"]
    rows = [row for r in runs for row in read_manifest(r / "manifest.csv")]
    assert len(rows) == 32
    assert len({r["serial"] for r in rows}) == 32
    assert len({r["sheet_id"] for r in rows}) == 32
    assert {r["unit_code"] for r in read_manifest(runs[1] / "manifest.csv")} == {"18073", "18112"}
    # the store knows every sheet printed, in both runs
    with _store(c) as store:
        assert store.printed_count() == 32
        assert store.printed_sheet(rows[-1]["sheet_id"]).unit_code == "18112"


def test_print_by_plan(backend, tmp_path):
    c = _new(tmp_path, backend)
    cases = tmp_path / "cases.csv"
    cases.write_text("unit_code,cases\n18070,40\n18073,3\n18076,0\n", encoding="utf-8")
    plan = tmp_path / "plan.csv"
    result = run_cli("plan", cases, "--out", plan, "--campaign", c)
    assert result.exit_code == 0, result.output
    assert "43 forms at least" in result.output
    result = run_cli("print", c, "--plan", plan, "--unit", "18073", "--unit", "18076")
    assert result.exit_code == 0, result.output
    rows = read_manifest(c / "prints" / "run-001" / "manifest.csv")
    assert [r["unit_code"] for r in rows] == ["18073"] * 3
    result = run_cli("print", c, "--plan", plan)
    rows = read_manifest(c / "prints" / "run-002" / "manifest.csv")
    assert [r["unit_code"] for r in rows].count("18070") == 40 and len(rows) == 43


def test_plan_reports_a_bad_row_and_writes_nothing(tmp_path):
    cases = tmp_path / "cases.csv"
    cases.write_text("unit_code,cases\n18070,40\n18073,nhiều\n", encoding="utf-8")
    result = run_cli("plan", cases, "--out", tmp_path / "plan.csv")
    assert result.exit_code == 1
    assert f"{cases}: line 3: cases 'nhiều' is not a whole number" in result.output
    assert not (tmp_path / "plan.csv").exists()


def test_print_mistakes_exit_with_the_right_code(backend, tmp_path):
    c = _new(tmp_path, backend)
    both = run_cli("print", c, "--copies", "1", "--plan", REFERENCE)
    assert both.exit_code == 2
    unknown = run_cli("print", c, "--unit", "99999")
    assert unknown.exit_code == 1 and "unit '99999'" in unknown.output
    nowhere = run_cli("print", tmp_path / "nothing")
    assert nowhere.exit_code == 1 and "not a phieu campaign" in nowhere.output
    assert str(tmp_path / "nothing") in nowhere.output


def test_printing_over_earlier_forms_is_refused_without_using_serials(backend, tmp_path):
    c = _new(tmp_path, backend)
    out = tmp_path / "out"
    assert run_cli("print", c, "--out", out).exit_code == 0
    before = (out / "forms.pdf").read_bytes()
    again = run_cli("print", c, "--out", out)
    assert again.exit_code == 1 and "forms.pdf: already exists" in again.output
    assert (out / "forms.pdf").read_bytes() == before
    with _store(c) as store:
        assert store.printed_count() == 15


def test_two_page_layout_prints_two_pages_a_sheet(backend, tmp_path):
    c = _new(tmp_path, backend, TWO_PAGE)
    assert run_cli("print", c, "--copies", "3").exit_code == 0
    out = c / "prints" / "run-001"
    assert len(pypdfium2.PdfDocument(str(out / "forms.pdf"))) == 18
    rows = read_manifest(out / "manifest.csv")
    assert len({r["sheet_id"] for r in rows}) == 9


@pytest.mark.slow  # LibreOffice, a browser or a whole demo
def test_demo_makes_every_artefact(tmp_path):
    d = tmp_path / "demo"
    result = run_cli("demo", d)
    assert result.exit_code == 0, result.output
    for path in ("plan.csv", "campaign/campaign.sqlite", "print/forms.pdf",
                 "print/manifest.csv", "print/template.json", "export.csv",
                 "bao-cao/bao-cao.pdf", "bao-cao/bao-cao.xlsx", "bao-cao/bao-cao.csv"):
        assert (d / path).is_file(), path
    assert len(read_manifest(d / "print" / "manifest.csv")) == 30
    # the summary it prints matches the store
    with open_campaign(d / "campaign") as c:
        sheets, kinds = status_counts(c.store), page_counts(c.store)
    ok, waiting = sheets.get("ok", 0), sheets.get("flagged", 0)
    pages, blanks = sum(kinds.values()), kinds.get("blank", 0)
    assert f"{ok} sheets read with confidence, {waiting} waiting for review" in result.output
    assert f"Read {pages} pages" in result.output and f"{blanks} blank backs" in result.output
    # the web form's answers merged beside the paper ones, the two wrong rows flagged
    assert "4/6  Online: 45 answers" in result.output and "43 counted, 2 flagged" in result.output
    export = pd.read_csv(d / "export.csv", dtype=str, keep_default_na=False)
    online = export[export["channel"] == "online"]
    assert len(online) == 45 and sorted(online["flags"][online["status"] == "flagged"]) == [
        "not an option q01 'Tuyệt vời'", "unknown unit 'Phường Nam Hà cũ'"]
    # its report does not claim what 59 sheets against a minimum of 2,495 cannot hold
    from tests.pipeline.test_report import _pdf_text

    report = _pdf_text(d / "bao-cao" / "bao-cao.pdf")
    body = report[:report.index("PHỤ LỤC")]
    assert "15/15 đơn vị chưa đủ cỡ mẫu" in body and "Chỉ số chung cũng chỉ có giá trị" in body
    assert "Không đơn vị nào được xếp hạng" in body
    assert body.count("(chưa đủ cỡ mẫu)") == 15  # each unit's index in the ranking table
    assert "Thực hiện Kế hoạch số 362/KH-UBND" in body and "Kế hoạch số 152/KH-UBND" in body
    assert "từ ngày 01/9/2021 đến ngày 31/8/2022" in body  # the transactions asked about
    # running it again starts afresh instead of failing or piling up
    assert run_cli("demo", d).exit_code == 0
    assert len(read_manifest(d / "print" / "manifest.csv")) == 30
    # but it never wipes a folder it did not make
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_text("x")
    refused = run_cli("demo", mine)
    assert refused.exit_code == 1 and (mine / "thesis.docx").exists()


def test_shipped_sample_scans_still_fit_the_printed_forms(tmp_path):
    """The scans in samples/ were made from the demo's print: they must still read right."""
    from phieu.pipeline.campaign import open_campaign
    from phieu.pipeline.demo import sample_scans
    from phieu.pipeline.export import export_frame
    from phieu.samples.score import score

    assert run_cli("demo", tmp_path / "d").exit_code == 0
    truth = json.loads((sample_scans() / "truth.json").read_text(encoding="utf-8"))
    c = tmp_path / "d" / "campaign"
    with open_campaign(c) as camp:
        s = score(export_frame(camp), truth, camp.store, sample_scans())
    assert s.wrong == [] and s.pages_lost == 0 and s.double_counted == []
    # the sample's troubles are many, so the demo shows each: only those need a person
    assert s.missed_flags == [] and len(s.needless) <= 1, s.line()
    assert s.accepted == s.sheets - s.needed - len(s.needless), s.line()
    # a photocopied form filled by another person, a blank form, a second scan among them
    assert s.copies >= 1 and s.blank_forms_kept == s.blank_forms >= 1, s.line()
    size = sum(p.stat().st_size for p in sample_scans().iterdir())
    assert size < 5 * 2**20, "the sample must stay a few MiB"


def test_the_installed_command_runs(tmp_path):
    """The console script a user types, not just the Python function."""
    exe = [str(Path(sys.executable).with_name("phieu"))]
    result = subprocess.run([*exe, "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "phieu plan" in result.stdout
    bad = subprocess.run([*exe, "print", str(tmp_path / "none")], capture_output=True,
                         text=True, check=False)
    assert bad.returncode == 1 and "not a phieu campaign" in bad.stderr


def test_the_shipped_online_answers_are_what_their_generator_makes(tmp_path):
    """samples/…/online.csv is remade by `python -m phieu.samples.online`, not kept by hand."""
    from phieu.forms import load_layout
    from phieu.pipeline.demo import sample_online
    from phieu.samples.online import web_form_export

    made = web_form_export(load_layout(REFERENCE), 3, 2022)
    made.to_csv(tmp_path / "online.csv", index=False, encoding="utf-8")
    assert (tmp_path / "online.csv").read_bytes() == sample_online().read_bytes()
