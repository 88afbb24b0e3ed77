"""The clerk's files: find them, tell them apart, count their pages, decode one page.

Decoding does only what reading needs: a PDF page that is one embedded
scan gives up that image (no rendering); a large JPEG is decoded at a
half or a quarter of its size when the bubbles and the QR code still
have enough pixels (about 150 dpi).
"""

from __future__ import annotations

import hashlib
import re
import struct
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pypdfium2
import pypdfium2.raw as pdfium_c
from PIL import Image, UnidentifiedImageError

from phieu.omr import as_grey

KINDS = {".pdf": "pdf", ".tif": "tiff", ".tiff": "tiff", ".jpg": "image", ".jpeg": "image",
         ".png": "image"}
ENOUGH_DPI = 140  # bubbles and QR modules still have 2+ pixels a point above this
A4_SHORT_IN = 8.27
RENDER_DPI = 150
# the largest page decoded: A4 at 900 dpi. Beyond it a page costs more memory than a
# laptop's worker should take (a 16-bit or floating-point page four times as much), and a
# file that claims more (a decompression bomb: 15,000 x 15,000 white pixels in 14 KB) is
# refused before anything is decoded
MAX_PAGE_PIXELS = 80_000_000


class PageError(Exception):
    """A file or page that cannot be decoded; the message says why, plainly."""


@contextmanager
def _opened_image(path: Path):
    """A TIFF opened lazily, with PIL's own decompression-bomb check left to `check_size`,
    which names the page's size and the limit (PIL's check is on the first page only)."""
    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        with warnings.catch_warnings():  # a damaged header is reported, not warned
            warnings.simplefilter("ignore")
            image = Image.open(path)
    finally:
        Image.MAX_IMAGE_PIXELS = saved
    try:
        yield image
    finally:
        image.close()


def check_size(width: int, height: int) -> None:
    """Refuse a page larger than MAX_PAGE_PIXELS before it is decoded."""
    if width * height > MAX_PAGE_PIXELS:
        raise PageError(f"the page is {width:,} x {height:,} pixels "
                        f"({width * height / 1e6:,.0f} megapixels); phieu reads pages of up to "
                        f"{MAX_PAGE_PIXELS / 1e6:.0f} megapixels (A4 at 900 dpi): scan it at "
                        "150-600 dpi")


@dataclass(frozen=True)
class ScanFile:
    path: Path  # as the user gave it
    kind: str  # pdf | tiff | image


