"""The campaign store: one SQLite file per campaign, in WAL mode.

It remembers every sheet ever printed (so a serial is never handed out
twice, across print runs too) and, later, every page scanned. Each
change is one transaction: a crash leaves the store as it was before
the change or after it, never between.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS print_runs (
    run        INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    out_dir    TEXT NOT NULL,
    sheets     INTEGER NOT NULL,
    pages      INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS printed_sheets (
    sheet_id  TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL,
    serial    INTEGER NOT NULL UNIQUE,
    run       INTEGER NOT NULL REFERENCES print_runs(run)
);
CREATE INDEX IF NOT EXISTS printed_by_unit ON printed_sheets(unit_code);

-- every input file ever given, once per content (the same file twice is read once)
CREATE TABLE IF NOT EXISTS scan_files (
    file_id  INTEGER PRIMARY KEY,
    sha256   TEXT NOT NULL UNIQUE,
    path     TEXT NOT NULL,            -- as the user gave it, the first time
    pages    INTEGER,                  -- NULL when the file could not be opened
    error    TEXT,                     -- why not
    added_at TEXT NOT NULL
);
-- every page of every file, committed as soon as it is read
CREATE TABLE IF NOT EXISTS pages (
    page_id      INTEGER PRIMARY KEY,
    file_id      INTEGER NOT NULL REFERENCES scan_files(file_id),
    page_no      INTEGER NOT NULL,     -- from 1, within its file
    kind         TEXT NOT NULL,        -- form | blank | foreign | error
    sheet_id     TEXT,                 -- identity read from the page, if any
    form_page    INTEGER,
    id_source    TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,        -- ok | flagged | skipped (blank back)
    flags        TEXT NOT NULL DEFAULT '',
    answers      TEXT,                 -- JSON {question: value}
    readings     TEXT,                 -- JSON {question: [doubt, likely value]}
    measures     BLOB,                 -- float16 fill then strong, per bubble of the page
    homography   TEXT,                 -- JSON 3x3, template points -> pixels of the scan
    rotation     INTEGER,
    image        BLOB,                 -- the page straightened (JPEG) when a person may look
    duplicate_of INTEGER REFERENCES pages(page_id),
    read_at      TEXT NOT NULL,
    UNIQUE (file_id, page_no)
);
CREATE INDEX IF NOT EXISTS pages_by_sheet ON pages(sheet_id, form_page);
-- what was written in the free-text boxes, kept as a picture for a person to read
CREATE TABLE IF NOT EXISTS text_crops (
    page_id INTEGER NOT NULL REFERENCES pages(page_id),
    box_id  TEXT NOT NULL,
    image   BLOB NOT NULL,             -- PNG
    ink     REAL NOT NULL,
    text    TEXT,                      -- typed in by a person on the review page
    PRIMARY KEY (page_id, box_id)
);
-- every decision a person made on the review page, with what it replaced (never deleted)
CREATE TABLE IF NOT EXISTS decisions (
    decision_id INTEGER PRIMARY KEY,
    item        TEXT NOT NULL,         -- s:<sheet_id> or p:<page_id>
    action      TEXT NOT NULL,         -- answer | text | identity | keep | accept | reject
    question    TEXT,                  -- the question or text box decided
    value       TEXT,                  -- what the person decided
    machine     TEXT,                  -- what the machine had read
    before      TEXT,                  -- JSON: the rows this decision changed, for undo
    reviewer    TEXT NOT NULL,
    decided_at  TEXT NOT NULL,
    undone_at   TEXT
);
CREATE INDEX IF NOT EXISTS decisions_by_item ON decisions(item);
-- who is looking at which item, so two reviewers never get the same one
CREATE TABLE IF NOT EXISTS claims (
    item     TEXT PRIMARY KEY,
    session  TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    until    REAL NOT NULL
);
-- one row per identified sheet: its state, derived from its pages and decisions
CREATE TABLE IF NOT EXISTS sheets (
    sheet_id   TEXT PRIMARY KEY,
    status     TEXT NOT NULL,          -- ok | flagged | reviewed | rejected
    flags      TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class PrintedSheet:
    sheet_id: str
    unit_code: str
    serial: int
    run: int


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        # autocommit mode: transactions are opened explicitly in `transaction()`
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        with self.transaction():
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self.db.execute(statement)
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)",
                            (str(SCHEMA_VERSION),))

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE: one writer at a time, others wait instead of failing."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- meta --------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, **values: str) -> None:
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())

    # -- printing ----------------------------------------------------------
    def allocate_serials(self, counts: list[tuple[str, int]], out_dir: str,
                         pages_per_sheet: int, make_id) -> tuple[int, list[PrintedSheet]]:
        """Reserve the next serials for a print run, unit by unit, and record them.

        Serials count up across the whole campaign, so no two sheets ever
        share one; a run that fails after this keeps its serials unused.
        """
        total = sum(n for _, n in counts)
        with self.transaction() as db:
            last = db.execute("SELECT COALESCE(MAX(serial), 0) FROM printed_sheets").fetchone()[0]
            run = db.execute(
                "INSERT INTO print_runs (created_at, out_dir, sheets, pages) VALUES (?, ?, ?, ?)",
                (now(), out_dir, total, total * pages_per_sheet),
            ).lastrowid
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

