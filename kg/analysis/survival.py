"""Kaplan–Meier estimates and the log-rank test, on times in months.

The estimator is the product-limit one; its variance is Greenwood's and the 95 % interval
is the log-log one (it stays within 0 and 1), as in lifelines, scikit-survival
(``conf_type="log-log"``) and ``scipy.stats.ecdf(...).sf.confidence_interval(method=
"log-log")``. Events and censorings at the same time: the events come first (a patient
censored at t was at risk at t). The median is the first time the curve reaches 0.5 or
below; its interval is where the interval's bounds reach 0.5 (Brookmeyer–Crowley style).
The log-rank test compares two or more groups (chi-squared with groups − 1 degrees of
freedom); for two groups it equals ``scipy.stats.logrank`` (whose statistic is the signed
square root).

Five patients, one censored at 3 and two deaths tied at 4:

>>> km = kaplan_meier([2, 3, 4, 4, 6], [True, False, True, True, False])
>>> [round(s, 4) for s in km.survival]
[0.8, 0.2667]
>>> km.estimate(5).survival == km.survival[-1], km.at_risk_at(4), km.median.time
(True, 3, 4.0)
>>> round(logrank([[2, 3, 4], [4, 6, 7]], [[True, True, True], [True, False, False]]).p, 4)
0.0629
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import attrgetter

import numpy as np
from scipy import stats

from kg.analysis.fields import NOT_REPORTED, SelectionError, find_field, groups, nearest
from kg.analysis.records import ENDPOINTS, ORIGINS, CaseRecord

__all__ = ["Estimate", "Median", "KaplanMeier", "LogRank", "kaplan_meier", "logrank",
           "Z95", "MILESTONES", "Group", "SurvivalAnalysis", "analyse"]

Numbers = Sequence[float] | np.ndarray
"""Times: a sequence of numbers or a NumPy array."""
Flags = Sequence[int] | np.ndarray
"""Events: True/1 for an event, False/0 for a censoring."""

Z95 = float(stats.norm.ppf(0.975))
"""The normal quantile of a two-sided 95 % interval (1.959964…)."""


@dataclass(frozen=True)
class Estimate:
    """Survival at one time with its 95 % interval; ``None`` past the last observed time."""

    months: float
    survival: float | None
    lower: float | None
    upper: float | None
    at_risk: int


@dataclass(frozen=True)
class Median:
    """The median survival time and its 95 % interval; ``None`` where not reached."""

    time: float | None
    lower: float | None
    upper: float | None


@dataclass(frozen=True)
class KaplanMeier:
    """A Kaplan–Meier curve: one step per distinct event time."""

    n: int  #: patients
    n_events: int  #: events
    times: tuple[float, ...]  #: distinct event times, ascending
    at_risk: tuple[int, ...]  #: patients at risk just before each time
    events: tuple[int, ...]  #: events at each time
    survival: tuple[float, ...]  #: S(t) just after each time
    lower: tuple[float, ...]  #: 95 % log-log interval, lower bound
    upper: tuple[float, ...]  #: 95 % log-log interval, upper bound
    censored_times: tuple[float, ...]  #: times of the censored patients (for tick marks)
    max_time: float  #: the largest time observed (event or censoring)
    _observed: tuple[float, ...] = field(default=(), repr=False)  #: every time, sorted

    def _index(self, months: float) -> int:
        """Index of the last step at or before ``months`` (-1 before the first)."""
        return int(np.searchsorted(np.asarray(self.times), months, side="right")) - 1

    def at_risk_at(self, months: float) -> int:
        """Patients whose time is ``months`` or later (still followed then)."""
        observed = np.asarray(self._observed)
        return int(len(observed) - np.searchsorted(observed, months, side="left"))

    def estimate(self, months: float) -> Estimate:
        """S(``months``) with its interval; ``survival`` is ``None`` past the last time
        observed (nothing is known there)."""
        at_risk = self.at_risk_at(months)
        if self.survival and self.survival[-1] == 0.0 and months >= self.times[-1]:
            return Estimate(months, 0.0, 0.0, 0.0, at_risk)  # everyone has had the event
        if self.n == 0 or months > self.max_time:
            return Estimate(months, None, None, None, at_risk)
        i = self._index(months)
        if i < 0:
            return Estimate(months, 1.0, 1.0, 1.0, at_risk)
        return Estimate(months, self.survival[i], self.lower[i], self.upper[i], at_risk)

    @property
    def median(self) -> Median:
        """Median survival: the first time S(t) ≤ 0.5, with its 95 % interval."""
        return Median(_first_at_or_below(self.times, self.survival),
                      _first_at_or_below(self.times, self.lower),
                      _first_at_or_below(self.times, self.upper))


def _first_at_or_below(times: Sequence[float], curve: Sequence[float]) -> float | None:
    for time, value in zip(times, curve, strict=True):
        if value <= 0.5 + 1e-12:
            return float(time)
    return None


def _arrays(times: Numbers, events: Flags) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(times, dtype=float)
    e = np.asarray(events, dtype=bool)
    if t.shape != e.shape or t.ndim != 1:
        raise ValueError("times and events must be two sequences of the same length")
    if t.size and (np.isnan(t).any() or (t < 0).any()):
        raise ValueError("times must be numbers >= 0")
    return t, e


def kaplan_meier(times: Numbers, events: Flags) -> KaplanMeier:
    """The Kaplan–Meier curve of ``times`` (months) with ``events`` (True or 1: the event
    happened then; False or 0: censored then).

    >>> km = kaplan_meier([1, 2, 2, 3], [True, True, False, True])
    >>> km.times, km.at_risk, km.events
    ((1.0, 2.0, 3.0), (4, 3, 1), (1, 1, 1))
    >>> km.survival
    (0.75, 0.5, 0.0)
    """
    t, e = _arrays(times, events)
    observed = np.sort(t)
    event_times, counts = np.unique(t[e], return_counts=True)
    at_risk = len(t) - np.searchsorted(observed, event_times, side="left")
    survival = np.cumprod(1.0 - counts / at_risk) if len(event_times) else np.array([])
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.cumsum(counts / (at_risk * (at_risk - counts)))
        log_s = np.log(survival)
        se = np.sqrt(greenwood) / np.abs(log_s)
        lower = survival ** np.exp(Z95 * se)
        upper = survival ** np.exp(-Z95 * se)
    # S = 1: no uncertainty yet; S = 0: the curve has ended
    lower = np.where(survival >= 1.0, 1.0, np.where(survival <= 0.0, 0.0, lower))
    upper = np.where(survival >= 1.0, 1.0, np.where(survival <= 0.0, 0.0, upper))
    return KaplanMeier(
        n=len(t), n_events=int(e.sum()),
        times=tuple(float(x) for x in event_times),
        at_risk=tuple(int(x) for x in at_risk), events=tuple(int(x) for x in counts),
        survival=tuple(float(x) for x in survival), lower=tuple(float(x) for x in lower),
        upper=tuple(float(x) for x in upper),
        censored_times=tuple(float(x) for x in np.sort(t[~e])),
        max_time=float(observed[-1]) if len(observed) else 0.0,
        _observed=tuple(float(x) for x in observed))


@dataclass(frozen=True)
class LogRank:
    """The log-rank test across groups: chi-squared, degrees of freedom, p, and each
    group's observed and expected events."""

    statistic: float
    df: int
    p: float
    observed: tuple[int, ...]
    expected: tuple[float, ...]


