"""What the report of results says, in the form of an administrative report.

Masthead (issuing body, Quốc hiệu and tiêu ngữ, number, place and date),
title, then: purpose and method; forms printed, returned and valid; the
overall index; results per criterion and per unit with the ranking; by
respondent group; the lowest-rated questions; what respondents asked to
improve; their written comments; recommendations left for the office to
write; Nơi nhận and the signature. An appendix gives each unit's detail.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from phieu.forms.layout import Layout
from phieu.forms.units import unit_scheme_words
from phieu.omr.vocabulary import channel_words

from .audit import sentence
from .campaign import Campaign
from .charts import criteria_bars, index_bars
from .report_doc import (
    BLANK,
    Document,
    Grid,
    Masthead,
    PageBreak,
    Picture,
    Signature,
    bold,
    count,
    num,
    para,
    pct,
)
from .results import FULL_COUNT, MIN_ANSWERS, Results, enough_word, scales_used

PURPOSE = ("Đánh giá khách quan chất lượng phục vụ của cơ quan hành chính nhà nước qua ý kiến "
           "của người dân, tổ chức trực tiếp giải quyết thủ tục hành chính; nắm bắt yêu cầu, "
           "mong muốn của người dân, tổ chức để có biện pháp cải thiện chất lượng phục vụ.")


def build(results: Results, campaign: Campaign, today: date | None = None) -> Document:
    layout = campaign.layout
    today = today or date.today()
    info = layout.report
    doc = Document(f"Báo cáo kết quả khảo sát — {layout.area}")
    doc.add(Masthead(info, today.day, today.month, today.year),
            para("BÁO CÁO", style="title"),
            para(f"Kết quả khảo sát sự hài lòng của người dân, tổ chức"
                 f"{' — ' + layout.area if layout.area else ''}", style="subject"))
    period = f" (thời gian khảo sát: {layout.period})" if layout.period else ""
    doc.add(para(f"Kết quả khảo sát sự hài lòng của người dân, tổ chức{period} được báo cáo "
                 "như sau:"))
    _method(doc, results, layout)
    _results(doc, results, layout)
    doc.add(para("III. KIẾN NGHỊ, ĐỀ XUẤT", style="h1"),
            *[para(BLANK * 20, style="dots") for _ in range(4)],
            para("Trên đây là báo cáo kết quả khảo sát sự hài lòng của người dân, tổ chức./."),
            Signature(info))
    doc.add(PageBreak(), para("PHỤ LỤC: KẾT QUẢ CHI TIẾT THEO ĐƠN VỊ", style="title"))
    for u in layout.units:
        _unit(doc, results, layout, u)
    return doc


def _scale_words(scale) -> str:
    """«thang 5 mức (từ «Rất không hài lòng» đến «Rất hài lòng»)», with its satisfied levels."""
    labels = {o.value: o.label for o in scale.levels}
    satisfied = " hoặc ".join(f"«{labels[v]}»" for v in scale.satisfied)
    return (f"thang {len(scale.levels)} mức (từ «{scale.levels[0].label}» đến "
            f"«{scale.levels[-1].label}»), tính là hài lòng khi chọn {satisfied}")


def method_text(layout: Layout) -> str:
    used = scales_used(layout)
    scales = "; ".join(f"{n} câu theo {_scale_words(layout.scales[sid])}"
                       for sid, n in used.items())
    by = f"nhóm theo {len(layout.criteria)} tiêu chí" if layout.criteria else "không chia tiêu chí"
    return (f"Phiếu khảo sát ({layout.id}) gồm {len(layout.questions)} câu hỏi; các câu đánh "
            f"giá ({by}): {scales}. Chỉ số hài lòng của mỗi câu là tỷ lệ người trả lời chọn "
            "mức hài lòng trên số người trả lời câu đó (không tính câu để trống), với khoảng tin "
            "cậy 95% Wilson của một tỷ lệ. Mỗi người trả "
            "lời có một điểm từ 0 đến 1: tỷ lệ câu hài lòng trong từng tiêu chí, lấy trung bình "
            "các tiêu chí; phiếu không trả lời câu đánh giá nào không được tính là người trả "
            "lời. Chỉ số của đơn vị là trung bình điểm của người trả lời; khoảng tin cậy 95% "
            "tính theo phân phối t từ độ phân tán của điểm, có hiệu chỉnh quần thể hữu hạn khi "
            "kế hoạch cho biết số hồ sơ trong kỳ; đơn vị khảo sát toàn bộ hồ sơ không có khoảng "
            "tin cậy. Hai đơn vị có khoảng tin cậy chồng nhau không được xếp hạng khác nhau. "
            f"Câu có ít hơn {MIN_ANSWERS} người trả lời vẫn được trình bày nhưng không được "
            "đưa vào danh sách nội dung có chỉ số thấp nhất. Chỉ phiếu đọc chắc chắn hoặc đã "
            "được người duyệt mới được tính; phiếu chờ duyệt và phiếu bị loại được đếm riêng. "
            + units_text(layout))


BARS_A_CHART = 25  # a chart of units fits a page


def units_text(layout: Layout) -> str:
    """Which units, and what their codes mean (a code alone no longer says which unit)."""
    source = f"; nguồn: {layout.units_source}" if layout.units_source else ""
    return (f"Khảo sát tại {len(layout.units)} đơn vị; mã đơn vị theo "
            f"{unit_scheme_words(layout.unit_scheme)}{source}.")


def _interval(low: float, high: float, census: bool) -> str:
    if low != low and not census:
        return "chưa đủ người trả lời để tính khoảng tin cậy"
    if census:
        return f"{FULL_COUNT}, không có sai số chọn mẫu"
    return f"khoảng tin cậy 95%: {pct(low)} – {pct(high)}"


def _span(low: float, high: float, census: bool) -> str:
    """An interval in a table cell."""
    if census:
        return FULL_COUNT
    return "—" if low != low else f"{pct(low)} – {pct(high)}"


def _method(doc: Document, results: Results, layout: Layout) -> None:
    units = results.units
    o = units.attrs["overall"]
    doc.add(para("I. MỤC ĐÍCH, PHƯƠNG PHÁP VÀ MẪU KHẢO SÁT", style="h1"),
            para("1. Mục đích", style="h2"), para(PURPOSE),
            para("2. Phương pháp", style="h2"), para(method_text(layout)),
            para("3. Số phiếu phát ra, thu về và hợp lệ", style="h2"))
    planned = units["planned"].dropna()
    doc.add(para(
        f"Số phiếu đã in: {count(units['printed'].sum())}"
        + (f" (kế hoạch: {count(planned.sum())})" if len(planned) else " (chưa có kế hoạch)")
        + f"; số phiếu thu về: {count(units['returned'].sum())}"
        + (f"; câu trả lời qua kênh khác (trực tuyến, …): {count(o['other'])}"
           if o["other"] else "") + "; hợp lệ: ",
        bold(count(o["sheets"])),
        f" (đọc tự động chắc chắn hoặc đã duyệt), trong đó {count(o['respondents'])} người có "
        f"trả lời câu đánh giá; chờ duyệt: {count(units['waiting'].sum())}; bị loại: "
        f"{count(units['rejected'].sum())}."
        + (f" Ngoài ra còn {count(o['unplaced'])} mục chờ duyệt chưa rõ thuộc đơn vị nào "
           "(trang chưa xác định được phiếu, câu trả lời nhập từ tệp không ghi đơn vị); "
           "chưa được tính." if o["unplaced"] else "")))
    _copies_and_blanks(doc, units)
    other = bool(o["other"])  # a column for answers from other channels, when any came
    rows = [["Đơn vị", "Phiếu in", "Thu về", *(["Kênh khác"] if other else []), "Hợp lệ",
             "Chờ duyệt", "Bị loại", "Cỡ mẫu tối thiểu", "Đạt cỡ mẫu"]]
    for r in units.itertuples():
        rows.append([r.unit_name, count(r.printed), count(r.returned),
                     *([count(r.other)] if other else []), count(r.sheets),
                     count(r.waiting), count(r.rejected), count(r.min_sample),
                     enough_word(r.enough)])
    rows.append(["Tổng cộng", count(units["printed"].sum()), count(units["returned"].sum()),
                 *([count(units["other"].sum())] if other else []),
                 count(units["sheets"].sum()), count(units["waiting"].sum()),
                 count(units["rejected"].sum()),
                 count(units["min_sample"].dropna().sum()) if units["min_sample"].notna().any()
                 else "—", ""])
    widths = [46, 15, 15, *([15] if other else []), 15, 17, 15, 22, 29]
    doc.add(Grid(rows, widths), para(sentence(results.audit)))


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


def _overall(results: Results) -> list:
    units = results.units
    o = units.attrs["overall"]
    if not o["respondents"]:
        return [para("Chưa có phiếu nào được tính: chưa có kết quả để báo cáo.")]
    how = ("bình quân các đơn vị có trọng số theo số hồ sơ trong kỳ" if o["weighted"] else
           "gộp chung mọi người trả lời, không có trọng số (kế hoạch chưa cho biết số hồ sơ "
           "của mọi đơn vị)")
    return [para(f"Chỉ số hài lòng chung ({how}): ", bold(pct(o["index"])),
                 f" ({_interval(o['ci_low'], o['ci_high'], o['census'])}); điểm trung bình "
                 f"{num(o['mean'])}/{units.attrs['top']}.")]


def _channels(doc: Document, results: Results) -> None:
    """How many answers came by each channel (paper, online, …), and each one's index."""
    ch = results.channels
    whole = ch[ch["group"] == ""].sort_values("sheets", ascending=False)
    said = "; ".join(f"{channel_words(r.channel).lower()}: {count(r.sheets)} phiếu"
                     for r in whole.itertuples())
    doc.add(para(f"Các phiếu được tính theo kênh thu thập ý kiến: {said}."))
    if len(whole) < 2:
        return
    rows = [["Kênh thu thập", "Số phiếu được tính", "Số người trả lời", "Chỉ số hài lòng"]]
    rows += [[channel_words(r.channel), count(r.sheets), count(r.respondents), pct(r.index)]
             for r in whole.itertuples()]
    o = results.units.attrs["overall"]
    rows.append(["Tổng", count(int(whole["sheets"].sum())), count(o["respondents"]),
                 pct(o["index"])])
    doc.add(Grid(rows, [60, 38, 38, 38]))
    names = {u.unit_code: u.unit_name for u in results.units.itertuples()}
    order = list(whole["channel"])
    per = ch[ch["group"] != ""].set_index(["group", "channel"])
    rows = [["Đơn vị", *[channel_words(c) for c in order]]]
    for code, name in names.items():
        if code in per.index.get_level_values(0):
            rows.append([name, *[_n_index(per, code, c) for c in order]])
    doc.add(para("Số phiếu được tính và chỉ số hài lòng của từng đơn vị theo kênh:",
                 style="small"), Grid(rows, [62] + [112 / len(order)] * len(order)))


