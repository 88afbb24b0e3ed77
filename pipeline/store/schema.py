"""The store's tables, and how a store made by an older phieu is brought up to date.

Each migration is a list of statements, applied once, in order, in one
transaction with the new version number: a campaign made by any earlier
release opens, is upgraded, and loses nothing. The statements keep to what
SQLite and PostgreSQL share; the few words PostgreSQL spells differently
(row ids, binary data, floating point) are translated by `statements`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from phieu.omr.vocabulary import from_text

from .encoding import reasons_data

# version 1: the tables of the first release
_V1 = """
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

# version 2: the review queue and the report select by status; a province's campaign has
# hundreds of thousands of pages
_V2 = """
CREATE INDEX IF NOT EXISTS sheets_by_status ON sheets(status);
CREATE INDEX IF NOT EXISTS pages_by_status ON pages(status, sheet_id);
"""

# version 3: the audit (phúc tra): sheets read with certainty, drawn to be checked by a person
_V3 = """
CREATE TABLE IF NOT EXISTS audits (
    sheet_id TEXT PRIMARY KEY REFERENCES sheets(sheet_id),
    share    REAL NOT NULL,                -- the share of the unit's sheets it was drawn at
    drawn_at TEXT NOT NULL
);
"""

# version 4: reasons as data beside their text: JSON [[code, about], …] (the text stays, it is
# what the export writes); filled in from the text for the rows already there
_V4 = """
ALTER TABLE pages ADD COLUMN reasons TEXT NOT NULL DEFAULT '[]';
ALTER TABLE sheets ADD COLUMN reasons TEXT NOT NULL DEFAULT '[]';
"""


def _reasons_from_text(db) -> None:
    for table, key in (("pages", "page_id"), ("sheets", "sheet_id")):
        rows = db.execute(f"SELECT {key}, flags FROM {table} WHERE flags != ''").fetchall()
        db.executemany(f"UPDATE {table} SET reasons = ? WHERE {key} = ?",
                       [(reasons_data(from_text(flags)), k) for k, flags in rows])


# version 5: the campaign's own files (frozen layout, template, plan) inside the store, so a
# station that joins a campaign on a server gets them from there
_V5 = """
CREATE TABLE IF NOT EXISTS campaign_files (
    name       TEXT PRIMARY KEY,
    content    BLOB NOT NULL,
    updated_at TEXT NOT NULL
);
"""

# version 6: one page counts for each page of a sheet, whatever the timing: two stations
# scanning the same sheet at once cannot both store it as the page that counts
_V6 = """
CREATE UNIQUE INDEX IF NOT EXISTS one_counted_page ON pages(sheet_id, form_page)
    WHERE sheet_id IS NOT NULL AND duplicate_of IS NULL;
"""

# version 7: answers that came from elsewhere than paper (a web form's export, Zalo, post):
# one row per respondent, identified by its content, so an export imported again, or a
# longer export of the same form, adds only the rows not seen yet
_V7 = """
CREATE TABLE IF NOT EXISTS import_files (
    sha256      TEXT PRIMARY KEY,
    path        TEXT NOT NULL,             -- as the user gave it, the first time
    channel     TEXT NOT NULL,
    rows        INTEGER NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS responses (
    response_id TEXT PRIMARY KEY,          -- <channel>-<digest of the row's cells>
    channel     TEXT NOT NULL,             -- online | zalo | post | …
    source      TEXT NOT NULL,             -- the file it first came in
    row_no      INTEGER NOT NULL,          -- its row there, the header being row 1
    unit_code   TEXT,                      -- NULL when no unit of the layout was named
    status      TEXT NOT NULL,             -- ok | flagged
    flags       TEXT NOT NULL DEFAULT '',
    reasons     TEXT NOT NULL DEFAULT '[]',
    answers     TEXT NOT NULL,             -- JSON {question: value}, as the export writes
    imported_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS responses_by_status ON responses(status, unit_code);
"""

# version 8: an imported row's cells as its file had them (header -> cell): what the review
# page shows of a flagged row in place of a picture
_V8 = """
ALTER TABLE responses ADD COLUMN cells TEXT NOT NULL DEFAULT '{}';
"""

