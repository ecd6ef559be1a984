"""Walk the graph from any node: neighbours, ancestors, descendants, shortest paths.

Every step is one SPARQL query through the :class:`kg.store.Store` interface, with the
node bound as an RDF term, so the same walk runs on the embedded store and on a remote
server. Blank nodes (OWL restrictions, for instance) are left out of walks: they have
no name a later query could come back to.

>>> from kg.api import KnowledgeGraph
>>> graph = KnowledgeGraph.open()
>>> ivc = graph.node("UBERON:0001072")
>>> ivc.label
'inferior vena cava'
>>> "vein" in [n.label for n in ivc.ancestors("subclass")]
True
>>> to_iri("vlms:Case")
rdflib.term.URIRef('https://w3id.org/vlmskg/vocab/Case')
>>> compact("http://purl.obolibrary.org/obo/BFO_0000050")
'BFO:0000050'
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node as Term

from kg.api.labels import labels_by_node, pick_label
from kg.errors import ParameterError
from kg.namespaces import PREFIXES as NAMESPACE_PREFIXES
from kg.namespaces import obo
from kg.queries.run import to_python
from kg.store.base import Store

__all__ = [
    "DIRECTIONS",
    "RELATIONS",
    "PREFIXES",
    "Node",
    "Edge",
    "to_iri",
    "compact",
    "node_exists",
    "shortest_path",
]

PREFIXES = dict(NAMESPACE_PREFIXES)
DIRECTIONS = ("out", "in", "both")
RELATIONS = {"subclass": "rdfs:subClassOf+", "part_of": "obo:BFO_0000050+"}

_OBO_CURIE = re.compile(r"[A-Za-z][A-Za-z0-9]*:[0-9A-Za-z_]+")
_PREAMBLE = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX obo: <http://purl.obolibrary.org/obo/>
"""
# One pattern per direction; ?forward says which way the triple points.
_STEP = {
    "out": "{ ?node ?p ?other BIND(true AS ?forward) }",
    "in": "{ ?other ?p ?node BIND(false AS ?forward) }",
}
_EDGES = _PREAMBLE + """SELECT DISTINCT ?forward ?p ?other ?nlabel ?plabel ?label WHERE {{
  {pattern}
  {only_resources}
  OPTIONAL {{ ?node rdfs:label ?nlabel }}
  OPTIONAL {{ ?p rdfs:label ?plabel }}
  OPTIONAL {{ ?other rdfs:label ?label }}
}}"""
_CLOSURE = _PREAMBLE + """SELECT DISTINCT ?other ?label WHERE {{
  {pattern}
  FILTER(isIRI(?other))
  OPTIONAL {{ ?other rdfs:label ?label }}
}}"""
_TYPES = _PREAMBLE + """SELECT DISTINCT ?other ?label WHERE {
  ?node a ?other FILTER(isIRI(?other))
  OPTIONAL { ?other rdfs:label ?label }
}"""
_EXISTS = "ASK { { ?node ?p ?o } UNION { ?s ?p ?node } }"


def to_iri(name: str | Node | URIRef) -> URIRef:
    """An IRI from a full IRI, a ``vlms:``/``rdfs:``/… CURIE or an OBO CURIE (``UBERON:0001072``).

    Raises :class:`ParameterError` for anything else.
    """
    if isinstance(name, Node):
        return URIRef(name.iri)
    text = str(name).strip()
    prefix, colon, local = text.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        return URIRef(PREFIXES[prefix] + local)
    if "://" in text or text.startswith("urn:"):
        if re.search(r"[\s<>\"{}|^`\\]", text):
            raise ParameterError(f"{text!r} is not a valid IRI",
                                 hint="remove spaces and the characters <>\"{}|^`\\")
        return URIRef(text)
    if _OBO_CURIE.fullmatch(text):
        return obo(text)
    raise ParameterError(
        f"cannot read {text!r} as a node name",
        hint="give a full IRI, an OBO CURIE such as UBERON:0001072, or one of the prefixes "
        + ", ".join(f"{p}:" for p in PREFIXES))


def compact(iri: str) -> str:
    """The short form of an IRI (``UBERON:0001072``, ``rdf:type``) that :func:`to_iri` reads
    back; the IRI itself when no prefix fits."""
    curie = iri.removeprefix(PREFIXES["obo"]).replace("_", ":", 1)
    if iri.startswith(PREFIXES["obo"]) and _OBO_CURIE.fullmatch(curie):
        return curie
    for prefix, namespace in PREFIXES.items():
        if prefix != "obo" and iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


@dataclass(frozen=True)
class Node:
    """A named resource of the graph, with its preferred label; equal by IRI."""

    iri: str
    label: str | None = field(default=None, compare=False)
    store: Store | None = field(default=None, repr=False, compare=False)

    def __str__(self) -> str:
        return self.label or compact(self.iri)

    def _store(self) -> Store:
        if self.store is None:
            raise ParameterError(f"node {self.iri} is not attached to a graph",
                                 hint="get nodes from KnowledgeGraph.node()")
        return self.store

    @property
    def types(self) -> list[Node]:
        """The classes this node is an ``rdf:type`` of (asserted and inferred), by label."""
        return _nodes(self._store(), _TYPES, self.iri)

    def neighbours(self, predicate: str | Node | None = None, direction: str = "out") -> list[Edge]:
        """The edges at this node: ``out`` (node as subject), ``in`` (as object) or ``both``.

        Each edge keeps the triple's own orientation; a literal object comes back as a
        Python value. ``predicate`` (an IRI or CURIE) keeps only edges of that property.
        """
        return _edges(self._store(), URIRef(self.iri), predicate, direction, resources_only=False)

    def ancestors(self, relation: str = "subclass") -> list[Node]:
        """Every node reached by following ``relation`` upwards, transitively.

        ``subclass`` follows ``rdfs:subClassOf``; ``part_of`` follows ``obo:BFO_0000050``
        between individuals.
        """
        return _closure(self._store(), self.iri, relation, upwards=True)

    def descendants(self, relation: str = "subclass") -> list[Node]:
        """Every node that reaches this one by following ``relation``, transitively."""
        return _closure(self._store(), self.iri, relation, upwards=False)