def _n_index(per: pd.DataFrame, unit: str, channel: str) -> str:
    if (unit, channel) not in per.index:
        return "—"
    r = per.loc[(unit, channel)]
    return f"{count(int(r['sheets']))} ({pct(r['index'])})"


def _results(doc: Document, results: Results, layout: Layout) -> None:
    units, crit = results.units, results.criteria
    doc.add(para("II. KẾT QUẢ KHẢO SÁT", style="h1"), para("1. Chỉ số hài lòng chung",
                                                         style="h2"), *_overall(results))
    if not units.attrs["overall"]["respondents"]:
        return
    _channels(doc, results)
    if layout.criteria:
        doc.add(para("2. Kết quả theo tiêu chí", style="h2"))
        whole = crit[crit["group"] == ""].set_index("criterion")["index"]
        doc.add(Picture(criteria_bars([c.name for c in layout.criteria],
                                      [whole.get(c.id, math.nan) for c in layout.criteria],
                                      "Chỉ số hài lòng theo tiêu chí — toàn địa bàn"), 0.9))
        by_unit = crit.set_index(["group", "criterion"])["index"]
        rows = [["Đơn vị", *[f"TC{i}" for i in range(1, len(layout.criteria) + 1)]]]
        for u in layout.units:
            rows.append([u.name, *[pct(by_unit.get((u.code, c.id), math.nan))
                                   for c in layout.criteria]])
        rows.append(["Toàn địa bàn", *[pct(whole.get(c.id, math.nan)) for c in layout.criteria]])
        legend = "; ".join(f"TC{i}: {c.name}" for i, c in enumerate(layout.criteria, 1))
        doc.add(para(f"Chỉ số hài lòng theo tiêu chí của từng đơn vị ({legend}):", style="small"),
                Grid(rows, [62] + [112 / len(layout.criteria)] * len(layout.criteria)))
    doc.add(para("3. Kết quả theo đơn vị và xếp hạng", style="h2"))
    order = units.sort_values(["index", "unit_code"], ascending=[False, True],
                              na_position="last")
    # units with answers, a page's worth of bars a chart (a province has a hundred units);
    # those without are in the table below
    shown = order[order["respondents"] > 0]
    for start in range(0, len(shown), BARS_A_CHART):
        part = shown.iloc[start:start + BARS_A_CHART]
        title = "Chỉ số hài lòng theo đơn vị" + (
            f" ({start + 1}–{start + len(part)})" if len(shown) > BARS_A_CHART else "")
        doc.add(Picture(index_bars(list(part["unit_name"]), list(part["index"]),
                                   list(part["ci_low"]), list(part["ci_high"]),
                                   list(part["census"]), title), 1.0))
    rows = [["Xếp hạng", "Đơn vị", "Số người trả lời", "Chỉ số hài lòng", "KTC 95%",
             f"Điểm TB (1–{units.attrs['top']})"]]
    for r in order.itertuples():
        rows.append(["—" if r.rank is pd.NA else str(int(r.rank)), r.unit_name,
                     count(r.respondents), pct(r.index),
                     _span(r.ci_low, r.ci_high, r.census),
                     num(r.mean)])
    doc.add(Grid(rows, [16, 56, 22, 24, 36, 20]),
            para("Đơn vị cùng thứ hạng có khoảng tin cậy chồng nhau: mẫu chưa đủ để phân biệt.",
                 style="note"))
    _groups(doc, results)
    _lowest(doc, results, layout)
    _asked(doc, results)
    _comments(doc, results, layout)