# version 9: a respondent on paper is a paper, not a printed serial. The papers that carry one
# printed sheet id (a photocopied or twice-printed form filled by several people) are its
# copies, each a row of `sheets` under a key of its own (the sheet id for the first, see
# store.papers.paper_key); every page keeps the printed sheet it names, counted or not, and
# whether it holds no mark at all (a blank form: accounted for, never a respondent); a print
# run says whether its sheets carry the campaign's code; an imported row keeps the key of
# what it says (its answers and unit, whatever the file's spelling: see row_identity),
# given to the rows of earlier releases when their channel next imports
_V9 = """
ALTER TABLE sheets ADD COLUMN printed_id TEXT;
ALTER TABLE sheets ADD COLUMN copy_no INTEGER NOT NULL DEFAULT 1;
UPDATE sheets SET printed_id = sheet_id;
CREATE INDEX IF NOT EXISTS sheets_by_printed ON sheets(printed_id, copy_no);
ALTER TABLE pages ADD COLUMN printed_id TEXT;
ALTER TABLE pages ADD COLUMN unmarked INTEGER NOT NULL DEFAULT 0;
UPDATE pages SET printed_id = sheet_id WHERE sheet_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS pages_by_printed ON pages(printed_id, form_page);
ALTER TABLE print_runs ADD COLUMN coded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE responses ADD COLUMN row_key TEXT;
CREATE INDEX IF NOT EXISTS responses_by_key ON responses(channel, row_key);
"""


def _printed_of_second_scans(db) -> None:
    """A second scan kept the sheet it names in its reason only; that is its printed id."""
    named = ("duplicate", "duplicate-replaced")
    rows = db.execute("SELECT page_id, reasons FROM pages WHERE printed_id IS NULL "
                      "AND duplicate_of IS NOT NULL").fetchall()
    for page_id, reasons in rows:
        about = next((a for code, a in _raw_reasons(reasons) if code in named), None)
        if about:
            db.execute("UPDATE pages SET printed_id = ? WHERE page_id = ? AND EXISTS "
                       "(SELECT 1 FROM printed_sheets WHERE sheet_id = ?)",
                       (about, page_id, about))


def _raw_reasons(data: str | None) -> list[tuple[str, str]]:
    """Reasons as stored (code, about), without the vocabulary's codes: a migration reads
    what an older release wrote."""
    return [(code, about) for code, about in json.loads(data or "[]")]


# version 10: what people wrote, typed once: one row per paper and comment box, for every box
# a person has read (an ok sheet's too, from the transcription queue); filled in from the
# texts typed on flagged sheets before
_V10 = """
CREATE TABLE IF NOT EXISTS comments (
    sheet_id TEXT NOT NULL,            -- the paper (its key: the sheet id, and .k for a copy)
    box_id   TEXT NOT NULL,
    state    TEXT NOT NULL,            -- typed | none (only strokes) | unreadable
    text     TEXT NOT NULL DEFAULT '',
    themes   TEXT NOT NULL DEFAULT '', -- the improvement options it speaks of, | between
    reviewer TEXT NOT NULL,
    typed_at TEXT NOT NULL,
    PRIMARY KEY (sheet_id, box_id)
);
"""


def _comments_from_decisions(db) -> None:
    """The texts typed on flagged sheets (decisions still standing, the latest winning)."""
    rows = db.execute("SELECT item, question, value, reviewer, decided_at FROM decisions "
                      "WHERE action = 'text' AND undone_at IS NULL AND item LIKE 's:%' "
                      "ORDER BY decision_id").fetchall()
    latest = {(item[2:], box): (value or "", who, at) for item, box, value, who, at in rows}
    db.executemany("INSERT INTO comments (sheet_id, box_id, state, text, reviewer, typed_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   [(sid, box, "typed" if text.strip() else "none", text.strip(), who, at)
                    for (sid, box), (text, who, at) in latest.items()])


