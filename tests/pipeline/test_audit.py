"""The audit (phúc tra): a reproducible draw per unit, and an error rate stated honestly."""

from __future__ import annotations

import math

import numpy as np
import pytest

from phieu.omr.vocabulary import Code, Kind, Reason
from phieu.pipeline.campaign import open_campaign
from phieu.pipeline.errors import PhieuError
from phieu.pipeline.review.audit import AuditResult, draw, parse_share, result, sentence
from phieu.pipeline.scan.reading import PageOutcome
from phieu.pipeline.scan.recorded import record_page
from phieu.pipeline.store.audit import audited_sheets
from phieu.pipeline.store.pages import add_file
from phieu.pipeline.store.review import flagged_sheets
from tests.conftest import REFERENCE, read_manifest, run_cli


def _binomial_cdf(k: int, n: int, p: float) -> float:
    return sum(math.comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(k + 1))


def _upper(k: int, n: int) -> float:
    """The p at which seeing k or fewer errors in n has 5 % chance: bisection on the CDF."""
    lo, hi = k / n, 1.0
    for _ in range(80):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _binomial_cdf(k, n, mid) > 0.05 else (lo, mid)
    return (lo + hi) / 2


@pytest.mark.parametrize("wrong, checked", [(0, 231), (0, 20), (2, 100), (7, 300)])
def test_the_upper_bound_is_the_exact_binomial_one(wrong, checked):
    r = AuditResult(checked, checked, wrong)
    assert r.upper == pytest.approx(_upper(wrong, checked), abs=1e-7)


def test_the_sentence_offices_write():
    assert "kiểm tra lại 231 phiếu, 0 sai; tỉ lệ sai < 1,3 % với độ tin cậy 95 %" in \
        sentence(AuditResult(231, 231, 0))
    assert "tỉ lệ sai 2,0 % (không quá 6,2 % với độ tin cậy 95 %)" in \
        sentence(AuditResult(100, 100, 2))
    assert "chưa có kết quả phúc tra" in sentence(AuditResult(5, 0, 0))


@pytest.mark.parametrize("text, share", [("2%", 0.02), ("2 %", 0.02), ("2,5%", 0.025),
                                         ("100", 1.0)])
def test_a_share_as_people_type_it(text, share):
    assert parse_share(text) == pytest.approx(share)


@pytest.mark.parametrize("text", ["0", "-2%", "150%", "hai"])
def test_a_share_that_is_not_one_is_refused(text):
    with pytest.raises(PhieuError, match="--audit"):
        parse_share(text)


@pytest.fixture()
def read_campaign(tmp_path, backend):
    """Three units: 10, 10 and 1 sheets read with certainty, and one flagged sheet."""
    c = tmp_path / "c"
    assert backend.new(c, REFERENCE).exit_code == 0
    assert run_cli("print", c, "--copies", "11", "--unit", "18070", "--unit", "18073",
                   "--unit", "18076", "--out", tmp_path / "p").exit_code == 0
    rows = read_manifest(tmp_path / "p" / "manifest.csv")
    by_unit: dict[str, list[str]] = {}
    for r in rows:
        by_unit.setdefault(r["unit_code"], []).append(r["sheet_id"])
    with open_campaign(c) as camp:
        fid = add_file(camp.store, "b" * 64, "x.pdf", 30, None)
        n = 0
        for unit, k in (("18070", 11), ("18073", 10), ("18076", 1)):
            for i, sid in enumerate(by_unit[unit][:k]):
                n += 1
                flags = [Reason(Code.FAINT_MARK, "q02")] if (unit, i) == ("18070", 10) else []
                record_page(camp.store, fid, PageOutcome(0, n, Kind.FORM, sid, unit,
                                                         int(sid[-6:]), 1, "qr", flags,
                                                         {"q01": "4"}, campaign_code=camp.code),
                            1, camp.code)
    return c


def test_the_draw_takes_each_units_share_and_is_the_same_every_time(read_campaign, tmp_path,
                                                                    backend):
    twin = backend.copy(read_campaign, tmp_path / "twin")
    drawn = []
    for c in (read_campaign, twin):
        with open_campaign(c) as camp:
            assert draw(camp, 0.25) == 3 + 3 + 1  # ceil(25 % of 10), and 1 from a unit of 1
            assert draw(camp, 0.25) == 0  # drawing again adds nothing
            drawn.append(audited_sheets(camp.store))
            flagged = {sid for sid, _, _ in flagged_sheets(camp.store.db)}
            assert not flagged & set(drawn[-1])  # only sheets read with certainty
            assert result(camp) == AuditResult(7, 0, 0)
    assert drawn[0] == drawn[1]
    units = [sid.split("-")[0] for sid in drawn[0]]
    assert {u: units.count(u) for u in set(units)} == {"18070": 3, "18073": 3, "18076": 1}
    with open_campaign(read_campaign) as camp:
        assert draw(camp, 0.5) == 2 + 2  # a larger share adds what it calls for
    assert np.isnan(AuditResult(0, 0, 0).rate)
