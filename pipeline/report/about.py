"""Section I of the report: what the survey rests on, who was asked, how the index is made,
and what came back against the plan.
"""

from __future__ import annotations

import math

import pandas as pd

from phieu.forms.layout import Layout

from .blocks import (
    Document,
    Grid,
    bold,
    count,
    para,
    pct,
)
from .results import Overall, Results, enough_word, scales_used

PURPOSE = ("Đánh giá khách quan chất lượng phục vụ của cơ quan hành chính nhà nước qua ý kiến "
           "của người dân, tổ chức trực tiếp giải quyết thủ tục hành chính; nắm bắt yêu cầu, "
           "mong muốn của người dân, tổ chức để có biện pháp cải thiện chất lượng phục vụ.")


def subject(layout: Layout) -> str:
    """The trích yếu: the layout's own, or made from its subtitle (service, area, year)."""
    if layout.report.subject:
        return layout.report.subject
    about = layout.subtitle or f"khảo sát tại {layout.area}"
    return "Kết quả khảo sát " + about[:1].lower() + about[1:]


def opening(layout: Layout) -> str:
    """Thực hiện … (the plans the survey carries out), then what follows."""
    basis = layout.report.basis
    said = ("Thực hiện " + "; ".join(basis) + ", " if basis else "")
    what = "kết quả khảo sát sự hài lòng của người dân, tổ chức được báo cáo như sau:"
    return said + what if said else what[:1].upper() + what[1:]


def _scale_words(scale) -> str:
    """'5 mức, từ "Rất không hài lòng" đến "Rất hài lòng"'; satisfied when …"""
    labels = {o.value: o.label for o in scale.levels}
    satisfied = " hoặc ".join(f"“{labels[v]}”" for v in scale.satisfied)
    return (f"{len(scale.levels)} mức, từ “{scale.levels[0].label}” đến "
            f"“{scale.levels[-1].label}”; người trả lời được tính là hài lòng khi chọn "
            f"{satisfied}")


def method_text(layout: Layout, weighted: bool) -> str:
    """How the index is made and what its interval means, in words read aloud."""
    used = scales_used(layout)
    scales = "; ".join(f"{n} câu có {_scale_words(layout.scales[sid])}"
                       for sid, n in used.items())
    graded = sum(used.values())
    by = (f", chia thành {len(layout.criteria)} nhóm tiêu chí" if layout.criteria else "")
    each = ("tỷ lệ câu được đánh giá hài lòng trong từng tiêu chí, rồi lấy trung bình các tiêu "
            "chí (mỗi tiêu chí nặng như nhau)" if layout.criteria else
            "tỷ lệ câu được đánh giá hài lòng")
    whole = ("bình quân các đơn vị theo số hồ sơ mỗi đơn vị giải quyết trong năm (đơn vị "
             "nhiều hồ sơ có trọng số lớn hơn)" if weighted else
             "tính chung mọi người trả lời của các đơn vị (kế hoạch chưa cho biết số hồ sơ "
             "của mọi đơn vị nên không tính được trọng số)")
    return (f"Phiếu có {graded} câu hỏi đánh giá{by}; {scales}. Với mỗi người trả lời, "
            f"máy tính {each}. Chỉ số hài lòng của một đơn vị là mức trung bình đó của mọi "
            f"người trả lời tại đơn vị; chỉ số chung của toàn địa bàn là {whole}; các con số "
            "chung trong báo cáo (theo tiêu chí, theo kênh) đều tính cùng một cách này. Vì chỉ "
            "hỏi một phần những người đã đến giao dịch, mỗi chỉ số kèm một khoảng tin cậy "
            "95%: nếu hỏi được tất cả những người đã giao dịch trong kỳ, chỉ số thật nằm trong "
            "khoảng đó với độ tin cậy 95%. Khoảng càng hẹp thì kết quả càng chắc; khoảng rộng "
            "hơn ±15 điểm phần trăm được ghi là “mẫu quá nhỏ”. Cách tính chi tiết ở phụ lục "
            "Ghi chú phương pháp.")


