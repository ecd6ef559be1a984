"""The literature side by side: each pooled figure a publication states, beside the graph's
own estimate for the matching population and time point.

A figure (``vlms:PooledFigure``, see ``ontology/README.md``) states an endpoint, a
population (vessel, treatment), perhaps a sample size, and a rate at a time point or a
median. For each one this module selects the graph's cases of that population, runs the
matching analysis and reports both, with the graph's 95 % interval and both sample sizes:

* survival rates at a time point (overall, disease-specific, disease-, recurrence- or
  cancer-free survival): the Kaplan–Meier estimate at that time, from the index operation;
  disease-specific survival is set beside overall survival (the graph counts every death)
  and disease-, recurrence- and cancer-free survival beside event-free survival (first
  recurrence, metastasis or death), and the note says so;
* medians: the Kaplan–Meier median with its interval;
* proportions without a time point (recurrence, local recurrence, metastasis): the share of
  the population's cases reporting it among those that report whether it happened, with a
  Wilson 95 % interval;
* anything else (graft complications…) is listed with "no matching estimate".

The overlap note says when the two populations may share patients: a registry or a review
pools published reports (which may be the graph's own cases); a figure quoted from a
source's references comes from the pooled literature; a publication whose own cases are in
the graph contributes them to both sides.

>>> from kg.store import open_store
>>> from kg.analysis.records import extract_records
>>> store = open_store()
>>> rows = compare_literature(store, extract_records(store))
>>> five = next(r for r in rows if r.publication == "lms-ivc-two-cases"
...             and r.endpoint_label == "overall survival" and r.time_months == 60)
>>> five.published, five.graph_endpoint
('49.4%', 'overall')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from scipy import stats

from kg.analysis.fields import SelectionError
from kg.analysis.records import CaseRecord, Ontology, _rows, fetch_ontology
from kg.analysis.survival import analyse
from kg.namespaces import PUBLICATION
from kg.store.base import Store
from kg.vocab import VLMS

__all__ = ["Comparison", "PublishedFigure", "fetch_figures", "compare_literature",
           "wilson_interval"]

_OBO = "http://purl.obolibrary.org/obo/"
_V = str(VLMS)
_FIGURES = f"""PREFIX vlms: <{_V}>
SELECT ?publication ?statement ?figure ?endpoint ?site ?treatment ?n ?years ?rate ?rateMin
       ?rateMax ?median ?comparator ?precision ?text ?cites ?type WHERE {{
  ?statement vlms:hasPooledFigure ?figure ; vlms:statedIn ?publication .
  ?figure vlms:endpoint ?endpoint .
  OPTIONAL {{ ?figure vlms:populationSite ?site }}
  OPTIONAL {{ ?figure vlms:populationTreatment ?treatment }}
  OPTIONAL {{ ?figure vlms:sampleSize ?n }}
  OPTIONAL {{ ?figure vlms:timeHorizonYears ?years }}
  OPTIONAL {{ ?figure vlms:ratePercent ?rate }}
  OPTIONAL {{ ?figure vlms:ratePercentMin ?rateMin ; vlms:ratePercentMax ?rateMax }}
  OPTIONAL {{ ?figure vlms:medianMonths ?median }}
  OPTIONAL {{ ?figure vlms:comparator ?comparator }}
  OPTIONAL {{ ?figure vlms:precision ?precision }}
  OPTIONAL {{ ?statement vlms:statementText ?text }}
  OPTIONAL {{ ?statement vlms:citesReference ?cites }}
  OPTIONAL {{ ?publication vlms:publicationType ?type }}
}}"""
_SURVIVAL = {_OBO + "NCIT_C125201": ("overall", ""),
             _V + "DiseaseSpecificSurvival": ("overall", "disease-specific survival set beside "
                                              "overall survival: the graph counts every death"),
             _V + "DiseaseFreeSurvival": ("event-free", "disease-free survival set beside "
                                          "event-free survival (recurrence, metastasis, death)"),
             _V + "RecurrenceFreeSurvival": ("event-free", "recurrence-free survival set beside "
                                             "event-free survival (recurrence, metastasis, "
                                             "death)"),
             _V + "CancerFreeSurvival": ("event-free", "cancer-free survival set beside "
                                         "event-free survival (recurrence, metastasis, death)")}
_PROPORTION = {_OBO + "NCIT_C4798": ("recurrence", "metastasis"),
               _V + "LocalRecurrence": ("recurrence",),
               _OBO + "NCIT_C19151": ("metastasis",)}
_POOLING_TYPES = (_V + "RegistryReport", "http://purl.org/spar/fabio/ReviewArticle")
_COMPARATOR = {_V + "LessThan": "<", _V + "GreaterThan": ">"}


@dataclass(frozen=True)
class PublishedFigure:
    """One pooled figure as the publication states it."""

    publication: str
    figure: str
    endpoint: str
    sites: tuple[str, ...]
    treatments: tuple[str, ...]
    sample_size: int | None
    years: float | None
    rate: float | None
    rate_min: float | None
    rate_max: float | None
    median_months: float | None
    comparator: str | None
    precision: str | None
    text: str | None
    cites: tuple[int, ...]
    types: tuple[str, ...]


@dataclass(frozen=True)
class Comparison:
    """A published figure beside the graph's estimate for the same population."""

    publication: str
    statement: str | None
    endpoint_label: str
    population: str
    time_months: float | None
    published: str
    published_n: int | None
    graph_endpoint: str | None
    graph_estimate: float | None  #: percent, or months for a median
    graph_lower: float | None
    graph_upper: float | None
    graph_n: int  #: cases of the population analysed
    graph_events: int | None
    note: str  #: how the two were matched, and what differs
    overlap: str  #: whether the populations may share patients

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def graph_text(self) -> str:
        """The graph's estimate with its interval, or why there is none."""
        if self.graph_estimate is None:
            return "no estimate"
        unit = " months" if self.published.endswith("months") else "%"
        interval = ("" if self.graph_lower is None else
                    f" (95% CI {self.graph_lower:.0f}-{self.graph_upper or 0:.0f})")
        return f"{self.graph_estimate:.1f}{unit}{interval}"