def logrank(times: Sequence[Numbers], events: Sequence[Flags]) -> LogRank:
    """Compare the survival of two or more groups (``times[g]``, ``events[g]`` per group).

    >>> result = logrank([[1, 2], [3, 4]], [[True, True], [True, True]])
    >>> result.observed, tuple(round(x, 4) for x in result.expected), result.df
    ((2, 2), (0.8333, 3.1667), 1)
    """
    if len(times) < 2 or len(times) != len(events):
        raise ValueError("the log-rank test needs two or more groups")
    groups = [_arrays(t, e) for t, e in zip(times, events, strict=True)]
    all_events = np.unique(np.concatenate([t[e] for t, e in groups]))
    k = len(groups)
    at_risk = np.empty((len(all_events), k))
    died = np.empty((len(all_events), k))
    for j, (t, e) in enumerate(groups):
        ordered, event_sorted = np.sort(t), np.sort(t[e])
        at_risk[:, j] = len(t) - np.searchsorted(ordered, all_events, side="left")
        died[:, j] = (np.searchsorted(event_sorted, all_events, side="right")
                      - np.searchsorted(event_sorted, all_events, side="left"))
    n = at_risk.sum(axis=1)
    d = died.sum(axis=1)
    share = at_risk / n[:, None]
    expected = (share * d[:, None]).sum(axis=0)
    observed = died.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(n > 1, d * (n - d) / (n - 1), 0.0)
    # covariance of (O - E): sum over times of factor * (diag(share) - share share^T)
    cov = np.einsum("t,tj,jk->jk", factor, share, np.eye(k)) - np.einsum(
        "t,tj,tk->jk", factor, share, share)
    diff = (observed - expected)[:-1]
    reduced = cov[:-1, :-1]
    try:
        statistic = float(diff @ np.linalg.solve(reduced, diff))
    except np.linalg.LinAlgError:
        statistic = math.nan
    p = float(stats.chi2.sf(statistic, k - 1)) if math.isfinite(statistic) else math.nan
    return LogRank(statistic, k - 1, p, tuple(int(x) for x in observed),
                   tuple(float(x) for x in expected))


