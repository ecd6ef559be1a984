"""The one store interface every backend implements.

Rows are dictionaries from variable name to rdflib term (``URIRef``, ``Literal``,
``BNode``); an unbound variable is absent from its row. Queries see the union of all
named graphs as their default graph.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rdflib.term import Node

from kg.store.terms import to_python

__all__ = ["Store", "Row", "Bindings"]

Row = dict[str, Node]
Bindings = Mapping[str, Node]


class Store(ABC):
    """A quad store holding the graph: embedded (pyoxigraph) or a remote SPARQL server."""

    @abstractmethod
    def select(self, sparql: str, bindings: Bindings | None = None) -> list[Row]:
        """Run a SELECT query; ``bindings`` are bound as RDF terms, never pasted as text."""

    def select_values(self, sparql: str, variables: Sequence[str],
                      bindings: Bindings | None = None) -> list[tuple[Any, ...]]:
        """Run a SELECT query; one tuple of Python values (:func:`kg.store.terms.to_python`)
        per solution, in the order of ``variables``."""
        return [tuple(to_python(row.get(v)) for v in variables)
                for row in self.select(sparql, bindings)]

    @abstractmethod
    def ask(self, sparql: str, bindings: Bindings | None = None) -> bool:
        """Run an ASK query."""

    @abstractmethod
    def replace_graph(self, graph: str, ntriples: bytes) -> None:
        """Replace the named graph ``graph`` with the given N-Triples, atomically where the
        backend allows; the body must already be parsed and valid."""

    @abstractmethod
    def graph_sizes(self) -> dict[str, int]:
        """Triple count of every named graph in the project's namespace."""

    def replace_graphs(self, graphs: Iterable[tuple[str, bytes]]) -> None:
        """Replace several graphs, one at a time."""
        for graph, body in graphs:
            self.replace_graph(graph, body)

    def close(self) -> None:  # noqa: B027 - optional hook, not abstract
        """Release resources; the default does nothing."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
