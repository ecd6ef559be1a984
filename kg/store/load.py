"""Load a built dataset into a store, one named graph at a time, and check the result.

Every named graph is replaced as a whole, so loading twice gives the same data, a changed
case replaces its old version, and a failure midway leaves the graphs not yet reached as
they were (load again to finish). After loading, each graph's triple count in the store
is compared with the local one.

>>> from kg.store import EmbeddedStore
>>> dataset = ox.Store()
>>> dataset.add(ox.Quad(ox.NamedNode("https://w3id.org/vlmskg/case/x"),
...     ox.NamedNode("https://w3id.org/vlmskg/vocab/caseNumberInSource"), ox.Literal("1"),
...     ox.NamedNode("https://w3id.org/vlmskg/case/x")))
>>> report = load_dataset(EmbeddedStore(), dataset)
>>> report.ok, report.loaded
(True, ['https://w3id.org/vlmskg/case/x'])
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError
from kg.namespaces import (
    BASE,
    CASE,
    INFERRED_GRAPH,
    ONTOLOGY_GRAPH,
    PUBLICATION,
    QUERIES_GRAPH,
    SHAPES_GRAPH,
    VOID_GRAPH,
)
from kg.store.base import Store

__all__ = ["GraphCount", "LoadReport", "graph_order", "dataset_graphs", "load_dataset",
           "read_dataset"]


@dataclass(frozen=True)
class GraphCount:
    """Triples of one named graph here (``local``) and in the store (``stored``)."""

    graph: str
    local: int
    stored: int


@dataclass
class LoadReport:
    """What a load did: the graphs replaced, the ones emptied, every count mismatch, and
    whether queries see the union of the named graphs (``False``: the server's default
    graph is configured otherwise and queries without ``GRAPH`` find nothing)."""

    loaded: list[str] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    differences: list[GraphCount] = field(default_factory=list)
    union_default_graph: bool = True

    @property
    def ok(self) -> bool:
        """True when every count matches and queries see the loaded graphs."""
        return not self.differences and self.union_default_graph


def graph_order(graph: str) -> tuple[int, str]:
    """Sort key: ontology, shapes, cases, publications, inferred, queries, void, others.

    >>> sorted([str(VOID_GRAPH), str(CASE["b"]), str(ONTOLOGY_GRAPH)], key=graph_order)[0]
    'https://w3id.org/vlmskg/graph/ontology'
    """
    fixed = [str(ONTOLOGY_GRAPH), str(SHAPES_GRAPH), str(CASE), str(PUBLICATION),
             str(INFERRED_GRAPH), str(QUERIES_GRAPH), str(VOID_GRAPH)]
    for rank, prefix in enumerate(fixed):
        if graph == prefix or (prefix.endswith("/") and graph.startswith(prefix)):
            return rank, graph
    return len(fixed), graph


def _local_sizes(dataset: ox.Store) -> dict[str, int]:
    return dict(Counter(quad.graph_name.value for quad in dataset
                        if isinstance(quad.graph_name, ox.NamedNode)))


def dataset_graphs(dataset: ox.Store) -> Iterator[tuple[str, bytes]]:
    """Each named graph of ``dataset`` as (IRI, N-Triples), in :func:`graph_order`, one at
    a time."""
    for graph in sorted(_local_sizes(dataset), key=graph_order):
        triples = (q.triple for q in dataset.quads_for_pattern(None, None, None,
                                                               ox.NamedNode(graph)))
        yield graph, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def load_dataset(target: Store, dataset: ox.Store, *, prune: bool = False,
                 on_graph: Callable[[str, int], None] | None = None) -> LoadReport:
    """Replace every named graph of ``target`` that ``dataset`` holds, then compare counts.

    Graphs in the project's namespace that the store holds but ``dataset`` does not (a
    renamed or removed case) are reported as differences, or emptied with ``prune``.
    ``on_graph(graph, triples)`` is called after each graph is replaced. Errors of the
    store (:class:`kg.errors.EndpointError`…) propagate; graphs already replaced stay so.
    """
    local = _local_sizes(dataset)
    report = LoadReport()
    for graph, body in dataset_graphs(dataset):
        target.replace_graph(graph, body)
        report.loaded.append(graph)
        if on_graph is not None:
            on_graph(graph, local[graph])
    stored = target.graph_sizes()
    stale = sorted((g for g in stored if g.startswith(BASE) and g not in local), key=graph_order)
    if prune:
        for graph in stale:
            target.replace_graph(graph, b"")
            report.pruned.append(graph)
        stored = target.graph_sizes()
    for graph in sorted(set(local) | {g for g in stored if g.startswith(BASE)}, key=graph_order):
        if local.get(graph, 0) != stored.get(graph, 0):
            report.differences.append(GraphCount(graph, local.get(graph, 0), stored.get(graph, 0)))
    if local:
        report.union_default_graph = target.ask("ASK { ?s ?p ?o }")
    return report


def read_dataset(path: Path) -> ox.Store:
    """A built dataset file (``vlms-kg.nq`` or ``.trig``) in memory; :class:`InputError`
    naming the line if it cannot be read."""
    path = Path(path)
    try:
        kind = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
        if kind not in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
            raise InputError("not a dataset file", file=str(path),
                             hint="give the vlms-kg.nq or vlms-kg.trig that `vlmskg build` wrote")
        store = ox.Store()
        store.load(path=str(path), format=kind)
    except SyntaxError as err:
        raise InputError(f"broken {path.suffix} file: {err.msg}", file=str(path),
                         line=err.lineno, column=err.offset,
                         hint="rebuild it with `vlmskg build`") from err
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror or err}", file=str(path),
                         hint="check the path") from err
    return store