# --- survival of a selection of case records -------------------------------------------

#: the times (months) of the estimates every analysis reports: 1, 3 and 5 years.
MILESTONES = (12.0, 36.0, 60.0)


@dataclass(frozen=True)
class Group:
    """One group's curve: the cases selected, those analysed, those left out (per reason)
    and those whose time is imprecise (per precision)."""

    name: str
    selected: int
    excluded: dict[str, int]
    imprecise: dict[str, int]
    curve: KaplanMeier
    case_ids: tuple[str, ...] = field(default=(), repr=False)  #: the cases analysed
    times: tuple[float, ...] = field(default=(), repr=False)  #: their months
    events: tuple[bool, ...] = field(default=(), repr=False)  #: and events

    @property
    def estimates(self) -> list[Estimate]:
        """Survival at 1, 3 and 5 years."""
        return [self.curve.estimate(m) for m in MILESTONES]


@dataclass(frozen=True)
class SurvivalAnalysis:
    """Kaplan–Meier curves of one endpoint from one origin, overall or per group, with the
    log-rank test across the groups (``None`` with fewer than two groups with cases)."""

    endpoint: str
    origin: str
    by: str | None
    groups: tuple[Group, ...]
    logrank: LogRank | None
    risk_times: tuple[float, ...]

    def group(self, name: str) -> Group:
        """The group called ``name``."""
        return next(g for g in self.groups if g.name == name)

    def as_dict(self, curves: bool = True) -> dict[str, object]:
        """Plain data (JSON); ``curves`` adds each curve's steps."""
        def estimate(e: Estimate) -> dict[str, object]:
            return {"months": e.months, "survival": e.survival, "lower": e.lower,
                    "upper": e.upper, "at_risk": e.at_risk}

        groups = []
        for g in self.groups:
            median = g.curve.median
            item: dict[str, object] = {
                "group": g.name, "selected": g.selected, "analysed": g.curve.n,
                "events": g.curve.n_events, "excluded": g.excluded, "imprecise": g.imprecise,
                "median_months": median.time, "median_lower": median.lower,
                "median_upper": median.upper,
                "estimates": [estimate(e) for e in g.estimates],
                "at_risk": {f"{t:g}": g.curve.at_risk_at(t) for t in self.risk_times}}
            if curves:
                item["curve"] = [{"months": t, "at_risk": n, "events": d, "survival": s,
                                  "lower": lo, "upper": up} for t, n, d, s, lo, up in zip(
                    g.curve.times, g.curve.at_risk, g.curve.events, g.curve.survival,
                    g.curve.lower, g.curve.upper, strict=True)]
            groups.append(item)
        test = None if self.logrank is None else {
            "chi_squared": self.logrank.statistic, "df": self.logrank.df, "p": self.logrank.p,
            "observed": list(self.logrank.observed), "expected": list(self.logrank.expected)}
        return {"endpoint": self.endpoint, "origin": self.origin, "by": self.by,
                "groups": groups, "logrank": test}