def discover(inputs: list[Path]) -> tuple[list[ScanFile], list[tuple[Path, str]]]:
    """Files to read, in a stable order, and the paths that are not scans (with why)."""
    found: list[ScanFile] = []
    problems: list[tuple[Path, str]] = []
    seen: set[Path] = set()

    def add(path: Path, explicit: bool) -> None:
        kind = KINDS.get(path.suffix.lower())
        if kind is None:
            if explicit:
                problems.append((path, "not a scan file (pdf, tif, tiff, jpg, jpeg or png)"))
            return
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            found.append(ScanFile(path, kind))

    for item in inputs:
        if item.is_dir():
            for p in sorted(item.rglob("*")):
                if p.is_file() and not p.name.startswith("."):
                    add(p, explicit=False)
        elif item.is_file():
            add(item, explicit=True)
        else:
            problems.append((item, "no such file or folder"))
    return found, problems


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes: the same file given twice is read once."""
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _pdf_trouble(path: Path, e: Exception) -> str:
    """Why PDFium would not open a file, in words a clerk can act on."""
    if "password" in str(e).lower():
        return "the PDF is protected by a password; save it again without one"
    data = path.read_bytes()
    complete = data.rstrip().endswith(b"%%EOF")
    if data.startswith(b"%PDF") and complete and re.search(rb"/Count\s*0\b", data) and \
            not re.search(rb"/Type\s*/Page(?![s\w])", data):
        return "the PDF has no pages"  # PDFium declines an empty page tree
    return "not a readable PDF (damaged, cut short, or not a PDF at all)"


def count_pages(f: ScanFile) -> int:
    try:
        if f.kind == "pdf":
            doc = pypdfium2.PdfDocument(str(f.path))
            try:
                return len(doc)
            finally:
                doc.close()
        if f.kind == "tiff":
            with _opened_image(f.path) as im:
                return _tiff_pages(im)
        return 1
    except pypdfium2.PdfiumError as e:
        raise PageError(_pdf_trouble(f.path, e)) from e
    except (UnidentifiedImageError, OSError, ValueError) as e:
        raise PageError("not a readable TIFF (damaged, cut short, or not a TIFF at all)") from e
    except Exception as e:  # any other way a damaged file fails: one file, not the batch
        raise PageError(f"the file cannot be read ({type(e).__name__}: {e})") from e


def _tiff_pages(im: Image.Image) -> int:
    """A TIFF's pages, one by one: a file cut short keeps the pages before the cut, and the
    page it cuts into is counted, to be reported when it fails to decode."""
    pages = 0
    while True:
        try:
            im.seek(pages)
        except EOFError:
            return pages
        except (OSError, ValueError, TypeError, SyntaxError, struct.error):
            return pages + 1 if pages else 0
        pages += 1


def _reduction(width_px: int, height_px: int, enough_dpi: float = ENOUGH_DPI) -> int:
    """1, 2 or 4: how much smaller a page can be decoded and still have `enough_dpi`."""
    dpi = min(width_px, height_px) / A4_SHORT_IN
    for factor in (4, 2):
        if dpi / factor >= enough_dpi:
            return factor
    return 1


_REDUCED = {1: cv2.IMREAD_GRAYSCALE, 2: cv2.IMREAD_REDUCED_GRAYSCALE_2,
            4: cv2.IMREAD_REDUCED_GRAYSCALE_4}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a JPEG's frame header, without decoding it."""
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        length = int.from_bytes(data[i + 2:i + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height = int.from_bytes(data[i + 5:i + 7], "big")
            return int.from_bytes(data[i + 7:i + 9], "big"), height
        i += 2 + length
    return None


def decode_jpeg(data: bytes, enough_dpi: float = ENOUGH_DPI) -> tuple[np.ndarray, float]:
    """The JPEG decoded as small as still has `enough_dpi`, and how many times smaller
    that is than when decoded for reading."""
    if data[:2] != b"\xff\xd8":
        raise PageError("not a JPEG image")
    if data.rstrip(b"\x00")[-2:] != b"\xff\xd9":
        raise PageError("the JPEG is cut short (truncated file)")
    size = _jpeg_size(data)
    factor = _reduction(*size, enough_dpi) if size else 1
    if size:
        check_size(-(-size[0] // factor), -(-size[1] // factor))
    img = cv2.imdecode(np.frombuffer(data, np.uint8), _REDUCED[factor])
    if img is None:
        raise PageError("the JPEG cannot be decoded")
    return img, factor / (_reduction(*size) if size else 1)


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header, without decoding it."""
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise PageError("the PNG cannot be decoded (damaged file)")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _decode_file_image(path: Path, enough_dpi: float) -> tuple[np.ndarray, float]:
    data = path.read_bytes()
    if data[:2] == b"\xff\xd8":
        return decode_jpeg(data, enough_dpi)
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise PageError("not a JPEG or PNG image (wrong contents for its name)")
    check_size(*_png_size(data))
    # as it is: 16-bit grey, a palette, transparency; brought to 8-bit grey by its range
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if img is None:
        raise PageError("the PNG cannot be decoded (damaged file)")
    return as_grey(img), 1


def _frame(frame: Image.Image) -> np.ndarray:
    """A TIFF page in any of its modes as 8-bit grey: 16-bit, 32-bit and floating-point
    samples by their range, a palette or CMYK by their colours, transparency as paper."""
    check_size(*frame.size)
    if frame.mode == "L":
        return np.asarray(frame)
    if frame.mode == "1":
        return np.asarray(frame.convert("L"))
    if frame.mode.startswith(("I", "F")):  # I;16, I;16B, I (32-bit), F (floating point)
        return as_grey(np.asarray(frame))
    if frame.mode in ("LA", "PA", "RGBA", "La", "RGBa") or "transparency" in frame.info:
        rgba = frame.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(paper, rgba).convert("L"))
    return np.asarray(frame.convert("L"))


def _pdf_page(doc: pypdfium2.PdfDocument, index: int, enough_dpi: float
              ) -> tuple[np.ndarray, float]:
    page = doc[index]
    try:
        objs = list(page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=1))
        if len(objs) == 1 and sum(1 for _ in page.get_objects(max_depth=1)) == 1:
            img = objs[0]
            check_size(*img.get_px_size())
            if img.get_filters() == ["DCTDecode"]:  # the scanner's own JPEG: decode it directly
                return decode_jpeg(bytes(img.get_data(decode_simple=False)), enough_dpi)
            bitmap = img.get_bitmap(render=False)
            arr = np.asarray(bitmap.to_pil().convert("L"))
            if arr.size:
                return arr, 1
        width, height = page.get_size()
        check_size(int(width * RENDER_DPI / 72), int(height * RENDER_DPI / 72))
        bitmap = page.render(scale=RENDER_DPI / 72, grayscale=True)
        return np.asarray(bitmap.to_pil().convert("L")), 1
    finally:
        page.close()


class PageLoader:
    """Decodes pages, keeping the last file open (a worker reads a file's pages in a row)."""

    def __init__(self) -> None:
        self._path: Path | None = None
        self._doc: pypdfium2.PdfDocument | Image.Image | None = None
        self._tiff = None  # the open TIFF's context, closed with it

    def _open(self, f: ScanFile):
        if self._path != f.path:
            self.close()
            if f.kind == "pdf":
                self._doc = pypdfium2.PdfDocument(str(f.path))
            else:
                self._tiff = _opened_image(f.path)
                self._doc = self._tiff.__enter__()
            self._path = f.path
        return self._doc

    def close(self) -> None:
        if self._tiff is not None:
            self._tiff.__exit__(None, None, None)
        elif self._doc is not None:
            self._doc.close()
        self._doc, self._path, self._tiff = None, None, None

    def load(self, f: ScanFile, index: int) -> np.ndarray:
        """Page `index` (from 0) of a file as an 8-bit grey image, as the reader reads it."""
        return self.load_reduced(f, index, ENOUGH_DPI)[0]

    def load_reduced(self, f: ScanFile, index: int, enough_dpi: float
                     ) -> tuple[np.ndarray, float]:
        """Page `index` decoded as small as still has `enough_dpi` where the format allows
        (a JPEG), and how many times smaller that is than the page `load` gives."""
        try:
            if f.kind == "image":
                return _decode_file_image(f.path, enough_dpi)
            doc = self._open(f)
            if f.kind == "pdf":
                return _pdf_page(doc, index, enough_dpi)
            with warnings.catch_warnings():  # a damaged page is reported, not warned
                warnings.simplefilter("ignore")
                doc.seek(index)
                return _frame(doc), 1
        except PageError:
            raise
        except pypdfium2.PdfiumError as e:
            self.close()
            raise PageError(f"the PDF page cannot be read ({e})") from e
        except (OSError, ValueError, EOFError, UnidentifiedImageError) as e:
            self.close()
            raise PageError(f"the image cannot be decoded ({e})") from e
        except MemoryError as e:
            self.close()
            raise PageError("the page is too large to decode in the memory this computer "
                            "has left") from e
        except Exception as e:  # a damaged file can fail in ways no list foresees
            self.close()
            if f.kind == "tiff":
                raise PageError("the TIFF page cannot be decoded: the file is cut short or "
                                "damaged here") from e
            raise PageError(f"the page cannot be decoded ({type(e).__name__}: {e})") from e
