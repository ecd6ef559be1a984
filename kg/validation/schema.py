"""The ontology and the shapes, parsed once per run and kept for every case.

Besides the two graphs, the schema lists what the rest of validation needs from them: the
node shape holding each property shape (results are reported by node shape), the
recommended checks (Warning property shapes, which feed completeness) and the declared
terms (for "did you mean …" suggestions).

>>> schema = load_schema()
>>> "https://w3id.org/vlmskg/vocab/ageYears" in schema.properties
True
>>> sorted({check.shape.rsplit("/", 1)[1] for check in schema.recommended})[:2]
['CaseShape', 'ComplicationShape']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import SH, BNode, Graph, URIRef
from rdflib.term import Node

from kg import resources
from kg.sources.files import Source, parse_source
from kg.store.terms import to_rdflib
from kg.validation.report import PREFIXES

__all__ = ["Recommended", "Schema", "load_schema", "path_text"]

_TARGETS = {
    SH.targetClass: "SELECT ?n WHERE {{ ?n rdf:type/rdfs:subClassOf* <{0}> }}",
    SH.targetObjectsOf: "SELECT ?n WHERE {{ ?s <{0}> ?n }}",
    SH.targetSubjectsOf: "SELECT ?n WHERE {{ ?n <{0}> ?o }}",
}
_DECLARED = """
SELECT ?term ?kind WHERE {
  ?term a ?kind .
  VALUES ?kind { owl:Class rdfs:Class owl:ObjectProperty owl:DatatypeProperty
                 owl:AnnotationProperty rdf:Property owl:NamedIndividual }
  FILTER (isIRI(?term))
}"""
_PROPERTY_KINDS = {"ObjectProperty", "DatatypeProperty", "AnnotationProperty", "Property"}


@dataclass(frozen=True)
class Recommended:
    """A recommended check: the Warning property shape on ``path`` held by the node shape
    ``shape``, applied to the nodes that the SPARQL ``targets`` select."""

    shape: str
    path: str | None
    targets: tuple[str, ...]


@dataclass(frozen=True)
class Schema:
    """The parsed ontology and shapes, and what validation reads from them."""

    ontology: tuple[ox.Quad, ...]
    shapes: Graph
    owner: dict[Node, URIRef]  #: property shape → the node shape holding it
    recommended: tuple[Recommended, ...]
    properties: tuple[str, ...]  #: declared property IRIs
    terms: tuple[str, ...]  #: the other declared IRIs (classes, value-set members)


def path_text(graph: Graph, path: Node | None) -> str | None:
    """A SHACL path as text: the property IRI, or ``^`` and the IRI for an inverse path."""
    if path is None:
        return None
    inverse = graph.value(path, SH.inversePath) if isinstance(path, BNode) else None
    return f"^{inverse}" if inverse is not None else str(path)


def _target_queries(shapes: Graph, shape: Node) -> tuple[str, ...]:
    return tuple(template.format(target)
                 for predicate, template in _TARGETS.items()
                 for target in shapes.objects(shape, predicate))


def _declared(ontology: Sequence[ox.Quad]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    store = ox.Store()
    store.extend(ontology)
    properties: set[str] = set()
    terms: set[str] = set()
    rows = store.query(_DECLARED, prefixes=PREFIXES, use_default_graph_as_union=True)
    for row in rows:  # type: ignore[union-attr]
        kind = row["kind"].value.rsplit("#", 1)[-1]
        (properties if kind in _PROPERTY_KINDS else terms).add(row["term"].value)
    return tuple(sorted(properties)), tuple(sorted(terms - properties))


def _shapes_graph(paths: Sequence[Path]) -> Graph:
    graph = Graph()
    for path in paths:
        for q in parse_source(Source.for_shapes(path)):
            graph.add((to_rdflib(q.subject), to_rdflib(q.predicate),  # type: ignore[arg-type]
                       to_rdflib(q.object)))  # type: ignore[arg-type]
    return graph


@lru_cache(maxsize=2)
def _load(ontology_paths: tuple[Path, ...], shape_paths: tuple[Path, ...],
          stamps: tuple[int, ...]) -> Schema:
    del stamps  # part of the cache key only
    ontology = tuple(q for p in ontology_paths for q in parse_source(Source.for_ontology(p)))
    shapes = _shapes_graph(shape_paths)
    owner: dict[Node, URIRef] = {}
    recommended = []
    for shape, prop in shapes.subject_objects(SH.property):
        if not isinstance(shape, URIRef):
            continue
        owner[prop] = shape
        if (prop, SH.severity, SH.Warning) in shapes:
            path = path_text(shapes, shapes.value(prop, SH.path))
            recommended.append(Recommended(str(shape), path, _target_queries(shapes, shape)))
    properties, terms = _declared(ontology)
    return Schema(ontology, shapes, owner, tuple(recommended), properties, terms)


def load_schema() -> Schema:
    """The shipped ontology and shapes, parsed once and read again only when a file changes.

    Raises :class:`kg.errors.InputError` when one of them cannot be read.
    """
    ontology = tuple(resources.ontology_files())
    shapes = tuple(resources.shape_files())
    stamps = tuple(p.stat().st_mtime_ns for p in ontology + shapes)
    return _load(ontology, shapes, stamps)
