"""Triplestore backends behind one interface.

:class:`EmbeddedStore` (pyoxigraph, in memory or on disk) is the default; a
:class:`RemoteStore` reaches any SPARQL 1.1 server when the graph outgrows one machine.
:func:`open_store` picks one.
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import KGError
from kg.store.base import Bindings, Row, Store
from kg.store.embedded import EmbeddedStore
from kg.store.remote import RemoteStore

__all__ = ["Store", "Row", "Bindings", "EmbeddedStore", "RemoteStore", "open_store"]


def open_store(endpoint: str | None = None, path: Path | None = None, *,
               graph_store: str | None = None, timeout: float = 30.0,
               retries: int = 3) -> Store:
    """The store to query.

    ``endpoint``: a :class:`RemoteStore` on that SPARQL endpoint. ``path``: an on-disk
    :class:`EmbeddedStore` in that folder, built and loaded with the shipped graph the
    first time (reopened as it is afterwards). Neither: the shipped graph, built in memory.
    """
    if endpoint is not None and path is not None:
        raise KGError("give either a SPARQL endpoint or a store path, not both",
                      hint="drop --endpoint or --store")
    if endpoint is not None:
        return RemoteStore(endpoint, graph_store=graph_store, timeout=timeout, retries=retries)
    from kg.build import build_dataset  # the build pulls in the validator and reasoner
    if path is None:
        return EmbeddedStore.from_dataset(build_dataset().store)
    store = EmbeddedStore(path)
    if store.is_empty():
        store.dataset.extend(build_dataset().store)  # one transaction: all or nothing
        store.close()
    return store
