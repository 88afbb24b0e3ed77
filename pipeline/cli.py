"""The `phieu` command line: parse, call one function, print what happened.

Exit codes: 0 done; 1 something could not be done and nothing was lost
(the message names the file, page or row); 2 wrong usage.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from tqdm import tqdm

from phieu.forms.plan import BANDS, PlanError, read_cases, write_plan

from .cli_work import capture_cmd, export_cmd, report_cmd, review_cmd, scan_cmd
from .errors import PhieuError
from .resources import reference_layout
from .store import StoreError

# Each command imports what it works with when it runs: `phieu --help` starts at once, and
# so does each reader process `phieu scan` starts (it imports this module again).


class _Group(click.Group):
    """Turns PhieuError into a one-line message and exit code 1."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except (PhieuError, PlanError, StoreError) as e:
            click.echo(f"phieu: error: {e}", err=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="phieu")
def main() -> None:
    """phieu — phiếu khảo sát: print survey forms, read the scans, publish per-unit results.

    \b
    The survey team:  phieu plan, phieu new, phieu print
    The clerk:        phieu scan
    The coordinator:  phieu review, phieu export, phieu report
    """


def _band(cases: int) -> str:
    lower = 0
    for bound, sample in BANDS:
        if cases < bound:
            rule = "all" if sample is None else f"at least {sample}"
            upper = f"under {bound:,.0f}" if bound != float("inf") else "and over"
            return f"{lower:,}–{upper}: {rule}" if lower else f"{upper}: {rule}"
        lower = int(bound)
    return ""


@main.command("plan")
@click.argument("cases_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("plan.csv"),
              show_default=True, help="Where to write the plan CSV.")
@click.option("--layout", "layout_path", type=click.Path(exists=True, dir_okay=False,
              path_type=Path), help="Layout whose units the case counts are for "
              "[default: the bundled Hà Tĩnh 2022 layout].")
@click.option("--campaign", "campaign_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Take the units from this campaign instead of a layout.")
@click.option("--spare", type=click.FloatRange(0, 100), default=0.0, show_default=True,
              help="Extra forms to print, in percent of the minimum sample.")
def plan_cmd(cases_csv: Path, out: Path, layout_path: Path | None, campaign_dir: Path | None,
             spare: float) -> None:
    """Minimum sample per unit from yearly case counts.

    CASES_CSV has the columns unit_code,cases (one row per unit; other columns are
    ignored). The rule: under 100 cases, all of them; 100 to under 1,000: 100;
    1,000 to under 5,000: 200; 5,000 and over: 500. The plan CSV it writes is what
    `phieu print --plan` takes.
    """
    from .campaign import open_campaign, read_layout
    from .files import written

    if layout_path and campaign_dir:
        raise click.UsageError("give --layout or --campaign, not both")
    if campaign_dir:
        with open_campaign(campaign_dir) as c:
            units = {u.code: u.name for u in c.layout.units}
    else:
        units = {u.code: u.name for u in read_layout(layout_path or reference_layout()).units}
    if out.resolve() == cases_csv.resolve():
        raise click.UsageError("--out must not be the cases file itself")
    rows = read_cases(cases_csv, units, spare)
    with written(out) as partial:
        write_plan(rows, partial)
    if campaign_dir:
        with open_campaign(campaign_dir) as c:
            c.keep_plan(out)
    width = max(len(r.unit_name) for r in rows)
    for r in rows:
        click.echo(f"{r.unit_code:>8}  {r.unit_name:<{width}}  {r.cases:>7,} cases  "
                   f"({_band(r.cases)})  →  {r.forms:>4} forms")
    click.echo(f"{len(rows)} units, {sum(r.min_sample for r in rows):,} forms at least, "
               f"{sum(r.forms for r in rows):,} to print. Plan written to {out}"
               + (f" and kept in {campaign_dir} for its report" if campaign_dir else ""))
    missing = [code for code in units if code not in {r.unit_code for r in rows}]
    if missing:
        click.echo(f"note: no case count for {len(missing)} unit(s) of the layout: "
                   f"{', '.join(missing)}", err=True)


