"""A campaign kept in PostgreSQL: made at one station, joined at another, every command
working on it as on a campaign of one laptop."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from phieu.pipeline.campaign import open_campaign
from phieu.pipeline.demo import COPIES, SAMPLE_CODE, sample_scans
from phieu.pipeline.export import export_frame
from phieu.pipeline.store.pages import page_counts
from tests.conftest import REFERENCE, read_manifest, run_cli


@pytest.fixture()
def database(postgres_server, request):
    name = "shared_" + request.node.name.lower()[:40].replace("[", "_").replace("]", "")
    with psycopg.connect(postgres_server.url(), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    return postgres_server.url(name)


def _print_sample(campaign: Path, out: Path):
    """The campaign printed as the demo's, whose sheets the shipped scans are: the same
    serials and the same campaign code."""
    with open_campaign(campaign) as c:
        c.store.set_meta(campaign_code=SAMPLE_CODE)
    return run_cli("print", campaign, "--copies", COPIES, "--out", out)


def test_made_at_one_station_scanned_and_reported_at_another(tmp_path, database):
    office, second = tmp_path / "office", tmp_path / "station2"
    result = run_cli("new", office, "--layout", REFERENCE, "--store", database)
    assert result.exit_code == 0, result.output
    assert (office / "store.url").read_text() == f"{database}\ncampaign office\n"
    assert not (office / "campaign.sqlite").exists()
    assert _print_sample(office, tmp_path / "p").exit_code == 0
    result = run_cli("join", second, "--store", database)
    assert result.exit_code == 0, result.output
    assert "30 sheets printed so far" in result.output
    # the second station gets the frozen layout and template from the database
    assert (second / "layout.yaml").read_bytes() == (office / "layout.yaml").read_bytes()
    assert (second / "template.json").read_bytes() == (office / "template.json").read_bytes()
    result = run_cli("scan", second, sample_scans(), "--workers", "1")
    assert result.exit_code == 0, result.output
    with open_campaign(office) as c:  # what one station scanned, the other sees
        here = export_frame(c)
    with open_campaign(second) as c:
        there = export_frame(c)
    assert here.equals(there) and len(here) > 0
    assert (here["status"] == "ok").sum() >= 10
    again = run_cli("scan", office, sample_scans(), "--workers", "1")  # the same files
    assert "not read twice" in again.output
    with open_campaign(office) as c:
        assert export_frame(c).equals(here)  # nothing added
    result = run_cli("report", office)
    assert result.exit_code == 0, result.output
    assert (office / "bao-cao" / "bao-cao.pdf").is_file()


def test_a_database_that_holds_a_campaign_is_not_made_twice(tmp_path, database):
    assert run_cli("new", tmp_path / "a", "--layout", REFERENCE, "--store",
                   database).exit_code == 0
    result = run_cli("new", tmp_path / "b", "--layout", REFERENCE, "--store", database,
                     "--campaign", "a")
    assert result.exit_code == 1 and "already holds the campaign 'a'" in result.output
    assert "phieu join" in result.output and not (tmp_path / "b").exists()


def test_one_database_holds_several_campaigns_apart(tmp_path, database):
    """Two offices' campaigns in one database: each station joins the one it names, and
    what is printed or scanned in one is not in the other."""
    for name in ("Hà Tĩnh 2026", "Đắk Nông"):
        result = run_cli("new", tmp_path / name, "--layout", REFERENCE, "--store", database)
        assert result.exit_code == 0, result.output
    assert run_cli("print", tmp_path / "Hà Tĩnh 2026", "--copies", "2", "--out",
                   tmp_path / "p").exit_code == 0
    result = run_cli("join", tmp_path / "s", "--store", database)
    assert result.exit_code == 1 and "2 campaigns (dak_nong, ha_tinh_2026)" in result.output
    assert "--campaign" in result.output and not (tmp_path / "s").exists()
    result = run_cli("join", tmp_path / "s", "--store", database, "--campaign", "nowhere")
    assert result.exit_code == 1 and "no campaign named 'nowhere'" in result.output
    result = run_cli("join", tmp_path / "s", "--store", database, "--campaign", "ha_tinh_2026")
    assert result.exit_code == 0 and "30 sheets printed so far" in result.output
    result = run_cli("join", tmp_path / "t", "--store", database, "--campaign", "dak_nong")
    assert result.exit_code == 0 and "0 sheets printed so far" in result.output


def test_a_password_is_never_kept_in_the_folder(tmp_path, postgres_server):
    url = postgres_server.url("x").replace("phieu@", "phieu:secret@")
    result = run_cli("new", tmp_path / "c", "--layout", REFERENCE, "--store", url)
    assert result.exit_code == 2 and "PGPASSWORD" in result.output
    assert not (tmp_path / "c").exists()


def test_joining_an_empty_database_says_what_to_do(tmp_path, database):
    result = run_cli("join", tmp_path / "s", "--store", database)
    assert result.exit_code == 1 and "holds no campaign yet" in result.output


def test_two_stations_scanning_at_once_lose_nothing_and_count_nothing_twice(tmp_path,
                                                                           database):
    """Two `phieu scan` processes into one campaign at the same moment, with a file given to
    both and a sheet scanned at both (a copy of a scan, saved again): every page stored once,
    every sheet counted once, the second scan of it flagged, as one station scanning it all
    would have them."""
    import shutil
    import subprocess
    import sys

    import pypdfium2

    scans = sorted(p for p in sample_scans().iterdir() if p.suffix != ".json")
    halves = (tmp_path / "a", tmp_path / "b")
    # scan-004.pdf is given at both stations; a page of scan-002.pdf is scanned again at b
    for folder, files in zip(halves, (scans[:2] + scans[3:4], scans[3:]), strict=True):
        folder.mkdir()
        for f in files:
            shutil.copy(f, folder / f.name)
    pdf = pypdfium2.PdfDocument(str(scans[1]))
    page = pdf[1].render(scale=200 / 72, grayscale=True).to_pil()
    page.save(halves[1] / "again.png")
    pdf.close()
    office, second = tmp_path / "office", tmp_path / "station2"
    assert run_cli("new", office, "--layout", REFERENCE, "--store", database).exit_code == 0
    assert _print_sample(office, tmp_path / "p").exit_code == 0
    assert run_cli("join", second, "--store", database).exit_code == 0
    runs = [subprocess.Popen([sys.executable, "-m", "phieu.pipeline", "scan", str(c),
                              str(folder), "--workers", "1"], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
            for c, folder in zip((office, second), halves, strict=True)]
    outputs = [r.communicate(timeout=600)[0] for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs
    alone = tmp_path / "alone"  # one station, one SQLite campaign, every file once
    assert run_cli("new", alone, "--layout", REFERENCE).exit_code == 0
    assert _print_sample(alone, tmp_path / "p2").exit_code == 0
    for folder in halves:
        assert run_cli("scan", alone, folder, "--workers", "1").exit_code == 0
    with open_campaign(office) as c:
        shared, shared_pages = export_frame(c), page_counts(c.store)
    with open_campaign(alone) as c:
        single, single_pages = export_frame(c), page_counts(c.store)
    assert shared_pages == single_pages  # nothing lost, nothing stored twice
    sheets = shared[shared["sheet_id"] != ""]
    assert not sheets.duplicated(["sheet_id", "copy"]).any()  # nothing counted twice
    # the same papers, a photocopy among them; which of two papers with one number was
    # scanned first, and so is copy 1, depends on the two stations' timing
    answers = [c for c in shared.columns if c not in ("source", "source_page", "copy")]

    def papers(frame):
        return sorted(map(tuple, frame[frame["sheet_id"] != ""][answers].to_numpy().tolist()))

    assert papers(shared) == papers(single) and (sheets["copy"] > 1).any()
    duplicates = shared["flags"].str.contains("duplicate of").sum()
    assert duplicates == single["flags"].str.contains("duplicate of").sum() >= 1


def test_a_lost_connection_is_a_message_and_loses_what_was_stored(tmp_path, database):
    from phieu.pipeline.store import StoreError
    from phieu.pipeline.store.pages import add_file, pages_done

    office = tmp_path / "office"
    assert run_cli("new", office, "--layout", REFERENCE, "--store", database).exit_code == 0
    with open_campaign(office) as c:
        fid = add_file(c.store, "c" * 64, "x.pdf", 3, None)  # stored before the network drops
        pid = c.store.db.conn.info.backend_pid
        with psycopg.connect(database, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(StoreError, match="connection to the server was lost"):
            pages_done(c.store, fid)
    with open_campaign(office) as c:  # the next run goes on with what was stored
        assert pages_done(c.store, fid) == set()
        assert add_file(c.store, "c" * 64, "x.pdf", 3, None) == fid


def _flagged_rows(camp) -> list:
    from phieu.pipeline.store.responses import flagged_responses, response_info

    return [response_info(camp.store.db, rid) for rid, _, _ in flagged_responses(camp.store.db)]


def test_a_laptop_campaign_moves_to_the_server_and_back(tmp_path, database):
    """`phieu store copy`: a campaign scanned on one laptop goes to PostgreSQL with every
    page, a second station joins it there, and it comes back to a SQLite file; the export
    is the same at every step and the stores it left are kept."""
    c = tmp_path / "laptop"
    assert run_cli("new", c, "--layout", REFERENCE).exit_code == 0
    assert _print_sample(c, tmp_path / "p").exit_code == 0
    assert run_cli("scan", c, sample_scans(), "--workers", "1").exit_code == 0
    from tests.pipeline.test_import import _people, google

    online = google(_people(5, 9))
    online.iloc[2, 1] = "Phường Nam Hà Mới"  # flagged: its cells are what review shows
    online.to_csv(tmp_path / "online.csv", index=False)
    assert "1 flagged" in run_cli("import", c, tmp_path / "online.csv").output
    with open_campaign(c) as camp:
        before, pages = export_frame(camp), page_counts(camp.store)
        waiting = _flagged_rows(camp)
    assert len(waiting) == 1 and "Phường Nam Hà Mới" in waiting[0].cells.values()
    result = run_cli("store", "copy", c, "--to", database, "--campaign", "Hà Tĩnh")
    assert result.exit_code == 0, result.output
    assert "every table counted on both sides" in result.output
    assert (c / "store.url").read_text() == f"{database}\ncampaign ha_tinh\n"
    assert (c / "campaign-before-copy.sqlite").is_file() and not (c / "campaign.sqlite").exists()
    assert run_cli("join", tmp_path / "s2", "--store", database).exit_code == 0
    for station in (c, tmp_path / "s2"):
        with open_campaign(station) as camp:
            assert export_frame(camp).equals(before) and page_counts(camp.store) == pages
            assert _flagged_rows(camp) == waiting
    again = run_cli("scan", tmp_path / "s2", sample_scans(), "--workers", "1")
    assert "not read twice" in again.output
    result = run_cli("store", "copy", c, "--to", database, "--campaign", "ha_tinh")  # there
    assert result.exit_code == 1 and "already holds a campaign" in result.output
    result = run_cli("store", "copy", tmp_path / "s2", "--to", "sqlite")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "s2" / "store-before-copy.url").is_file()
    with open_campaign(tmp_path / "s2") as camp:
        assert not camp.shared and export_frame(camp).equals(before)
    result = run_cli("print", tmp_path / "s2", "--copies", "1", "--out", tmp_path / "p2")
    assert result.exit_code == 0, result.output
    serials = [int(r["serial"]) for r in read_manifest(tmp_path / "p2" / "manifest.csv")]
    assert min(serials) == int(COPIES) * 15 + 1  # goes on after the laptop's serials
