"""Per-unit results, computed with pandas from the store: the numbers the reports print.

SIPAS method: a question's satisfaction index is the share of those who
answered it who chose a satisfied level (set per scale in the layout; the
top two of five by default), blanks left out of the denominator and
counted apart. A unit's index is the mean of its respondents' scores
(see `estimate`): per respondent, the share of satisfied answers per
criterion, averaged over the criteria. Only sheets read with confidence
(`ok`) or decided by a person (`reviewed`) count; a sheet with no graded
answer is not a respondent.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from phieu.forms.plan import PlanError, read_plan_rows
from phieu.omr.vocabulary import PAPER, Status

from ..campaign import Campaign
from ..errors import PhieuError
from ..review.audit import AuditResult
from ..review.audit import result as audit_result
from ..store.answers import all_final_answers
from ..store.captures import captured_sheets
from ..store.responses import (
    responses_per_unit,
    responses_per_unit_and_status,
    responses_with_status,
)
from ..store.sheets import (
    blank_forms_per_unit,
    copies_per_unit,
    flagged_loose_pages_count,
    printed_per_unit,
    returned_per_unit,
    sheets_per_unit_and_status,
    sheets_with_status,
)
from .breakdowns import groups, improve, levels, multi
from .breakdowns import texts as breakdown_texts
from .estimate import (
    Estimate,
    criterion_scores,
    overall_estimate,
    scores_of,
    unit_estimate,
    wide,
    wilson,
)

COUNTED = (Status.OK, Status.REVIEWED)  # read with certainty, or decided by a person
FULL_COUNT = "khảo sát toàn bộ"  # a unit whose every case was surveyed: no interval


@dataclass(frozen=True)
class Overall:
    """The whole campaign: what came in and its index, by the one estimator every overall
    figure of the report uses (see `estimate.overall_estimate`)."""
    sheets: int  # counted, paper and other channels
    respondents: int  # of them, with a graded answer
    index: float
    ci_low: float
    ci_high: float
    census: bool  # every case of every unit surveyed
    weighted: bool  # units weighted by yearly cases (else respondents pooled)
    wide: bool  # the interval too wide to tell anything
    minimum: int | None  # the plan's minimum sample, all units
    short: int  # units under their minimum sample
    other: int  # answers from other channels (web form, …), every status
    other_unplaced: int  # of them, naming no unit of the layout
    unplaced: int  # waiting and in no unit yet: pages whose sheet is unknown, such rows
    mean: float  # the mean score on the main scale
    top: int  # the main scale's top level: the mean is 1..top
    captured: int = 0  # counted papers read from a phone's photo (phieu capture)


@dataclass
class Results:
    answers: pd.DataFrame  # one row per counted sheet: sheet_id, unit_code, then questions
    units: pd.DataFrame  # per unit: counts (papers returned, of them copies of a printed
    # sheet; blank forms apart), plan, index, interval, mean, rank
    questions: pd.DataFrame  # per unit (and "" for all) and graded question: index, n, blanks
    criteria: pd.DataFrame  # per unit and criterion: index
    levels: pd.DataFrame  # long: unit, question, level, count
    groups: pd.DataFrame  # per Part I question and option: sheets, index
    multi: pd.DataFrame  # per unit, multi-answer question and option: count, share
    texts: pd.DataFrame  # per comment box with something in it: unit, text, state, channel
    themes: pd.DataFrame  # per improvement option: typed comments tagged with it
    improve: pd.DataFrame  # per unit: its lowest-scoring questions
    channels: pd.DataFrame  # per unit ("" for all) and channel: sheets, respondents, index
    audit: AuditResult  # sheets read with certainty that a person checked again
    overall: Overall


def _sheet_frame(campaign: Campaign) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Counted sheets (paper, and answers imported from other channels) with their final
    answers; and per unit, sheets waiting and rejected."""
    store = campaign.store
    rows = [{"sheet_id": sid, "unit_code": unit, "status": status, "channel": PAPER}
            for sid, unit, status in sheets_with_status(store, COUNTED)]
    every = all_final_answers(store.db)
    for r in responses_with_status(store, COUNTED):
        rows.append({"sheet_id": r.response_id, "unit_code": r.unit_code, "status": r.status,
                     "channel": r.channel})
        every[r.response_id] = r.answers
    answers = {r["sheet_id"]: every.get(r["sheet_id"], {}) for r in rows}
    qids = [q.id for q in campaign.layout.questions]
    frame = pd.DataFrame([{**r, **{q: answers[r["sheet_id"]].get(q, "") for q in qids}}
                          for r in rows],
                         columns=["sheet_id", "unit_code", "status", "channel", *qids])
    doubtful = (Status.FLAGGED, Status.REJECTED)
    state = pd.DataFrame(sheets_per_unit_and_status(store, doubtful)
                         + responses_per_unit_and_status(store, doubtful),
                         columns=["unit_code", "status", "n"])
    state = state.groupby(["unit_code", "status"], as_index=False)["n"].sum()
    return frame, state


