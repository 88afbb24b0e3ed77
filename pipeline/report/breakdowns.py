"""The breakdowns beside each unit's index: every level's count, the index by respondent
group, the boxes ticked on the several-box question, the comments, and each unit's
lowest-rated questions."""

from __future__ import annotations

import pandas as pd

from ..campaign import Campaign
from ..store.comments import TYPED, all_comments
from ..store.sheets import handwriting_kept
from .estimate import unit_estimate

MIN_ANSWERS = 10  # a question answered by fewer is shown, not listed among the lowest


def levels(frame: pd.DataFrame, campaign: Campaign) -> pd.DataFrame:
    """Long table: unit, question, level, count (every level, zeros included)."""
    rows = []
    for q in campaign.layout.questions:
        if q.kind == "text":
            continue
        col = frame[q.id].astype(object)
        picked = col.str.split("|").explode() if q.kind == "multi" else col
        counts = pd.DataFrame({"u": frame["unit_code"].reindex(picked.index), "v": picked}
                              ).value_counts().to_dict()
        blanks = frame.loc[col == "", "unit_code"].value_counts().to_dict()
        options = [o.value for o in campaign.layout.options_of(q)]
        for u in campaign.layout.units:
            rows += [(u.code, q.id, v, int(counts.get((u.code, v), 0))) for v in options]
            rows.append((u.code, q.id, "", int(blanks.get(u.code, 0))))
    levels = pd.DataFrame(rows, columns=["unit_code", "question", "level", "count"])
    order = {u.code: i for i, u in enumerate(campaign.layout.units)}
    return levels.sort_values("unit_code", key=lambda c: c.map(order), kind="stable",
                              ignore_index=True)


def groups(frame: pd.DataFrame, campaign: Campaign) -> pd.DataFrame:
    """Whole-campaign index by respondent group: each Part I question's options."""
    rows = []
    for q in campaign.layout.questions:
        if not q.breakdown:
            continue
        for o in campaign.layout.options_of(q):
            part = frame[frame[q.id] == o.value]
            est = unit_estimate(part["score"].to_numpy(float))
            rows.append({"question": q.id, "question_text": q.text, "value": o.value,
                         "label": o.label, "sheets": len(part), "index": est.index,
                         "ci_low": est.low, "ci_high": est.high})
    return pd.DataFrame(rows)


def multi(frame: pd.DataFrame, campaign: Campaign) -> pd.DataFrame:
    rows = []
    for q in campaign.layout.questions:
        if q.kind != "multi":
            continue
        for unit, part in [("", frame), *frame.groupby("unit_code")]:
            picks = part[q.id].str.split("|")
            for o in q.options:
                n = int(picks.apply(lambda xs, v=o.value: v in xs).sum())
                rows.append({"unit_code": unit, "question": q.id, "value": o.value,
                             "label": o.label, "count": n,
                             "share": n / len(part) if len(part) else float("nan")})
    return pd.DataFrame(rows)


def texts(frame: pd.DataFrame, campaign: Campaign) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every comment box that holds something, per counted paper or row: what a person typed
    (state `typed`), only strokes (`none`), `unreadable`, or a picture nobody has typed yet
    (`untyped`); answers from other channels are typed already. And per improvement option,
    the typed comments tagged with it."""
    boxes = [q.id for q in campaign.layout.questions if q.kind == "text"]
    pictures = handwriting_kept(campaign.store)
    typed = all_comments(campaign.store.db)
    rows, tags = [], {}
    for r in frame[["unit_code", "sheet_id", "channel", *boxes]].itertuples(index=False,
                                                                           name=None):
        unit, sid, channel = r[:3]
        for box, text in zip(boxes, r[3:], strict=True):
            c = typed.get((sid, box))
            if c is not None:
                rows.append((unit, sid, box, c.text, c.state, channel))
                for v in c.themes:
                    tags[v] = tags.get(v, 0) + 1
            elif text:
                rows.append((unit, sid, box, text, TYPED, channel))
            elif (sid, box) in pictures:
                rows.append((unit, sid, box, "", "untyped", channel))
    q = next((q for q in campaign.layout.questions if q.kind == "multi"), None)
    themes = pd.DataFrame([(o.value, o.label, tags[o.value]) for o in (q.options if q else ())
                           if tags.get(o.value)], columns=["value", "label", "count"])
    return (pd.DataFrame(rows, columns=["unit_code", "sheet_id", "box", "text", "state",
                                        "channel"]),
            themes.sort_values("count", ascending=False, kind="stable", ignore_index=True))


def improve(qstats: pd.DataFrame, campaign: Campaign, k: int = 3) -> pd.DataFrame:
    """Each unit's k lowest-scoring questions: what to improve first (among those answered
    by at least MIN_ANSWERS people: fewer say too little to single one out)."""
    texts = {q.id: q.text for q in campaign.layout.questions}
    ok = qstats[qstats["answered"] >= MIN_ANSWERS].dropna(subset=["index"])
    low = ok.sort_values(["group", "index", "question"]).groupby("group").head(k).copy()
    low["text"] = low["question"].map(texts)
    return low.rename(columns={"group": "unit_code"})[["unit_code", "question", "text", "index"]]
