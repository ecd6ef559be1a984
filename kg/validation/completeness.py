"""A case's completeness: the share of recommended checks (Warning shapes) it meets.

Each recommended check applies once to each of the case's own nodes its node shape
targets; a check is met unless validation reported its Warning on that node.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from kg.store.terms import to_oxigraph, to_rdflib
from kg.validation.graph import FileGraph
from kg.validation.report import PREFIXES, ValidationResult
from kg.validation.schema import Schema

__all__ = ["completeness"]


def completeness(schema: Schema, graph: FileGraph, store: ox.Store,
                 results: Iterable[ValidationResult]) -> float:
    """The share (0–1, three decimals) of recommended checks ``graph`` meets; 1.0 when none
    applies. ``store`` is the data store the graph was validated in."""
    own = {to_oxigraph(node) for node in graph.nodes()}
    missing = {(r.focus, r.shape, r.path) for r in results if r.severity == "Warning"}
    applicable = met = 0
    for check in schema.recommended:
        targets = {row["n"] for query in check.targets
                   for row in store.query(query, prefixes=PREFIXES,  # type: ignore[union-attr]
                                          use_default_graph_as_union=True)}
        for node in targets & own:
            applicable += 1
            met += (graph.describe(to_rdflib(node)), check.shape, check.path) not in missing
    return round(met / applicable, 3) if applicable else 1.0