def fetch_figures(store: Store) -> list[PublishedFigure]:
    """Every pooled figure in the publications, in publication and figure order."""
    variables = ["publication", "statement", "figure", "endpoint", "site", "treatment", "n",
                 "years", "rate", "rateMin", "rateMax", "median", "comparator", "precision",
                 "text", "cites", "type"]
    merged: dict[str, dict[str, Any]] = {}
    for row in _rows(store, _FIGURES, variables):
        value = dict(zip(variables, row, strict=True))
        item = merged.setdefault(value["figure"], {**value, "site": set(), "treatment": set(),
                                                   "cites": set(), "type": set()})
        for key in ("site", "treatment", "cites", "type"):
            if value[key] is not None:
                item[key].add(value[key])

    def number(v: Any) -> float | None:
        return None if v is None else float(v)

    figures = [PublishedFigure(
        publication=str(v["publication"]).removeprefix(str(PUBLICATION)),
        figure=str(v["figure"]), endpoint=str(v["endpoint"]),
        sites=tuple(sorted(v["site"])), treatments=tuple(sorted(v["treatment"])),
        sample_size=None if v["n"] is None else int(v["n"]), years=number(v["years"]),
        rate=number(v["rate"]), rate_min=number(v["rateMin"]), rate_max=number(v["rateMax"]),
        median_months=number(v["median"]),
        comparator=_COMPARATOR.get(str(v["comparator"])) if v["comparator"] else None,
        precision=str(v["precision"]).removeprefix(_V) if v["precision"] else None,
        text=str(v["text"]) if v["text"] is not None else None,
        cites=tuple(sorted(int(c) for c in v["cites"])), types=tuple(sorted(v["type"])))
        for v in merged.values()]
    return sorted(figures, key=lambda f: (f.publication, f.figure))


