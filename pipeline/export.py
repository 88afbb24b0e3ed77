"""`phieu export`: one row per sheet, and a row for every page that is not one.

Columns: sheet_id, unit_code, serial, status, flags, source, source_page, channel
(`paper` for a scanned sheet; answers imported from a web form or other channel carry
theirs, with the file and row they came from as source and source_page), copy (which
paper of its printed sheet id a scanned paper is: 1, then 2, 3, … for photocopies filled
by other people), then one column per question of the layout, in layout order. Pages that
are no paper of their own (identity unreadable, not a form, a second scan, a blank form,
an unreadable page) get a row with an empty sheet_id, so nothing scanned is dropped;
a blank form's row names its unit. Blank backs are counted by `phieu scan`, not listed.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from phieu.forms.units import unit_scheme_words
from phieu.omr.vocabulary import PAPER

from .campaign import Campaign
from .errors import PhieuError
from .files import EXCEL_AS_TEXT, write_csv, written
from .store.answers import all_final_answers
from .store.responses import export_responses
from .store.sheets import export_sheets, loose_pages

FIXED = ["sheet_id", "unit_code", "serial", "status", "flags", "source", "source_page",
         "channel", "copy"]


def _sheet_rows(campaign: Campaign) -> list[dict]:
    """A row per paper: the printed sheet it carries, and which copy of it it is."""
    answers = all_final_answers(campaign.store.db)
    rows = []
    for paper in export_sheets(campaign.store):
        row = {"sheet_id": paper.sheet_id, "unit_code": paper.unit_code,
               "serial": f"{paper.serial:06d}", "status": paper.status, "flags": paper.flags,
               "channel": PAPER, "copy": paper.copy_no}
        if paper.source is not None:
            row["source"], row["source_page"] = paper.source, paper.source_page
        row.update(answers.get(paper.key, {}))
        rows.append(row)
    return rows


def _loose_page_rows(campaign: Campaign) -> list[dict]:
    """A row per page that is no paper's (no sheet id: never a respondent); a blank form
    names its unit, so that blank forms can be counted per unit."""
    return [{"sheet_id": "", "unit_code": p.unit_code, "serial": "", "status": p.status,
             "flags": p.flags, "source": p.source,
             "source_page": p.source_page or "",  # no page: the whole file
             "channel": PAPER, **p.answers} for p in loose_pages(campaign.store)]


def _response_rows(campaign: Campaign) -> list[dict]:
    """Answers imported from other channels: the row they came in as their source page."""
    rows = []
    for r in export_responses(campaign.store):
        rows.append({"sheet_id": r.response_id, "unit_code": r.unit_code, "serial": "",
                     "status": r.status, "flags": r.flags, "source": r.source,
                     "source_page": r.row_no, "channel": r.channel, **r.answers})
    return rows


def export_frame(campaign: Campaign) -> pd.DataFrame:
    """The export as a table of text, in the contract's column order."""
    questions = [q.id for q in campaign.layout.questions]
    rows = _sheet_rows(campaign) + _loose_page_rows(campaign) + _response_rows(campaign)
    frame = pd.DataFrame(rows, columns=FIXED + questions, dtype=object)
    return frame.fillna("")


def about(campaign: Campaign) -> pd.DataFrame:
    """What the rows are of: the layout, and what the unit codes mean."""
    L = campaign.layout
    return pd.DataFrame([("Mẫu phiếu", f"{L.id} v{L.version}"),
                         ("Mã đơn vị", unit_scheme_words(L.unit_scheme)),
                         ("Danh sách đơn vị", L.units_source or "không ghi nguồn")])


def export(campaign: Campaign, out: Path) -> int:
    """Write the export as CSV or Excel (by the file's ending); returns the row count. The
    file appears whole or not at all: it is written under a temporary name first."""
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise PhieuError(f"{out}: the export must end in .csv or .xlsx")
    frame = export_frame(campaign)
    with written(out) as partial:
        if suffix == ".csv":
            write_csv(frame, partial)
        else:
            with pd.ExcelWriter(partial, engine="xlsxwriter",
                                engine_kwargs={"options": EXCEL_AS_TEXT}) as xl:
                frame.to_excel(xl, index=False, sheet_name="phieu")
                about(campaign).to_excel(xl, index=False, header=False, sheet_name="thong_tin")
                sheet = xl.sheets["phieu"]
                sheet.freeze_panes(1, 1)
                for c, name in enumerate(frame.columns):
                    width = max([len(str(name))] + [len(str(v)) for v in frame[name][:200]])
                    sheet.set_column(c, c, min(width + 2, 60))
    return len(frame)
