"""bao-cao.pdf: the report an office hands to the People's Committee.

Title with the campaign and period; method and sample; the index of every
unit with its 95 % interval; per-criterion charts; a page per unit; what
to improve. Set in the forms' Vietnamese font (ReportLab), charts from
matplotlib.
"""

from __future__ import annotations

import io
import math
from datetime import date
from pathlib import Path

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Image,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from phieu.forms.fonts import BOLD, ITALIC, REGULAR, register_fonts

from .campaign import Campaign
from .charts import criteria_bars, index_bars
from .results import FULL_COUNT, MIN_ANSWERS, Results, enough_word

WIDTH = A4[0] - 36 * mm


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("base", fontName=REGULAR, fontSize=10, leading=14)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11),
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=15, leading=20,
                                alignment=1, spaceAfter=4),
        "sub": ParagraphStyle("sub", parent=base, fontName=BOLD, fontSize=11, leading=15,
                              alignment=1),
        "center": ParagraphStyle("center", parent=base, alignment=1),
        "h1": ParagraphStyle("h1", parent=base, fontName=BOLD, fontSize=12, leading=16,
                             spaceBefore=10, spaceAfter=4),
        "h2": ParagraphStyle("h2", parent=base, fontName=BOLD, fontSize=10.5, leading=14,
                             spaceBefore=6, spaceAfter=2),
        "note": ParagraphStyle("note", parent=base, fontName=ITALIC, fontSize=8.5, leading=11),
    }


def _pct(v: float) -> str:
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else \
        f"{v * 100:.1f}%".replace(".", ",")


def _num(v: float) -> str:
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else \
        f"{v:.2f}".replace(".", ",")


def _table(rows: list[list], widths: list[float], st) -> Table:
    cells = [[Paragraph(str(c), st["small"]) for c in r] for r in rows]
    t = Table(cells, colWidths=widths, repeatRows=1)
    t.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DCE6F1")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    return t


def _image(png: bytes, width: float) -> Image:
    img = Image(io.BytesIO(png))
    scale = width / img.imageWidth
    img.drawWidth, img.drawHeight = width, img.imageHeight * scale
    return img


def write_pdf(results: Results, campaign: Campaign, path: Path) -> None:
    layout = campaign.layout
    st = _styles()
    units = results.units
    crit = results.criteria
    crit_names = {c.id: c.name for c in layout.criteria}
    story = [
        Paragraph(" – ".join(layout.issuer) if layout.issuer else "", st["center"]),
        Spacer(1, 6),
        Paragraph("BÁO CÁO KẾT QUẢ KHẢO SÁT", st["title"]),
        Paragraph(f"Sự hài lòng của người dân, tổ chức — {layout.area}", st["sub"]),
        Paragraph(f"Thời gian khảo sát: {layout.period}" if layout.period else "", st["center"]),
        Paragraph(f"Ngày lập báo cáo: {date.today():%d/%m/%Y}", st["center"]),
        Paragraph("I. PHƯƠNG PHÁP VÀ MẪU KHẢO SÁT", st["h1"]),
        Paragraph(_method(layout), st["base"]),
        Paragraph(_overall(units, layout), st["base"]),
        Paragraph("II. KẾT QUẢ THEO ĐƠN VỊ", st["h1"]),
    ]
    order = units.sort_values("index", ascending=False, na_position="last")
    story.append(_image(index_bars(
        [f"{r.unit_name}" for r in order.itertuples()], list(order["index"]),
        list(order["ci_low"]), list(order["ci_high"]), "Chỉ số hài lòng theo đơn vị"), WIDTH))
    rows = [["Xếp hạng", "Đơn vị", "Số phiếu", "Cỡ mẫu tối thiểu", "Chờ duyệt",
             "Chỉ số hài lòng", "KTC 95%", "Điểm TB"]]
    for r in order.itertuples():
        rows.append(["—" if r.rank is pd.NA else int(r.rank), r.unit_name,
                     r.sheets, "—" if r.min_sample != r.min_sample or r.min_sample is None
                     else int(r.min_sample), r.waiting, _pct(r.index),
                     "toàn bộ" if r.census else f"{_pct(r.ci_low)} – {_pct(r.ci_high)}",
                     _num(r.mean)])
    story += [Spacer(1, 4), _table(rows, [14 * mm, 46 * mm, 16 * mm, 20 * mm, 16 * mm, 20 * mm,
                                          30 * mm, 14 * mm], st)]
    if layout.criteria:
        story.append(Paragraph("III. KẾT QUẢ THEO TIÊU CHÍ", st["h1"]))
        whole = crit[crit["group"] == ""].set_index("criterion")["index"]
        labels = [c.name for c in layout.criteria]
        story.append(_image(criteria_bars(
            labels, {"Toàn địa bàn": [whole.get(c.id, float("nan")) for c in layout.criteria]},
            "Chỉ số hài lòng theo tiêu chí — toàn địa bàn"), WIDTH))
        for c in layout.criteria:
            part = crit[(crit["criterion"] == c.id) & (crit["group"] != "")]
            values = dict(zip(part["group"], part["index"], strict=True))
            story.append(_image(index_bars(
                [u.name for u in layout.units], [values.get(u.code, float("nan"))
                                                 for u in layout.units],
                [float("nan")] * len(layout.units), [float("nan")] * len(layout.units),
                f"Tiêu chí: {c.name}"), WIDTH * 0.9))
    if len(results.groups):
        story.append(Paragraph("IV. THEO LĨNH VỰC VÀ NHÓM NGƯỜI TRẢ LỜI", st["h1"]))
        rows = [["Câu hỏi", "Nhóm", "Số phiếu", "Chỉ số hài lòng", "KTC 95%"]]
        for r in results.groups.itertuples():
            rows.append([r.question_text, r.label, r.sheets, _pct(r.index),
                         f"{_pct(r.ci_low)} – {_pct(r.ci_high)}"])
        story.append(_table(rows, [45 * mm, 60 * mm, 18 * mm, 24 * mm, 30 * mm], st))
    story.append(Paragraph("V. NHỮNG NỘI DUNG CẦN CẢI THIỆN", st["h1"]))
    texts = {q.id: q.text for q in layout.questions}
    for u in layout.units:
        low = results.improve[results.improve["unit_code"] == u.code]
        if len(low):
            items = "; ".join(f"{texts[q]} ({_pct(i)})" for q, i in zip(low["question"],
                                                                        low["index"],
                                                                        strict=True))
            story.append(Paragraph(f"<b>{_esc(u.name)}</b>: {_esc(items)}.", st["small"]))
    for u in layout.units:
        story += _unit_page(results, campaign, u, st, crit_names, texts)
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=16 * mm, bottomMargin=16 * mm,
                            title=f"Báo cáo kết quả khảo sát — {layout.area}", author="phieu")
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)


