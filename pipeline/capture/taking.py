"""One photo from a phone, from its bytes to the verdict the clerk holding it reads.

The photo is kept under the campaign's folder whatever becomes of it, named by its
content, before anything is stored about it: a photo sent twice (the phone retrying
after a lost answer) is found by its content and answered as before. A photo that
stands is a scan file of the campaign, read and stored like any scanned page; one the
gate refuses is stored as a capture only, until it is taken again or kept for a person.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import time
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from phieu.forms import Layout
from phieu.forms.identity import unit_of
from phieu.forms.template import Template
from phieu.omr import judge_photo, read_page
from phieu.omr.vocabulary import SEP, Code, Kind, Quality, Reason, Status, Verdict

from ..scan.inputs import MAX_PAGE_PIXELS, PageError, check_size
from ..scan.papers import place
from ..scan.reading import PageOutcome, keep_reading
from ..scan.recorded import Recorded, arrival, record_page
from ..store import Db, Store
from ..store.captures import (
    Capture,
    add_capture,
    capture_by_digest,
    capture_by_id,
    keep_capture,
    record,
)
from ..store.pages import add_file, page_status

PHONE_RE = re.compile(r"[A-Za-z0-9_-]{6,40}")  # a phone's id: a folder name too
FOLDER = "captures"


class PhotoError(Exception):
    """A photo that cannot be taken in: the message says why, plainly (Vietnamese);
    `status`: the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Taking:
    """What taking a photo needs of the campaign."""
    campaign_dir: Path
    template: Template
    layout: Layout
    code: str  # the campaign's code, printed on its forms


@dataclass(frozen=True)
class Taken:
    """The verdict on one photo, as the phone shows it."""
    capture_id: int
    verdict: Verdict
    problems: tuple[Quality, ...] = ()
    sheet_id: str | None = None
    unit: str = ""
    answered: int = 0  # questions answered on the page
    doubts: tuple[str, ...] = ()  # the questions (as printed) a person will look at
    form_page: int | None = None  # the page of the form photographed, and how many it has
    form_pages: int = 1
    again: bool = False  # the same photo sent before: nothing was done this time
    seconds: float = 0.0


def _decode(data: bytes) -> np.ndarray:
    """The photo's pixels; one claiming more than a page may have is refused before they
    are decoded."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PIL's own warning: the size is checked here
            with Image.open(io.BytesIO(data)) as header:
                check_size(*header.size)
    except (PageError, Image.DecompressionBombError) as e:
        raise PhotoError(f"Ảnh quá lớn: phieu đọc ảnh tới {MAX_PAGE_PIXELS // 10**6} triệu "
                         "điểm ảnh; chụp lại bằng camera của điện thoại.") from e
    except (OSError, ValueError):
        pass  # not a picture PIL knows: OpenCV says so below
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise PhotoError("Tệp gửi lên không phải ảnh chụp (JPEG hoặc PNG); chụp lại.")
    return image


def _keep_file(taking: Taking, phone: str, digest: str, data: bytes) -> Path:
    """The photo under the campaign's folder, written whole or not at all."""
    folder = taking.campaign_dir / FOLDER / phone
    folder.mkdir(parents=True, exist_ok=True)
    for kept in folder.glob(f"*-{digest[:12]}.jpg"):  # kept before a crash left it unstored
        if kept.read_bytes() == data:
            return kept
    path = folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{digest[:12]}.jpg"
    part = path.with_suffix(".part")
    try:
        part.write_bytes(data)
        os.replace(part, path)
    except OSError as e:
        part.unlink(missing_ok=True)
        raise PhotoError(f"Không lưu được ảnh vào thư mục của đợt khảo sát ({e.strerror}); "
                         "ảnh chưa được tính. Báo người quản lý máy tính.", 503) from e
    return path


def take(taking: Taking, store: Store, phone: str, data: bytes) -> Taken:
    """Judge a phone's photo, read it when it stands, and say what became of it."""
    started = time.perf_counter()
    if not PHONE_RE.fullmatch(phone):
        raise PhotoError("Mã máy chụp không hợp lệ; tải lại trang.")
    digest = hashlib.sha256(data).hexdigest()
    known = capture_by_digest(store.db, digest)
    if known is not None:
        return _again(taking, known)
    image = _decode(data)
    result = read_page(image, taking.template)
    judged = judge_photo(image, result, taking.template)
    sheet = result.identity.sheet_id if result.identity is not None else None
    path = _keep_file(taking, phone, digest, data)
    if judged.problems or judged.foreign:
        verdict = Verdict.RETAKE if judged.problems else Verdict.FOREIGN
        cid = record(store, lambda db: _existing_or(db, digest) or add_capture(
            db, digest, phone, str(path), verdict, judged.problems, sheet, None))
        return Taken(cid, verdict, tuple(judged.problems), sheet,
                     seconds=time.perf_counter() - started)
    taken = _read_in(taking, store, phone, digest, path, image, result)
    return replace(taken, seconds=time.perf_counter() - started)


