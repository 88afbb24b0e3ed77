"""The `phieu` commands of the clerk and the coordinator: scan, review, export, report.
`cli.main` holds them with the survey team's."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from tqdm import tqdm

from .errors import PhieuError


@click.command("scan")
@click.argument("campaign", type=click.Path(file_okay=False, path_type=Path))
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--workers", type=click.IntRange(1, 64),
              help="Pages read at once [default: the number of cores].")
def scan_cmd(campaign: Path, inputs: tuple[Path, ...], workers: int | None) -> None:
    """Read scanned sheets: files or folders of PDF, TIFF, JPEG and PNG, in any order.

    Pages may come upside down, twice, with blank backs, mixed with other paper.
    Each page is saved as soon as it is read: stop at any time (Ctrl-C) and run the
    same command again to go on. Giving the same file again adds nothing.
    """
    from .campaign import open_campaign
    from .scan.batch import scan
    from .scan.summary import print_summary

    with open_campaign(campaign) as c:
        bar = tqdm(unit=" pages", desc="reading", disable=None, smoothing=0.1)
        try:
            summary = scan(c, list(inputs), workers, progress=bar.update,
                           on_total=lambda n: setattr(bar, "total", n))
        finally:
            bar.close()
    print_summary(summary, campaign, click.echo)
    if summary.interrupted:
        click.echo("Stopped. Every page read so far is saved; run the same command to go on.",
                   err=True)
        sys.exit(1)
    if summary.failed_files or summary.failed_pages:
        sys.exit(1)


def _draw_audit(campaign: Path, text: str) -> None:
    from .campaign import open_campaign
    from .review.audit import draw, make_pictures, parse_share, result

    share = parse_share(text)
    with open_campaign(campaign) as c:
        added = draw(c, share)
        with tqdm(unit="page", desc="Pictures for the audit", disable=None, leave=False) as bar:
            missing = make_pictures(c, bar.update, lambda n: setattr(bar, "total", n))
        r = result(c)
    click.echo(f"Audit: {added:,} sheets drawn now, {r.drawn:,} in all ({share:.1%} of each "
               f"unit's sheets read with certainty); {r.checked:,} checked so far. They come "
               "after the flagged items (reason: phúc tra).")
    if missing:
        click.echo(f"note: {missing} page(s) of drawn sheets have no picture: their scan "
                   "files have moved", err=True)


@click.command("review")
@click.argument("campaign", type=click.Path(file_okay=False, path_type=Path))
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port of the local web page (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; only this computer can open the page unless you "
                   "change it (0.0.0.0: the whole network, behind an access token).")
@click.option("--audit", "audit_share", metavar="SHARE",
              help="Draw this share of the sheets read with certainty, per unit, for a person "
                   "to check again (phúc tra), e.g. 2%; drawn once, the same draw every time.")
@click.option("--token", "access", metavar="TEXT",
              help="Access token for a page shared beyond this computer [default: a new one "
                   "each start, shown in the address].")
@click.option("--comments", is_flag=True,
              help="Open the comment queue: type what people wrote in the comment boxes (ok "
                   "sheets included), so the report can quote it.")
def review_cmd(campaign: Path, port: int, host: str, access: str | None,
               audit_share: str | None, comments: bool) -> None:
    """Open the review page for the flagged sheets and imported rows (a local web page;
    Ctrl-C to stop).

    Keys: digits pick an answer, 0 leaves it blank, Enter accepts and moves on,
    Delete rejects the sheet, U undoes, the left arrow goes back. With --comments:
    type the comment, Enter for the next; F2 no comment, F4 unreadable; Alt+digit tags
    a theme; Ctrl+Z takes back the last one.
    """
    from .campaign import open_campaign
    from .review.app import is_loopback, serve

    open_campaign(campaign).close()  # a clear message when it is not a campaign
    if audit_share is not None:
        _draw_audit(campaign, audit_share)
    if access is not None and len(access) < 12:
        raise click.UsageError("--token must be at least 12 characters")
    if not is_loopback(host):
        click.echo(f"note: listening on {host}: other computers on the network can open the "
                   "review page with the address below (it holds the access token; give it "
                   "only to the coordinators)", err=True)
    try:
        serve(campaign, host, port, access=access, page="comments" if comments else "",
              ready=lambda url: click.echo(
                  f"{'Comment queue' if comments else 'Review page'}: {url}  (open it in a "
                  "browser; Ctrl-C to stop)"))
    except OSError as e:
        raise PhieuError(f"cannot listen on {host}:{port}: {e.strerror}; "
                         "try another --port") from e


@click.command("capture")
@click.argument("campaign", type=click.Path(file_okay=False, path_type=Path))
@click.option("--port", type=click.IntRange(0, 65535), default=8766, show_default=True,
              help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 for the office's network, so that phones "
                   "can open the page (it then asks for an access token).")
@click.option("--token", "access", metavar="TEXT",
              help="Access token to ask for beyond this computer (default: a new random one).")
def capture_cmd(campaign: Path, port: int, host: str, access: str | None) -> None:
    """Serve a page for the office's phones: photograph each returned sheet, and see at
    once whether it was read, needs a person, or must be taken again (Ctrl-C to stop).

    Prints the page's address and its QR code, and writes the code as a picture
    (capture-address.png in the campaign's folder) to show on this screen."""
    from .campaign import open_campaign
    from .capture.address import console_qr, write_qr_png
    from .capture.app import serve
    from .served import is_loopback

    open_campaign(campaign).close()  # a clear message when it is not a campaign
    if access is not None and len(access) < 12:
        raise click.UsageError("--token must be at least 12 characters")

    def ready(url: str) -> None:
        click.echo(f"Capture page: {url}")
        if not is_loopback(host):
            png = write_qr_png(url, campaign / "capture-address.png")
            click.echo("Open it on each phone (same Wi-Fi): point the phone's camera at this "
                       f"code, or at {png} shown on this screen. The address holds the access "
                       "token: show it only to the office's clerks.")
            click.echo(console_qr(url))
        else:
            click.echo("Only this computer can open it. For the phones on the office's Wi-Fi: "
                       f"phieu capture {campaign} --host 0.0.0.0")
        click.echo("Ctrl-C to stop; every photo taken is kept in "
                   f"{campaign / 'captures'}.")

    try:
        serve(campaign, host, port, ready=ready, access=access)
    except OSError as e:
        raise PhieuError(f"cannot listen on {host}:{port}: {e.strerror}; "
                         "try another --port") from e


@click.command("export")
@click.argument("campaign", type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="FILE.csv or FILE.xlsx")
def export_cmd(campaign: Path, out: Path) -> None:
    """One row per respondent — a paper sheet (its copy number among the papers with its
    printed number) or an imported row — and one per page that is no paper (a second scan,
    a blank form, a page without identity): status, flags, answers."""
    from .campaign import open_campaign
    from .export import export

    with open_campaign(campaign) as c:
        n = export(c, out)
    click.echo(f"{n:,} rows written to {out}")


@click.command("report")
@click.argument("campaign", type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for bao-cao.pdf, bao-cao.docx, bao-cao.xlsx and bao-cao.csv "
                   "[default: CAMPAIGN/bao-cao].")
@click.option("--plan", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The plan from `phieu plan` [default: the one the campaign was printed "
                   "with].")
def report_cmd(campaign: Path, out: Path | None, plan: Path | None) -> None:
    """Per-unit results: satisfaction index per question, criterion and unit, with 95 %
    intervals, ranking, what to improve; as PDF, Word (to edit before signing), Excel
    and CSV. The campaign's plan (kept by `phieu plan --campaign` or `phieu print --plan`)
    gives forms printed and the minimum sample per unit.

    Only sheets read with confidence or decided on the review page count; sheets still
    waiting for review are counted apart, per unit.
    """
    from .campaign import open_campaign
    from .report.write import report

    with open_campaign(campaign) as c:
        files = report(c, out, plan)
    overall = files.results.overall
    waiting = int(files.results.units["waiting"].sum())
    click.echo(f"{overall.sheets:,} sheets counted, {waiting:,} still waiting for review; "
               f"overall index {overall.index * 100:.1f} %." if overall.sheets else
               f"No sheet counted yet ({waiting:,} waiting for review).")
    if overall.unplaced:
        click.echo(f"{overall.unplaced:,} more waiting for review belong to no unit yet "
                   f"(pages whose sheet is unknown, imported rows naming no unit): "
                   f"phieu review {campaign}")
    untyped = int((files.results.texts["state"] == "untyped").sum())
    if untyped:
        click.echo(f"{untyped:,} handwritten comments are not typed yet, so the report cannot "
                   f"quote them: phieu review {campaign} --comments")
    if not files.serif:
        click.echo("note: the report's serif font (Liberation Serif, package fonts-liberation2) "
                   "is not installed; the PDF is set in the forms' sans-serif instead "
                   "(bash scripts/setup.sh installs it)", err=True)
    if files.results.audit.drawn:
        from .review.audit import sentence

        click.echo(sentence(files.results.audit))
    click.echo(f"Report written in {files.seconds:.1f} s: {files.pdf}, {files.docx}, "
               f"{files.xlsx}, {files.csv}")