# version 11: the item a decision or a claim is about in typed columns (its kind and key),
# not one text to cut apart; a page named or kept, logged on the paper it joined, says so in
# a column of its own (it was the decision's question, as "p:<page_id>")
_V11 = """
ALTER TABLE decisions ADD COLUMN item_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE decisions ADD COLUMN item_key TEXT NOT NULL DEFAULT '';
ALTER TABLE decisions ADD COLUMN from_page INTEGER;
UPDATE decisions SET item_kind = substr(item, 1, 1), item_key = substr(item, 3);
UPDATE decisions SET from_page = CAST(substr(question, 3) AS INTEGER), question = NULL
    WHERE action IN ('identity', 'keep') AND question LIKE 'p:%';
DROP INDEX IF EXISTS decisions_by_item;
ALTER TABLE decisions DROP COLUMN item;
CREATE INDEX IF NOT EXISTS decisions_by_item ON decisions(item_kind, item_key);
DROP TABLE claims;
CREATE TABLE IF NOT EXISTS claims (
    item_kind TEXT NOT NULL,
    item_key  TEXT NOT NULL,
    session   TEXT NOT NULL,
    reviewer  TEXT NOT NULL,
    until     REAL NOT NULL,
    PRIMARY KEY (item_kind, item_key)
);
"""


# version 12: photos taken on the office's phones (`phieu capture`), each kept under the
# campaign's folder whatever became of it: read into the campaign as a scan file, a photo
# of a paper already read, or refused by the photo gate and taken again (the retake
# supersedes it) or kept for a person when it could not be taken better
_V12 = """
CREATE TABLE IF NOT EXISTS captures (
    capture_id    INTEGER PRIMARY KEY,
    sha256        TEXT NOT NULL UNIQUE,
    phone         TEXT NOT NULL,
    path          TEXT NOT NULL,
    verdict       TEXT NOT NULL,       -- read | known | review | blank | retake | foreign
    problems      TEXT NOT NULL DEFAULT '',  -- what the gate found, | between
    sheet_id      TEXT,                -- the printed sheet it shows, when read
    file_id       INTEGER REFERENCES scan_files(file_id),  -- when read into the campaign
    superseded_by INTEGER,             -- the capture that took its place (a later one)
    taken_at      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS captures_by_phone ON captures(phone, verdict);
"""

META = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
# MIGRATIONS[k] brings version k to k + 1: statements, then what only code can do
Step = tuple[str, Callable | None]
MIGRATIONS: tuple[Step, ...] = ((_V1, None), (_V2, None), (_V3, None),
                                (_V4, _reasons_from_text), (_V5, None), (_V6, None),
                                (_V7, None), (_V8, None), (_V9, _printed_of_second_scans),
                                (_V10, _comments_from_decisions), (_V11, None),
                                (_V12, None))
VERSION = len(MIGRATIONS)


# what PostgreSQL spells differently: row ids, binary data, floating point
_POSTGRESQL = ((re.compile(r"\bINTEGER PRIMARY KEY\b"),
                "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
               (re.compile(r"\bBLOB\b"), "BYTEA"),
               (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"))


def statements(script: str, dialect: str = "sqlite") -> list[str]:
    """A migration's statements, one by one (comments dropped), for `dialect` (sqlite or
    postgresql)."""
    lines = [line.split("--")[0] for line in script.splitlines()]
    out = [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
    if dialect == "postgresql":
        for pattern, spelling in _POSTGRESQL:
            out = [pattern.sub(spelling, s) for s in out]
    return out


def _identities() -> tuple[tuple[str, str], ...]:
    """(table, column) of every row id the migrations make (INTEGER PRIMARY KEY): the ids
    a PostgreSQL store hands out from a sequence."""
    out = []
    for script, _ in MIGRATIONS:
        for statement in statements(script):
            table = re.match(r"CREATE TABLE IF NOT EXISTS (\w+)", statement)
            if table:
                out += [(table[1], column) for column in
                        re.findall(r"(\w+)\s+INTEGER PRIMARY KEY", statement)]
    return tuple(out)


IDENTITIES = _identities()
