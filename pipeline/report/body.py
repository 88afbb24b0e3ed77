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
from phieu.omr.vocabulary import PAPER, channel_words

from ..campaign import Campaign
from ..review.audit import sentence
from .blocks import (
    BLANK,
    Appendix,
    Document,
    Grid,
    Keep,
    Masthead,
    Para,
    Picture,
    Signature,
    bold,
    count,
    num,
    para,
    pct,
)
from .charts import criteria_bars, index_bars
from .estimate import TOO_WIDE
from .results import FULL_COUNT, MIN_ANSWERS, Overall, Results, enough_word, scales_used

PURPOSE = ("Đánh giá khách quan chất lượng phục vụ của cơ quan hành chính nhà nước qua ý kiến "
           "của người dân, tổ chức trực tiếp giải quyết thủ tục hành chính; nắm bắt yêu cầu, "
           "mong muốn của người dân, tổ chức để có biện pháp cải thiện chất lượng phục vụ.")
SHORT = "chưa đủ cỡ mẫu"  # beside an index whose unit is under its minimum sample
TOO_SMALL = "mẫu quá nhỏ"  # instead of an interval too wide to tell anything
MARK = " (*)"  # a unit under its minimum sample, in a table


def build(results: Results, campaign: Campaign, today: date | None = None) -> Document:
    layout = campaign.layout
    today = today or date.today()
    info = layout.report
    doc = Document(f"Báo cáo kết quả khảo sát — {layout.area}")
    doc.add(Masthead(info, today.day, today.month, today.year),
            para("BÁO CÁO", style="title"), para(subject(layout), style="subject"))
    doc.add(para(opening(layout)))
    _about(doc, results, layout)
    _results(doc, results, layout)
    doc.add(para("III. KIẾN NGHỊ, ĐỀ XUẤT", style="h1"),
            *[para(BLANK * 17, style="dots") for _ in range(4)],
            para("Trên đây là báo cáo kết quả khảo sát sự hài lòng của người dân, tổ chức./."),
            Signature(info))
    appendices = ["KẾT QUẢ CHI TIẾT THEO ĐƠN VỊ"]
    quoted = _quoted_apart(results)
    if quoted:
        appendices.append("Ý KIẾN KHÁC CỦA NGƯỜI DÂN, TỔ CHỨC")
    appendices.append("GHI CHÚ PHƯƠNG PHÁP")
    names = {t: f"Phụ lục {ROMAN[i]}" for i, t in enumerate(appendices)}
    dated = (today.day, today.month, today.year)
    doc.add(Appendix(names[appendices[0]], appendices[0], info, *dated))
    for u in layout.units:
        _unit(doc, results, layout, u)
    if quoted:
        doc.add(Appendix(names[appendices[1]], appendices[1], info, *dated))
        _quotes(doc, results, layout)
    doc.add(Appendix(names[appendices[-1]], appendices[-1], info, *dated))
    for text in method_notes(results, layout):
        doc.add(para(text))
    return doc


ROMAN = ("I", "II", "III", "IV", "V", "VI")


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


BARS_A_CHART = 25  # a chart of units fits a page


def units_text(layout: Layout) -> str:
    """Which units, and what their codes mean (a code alone no longer says which unit)."""
    source = f"; nguồn: {layout.units_source}" if layout.units_source else ""
    return (f"Khảo sát tại {len(layout.units)} đơn vị; mã đơn vị theo "
            f"{unit_scheme_words(layout.unit_scheme)}{source}.")


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
    ]


def _interval(low: float, high: float, census: bool, too_wide: bool) -> str:
    if census:
        return f"{FULL_COUNT}, không có sai số chọn mẫu"
    if too_wide:
        return f"{TOO_SMALL} để ước lượng khoảng tin cậy có ích"
    return f"khoảng tin cậy 95%: {pct(low)} – {pct(high)}"


def _span(low: float, high: float, census: bool, too_wide: bool) -> str:
    """An interval in a table cell."""
    if census:
        return FULL_COUNT
    if too_wide:
        return TOO_SMALL
    return f"{num(low * 100, 1)} – {pct(high)}"


def _too_wide(low: float, high: float) -> bool:
    return low != low or (high - low) / 2 > TOO_WIDE


def _about(doc: Document, results: Results, layout: Layout) -> None:
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
           + "; phiếu giấy" + (", và phiếu trả lời trực tuyến" if o.other else "") + "."]
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


