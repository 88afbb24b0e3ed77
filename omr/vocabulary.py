"""The words phieu uses for what it finds: page kinds, statuses and reasons for doubt.

A reason is data: a code and what it is about (a question id, a sheet id, a
page number, a layout id, an error message). Its text is made here and read
back here only; that text is the export's `flags` column and a contract
(`multiple-marks q07`, `duplicate of 18073-000041`). Each code carries its
wording for people (Vietnamese on the review page and in reports, English
for the clerk's console) and the group the scan summary counts it under.
The review page's script gets all of it from the server, never a copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What a scanned page is."""
    FORM = "form"  # a page of one of our forms, located on the scan
    BLANK = "blank"  # nothing printed or written: the back of a duplex scan
    FOREIGN = "foreign"  # something else: a cover letter, a photo
    ERROR = "error"  # the page could not be decoded


class Status(StrEnum):
    """Where a page or a sheet stands."""
    OK = "ok"  # read with certainty
    FLAGGED = "flagged"  # waiting for a person
    SKIPPED = "skipped"  # a blank back: nothing to do
    REVIEWED = "reviewed"  # decided by a person
    REJECTED = "rejected"  # set aside by a person


STATUS_VI = {Status.OK: "đã đọc", Status.FLAGGED: "chờ duyệt", Status.SKIPPED: "bỏ qua",
             Status.REVIEWED: "đã duyệt", Status.REJECTED: "đã loại"}


class Code(StrEnum):
    """Why a person must look."""
    MULTIPLE_MARKS = "multiple-marks"
    FAINT_MARK = "faint-mark"
    ERASURE = "erasure"
    INK_NEAR = "ink-near"
    STROKE_ACROSS = "stroke-across"
    MISALIGNED = "misaligned"
    ID_UNREADABLE = "id-unreadable"
    PAGE_NOT_LOCATED = "page-not-located"
    PAGE_MISALIGNED = "page-misaligned"
    NOT_IN_FORM = "page-not-in-form"
    READ_AS_OTHER_PAGE = "read-as-other-page"
    OTHER_SURVEY = "other-survey"
    NOT_A_FORM = "not-a-form"
    UNREADABLE_PAGE = "unreadable-page"
    UNKNOWN_SHEET = "unknown-sheet"
    DUPLICATE = "duplicate"
    DUPLICATE_REPLACED = "duplicate-replaced"
    BLANK_FORM = "blank-form"  # not a doubt: a form with no mark at all, never a respondent
    OTHER_CAMPAIGN = "other-campaign"  # a form printed for another campaign of the layout
    MISSING_PAGE = "missing-page"
    UNKNOWN_UNIT = "unknown-unit"  # an imported answer naming no unit of the layout
    NOT_AN_OPTION = "not-an-option"  # an imported answer that is none of the options
    GONE_FROM_EXPORT = "gone-from-export"  # an imported row a later export no longer has
    AUDIT = "audit"  # not a doubt: a sheet read with certainty, drawn to be checked again
    COPY = "copy"  # not a doubt: one of several papers with one printed id, each counted
    POOR_PHOTO = "poor-photo"  # a phone's photo the gate refused, kept for a person anyway
    OTHER = "other"  # a text no code makes (an older store): shown as it is


@dataclass(frozen=True)
class Wording:
    text: str  # the stored and exported form; {} is what the reason is about
    vi: str
    en: str
    group: str  # question | identity | page | sheet: what a person does about it


