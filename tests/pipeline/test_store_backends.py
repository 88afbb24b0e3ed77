"""The store's functions give the same answers on SQLite and on PostgreSQL: pages read,
sheets derived from them, second scans, decisions, the audit, pictures."""

from __future__ import annotations

import itertools

import pytest

from phieu.forms import sheet_id as make_sheet_id
from phieu.omr.vocabulary import Code, Kind, Reason, Status
from phieu.pipeline.scan.reading import PageOutcome
from phieu.pipeline.scan.recorded import record_page
from phieu.pipeline.store import Store
from phieu.pipeline.store.answers import all_final_answers
from phieu.pipeline.store.audit import add_to_audit, audit_waiting
from phieu.pipeline.store.comments import Comment, all_comments, set_comment
from phieu.pipeline.store.items import sheet_item
from phieu.pipeline.store.pages import add_file, known_file, page_picture, set_picture
from phieu.pipeline.store.review import (
    claim_of,
    flagged_loose_pages,
    flagged_sheets,
    hold,
    log_decision,
    sheet_info,
)
from phieu.pipeline.store.sheets import export_sheets, status_counts

_databases = itertools.count(1)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        s = Store(tmp_path / "campaign.sqlite")
    else:
        import psycopg

        from phieu.pipeline.store.postgres import PostgresStore

        server = request.getfixturevalue("postgres_server")
        name = f"campaign_{next(_databases)}"
        with psycopg.connect(server.url(), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        s = PostgresStore(server.url(name))
    yield s
    s.close()


CODE = "KHANH"  # the campaign's code, as its forms carry it


def _page(n: int, sid: str | None, flags=(), answers=None, kind=Kind.FORM) -> PageOutcome:
    unit = sid.split("-")[0] if sid else None
    return PageOutcome(0, n, kind, sid, unit, int(sid[-6:]) if sid else None, 1 if sid else None,
                       "qr" if sid else "", list(flags), answers or {},
                       campaign_code=CODE if sid else "")


def test_pages_sheets_decisions_and_the_audit(store):
    run, printed = store.allocate_serials([("18070", 2), ("18073", 1)], "out", 1, make_sheet_id)
    assert run == 1 and [p.serial for p in printed] == [1, 2, 3]
    a, b, c = (p.sheet_id for p in printed)
    fid = add_file(store, "f" * 64, "scan.pdf", 6, None)
    assert add_file(store, "f" * 64, "again.pdf", 6, None) == fid  # the same content: one file
    assert known_file(store, "f" * 64) == (fid, 6, None)
    first = record_page(store, fid, _page(1, a, answers={"q01": "4"}), 1, CODE)
    assert first.status == Status.OK and first.copy_no == 1
    assert record_page(store, fid, _page(2, b, [Reason(Code.FAINT_MARK, "q02")],
                                         {"q01": "5"}), 1, CODE).status == Status.FLAGGED
    second = record_page(store, fid, _page(3, a, answers={"q01": "1"}), 1, CODE)
    assert second.status == Status.FLAGGED and second.reasons == [Reason(Code.DUPLICATE, a)]
    unknown = record_page(store, fid, _page(4, "18073-000999"), 1, CODE)
    assert unknown.reasons == [Reason(Code.UNKNOWN_SHEET, "18073-000999")]
    back = record_page(store, fid, _page(5, None, kind=Kind.BLANK), 1, CODE)
    assert back.status == Status.SKIPPED and not back.blank_form
    with store.transaction() as db:  # a person decides b's q02, and holds the item
        hold(db, sheet_item(b), "session1", "Lan", 1e12)
        log_decision(db, sheet_item(b), "Lan", "answer", "q02", "3", "")
        set_comment(db, Comment(b, "y_kien", "typed", "100% hài lòng", ("1",), "Lan"))
    assert claim_of(store.db, sheet_item(b)).reviewer == "Lan"
    add_to_audit(store, [a], 0.5)
    add_to_audit(store, [a], 0.5)  # drawn twice: once
    set_picture(store, 1, PICTURE)
    read_back(store, a, b)


PICTURE = bytes(range(256)) * 4


def read_back(store, a: str, b: str) -> None:
    """What the scenario above stored, as the pipeline reads it."""
    assert status_counts(store) == {Status.OK: 1, Status.FLAGGED: 1}
    assert flagged_sheets(store.db) == [(b, "18070", [Reason(Code.FAINT_MARK, "q02")])]
    loose = [r for _, r in flagged_loose_pages(store.db)]
    assert loose == [[Reason(Code.DUPLICATE, a)], [Reason(Code.UNKNOWN_SHEET, "18073-000999")]]
    assert sheet_info(store.db, b).reasons == [Reason(Code.FAINT_MARK, "q02")]
    answers = all_final_answers(store.db)
    assert answers[a] == {"q01": "4"}  # the second scan does not count
    assert answers[b] == {"q01": "5", "q02": "3", "y_kien": "100% hài lòng"}
    assert all_comments(store.db)[(b, "y_kien")].themes == ("1",)
    assert audit_waiting(store.db) == [(a, "18070")]
    rows = export_sheets(store)
    assert [(r.key, r.status, r.source, r.source_page) for r in rows] == [
        (a, Status.OK, "scan.pdf", 1), (b, Status.FLAGGED, "scan.pdf", 2)]
    assert bytes(page_picture(store, 1)) == PICTURE


def test_a_store_copied_there_and_back_reads_the_same_and_goes_on(tmp_path, postgres_server):
    """SQLite → PostgreSQL → SQLite: every read of the scenario gives the same answer on
    each copy, and new rows on a copy get new ids (printing goes on from the last serial)."""
    from phieu.pipeline.store import StoreError
    from phieu.pipeline.store.copy import copy_store, row_counts
    from phieu.pipeline.store.postgres import PostgresStore

    first = Store(tmp_path / "first.sqlite")
    test_pages_sheets_decisions_and_the_audit(first)
    a, b = (r.key for r in export_sheets(first))
    server = PostgresStore(postgres_server.url(), "copied", create=True)
    counts = copy_store(first, server)
    assert counts == row_counts(first) and counts["pages"] == 5 and counts["decisions"] == 1 \
        and counts["comments"] == 1
    assert counts["meta"] == 0  # the scenario keeps no campaign meta: only the version
    read_back(server, a, b)
    with pytest.raises(StoreError, match="already holds a campaign"):
        copy_store(first, server)
    back = Store(tmp_path / "back.sqlite")
    assert copy_store(server, back) == counts
    read_back(back, a, b)
    for copy in (server, back):  # each goes on from where the copy left it
        run, printed = copy.allocate_serials([("18070", 1)], "out", 1, make_sheet_id)
        assert run == 2 and printed[0].serial == 4
        assert add_file(copy, "e" * 64, "more.pdf", 1, None) == 2
    for s in (first, server, back):
        s.close()


def test_two_stations_printing_at_once_never_share_a_serial(postgres_server):
    """Two print runs at two stations, at the same time, on one PostgreSQL campaign."""
    import threading

    import psycopg

    from phieu.pipeline.store.postgres import PostgresStore

    with psycopg.connect(postgres_server.url(), autocommit=True) as admin:
        admin.execute("CREATE DATABASE two_printers")
    url = postgres_server.url("two_printers")
    PostgresStore(url).close()  # the campaign exists before the stations print
    serials: list[int] = []
    failures: list[BaseException] = []

    def station(unit: str) -> None:
        s = PostgresStore(url)
        try:
            for _ in range(5):
                _, sheets = s.allocate_serials([(unit, 20)], "out", 1, make_sheet_id)
                serials.extend(p.serial for p in sheets)
        except BaseException as e:  # noqa: BLE001 - reported below
            failures.append(e)
        finally:
            s.close()

    threads = [threading.Thread(target=station, args=(u,)) for u in ("18070", "18073")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not failures
    assert sorted(serials) == list(range(1, 201))  # 200 sheets, every serial once