def _overall(results: Results) -> list:
    o = results.overall
    if not o.respondents:
        return [para("Chưa có phiếu nào được tính: chưa có kết quả để báo cáo.")]
    short = o.minimum is not None and o.sheets < o.minimum
    value = pct(o.index)
    return [para("Chỉ số hài lòng chung của toàn địa bàn: ",
                 value if short else bold(value),
                 f" ({_interval(o.ci_low, o.ci_high, o.census, o.wide)})"
                 + (f"; {SHORT}, chỉ có giá trị tham khảo" if short else "")
                 + f". Điểm trung bình các câu hỏi: {num(o.mean)}/{o.top}.")]


def _channels(doc: Document, results: Results) -> None:
    """How many answers came by each channel (paper, online, …), and each one's index."""
    ch = results.channels
    whole = ch[ch["group"] == ""].sort_values("sheets", ascending=False)
    said = "; ".join(f"{channel_words(r.channel).lower()}: {count(r.sheets)} phiếu"
                     for r in whole.itertuples())
    doc.add(para(f"Các phiếu được tính theo kênh thu thập ý kiến: {said}."))
    if len(whole) < 2:
        return
    o = results.overall
    rows = [["Kênh thu thập", "Số phiếu được tính", "Số người trả lời", "Chỉ số hài lòng"]]
    rows += [[channel_words(r.channel), count(r.sheets), count(r.respondents), pct(r.index)]
             for r in whole.itertuples()]
    rows.append(["Tổng", count(int(whole["sheets"].sum())), count(o.respondents),
                 pct(o.index)])
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


