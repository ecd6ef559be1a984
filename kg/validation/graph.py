"""Validate one case or publication graph against the shapes.

The data graph is a fresh in-memory store holding the ontology (the class hierarchy and
the value sets the shapes check, so pySHACL runs without inference), the ``context`` graphs
(the publications, for a case) and the file's own graph. Only results about the file's
own nodes are kept: the context is validated on its own.

>>> from kg.resources import case_files
>>> from kg.sources.files import Source, parse_source
>>> from kg.validation.schema import load_schema
>>> source = Source.for_case(case_files()[0])
>>> graph = FileGraph(source, parse_source(source))
>>> results, store = validate_graph(load_schema(), graph, context=[])
>>> sorted({r.path.rsplit("/", 1)[1] for r in results if r.is_violation})  # no publication
['reportedIn']
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from pyshacl import validate as shacl_validate
from pyshacl.graph_abstraction import OxigraphDataGraph
from rdflib import RDF, SH, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg import resources
from kg.errors import InputError
from kg.sources.files import Source
from kg.store.terms import to_oxigraph, to_rdflib
from kg.validation.hints import term_hint
from kg.validation.report import SHAPES, ValidationResult, compact, compact_text
from kg.validation.schema import Schema, path_text

__all__ = ["FileGraph", "validate_graph"]

_VOCABULARY_SHAPE = URIRef(SHAPES + "VocabularyShape")
_SEVERITY: dict[Node | None, str] = {SH.Violation: "Violation", SH.Warning: "Warning",
                                      SH.Info: "Info"}


class _DataGraph(OxigraphDataGraph):
    """pySHACL's view of a pyoxigraph store, always true in a boolean test.

    pySHACL evaluates ``datagraph or shapes_graph`` for every result it writes, and the
    stock class answers by counting the store's triples: seconds per case with a few dozen
    results.
    """

    def __bool__(self) -> bool:
        return True

    # A literal is never a subject in RDF, but pySHACL asks for the values of a node shape's
    # properties on whatever value it meets (``vlms:sex "female"`` under ``sh:node``), and the
    # stock class hands the literal to pyoxigraph, which raises TypeError. A literal has no
    # outgoing triples: answer with none, so the shape reports the value instead.

    def objects(self, subject: Any = None, predicate: Any = None,  # type: ignore[override]
                unique: bool = False) -> Iterator[Any]:
        if isinstance(subject, (list, tuple)):
            for s in subject:
                yield from self.objects(s, predicate, unique=unique)
        elif not isinstance(subject, Literal):
            yield from super().objects(subject, predicate, unique=unique)

    def predicate_objects(  # type: ignore[override]
            self, subject: Any = None, unique: bool = False) -> Iterator[Any]:
        if not isinstance(subject, Literal):
            yield from super().predicate_objects(subject, unique=unique)


@dataclass(frozen=True)
class FileGraph:
    """One file to validate: where it comes from and its quads."""

    source: Source
    quads: list[ox.Quad]

    @property
    def iri(self) -> str:
        return self.source.graph

    def nodes(self) -> set[Node]:
        """The file's own nodes: the graph's node, every subject, and every IRI of the
        graph's namespace it mentions."""
        own: set[Node] = {URIRef(self.iri)}
        for q in self.quads:
            if isinstance(q.subject, (ox.NamedNode, ox.BlankNode)):
                own.add(to_rdflib(q.subject))
            if isinstance(q.object, ox.NamedNode) and q.object.value.startswith(self.iri + "/"):
                own.add(URIRef(q.object.value))
        return own

    def describe(self, node: Node) -> str:
        """A stable name for ``node``: its IRI, or for a blank node the triple leading to it."""
        if not isinstance(node, BNode):
            return str(node)
        target = to_oxigraph(node)
        for q in self.quads:
            if q.object == target and isinstance(q.subject, ox.NamedNode):
                return f"<{q.subject.value}> <{q.predicate.value}> []"
        for q in self.quads:
            if q.object == target and isinstance(q.subject, ox.BlankNode):
                return f"{self.describe(to_rdflib(q.subject))} <{q.predicate.value}> []"
        return "[]"

    def named_subjects(self) -> tuple[str, ...]:
        return tuple(sorted({q.subject.value for q in self.quads
                             if isinstance(q.subject, ox.NamedNode)}))


def _suggestion(schema: Schema, graph: FileGraph, path: str | None, value: str | None) -> str:
    """`` Did you mean …?`` naming the declared term (or the file's node) closest to the
    unknown one, or nothing when none is close."""
    pool: Sequence[str]
    if value and path == str(RDF.type):
        term, pool = value, schema.terms
    elif path and path not in schema.properties:
        term, pool = path, schema.properties
    elif value and value.startswith(graph.iri + "/"):
        term, pool = value, graph.named_subjects()
    elif value:
        term, pool = value, schema.terms
    else:
        return ""
    namespace = term[: max(term.rfind("/"), term.rfind("#"), term.rfind("_")) + 1]
    candidates = [c for c in pool if c.startswith(namespace)] or list(pool)
    close = difflib.get_close_matches(term, candidates, n=1, cutoff=0.8)
    return f" Did you mean {compact(close[0])}?" if close else ""


def _message(schema: Schema, shape: Node, report: Graph, result: Node) -> str:
    """The most specific message of a result: a SPARQL constraint's own message wins over
    the general message of the node shape holding it."""
    messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
    general = {str(m) for m in schema.shapes.objects(shape, SH.message)}
    specific = [m for m in messages if m not in general] or messages
    return specific[0] if specific else "The shape is not met."


def _results(schema: Schema, graph: FileGraph, report: Graph) -> list[ValidationResult]:
    own = graph.nodes()
    rows = set()
    for result in report.objects(None, SH.result):
        focus = report.value(result, SH.focusNode)
        source = report.value(result, SH.sourceShape)
        if focus not in own or source is None:
            continue
        shape = source if isinstance(source, URIRef) else schema.owner.get(source, source)
        path = path_text(report, report.value(result, SH.resultPath))
        raw = report.value(result, SH.value)
        value = (None if raw is None else str(raw) if isinstance(raw, Literal)
                 else graph.describe(raw))
        message = compact_text(_message(schema, shape, report, result))
        if shape == _VOCABULARY_SHAPE:
            message += _suggestion(schema, graph, path, value)
        elif isinstance(raw, Literal):
            message += term_hint(schema, str(shape), path, str(raw))
        rows.add(ValidationResult(
            file=str(graph.source.path),
            severity=_SEVERITY.get(report.value(result, SH.resultSeverity), "Violation"),
            focus=graph.describe(focus), path=path, message=message, shape=str(shape),
            value=value, case=graph.source.case_id))
    return sorted(rows, key=ValidationResult.sort_key)


def validate_graph(schema: Schema, graph: FileGraph,
                   context: Sequence[ox.Quad]) -> tuple[list[ValidationResult], ox.Store]:
    """Validate ``graph`` with ``context`` beside it; return its results and the data store
    (for :func:`kg.validation.completeness.completeness`).

    Raises :class:`InputError` if pySHACL rejects the shapes themselves.
    """
    store = ox.Store()
    store.extend(schema.ontology)
    store.extend(context)
    store.extend(graph.quads)
    _, report, text = shacl_validate(_DataGraph(store), shacl_graph=schema.shapes,
                                     inference="none", advanced=True, inplace=True,
                                     allow_warnings=True)
    if not isinstance(report, Graph):
        raise InputError(f"the shapes cannot be applied: {text}",
                         file=str(resources.shapes_dir()),
                         hint="correct the shapes in ontology/shapes/")
    return _results(schema, graph, report), store