@main.command("units")
@click.argument("province", required=False)
@click.option("--yaml", "as_yaml", is_flag=True,
              help="Print a layout's units: block to paste into a layout.")
def units_cmd(province: str | None, as_yaml: bool) -> None:
    """List the communes and wards of PROVINCE today (its code, e.g. 42, or its name,
    diacritics optional), from the vietnam-provinces dataset; without PROVINCE, the 34
    provinces."""
    from phieu.forms.units import UnknownProvince, dataset_version, find_province, provinces

    if province is None:
        for p in provinces():
            click.echo(f"{p.code}  {p.name} ({len(p.units)} xã, phường)")
        click.echo(f"— {dataset_version()}")
        return
    try:
        found = find_province(province)
    except UnknownProvince as e:
        raise PhieuError(str(e)) from e
    if as_yaml:
        click.echo(yaml_units(found))
        return
    for u in found.units:
        click.echo(f"{u.code}  {u.name}")
    click.echo(f"— {found.name}: {len(found.units)} xã, phường; {dataset_version()}")


def yaml_units(province) -> str:
    """A layout's units block for `province`, written out (or say `units: {dataset: …}`)."""
    from phieu.forms.units import source_line

    lines = [f"# {province.name}: {len(province.units)} xã, phường. To take them from the "
             f"dataset instead:", f"# units: {{dataset: vietnam-provinces, "
             f"province: {int(province.code)}}}", "unit_scheme: vn-2025",
             f'units_source: "{source_line(province)}"', "units:"]
    lines += [f'  - {{code: "{u.code}", name: "{u.name}"}}' for u in province.units]
    return "\n".join(lines)


@main.command("new")
@click.argument("campaign", type=click.Path(file_okay=False, path_type=Path))
@click.option("--layout", "layout_path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The survey layout (YAML), e.g. layouts/ha-tinh-2022.yaml.")
@click.option("--store", "store_url", metavar="postgresql://USER@HOST[:PORT]/DB",
              help="Keep the campaign in this PostgreSQL database, shared by several "
                   "stations [default: a SQLite file in the folder].")
@click.option("--campaign", "name", metavar="NAME",
              help="The campaign's name in that database, which may hold several "
                   "[default: the folder's name].")
def new_cmd(campaign: Path, layout_path: Path, store_url: str | None, name: str | None) -> None:
    """Make a campaign folder with its store and a frozen copy of the layout."""
    from .campaign import new_campaign

    if name and not store_url:
        raise click.UsageError("--campaign names a campaign in a database: give --store too")
    with new_campaign(campaign, layout_path, _server_address(store_url), name) as c:
        L = c.layout
        click.echo(f"Campaign {campaign}: layout {L.id} v{L.version}, {len(L.units)} units, "
                   f"{len(L.questions)} questions on {c.geometry.template.pages} page(s) a sheet.")
        click.echo(f"Next: phieu print {campaign} --copies N   (or --plan plan.csv)")


def _server_address(url: str | None) -> str | None:
    """A PostgreSQL address as the folder may keep it: no password in it, ever."""
    if url is None:
        return None
    if not url.startswith(("postgresql://", "postgres://")):
        raise click.UsageError("--store must be a postgresql://USER@HOST[:PORT]/DB address")
    from psycopg.conninfo import conninfo_to_dict

    try:
        info = conninfo_to_dict(url)
    except Exception as e:  # noqa: BLE001 - libpq's own message says what is wrong
        raise click.UsageError(f"--store: not a PostgreSQL address: {e}") from e
    if "password" in info:
        raise click.UsageError("--store must not hold the password: put it in PGPASSWORD, "
                               "~/.pgpass or a service file, where libpq finds it")
    return url


@main.command("join")
@click.argument("campaign", type=click.Path(file_okay=False, path_type=Path))
@click.option("--store", "store_url", required=True, metavar="postgresql://USER@HOST[:PORT]/DB",
              help="The PostgreSQL database the campaign lives in.")
@click.option("--campaign", "name", metavar="NAME",
              help="Which campaign of that database [default: its only one].")
