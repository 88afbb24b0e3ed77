"""Reasons for doubt in plain Vietnamese, as the review page shows them."""

from __future__ import annotations

from phieu.forms.template import Template

REASONS_VI = {
    "multiple-marks": "Nhiều ô được tô ở câu chỉ chọn một",
    "faint-mark": "Vết tô quá mờ, máy không chắc",
    "erasure": "Có vết tẩy xóa bên cạnh câu trả lời",
    "ink-near": "Có nét mực quanh các ô, không nằm trong ô",
    "stroke-across": "Một nét dài kéo ngang qua ô, không phải dấu tô",
    "misaligned": "Các ô của câu này không nằm đúng chỗ trên bản quét, máy không đọc",
    "id-unreadable": "Không đọc được mã phiếu (mã QR và số in)",
    "page-not-located": "Không tìm thấy các dấu định vị ở góc phiếu",
    "page-misaligned": "Không căn chỉnh được trang phiếu chính xác",
    "duplicate of": "Bản quét thứ hai của một phiếu đã đọc",
    "unknown sheet": "Mã phiếu không có trong danh sách đã in",
    "missing page": "Thiếu một trang của phiếu",
    "not a phieu form": "Không phải phiếu khảo sát",
    "unreadable page": "Không mở được ảnh trang này",
    "other survey": "Phiếu của một cuộc khảo sát khác",
}


QUESTION_REASONS = ("multiple-marks", "faint-mark", "erasure", "ink-near", "stroke-across",
                    "misaligned")


def explain(flag: str, template: Template) -> str:
    """One reason, naming the question or sheet it is about."""
    texts = {q.id: q.text for q in template.questions}
    kind, _, rest = flag.partition(" ")
    if kind in QUESTION_REASONS and rest in texts:
        return f"{REASONS_VI[kind]}: {texts[rest]} ({rest})"
    for key, words in REASONS_VI.items():
        if flag.startswith(key):
            tail = flag[len(key):].strip()
            return f"{words}: {tail}" if tail else words
    return flag