def _group(name: str, records: Sequence[CaseRecord], endpoint: str, origin: str) -> Group:
    prefix = f"{ENDPOINTS[endpoint]}_{origin}_"
    read = attrgetter("case_id", *(prefix + part
                                   for part in ("months", "event", "precision", "excluded")))
    times, events, ids = [], [], []
    excluded: dict[str, int] = {}
    imprecise: dict[str, int] = {}
    for case_id, months, event, precision, reason in map(read, records):
        if reason is not None or months is None:
            reason = reason or "no time"
            excluded[reason] = excluded.get(reason, 0) + 1
            continue
        if precision not in (None, "exact"):
            imprecise[precision] = imprecise.get(precision, 0) + 1
        times.append(months)
        events.append(bool(event))
        ids.append(case_id)
    return Group(name, len(records), dict(sorted(excluded.items())), imprecise,
                 kaplan_meier(times, events), tuple(ids), tuple(times), tuple(events))


def analyse(records: Sequence[CaseRecord], endpoint: str = "overall", origin: str = "surgery",
            by: str | None = None) -> SurvivalAnalysis:
    """Kaplan–Meier of ``records`` (:class:`kg.analysis.records.CaseRecord`) for
    ``endpoint`` (overall, event-free, metastasis-free) from ``origin`` (surgery,
    diagnosis), overall or by the field ``by``; the log-rank test compares the groups that
    report ``by`` and have at least one case analysed.

    Raises :class:`kg.analysis.fields.SelectionError` for an unknown endpoint, origin or
    field, and when no selected case has a usable time.
    """
    if endpoint not in ENDPOINTS:
        raise SelectionError(f"unknown endpoint {endpoint!r}",
                             hint="use one of: " + ", ".join(nearest(endpoint, ENDPOINTS)))
    if origin not in ORIGINS:
        raise SelectionError(f"unknown origin {origin!r}",
                             hint="use one of: " + ", ".join(nearest(origin, ORIGINS)))
    if not records:
        raise SelectionError("no case to analyse: the selection is empty",
                             hint="loosen or drop the --where conditions")
    parts = groups(records, by) if by else {"all": list(records)}
    built = tuple(_group(name, rs, endpoint, origin) for name, rs in parts.items())
    if not any(g.curve.n for g in built):
        reasons: dict[str, int] = {}
        for g in built:
            for reason, count in g.excluded.items():
                reasons[reason] = reasons.get(reason, 0) + count
        raise SelectionError(
            f"none of the {len(records)} selected cases has a usable {endpoint} time from "
            f"the {origin}: " + "; ".join(f"{r} ({c})" for r, c in reasons.items()),
            hint="try --origin surgery, another endpoint, or a wider selection")
    compared = [g for g in built if g.curve.n and g.name != NOT_REPORTED]
    test = None
    if by and len(compared) >= 2 and any(g.curve.n_events for g in compared):
        test = logrank([g.times for g in compared], [g.events for g in compared])
    longest = max(60.0, *(g.curve.max_time for g in built))
    step = 12.0 if longest <= 120 else 24.0
    risk = tuple(step * i for i in range(int(min(longest, 240.0) // step) + 1))
    return SurvivalAnalysis(endpoint, origin, find_field(by).name if by else None, built, test,
                            risk)