def read_plan(path: Path | None, campaign: Campaign) -> dict[str, dict[str, int | None]]:
    """unit -> {cases, min_sample, forms} from the campaign's plan; a bad cell names its row."""
    if path is None:
        return {}
    try:
        return read_plan_rows(path, {u.code: u.name for u in campaign.layout.units})
    except PlanError as e:
        raise PhieuError(str(e)) from e


def _printed_and_returned(campaign: Campaign) -> tuple[pd.Series, pd.Series]:
    """Per unit: forms printed, and distinct printed forms that came back scanned."""
    return (pd.Series(printed_per_unit(campaign.store), dtype=int),
            pd.Series(returned_per_unit(campaign.store), dtype=int))


def _graded(campaign: Campaign) -> list:
    return [q for q in campaign.layout.questions if q.scale]


def _question_stats(frame: pd.DataFrame, campaign: Campaign, by: str | None) -> pd.DataFrame:
    """Index, mean score, answered and blank counts for every graded question, per value of
    `by` present in the frame (or once for the whole frame, even an empty one)."""
    layout = campaign.layout
    keys = frame[by] if by else pd.Series("", index=frame.index, dtype=object)
    groups = sorted(keys.unique()) if by else [""]
    out = []
    for q in _graded(campaign):
        scale = layout.scales[q.scale]
        level = {o.value: i + 1 for i, o in enumerate(scale.levels)}
        col = frame[q.id].astype(object)
        score = col.map(level).astype(float)  # NaN: blank, or not one of the scale's levels
        sums = pd.DataFrame({"g": keys, "answered": score.notna(), "blank": col == "",
                             "satisfied": col.isin(scale.satisfied), "score": score}
                            ).groupby("g").sum().reindex(groups, fill_value=0)
        for key, r in zip(groups, sums.itertuples(index=False), strict=True):
            n = int(r.answered)
            low, high = wilson(int(r.satisfied), n)
            out.append({"group": key, "question": q.id, "criterion": q.criterion or "",
                        "answered": n, "blank": int(r.blank), "satisfied": int(r.satisfied),
                        "index": r.satisfied / n if n else float("nan"),
                        "ci_low": low, "ci_high": high,
                        "mean": r.score / n if n else float("nan")})
    stats = pd.DataFrame(out, columns=["group", "question", "criterion", "answered", "blank",
                                       "satisfied", "index", "ci_low", "ci_high", "mean"])
    return stats.sort_values("group", kind="stable", ignore_index=True)


def _by_units(values: pd.Series, units: pd.Series, cases: dict[str, int | None]) -> Estimate:
    """The campaign's estimate of a per-respondent value: the one estimator of the overall
    index (stratified by yearly cases when the plan gives them, pooled otherwise)."""
    return overall_estimate([(part.to_numpy(float), cases.get(code))
                             for code, part in values.groupby(units, sort=True)])


def _criteria(crit: pd.DataFrame, frame: pd.DataFrame, campaign: Campaign,
              cases: dict[str, int | None]) -> pd.DataFrame:
    """Per unit ("" for all) and criterion: the mean of the respondents' criterion scores;
    for all units by the overall index's estimator."""
    rows = []
    for c in campaign.layout.criteria:
        if c.id not in crit:
            continue
        col = crit[c.id]
        for code, part in col.groupby(frame["unit_code"], sort=True):
            rows.append({"group": code, "criterion": c.id, "index": float(part.mean())})
        rows.append({"group": "", "criterion": c.id,
                     "index": _by_units(col, frame["unit_code"], cases).index})
    return pd.DataFrame(rows, columns=["group", "criterion", "index"])


def _ranks(units: pd.DataFrame) -> pd.array:
    """Positions by index, highest first, equal indices sharing one (1, 2, 2, 4): only units
    with answers that reached their minimum sample (or have no plan saying one) take one."""
    takes = units["index"].notna() & (units["enough"] != False)  # noqa: E712 (None: no plan)
    shown = units["index"].where(takes).round(6)  # the index as far as it can differ
    ranks = shown.rank(method="min", ascending=False)
    return pd.array([None if pd.isna(r) else int(r) for r in ranks], dtype="Int64")


def enough_word(enough: bool | None) -> str:
    """Whether a unit reached its minimum sample, as the report says it."""
    if enough is None or pd.isna(enough):
        return "chưa có kế hoạch"
    return "đạt" if enough else "chưa đạt"


def scales_used(layout) -> dict[str, int]:
    """Scale id -> how many graded questions use it, in the layout's order."""
    used: dict[str, int] = {}
    for q in layout.questions:
        if q.scale:
            used[q.scale] = used.get(q.scale, 0) + 1
    return used


def main_scale(layout) -> str:
    """The scale most graded questions use: the unit's mean score is on it alone (means of
    different scales are never averaged together)."""
    used = scales_used(layout)
    return max(used, key=used.get) if used else ""