def _groups(doc: Document, results: Results) -> None:
    if not len(results.groups):
        return
    doc.add(para("4. Theo nhóm người trả lời", style="h2"))
    rows = [["Câu hỏi", "Nhóm", "Số người trả lời", "Chỉ số hài lòng", "KTC 95%"]]
    for r in results.groups.itertuples():
        rows.append([r.question_text, r.label, count(r.sheets), pct(r.index),
                     _span(r.ci_low, r.ci_high, False)])
    doc.add(Grid(rows, [48, 58, 18, 22, 28]))


def _lowest(doc: Document, results: Results, layout: Layout) -> None:
    texts = {q.id: q.text for q in layout.questions}
    doc.add(para("5. Những nội dung có chỉ số hài lòng thấp nhất", style="h2"))
    q = results.questions
    whole = q[(q["group"] == "") & (q["answered"] >= MIN_ANSWERS)].dropna(subset=["index"])
    low = whole.sort_values(["index", "question"]).head(3)
    if len(low):
        doc.add(para("Toàn địa bàn: " + "; ".join(
            f"{texts[r.question]} ({pct(r.index)})" for r in low.itertuples()) + "."))
    for u in layout.units:
        mine = results.improve[results.improve["unit_code"] == u.code]
        if len(mine):
            doc.add(para(bold(u.name), ": " + "; ".join(
                f"{r.text} ({pct(r.index)})" for r in mine.itertuples()) + ".", style="small"))


