"""The published cohort: every curated publication and case carries the values its source states.

Each file ``tests/data/cohort/<publication-id>.yaml`` was written by the curator from the
source itself (not from program output): the publication, and for each patient the values the
source states (age, sex, vessel of origin, margin, vital status, exact follow-up, a procedure).
The tests read the built graph and compare.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from ruamel.yaml import YAML

from kg.queries.run import run_query
from kg.store import EmbeddedStore
from tests.fixtures.graph import select

EXPECTATIONS = sorted((Path(__file__).parent / "data" / "cohort").glob("*.yaml"))
PUBLICATION = "https://w3id.org/vlmskg/publication/"
CASE = "https://w3id.org/vlmskg/case/"


def read_expectation(path: Path) -> dict[str, Any]:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


CASES = [(path.stem, case) for path in EXPECTATIONS
         for case in (read_expectation(path).get("cases") or [])]


@pytest.fixture(scope="module")
def cohort(dataset: ox.Store) -> dict[str, Any]:
    rows = run_query("cohort", EmbeddedStore.from_dataset(dataset))
    return {row.caseId: row for row in rows}


@pytest.mark.parametrize("path", EXPECTATIONS, ids=[p.stem for p in EXPECTATIONS])
def test_publication_is_in_the_graph(path: Path, dataset: ox.Store) -> None:
    expected = read_expectation(path)
    assert expected["publication"] == path.stem
    iri = PUBLICATION + path.stem
    rows = select(dataset, f"SELECT ?g WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }} LIMIT 1")
    assert rows, f"publication {path.stem} has no named graph"
    assert rows[0]["g"] == iri


@pytest.mark.parametrize(("publication", "case"), CASES,
                         ids=[case["case"] for _, case in CASES])
def test_case_carries_its_source_values(publication: str, case: dict[str, Any],
                                        cohort: dict[str, Any], dataset: ox.Store) -> None:
    row = cohort.get(case["case"])
    assert row is not None, f"case {case['case']} is not in the cohort"
    assert row.publication == publication
    if "age" in case:
        assert row.age == case["age"]
    if "sex" in case:
        assert row.sex == case["sex"]
    if "vessel" in case:
        assert case["vessel"].lower() in (row.vessel or "").lower(), row.vessel
    if "margin" in case:
        assert row.margin == case["margin"]
    if "vital status" in case:
        assert row.vitalStatus == case["vital status"]
    if "follow-up months" in case:
        assert float(row.followUpMonths) == pytest.approx(float(case["follow-up months"]))
    if "procedure" in case:
        labels = {r["label"].lower() for r in select(dataset, f"""
            SELECT DISTINCT ?label WHERE {{
              <{CASE}{case['case']}> vlms:hasEvent ?event .
              ?event a ?class . ?class rdfs:label ?label .
            }}""")}
        assert case["procedure"].lower() in labels, sorted(labels)


def test_every_curated_case_has_its_expectations(cohort: dict[str, Any]) -> None:
    """A case sheet without expectations would go untested."""
    curated = {case["case"] for _, case in CASES}
    shipped_turtle = {"lms-femoral-vein-c1", "lms-ivc-two-cases-c1", "lms-ivc-two-cases-c2"}
    assert set(cohort) - shipped_turtle == curated