WORDS: dict[Code, Wording] = {
    Code.MULTIPLE_MARKS: Wording("multiple-marks {}", "Nhiều ô được tô ở câu chỉ chọn một",
                                 "several marks on a one-answer question", "question"),
    Code.FAINT_MARK: Wording("faint-mark {}", "Vết tô quá mờ, máy không chắc",
                             "a mark too light to call", "question"),
    Code.ERASURE: Wording("erasure {}", "Có vết tẩy xóa bên cạnh câu trả lời",
                          "a rubbed-out mark beside an answer", "question"),
    Code.INK_NEAR: Wording("ink-near {}", "Có nét mực quanh các ô, không nằm trong ô",
                           "ink beside the options, outside their bubbles", "question"),
    Code.STROKE_ACROSS: Wording("stroke-across {}",
                                "Một nét dài kéo ngang qua ô, không phải dấu tô",
                                "a long line through a bubble, not a mark in it", "question"),
    Code.MISALIGNED: Wording("misaligned {}",
                             "Các ô của câu này không nằm đúng chỗ trên bản quét, máy không đọc",
                             "the question's bubbles are not where the page says (not read)",
                             "question"),
    Code.ID_UNREADABLE: Wording("id-unreadable", "Không đọc được mã phiếu (mã QR và số in)",
                                "QR code and printed number unreadable", "identity"),
    Code.PAGE_NOT_LOCATED: Wording("page-not-located",
                                   "Không tìm thấy các dấu định vị ở góc phiếu",
                                   "the corner marks could not be found", "identity"),
    Code.PAGE_MISALIGNED: Wording("page-misaligned", "Không căn chỉnh được trang phiếu chính xác",
                                  "the page could not be lined up exactly", "page"),
    Code.NOT_IN_FORM: Wording("page {} is not a page of this form",
                              "Số trang in trên phiếu không có trong mẫu phiếu này",
                              "the page number printed is not a page of this form", "identity"),
    Code.READ_AS_OTHER_PAGE: Wording("page {} was read as another page: enter its answers",
                                     "Trang được đọc như một trang khác: nhập lại câu trả lời",
                                     "the page was read as another page", "page"),
    Code.OTHER_SURVEY: Wording("other survey: {}", "Phiếu của một cuộc khảo sát khác",
                               "a form of another survey", "identity"),
    Code.NOT_A_FORM: Wording("not a phieu form", "Không phải phiếu khảo sát",
                             "not a page of this survey", "page"),
    Code.UNREADABLE_PAGE: Wording("unreadable page: {}", "Không mở được ảnh trang này",
                                  "a page that could not be decoded", "page"),
    Code.UNKNOWN_SHEET: Wording("unknown sheet {} (not printed for this campaign)",
                                "Mã phiếu không có trong danh sách đã in",
                                "a sheet number never printed for this campaign", "identity"),
    Code.DUPLICATE: Wording("duplicate of {}", "Bản quét thứ hai của một phiếu đã đọc",
                            "second scan of a sheet already read (not counted again)", "sheet"),
    Code.DUPLICATE_REPLACED: Wording("duplicate of {} (replaced)",
                                     "Bản quét đã được thay bằng bản quét sau của cùng phiếu",
                                     "a scan replaced by a later scan of the same sheet",
                                     "sheet"),
    Code.BLANK_FORM: Wording("blank form {}", "Phiếu trắng: không có dấu tô hay chữ viết "
                             "nào, không tính là phiếu thu về",
                             "a form with no mark at all (not counted as returned)", "sheet"),
    Code.OTHER_CAMPAIGN: Wording("other campaign: {}", "Phiếu in cho một đợt khảo sát khác "
                                 "(mã đợt in trên phiếu khác với đợt này), không được tính",
                                 "a form printed for another campaign (not counted)",
                                 "identity"),
    Code.MISSING_PAGE: Wording("missing page {}", "Thiếu một trang của phiếu",
                               "a page of the sheet not scanned yet", "sheet"),
    Code.UNKNOWN_UNIT: Wording("unknown unit {}", "Đơn vị không có trong danh sách của mẫu "
                               "phiếu", "a unit that is not one of the layout's units",
                               "sheet"),
    Code.NOT_AN_OPTION: Wording("not an option {}", "Câu trả lời không khớp lựa chọn nào "
                                "của câu hỏi", "an answer that is none of the question's "
                                "options", "question"),
    Code.GONE_FROM_EXPORT: Wording("not in the later export {}", "Dòng này không còn trong "
                                   "tệp xuất sau của biểu mẫu: người trả lời đã sửa hoặc "
                                   "xoá? Đã sửa thì loại dòng này; xoá nhầm thì chấp nhận",
                                   "a row a later export of the same form no longer has "
                                   "(changed or deleted there)", "sheet"),
    Code.AUDIT: Wording("audit", "Phiếu máy đã đọc, được chọn ngẫu nhiên để kiểm tra lại "
                        "(phúc tra)", "drawn for the audit of sheets read with certainty",
                        "sheet"),
    Code.COPY: Wording("copy {}", "Tờ phiếu photo: cùng mã với tờ khác nhưng khác câu trả "
                       "lời, được tính là một người trả lời riêng (chỉ xem khi cần)",
                       "one of several papers with one printed id (photocopies), each counted",
                       "sheet"),
    Code.POOR_PHOTO: Wording("poor photo: {}", "Ảnh chụp bằng điện thoại không đạt và "
                             "không chụp lại được: xem lại cả tờ phiếu trên ảnh",
                             "a phone's photo too poor to trust, kept for a person", "page"),
    Code.OTHER: Wording("{}", "Lý do khác", "another reason", "page"),
}
NO_ID = "(id unreadable)"  # what a blank form whose identity could not be read is about
NO_CODE = "(none)"  # what a form printed without a campaign's code says of its campaign
EMPTY_CELL = "(trống)"  # what an imported row's reason quotes for a cell left empty