def _asked(doc: Document, results: Results) -> None:
    multi = results.multi
    if not len(multi):
        return
    whole = multi[multi["unit_code"] == ""].sort_values(["count", "value"],
                                                        ascending=[False, True])
    doc.add(para("6. Nội dung người dân, tổ chức đề nghị cải thiện", style="h2"))
    rows = [["Nội dung", "Số người chọn", "Tỷ lệ"]]
    rows += [[r.label, count(r.count), pct(r.share)] for r in whole.itertuples()]
    doc.add(Grid(rows, [120, 28, 26]))


def _comments(doc: Document, results: Results, layout: Layout) -> None:
    texts = results.texts
    doc.add(para("7. Ý kiến khác của người dân, tổ chức", style="h2"))
    if not len(texts):
        doc.add(para("Không có ý kiến viết thêm trên các phiếu hợp lệ."))
        return
    typed = texts[~texts["picture_only"]]
    unread = int(texts["picture_only"].sum())
    doc.add(para(f"{count(len(texts))} phiếu có ý kiến viết thêm"
                 + (f"; {count(unread)} ý kiến viết tay chưa được gõ lại (xem ảnh trên trang "
                    "duyệt)" if unread else "") + "."))
    names = {u.code: u.name for u in layout.units}
    for code, part in typed.groupby("unit_code", sort=False):
        doc.add(para(bold(f"{names.get(code, code)}: "),
                     "; ".join(f"«{t}» (phiếu {s})" for t, s in zip(part["text"],
                                                                     part["sheet_id"],
                                                                     strict=True)),
                     style="small"))