def join_cmd(campaign: Path, store_url: str, name: str | None) -> None:
    """Make this station's folder for a campaign kept in PostgreSQL by another station:
    print, scan, review, export and report here go to the same campaign."""
    from .campaign import join_campaign

    with join_campaign(campaign, _server_address(store_url), name) as c:
        printed = c.store.printed_count()
        click.echo(f"Joined campaign {c.store.campaign} ({c.layout.id} v{c.layout.version}) "
                   f"in {store_url}: "
                   f"{printed:,} sheets printed so far. This station's folder: {campaign}")


@main.group("store")
def store_group() -> None:
    """Where a campaign's store is kept."""


@store_group.command("copy")
@click.argument("campaign", type=click.Path(file_okay=False, path_type=Path))
@click.option("--to", "to", required=True, metavar="postgresql://USER@HOST[:PORT]/DB | sqlite",
              help="A PostgreSQL database, or `sqlite` for a file in the campaign's folder.")
@click.option("--campaign", "name", metavar="NAME",
              help="The campaign's name in that database [default: the folder's name].")
def store_copy_cmd(campaign: Path, to: str, name: str | None) -> None:
    """Copy a campaign's store (pages, pictures, decisions, audit) to PostgreSQL or back to a
    SQLite file, check that every row arrived, and use the copy from now on. The store it
    leaves is kept as it was."""
    from .campaign import copy_store_to

    if to != "sqlite":
        to = _server_address(to)
    elif name:
        raise click.UsageError("--campaign names a campaign in a database: not with --to sqlite")
    with tqdm(unit=" rows", desc="copying", disable=None, leave=False) as bar:
        where, counts = copy_store_to(campaign, to, name, bar.update)
    click.echo(f"Copied to {where}: {counts['pages']:,} pages, {counts['sheets']:,} sheets, "
               f"{counts['decisions']:,} decisions, {counts['printed_sheets']:,} printed "
               f"serials; every table counted on both sides, the same.")
    click.echo(f"{campaign} now uses the copy; the store it left is kept as it was.")


