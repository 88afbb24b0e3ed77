"""The campaign store: one SQLite file per campaign, in WAL mode.

It remembers every sheet ever printed (so a serial is never handed out
twice, across print runs too) and, later, every page scanned. Each
change is one transaction: a crash leaves the store as it was before
the change or after it, never between.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from .schema import META, MIGRATIONS, VERSION, statements


class Rows(Protocol):
    """What a query gives back: its rows one by one, or the first, or all."""

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Db(Protocol):
    """What the store's functions ask of a connection: SQLite's own, or the one over a
    PostgreSQL server (`postgres.Connection`), which speaks the same `?` placeholders."""

    def execute(self, sql: str, params: Sequence[Any] = ...) -> Rows: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Any: ...

_SET_META = ("INSERT INTO meta (key, value) VALUES (?, ?) "
             "ON CONFLICT (key) DO UPDATE SET value = excluded.value")


class StoreError(Exception):
    """A store this phieu cannot use; the message says why and what to do."""


class Conflict(StoreError):
    """Another station wrote the same row at the same moment (a unique key decided)."""


def retried(work, tries: int = 5):
    """Run `work()` again when another station won a race for the same row: the next try
    sees what that station committed (a second scan, the same file) and records it so."""
    for attempt in range(tries):
        try:
            return work()
        except Conflict:
            if attempt == tries - 1:
                raise
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class PrintedSheet:
    sheet_id: str
    unit_code: str
    serial: int
    run: int


def open_store(where: str | Path, campaign: str | None = None, create: bool = False) -> Store:
    """The store at a SQLite file, or the campaign named `campaign` at a postgresql://
    address (made there when `create`)."""
    if str(where).startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresStore

        return PostgresStore(str(where), campaign, create)
    return Store(Path(where))


def _cannot_write(e: sqlite3.Error) -> bool:
    """The store is where it cannot be written: a read-only folder, disk or file."""
    text = str(e).lower()
    return "readonly" in text or "read-only" in text or "unable to open database file" in text


def marks(values) -> str:
    """SQL placeholders for an IN list (an empty list matches nothing)."""
    return ",".join("?" * len(values)) or "NULL"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """A campaign's store in one SQLite file (the embedded default)."""

    dialect = "sqlite"
    campaign: str | None = None  # its name on a server holding several
    read_only = False  # opened where it cannot be written (a read-only folder or disk)

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            # autocommit mode: transactions are opened explicitly in `transaction()`; a
            # connection may serve one thread after another (the review page keeps a few)
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None,
                                      check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.migrate()
        except (sqlite3.OperationalError, StoreError) as e:
            cause = e if isinstance(e, sqlite3.OperationalError) else e.__cause__
            if not isinstance(cause, sqlite3.OperationalError) or not _cannot_write(cause):
                if isinstance(e, StoreError):
                    raise
                raise StoreError(self._trouble(e)) from e
            with suppress(sqlite3.Error):
                self.db.close()
            self._open_read_only()

    def _open_read_only(self) -> None:
        """The store of a campaign on a read-only folder or disk: it can be read (export,
        report, the review page), not changed. SQLite cannot keep its shared-memory file
        beside it there, so the file is read as it stands."""
        for uri in (f"file:{self.path}?mode=ro", f"file:{self.path}?immutable=1"):
            try:
                self.db = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None,
                                          check_same_thread=False)
                version = self.version
                break
            except sqlite3.OperationalError:
                continue
        else:
            raise StoreError(f"{self.path}: cannot open the campaign's store, not even to read")
        self.read_only = True
        if version != VERSION:
            raise StoreError(f"{self.path}: made by another phieu (store version {version}, this "
                             f"one reads version {VERSION}) and the folder is read-only: copy "
                             "the campaign folder where it can be written and open it there")

    def _trouble(self, e: sqlite3.Error) -> str:
        """What went wrong with the store, as the user can act on it."""
        text = str(e)
        if "full" in text or "disk I/O" in text:
            return (f"{self.path}: cannot write to the campaign's store ({text}): the disk is "
                    "full or failing; what was stored before is kept: free some space and run "
                    "the same command again to go on")
        if _cannot_write(e):
            return (f"{self.path}: the campaign is read-only here (a read-only folder or "
                    "disk) and this command changes it; export, report and review read it as "
                    "it is; to scan or decide, copy the campaign folder where it can be written")
        return f"{self.path}: {text}"

    def migrate(self, upto: int = VERSION) -> None:
        """Bring the store to schema `upto` (a new store from nothing; an older one from its
        version), each step in the same transaction as its version number."""
        with self.transaction() as db:
            db.execute(META)
            row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            have = int(row[0]) if row else 0
            if have > VERSION:
                raise StoreError(f"{self.path}: made by a newer phieu (store version {have}, "
                                 f"this phieu knows up to {VERSION}); update phieu")
            for version in range(have, upto):
                script, then = MIGRATIONS[version]
                for statement in statements(script, self.dialect):
                    db.execute(statement)
                if then:
                    then(db)
            if upto > have:
                db.execute(_SET_META, ("schema_version", str(upto)))

    def reopen(self) -> Store:
        """Another connection to the same store."""
        return Store(self.path)

    @property
    def version(self) -> int:
        return int(self.get_meta("schema_version") or 0)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def continue_ids(self, db) -> None:
        """After rows were written with their ids: new rows count on from the highest
        (SQLite does by itself)."""

    def _one_printer(self, db) -> None:
        """Serials are handed out by one print run at a time (BEGIN IMMEDIATE already
        makes SQLite's writers wait their turn)."""

    @contextmanager
    def transaction(self) -> Iterator[Db]:
        """BEGIN IMMEDIATE: one writer at a time, others wait instead of failing. A store
        that cannot be written (a full disk, a read-only folder) ends in a StoreError that
        says so; nothing of the transaction is kept."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            raise StoreError(self._trouble(e)) from e
        try:
            yield self.db
        except sqlite3.IntegrityError as e:
            self._rollback()
            if "UNIQUE" in str(e):
                raise Conflict(str(e)) from e
            raise
        except sqlite3.OperationalError as e:
            self._rollback()
            raise StoreError(self._trouble(e)) from e
        except BaseException:
            self._rollback()
            raise
        try:
            self.db.execute("COMMIT")
        except sqlite3.OperationalError as e:
            self._rollback()
            raise StoreError(self._trouble(e)) from e

    def _rollback(self) -> None:
        with suppress(sqlite3.Error):  # a failed COMMIT may have ended it already
            self.db.execute("ROLLBACK")

    @contextmanager
    def snapshot(self) -> Iterator[Db]:
        """Reads that all see the store at one moment, while other stations go on writing."""
        self.db.execute(self._SNAPSHOT)
        try:
            yield self.db
        finally:
            self.db.execute("ROLLBACK")

    _SNAPSHOT = "BEGIN"

    # -- meta --------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, **values: str) -> None:
        with self.transaction() as db:
            db.executemany(_SET_META, values.items())

    def first_meta(self, key: str, value: str) -> str:
        """The value `key` holds, set to `value` when it holds none yet (at two stations at
        once, the first one's stays)."""
        with self.transaction() as db:
            db.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                       "ON CONFLICT (key) DO NOTHING", (key, value))
        return self.get_meta(key) or value

    # -- printing ----------------------------------------------------------
    def allocate_serials(self, counts: list[tuple[str, int]], out_dir: str,
                         pages_per_sheet: int, make_id, coded: bool = True
                         ) -> tuple[int, list[PrintedSheet]]:
        """Reserve the next serials for a print run, unit by unit, and record them (`coded`:
        its sheets carry the campaign's code).

        Serials count up across the whole campaign, so no two sheets ever
        share one; a run that fails after this keeps its serials unused.
        """
        total = sum(n for _, n in counts)
        with self.transaction() as db:
            self._one_printer(db)
            last = db.execute("SELECT COALESCE(MAX(serial), 0) FROM printed_sheets").fetchone()[0]
            run = db.execute(
                "INSERT INTO print_runs (created_at, out_dir, sheets, pages, coded) "
                "VALUES (?, ?, ?, ?, ?) RETURNING run",
                (now(), out_dir, total, total * pages_per_sheet, int(coded)),
            ).fetchone()[0]
            sheets = []
            serial = last
            for unit, n in counts:
                for _ in range(n):
                    serial += 1
                    sheets.append(PrintedSheet(make_id(unit, serial), unit, serial, run))
            db.executemany(
                "INSERT INTO printed_sheets (sheet_id, unit_code, serial, run) VALUES (?, ?, ?, ?)",
                [(s.sheet_id, s.unit_code, s.serial, s.run) for s in sheets],
            )
        return run, sheets

    def printed_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM printed_sheets").fetchone()[0]

    def printed_sheet(self, sheet_id: str) -> PrintedSheet | None:
        row = self.db.execute(
            "SELECT sheet_id, unit_code, serial, run FROM printed_sheets WHERE sheet_id = ?",
            (sheet_id,),
        ).fetchone()
        return PrintedSheet(*row) if row else None