def compute(campaign: Campaign, plan: Path | None = None) -> Results:
    layout = campaign.layout
    frame, state = _sheet_frame(campaign)
    crit = criterion_scores(frame, layout)
    frame = frame.assign(score=scores_of(crit, frame.index))
    qstats = _question_stats(frame, campaign, "unit_code")
    qall = _question_stats(frame, campaign, None)
    scale = main_scale(layout)
    scale_of = {q.id: q.scale for q in layout.questions}
    means = qstats[qstats["question"].map(scale_of) == scale].groupby("group")["mean"].mean()
    plans = read_plan(plan or campaign.plan_path, campaign)
    yearly = {code: p.get("cases") for code, p in plans.items()}
    printed, returned = _printed_and_returned(campaign)
    other = responses_per_unit(campaign.store)  # answers that came in on other channels
    copied = copies_per_unit(campaign.store)  # papers beyond the first of a printed id
    blank = blank_forms_per_unit(campaign.store)  # forms scanned with no mark at all
    counted = frame.groupby("unit_code").size()
    waiting = state[state["status"] == Status.FLAGGED].set_index("unit_code")["n"]
    rejected = state[state["status"] == Status.REJECTED].set_index("unit_code")["n"]
    units, strata = [], []
    for u in layout.units:
        n = int(counted.get(u.code, 0))
        p = plans.get(u.code, {})
        cases, minimum, forms = p.get("cases"), p.get("min_sample"), p.get("forms")
        unit_scores = frame.loc[frame["unit_code"] == u.code, "score"].to_numpy(float)
        est = unit_estimate(unit_scores, cases)
        strata.append((unit_scores, cases))
        units.append({"unit_code": u.code, "unit_name": u.name,
                      "printed": int(printed.get(u.code, 0)),
                      "returned": int(returned.get(u.code, 0)),
                      "copies": int(copied.get(u.code, 0)),
                      "blank": int(blank.get(u.code, 0)),
                      "other": int(other.get(u.code, 0)), "sheets": n,
                      "respondents": est.respondents,
                      "waiting": int(waiting.get(u.code, 0)),
                      "rejected": int(rejected.get(u.code, 0)),
                      "cases": cases, "min_sample": minimum, "planned": forms,
                      "index": est.index, "ci_low": est.low, "ci_high": est.high,
                      "census": est.census, "wide": wide(est),
                      "mean": float(means.get(u.code, float("nan")))})
    units_df = pd.DataFrame(units)
    units_df["enough"] = [None if pd.isna(m) else bool(n >= m)
                          for n, m in zip(units_df["sheets"], units_df["min_sample"],
                                          strict=True)]
    units_df["rank"] = _ranks(units_df)
    overall = overall_estimate(strata)
    minimum = units_df["min_sample"].dropna()
    mean_all = qall[qall["question"].map(scale_of) == scale]
    whole = Overall(
        sheets=len(frame), respondents=overall.respondents, index=overall.index,
        ci_low=overall.low, ci_high=overall.high, census=overall.census,
        weighted=overall.weighted, wide=wide(overall),
        minimum=int(minimum.sum()) if len(minimum) else None,
        short=int((units_df["enough"] == False).sum()),  # noqa: E712 (None: no plan)
        other=sum(other.values()),
        other_unplaced=sum(n for code, n in other.items()
                           if code not in {u.code for u in layout.units}),
        unplaced=int(waiting.get("", 0)) + flagged_loose_pages_count(campaign.store),
        mean=float(mean_all["mean"].mean()) if len(mean_all) else float("nan"),
        top=len(layout.scales[scale].levels) if scale else 5,
        captured=captured_sheets(campaign.store, COUNTED))
    texts, themes = breakdown_texts(frame, campaign)
    return Results(
        answers=frame, units=units_df, questions=pd.concat([qstats, qall], ignore_index=True),
        criteria=_criteria(crit, frame, campaign, yearly), levels=levels(frame, campaign),
        groups=groups(frame, campaign), multi=multi(frame, campaign),
        texts=texts, themes=themes, improve=improve(qstats, campaign),
        channels=_channels(frame, yearly),
        audit=audit_result(campaign), overall=whole)


def _channels(frame: pd.DataFrame, cases: dict[str, int | None]) -> pd.DataFrame:
    """Per unit and for all ("") and per channel: counted sheets, respondents and the index
    (in a unit the mean of the respondents' scores; for all units the overall index's
    estimator over that channel's respondents)."""
    out = (frame.groupby(["unit_code", "channel"])
           .agg(sheets=("sheet_id", "size"), respondents=("score", "count"),
                index=("score", "mean"))
           .reset_index().rename(columns={"unit_code": "group"}))
    whole = [{"group": "", "channel": channel, "sheets": len(part),
              "respondents": int(part["score"].count()),
              "index": _by_units(part["score"], part["unit_code"], cases).index}
             for channel, part in frame.groupby("channel")]
    out = pd.concat([pd.DataFrame(whole, columns=out.columns), out], ignore_index=True)
    return out.astype({"sheets": int, "respondents": int})
