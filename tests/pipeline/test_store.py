"""The store opens what older releases wrote, and upgrades it without losing a row."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from phieu.omr.vocabulary import Code, Reason, from_data
from phieu.pipeline.store import Store, StoreError
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
        assert [from_data(r) for _, r in flags] == [
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