class Edge(NamedTuple):
    """One triple met on a walk: ``(subject, predicate, object)``."""

    subject: Node
    predicate: Node
    object: Any  # a Node, or the Python value of a literal

    def other(self, node: Node) -> Any:
        """The end of this edge that is not ``node``."""
        return self.object if self.subject == node else self.subject


def _sort_key(node: Node) -> tuple[str, str]:
    return ((node.label or "").lower(), node.iri)


def _nodes(store: Store, sparql: str, iri: str) -> list[Node]:
    rows = store.select(sparql, {"node": URIRef(iri)})
    labels = labels_by_node(rows, node="other")
    found = {str(row["other"]) for row in rows}
    return sorted((Node(o, labels.get(o), store) for o in found), key=_sort_key)


def _closure(store: Store, iri: str, relation: str, *, upwards: bool) -> list[Node]:
    if relation not in RELATIONS:
        raise ParameterError(f"unknown relation {relation!r}",
                             hint=f"use one of: {', '.join(RELATIONS)}")
    path = RELATIONS[relation]
    pattern = f"?node {path} ?other ." if upwards else f"?other {path} ?node ."
    return _nodes(store, _CLOSURE.format(pattern=pattern), iri)


def _edges(store: Store, iri: URIRef, predicate: str | Node | None, direction: str, *,
           resources_only: bool) -> list[Edge]:
    if direction not in DIRECTIONS:
        raise ParameterError(f"unknown direction {direction!r}",
                             hint=f"use one of: {', '.join(DIRECTIONS)}")
    steps = ("out", "in") if direction == "both" else (direction,)
    sparql = _EDGES.format(pattern=" UNION ".join(_STEP[s] for s in steps),
                           only_resources="FILTER(isIRI(?other))" if resources_only else "")
    bindings: dict[str, Term] = {"node": iri}
    if predicate is not None:
        bindings["p"] = to_iri(predicate)
    rows = store.select(sparql, bindings)
    if predicate is not None:  # a bound variable is not always echoed back
        for row in rows:
            row.setdefault("p", bindings["p"])
    labels: dict[tuple[bool, str, Term], list[Term]] = defaultdict(list)
    predicate_labels: dict[str, list[Term]] = defaultdict(list)
    node_labels = [row["nlabel"] for row in rows if "nlabel" in row]
    for row in rows:
        other = row["other"]
        if isinstance(other, BNode):
            continue
        key = (to_python(row["forward"]), str(row["p"]), other)
        labels[key].extend([row["label"]] if "label" in row else [])
        predicate_labels[key[1]].extend([row["plabel"]] if "plabel" in row else [])
    this = Node(str(iri), pick_label(node_labels), store)
    edges = []
    for (forward, p, other), other_labels in labels.items():
        prop = Node(p, pick_label(predicate_labels[p]), store)
        end = (to_python(other) if isinstance(other, Literal)
               else Node(str(other), pick_label(other_labels), store))
        edges.append(Edge(this, prop, end) if forward else Edge(end, prop, this))
    return sorted(edges, key=lambda e: (e.predicate.iri, str(e.subject.iri), str(
        e.object.iri if isinstance(e.object, Node) else e.object)))


def node_exists(store: Store, iri: URIRef) -> bool:
    """Whether ``iri`` occurs as subject or object anywhere in ``store``."""
    return store.ask(_EXISTS, {"node": iri})


def shortest_path(store: Store, start: URIRef, end: URIRef, max_length: int = 4
                  ) -> list[Edge] | None:
    """The shortest chain of edges (either direction) linking ``start`` to ``end``.

    Breadth-first from both ends, always growing the smaller frontier by one hop, one
    query per node; literals and blank nodes are not walked through. Returns ``[]`` when
    ``start == end`` and ``None`` when no path has at most ``max_length`` edges.
    """
    if start == end:
        return []
    reached: tuple[dict[str, Any], dict[str, Any]] = ({str(start): None}, {str(end): None})
    frontiers: tuple[list[str], list[str]] = ([str(start)], [str(end)])
    depth = [0, 0]
    while depth[0] + depth[1] < max_length and frontiers[0] and frontiers[1]:
        side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
        grown: list[str] = []
        meeting = None
        for iri in frontiers[side]:
            for edge in _edges(store, URIRef(iri), None, "both", resources_only=True):
                neighbour = edge.other(Node(iri)).iri
                if neighbour in reached[side]:
                    continue
                reached[side][neighbour] = (edge, iri)
                grown.append(neighbour)
                if meeting is None and neighbour in reached[1 - side]:
                    meeting = neighbour
            if meeting is not None:
                return _join(reached, meeting)
        frontiers[side][:] = grown
        depth[side] += 1
    return None


def _join(reached: tuple[dict[str, Any], dict[str, Any]], meeting: str) -> list[Edge]:
    """The path through ``meeting``: back to the start, then on to the end."""
    head: list[Edge] = []
    iri = meeting
    while reached[0][iri] is not None:
        edge, iri = reached[0][iri]
        head.append(edge)
    tail: list[Edge] = []
    iri = meeting
    while reached[1][iri] is not None:
        edge, iri = reached[1][iri]
        tail.append(edge)
    return head[::-1] + tail
