"""Walking the graph with ``kg.api``: nodes, neighbours, hierarchies, paths, provenance.

The same assertions run on the embedded store and on a real oxigraph server. Expected
values come from the case reports (the first IVC patient had lung metastases; the femoral
tumour sat in the left common femoral vein) and from the anatomy the ontology states
(the inferior vena cava is a vein, a vein is a blood vessel).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.api import Edge, KnowledgeGraph, Node
from kg.api.traversal import compact, to_iri
from kg.errors import ParameterError
from tests.test_api import BACKENDS, open_graph

CASE = "https://w3id.org/vlmskg/case/"
IVC1 = CASE + "lms-ivc-two-cases-c1"
IVC1_LUNG = IVC1 + "/lung"
OBO = "http://purl.obolibrary.org/obo/"
VLMS = "https://w3id.org/vlmskg/vocab/"
IVC, VEIN, BLOOD_VESSEL = OBO + "UBERON_0001072", OBO + "UBERON_0001638", OBO + "UBERON_0001981"
PART_OF = OBO + "BFO_0000050"


@pytest.fixture(scope="module", params=BACKENDS)
def graph(request: pytest.FixtureRequest, dataset: ox.Store) -> KnowledgeGraph:
    """One graph per backend, shared by the tests of this module."""
    return open_graph(request, dataset)


def _iris(nodes: list[Node]) -> set[str]:
    return {n.iri for n in nodes}


# --- nodes ------------------------------------------------------------------------------

def test_node_label_from_the_ontology(graph: KnowledgeGraph) -> None:
    assert graph.node("UBERON:0001072").label == "inferior vena cava"


def test_node_types(graph: KnowledgeGraph) -> None:
    assert VLMS + "Case" in _iris(graph.node(IVC1).types)


def test_unknown_node_is_an_error(graph: KnowledgeGraph) -> None:
    with pytest.raises(ParameterError):
        graph.node(IVC1 + "/noSuchNode")


@pytest.mark.parametrize("name", ["not a node", "http://x/a b", "vlms"])
def test_unreadable_node_name_is_an_error(name: str) -> None:
    with pytest.raises(ParameterError):
        to_iri(name)


@pytest.mark.parametrize("iri", [IVC, PART_OF, VLMS + "Case",
                                 "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", IVC1])
def test_compact_names_read_back(iri: str) -> None:
    assert str(to_iri(compact(iri))) == iri


# --- neighbours -------------------------------------------------------------------------

def test_outgoing_edge_by_predicate(graph: KnowledgeGraph) -> None:
    tumour = graph.node(IVC1 + "/tumour")
    (edge,) = tumour.neighbours(predicate="vlms:arisesFrom")
    assert edge.subject == tumour and edge.predicate.iri == VLMS + "arisesFrom"
    wall = edge.object
    assert isinstance(wall, Node) and wall.label
    # the wall is part of the patient's inferior vena cava
    assert IVC1 + "/ivc" in {e.object.iri for e in wall.neighbours(predicate=PART_OF)}


def test_literal_neighbours_are_python_values(graph: KnowledgeGraph) -> None:
    patient = graph.node(IVC1 + "/patient")
    assert [e.object for e in patient.neighbours(predicate="vlms:ageYears")] == [60]


def test_incoming_edges_keep_the_triple_orientation(graph: KnowledgeGraph) -> None:
    lung = graph.node(IVC1_LUNG)
    incoming = lung.neighbours(direction="in")
    assert incoming and all(e.object == lung for e in incoming)
    assert VLMS + "site" in {e.predicate.iri for e in incoming}
    both = lung.neighbours(direction="both")
    assert set(incoming) <= set(both) and set(lung.neighbours()) <= set(both)


def test_unknown_direction_is_an_error(graph: KnowledgeGraph) -> None:
    with pytest.raises(ParameterError):
        graph.node(IVC1_LUNG).neighbours(direction="sideways")


# --- hierarchies ------------------------------------------------------------------------

def test_ivc_is_a_vein_and_a_blood_vessel(graph: KnowledgeGraph) -> None:
    assert {VEIN, BLOOD_VESSEL} <= _iris(graph.node(IVC).ancestors("subclass"))


def test_blood_vessel_descendants_include_the_ivc(graph: KnowledgeGraph) -> None:
    assert IVC in _iris(graph.node(BLOOD_VESSEL).descendants())


def test_part_of_ancestors_of_the_ivc_wall(graph: KnowledgeGraph) -> None:
    assert IVC1 + "/ivc" in _iris(graph.node(IVC1 + "/ivcWall").ancestors("part_of"))


def test_part_of_descendants_of_the_ivc_include_its_wall(graph: KnowledgeGraph) -> None:
    assert IVC1 + "/ivcWall" in _iris(graph.node(IVC1 + "/ivc").descendants("part_of"))


def test_unknown_relation_is_an_error(graph: KnowledgeGraph) -> None:
    with pytest.raises(ParameterError):
        graph.node(IVC).ancestors("sibling")


# --- paths ------------------------------------------------------------------------------

def _is_chain(path: list[Edge], start: str, end: str) -> bool:
    at = start
    for edge in path:
        if edge.subject.iri == at:
            at = edge.object.iri
        elif edge.object.iri == at:
            at = edge.subject.iri
        else:
            return False
    return at == end


def test_path_from_case_to_its_lung_goes_through_the_metastasis(graph: KnowledgeGraph) -> None:
    path = graph.shortest_path(IVC1, IVC1_LUNG)
    assert path is not None and len(path) == 2 and _is_chain(path, IVC1, IVC1_LUNG)
    first, second = path
    assert first.predicate.iri == VLMS + "hasFinding"
    assert second.predicate.iri == VLMS + "site"
    assert VLMS + "Metastasis" in _iris(first.object.types)


def test_path_between_two_cases_of_one_publication(graph: KnowledgeGraph) -> None:
    other = CASE + "lms-ivc-two-cases-c2"
    path = graph.shortest_path(IVC1, other)
    assert path is not None and _is_chain(path, IVC1, other)


def test_no_path_within_too_short_a_length(graph: KnowledgeGraph) -> None:
    assert graph.shortest_path(IVC1, IVC1_LUNG, max_length=1) is None


def test_path_to_itself_is_empty(graph: KnowledgeGraph) -> None:
    assert graph.shortest_path(IVC1_LUNG, IVC1_LUNG) == []


@pytest.mark.parametrize("max_length", [-1, 2.5, True])
def test_bad_max_length_is_an_error(graph: KnowledgeGraph, max_length: object) -> None:
    with pytest.raises(ParameterError):
        graph.shortest_path(IVC1, IVC1_LUNG, max_length=max_length)  # type: ignore[arg-type]


# --- provenance -------------------------------------------------------------------------

def test_source_of_a_case_node(graph: KnowledgeGraph) -> None:
    source = graph.source_of(IVC1_LUNG)
    assert source is not None
    assert (source.graph, source.case_number) == (IVC1, 1)
    assert source.publication == "https://w3id.org/vlmskg/publication/lms-ivc-two-cases"


def test_source_of_the_second_case_of_the_publication(graph: KnowledgeGraph) -> None:
    source = graph.source_of(CASE + "lms-ivc-two-cases-c2/tumour")
    assert source is not None and source.case_number == 2


def test_source_location_where_curators_recorded_one(graph: KnowledgeGraph) -> None:
    source = graph.source_of(IVC1 + "/tumour")
    assert source is not None and source.location and "case report 1" in source.location


def test_ontology_terms_have_no_case_source(graph: KnowledgeGraph) -> None:
    assert graph.source_of(IVC) is None