def quoted_cell(cell: str) -> str:
    """An imported cell as a reason quotes it: 'Tuyệt vời', or (trống) when empty."""
    return f"'{cell}'" if cell else EMPTY_CELL


def unquoted_cell(text: str) -> str:
    """The cell a reason quotes (a text not quoted, such as a note, as it is)."""
    if text == EMPTY_CELL:
        return ""
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == "'" else text

class Quality(StrEnum):
    """What is wrong with a phone photo of a sheet: why it is taken again."""
    CORNERS_OUT = "corners-out"
    TOO_FAR = "too-far"
    STEEP = "steep"
    DARK = "dark"
    BLURRED = "blurred"
    GLARE = "glare"
    NO_ID = "no-id"  # the page is located but neither its QR code nor its number reads
    UNCLEAR = "unclear"  # the page is located but cannot be lined up with the form


# what the capture page tells the clerk holding the phone: the trouble, then what to do
QUALITY_VI = {
    Quality.CORNERS_OUT: "Bốn góc phiếu chưa nằm trọn trong ảnh: lùi máy ra một chút, để "
                         "thấy cả bốn ô vuông đen ở góc phiếu",
    Quality.TOO_FAR: "Phiếu quá nhỏ trong ảnh: đưa máy lại gần, để phiếu choán gần hết khung",
    Quality.STEEP: "Chụp nghiêng quá: cầm máy song song với mặt phiếu, chụp thẳng từ trên "
                   "xuống",
    Quality.DARK: "Ảnh quá tối: ra chỗ sáng hơn hoặc bật đèn",
    Quality.BLURRED: "Ảnh bị mờ, nhoè: giữ yên máy, chạm vào phiếu trên màn hình để lấy nét "
                     "rồi chụp",
    Quality.GLARE: "Có vệt loá sáng hoặc bóng tối đè lên phần trả lời: đổi hướng máy hoặc "
                   "tránh đèn chiếu thẳng",
    Quality.NO_ID: "Không đọc được mã phiếu (mã QR và số in trên phiếu): chụp lại cho rõ "
                   "mã QR",
    Quality.UNCLEAR: "Máy chưa khớp được phiếu trong ảnh: đặt phiếu phẳng trên bàn, đủ sáng, "
                     "giữ yên máy rồi chụp lại",
}


class Verdict(StrEnum):
    """What became of a phone's photo, as the clerk holding it is told at once."""
    READ = "read"  # read with certainty and counted
    KNOWN = "known"  # a photo of a paper already read: nothing added
    REVIEW = "review"  # read and counted; a person will look at some of it
    BLANK = "blank"  # a form nobody filled in: accounted for, never a respondent
    RETAKE = "retake"  # not read: take it again (the photo is kept)
    FOREIGN = "foreign"  # not a form of this campaign


VERDICT_VI = {Verdict.READ: "Đã đọc", Verdict.KNOWN: "Phiếu này đã đọc rồi",
              Verdict.REVIEW: "Đã đọc, chờ duyệt", Verdict.BLANK: "Phiếu trắng, không tính",
              Verdict.RETAKE: "Cần chụp lại",
              Verdict.FOREIGN: "Không phải phiếu của đợt khảo sát này"}


# how answers reached the campaign: scanned paper, or a channel an import named
PAPER = "paper"
CHANNEL_WORDS = {PAPER: "Phiếu giấy", "online": "Trực tuyến", "zalo": "Zalo",
                 "post": "Qua bưu chính", "email": "Thư điện tử", "phone": "Điện thoại"}


def channel_words(channel: str) -> str:
    return CHANNEL_WORDS.get(channel, channel)


