"""The materialiser (HermiT on the TBox, SPARQL for the instances) against HermiT on the
whole ABox, on the shipped cases, a synthetic sample and a few edge cases.

Expected classes follow the case reports: the femoral case arose in the left common femoral
vein; both IVC cases arose from the wall of the inferior vena cava, case 1 running from the
infrahepatic IVC to below the renal veins (middle and lower segments), case 2 from the renal
veins up to the right atrium (upper and middle segments).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import resources
from kg.building.pipeline import BuildResult
from kg.errors import ReasonerError
from kg.reasoning.hermit import infer_case_types
from kg.reasoning.materialize import Classifier, materialize_tumour_types
from kg.sources.files import Source, parse_source
from kg.synth import write_cohort
from tests.fixtures.graph import inferred_pairs
from tests.fixtures.vessels import VESSEL_CASES, expand, tumour_iri, vessel_ntriples

VLMS = "https://w3id.org/vlmskg/vocab/"
CASE = "https://w3id.org/vlmskg/case/"


def ntriples(quads: list[ox.Quad]) -> bytes:
    return ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES) or b""


@pytest.fixture(scope="module")
def ontology() -> bytes:
    return ntriples([q for p in resources.ontology_files()
                     for q in parse_source(Source.for_ontology(p))])


@pytest.fixture(scope="module")
def classifier(ontology: bytes) -> Classifier:
    return Classifier.from_ontology(ontology)


def classify(classifier: Classifier, ontology: bytes, cases: dict[str, bytes]) -> list:
    store = ox.Store()
    store.load(ontology, format=ox.RdfFormat.N_TRIPLES)
    for case, body in cases.items():
        store.load(body, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(CASE + case))
    return sorted(p for pairs in classifier.tumour_types(store).values() for p in pairs)


def shipped() -> dict[str, bytes]:
    return {p.stem: ntriples(parse_source(Source.for_case(p))) for p in resources.case_files()}


@pytest.fixture(scope="module")
def hermit_shipped(built: BuildResult) -> list[tuple[str, str]]:
    """HermiT's classes for the shipped tumours, over the whole ABox: the session's build
    ran it, and wrote them into the inferred graph."""
    return inferred_pairs(built.store)


@pytest.mark.java
def test_shipped_cases_equal_hermit(classifier: Classifier, ontology: bytes,
                                    hermit_shipped: list[tuple[str, str]]) -> None:
    assert classify(classifier, ontology, shipped()) == hermit_shipped


@pytest.mark.java
def test_synthetic_sample_equals_hermit(classifier: Classifier, ontology: bytes,
                                        tmp_path: Path) -> None:
    cohort = write_cohort(tmp_path / "cohort", 50, 21)
    cases = {p.stem: ntriples(parse_source(Source.for_case(p))) for p in cohort.case_files}
    mine = classify(classifier, ontology, cases)
    assert len({tumour for tumour, _ in mine}) == 50
    assert mine == infer_case_types(ontology, cases)


@pytest.mark.java
@pytest.mark.parametrize(("case", "expected", "excluded"), [
    ("lms-femoral-vein-c1", {"FemoralVeinLeiomyosarcoma", "VenousLeiomyosarcoma",
                             "VascularLeiomyosarcoma", "IntraluminalLeiomyosarcoma",
                             "ExtraluminalLeiomyosarcoma"},
     {"InferiorVenaCavaLeiomyosarcoma", "UpperSegmentIVCLeiomyosarcoma"}),
    ("lms-ivc-two-cases-c1", {"InferiorVenaCavaLeiomyosarcoma", "MiddleSegmentIVCLeiomyosarcoma",
                              "LowerSegmentIVCLeiomyosarcoma"},
     {"UpperSegmentIVCLeiomyosarcoma", "FemoralVeinLeiomyosarcoma"}),
    ("lms-ivc-two-cases-c2", {"InferiorVenaCavaLeiomyosarcoma", "UpperSegmentIVCLeiomyosarcoma",
                              "MiddleSegmentIVCLeiomyosarcoma", "IntraluminalLeiomyosarcoma"},
     {"LowerSegmentIVCLeiomyosarcoma", "ExtraluminalLeiomyosarcoma"}),
])
def test_tumour_classes_follow_the_reports(classifier: Classifier, ontology: bytes, case: str,
                                           expected: set[str], excluded: set[str]) -> None:
    types = {c.removeprefix(VLMS) for t, c in classify(classifier, ontology, shipped())
             if t == f"{CASE}{case}/tumour"}
    assert expected <= types
    assert not excluded & types


EDGE_CASES = {
    # a segment typed only by its class: IVCSegment ⊑ ∃partOf.IVC makes it part of an IVC
    "segment-only": """
        <{c}> vlms:hasTumour <{c}/t> . <{c}/t> a obo:NCIT_C3158 ; vlms:arisesFrom <{c}/s> .
        <{c}/s> a vlms:IVCMiddleSegment .""",
    # a part of a part of a femoral vein: part of is transitive
    "part-of-part": """
        <{c}> vlms:hasTumour <{c}/t> . <{c}/t> a obo:NCIT_C3158 ; vlms:arisesFrom <{c}/a> .
        <{c}/a> obo:BFO_0000050 <{c}/b> . <{c}/b> obo:BFO_0000050 <{c}/v> .
        <{c}/v> a obo:UBERON_0001361 .""",
    # the vein stated to have the tumour's site as a part (inverse of part of)
    "has-part": """
        <{c}> vlms:hasTumour <{c}/t> . <{c}/t> a obo:NCIT_C3158 ; vlms:arisesFrom <{c}/w> .
        <{c}/v> a obo:UBERON_0001072 ; obo:BFO_0000051 <{c}/w> .""",
    # a tumour typed only through the range of vlms:hasTumour, growing into the lumen
    "untyped-tumour": """
        <{c}> vlms:hasTumour <{c}/t> . <{c}/t> vlms:growthPattern vlms:IntraluminalGrowth ;
            vlms:involves <{c}/s> . <{c}/s> a vlms:IVCLowerSegment .""",
    # arising from a vessel wall with no vessel: the wall class is part of some blood vessel
    "wall-only": """
        <{c}> vlms:hasTumour <{c}/t> . <{c}/t> a obo:NCIT_C3158 ; vlms:arisesFrom <{c}/w> .
        <{c}/w> a obo:UBERON_0035965 .""",
}


@pytest.mark.java
@pytest.mark.parametrize("name", sorted(EDGE_CASES))
def test_edge_case_equals_hermit(classifier: Classifier, ontology: bytes, name: str) -> None:
    prefixes = ("@prefix vlms: <https://w3id.org/vlmskg/vocab/> . "
                "@prefix obo: <http://purl.obolibrary.org/obo/> . ")
    turtle = prefixes + EDGE_CASES[name].format(c=CASE + name)
    body = ox.serialize(ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE),
                        format=ox.RdfFormat.N_TRIPLES) or b""
    expected = infer_case_types(ontology, {name: body})
    assert expected, "HermiT must infer something for the edge case to mean anything"
    assert classify(classifier, ontology, {name: body}) == expected


@pytest.mark.java
def test_materialize_tumour_types_is_a_drop_in(ontology: bytes,
                                               hermit_shipped: list[tuple[str, str]]) -> None:
    body = b"\n".join(shipped().values())
    assert materialize_tumour_types(ontology, body) == hermit_shipped


@pytest.mark.java
def test_saved_classifier_classifies_the_same(classifier: Classifier, ontology: bytes) -> None:
    reloaded = Classifier.from_json(json.loads(json.dumps(classifier.to_json())))
    assert classify(reloaded, ontology, shipped()) == classify(classifier, ontology, shipped())


def test_construct_outside_the_fragment_is_refused() -> None:
    ontology = ox.serialize(ox.parse(b"""
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix ex: <https://example.org/> .
        ex:C a owl:Class ; owl:equivalentClass [ a owl:Restriction ; owl:onProperty ex:p ;
            owl:allValuesFrom ex:D ] .""", format=ox.RdfFormat.TURTLE),
        format=ox.RdfFormat.N_TRIPLES) or b""
    with pytest.raises(ReasonerError, match="allValuesFrom"):
        Classifier.from_ontology(ontology)


def test_property_chains_are_refused() -> None:
    ontology = ox.serialize(ox.parse(b"""
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix ex: <https://example.org/> .
        ex:p owl:propertyChainAxiom ( ex:q ex:r ) .""", format=ox.RdfFormat.TURTLE),
        format=ox.RdfFormat.N_TRIPLES) or b""
    with pytest.raises(ReasonerError, match="property chains"):
        Classifier.from_ontology(ontology)


# --- one case per vessel of origin of the published cohort -------------------------------------


@pytest.fixture(scope="module")
def vessel_cases() -> dict[str, bytes]:
    return {f"vessel-{name}-c1": vessel_ntriples(name) for name in VESSEL_CASES}


@pytest.fixture(scope="module")
def vessel_hermit(ontology: bytes, vessel_cases: dict[str, bytes]) -> list[tuple[str, str]]:
    return infer_case_types(ontology, vessel_cases)


@pytest.fixture(scope="module")
def vessel_materialised(classifier: Classifier, ontology: bytes,
                        vessel_cases: dict[str, bytes]) -> list[tuple[str, str]]:
    return classify(classifier, ontology, vessel_cases)


@pytest.mark.java
@pytest.mark.parametrize("name", sorted(VESSEL_CASES))
def test_vessel_class_materialiser_equals_hermit(vessel_hermit: list, vessel_materialised: list,
                                                 name: str) -> None:
    tumour = tumour_iri(name)
    mine = {c for t, c in vessel_materialised if t == tumour}
    hermit = {c for t, c in vessel_hermit if t == tumour}
    assert {expand(c) for c in VESSEL_CASES[name].expected} <= mine
    assert mine == hermit


# --- every shipped case: the tumour is classified by its vessel --------------------------------


@functools.cache
def vessel_classes() -> frozenset[str]:
    """The defined tumour classes named after a vessel: the classes the ontology states under
    vlms:VenousLeiomyosarcoma or vlms:ArterialLeiomyosarcoma."""
    graph = ox.Store()
    for path in resources.ontology_files():
        graph.load(path=str(path), format=ox.RdfFormat.TURTLE)
    parents = [ox.NamedNode(VLMS + "VenousLeiomyosarcoma"),
               ox.NamedNode(VLMS + "ArterialLeiomyosarcoma")]
    subclass = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
    return frozenset(q.subject.value for p in parents
                     for q in graph.quads_for_pattern(None, subclass, p)
                     if isinstance(q.subject, ox.NamedNode))


@pytest.fixture(scope="module")
def shipped_types(classifier: Classifier, ontology: bytes) -> dict[str, set[str]]:
    types: dict[str, set[str]] = {}
    for tumour, cls in classify(classifier, ontology, shipped()):
        types.setdefault(tumour, set()).add(cls)
    return types


def test_vessel_classes_cover_the_cohort_vessels() -> None:
    names = {c.removeprefix(VLMS) for c in vessel_classes()}
    assert {"GreatSaphenousVeinLeiomyosarcoma", "PoplitealVeinLeiomyosarcoma",
            "ExternalIliacVeinLeiomyosarcoma", "OvarianVeinLeiomyosarcoma",
            "SplenicVeinLeiomyosarcoma", "PulmonaryTrunkLeiomyosarcoma",
            "AbdominalAortaLeiomyosarcoma", "AxillaryVeinLeiomyosarcoma"} <= names


@pytest.mark.java
@pytest.mark.parametrize("case", sorted(p.stem for p in resources.case_files()))
def test_every_shipped_tumour_is_classified_by_its_vessel(shipped_types: dict[str, set[str]],
                                                          case: str) -> None:
    found = shipped_types.get(f"{CASE}{case}/tumour", set())
    assert found & vessel_classes(), f"{case}: no vessel class among {sorted(found)}"
