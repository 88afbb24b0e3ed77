"""Photos taken on the office's phones: what became of each, and the counts a phone and
the campaign show."""

from __future__ import annotations

from dataclasses import dataclass

from phieu.omr.vocabulary import Quality, Verdict

from . import Db, Store, marks, now, retried

# a capture a person still has to act on: refused and neither taken again nor kept
_PENDING = "verdict = 'retake' AND superseded_by IS NULL"
_READ = "('read', 'known', 'review', 'blank')"


@dataclass(frozen=True)
class Capture:
    capture_id: int
    phone: str
    path: str
    verdict: Verdict
    problems: tuple[Quality, ...]
    sheet_id: str | None
    file_id: int | None
    superseded_by: int | None = None


@dataclass(frozen=True)
class CaptureCounts:
    """Photos taken, read (into the campaign or found already read), and refused still
    waiting to be taken again."""
    taken: int
    read: int
    retake: int


def _capture(row) -> Capture:
    cid, phone, path, verdict, problems, sheet_id, file_id, superseded_by = row
    return Capture(cid, phone, path, Verdict(verdict),
                   tuple(Quality(p) for p in problems.split("|") if p), sheet_id, file_id,
                   superseded_by)


_COLUMNS = "capture_id, phone, path, verdict, problems, sheet_id, file_id, superseded_by"


def capture_by_digest(db: Db, sha256: str) -> Capture | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM captures WHERE sha256 = ?",
                     (sha256,)).fetchone()
    return _capture(row) if row else None


def capture_by_id(db: Db, capture_id: int) -> Capture | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM captures WHERE capture_id = ?",
                     (capture_id,)).fetchone()
    return _capture(row) if row else None


def add_capture(db: Db, sha256: str, phone: str, path: str, verdict: Verdict,
                problems: list[Quality], sheet_id: str | None, file_id: int | None) -> int:
    """A photo and its verdict; a photo that stands takes the place of the photos of that
    sheet (or of no sheet known) this phone was asked to take again."""
    capture_id = db.execute(
        "INSERT INTO captures (sha256, phone, path, verdict, problems, sheet_id, file_id, "
        "taken_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING capture_id",
        (sha256, phone, path, verdict.value, "|".join(p.value for p in problems), sheet_id,
         file_id, now())).fetchone()[0]
    if verdict != Verdict.RETAKE:
        supersede(db, capture_id, phone, sheet_id)
    elif sheet_id is not None:  # refused again: one photo of that sheet still to take
        supersede(db, capture_id, phone, sheet_id, unknown=False)
    return capture_id


def supersede(db: Db, capture_id: int, phone: str, sheet_id: str | None,
              unknown: bool = True) -> None:
    """The phone's refused photos of this sheet (`unknown`: and those that show no sheet
    the gate could name, taken just before) are taken again by this one."""
    db.execute(f"UPDATE captures SET superseded_by = ? WHERE phone = ? AND {_PENDING} "
               "AND capture_id < ? AND (sheet_id = ?"
               + (" OR sheet_id IS NULL)" if unknown else ")"),
               (capture_id, phone, capture_id, sheet_id))


def keep_capture(db: Db, capture_id: int, verdict: Verdict, sheet_id: str | None,
                 file_id: int) -> None:
    """A refused photo read after all, because it could not be taken better: it takes the
    place of its own refusal."""
    db.execute("UPDATE captures SET verdict = ?, sheet_id = ?, file_id = ? WHERE "
               "capture_id = ?", (verdict.value, sheet_id, file_id, capture_id))


def capture_counts(store: Store, phone: str | None = None) -> CaptureCounts:
    """One phone's photos, or every phone's."""
    where, args = ("WHERE phone = ?", (phone,)) if phone else ("", ())
    row = store.db.execute(
        f"SELECT COUNT(*), SUM(CASE WHEN verdict IN {_READ} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {_PENDING} THEN 1 ELSE 0 END) FROM captures {where}", args
    ).fetchone()
    return CaptureCounts(int(row[0]), int(row[1] or 0), int(row[2] or 0))


def pending_retakes(store: Store, phone: str) -> list[Capture]:
    """A phone's refused photos not taken again yet, oldest first."""
    rows = store.db.execute(f"SELECT {_COLUMNS} FROM captures WHERE phone = ? AND "
                            f"{_PENDING} ORDER BY capture_id", (phone,)).fetchall()
    return [_capture(r) for r in rows]


def captured_sheets(store: Store, statuses: tuple[str, ...]) -> int:
    """Papers of these statuses with a page that came from a phone's photo."""
    return store.db.execute(
        "SELECT COUNT(DISTINCT p.sheet_id) FROM pages p JOIN captures c ON c.file_id = "
        "p.file_id JOIN sheets s ON s.sheet_id = p.sheet_id WHERE p.duplicate_of IS NULL "
        f"AND s.status IN ({marks(statuses)})", statuses).fetchone()[0]


def record(store: Store, work):
    """`work(db)` in one transaction, tried again when another station got in first."""
    def once():
        with store.transaction() as db:
            return work(db)
    return retried(once)
