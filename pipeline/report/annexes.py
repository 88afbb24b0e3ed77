"""The report's appendices: each unit's detail and the notes on the method.
"""

from __future__ import annotations

import math

from phieu.forms.layout import Layout

from ..review.audit import sentence
from .blocks import (
    Document,
    Grid,
    Keep,
    bold,
    count,
    num,
    para,
    pct,
)
from .breakdowns import MIN_ANSWERS
from .estimate import too_wide
from .results import Results, enough_word, scales_used
from .words import SHORT, interval, short, span, units_text


def method_notes(results: Results, layout: Layout) -> list[str]:
    """The technical detail behind section I, for whoever checks the numbers."""
    o = results.overall
    return [
        f"Mẫu phiếu: {layout.id}, phiên bản {layout.version}. " + units_text(layout),
        "Chỉ số hài lòng của một câu hỏi là tỷ lệ người trả lời chọn mức hài lòng trên số "
        "người trả lời câu đó (câu để trống không tính vào mẫu số); khoảng tin cậy 95% của "
        "nó là khoảng Wilson của một tỷ lệ. Câu có ít hơn "
        f"{MIN_ANSWERS} người trả lời vẫn được trình bày nhưng không được đưa vào danh sách "
        "nội dung có chỉ số thấp nhất.",
        "Điểm của mỗi người trả lời (từ 0 đến 1) là tỷ lệ câu hài lòng trong từng tiêu chí, "
        "lấy trung bình các tiêu chí người đó có trả lời; phiếu không trả lời câu đánh giá nào "
        "không được tính là người trả lời. Chỉ số của đơn vị là trung bình điểm của người trả "
        "lời; khoảng tin cậy 95% tính theo phân phối t từ độ phân tán của điểm, có hiệu chỉnh "
        "quần thể hữu hạn khi kế hoạch cho biết số hồ sơ trong năm; đơn vị khảo sát toàn bộ "
        "hồ sơ không có sai số chọn mẫu. Chỉ số theo tiêu chí của đơn vị là trung bình điểm "
        "tiêu chí của những người trả lời tiêu chí đó.",
        "Chỉ số chung, chỉ số chung theo tiêu chí và theo kênh: "
        + ("ước lượng phân tầng, mỗi đơn vị là một tầng có trọng số bằng tỷ lệ hồ sơ của đơn "
           "vị trong tổng số hồ sơ; phương sai cộng từ các tầng, bậc tự do theo Satterthwaite."
           if o.weighted else
           "trung bình điểm của mọi người trả lời, không có trọng số (kế hoạch chưa cho biết "
           "số hồ sơ của mọi đơn vị có người trả lời).")
        + " Chỉ số theo nhóm người trả lời (Phần I của phiếu) tính chung mọi người trong "
        "nhóm, không có trọng số.",
        "Xếp hạng: đơn vị đạt cỡ mẫu tối thiểu (hoặc chưa có kế hoạch) được xếp theo chỉ số "
        "từ cao xuống thấp, cùng hạng khi chỉ số bằng nhau; đơn vị chưa đủ cỡ mẫu không được "
        "xếp hạng. Điểm trung bình của đơn vị là trung bình điểm (1 đến "
        f"{results.overall.top}) của các câu trên thang chính, mỗi câu một trọng số.",
        "Phiếu được tính: phiếu máy đọc chắc chắn mọi câu, và phiếu máy chưa chắc đã được "
        "người duyệt lại; phiếu chờ duyệt và phiếu bị loại được đếm riêng. "
        + sentence(results.audit),
    ] + ([f"Trong số phiếu giấy được tính, {count(o.captured)} phiếu được đọc từ ảnh chụp "
          "bằng điện thoại tại bộ phận một cửa (mỗi ảnh được kiểm tra độ nét, ánh sáng, góc "
          "chụp trước khi đọc; ảnh không đạt được chụp lại ngay), số còn lại từ bản quét."]
         if o.captured else [])


def unit_detail(doc: Document, results: Results, layout: Layout, u) -> None:
    row = results.units[results.units["unit_code"] == u.code].iloc[0]
    top = results.overall.top
    head = [para(f"{u.name.upper()} ({u.code})", style="h1"),
            para(f"Phiếu in: {count(row['printed'])}; thu về: {count(row['returned'])}"
                 + (f" (trong đó bản photo: {count(row['copies'])})" if row["copies"] else "")
                 + "; " + (f"phiếu trắng, không tính: {count(row['blank'])}; "
                           if row["blank"] else "")
                 + (f"qua kênh khác: {count(row['other'])}; " if row["other"] else "")
                 + f"hợp lệ: {count(row['sheets'])}; chờ duyệt: {count(row['waiting'])}; bị loại: "
                 f"{count(row['rejected'])}; cỡ mẫu tối thiểu: {count(row['min_sample'])} "
                 f"({enough_word(row['enough'])}).")]
    if not row["respondents"]:
        doc.add(Keep((*head, para("Chưa có phiếu hợp lệ nào có trả lời câu đánh giá của đơn "
                                  "vị này.", style="note"))))
        return
    under = short(row["enough"])
    head.append(para("Chỉ số hài lòng: ", pct(row["index"]) if under else bold(pct(row["index"])),
                     f" ({interval(row['ci_low'], row['ci_high'], row['census'], row['wide'])})"
                     + (f"; {SHORT}, chỉ có giá trị tham khảo" if under else "")
                     + f"; điểm trung bình {num(row['mean'])}/{top}."))
    multi = results.multi[results.multi["unit_code"] == u.code]
    if len(multi):
        head.append(para("Nội dung đề nghị cải thiện: " + "; ".join(
            f"{r.label}: {count(r.count)} ({pct(r.share)})" for r in multi.itertuples()) + ".",
            style="small"))
    texts = {q.id: q.text for q in layout.questions}
    numbers = layout.numbers
    q = results.questions[results.questions["group"] == u.code]
    levels = results.levels[results.levels["unit_code"] == u.code]
    counts = {(r.question, r.level): r.count for r in levels.itertuples()}
    scale_of = {x.id: x.scale for x in layout.questions}
    for sid in scales_used(layout):  # a table per scale: its own levels
        scale = layout.scales[sid]
        values = [o.value for o in scale.levels]
        rows = [["Câu hỏi", *[f"Mức {v}" for v in values], "Để trống",
                 "Chỉ số", "Khoảng tin cậy 95%", "Điểm TB"]]
        for r in q[q["question"].map(scale_of) == sid].itertuples():
            shares = [counts.get((r.question, v), 0) / r.answered if r.answered else math.nan
                      for v in values]
            rows.append([f"Câu {numbers[r.question]}. {texts[r.question]}",
                         *[num(x * 100, 1) for x in shares], count(r.blank), pct(r.index),
                         "—" if not r.answered else
                         span(r.ci_low, r.ci_high, False, too_wide(r.ci_low, r.ci_high)),
                         num(r.mean)])
        legend = ", ".join(f"{o.value}: {o.label}" for o in scale.levels)
        level_w = min(11.0, 60 / len(values))
        head += [para(f"Tỷ lệ (%) người trả lời chọn từng mức ({legend}), số câu để trống, chỉ số "
                      "hài lòng của từng câu với khoảng tin cậy 95% và điểm trung bình:",
                      style="small"),
                 Grid(rows, [165 - 11 - 14 - 22 - 11 - level_w * len(values),
                             *[level_w] * len(values), 11, 14, 22, 11])]
    doc.add(Keep(tuple(head)))  # a unit on a page of its own when it fits
