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