@main.command("print")
@click.argument("campaign", type=click.Path(file_okay=False, path_type=Path))
@click.option("--copies", type=click.IntRange(1, 100_000), help="Sheets per unit [default: 1].")
@click.option("--plan", "plan", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Print the number of forms per unit given by `phieu plan`.")
@click.option("--unit", "units", multiple=True, metavar="CODE",
              help="Only this unit (repeat for several).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for forms.pdf, manifest.csv and template.json "
                   "[default: CAMPAIGN/prints/run-NNN; posters: CAMPAIGN/posters].")
@click.option("--posters", is_flag=True,
              help="Instead of forms: an A4 poster per unit (or per --unit) with a QR code "
                   "opening the layout's online form, the unit filled in.")
def print_cmd(campaign: Path, copies: int | None, plan: Path | None, units: tuple[str, ...],
              out: Path | None, posters: bool) -> None:
    """Write forms.pdf, template.json and manifest.csv for the campaign's units.

    Every sheet gets a serial no other sheet of the campaign has, also across runs.
    With --posters: an A4 poster per unit whose QR code opens the online form.
    """
    from .campaign import open_campaign
    from .printing import print_forms, print_posters

    if copies is not None and plan is not None:
        raise click.UsageError("give --copies or --plan, not both")
    if posters:
        if copies is not None or plan is not None:
            raise click.UsageError("--posters prints no forms: not with --copies or --plan")
        with open_campaign(campaign) as c:
            pdf, rows = print_posters(c, units, out)
        click.echo(f"{len(rows)} poster(s) to {pdf}; each QR code's address in "
                   f"{pdf.with_name('posters.csv')}. Print at 100 % scale.")
        return
    with open_campaign(campaign) as c:
        bar = tqdm(unit=" pages", desc="printing", disable=None, leave=False)
        try:
            result = print_forms(c, copies, plan, units, out, progress=bar.update)
        finally:
            bar.close()
    click.echo(f"Printed {result.sheets:,} sheets ({result.pages:,} pages, serials "
               f"{result.first_serial:06d}–{result.last_serial:06d}) in {result.seconds:.1f} s "
               f"to {result.out_dir}/forms.pdf")
    click.echo("Print at 100 % scale (no 'fit to page'), one side per sheet or duplex.")


@main.command("import")
@click.argument("campaign", type=click.Path(file_okay=False, path_type=Path))
@click.argument("answers", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--channel", default="online", show_default=True, metavar="NAME",
              help="How these answers were given: online, zalo, post, …")
@click.option("--mapping", "mapping_path", metavar="MAP.yaml",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Which column answers which question (`unit: COLUMN`, "
                   "`questions: {q01: COLUMN}`) [default: matched by the questions' text].")
@click.option("--check", is_flag=True, help="Print the mapping and what would be flagged; "
                                            "store nothing.")
def import_cmd(campaign: Path, answers: Path, channel: str, mapping_path: Path | None,
               check: bool) -> None:
    """Merge answers given elsewhere than on paper (a web form's export: Google Forms,
    Microsoft Forms, KoboToolbox; .csv or .xlsx, one row per person) into the campaign.

    A row whose unit or answer is not one of the layout's is flagged, never guessed; a row
    answering no question is left out. A row is known by its answers, unit and other cells,
    not by the file's spelling: the same answers again (as .xlsx, under a renamed header)
    add nothing; a longer export adds only its new rows."""
    from .answer_file import guess_mapping, load_mapping, read_answers, refuse_unmatched
    from .campaign import open_campaign
    from .importing import CHANNEL_RE, checked_rows, import_answers

    if not CHANNEL_RE.match(channel) or channel == "paper":
        raise click.UsageError("--channel: a short lower-case name such as online, zalo, post "
                               "(paper is for scanned sheets)")
    with open_campaign(campaign) as c:
        frame = read_answers(answers)
        mapping = (load_mapping(mapping_path, frame, c.layout) if mapping_path
                   else guess_mapping(frame, c.layout))
        refuse_unmatched(answers, frame, mapping, c.layout)
        if check:
            click.echo(f"{answers}: {len(frame):,} rows; columns used:")
            for line in mapping.lines(c.layout):
                click.echo(f"  {line}")
            problems = checked_rows(frame, mapping, c.layout)
            click.echo(f"{len(problems):,} row(s) would be flagged or left out"
                       + (":" if problems else "."))
            for line in problems[:50]:
                click.echo(f"  {line}")
            return
        result = import_answers(c, answers, frame, channel, mapping)
    if result.already:
        click.echo(f"{answers}: imported before (as {result.already}); nothing added.")
        return
    known = result.rows - result.new - result.skipped
    click.echo(f"{answers}: {result.rows:,} rows, {result.new:,} new ({channel}): "
               f"{result.new - result.flagged:,} counted, {result.flagged:,} flagged; "
               f"{known:,} were already in the campaign (the same answers, from this file or "
               "another).")
    if result.skipped:
        click.echo(f"{result.skipped:,} row(s) answer no question of the layout: not "
                   "respondents, left out.")
    if result.gone:
        click.echo(f"{result.gone:,} row(s) imported before from this form are not in this "
                   "export (changed or deleted on the form since?): they wait for review "
                   "and are not counted meanwhile.")
    if result.flagged or result.gone:
        click.echo(f"Next: phieu review {campaign}   (choose the unit or the answer of each "
                   "flagged row, or set it aside; a corrected export imported again would "
                   "count its rows as new respondents)")


@main.command("demo")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path),
                default=Path("phieu-demo"))
def demo_cmd(directory: Path) -> None:
    """The whole flow on the bundled sample campaign (Hà Tĩnh city, 2022)."""
    from .demo import run_demo

    bar = tqdm(unit=" pages", desc="     reading", disable=None, leave=False)
    try:
        run_demo(directory, click.echo, progress=bar.update)
    finally:
        bar.close()


for _command in (scan_cmd, review_cmd, capture_cmd, export_cmd, report_cmd):
    main.add_command(_command)
