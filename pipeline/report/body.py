"""What the report of results says, in the form of an administrative report (Nghị định
30/2020): masthead, title and subject, the plans it carries out; I. the survey (`about`);
II. its findings (`findings`); III. recommendations left for the office to write; Nơi nhận
and the signature; then the appendices (`annexes`): each unit's detail, the comments when
many, the notes on the method.
"""

from __future__ import annotations

from datetime import date

from ..campaign import Campaign
from .about import about, opening, subject
from .annexes import method_notes, unit_detail
from .blocks import (
    BLANK,
    Appendix,
    Document,
    Masthead,
    Signature,
    para,
)
from .findings import findings, quoted_apart, quotes
from .results import Results


def build(results: Results, campaign: Campaign, today: date | None = None) -> Document:
    layout = campaign.layout
    today = today or date.today()
    info = layout.report
    doc = Document(f"Báo cáo kết quả khảo sát — {layout.area}")
    doc.add(Masthead(info, today.day, today.month, today.year),
            para("BÁO CÁO", style="title"), para(subject(layout), style="subject"))
    doc.add(para(opening(layout)))
    about(doc, results, layout)
    findings(doc, results, layout)
    doc.add(para("III. KIẾN NGHỊ, ĐỀ XUẤT", style="h1"),
            *[para(BLANK * 17, style="dots") for _ in range(4)],
            para("Trên đây là báo cáo kết quả khảo sát sự hài lòng của người dân, tổ chức./."),
            Signature(info))
    appendices = ["KẾT QUẢ CHI TIẾT THEO ĐƠN VỊ"]
    quoted = quoted_apart(results)
    if quoted:
        appendices.append("Ý KIẾN KHÁC CỦA NGƯỜI DÂN, TỔ CHỨC")
    appendices.append("GHI CHÚ PHƯƠNG PHÁP")
    names = {t: f"Phụ lục {ROMAN[i]}" for i, t in enumerate(appendices)}
    dated = (today.day, today.month, today.year)
    doc.add(Appendix(names[appendices[0]], appendices[0], info, *dated))
    for u in layout.units:
        unit_detail(doc, results, layout, u)
    if quoted:
        doc.add(Appendix(names[appendices[1]], appendices[1], info, *dated))
        quotes(doc, results, layout)
    doc.add(Appendix(names[appendices[-1]], appendices[-1], info, *dated))
    for text in method_notes(results, layout):
        doc.add(para(text))
    return doc


ROMAN = ("I", "II", "III", "IV", "V", "VI")
