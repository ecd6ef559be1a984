"""The embedded backend: a pyoxigraph store, in memory or on disk.

Queries see the union of the named graphs as their default graph. Replacing a graph is
one SPARQL update, so one transaction: readers see the old graph or the new one, never
an empty or half-written one.

>>> store = EmbeddedStore()
>>> store.replace_graph("https://w3id.org/vlmskg/case/x",
...     b'<https://w3id.org/vlmskg/case/x/patient> <https://w3id.org/vlmskg/vocab/ageYears> '
...     b'"72"^^<http://www.w3.org/2001/XMLSchema#integer> .\\n')
>>> store.graph_sizes()
{'https://w3id.org/vlmskg/case/x': 1}
>>> from rdflib import Literal
>>> store.select("SELECT ?p WHERE { ?p ?age ?_years }", {"_years": Literal(72)})
[{'p': rdflib.term.URIRef('https://w3id.org/vlmskg/case/x/patient')}]
>>> store.ask("ASK { ?p ?age 73 }")
False
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import InputError, QueryError, did_you_mean
from kg.store.base import Bindings, Row, Store
from kg.store.sparql import GRAPH_SIZES, bind_values, sizes_from_rows
from kg.store.terms import to_python, to_rdflib

__all__ = ["EmbeddedStore", "parse_ntriples", "is_store_folder", "check_store_path"]


def parse_ntriples(graph: str, ntriples: bytes) -> list[ox.Triple]:
    """Parse an N-Triples body destined for ``graph``; :class:`InputError` naming the line
    if it is broken, or if ``graph`` is not a valid IRI."""
    try:
        ox.NamedNode(graph)
    except ValueError as err:
        raise InputError(f"graph name {graph!r} is not a valid IRI: {err}",
                         hint="name graphs with absolute IRIs") from err
    try:
        return list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError as err:
        raise InputError(f"broken N-Triples for graph <{graph}>: {err.msg}", line=err.lineno,
                         column=err.offset, hint="send valid N-Triples") from err


def is_store_folder(path: Path) -> bool:
    """True when ``path`` is a folder holding an on-disk store (its database files).

    >>> is_store_folder(Path("/nonexistent")), is_store_folder(Path("."))
    (False, False)
    """
    return Path(path).is_dir() and (Path(path) / "CURRENT").is_file()


def check_store_path(path: Path, *, create: bool = False) -> None:
    """Refuse ``path`` unless it holds a store, or ``create`` is true and it is a new or
    empty folder; the error suggests the sibling folders closest to a mistyped name.

    >>> check_store_path(Path("/nonexistent/kg"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.errors.InputError: /nonexistent/kg: no store in this folder (it does not exist)...
    """
    path = Path(path)
    if is_store_folder(path):
        return
    if path.exists() and not path.is_dir():
        raise InputError("this is a file, not a store folder", file=str(path),
                         hint="give the folder of a store built by 'vlmskg build --store'")
    empty = path.is_dir() and next(path.iterdir(), None) is None
    if create and (not path.exists() or empty):
        return
    if path.is_dir() and not empty:
        raise InputError("this folder holds files but no store", file=str(path),
                         hint="give the folder of a store built by 'vlmskg build --store', "
                              "or a new folder with --create")
    siblings = ([p.name for p in path.parent.iterdir() if p.is_dir()]
                if path.parent.is_dir() else [])
    state = "it is empty" if empty else "it does not exist"
    raise InputError(f"no store in this folder ({state}).{did_you_mean(path.name, siblings)}",
                     file=str(path),
                     hint="build one with 'vlmskg build --store PATH', or pass --create to "
                          "load the shipped graph into a new store there")


class EmbeddedStore(Store):
    """A pyoxigraph store: in memory, or persisted in the folder ``path``."""

    def __init__(self, path: Path | None = None, *, dataset: ox.Store | None = None) -> None:
        self.path = Path(path) if path is not None else None
        if dataset is not None:
            self._store = dataset
            return
        try:
            self._store = ox.Store(str(self.path)) if self.path is not None else ox.Store()
        except OSError as err:
            raise InputError(f"cannot open the store: {err}", file=str(self.path),
                             hint="is another process (a running server?) using this folder? "
                                  "Stop it or give another path") from err

    @classmethod
    def read_only(cls, path: Path) -> EmbeddedStore:
        """The on-disk store in the folder ``path``, opened read-only (a server may be using
        it); :class:`InputError` when there is none or it cannot be read.

        >>> EmbeddedStore.read_only(Path("/nonexistent"))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        kg.errors.InputError: /nonexistent: no store in this folder (fix: build one with ...)
        """
        if not Path(path).is_dir():
            raise InputError("no store in this folder", file=str(path),
                             hint="build one with 'vlmskg build --store PATH'")
        try:
            dataset = ox.Store.read_only(str(path))
        except OSError as err:
            raise InputError(f"cannot read the store: {err}", file=str(path),
                             hint="give the folder of a store built by 'vlmskg build --store'"
                             ) from err
        return cls(Path(path), dataset=dataset)

    @classmethod
    def in_memory_copy(cls, path: Path) -> EmbeddedStore:
        """A private in-memory copy of the on-disk store in the folder ``path``, opened
        read-only (a server may be using it). Copying costs about 1 s per 100 000 quads;
        queries on the copy then run several times faster than on disk."""
        source = cls.read_only(path).dataset
        copy = ox.Store()
        copy.bulk_extend(source.quads_for_pattern(None, None, None, None))
        return cls(dataset=copy)

    @classmethod
    def from_dataset(cls, dataset: ox.Store) -> EmbeddedStore:
        """Wrap an existing pyoxigraph store (no copy)."""
        return cls(dataset=dataset)

    @property
    def dataset(self) -> ox.Store:
        """The underlying pyoxigraph store."""
        return self._store

    def is_empty(self) -> bool:
        """True when the store holds no quad at all."""
        return next(iter(self._store), None) is None

    def _query(self, sparql: str, bindings: Bindings | None) -> object:
        try:
            return self._store.query(bind_values(sparql, bindings),
                                     use_default_graph_as_union=True)
        except SyntaxError as err:
            raise QueryError(f"invalid SPARQL: {err}", hint="correct the query") from err
        except OSError as err:
            raise QueryError(f"the query failed: {err}") from err

    def select(self, sparql: str, bindings: Bindings | None = None) -> list[Row]:
        result = self._query(sparql, bindings)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("not a SELECT query", hint="use ask() for ASK queries")
        names = [v.value for v in result.variables]
        return [{name: to_rdflib(term) for name, term in zip(names, solution, strict=True)
                 if term is not None}
                for solution in result]

    def select_values(self, sparql: str, variables: Sequence[str],
                      bindings: Bindings | None = None) -> list[tuple[Any, ...]]:
        # straight from pyoxigraph terms to Python values: no rdflib terms in between
        result = self._query(sparql, bindings)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("not a SELECT query", hint="use ask() for ASK queries")
        names = [v.value for v in result.variables]
        positions = [names.index(v) if v in names else None for v in variables]
        return [tuple(None if i is None else to_python(solution[i]) for i in positions)
                for solution in result]

    def ask(self, sparql: str, bindings: Bindings | None = None) -> bool:
        result = self._query(sparql, bindings)
        if not isinstance(result, ox.QueryBoolean):
            raise QueryError("not an ASK query", hint="use select() for SELECT queries")
        return bool(result)

    def replace_graph(self, graph: str, ntriples: bytes) -> None:
        triples = parse_ntriples(graph, ntriples)
        update = f"DROP SILENT GRAPH <{graph}>"
        if triples:
            body = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
            update += f" ; INSERT DATA {{ GRAPH <{graph}> {{\n{body}}} }}"
        self._store.update(update)

    def graph_sizes(self) -> dict[str, int]:
        return sizes_from_rows(self.select(GRAPH_SIZES))

    def close(self) -> None:
        """Flush an on-disk store so its writes are durable."""
        if self.path is not None:
            self._store.flush()
