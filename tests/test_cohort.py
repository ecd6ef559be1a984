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
#: publication values an expectation may give, and where the graph holds them
PUBLICATION_FIELDS = {"year": "vlms:publicationYear", "doi": "<http://purl.org/ontology/bibo/doi>",
                      "pmid": "<http://purl.org/ontology/bibo/pmid>",
                      "url": "<http://purl.org/ontology/bibo/uri>"}


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
    for key, prop in PUBLICATION_FIELDS.items():
        if key in expected:
            found = {r["v"] for r in select(dataset, f"SELECT ?v WHERE {{ <{iri}> {prop} ?v }}")}
            assert str(expected[key]) in found, (key, found)


@pytest.mark.parametrize("path", EXPECTATIONS, ids=[p.stem for p in EXPECTATIONS])
def test_every_publication_asserts_a_value_from_its_source(path: Path) -> None:
    """A case value (age, sex, vessel, ...) or, for a publication without a case sheet, its
    year, DOI, PMID or the URL it was read at."""
    expected = read_expectation(path)
    case_values = [k for case in expected.get("cases") or [] for k in case if k != "case"]
    assert case_values or set(PUBLICATION_FIELDS) & set(expected), path.name


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
    if "therapies given" in case:  # as the clinicians' question lists them
        given = {row.therapy.lower() for row in run_query(
            "systemic-and-radiation-therapy", EmbeddedStore.from_dataset(dataset))
            if row.caseId == case["case"] and row.given}
        assert given == {t.lower() for t in case["therapies given"]}


def test_every_curated_case_has_its_expectations(cohort: dict[str, Any]) -> None:
    """A case sheet without expectations would go untested."""
    curated = {case["case"] for _, case in CASES}
    shipped_turtle = {"lms-femoral-vein-c1", "lms-ivc-two-cases-c1", "lms-ivc-two-cases-c2"}
    assert set(cohort) - shipped_turtle == curated


# --- the corpus table ------------------------------------------------------------------

CORPUS = [line.split("\t") for line in
          (Path(__file__).parent / "data" / "cohort" / "corpus.tsv").read_text().splitlines()[1:]]
#: words a vessel of origin's label holds, for each vessel group of the corpus table
GROUP_WORDS = {
    "inferior vena cava": ("inferior vena cava",),
    "gonadal vein": ("ovarian vein", "gonadal vein", "testicular vein"),
    "great saphenous vein": ("saphenous vein",),
    "pulmonary artery": ("pulmonary",),
    "splenic vein": ("splenic vein",),
    "aorta": ("aorta",),
    "femoral vein": ("femoral vein",),
    "femoral artery": ("femoral artery",),
    "iliac vein": ("iliac vein",),
    "iliac artery": ("iliac artery",),
    "renal vein": ("renal vein",),
    "portal vein": ("portal vein",),
    "popliteal vein": ("popliteal vein",),
    "popliteal artery": ("popliteal artery",),
    "superior mesenteric vein": ("mesenteric vein",),
    "jugular or subclavian vein": ("jugular vein", "subclavian vein"),
    "axillary vein": ("axillary vein",),
    "great saphenous vein or inferior vena cava": ("saphenous vein", "inferior vena cava"),
    "great saphenous vein or femoral vein": ("saphenous vein", "femoral vein"),
}


def test_every_publication_of_the_corpus_has_expectations() -> None:
    assert {slug for slug, _, _ in CORPUS} == {p.stem for p in EXPECTATIONS} - {
        "lms-femoral-vein", "lms-ivc-two-cases"}


@pytest.mark.parametrize(("publication", "group", "patients"), CORPUS,
                         ids=[slug for slug, _, _ in CORPUS])
def test_cases_agree_with_the_corpus_table(publication: str, group: str, patients: str,
                                           cohort: dict[str, Any]) -> None:
    """No more cases than the publication reports, each arising from the vessel group the
    corpus table gives for it."""
    cases = [row for row in cohort.values() if row.publication == publication]
    assert len(cases) <= int(patients)
    for row in cases:
        assert any(word in (row.vessel or "") for word in GROUP_WORDS[group]), (
            row.caseId, row.vessel, group)


def test_cohort_says_not_reported_where_a_case_is_silent(cohort: dict[str, Any]) -> None:
    # a teaching case whose page gives imaging only: nothing of metastasis, margin or outcome
    row = cohort["eurorad-13880-ivc-58f-c1"]
    assert (row.firstMetastasisSites, row.margin, row.vitalStatus) == ("not reported",) * 3
    assert row.monthsToFirstMetastasis is None and row.followUpMonths is None
    assert (row.age, row.sex, row.ivcSegments) == (58, "female", "middle")


def test_cases_per_vessel_group(cohort: dict[str, Any]) -> None:
    """The cohort's cases counted by the corpus table's vessel group of their publication
    equal the same cases counted by the vessel of origin the graph gives them."""
    corpus_group = {slug: group for slug, group, _ in CORPUS}
    by_corpus: dict[str, int] = {}
    by_graph: dict[str, int] = {}
    for row in cohort.values():
        if row.publication not in corpus_group:
            continue
        group = corpus_group[row.publication]
        by_corpus[group] = by_corpus.get(group, 0) + 1
        found = [g for g, words in GROUP_WORDS.items() if " or " not in g
                 and any(word in (row.vessel or "") for word in words)]
        named = group if group in found or " or " in group else (found[0] if found else "none")
        by_graph[named] = by_graph.get(named, 0) + 1
    assert by_graph == by_corpus