def _unit(doc: Document, results: Results, layout: Layout, u) -> None:
    row = results.units[results.units["unit_code"] == u.code].iloc[0]
    top = results.units.attrs["top"]
    doc.add(para(f"{u.name.upper()} ({u.code})", style="h1"),
            para(f"Phiếu in: {count(row['printed'])}; thu về: {count(row['returned'])}"
                 + (f" (trong đó bản photo: {count(row['copies'])})" if row["copies"] else "")
                 + "; " + (f"phiếu trắng, không tính: {count(row['blank'])}; "
                           if row["blank"] else "")
                 + (f"qua kênh khác: {count(row['other'])}; " if row["other"] else "")
                 + f"hợp lệ: {count(row['sheets'])}; chờ duyệt: {count(row['waiting'])}; bị loại: "
                 f"{count(row['rejected'])}; cỡ mẫu tối thiểu: {count(row['min_sample'])} "
                 f"({enough_word(row['enough'])})."))
    if row["respondents"]:
        doc.add(para("Chỉ số hài lòng: ", bold(pct(row["index"])),
                     f" ({_interval(row['ci_low'], row['ci_high'], row['census'])}); điểm "
                     f"trung bình {num(row['mean'])}/{top}."))
    else:
        doc.add(para("Chưa có phiếu hợp lệ nào có trả lời câu đánh giá của đơn vị này.",
                     style="note"))
        return
    texts = {q.id: q.text for q in layout.questions}
    q = results.questions[results.questions["group"] == u.code]
    levels = results.levels[results.levels["unit_code"] == u.code]
    counts = {(r.question, r.level): r.count for r in levels.itertuples()}
    scale_of = {x.id: x.scale for x in layout.questions}
    for sid in scales_used(layout):  # a table per scale: its own levels
        scale = layout.scales[sid]
        values = [o.value for o in scale.levels]
        rows = [["Câu", "Nội dung", *[f"Mức {v}" for v in values], "Trống", "Chỉ số",
                 "KTC 95%", "Điểm TB"]]
        for r in q[q["question"].map(scale_of) == sid].itertuples():
            shares = [counts.get((r.question, v), 0) / r.answered if r.answered else math.nan
                      for v in values]
            rows.append([r.question, texts[r.question], *[pct(x) for x in shares],
                         count(r.blank), pct(r.index), _span(r.ci_low, r.ci_high, False),
                         num(r.mean)])
        legend = ", ".join(f"{o.value}: {o.label}" for o in scale.levels)
        doc.add(para(f"Tỷ lệ người trả lời chọn từng mức ({legend}), số câu để trống, chỉ số "
                     "hài lòng của từng câu với khoảng tin cậy 95% (Wilson) và điểm trung "
                     "bình:", style="small"))
        level_w = min(13.5, 67.5 / len(values))
        doc.add(Grid(rows, [11, 174 - 11 - 11 - 15 - 26 - 12 - level_w * len(values),
                            *[level_w] * len(values), 11, 15, 26, 12]))
    multi = results.multi[results.multi["unit_code"] == u.code]
    if len(multi):
        doc.add(para("Nội dung đề nghị cải thiện: " + "; ".join(
            f"{r.label}: {count(r.count)} ({pct(r.share)})" for r in multi.itertuples()) + ".",
            style="small"))
