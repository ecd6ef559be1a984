"""HermiT over the shipped ontology and cases: consistency and the tumour types it infers.

Expected classes follow the case reports: the femoral case arose in the left common
femoral vein; both IVC cases arose from the wall of the inferior vena cava, case 1 running
from the infrahepatic IVC to below the renal veins, case 2 from the renal veins up to the
right atrium.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg import resources
from kg.building.pipeline import BuildResult
from kg.errors import ReasonerError
from kg.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, case_iri
from kg.reasoning.hermit import JAVA_HINT, infer_case_types, infer_tumour_types
from kg.sources.files import Source, parse_source
from tests.fixtures.graph import select
from tests.fixtures.vessels import VESSEL_CASES, expand, tumour_iri, vessel_ntriples

pytestmark = pytest.mark.java

VLMS = "https://w3id.org/vlmskg/vocab/"
SEGMENTS = {f"{VLMS}{name}SegmentIVCLeiomyosarcoma" for name in ("Upper", "Middle", "Lower")}


def inferred_types(store: ox.Store, case: str) -> set[str]:
    rows = select(store, f"""
        SELECT ?class WHERE {{
          GRAPH <{case_iri(case)}> {{ <{case_iri(case)}> vlms:hasTumour ?tumour }}
          GRAPH <{INFERRED_GRAPH}> {{ ?tumour a ?class }}
        }}""")
    return {row["class"] for row in rows}


def ntriples(turtle: str) -> bytes:
    return ox.serialize(ox.parse(turtle, format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES)


def dump(store: ox.Store, graph: str) -> bytes:
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))


def test_hermit_finds_ontology_and_cases_consistent(built: BuildResult) -> None:
    assert built.reasoned
    assert all(built.inferred[case] > 0 for case in built.case_ids)


def test_femoral_tumour_is_a_femoral_vein_leiomyosarcoma(dataset: ox.Store) -> None:
    types = inferred_types(dataset, "lms-femoral-vein-c1")
    assert {VLMS + "FemoralVeinLeiomyosarcoma", VLMS + "VenousLeiomyosarcoma",
            VLMS + "VascularLeiomyosarcoma"} <= types


def test_femoral_tumour_is_not_an_ivc_leiomyosarcoma(dataset: ox.Store) -> None:
    types = inferred_types(dataset, "lms-femoral-vein-c1")
    assert VLMS + "InferiorVenaCavaLeiomyosarcoma" not in types
    assert not types & SEGMENTS


@pytest.mark.parametrize("case", ["lms-ivc-two-cases-c1", "lms-ivc-two-cases-c2"])
def test_ivc_tumours_are_inferior_vena_cava_leiomyosarcomas(dataset: ox.Store, case: str) -> None:
    types = inferred_types(dataset, case)
    assert {VLMS + "InferiorVenaCavaLeiomyosarcoma", VLMS + "VenousLeiomyosarcoma"} <= types
    assert VLMS + "FemoralVeinLeiomyosarcoma" not in types


@pytest.mark.parametrize(("case", "segments"), [
    ("lms-ivc-two-cases-c1", {"Middle", "Lower"}),
    ("lms-ivc-two-cases-c2", {"Upper", "Middle"}),
])
def test_ivc_segments_follow_the_reported_extent(dataset: ox.Store, case: str,
                                                 segments: set[str]) -> None:
    expected = {f"{VLMS}{name}SegmentIVCLeiomyosarcoma" for name in segments}
    assert inferred_types(dataset, case) & SEGMENTS == expected


def test_femoral_tumour_grows_both_inside_and_outside_the_vein(dataset: ox.Store) -> None:
    types = inferred_types(dataset, "lms-femoral-vein-c1")
    assert {VLMS + "IntraluminalLeiomyosarcoma", VLMS + "ExtraluminalLeiomyosarcoma"} <= types


def test_inferred_types_are_never_asserted_in_a_case(dataset: ox.Store) -> None:
    rows = select(dataset, f"""
        SELECT ?tumour ?class WHERE {{
          GRAPH <{INFERRED_GRAPH}> {{ ?tumour a ?class }}
          GRAPH ?g {{ ?tumour a ?class }} FILTER(?g != <{INFERRED_GRAPH}>)
        }}""")
    assert rows == []


def test_one_case_alone_gives_the_same_types(built: BuildResult) -> None:
    case = "lms-ivc-two-cases-c2"
    alone = infer_tumour_types(dump(built.store, str(ONTOLOGY_GRAPH)),
                               dump(built.store, str(case_iri(case))))
    assert {cls for _, cls in alone} == inferred_types(built.store, case)


def test_an_inconsistent_case_is_named(built: BuildResult) -> None:
    own_tbox = f"""
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        <{VLMS}TestLeftOnly> a owl:Class ; owl:disjointWith <{VLMS}TestRightOnly> .
        <{VLMS}TestRightOnly> a owl:Class ."""
    bad = f"""
        <{case_iri('lms-bad-c1')}> <{VLMS}hasTumour> <{case_iri('lms-bad-c1')}/tumour> .
        <{case_iri('lms-bad-c1')}/tumour> a <{VLMS}TestLeftOnly> , <{VLMS}TestRightOnly> ."""
    ontology = dump(built.store, str(ONTOLOGY_GRAPH)) + ntriples(own_tbox)
    cases = {"lms-bad-c1": ntriples(bad),
             "lms-femoral-vein-c1": dump(built.store, str(case_iri("lms-femoral-vein-c1")))}
    with pytest.raises(ReasonerError, match="Inconsistent ontology") as caught:
        infer_case_types(ontology, cases)
    assert "case lms-bad-c1 " in caught.value.message
    assert "lms-femoral-vein-c1" not in caught.value.message
    assert caught.value.hint


def test_missing_java_is_reported_with_the_fix(built: BuildResult,
                                               monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ReasonerError) as caught:
        infer_tumour_types(dump(built.store, str(ONTOLOGY_GRAPH)), b"")
    assert caught.value.hint == JAVA_HINT


# --- one case per vessel of origin of the published cohort -------------------------------------


@pytest.fixture(scope="module")
def vessel_types() -> dict[str, set[str]]:
    """HermiT's types for the tumour of every vessel case (tests/fixtures/vessels.py), one run."""
    ontology = ntriples_of_ontology()
    cases = {f"vessel-{name}-c1": vessel_ntriples(name) for name in VESSEL_CASES}
    types: dict[str, set[str]] = {}
    for tumour, cls in infer_case_types(ontology, cases):
        types.setdefault(tumour, set()).add(cls)
    return types


def ntriples_of_ontology() -> bytes:
    quads = [q for p in resources.ontology_files() for q in parse_source(Source.for_ontology(p))]
    return ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES) or b""


@pytest.mark.parametrize("name", sorted(VESSEL_CASES))
def test_hermit_classifies_the_tumour_by_its_vessel(vessel_types: dict[str, set[str]],
                                                     name: str) -> None:
    found = vessel_types.get(tumour_iri(name), set())
    expected = {expand(c) for c in VESSEL_CASES[name].expected}
    assert expected <= found, f"missing: {sorted(expected - found)}"


@pytest.mark.parametrize("name", sorted(VESSEL_CASES))
def test_hermit_does_not_classify_the_tumour_by_another_vessel(vessel_types: dict[str, set[str]],
                                                               name: str) -> None:
    found = vessel_types.get(tumour_iri(name), set())
    excluded = {expand(c) for c in VESSEL_CASES[name].excluded}
    assert not excluded & found