def _scales_used(layout) -> dict[str, int]:
    """Scale id -> how many graded questions use it, in the layout's order."""
    used: dict[str, int] = {}
    for q in layout.questions:
        if q.scale:
            used[q.scale] = used.get(q.scale, 0) + 1
    return used


def _scale_words(scale) -> str:
    """«thang 5 mức (từ «Rất không hài lòng» đến «Rất hài lòng»)», with its satisfied levels."""
    labels = {o.value: o.label for o in scale.levels}
    satisfied = " hoặc ".join(f"«{labels[v]}»" for v in scale.satisfied)
    return (f"thang {len(scale.levels)} mức (từ «{scale.levels[0].label}» đến "
            f"«{scale.levels[-1].label}»), tính là hài lòng khi chọn {satisfied}")


def _method(layout) -> str:
    used = _scales_used(layout)
    scales = "; ".join(f"{n} câu theo {_scale_words(layout.scales[sid])}"
                       for sid, n in used.items())
    by = f"nhóm theo {len(layout.criteria)} tiêu chí" if layout.criteria else "không chia tiêu chí"
    return (f"Phiếu khảo sát ({layout.id}) gồm {len(layout.questions)} câu hỏi; các câu đánh "
            f"giá ({by}): {scales}. Chỉ số hài lòng của mỗi câu là tỷ lệ người trả lời chọn "
            "mức hài lòng trên số người trả lời câu đó (không tính câu để trống). Mỗi người trả "
            "lời có một điểm từ 0 đến 1: tỷ lệ câu hài lòng trong từng tiêu chí, lấy trung bình "
            "các tiêu chí; phiếu không trả lời câu đánh giá nào không được tính là người trả "
            "lời. Chỉ số của đơn vị là trung bình điểm của người trả lời; khoảng tin cậy 95% "
            "tính theo phân phối t từ độ phân tán của điểm, có hiệu chỉnh quần thể hữu hạn khi "
            "kế hoạch cho biết số hồ sơ trong kỳ; đơn vị khảo sát toàn bộ hồ sơ không có khoảng "
            "tin cậy. Hai đơn vị có khoảng tin cậy chồng nhau không được xếp hạng khác nhau. "
            f"Câu có ít hơn {MIN_ANSWERS} người trả lời vẫn được trình bày nhưng không được "
            "đưa vào danh sách nội dung cần cải thiện.")