class _Numbered:
    """Headings numbered as they are written (a part with nothing to say is left out)."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, title: str) -> Para:
        self.n += 1
        return para(f"{self.n}. {title}", style="h2")


def short(enough) -> bool:
    """Whether a unit is under its minimum sample (None: no plan says one)."""
    return enough is not None and not pd.isna(enough) and not bool(enough)


def _marked(name: str, enough) -> str:
    return name + (MARK if short(enough) else "")


def _results(doc: Document, results: Results, layout: Layout) -> None:
    units, crit = results.units, results.criteria
    o = results.overall
    heading = _Numbered()
    doc.add(para("II. KẾT QUẢ KHẢO SÁT", style="h1"), heading("Chỉ số hài lòng chung"),
            *_overall(results))
    if not o.respondents:
        return
    _channels(doc, results)
    if layout.criteria:
        doc.add(heading("Kết quả theo tiêu chí"))
        whole = crit[crit["group"] == ""].set_index("criterion")["index"]
        doc.add(Picture(criteria_bars([c.name for c in layout.criteria],
                                      [whole.get(c.id, math.nan) for c in layout.criteria],
                                      "Chỉ số hài lòng theo tiêu chí — toàn địa bàn"), 0.9))
        by_unit = crit.set_index(["group", "criterion"])["index"]
        rows = [["Đơn vị", *[f"Tiêu chí {i}" for i in range(1, len(layout.criteria) + 1)],
                 "Chung"]]
        for r in units.itertuples():
            rows.append([_marked(r.unit_name, r.enough),
                         *[pct(by_unit.get((r.unit_code, c.id), math.nan))
                           for c in layout.criteria], pct(r.index)])
        rows.append(["Toàn địa bàn", *[pct(whole.get(c.id, math.nan)) for c in layout.criteria],
                     pct(o.index)])
        legend = "; ".join(f"tiêu chí {i}: {c.name}" for i, c in enumerate(layout.criteria, 1))
        doc.add(para(f"Chỉ số hài lòng theo tiêu chí của từng đơn vị ({legend}):", style="small"),
                Grid(rows, [58] + [92 / len(layout.criteria)] * len(layout.criteria) + [24]))
        if o.short:
            doc.add(para(f"(*) Đơn vị {SHORT}: kết quả chỉ có giá trị tham khảo.", style="note"))
    _ranking(doc, results, heading("Kết quả theo đơn vị và xếp hạng"))
    _groups(doc, results, heading)
    _lowest(doc, results, layout, heading)
    _asked(doc, results, heading)
    _comments(doc, results, layout, heading)


def _ranking(doc: Document, results: Results, heading: Para) -> None:
    units = results.units
    ranked = units[units["rank"].notna()].sort_values(["rank", "unit_code"])
    rest = units[units["rank"].isna()].sort_values(["index", "unit_code"],
                                                   ascending=[False, True], na_position="last")
    doc.add(heading)
    # a page's worth of bars a chart (a province has a hundred units); only the units whose
    # sample is enough: the others' bars would claim what their answers do not hold
    for start in range(0, len(ranked), BARS_A_CHART):
        part = ranked.iloc[start:start + BARS_A_CHART]
        title = "Chỉ số hài lòng của các đơn vị đạt cỡ mẫu" + (
            f" ({start + 1}–{start + len(part)})" if len(ranked) > BARS_A_CHART else "")
        doc.add(Picture(index_bars(list(part["unit_name"]), list(part["index"]),
                                   list(part["ci_low"]), list(part["ci_high"]),
                                   list(part["census"]), title), 1.0))
    top = results.overall.top
    rows = [["Xếp hạng", "Đơn vị", "Số người trả lời", "Chỉ số hài lòng",
             "Khoảng tin cậy 95%", f"Điểm TB (1–{top})"]]
    for r in pd.concat([ranked, rest]).itertuples():
        value = pct(r.index) + (f" ({SHORT})" if short(r.enough) and r.index == r.index
                                else "")
        rows.append(["—" if pd.isna(r.rank) else str(int(r.rank)), r.unit_name,
                     count(r.respondents), value,
                     "—" if r.index != r.index else _span(r.ci_low, r.ci_high, r.census,
                                                          r.wide),
                     num(r.mean)])
    doc.add(Grid(rows, [15, 46, 20, 38, 30, 16]), para(ranking_text(ranked), style="note"))


def ranking_text(ranked: pd.DataFrame) -> str:
    """Which neighbours in the ranking the intervals cannot tell apart."""
    if not len(ranked):
        return "Không đơn vị nào được xếp hạng: chưa đơn vị nào đạt cỡ mẫu tối thiểu."
    runs, run = [], [ranked.iloc[0]]
    for _, r in ranked.iloc[1:].iterrows():
        prev = run[-1]
        if r["ci_high"] >= prev["ci_low"] or r["wide"] or prev["wide"]:  # overlapping
            run.append(r)
        else:
            runs.append(run)
            run = [r]
    runs.append(run)
    close = [", ".join(x["unit_name"] for x in g[:-1]) + " và " + g[-1]["unit_name"]
             for g in runs if len(g) > 1]
    if not close:
        return ("Khoảng tin cậy của các đơn vị liền hạng không chồng lên nhau: thứ hạng phản "
                "ánh khác biệt thật giữa các đơn vị.")
    return ("Khoảng tin cậy của các đơn vị liền hạng sau đây chồng lên nhau, nên chênh lệch "
            "chỉ số giữa họ có thể chỉ do chọn mẫu, chưa đủ để khẳng định đơn vị xếp trên "
            "phục vụ tốt hơn: " + "; ".join(close) + ".")


def _groups(doc: Document, results: Results, heading: _Numbered) -> None:
    if not len(results.groups):
        return
    doc.add(heading("Theo nhóm người trả lời"))
    rows = [["Câu hỏi", "Nhóm", "Số người trả lời", "Chỉ số hài lòng", "Khoảng tin cậy 95%"]]
    for r in results.groups.itertuples():
        rows.append([r.question_text, r.label, count(r.sheets), pct(r.index),
                     _span(r.ci_low, r.ci_high, False, _too_wide(r.ci_low, r.ci_high))])
    doc.add(Grid(rows, [46, 50, 22, 24, 28]))


def _lowest(doc: Document, results: Results, layout: Layout, heading: _Numbered) -> None:
    texts = {q.id: q.text for q in layout.questions}
    numbers = layout.numbers
    q = results.questions
    whole = q[(q["group"] == "") & (q["answered"] >= MIN_ANSWERS)].dropna(subset=["index"])
    low = whole.sort_values(["index", "question"]).head(3)
    if not len(low) and not len(results.improve):
        return
    doc.add(heading("Những nội dung có chỉ số hài lòng thấp nhất"))
    if len(low):
        doc.add(para("Toàn địa bàn: " + "; ".join(
            f"câu {numbers[r.question]} “{texts[r.question]}” ({pct(r.index)})"
            for r in low.itertuples()) + "."))
    for u in results.units.itertuples():
        mine = results.improve[results.improve["unit_code"] == u.unit_code]
        if len(mine):
            doc.add(para(bold(_marked(u.unit_name, u.enough)), ": " + "; ".join(
                f"câu {numbers[r.question]} ({pct(r.index)})" for r in mine.itertuples())
                + ".", style="small"))


def _asked(doc: Document, results: Results, heading: _Numbered) -> None:
    multi = results.multi
    if not len(multi):
        return
    whole = multi[multi["unit_code"] == ""].sort_values(["count", "value"],
                                                        ascending=[False, True])
    doc.add(heading("Nội dung người dân, tổ chức đề nghị cải thiện"))
    rows = [["Nội dung", "Số người chọn", "Tỷ lệ"]]
    rows += [[r.label, count(r.count), pct(r.share)] for r in whole.itertuples()]
    doc.add(Grid(rows, [112, 28, 26]))


QUOTES_IN_BODY = 12  # more typed comments than this go to an appendix


def _quoted_apart(results: Results) -> bool:
    return int((results.texts["state"] == "typed").sum()) > QUOTES_IN_BODY


def _comments(doc: Document, results: Results, layout: Layout, heading: _Numbered) -> None:
    texts = results.texts
    doc.add(heading("Ý kiến khác của người dân, tổ chức"))
    if not len(texts):
        doc.add(para("Không có ý kiến viết thêm trên các phiếu được tính."))
        return
    doc.add(para(comments_text(texts)))
    themes = results.themes
    if len(themes):
        doc.add(para("Các ý kiến đã gõ lại được phân theo nội dung đề nghị cải thiện: "
                     + "; ".join(f"{r.label}: {count(r.count)}" for r in themes.itertuples())
                     + "."))
    if _quoted_apart(results):
        doc.add(para("Toàn văn các ý kiến, theo đơn vị, ở phụ lục Ý kiến khác của người dân, "
                     "tổ chức."))
    else:
        _quotes(doc, results, layout)


def comments_text(texts: pd.DataFrame) -> str:
    """How many comments, how many typed, how many still to type."""
    state = texts["state"].value_counts()
    typed, untyped = int(state.get("typed", 0)), int(state.get("untyped", 0))
    unreadable, empty = int(state.get("unreadable", 0)), int(state.get("none", 0))
    said = f"{count(len(texts))} phiếu có chữ viết ở ô ý kiến; {count(typed)} ý kiến đã gõ lại"
    if empty:
        said += f"; {count(empty)} ô chỉ có nét gạch, không có ý kiến"
    if unreadable:
        said += f"; {count(unreadable)} ý kiến không đọc được"
    if untyped:
        said += (f"; {count(untyped)} ý kiến viết tay chưa được gõ lại (còn trong hàng chờ gõ "
                 "ý kiến của trang duyệt) nên chưa có trong báo cáo")
    return said + "."


def _quotes(doc: Document, results: Results, layout: Layout) -> None:
    """Every typed comment under its unit; the same words written by several people quoted
    once, with how many wrote them."""
    typed = results.texts[results.texts["state"] == "typed"]
    names = {u.code: u.name for u in layout.units}
    order = {u.code: i for i, u in enumerate(layout.units)}
    for code, part in sorted(typed.groupby("unit_code", sort=False),
                             key=lambda x: order.get(x[0], len(order))):
        doc.add(para(bold(f"{names.get(code, 'Chưa xác định đơn vị')} "
                          f"({count(len(part))} ý kiến):"), style="plain"))
        said: dict[tuple[str, str], int] = {}
        for text, channel in zip(part["text"], part["channel"], strict=True):
            key = (" ".join(text.split()), channel)
            said[key] = said.get(key, 0) + 1
        for (text, channel), n in sorted(said.items(), key=lambda x: -x[1]):
            how = [] if channel == PAPER else [channel_words(channel).lower()]
            how += [f"{count(n)} người cùng ý kiến"] if n > 1 else []
            doc.add(para(f"“{text}”" + (f" ({'; '.join(how)})" if how else ""), style="quote"))


def _unit(doc: Document, results: Results, layout: Layout, u) -> None:
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
                     f" ({_interval(row['ci_low'], row['ci_high'], row['census'], row['wide'])})"
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
                         _span(r.ci_low, r.ci_high, False, _too_wide(r.ci_low, r.ci_high)),
                         num(r.mean)])
        legend = ", ".join(f"{o.value}: {o.label}" for o in scale.levels)
        level_w = min(11.0, 60 / len(values))
        head += [para(f"Tỷ lệ (%) người trả lời chọn từng mức ({legend}), số câu để trống, chỉ số "
                      "hài lòng của từng câu với khoảng tin cậy 95% và điểm trung bình:",
                      style="small"),
                 Grid(rows, [165 - 11 - 14 - 22 - 11 - level_w * len(values),
                             *[level_w] * len(values), 11, 14, 22, 11])]
    doc.add(Keep(tuple(head)))  # a unit on a page of its own when it fits
