"""The same store on PostgreSQL: one campaign shared by several scanning stations.

The store's functions are written once, with `?` placeholders and SQL both
servers understand; `Connection` turns a call into psycopg's spelling
(`%s`), so every function in this package runs unchanged on either backend.
A password never comes from phieu: libpq finds it (PGPASSWORD, ~/.pgpass,
a service file).

One database holds several campaigns, each in its own schema named for the
campaign; a station's connection works in that schema only (its search path).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import psycopg
from psycopg import sql

from . import Conflict, Store, StoreError
from .schema import IDENTITIES


def _spelled(sql: str) -> str:
    """`?` placeholders as psycopg's `%s`; a literal % doubled."""
    return sql.replace("%", "%%").replace("?", "%s")


class Connection:
    """The part of Db the store uses, over a psycopg connection."""

    def __init__(self, conn: psycopg.Connection, where: str) -> None:
        self.conn = conn
        self.where = where

    def execute(self, sql: str, params: Sequence = ()) -> psycopg.Cursor:
        with self._reachable():
            if not params:
                return self.conn.execute(sql)  # no parameters: psycopg leaves % alone
            return self.conn.execute(_spelled(sql), tuple(params))

    def executemany(self, sql: str, rows: Iterable[Sequence]) -> None:
        with self._reachable(), self.conn.cursor() as cur:
            cur.executemany(_spelled(sql), [tuple(r) for r in rows])

    @contextmanager
    def _reachable(self) -> Iterator[None]:
        try:
            yield
        except psycopg.OperationalError as e:
            raise StoreError(f"{self.where}: the connection to the server was lost; what was "
                             "stored before is kept, run the same command again to go on") from e

    def close(self) -> None:
        self.conn.close()


class PostgresStore(Store):
    """A campaign's store in a PostgreSQL database, in the schema named `campaign` (none:
    the database's default schema); `create` makes that schema when it is not there."""

    dialect = "postgresql"

    def __init__(self, url: str, campaign: str | None = None, create: bool = False) -> None:
        self.path = url
        self.campaign = campaign
        shown = _without_password(url)
        self.db = Connection(connect(url), shown)
        if campaign is not None:
            exists = self.db.execute("SELECT 1 FROM pg_namespace WHERE nspname = ?",
                                     (campaign,)).fetchone()
            if not exists and not create:
                held = campaigns_in(self.db)
                self.close()
                raise StoreError(f"{shown}: no campaign named {campaign!r} there"
                                 + (f" (it holds: {', '.join(held)})" if held else ""))
            name = sql.Identifier(campaign)
            if not exists:
                self.db.conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(name))
            self.db.conn.execute(sql.SQL("SET search_path TO {}").format(name))
        self.migrate()

    def reopen(self) -> PostgresStore:
        return PostgresStore(self.path, self.campaign)

    _SNAPSHOT = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"

    def continue_ids(self, db: Connection) -> None:
        for table, column in IDENTITIES:
            db.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                       f"(SELECT COALESCE(MAX({column}), 0) + 1 FROM {table}), false)")

    def _one_printer(self, db: Connection) -> None:
        # two stations printing at once: the second waits, then counts on from the first
        db.execute("LOCK TABLE printed_sheets IN SHARE ROW EXCLUSIVE MODE")

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction; the statements that need one writer at a time lock for it."""
        self.db.execute("BEGIN")
        try:
            yield self.db
        except psycopg.errors.UniqueViolation as e:
            self.db.execute("ROLLBACK")
            raise Conflict(str(e).splitlines()[0]) from e
        except StoreError:
            with contextlib.suppress(StoreError, psycopg.Error):
                self.db.execute("ROLLBACK")
            raise
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")


def connect(url: str) -> psycopg.Connection:
    """A connection in autocommit mode (the store opens its transactions itself)."""
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=15)
    except psycopg.OperationalError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise StoreError(f"{_without_password(url)}: cannot connect: {first}") from e


def campaigns_in(db: Connection) -> list[str]:
    """The campaigns a database holds: the schemas whose store names a layout."""
    schemas = [r[0] for r in db.execute(
        "SELECT table_schema FROM information_schema.tables WHERE table_name = 'meta' "
        "ORDER BY table_schema")]
    held = []
    for schema in schemas:
        query = sql.SQL("SELECT 1 FROM {}.meta WHERE key = 'layout_id'").format(
            sql.Identifier(schema))
        if db.conn.execute(query).fetchone():
            held.append(schema)
    return held


def list_campaigns(url: str) -> list[str]:
    """The campaigns kept in the database at `url`."""
    conn = Connection(connect(url), _without_password(url))
    try:
        return campaigns_in(conn)
    finally:
        conn.close()


def _without_password(url: str) -> str:
    """An address as it may be shown: any password in it replaced."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    if "password" in info:
        info["password"] = "***"
    return psycopg.conninfo.make_conninfo(**info)
