"""One page, in a worker process: decode it, read it, keep what a person may need.

The outcome is small and picklable: answers, reasons, measures as
float16, and pictures only where a person may look at them (the page of
a flagged sheet, the handwriting in a free-text box).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from phieu.forms.template import Template
from phieu.omr import FORM, PageResult, box_picture, read_page, straighten
from phieu.omr.vocabulary import Code, Kind, Reason

from ..store.encoding import PAGE_PX_PER_PT, TEXT_PX_PER_PT, Measures
from .inputs import KINDS, PageError, PageLoader, ScanFile

REVIEW_JPEG_QUALITY = 70


@dataclass
class PageOutcome:
    file_index: int
    page_no: int  # from 1
    kind: Kind
    sheet_id: str | None = None
    unit_code: str | None = None
    serial: int | None = None
    form_page: int | None = None
    id_source: str = ""
    flags: list[Reason] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)
    readings: dict[str, list[str]] = field(default_factory=dict)  # q -> [doubt, likely]
    measures: Measures | None = None
    homography: np.ndarray | None = None  # template points -> pixels of the page as read
    rotation: int = 0
    image: bytes | None = None
    text_crops: dict[str, tuple[bytes, float]] = field(default_factory=dict)
    unmarked: bool = False  # a form page with no mark at all: a blank form
    strokes_may_vanish: bool = False  # black and white, coarse: a fine tick may be lost
    campaign_code: str = ""  # the campaign the page was printed for, when it says
    seconds: float = 0.0


_worker: dict = {}


def init_worker(template: Template | str, own_process: bool = True) -> None:
    """Per worker process: one thread for OpenCV (the processes are the parallelism); the
    template, or the file it was written to. Reading in the caller's own process, its
    OpenCV is left as it is (`read_page` reads on one thread whatever it is set to)."""
    if own_process:
        cv2.setNumThreads(1)
    _worker["template"] = template if isinstance(template, Template) \
        else Template.read(Path(template))
    _worker["loader"] = PageLoader()


def _jpeg(img: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, REVIEW_JPEG_QUALITY])
    return buf.tobytes() if ok else b""


def picture(loader: PageLoader, path: str, kind: str, page_no: int, homography: np.ndarray,
            template: Template) -> bytes:
    """The straightened page a person reviews, made again from its scan."""
    image, smaller = loader.load_reduced(ScanFile(Path(path), kind), page_no - 1,
                                         PAGE_PX_PER_PT * 72)
    to_reduced = np.diag([1 / smaller, 1 / smaller, 1.0])  # the homography is to the read page
    return _jpeg(straighten(image, to_reduced @ homography, template,
                            PAGE_PX_PER_PT))


def remade_picture(loader: PageLoader, path: str, page_no: int, homography: np.ndarray,
                   template: Template) -> bytes | None:
    """`picture` of a stored page from its scan file; None when the file has moved or no
    longer decodes (the reviewer then sees the reasons without a picture)."""
    kind = KINDS.get(Path(path).suffix.lower(), "image")
    try:
        return picture(loader, path, kind, page_no, homography, template)
    except (PageError, OSError):
        return None


def read_one(task: tuple[int, str, str, int]) -> PageOutcome:
    """Read page `index` (from 0) of a file; never raises: a page that cannot be decoded or
    read comes back as an error outcome saying why, and the batch goes on."""
    file_index, path, kind, index = task
    started = time.perf_counter()
    out = PageOutcome(file_index, index + 1, Kind.ERROR)
    try:
        image = _worker["loader"].load(ScanFile(Path(path), kind), index)
        _read_into(out, image, _worker["template"])
    except PageError as e:
        out = PageOutcome(file_index, index + 1, Kind.ERROR,
                          flags=[Reason(Code.UNREADABLE_PAGE, str(e))])
    except MemoryError:
        out = PageOutcome(file_index, index + 1, Kind.ERROR, flags=[Reason(
            Code.UNREADABLE_PAGE, "the page is too large to read in the memory left")])
    except Exception as e:  # noqa: BLE001 - one page's trouble must not end the batch
        out = PageOutcome(file_index, index + 1, Kind.ERROR, flags=[Reason(
            Code.UNREADABLE_PAGE, f"the page could not be read ({type(e).__name__}: {e})")])
    out.seconds = time.perf_counter() - started
    return out


def _read_into(out: PageOutcome, image: np.ndarray, template: Template) -> None:
    """Read a decoded page and keep in `out` what the store and a person need."""
    keep_reading(out, image, read_page(image, template), template)


def keep_reading(out: PageOutcome, image: np.ndarray, result: PageResult,
                 template: Template) -> None:
    """Keep in `out` what the store and a person need of a page read as `result`."""
    out.kind = result.kind
    out.flags = list(result.doubts)
    out.rotation = result.rotation
    out.unmarked = result.unmarked
    out.strokes_may_vanish = result.strokes_may_vanish
    if result.identity is not None:
        ident = result.identity
        out.sheet_id, out.unit_code, out.serial = ident.sheet_id, ident.unit_code, ident.serial
        out.form_page, out.id_source = ident.form_page, result.identity_source
        out.campaign_code = ident.campaign
    if result.kind == FORM and result.homography is not None:
        out.answers = result.answers
        out.readings = {q: [r.doubt, r.reading] for q, r in result.questions.items() if r.doubt}
        out.homography = result.homography
        if result.fill is not None:
            out.measures = Measures(result.fill, result.strong)
        if result.doubts:
            page = straighten(image, result.homography, template, PAGE_PX_PER_PT)
            out.image = _jpeg(page)
        boxes = {tb.id: tb.box for tb in template.text_boxes}
        for box_id in result.written:
            crop = box_picture(image, result.homography, boxes[box_id], TEXT_PX_PER_PT)
            ok, png = cv2.imencode(".png", crop)
            if ok:
                out.text_crops[box_id] = (png.tobytes(), result.text_ink[box_id])

