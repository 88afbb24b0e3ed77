"""`phieu demo`: the whole flow on the bundled sample campaign, in one folder."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from phieu.forms.plan import read_cases, write_plan

from .answer_file import guess_mapping, read_answers
from .campaign import CODE_KEY, new_campaign, open_campaign
from .errors import PhieuError
from .export import export
from .importing import import_answers
from .printing import PrintResult, print_forms
from .report.write import report
from .resources import reference_layout, samples_dir
from .scan.batch import ScanSummary, scan
from .scan.summary import print_summary

MARKER = ".phieu-demo"  # a folder with this file was made by the demo and may be remade
SAMPLE = "ha-tinh-2022"
COPIES = 2  # sheets printed per unit; the shipped scans were made from exactly this print
SAMPLE_CODE = "HANAM"  # the sample campaign's code, which the shipped scans carry


def _fresh_folder(directory: Path) -> None:
    if directory.exists() and any(directory.iterdir()):
        if not (directory / MARKER).is_file():
            raise PhieuError(f"{directory}: folder exists and is not a phieu demo; "
                             "give another folder: phieu demo DIR")
        shutil.rmtree(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MARKER).write_text("made by phieu demo; safe to delete\n", encoding="utf-8")


def sample_scans() -> Path:
    return samples_dir() / SAMPLE / "scans"


def sample_online() -> Path:
    """A web form's export (Google Forms' shape) of answers given online in the same
    units: made by `python -m phieu.samples.online`."""
    return samples_dir() / SAMPLE / "online.csv"


def print_sample(campaign_dir: Path, out: Path) -> PrintResult:
    """The sample campaign, printed the way the shipped scans were made from."""
    with new_campaign(campaign_dir, reference_layout()) as campaign:
        campaign.store.set_meta(**{CODE_KEY: SAMPLE_CODE})  # not drawn: the scans carry it
        return print_forms(campaign, copies=COPIES, out=out)


def run_demo(directory: Path, echo: Callable[[str], None] = print,
             progress: Callable[[int], None] | None = None) -> dict[str, Path | ScanSummary]:
    """Print, plan, scan, merge the online answers, export and report the sample campaign;
    returns where each artefact is."""
    _fresh_folder(directory)
    campaign_dir = directory / "campaign"
    echo(f"1/6  Print: a campaign from the reference layout {reference_layout().name}, "
         f"{COPIES} sheets for each of its units")
    printed = print_sample(campaign_dir, directory / "print")
    echo(f"     {printed.pages} pages in {printed.seconds:.1f} s → {printed.out_dir / 'forms.pdf'}")
    with open_campaign(campaign_dir) as campaign:
        units = {u.code: u.name for u in campaign.layout.units}
        rows = read_cases(samples_dir() / SAMPLE / "cases.csv", units)
        plan_path = directory / "plan.csv"
        write_plan(rows, plan_path)
        campaign.keep_plan(plan_path)  # the report reads it from the campaign from now on
        echo(f"2/6  Plan: from yearly case counts, {sum(r.min_sample for r in rows):,} forms at "
             f"least for {len(rows)} units → {plan_path}")
        echo(f"3/6  Scan: the sample scans in {sample_scans()} (filled and scanned by the "
             "repo's generator: skewed, upside down, 1-bit, blank backs, a second scan, a "
             "photocopied form, blank forms)")
        summary = scan(campaign, [sample_scans()], progress=progress)
        print_summary(summary, campaign_dir, lambda line: echo("     " + line))
        online = sample_online()
        frame = read_answers(online)
        got = import_answers(campaign, online, frame, "online",
                             guess_mapping(frame, campaign.layout))
        echo(f"4/6  Online: {got.rows} answers given on the web form ({online}, a Google "
             f"Forms export) merged with the paper ones: {got.new - got.flagged} counted, "
             f"{got.flagged} flagged for review")
        export_path = directory / "export.csv"
        n = export(campaign, export_path)
        echo(f"5/6  Export: {n} rows, one per sheet → {export_path}")
        files = report(campaign, directory / "bao-cao")
        overall = files.results.overall
        echo(f"6/6  Report: {overall.sheets} sheets counted, overall satisfaction index "
             f"{overall.index * 100:.1f} % → {files.pdf}, {files.docx.name}, "
             f"{files.xlsx.name}, {files.csv.name}")
    echo("")
    echo(f"Done. The forms: {printed.out_dir / 'forms.pdf'}; the answers: {export_path}; "
         f"the report: {files.pdf}.")
    echo(f"To settle the flagged sheets and rows, open the review page: "
         f"phieu review {campaign_dir}")
    return {"campaign": campaign_dir, "plan": plan_path, "forms": printed.out_dir / "forms.pdf",
            "manifest": printed.out_dir / "manifest.csv",
            "template": printed.out_dir / "template.json", "export": export_path,
            "report": files.pdf, "workbook": files.xlsx, "summary": summary}
