"""The store opens what older releases wrote, and upgrades it without losing a row."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from phieu.omr.vocabulary import Code, Reason
from phieu.pipeline.store import Store, StoreError
from phieu.pipeline.store.encoding import reasons_of
from phieu.pipeline.store.schema import VERSION

FIRST_RELEASE = Path(__file__).parents[1] / "data" / "store-schema-1.sqlite"


def _tables(store: Store) -> dict[str, set[str]]:
    rows = store.db.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite%'")
    out: dict[str, set[str]] = {}
    for kind, name in rows:
        out.setdefault(kind, set()).add(name)
    return out


def test_a_store_of_the_first_release_opens_and_is_upgraded(tmp_path):
    path = tmp_path / "campaign.sqlite"
    shutil.copy(FIRST_RELEASE, path)
    store = Store(path)
    try:
        assert store.version == VERSION > 1
        assert {"sheets_by_status", "pages_by_status"} <= _tables(store)["index"]
        # what it held is all there: a sheet read ok, a second scan flagged as such
        assert store.db.execute("SELECT sheet_id, status FROM sheets").fetchall() == [
            ("18070-000001", "ok")]
        flags = store.db.execute("SELECT flags, reasons FROM pages ORDER BY page_no").fetchall()
        assert [f for f, _ in flags] == ["", "faint-mark q03; duplicate of 18070-000001"]
        # the reasons the first release kept as text are data now, read from that text
        assert [reasons_of(r) for _, r in flags] == [
            [], [Reason(Code.FAINT_MARK, "q03"), Reason(Code.DUPLICATE, "18070-000001")]]
        assert store.printed_sheet("18070-000001").unit_code == "18070"
    finally:
        store.close()
    again = Store(path)  # opening an upgraded store changes nothing more
    assert again.version == VERSION
    again.close()


def test_a_new_store_has_the_same_tables_as_an_upgraded_one(tmp_path):
    shutil.copy(FIRST_RELEASE, tmp_path / "old.sqlite")
    old, new = Store(tmp_path / "old.sqlite"), Store(tmp_path / "new.sqlite")
    try:
        assert _tables(old) == _tables(new)
    finally:
        old.close()
        new.close()


def test_a_store_from_a_newer_phieu_is_refused_with_a_message(tmp_path):
    path = tmp_path / "campaign.sqlite"
    Store(path).close()
    s = Store(path)
    s.set_meta(schema_version=str(VERSION + 1))
    s.close()
    with pytest.raises(StoreError, match="newer phieu"):
        Store(path)


def _columns_sqlite(store: Store) -> dict[str, set[str]]:
    tables = _tables(store)["table"]
    return {t: {r[1] for r in store.db.execute(f"PRAGMA table_info({t})")} for t in tables}


def test_the_schema_stands_on_postgresql_with_the_same_tables(tmp_path, postgres_server):
    """Every migration, as PostgreSQL spells it, applies to a real server and gives the same
    tables and columns as on SQLite: the ground a campaign shared by stations stands on."""
    import psycopg

    from phieu.pipeline.store.schema import META, MIGRATIONS, statements

    with psycopg.connect(postgres_server.url(), autocommit=True) as admin:
        admin.execute("CREATE DATABASE schema_check")
    with psycopg.connect(postgres_server.url("schema_check")) as pg:
        pg.execute(META)
        for script, _ in MIGRATIONS:  # a new store starts at the latest version: no data steps
            for statement in statements(script, "postgresql"):
                pg.execute(statement)
        rows = pg.execute("SELECT table_name, column_name FROM information_schema.columns "
                          "WHERE table_schema = 'public'").fetchall()
        # row ids are made by the server, as SQLite makes them
        pg.execute("INSERT INTO scan_files (sha256, path, added_at) VALUES ('a', 'x.pdf', 'now')")
        pg.execute("INSERT INTO scan_files (sha256, path, added_at) VALUES ('b', 'y.pdf', 'now')")
        ids = [r[0] for r in pg.execute("SELECT file_id FROM scan_files ORDER BY file_id")]
        assert ids == [1, 2]
    on_postgres: dict[str, set[str]] = {}
    for table, column in rows:
        on_postgres.setdefault(table, set()).add(column)
    sqlite = Store(tmp_path / "campaign.sqlite")
    try:
        assert on_postgres == _columns_sqlite(sqlite)
    finally:
        sqlite.close()


def test_texts_typed_before_the_comment_queue_become_its_comments(tmp_path):
    """A store of version 9 kept typed comments as decisions only: upgraded, the latest one
    still standing per box is the box's comment, an undone one is not, and an empty one says
    there was nothing to type."""
    from phieu.pipeline.store import schema
    from phieu.pipeline.store.comments import all_comments

    path = tmp_path / "campaign.sqlite"
    shutil.copy(FIRST_RELEASE, path)
    db = sqlite3.connect(path)
    for script, code in schema.MIGRATIONS[1:9]:  # the first release up to version 9
        db.executescript(script)
        if code:
            code(db)
    db.execute("UPDATE meta SET value = '9' WHERE key = 'schema_version'")
    rows = [("s:18070-000001", "y_kien", "Cần thêm ghế", None),
            ("s:18070-000001", "y_kien", "Cần thêm ghế ngồi chờ", None),
            ("s:18070-000002", "y_kien", "gõ nhầm", "2026-01-01"),
            ("s:18070-000003", "y_kien", "", None)]
    db.executemany("INSERT INTO decisions (item, action, question, value, reviewer, decided_at, "
                   "undone_at) VALUES (?, 'text', ?, ?, 'Lan', '2026-01-01', ?)",
                   [(i, q, v, u) for i, q, v, u in rows])
    db.commit()
    db.close()
    store = Store(path)
    try:
        kept = {k: (c.state, c.text) for k, c in all_comments(store.db).items()}
    finally:
        store.close()
    assert kept == {("18070-000001", "y_kien"): ("typed", "Cần thêm ghế ngồi chờ"),
                    ("18070-000003", "y_kien"): ("none", "")}


def test_decisions_of_an_earlier_release_keep_their_items_and_the_page_they_came_from(
        tmp_path):
    """A store of version 10 kept an item as one text and a named page in the decision's
    question: upgraded, the decisions are found by their typed item, a named page's undo
    still knows the page, and the claims (who looks at what now) start empty."""
    from phieu.pipeline.store import schema
    from phieu.pipeline.store.items import page_item, row_item, sheet_item
    from phieu.pipeline.store.review import claim_of, history, hold

    path = tmp_path / "campaign.sqlite"
    shutil.copy(FIRST_RELEASE, path)
    db = sqlite3.connect(path)
    for script, code in schema.MIGRATIONS[1:10]:
        db.executescript(script)
        if code:
            code(db)
    db.execute("UPDATE meta SET value = '10' WHERE key = 'schema_version'")
    db.executemany("INSERT INTO decisions (item, action, question, value, reviewer, decided_at)"
                   " VALUES (?, ?, ?, ?, 'Lan', '2026-01-01')",
                   [("s:18070-000001", "answer", "q01", "4"),
                    ("s:18070-000001", "identity", "p:7", "18070-000001"),
                    ("r:online-0123456789abcdef", "answer", "q02", "5"),
                    ("p:12", "reject", None, "rejected")])
    db.execute("INSERT INTO claims (item, session, reviewer, until) VALUES ('p:12', 'a', 'Lan', 1)")
    db.commit()
    db.close()
    store = Store(path)
    try:
        sheet = [(d.action, d.question, d.value, d.from_page)
                 for d in history(store.db, sheet_item("18070-000001"))]
        row = [(d.action, d.question) for d in history(store.db, row_item(
            "online-0123456789abcdef"))]
        page = [d.action for d in history(store.db, page_item(12))]
        assert claim_of(store.db, page_item(12)) is None
        hold(store.db, page_item(12), "b", "Minh", 2.0)
        assert claim_of(store.db, page_item(12)).reviewer == "Minh"
    finally:
        store.close()
    assert sheet == [("answer", "q01", "4", None), ("identity", None, "18070-000001", 7)]
    assert row == [("answer", "q02")]
    assert page == ["reject"]


def test_a_file_given_twice_is_one_file_and_one_that_cannot_open_is_one_flagged_page(
        tmp_path):
    """Scanned again (or given at two stations), a file is the file it was, by its content;
    a file that cannot be opened is kept, once, as one page flagged with why."""
    from phieu.pipeline.store.pages import add_file

    store = Store(tmp_path / "campaign.sqlite")
    try:
        first = add_file(store, "a" * 64, "scan.pdf", 3, None)
        assert add_file(store, "a" * 64, "again/scan.pdf", 3, None) == first
        torn = add_file(store, "b" * 64, "torn.pdf", None, "cannot open")
        assert add_file(store, "b" * 64, "torn.pdf", None, "cannot open") == torn != first
        rows = store.db.execute("SELECT page_no, kind, status, reasons, unmarked FROM pages "
                                "WHERE file_id = ?", (torn,)).fetchall()
        assert [r[:3] for r in rows] == [(0, "error", "flagged")] and not rows[0][4]
        assert reasons_of(rows[0][3]) == [Reason(Code.UNREADABLE_PAGE, "cannot open")]
        assert store.db.execute("SELECT COUNT(*) FROM pages WHERE file_id = ?",
                                (first,)).fetchone() == (0,)
    finally:
        store.close()


def test_rows_are_found_by_what_their_vietnamese_cells_say(tmp_path):
    """The rows of an export holding a given cell (the same person's other rows, say) are
    looked up by the cell as written, diacritics and all."""
    from phieu.pipeline.store.responses import Response, add_responses, rows_of_channel

    store = Store(tmp_path / "campaign.sqlite")
    try:
        rows = [Response(f"online-{k}", k + 2, "18070", {"q01": "4"}, [],
                         {"Phường, xã": ward, "Ý kiến": "Cần thêm ghế, quạt"})
                for k, ward in enumerate(["Phường Trần Phú", "Xã Thạch Bình",
                                          "Phường Trần Phú"])]
        assert add_responses(store, "c" * 64, "form.csv", "online", rows, 3) == {
            "online-0", "online-1", "online-2"}
        found = rows_of_channel(store.db, "online", {"Phường, xã": "Phường Trần Phú"})
        assert [r[0] for r in found] == ["online-0", "online-2"]
        assert found[0][4] == rows[0].cells
    finally:
        store.close()


def test_undoing_puts_back_the_comments_and_a_sheet_an_older_release_snapshotted(tmp_path):
    """A decision undone puts back what it changed: a comment typed where there was none is
    taken away, one typed over another gives the first back; and a snapshot an older
    release made (its reasons kept only as text) puts back the sheet's and the page's
    reasons read from that text."""
    import json

    from phieu.omr.vocabulary import Kind, Status, to_text
    from phieu.pipeline.store.comments import TYPED, Comment, comment_of, set_comment
    from phieu.pipeline.store.pages import PageRow, add_file, insert_page
    from phieu.pipeline.store.review import restore, snapshot

    store = Store(tmp_path / "campaign.sqlite")
    try:
        file_id = add_file(store, "a" * 64, "scan.pdf", 1, None)
        doubt = [Reason(Code.FAINT_MARK, "q03")]
        with store.transaction() as db:
            page_id = insert_page(db, PageRow(file_id, 1, Kind.FORM, None, 1, "qr",
                                              Status.FLAGGED, doubt, {}, {}, None, None, 0,
                                              None, None), {})
            assert to_text(doubt) == "faint-mark q03"
            db.execute("INSERT INTO sheets (sheet_id, status, flags, reasons, updated_at) "
                       "VALUES ('18070-000001', 'flagged', 'faint-mark q03', ?, 'then')",
                       (json.dumps([["faint-mark", "q03", None]]),))
            first = Comment("18070-000001", "y_kien", TYPED, "Cần thêm ghế", (), "Lan")
            set_comment(db, first)
            before = snapshot(db, [], ["18070-000001"], boxes=(
                ("18070-000001", "y_kien"), ("18070-000001", "gop_y")))
            set_comment(db, Comment("18070-000001", "y_kien", TYPED, "Cần thêm quạt", (),
                                    "Minh"))
            set_comment(db, Comment("18070-000001", "gop_y", TYPED, "Tốt", (), "Minh"))
            db.execute("UPDATE sheets SET status = 'reviewed', flags = '', reasons = '[]'")
            restore(db, before)
            assert comment_of(db, "18070-000001", "y_kien") == first
            assert comment_of(db, "18070-000001", "gop_y") is None
            old = json.loads(snapshot(db, [page_id], ["18070-000001"]))
            for row in old["sheets"] + old["pages"]:
                del row["reasons"]  # as a release before version 4 kept it
            db.execute("UPDATE sheets SET status = 'reviewed', flags = '', reasons = '[]'")
            db.execute("UPDATE pages SET status = 'reviewed', flags = '', reasons = '[]'")
            restore(db, json.dumps(old))
            sheet = db.execute("SELECT status, reasons FROM sheets").fetchone()
            page = db.execute("SELECT status, reasons FROM pages").fetchone()
        assert sheet[0] == page[0] == "flagged"
        assert reasons_of(sheet[1]) == reasons_of(page[1]) == doubt
    finally:
        store.close()
