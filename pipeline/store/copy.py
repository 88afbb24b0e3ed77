"""A whole campaign store copied into another (SQLite ⇄ PostgreSQL), row ids kept.

The source is read at one moment (a snapshot: stations may go on scanning into
it meanwhile) and the target is written in one transaction, so a copy that is
cut off leaves the target as empty as it was. The rows of every table are
counted on both sides afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from . import Store, StoreError, marks

# every table, in the order their references need, with its key (rows are read in key order,
# a chunk at a time: a province's pages with their pictures do not fit in memory at once).
# `claims` is not copied: who is looking at which item right now means nothing elsewhere.
TABLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("meta", ("key",)),
    ("campaign_files", ("name",)),
    ("print_runs", ("run",)),
    ("printed_sheets", ("sheet_id",)),
    ("scan_files", ("file_id",)),
    ("captures", ("capture_id",)),
    ("pages", ("page_id",)),
    ("text_crops", ("page_id", "box_id")),
    ("sheets", ("sheet_id",)),
    ("audits", ("sheet_id",)),
    ("decisions", ("decision_id",)),
    ("comments", ("sheet_id", "box_id")),
    ("import_files", ("sha256",)),
    ("responses", ("response_id",)),
)
CHUNK = 200
_OWN_META = "key != 'schema_version'"  # the target's own, made when it was opened


def row_counts(store: Store, db=None) -> dict[str, int]:
    db = db or store.db
    return {table: db.execute(f"SELECT COUNT(*) FROM {table}"
                              + (f" WHERE {_OWN_META}" if table == "meta" else "")).fetchone()[0]
            for table, _ in TABLES}


def copy_store(source: Store, target: Store,
               progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Copy every row of `source` into the empty `target`; returns the rows per table, the
    same on both sides (checked after the commit). `progress(n)` after each chunk."""
    if any(row_counts(target).values()):
        raise StoreError(f"{target.path}: already holds a campaign; copy into an empty one")
    step = progress or (lambda n: None)
    with source.snapshot() as src:
        counts = row_counts(source, src)
        with target.transaction() as dst:
            for table, key in TABLES:
                where = _OWN_META if table == "meta" else None
                if table == "pages":
                    # a page that counts before the second scans naming it
                    chunks = _in_order(src, table, key, "duplicate_of IS NULL")
                    for rows in (chunks, _duplicates(src)):
                        for cols, chunk in rows:
                            _insert(dst, table, cols, chunk)
                            step(len(chunk))
                    continue
                for cols, chunk in _in_order(src, table, key, where):
                    _insert(dst, table, cols, chunk)
                    step(len(chunk))
            target.continue_ids(dst)
    copied = row_counts(target)
    if copied != counts:
        wrong = ", ".join(f"{t}: {counts[t]:,} read, {copied[t]:,} written"
                          for t in counts if copied[t] != counts[t])
        raise StoreError(f"{target.path}: the copy does not hold what was read ({wrong})")
    return counts


Chunk = tuple[list[str], list[tuple]]


def _in_order(db, table: str, key: tuple[str, ...], where: str | None) -> Iterator[Chunk]:
    """The rows of `table` a chunk at a time, in key order (keyset paging)."""
    keys = ", ".join(key)
    after: tuple | None = None
    while True:
        conditions = [where] if where else []
        if after is not None:
            conditions.append(f"({keys}) > ({marks(key)})")
        sql = (f"SELECT * FROM {table}"
               + (" WHERE " + " AND ".join(conditions) if conditions else "")
               + f" ORDER BY {keys} LIMIT {CHUNK}")
        cur = db.execute(sql, after or ())
        cols = [d[0] for d in cur.description]
        rows = [tuple(_plain(v) for v in r) for r in cur.fetchall()]
        if not rows:
            return
        yield cols, rows
        at = [cols.index(k) for k in key]
        after = tuple(rows[-1][i] for i in at)


def _duplicates(db) -> Iterator[Chunk]:
    """Second scans, each after the page it names (which may itself be a second scan)."""
    links = dict(db.execute("SELECT page_id, duplicate_of FROM pages "
                            "WHERE duplicate_of IS NOT NULL ORDER BY page_id").fetchall())
    order: list[int] = []
    while links:
        ready = [p for p, of in links.items() if of not in links]
        if not ready:
            raise StoreError("pages name each other as second scans in a circle")
        for p in ready:
            order.append(p)
            del links[p]
    for i in range(0, len(order), CHUNK):
        ids = order[i:i + CHUNK]
        cur = db.execute(f"SELECT * FROM pages WHERE page_id IN ({marks(ids)})", ids)
        cols = [d[0] for d in cur.description]
        by_id = {r[cols.index("page_id")]: tuple(_plain(v) for v in r) for r in cur.fetchall()}
        yield cols, [by_id[p] for p in ids]


def _insert(db, table: str, cols: list[str], rows: list[tuple]) -> None:
    db.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks(cols)})", rows)


def _plain(value):
    """A value as both backends take it (PostgreSQL hands binary data back as a view)."""
    return bytes(value) if isinstance(value, memoryview) else value
