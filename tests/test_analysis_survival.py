"""Kaplan–Meier and log-rank against examples worked by hand (censoring and ties), against
SciPy, and on synthetic cohorts drawn from a known survival (``vlmskg synth`` hazard)."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from scipy import stats

from kg.analysis.survival import kaplan_meier, logrank

# Eight patients; events (1) and censorings (0), a censoring tied with an event at 3 and two
# events tied at 5:
#   t:  2  3  3  4  5  5  7  8
#   e:  1  1  0  1  1  1  0  1
TIMES = [2, 3, 3, 4, 5, 5, 7, 8]
EVENTS = [1, 1, 0, 1, 1, 1, 0, 1]


def test_kaplan_meier_by_hand() -> None:
    km = kaplan_meier(TIMES, EVENTS)
    # at risk just before each event time: 8; 7 (the censoring at 3 still counts at 3);
    # 5 at t=4; 4 at t=5; 1 at t=8 (the censoring at 7 has left)
    assert km.times == (2.0, 3.0, 4.0, 5.0, 8.0)
    assert km.at_risk == (8, 7, 5, 4, 1)
    assert km.events == (1, 1, 1, 2, 1)
    # S(2) = 7/8 = 0.875; S(3) = 0.875 * 6/7 = 0.75; S(4) = 0.75 * 4/5 = 0.6;
    # S(5) = 0.6 * 2/4 = 0.3; S(8) = 0.3 * 0/1 = 0
    assert km.survival == pytest.approx((0.875, 0.75, 0.6, 0.3, 0.0))
    assert km.median.time == 5.0  # first time S <= 0.5
    assert km.at_risk_at(5) == 4 and km.at_risk_at(6) == 2 and km.at_risk_at(0) == 8
    assert km.censored_times == (3.0, 7.0)


def test_log_log_interval_by_hand() -> None:
    km = kaplan_meier(TIMES, EVENTS)
    # Greenwood at t=4: 1/(8*7) + 1/(7*6) + 1/(5*4) = 0.017857 + 0.023810 + 0.05 = 0.091667
    # log-log: se = sqrt(0.091667) / |ln 0.6| = 0.302765 / 0.510826 = 0.592700
    # lower = 0.6 ** exp(+1.959964 * 0.5927) = 0.6 ** 3.19520 = 0.19550
    # upper = 0.6 ** exp(-1.959964 * 0.5927) = 0.6 ** 0.31297 = 0.85225
    estimate = km.estimate(4.5)
    assert estimate.survival == pytest.approx(0.6)
    assert estimate.lower == pytest.approx(0.19550, abs=1e-4)
    assert estimate.upper == pytest.approx(0.85225, abs=1e-4)
    assert estimate.at_risk == 4
    # before the first event S = 1 with no width; after the curve reached 0 it stays 0
    assert (km.estimate(1).survival, km.estimate(1).lower) == (1.0, 1.0)
    assert km.estimate(20).survival == 0.0


def test_estimate_beyond_follow_up_is_unknown() -> None:
    km = kaplan_meier([2, 5, 9], [1, 0, 0])
    assert km.estimate(9).survival == pytest.approx(2 / 3)
    assert km.estimate(12).survival is None  # nobody was followed that long
    assert km.median.time is None


def test_kaplan_meier_agrees_with_scipy() -> None:
    rng = np.random.default_rng(7)
    death = rng.exponential(40.0, 300).round(1)
    censor = rng.uniform(0, 100, 300).round(1)
    times, events = np.minimum(death, censor), death <= censor
    km = kaplan_meier(times, events)
    sf = stats.ecdf(stats.CensoredData(uncensored=times[events], right=times[~events])).sf
    band = sf.confidence_interval(0.95, method="log-log")
    for month in (6.0, 12.0, 36.0, 60.0):
        mine = km.estimate(month)
        assert mine.survival == pytest.approx(float(sf.evaluate(month)))
        assert mine.lower == pytest.approx(float(band.low.evaluate(month)))
        assert mine.upper == pytest.approx(float(band.high.evaluate(month)))


def test_logrank_two_groups_by_hand() -> None:
    # A: 2 (event), 4 (event), 4 (censored); B: 3, 4, 6 (events). Event times 2, 3, 4, 6:
    #  t=2: nA=3 nB=3 d=1 (A)  E_A = 3/6 = 0.5   V = 1*5/5 * 3/6*3/6 = 0.25
    #  t=3: nA=2 nB=3 d=1 (B)  E_A = 2/5 = 0.4   V = 1*4/4 * 2/5*3/5 = 0.24
    #  t=4: nA=2 nB=2 d=2 (A,B, tied) E_A = 2*2/4 = 1.0  V = 2*2/3 * 1/2*1/2 = 0.333333
    #  t=6: nA=0 nB=1 d=1 (B)  E_A = 0          V = 0
    # O_A = 2, E_A = 1.9, V = 0.823333; chi2 = 0.1^2 / 0.823333 = 0.0121457, p = 0.91224
    result = logrank([[2, 4, 4], [3, 4, 6]], [[1, 1, 0], [1, 1, 1]])
    assert result.observed == (2, 3)
    assert result.expected == pytest.approx((1.9, 3.1))
    assert result.statistic == pytest.approx(0.0121457, abs=1e-6)
    assert result.df == 1
    assert result.p == pytest.approx(0.91224, abs=1e-5)
    scipy_result = stats.logrank(stats.CensoredData(uncensored=[2, 4], right=[4]),
                                 stats.CensoredData(uncensored=[3, 4, 6]))
    assert result.statistic == pytest.approx(scipy_result.statistic ** 2)
    assert result.p == pytest.approx(scipy_result.pvalue)


def test_logrank_three_groups_by_hand() -> None:
    # A dies at 1, B at 2, C at 3.
    #  t=1: n=3, E = (1/3, 1/3, 1/3), factor 1*2/2 = 1, V_AA = V_BB = 1/3 - 1/9 = 2/9,
    #       V_AB = -1/9
    #  t=2: n=2 (B, C), E_B = 1/2, factor 1*1/1 = 1, V_BB += 1/2 - 1/4 = 1/4
    #  t=3: n=1, factor 0 (no variance from a lone patient), E_C = 1
    # O - E = (1 - 1/3, 1 - 5/6) = (2/3, 1/6) on A, B;
    # V = [[8/36, -4/36], [-4/36, 17/36]], V^-1 = 0.3 * [[17, 4], [4, 8]]
    # chi2 = 5.1*(4/9) + 2*1.2*(2/3)(1/6) + 2.4*(1/36) = 2.6, df 2, p = exp(-1.3) = 0.27253
    result = logrank([[1], [2], [3]], [[1], [1], [1]])
    assert result.statistic == pytest.approx(2.6)
    assert result.df == 2
    assert result.p == pytest.approx(math.exp(-1.3))
    assert result.expected == pytest.approx((1 / 3, 5 / 6, 11 / 6))


def test_logrank_needs_two_groups() -> None:
    with pytest.raises(ValueError, match="two or more groups"):
        logrank([[1, 2]], [[1, 1]])


@pytest.mark.parametrize("true_five_year", [0.5, 0.3])
def test_interval_covers_the_true_survival_of_exponential_cohorts(true_five_year: float) -> None:
    """Pure estimator check: cohorts drawn the way 'vlmskg synth --five-year-survival'
    draws them (exponential death, uniform censoring to 120 months)."""
    rate = -math.log(true_five_year) / 60
    rng = random.Random(f"coverage:{true_five_year}")
    times, events = [], []
    for _ in range(400):
        death, censoring = rng.expovariate(rate), rng.uniform(0, 120)
        times.append(min(death, censoring))
        events.append(death <= censoring)
    estimate = kaplan_meier(times, events).estimate(60)
    assert estimate.lower is not None and estimate.upper is not None
    assert estimate.lower <= true_five_year <= estimate.upper
    assert estimate.upper - estimate.lower < 0.2
