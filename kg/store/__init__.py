"""Triplestore backends behind one interface.

:class:`EmbeddedStore` (pyoxigraph, in memory or on disk) is the default; a
:class:`RemoteStore` reaches any SPARQL 1.1 server when the graph outgrows one machine.
:func:`open_store` picks one.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.errors import KGError
from kg.store.base import Bindings, Row, Store
from kg.store.embedded import EmbeddedStore, check_store_path
from kg.store.remote import RemoteStore
from kg.store.shipped import shipped_dataset

__all__ = ["Store", "Row", "Bindings", "EmbeddedStore", "RemoteStore", "open_store"]


def open_store(endpoint: str | None = None, path: Path | None = None, *,
               graph_store: str | None = None, timeout: float = 30.0,
               retries: int = 3, in_memory: bool = False, create: bool = False) -> Store:
    """The store to query.

    ``endpoint``: a :class:`RemoteStore` on that SPARQL endpoint. ``path``: the on-disk
    :class:`EmbeddedStore` in that folder, which must hold a store unless ``create`` (then a
    new or empty folder gets one, loaded with the shipped graph; a mistyped path is never
    taken for a new store); with ``in_memory``, a private in-memory copy of that store
    instead (slower to open, faster to query). Neither: a private in-memory
    copy of the shipped graph, read from the cache folder (built and saved there when a
    source file changed; see :mod:`kg.store.shipped`).
    """
    if endpoint is not None and path is not None:
        raise KGError("give either a SPARQL endpoint or a store path, not both",
                      hint="drop --endpoint or --store")
    if endpoint is not None:
        return RemoteStore(endpoint, graph_store=graph_store, timeout=timeout, retries=retries)
    if path is not None:
        check_store_path(path, create=create and not in_memory)
    if path is not None and in_memory:
        return EmbeddedStore.in_memory_copy(path)
    if path is None:
        copy = ox.Store()
        copy.extend(shipped_dataset())
        return EmbeddedStore.from_dataset(copy)
    store = EmbeddedStore(path)
    if store.is_empty():
        # one transaction: all or nothing
        store.dataset.extend(shipped_dataset())
        store.close()
    return store