QUESTION_CODES = frozenset(c for c, w in WORDS.items() if w.group == "question")
# what a reason's `about` holds, by code (the rest: a layout, campaign or file it names)
SHEET_ABOUT = frozenset({Code.UNKNOWN_SHEET, Code.DUPLICATE, Code.DUPLICATE_REPLACED,
                         Code.BLANK_FORM, Code.COPY})  # a printed sheet id
PAGE_ABOUT = frozenset({Code.NOT_IN_FORM, Code.READ_AS_OTHER_PAGE, Code.MISSING_PAGE})
MESSAGE_ABOUT = frozenset({Code.UNREADABLE_PAGE, Code.OTHER})  # words shown as they are


def _pattern(text: str) -> re.Pattern[str]:
    head, brace, tail = text.partition("{}")
    return re.compile(f"^{re.escape(head)}(.+?){re.escape(tail)}$" if brace
                      else f"^{re.escape(text)}$", re.DOTALL)


# most specific first: "duplicate of X (replaced)" before "duplicate of X"; OTHER last
_PATTERNS = sorted(((c, _pattern(w.text)) for c, w in WORDS.items() if c != Code.OTHER),
                   key=lambda cp: -len(WORDS[cp[0]].text))


QUOTING = frozenset({Code.UNKNOWN_UNIT, Code.NOT_AN_OPTION})  # reasons quoting a cell


@dataclass(frozen=True)
class Reason:
    code: Code
    about: str = ""  # what its words name: read it through question, sheet, form_page, message
    cell: str | None = None  # the imported cell it quotes ("" an empty one), if any

    def __str__(self) -> str:
        quoted = [] if self.cell is None else [quoted_cell(self.cell)]
        return WORDS[self.code].text.format(" ".join([*([self.about] if self.about else []),
                                                      *quoted]))

    @property
    def wording(self) -> Wording:
        return WORDS[self.code]

    @property
    def question(self) -> str | None:
        """The question it is about, for a reason about one."""
        return self.about if self.code in QUESTION_CODES and self.about else None

    @property
    def sheet(self) -> str | None:
        """The printed sheet it names (a second scan's first, a blank form's), if any."""
        return self.about if self.code in SHEET_ABOUT and self.about != NO_ID else None

    @property
    def form_page(self) -> int | None:
        """The page of the form it names (a missing page, a page read as another)."""
        return int(self.about) if self.code in PAGE_ABOUT and self.about.isdigit() else None

    @property
    def message(self) -> str | None:
        """Words to show as they are: why a page could not be opened, an older text."""
        return self.about if self.code in MESSAGE_ABOUT else None

    @classmethod
    def parse(cls, text: str) -> Reason:
        """A stored reason back as data; a text no code makes is kept whole as OTHER."""
        for code, pattern in _PATTERNS:
            m = pattern.match(text)
            if m:
                return cls.said(code, m.group(1) if m.groups() else "")
        return cls(Code.OTHER, text)

    @classmethod
    def said(cls, code: Code, about: str) -> Reason:
        """A reason from what its text says: a quoted cell apart from the question it is
        about (as releases before the cell was a field of its own kept it)."""
        if code not in QUOTING:
            return cls(code, about)
        head, _, tail = about.partition(" ") if code == Code.NOT_AN_OPTION else ("", "", about)
        if tail == EMPTY_CELL or (len(tail) >= 2 and tail[0] == tail[-1] == "'"):
            return cls(code, head, unquoted_cell(tail))
        return cls(code, about)


SEP = "; "  # between the reasons of one page or sheet in the stored and exported text


def to_text(reasons: list[Reason]) -> str:
    """Reasons as the `flags` column holds them: `multiple-marks q07; missing page 2`."""
    return SEP.join(str(r) for r in reasons)


def from_text(text: str | None) -> list[Reason]:
    return [Reason.parse(t) for t in (text or "").split(SEP) if t]


def for_script() -> dict:
    """The vocabulary as the review page's script reads it: names to values, and the
    Vietnamese words of each reason and status."""
    return {"code": {c.name: c.value for c in Code}, "kind": {k.name: k.value for k in Kind},
            "status": {s.name: s.value for s in Status},
            "reasons": {c.value: w.vi for c, w in WORDS.items()},
            "statuses": {s.value: w for s, w in STATUS_VI.items()}}
