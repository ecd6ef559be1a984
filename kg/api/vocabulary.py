"""The ontology as the API needs it: labels, the class hierarchy, time-unit factors.

Read once per :class:`~kg.api.KnowledgeGraph` with a single query on the ontology graph,
so building a case costs no further look-ups of terms.

>>> from kg.api import KnowledgeGraph
>>> vocabulary = KnowledgeGraph.open().vocabulary
>>> vocabulary.label("http://purl.obolibrary.org/obo/UBERON_0001072")
'inferior vena cava'
>>> vocabulary.is_a("https://w3id.org/vlmskg/vocab/Thrombolysis",
...                 "https://w3id.org/vlmskg/vocab/Procedure")
True
>>> vocabulary.months_per_unit["http://purl.obolibrary.org/obo/UO_0000036"]
12.0
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from rdflib import URIRef

from kg.api.labels import labels_by_node
from kg.namespaces import BASE, ONTOLOGY_GRAPH
from kg.queries.run import to_python
from kg.store.base import Store

__all__ = ["Vocabulary"]

_VOCABULARY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX vlms: <https://w3id.org/vlmskg/vocab/>
SELECT ?term ?label ?parent ?months WHERE {
  GRAPH ?ontology {
    { ?term rdfs:label ?label }
    UNION { ?term rdfs:subClassOf ?parent FILTER(isIRI(?parent)) }
    UNION { ?term vlms:monthsPerUnit ?months }
  }
}
"""


class Vocabulary:
    """Labels, direct superclasses and months-per-unit of the ontology's terms."""

    def __init__(self, labels: dict[str, str], parents: dict[str, frozenset[str]],
                 months_per_unit: dict[str, float]) -> None:
        self.labels = labels
        self.parents = parents
        self.months_per_unit = months_per_unit
        self.ancestors = lru_cache(maxsize=None)(self._ancestors)

    @classmethod
    def fetch(cls, store: Store) -> Vocabulary:
        """Read the vocabulary from the ontology graph of ``store``."""
        rows = store.select(_VOCABULARY, {"ontology": URIRef(ONTOLOGY_GRAPH)})
        parents: dict[str, set[str]] = defaultdict(set)
        months: dict[str, float] = {}
        for row in rows:
            if "parent" in row:
                parents[str(row["term"])].add(str(row["parent"]))
            if "months" in row:
                months[str(row["term"])] = float(to_python(row["months"]))
        return cls(labels_by_node(rows, node="term"),
                   {term: frozenset(found) for term, found in parents.items()}, months)

    def label(self, iri: str) -> str | None:
        return self.labels.get(str(iri))

    def _ancestors(self, iri: str) -> frozenset[str]:
        """``iri`` and every class above it (``rdfs:subClassOf*``)."""
        seen, todo = {iri}, [iri]
        while todo:
            for parent in self.parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return frozenset(seen)

    def is_a(self, iri: str, ancestor: str) -> bool:
        """Whether ``iri`` is ``ancestor`` or one of its subclasses."""
        return str(ancestor) in self.ancestors(str(iri))

    def most_specific(self, classes: Iterable[str]) -> list[str]:
        """The classes not above another of ``classes``, external before local, by label."""
        given = {str(c) for c in classes}
        above = {a for c in given for a in self.ancestors(c) if a != c}
        return sorted(given - above, key=lambda c: (c.startswith(BASE),
                                                   (self.label(c) or c).lower()))

    def close_labels(self, label: str, n: int = 5) -> list[str]:
        """Labels that look like ``label``, for a helpful error message."""
        by_lower = {text.lower(): text for text in self.labels.values()}
        return [by_lower[m] for m in difflib.get_close_matches(label.lower(), by_lower, n=n)]