def about(doc: Document, results: Results, layout: Layout) -> None:
    units = results.units
    o = results.overall
    info = layout.report
    doc.add(para("I. KHÁI QUÁT VỀ CUỘC KHẢO SÁT", style="h1"),
            para("1. Mục đích", style="h2"), para(PURPOSE),
            para("2. Đối tượng, thời gian và cách thức khảo sát", style="h2"))
    who = [f"Người được hỏi: {info.sampling}." if info.sampling else "",
           f"Các giao dịch được hỏi đến: {info.transactions}." if info.transactions else "",
           f"Thời gian khảo sát: {layout.period}." if layout.period else "",
           f"Đơn vị thực hiện: {info.surveyed_by}." if info.surveyed_by else "",
           f"Phạm vi: {len(layout.units)} đơn vị"
           + (f" thuộc {layout.area}" if layout.area else "")
           + "; phiếu giấy"
           + (f" (trong đó {count(o.captured)} phiếu đọc từ ảnh chụp bằng điện thoại tại "
              "bộ phận một cửa)" if o.captured else "")
           + (", và phiếu trả lời trực tuyến" if o.other else "") + "."]
    doc.add(para(" ".join(w for w in who if w)))
    doc.add(para("3. Cách tính chỉ số hài lòng", style="h2"),
            para(method_text(layout, o.weighted)),
            para("4. Số phiếu in, thu về và hợp lệ", style="h2"))
    planned = units["planned"].dropna()
    doc.add(para(
        f"Số phiếu đã in: {count(units['printed'].sum())}"
        + (f" (kế hoạch: {count(planned.sum())})" if len(planned) else " (chưa có kế hoạch)")
        + f"; số phiếu thu về: {count(units['returned'].sum())}"
        + (f"; câu trả lời trực tuyến và qua kênh khác: {count(o.other)}"
           if o.other else "") + "; hợp lệ: ",
        bold(count(o.sheets)),
        f", trong đó {count(o.respondents)} người có trả lời câu đánh giá; chờ duyệt: "
        f"{count(units['waiting'].sum() + o.unplaced)}; bị loại: "
        f"{count(units['rejected'].sum())}."))
    _copies_and_blanks(doc, units)
    other = bool(o.other)  # a column for answers from other channels, when any came
    rows = [["Đơn vị", "Phiếu in", "Thu về", *(["Kênh khác"] if other else []), "Hợp lệ",
             "Chờ duyệt", "Bị loại", "Cỡ mẫu tối thiểu", "Đạt cỡ mẫu"]]
    for r in units.itertuples():
        rows.append([r.unit_name, count(r.printed), count(r.returned),
                     *([count(r.other)] if other else []), count(r.sheets),
                     count(r.waiting), count(r.rejected), count(r.min_sample),
                     enough_word(r.enough)])
    if o.unplaced or o.other_unplaced:  # what belongs to no unit, shown as such
        rows.append(["Chưa xác định đơn vị", "—", "—",
                     *([count(o.other_unplaced)] if other else []), "0",
                     count(o.unplaced), "0", "—", ""])
    rows.append(["Tổng cộng", count(units["printed"].sum()), count(units["returned"].sum()),
                 *([count(o.other)] if other else []),
                 count(units["sheets"].sum()), count(units["waiting"].sum() + o.unplaced),
                 count(units["rejected"].sum()),
                 count(o.minimum) if o.minimum is not None else "—", ""])
    widths = [44, 14, 14, *([15] if other else []), 15, 16, 14, 20, 18]
    doc.add(Grid(rows, widths))
    if o.unplaced:
        doc.add(para(f"{count(o.unplaced)} mục chưa xác định được đơn vị (trang chưa đọc "
                     "được mã phiếu, câu trả lời trực tuyến không ghi đơn vị) đang chờ người "
                     "duyệt và chưa được tính.", style="note"))
    doc.add(para(sample_text(units, o)))


def sample_text(units: pd.DataFrame, o: Overall) -> str:
    """How much of the plan came back, and what the results under the minimum are worth."""
    if o.minimum is None:
        return ("Chưa có kế hoạch cỡ mẫu: báo cáo chưa so được số phiếu với cỡ mẫu tối thiểu, "
                "nên chưa nói được kết quả đại diện đến đâu.")
    planned = units["planned"].dropna()
    came = (f"Đã thu về {count(units['returned'].sum())} trên {count(planned.sum())} phiếu "
            f"theo kế hoạch ({pct(units['returned'].sum() / planned.sum())}). "
            if len(planned) and planned.sum() else "")
    share = o.sheets / o.minimum if o.minimum else math.nan
    said = (came + f"Số phiếu hợp lệ ({count(o.sheets)}) bằng {pct(share)} cỡ mẫu tối "
            f"thiểu ({count(o.minimum)} phiếu); {count(o.short)}/{len(units)} đơn vị "
            "chưa đủ cỡ mẫu.")
    if o.short:
        said += (" Kết quả của các đơn vị chưa đủ cỡ mẫu chỉ có giá trị tham khảo, chưa đại "
                 "diện cho ý kiến của người dân, tổ chức đã giao dịch tại đơn vị, và các đơn "
                 "vị này không được xếp hạng.")
    if o.sheets < o.minimum:
        said += " Chỉ số chung cũng chỉ có giá trị tham khảo."
    return said


def _copies_and_blanks(doc: Document, units: pd.DataFrame) -> None:
    """Papers on photocopied forms (why a unit may return more than it printed) and forms
    scanned blank (why they are not among those returned)."""
    copied = units[units["copies"] > 0]
    if len(copied):
        over = copied[copied["returned"] > copied["printed"]]
        doc.add(para(
            f"Có {count(int(copied['copies'].sum()))} tờ phiếu là bản photo của một phiếu đã "
            "in (cùng mã phiếu với một tờ khác nhưng khác câu trả lời): mỗi tờ là một người "
            "trả lời và được tính riêng ("
            + "; ".join(f"{r.unit_name}: {count(r.copies)}" for r in copied.itertuples())
            + ")." + (" Vì vậy số phiếu thu về của "
                      + ", ".join(over["unit_name"]) + " nhiều hơn số phiếu đã in."
                      if len(over) else "")))
    blank = units[units["blank"] > 0]
    if len(blank):
        doc.add(para(
            f"Đã quét {count(int(blank['blank'].sum()))} phiếu trắng (không có dấu tô hay chữ "
            "viết nào: phiếu chưa phát ra, hoặc tệp in phiếu bị quét nhầm); phiếu trắng không "
            "được tính là phiếu thu về ("
            + "; ".join(f"{r.unit_name}: {count(r.blank)}" for r in blank.itertuples()) + ")."))
