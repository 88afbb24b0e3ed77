"""Section II of the report: the overall index, by channel, criterion, unit (with the
ranking) and respondent group, the lowest-rated questions, what people asked to improve
and what they wrote.
"""

from __future__ import annotations

import math

import pandas as pd

from phieu.forms.layout import Layout
from phieu.omr.vocabulary import PAPER, channel_words

from .blocks import (
    Document,
    Grid,
    Para,
    Picture,
    bold,
    count,
    num,
    para,
    pct,
)
from .breakdowns import MIN_ANSWERS
from .charts import criteria_bars, index_bars
from .estimate import too_wide
from .results import Results
from .words import SHORT, interval, marked, short, span

BARS_A_CHART = 25  # a chart of units fits a page


def _overall(results: Results) -> list:
    o = results.overall
    if not o.respondents:
        return [para("Chưa có phiếu nào được tính: chưa có kết quả để báo cáo.")]
    short = o.minimum is not None and o.sheets < o.minimum
    value = pct(o.index)
    return [para("Chỉ số hài lòng chung của toàn địa bàn: ",
                 value if short else bold(value),
                 f" ({interval(o.ci_low, o.ci_high, o.census, o.wide)})"
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


class Numbered:
    """Headings numbered as they are written (a part with nothing to say is left out)."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, title: str) -> Para:
        self.n += 1
        return para(f"{self.n}. {title}", style="h2")


def findings(doc: Document, results: Results, layout: Layout) -> None:
    units, crit = results.units, results.criteria
    o = results.overall
    heading = Numbered()
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
            rows.append([marked(r.unit_name, r.enough),
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
                     "—" if r.index != r.index else span(r.ci_low, r.ci_high, r.census,
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


def _groups(doc: Document, results: Results, heading: Numbered) -> None:
    if not len(results.groups):
        return
    doc.add(heading("Theo nhóm người trả lời"))
    rows = [["Câu hỏi", "Nhóm", "Số người trả lời", "Chỉ số hài lòng", "Khoảng tin cậy 95%"]]
    for r in results.groups.itertuples():
        rows.append([r.question_text, r.label, count(r.sheets), pct(r.index),
                     span(r.ci_low, r.ci_high, False, too_wide(r.ci_low, r.ci_high))])
    doc.add(Grid(rows, [46, 50, 22, 24, 28]))


def _lowest(doc: Document, results: Results, layout: Layout, heading: Numbered) -> None:
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
            doc.add(para(bold(marked(u.unit_name, u.enough)), ": " + "; ".join(
                f"câu {numbers[r.question]} ({pct(r.index)})" for r in mine.itertuples())
                + ".", style="small"))


def _asked(doc: Document, results: Results, heading: Numbered) -> None:
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


def quoted_apart(results: Results) -> bool:
    return int((results.texts["state"] == "typed").sum()) > QUOTES_IN_BODY


def _comments(doc: Document, results: Results, layout: Layout, heading: Numbered) -> None:
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
    if quoted_apart(results):
        doc.add(para("Toàn văn các ý kiến, theo đơn vị, ở phụ lục Ý kiến khác của người dân, "
                     "tổ chức."))
    else:
        quotes(doc, results, layout)


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


def quotes(doc: Document, results: Results, layout: Layout) -> None:
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