def keep(taking: Taking, store: Store, capture_id: int) -> Taken:
    """Read a refused photo after all (it could not be taken better), for a person to
    look at what the reader doubts."""
    c = capture_by_id(store.db, capture_id)
    if c is None:
        raise PhotoError("Không có ảnh này trong đợt khảo sát.")
    if c.verdict not in (Verdict.RETAKE, Verdict.FOREIGN) or c.file_id is not None \
            or c.superseded_by is not None:  # read, or taken again since: nothing to add
        return _again(taking, c)
    path = Path(c.path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise PhotoError(f"Không mở được ảnh đã lưu ({path}: {e.strerror}).") from e
    image = _decode(data)
    result = read_page(image, taking.template)
    if c.problems:  # the gate does not trust what it shows: a person looks at all of it
        result.doubts.append(Reason(Code.POOR_PHOTO, SEP.join(p.value for p in c.problems)))
    return _read_in(taking, store, c.phone, hashlib.sha256(data).hexdigest(), path, image,
                    result, kept=c)


def _existing_or(db: Db, digest: str) -> int | None:
    """The capture already stored with this content (sent by two requests at once)."""
    c = capture_by_digest(db, digest)
    return c.capture_id if c else None


def _outcome(image: np.ndarray, result, template: Template) -> PageOutcome:
    out = PageOutcome(0, 1, Kind.ERROR)
    keep_reading(out, image, result, template)
    return out


def _read_in(taking: Taking, store: Store, phone: str, digest: str, path: Path,
             image: np.ndarray, result, kept: Capture | None = None) -> Taken:
    """The photo as a scan file of the campaign: read, stored, and its verdict."""
    o = _outcome(image, result, taking.template)
    pages = taking.template.pages
    if kept is None and _photo_of_a_paper_read(store, o, pages):
        cid = record(store, lambda db: _existing_or(db, digest) or add_capture(
            db, digest, phone, str(path), Verdict.KNOWN, [], o.sheet_id, None))
        return _taken(taking, cid, Verdict.KNOWN, o, [])
    file_id = add_file(store, digest, str(path), 1, None)
    done = record_page(store, file_id, o, pages, taking.code)
    verdict = _verdict(o, done)
    if kept is not None:
        record(store, lambda db: keep_capture(db, kept.capture_id, verdict, o.sheet_id,
                                              file_id))
        cid = kept.capture_id
    else:
        cid = record(store, lambda db: _existing_or(db, digest) or add_capture(
            db, digest, phone, str(path), verdict, [], o.sheet_id, file_id))
    return _taken(taking, cid, verdict, o, done.reasons)


def _photo_of_a_paper_read(store: Store, o: PageOutcome, form_pages: int) -> bool:
    """A photo of a paper whose page is already read with certainty: it adds nothing.
    (When that page waits for a person, the photo is stored as its second scan, and the
    review page asks which to keep.)"""
    if o.kind != Kind.FORM or not o.sheet_id or not o.form_page or o.unmarked:
        return False
    with store.snapshot() as db:
        placed = place(db, arrival(o, -1), form_pages)
        return placed.second_scan_of is not None and page_status(
            db, placed.second_scan_of) == Status.OK


def _verdict(o: PageOutcome, done: Recorded) -> Verdict:
    codes = {r.code for r in done.reasons}
    if done.blank_form:
        return Verdict.BLANK
    if Code.DUPLICATE in codes:
        return Verdict.KNOWN
    if o.kind != Kind.FORM or codes & {Code.OTHER_CAMPAIGN, Code.UNKNOWN_SHEET,
                                       Code.OTHER_SURVEY}:
        return Verdict.FOREIGN
    return Verdict.READ if done.status == Status.OK else Verdict.REVIEW


def _taken(taking: Taking, cid: int, verdict: Verdict, o: PageOutcome,
           reasons: list[Reason]) -> Taken:
    numbers = taking.layout.part_numbers
    doubts = tuple(dict.fromkeys(numbers.get(r.question, r.question) for r in reasons
                                 if r.question))
    return Taken(cid, verdict, (), o.sheet_id, _unit_name(taking, o.unit_code),
                 sum(1 for v in o.answers.values() if v), doubts, o.form_page,
                 taking.template.pages)


def _unit_name(taking: Taking, code: str | None) -> str:
    return next((u.name for u in taking.layout.units if u.code == code), code or "")


def _again(taking: Taking, c: Capture) -> Taken:
    """A photo already taken in: its verdict as it stands."""
    return Taken(c.capture_id, c.verdict, c.problems, c.sheet_id,
                 _unit_name(taking, unit_of(c.sheet_id) if c.sheet_id else None),
                 again=True)
