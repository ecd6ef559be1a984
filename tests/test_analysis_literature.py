"""The literature side by side: each pooled figure beside the graph's estimate for the same
population and time point, both sample sizes, and the overlap note."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.analysis.literature import Comparison, compare_literature, fetch_figures, wilson_interval
from kg.analysis.records import extract_records
from kg.namespaces import PUBLICATION
from kg.store.embedded import EmbeddedStore
from tests.test_analysis_records import named_store

Comparisons = dict[tuple[str, str], Comparison]

# a registry (made up for the test) pooling resected IVC cases: 2-year survival 80 % of 218,
# a median of 40 months, and a local-recurrence share without a time point
_REGISTRY = """@prefix : <https://w3id.org/vlmskg/publication/test-registry/statement/> .
@prefix pub: <https://w3id.org/vlmskg/publication/> .
@prefix vlms: <https://w3id.org/vlmskg/vocab/> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
pub:test-registry a obo:IAO_0000013 ; vlms:publicationType vlms:RegistryReport .
:survival a vlms:RateStatement ; vlms:statedIn pub:test-registry ;
    vlms:statementText "Two-year survival after resection was 80%."@en ;
    vlms:hasPooledFigure :survival-figure-1 , :survival-figure-2 .
:survival-figure-1 a vlms:PooledFigure ; vlms:endpoint obo:NCIT_C125201 ;
    vlms:populationSite obo:UBERON_0001072 ; vlms:populationTreatment obo:MAXO_0000448 ;
    vlms:sampleSize 218 ; vlms:timeHorizonYears 2.0 ; vlms:ratePercent 80.0 .
:survival-figure-2 a vlms:PooledFigure ; vlms:endpoint obo:NCIT_C125201 ;
    vlms:populationSite obo:UBERON_0001072 ; vlms:medianMonths 40.0 .
:recurrence a vlms:RateStatement ; vlms:statedIn pub:test-registry ;
    vlms:hasPooledFigure :recurrence-figure-1 .
:recurrence-figure-1 a vlms:PooledFigure ; vlms:endpoint vlms:LocalRecurrence ;
    vlms:ratePercent 30.0 ; vlms:precision vlms:Approximate .
"""


@pytest.fixture(scope="module")
def comparisons() -> Comparisons:
    store = named_store()
    store.dataset.load(_REGISTRY.encode(), format=ox.RdfFormat.TURTLE,
                       to_graph=ox.NamedNode(str(PUBLICATION) + "test-registry"))
    rows = compare_literature(store, extract_records(store))
    return {(r.publication, r.published): r for r in rows}


def test_rate_at_a_time_point_beside_the_kaplan_meier_estimate(comparisons: Comparisons) -> None:
    row = comparisons[("test-registry", "80%")]
    # resected IVC cases: c1 (censored at 30 months) and c2 (censored at 24): S(24) = 1
    assert (row.population, row.time_months) == ("inferior vena cava, surgical resection", 24.0)
    assert (row.published_n, row.graph_n, row.graph_events) == (218, 2, 0)
    assert (row.graph_estimate, row.graph_lower, row.graph_upper) == (100.0, 100.0, 100.0)
    assert row.graph_endpoint == "overall"
    assert "pools earlier published reports" in row.overlap


def test_median_beside_the_kaplan_meier_median(comparisons: Comparisons) -> None:
    row = comparisons[("test-registry", "median 40 months")]
    assert row.graph_estimate is None and "median not reached" in row.note


def test_share_without_a_time_point(comparisons: Comparisons) -> None:
    row = comparisons[("test-registry", "about 30%")]
    # local recurrence reported for c1 (no) and the femoral case (no); c2 does not say
    assert (row.graph_n, row.graph_events, row.graph_estimate) == (2, 0, 0.0)
    low, high = wilson_interval(0, 2)
    assert (row.graph_lower, row.graph_upper) == (pytest.approx(100 * low),
                                                  pytest.approx(100 * high))
    assert row.population == "all cases"


def test_the_letters_quoted_figure(comparisons: Comparisons) -> None:
    row = comparisons[("lms-ivc-two-cases", "49.4%")]
    assert (row.time_months, row.graph_estimate) == (60.0, None)
    assert "no case followed to 60 months" in row.note
    assert "quoted from the source's reference(s) 1, 3" in row.overlap
    assert "2 case(s) of this publication are in the graph" in row.overlap


def test_figures_are_read_with_their_population() -> None:
    figures = {f.figure.rsplit("/", 1)[-1]: f for f in fetch_figures(named_store())}
    five = figures["five-year-survival-figure-1"]
    assert (five.publication, five.years, five.rate, five.cites) == (
        "lms-ivc-two-cases", 5.0, 49.4, (1, 3))
    assert five.sites == ("http://purl.obolibrary.org/obo/UBERON_0001072",)


def test_wilson_interval_by_hand() -> None:
    # 2 of 3, z = 1.96: centre (0.6667 + 0.6402) / 2.2805 = 0.5731,
    # half 1.96 * sqrt(0.07407 + 0.10671) / 2.2805 = 0.3654 -> (0.208, 0.939)
    low, high = wilson_interval(2, 3)
    assert (round(low, 3), round(high, 3)) == (0.208, 0.939)


def test_no_figure_no_row() -> None:
    store = EmbeddedStore.from_dataset(ox.Store())
    assert compare_literature(store, []) == []
