"""The audit (phúc tra): a person checks again a random share of the sheets the machine read
with certainty, and the report states the error rate that check measured.

The draw is stratified by unit (each unit gives its share, at least one sheet
when it has any) and reproducible: the same campaign and share draw the same
sheets on any machine, and drawing again adds only what new sheets call for.
A sheet is wrong when a person changed any of its answers.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from phieu.omr.vocabulary import Status

from ..campaign import Campaign
from ..errors import PhieuError
from ..scan.inputs import PageLoader
from ..scan.reading import remade_picture
from ..store.audit import (
    add_to_audit,
    audit_outcomes,
    audited_per_unit,
    ok_sheets_per_unit,
    pages_without_picture,
    unaudited_ok_sheets,
)
from ..store.pages import set_picture

CONFIDENCE = 0.95


def parse_share(text: str) -> float:
    """'2%', '2 %', '2' or '2,5%' -> 0.02 / 0.025; from above 0 to 100 %."""
    t = text.strip().rstrip("%").strip().replace(",", ".")
    try:
        pct = float(t)
    except ValueError:
        raise PhieuError(f"--audit '{text}': give a share of sheets such as 2% or 5") from None
    if not 0 < pct <= 100:
        raise PhieuError(f"--audit '{text}': the share must be above 0 and at most 100 %")
    return pct / 100


def _rng(campaign: Campaign, share: float) -> np.random.Generator:
    """The same draw for the same campaign and share, on any machine."""
    key = f"{campaign.layout.id}|{campaign.store.get_meta('layout_sha256')}|{share:.6f}"
    return np.random.default_rng(int.from_bytes(hashlib.sha256(key.encode()).digest()[:8]))


def draw(campaign: Campaign, share: float) -> int:
    """Add to the audit what each unit's share calls for; returns how many were added."""
    rng = _rng(campaign, share)
    pool: dict[str, list[str]] = {}
    for sid, unit in unaudited_ok_sheets(campaign.store):
        pool.setdefault(unit, []).append(sid)
    have, total = audited_per_unit(campaign.store), ok_sheets_per_unit(campaign.store)
    chosen: list[str] = []
    for unit in sorted(pool):
        want = max(1, math.ceil(share * total.get(unit, 0))) - have.get(unit, 0)
        if want > 0:
            picks = rng.choice(len(pool[unit]), size=min(want, len(pool[unit])), replace=False)
            chosen += [pool[unit][i] for i in sorted(picks)]
    add_to_audit(campaign.store, chosen, share)
    return len(chosen)


def make_pictures(campaign: Campaign, progress: Callable[[int], None] | None = None,
                  on_total: Callable[[int], None] | None = None) -> int:
    """The straightened page of every drawn sheet, made again from its scan file (a sheet
    read with certainty keeps none); returns how many could not be made (file moved)."""
    todo = pages_without_picture(campaign.store)
    if on_total:
        on_total(len(todo))
    template = campaign.template() if todo else None
    loader = PageLoader()
    missing = 0
    try:
        for page_id, path, page_no, homography in todo:
            jpeg = remade_picture(loader, path, page_no, homography, template)
            if jpeg is None:
                missing += 1
            else:
                set_picture(campaign.store, page_id, jpeg)
            if progress:
                progress(1)
    finally:
        loader.close()
    return missing


@dataclass(frozen=True)
class AuditResult:
    drawn: int
    checked: int
    wrong: int  # checked sheets on which a person changed an answer

    @property
    def rate(self) -> float:
        return self.wrong / self.checked if self.checked else math.nan

    @property
    def upper(self) -> float:
        """One-sided 95 % upper bound of the error rate (Clopper–Pearson)."""
        if not self.checked:
            return math.nan
        if self.wrong == self.checked:
            return 1.0
        from scipy.special import betaincinv  # here: `phieu scan` reads pages without scipy

        return float(betaincinv(self.wrong + 1, self.checked - self.wrong, CONFIDENCE))


def result(campaign: Campaign) -> AuditResult:
    outcomes = audit_outcomes(campaign.store)
    checked = [(sid, changed) for sid, status, changed in outcomes
               if status in (Status.REVIEWED, Status.REJECTED)]
    return AuditResult(len(outcomes), len(checked), sum(1 for _, c in checked if c))


def _pct(v: float) -> str:
    return f"{v * 100:.1f}".replace(".", ",")


def sentence(r: AuditResult) -> str:
    """What the report says of the audit, in Vietnamese."""
    if not r.drawn:
        return "Chưa phúc tra (chưa chọn phiếu nào để kiểm tra lại)."
    head = (f"Phúc tra: chọn ngẫu nhiên theo đơn vị {r.drawn} phiếu máy đã đọc chắc chắn để "
            f"người kiểm tra lại; đã kiểm tra lại {r.checked} phiếu, {r.wrong} sai")
    if not r.checked:
        return head + "; chưa có kết quả phúc tra."
    if r.wrong == 0:
        return head + f"; tỉ lệ sai < {_pct(r.upper)} % với độ tin cậy 95 %."
    return head + (f"; tỉ lệ sai {_pct(r.rate)} % (không quá {_pct(r.upper)} % với độ tin "
                   "cậy 95 %).")
