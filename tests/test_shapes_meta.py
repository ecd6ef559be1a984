"""The shapes themselves: valid SHACL, one file per family, a message on every shape, and in
step with the ontology (every term they name is declared, datatypes match the ranges)."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import OWL, RDF, RDFS, SH, BNode, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from kg.resources import ontology_files, shape_files
from kg.sources.files import Source, parse_source
from kg.store.terms import to_rdflib

VSH = "https://w3id.org/vlmskg/shapes/"
VLMS = "https://w3id.org/vlmskg/vocab/"
FAMILIES = ["case", "immunohistochemistry", "literature", "measurement", "outcome", "patient",
            "presentation", "procedure", "provenance", "tumour", "vocabulary"]
SHACL_SHACL = Path(pyshacl.__file__).parent / "assets" / "shacl-shacl.ttl"
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_INTEGER = URIRef(XSD + "integer")
DERIVED_INTEGERS = {URIRef(XSD + "positiveInteger"), URIRef(XSD + "nonNegativeInteger")}


def _graph(sources: list[Source]) -> Graph:
    graph = Graph()
    for source in sources:
        for q in parse_source(source):
            graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return graph


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return _graph([Source.for_shapes(p) for p in shape_files()])


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return _graph([Source.for_ontology(p) for p in ontology_files()])


def _named_shapes(shapes: Graph) -> list[URIRef]:
    found = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(SH.property, None))
    return sorted(s for s in found if isinstance(s, URIRef))


def _property_shapes(shapes: Graph) -> list[tuple[URIRef, BNode]]:
    return sorted((s, p) for s, p in shapes.subject_objects(SH.property) if isinstance(s, URIRef))


def test_one_file_per_family() -> None:
    assert [p.stem for p in shape_files()] == FAMILIES


def test_shapes_pass_the_shacl_shacl_shapes(shapes: Graph) -> None:
    conforms, _, text = pyshacl.validate(shapes, shacl_graph=str(SHACL_SHACL))
    assert conforms, text


def test_the_shacl_shacl_check_catches_a_broken_shape(shapes: Graph) -> None:
    broken = Graph()
    broken += shapes
    broken.add((URIRef(VSH + "PatientShape"), SH.minCount, Literal("one")))
    conforms, _, _ = pyshacl.validate(broken, shacl_graph=str(SHACL_SHACL))
    assert not conforms


def test_shapes_are_named_in_their_own_namespace(shapes: Graph) -> None:
    names = _named_shapes(shapes)
    assert len(names) > 30
    for name in names:
        assert name.startswith(VSH) and name.endswith("Shape"), name
    assert not any(str(s).startswith(VLMS) for s in shapes.subjects())


def test_every_shape_has_a_message(shapes: Graph) -> None:
    silent = [str(s) for s in _named_shapes(shapes) if shapes.value(s, SH.message) is None]
    silent += [f"{s} {shapes.value(p, SH.path)}" for s, p in _property_shapes(shapes)
               if shapes.value(p, SH.message) is None]
    silent += [f"{s} sh:sparql" for s, c in shapes.subject_objects(SH.sparql)
               if shapes.value(c, SH.message) is None]
    assert silent == []


def test_recommended_checks_only_ask_for_presence(shapes: Graph) -> None:
    # completeness counts (focus node, recommended property shape) pairs: a Warning shape
    # must hold a presence check only, on a node shape with a plain target
    allowed = {SH.path, SH.minCount, SH.qualifiedMinCount, SH.qualifiedValueShape,
               SH.severity, SH.message}
    recommended = [(s, p) for s, p in _property_shapes(shapes)
                   if (p, SH.severity, SH.Warning) in shapes]
    assert len(recommended) >= 10
    for shape, prop in recommended:
        assert set(shapes.predicates(prop, None)) <= allowed, (shape, prop)
        assert (prop, SH.minCount, None) in shapes or (prop, SH.qualifiedMinCount, None) in shapes
        targets = {p for p in shapes.predicates(shape, None) if str(p).startswith(str(SH.target))}
        assert targets and targets <= {SH.targetClass, SH.targetObjectsOf, SH.targetSubjectsOf}
    paths = [(s, shapes.value(p, SH.path)) for s, p in recommended]
    assert len(paths) == len(set(paths)), "one recommended check per shape and path"


def _declared(ontology: Graph, kinds: set[URIRef]) -> set[URIRef]:
    return {s for k in kinds for s in ontology.subjects(RDF.type, k) if isinstance(s, URIRef)}


def test_shapes_name_only_declared_terms(shapes: Graph, ontology: Graph) -> None:
    classes = _declared(ontology, {OWL.Class, RDFS.Class})
    properties = _declared(ontology, {OWL.ObjectProperty, OWL.DatatypeProperty,
                                      OWL.AnnotationProperty}) | {RDF.type}
    named_classes = set(shapes.objects(None, SH.targetClass))
    named_classes |= set(shapes.objects(None, SH["class"]))
    named_properties = {p for p in shapes.objects(None, SH.path) if isinstance(p, URIRef)}
    named_properties |= {shapes.value(p, SH.inversePath) for p in shapes.objects(None, SH.path)
                         if isinstance(p, BNode)}
    named_properties |= set(shapes.objects(None, SH.targetObjectsOf))
    named_properties |= set(shapes.objects(None, SH.targetSubjectsOf))
    assert sorted(named_classes - classes) == []
    assert sorted(named_properties - properties) == []


def test_value_set_shapes_name_declared_value_sets(shapes: Graph, ontology: Graph) -> None:
    schemes = set(ontology.subjects(RDF.type, SKOS.ConceptScheme))
    used = {shapes.value(p, SH.hasValue) for p in shapes.subjects(SH.path, SKOS.inScheme)}
    assert len(used) >= 20
    assert sorted(used - schemes) == []


def test_datatypes_match_the_ontology_ranges(shapes: Graph, ontology: Graph) -> None:
    checked = 0
    for prop in shapes.subjects(SH.datatype, None):
        path, datatype = shapes.value(prop, SH.path), shapes.value(prop, SH.datatype)
        declared = ontology.value(path, RDFS.range)
        if not isinstance(declared, URIRef):
            continue
        checked += 1
        if declared in DERIVED_INTEGERS:  # written xsd:integer, the bound checked by the shape
            assert datatype == XSD_INTEGER and shapes.value(prop, SH.minInclusive) is not None
        else:
            assert datatype == declared, (path, datatype, declared)
    assert checked >= 25