def _interval(low: float, high: float, census: bool) -> str:
    if census:
        return f"{FULL_COUNT}, không có sai số chọn mẫu"
    return f"khoảng tin cậy 95%: {_pct(low)} – {_pct(high)}"


def _overall(units: pd.DataFrame, layout) -> str:
    o = units.attrs["overall"]
    counts = (f"Tổng số phiếu hợp lệ: <b>{o['sheets']}</b> (đã đọc tự động hoặc đã duyệt), "
              f"trong đó {o['respondents']} người có trả lời câu đánh giá; phiếu chờ duyệt: "
              f"{int(units['waiting'].sum())}; phiếu bị loại: {int(units['rejected'].sum())}.")
    if not o["respondents"]:
        return counts + " Chưa có phiếu nào được tính: chưa có kết quả để báo cáo."
    how = ("bình quân các đơn vị có trọng số theo số hồ sơ trong kỳ" if o["weighted"] else
           "gộp chung mọi người trả lời, không có trọng số (kế hoạch chưa cho biết số hồ sơ "
           "của mọi đơn vị)")
    return (counts + f" Chỉ số hài lòng chung ({how}): <b>{_pct(o['index'])}</b> "
            f"({_interval(o['ci_low'], o['ci_high'], o['census'])}); điểm trung bình "
            f"{_num(o['mean'])}/{units.attrs['top']}.")


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _footer(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(REGULAR, 7.5)
    canvas.drawCentredString(A4[0] / 2, 9 * mm, f"Trang {doc.page}")
    canvas.restoreState()


def _unit_page(results: Results, campaign: Campaign, u, st, crit_names, texts) -> list:
    row = results.units[results.units["unit_code"] == u.code].iloc[0]
    out = [PageBreak(), Paragraph(f"ĐƠN VỊ: {_esc(u.name).upper()} ({u.code})", st["h1"]),
           Paragraph(f"Số phiếu hợp lệ: {row['sheets']}; chờ duyệt: {row['waiting']}; bị loại: "
                     f"{row['rejected']}; cỡ mẫu tối thiểu: {enough_word(row['enough'])}. "
                     f"Chỉ số hài lòng: <b>{_pct(row['index'])}</b> "
                     f"({_interval(row['ci_low'], row['ci_high'], row['census'])}); điểm trung "
                     f"bình {_num(row['mean'])}/{results.units.attrs['top']}.", st["base"])]
    if not row["sheets"]:
        out.append(Paragraph("Chưa có phiếu hợp lệ nào của đơn vị này.", st["note"]))
        return out
    q = results.questions[results.questions["group"] == u.code]
    levels = results.levels[results.levels["unit_code"] == u.code]
    counts = {(r.question, r.level): r.count for r in levels.itertuples()}
    scale_of = {x.id: x.scale for x in campaign.layout.questions}
    for sid in _scales_used(campaign.layout):  # a table per scale: its own levels
        scale = campaign.layout.scales[sid]
        values = [o.value for o in scale.levels]
        rows = [["Câu", "Nội dung", *[f"Mức {v}" for v in values], "Trống", "Chỉ số",
                 "Điểm TB"]]
        for r in q[q["question"].map(scale_of) == sid].itertuples():
            shares = [counts.get((r.question, v), 0) / r.answered if r.answered else math.nan
                      for v in values]
            rows.append([r.question, texts[r.question], *[_pct(x) for x in shares], r.blank,
                         _pct(r.index), _num(r.mean)])
        legend = ", ".join(f"{o.value}: {o.label}" for o in scale.levels)
        out.append(Paragraph(f"Tỷ lệ người trả lời chọn từng mức ({legend}), chỉ số hài lòng "
                             "và điểm trung bình của từng câu:", st["small"]))
        level_w = min(14 * mm, 70 * mm / len(values))
        out.append(_table(rows, [12 * mm, 45 * mm, *[level_w] * len(values), 13 * mm, 17 * mm,
                                 13 * mm], st))
    multi = results.multi[results.multi["unit_code"] == u.code]
    if len(multi):
        out.append(Paragraph("Nội dung người dân đề nghị cải thiện (được chọn nhiều)", st["h2"]))
        out.append(Paragraph("; ".join(f"{_esc(r.label)}: {r.count} ({_pct(r.share)})"
                                       for r in multi.itertuples()), st["small"]))
    notes = results.texts[results.texts["unit_code"] == u.code]
    if len(notes):
        out.append(Paragraph("Ý kiến khác", st["h2"]))
        for r in notes.itertuples():
            text = "(viết tay, chưa gõ lại — xem ảnh trên trang duyệt)" if r.picture_only \
                else f"«{_esc(r.text)}»"
            out.append(Paragraph(f"Phiếu {r.sheet_id}: {text}", st["small"]))
    return out