def wilson_interval(events: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of a proportion, as fractions.

    >>> tuple(round(x, 3) for x in wilson_interval(2, 3))
    (0.208, 0.939)
    """
    if n == 0:
        return (math.nan, math.nan)
    z = float(stats.norm.ppf(0.5 + level / 2))
    p = events / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def _population(figure: PublishedFigure, records: Sequence[CaseRecord], ontology: Ontology
                ) -> tuple[list[CaseRecord], str, list[str]]:
    """The records of the figure's population, its description, and what could not be
    matched."""
    chosen = list(records)
    words, unmatched = [], []
    if figure.sites:
        chosen = [r for r in chosen if r.vessel_class and any(
            s in ontology.ancestors(r.vessel_class) for s in figure.sites)]
        words.append(" or ".join(ontology.label(s) for s in figure.sites))
    for treatment in figure.treatments:
        label = ontology.label(treatment)
        words.append(label)
        if treatment == _OBO + "MAXO_0000448" or "resection" in label.lower():
            chosen = [r for r in chosen if r.operation is not None]
        elif treatment in (_V + "GraftReplacement", _V + "VeinLigation", _V + "PatchRepair"):
            kind = {"GraftReplacement": "graft", "VeinLigation": "ligation",
                    "PatchRepair": "patch"}[treatment.removeprefix(_V)]
            chosen = [r for r in chosen if kind in r.vascular_management]
        else:
            unmatched.append(label)
    return chosen, ", ".join(words) or "all cases", unmatched


def _published(figure: PublishedFigure) -> str:
    prefix = ("about " if figure.precision == "Approximate" else "") + (
        f"{figure.comparator} " if figure.comparator else "")
    if figure.median_months is not None:
        return f"median {prefix}{figure.median_months:g} months"
    if figure.rate is not None:
        return f"{prefix}{figure.rate:g}%"
    if figure.rate_min is not None:
        return f"{figure.rate_min:g}-{figure.rate_max or 0:g}%"
    return "not stated"


def _overlap(figure: PublishedFigure, records: Sequence[CaseRecord]) -> str:
    own = sum(1 for r in records if r.publication == figure.publication)
    notes = []
    if any(t in _POOLING_TYPES for t in figure.types):
        notes.append("the publication pools earlier published reports, which may include "
                     "cases of this graph: the populations overlap")
    if figure.cites:
        notes.append("the figure is quoted from the source's reference(s) "
                     + ", ".join(map(str, figure.cites))
                     + ", which pooled published cases: the populations may overlap")
    if own:
        notes.append(f"{own} case(s) of this publication are in the graph")
    return "; ".join(notes) or "no overlap known"


def compare_literature(store: Store, records: Sequence[CaseRecord],
                       ontology: Ontology | None = None) -> list[Comparison]:
    """Every pooled figure of the publications in ``store`` beside the graph's estimate
    computed from ``records``."""
    ontology = ontology or fetch_ontology(store)
    found = []
    for figure in fetch_figures(store):
        population, described, unmatched = _population(figure, records, ontology)
        months = figure.years * 12 if figure.years is not None else None
        note = ("population not matched on: " + ", ".join(unmatched) + "; ") if unmatched else ""
        endpoint, estimate, lower, upper, n, events = None, None, None, None, 0, None
        if figure.endpoint in _SURVIVAL and (months is not None
                                             or figure.median_months is not None):
            endpoint, caveat = _SURVIVAL[figure.endpoint]
            note += caveat + ("; " if caveat else "") + "Kaplan-Meier from the index operation"
            try:
                analysis = analyse(population, endpoint, "surgery")
            except SelectionError as err:
                note += f"; {err.message}"
            else:
                group = analysis.groups[0]
                n, events = group.curve.n, group.curve.n_events
                if months is not None:
                    e = group.curve.estimate(months)
                    if e.survival is None:
                        note += f"; no case followed to {months:g} months"
                    else:
                        estimate, lower, upper = (100 * e.survival, 100 * (e.lower or 0),
                                                  100 * (e.upper or 0))
                else:
                    median = group.curve.median
                    estimate, lower, upper = median.time, median.lower, median.upper
                    if estimate is None:
                        note += "; median not reached"
        elif figure.endpoint in _PROPORTION and months is None:
            kinds = _PROPORTION[figure.endpoint]
            known = [r for r in population
                     if any(getattr(r, k) is not None for k in kinds)]
            hits = sum(1 for r in known if any(getattr(r, k) for k in kinds))
            endpoint, n, events = "proportion", len(known), hits
            note += "share of the cases that report whether it happened (any follow-up)"
            if known:
                low, high = wilson_interval(hits, len(known))
                estimate, lower, upper = 100 * hits / len(known), 100 * low, 100 * high
        else:
            note += "no matching estimate in the graph"
        found.append(Comparison(
            publication=figure.publication, statement=figure.text,
            endpoint_label=ontology.label(figure.endpoint).lower()
            if figure.endpoint in ontology.labels else figure.endpoint.rsplit("/", 1)[-1],
            population=described, time_months=months, published=_published(figure),
            published_n=figure.sample_size, graph_endpoint=endpoint, graph_estimate=estimate,
            graph_lower=lower, graph_upper=upper, graph_n=n, graph_events=events, note=note,
            overlap=_overlap(figure, records)))
    return found
