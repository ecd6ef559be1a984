"""Per-case tables in the cache of an on-disk store, kept up to date by the build.

``vlmskg build --store PATH`` keeps a cache beside the store
(``PATH/.vlmskg-cache.sqlite``, see :mod:`kg.building.incremental`). A :class:`CaseTable`
adds one table to it: one JSON row per case graph, written for every case a build (full or
incremental) parses, removed with its case. Its meta key holds a hash of the code that
makes the rows, so rows made by older code are made again (read from the store) instead of
being trusted. Two tables use it: :data:`RECORDS`, the analysis records
(:class:`kg.analysis.records.CaseRecord`), and the export facts
(:data:`kg.exports.facts.FACTS`).

:func:`load_records` is what the analyses call: the cached records when they are current
and cover every case of the store, else the records read from the store with SPARQL
(:func:`kg.analysis.records.extract_records`), which are then saved when the cache exists.

>>> import sqlite3
>>> from kg.analysis.records import extract_records
>>> from kg.store import open_store
>>> db = sqlite3.connect(":memory:")
>>> save_records(db, extract_records(open_store()), replace_all=True)
>>> "lms-ivc-two-cases-c1" in {r.case_id for r in cached_records(db) or []}
True
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from types import ModuleType
from typing import Any, Generic, TypeVar

from kg.analysis import records as records_module
from kg.analysis import timeline as timeline_module
from kg.analysis.records import CaseRecord, extract_records
from kg.namespaces import CASE
from kg.store.base import Store
from kg.store.embedded import EmbeddedStore

__all__ = ["CACHE_FILE", "CaseTable", "RECORDS", "save_records", "cached_records",
           "load_records"]

#: the build's cache file inside the store folder (the name kg.building.incremental uses).
CACHE_FILE = ".vlmskg-cache.sqlite"

Item = TypeVar("Item")


@dataclass
class CaseTable(Generic[Item]):
    """One table of per-case items (rows of JSON) in the build's cache."""

    table: str  #: the table's name
    meta_key: str  #: the ``meta`` key that holds the hash of the code that makes the items
    modules: tuple[ModuleType, ...]  #: that code
    case_id: Callable[[Item], str]  #: the item's case id
    encode: Callable[[Item], list[Any]]  #: the item as a JSON-ready list
    decode: Callable[[Sequence[Any]], Item]  #: the item :attr:`encode` gave
    extract: Callable[[Store], list[Item]]  #: every case's item, read from a store

    def key(self) -> str:
        """A hash of the code that makes the items."""
        digest = hashlib.sha256()
        for module in self.modules:
            digest.update(Path(str(module.__file__)).read_bytes())
        return digest.hexdigest()

    def save(self, db: sqlite3.Connection, items: Iterable[Item],
             removed: Iterable[str] = (), replace_all: bool = False) -> None:
        """Write ``items`` (replacing those of the same cases), drop the case graphs
        ``removed``; ``replace_all`` empties the table first. The caller commits."""
        db.execute(f"CREATE TABLE IF NOT EXISTS {self.table} "
                   "(graph TEXT PRIMARY KEY, record TEXT)")
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        if replace_all:
            db.execute(f"DELETE FROM {self.table}")
        db.executemany(f"DELETE FROM {self.table} WHERE graph = ?", [(g,) for g in removed])
        db.executemany(f"INSERT OR REPLACE INTO {self.table} VALUES (?, ?)",
                       [(str(CASE) + self.case_id(item),
                         json.dumps(self.encode(item), ensure_ascii=False)) for item in items])
        db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (self.meta_key, self.key()))

    def cached(self, db: sqlite3.Connection) -> list[Item] | None:
        """The cached items, sorted by case id; ``None`` when there are none, when they were
        made by other code, or when they do not cover exactly the cases the build lists."""
        try:
            key = db.execute("SELECT value FROM meta WHERE key = ?", (self.meta_key,)).fetchone()
            if key is None or key[0] != self.key():
                return None
            rows = db.execute(f"SELECT graph, record FROM {self.table}").fetchall()
        except sqlite3.OperationalError:  # no such table
            return None
        try:
            cases = {row[0] for row in db.execute("SELECT graph FROM cases")}
        except sqlite3.OperationalError:  # not a build cache: nothing to compare with
            cases = {graph for graph, _ in rows}
        if cases != {graph for graph, _ in rows}:
            return None
        return sorted((self.decode(json.loads(text)) for _, text in rows), key=self.case_id)

    def load(self, store: Store) -> list[Item]:
        """Every case's item: from the cache of an on-disk store built by ``vlmskg build
        --store`` when it is current, else read from the store (and saved in that cache)."""
        path = (store.path / CACHE_FILE if isinstance(store, EmbeddedStore) and store.path
                else None)
        if path is None or not path.is_file():
            return self.extract(store)
        db = sqlite3.connect(path)
        try:
            found = self.cached(db)
            if found is not None:
                return found
            fresh = self.extract(store)
            try:
                self.save(db, fresh, replace_all=True)
                db.commit()
            except sqlite3.Error:  # a read-only folder: the items are still right
                pass
            return fresh
        finally:
            db.close()


#: the analysis records (table ``analysis_records``).
RECORDS: CaseTable[CaseRecord] = CaseTable(
    "analysis_records", "analysis-records", (records_module, timeline_module),
    attrgetter("case_id"), CaseRecord.as_row, CaseRecord.from_row, extract_records)


def save_records(db: sqlite3.Connection, records: Iterable[CaseRecord],
                 removed: Iterable[str] = (), replace_all: bool = False) -> None:
    """:meth:`CaseTable.save` for the analysis records."""
    RECORDS.save(db, records, removed, replace_all)


def cached_records(db: sqlite3.Connection) -> list[CaseRecord] | None:
    """:meth:`CaseTable.cached` for the analysis records."""
    return RECORDS.cached(db)


def load_records(store: Store) -> list[CaseRecord]:
    """Every case's record: from the cache of an on-disk store built by ``vlmskg build
    --store`` when it is current, else read from the store (and saved in that cache)."""
    return RECORDS.load(store)
