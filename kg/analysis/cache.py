"""The per-case record cache of an on-disk store, kept up to date by the build.

``vlmskg build --store PATH`` keeps a cache beside the store
(``PATH/.vlmskg-cache.sqlite``, see :mod:`kg.building.incremental`); this module adds the
table ``analysis_records`` to it: one JSON record per case graph, written for every case a
build (full or incremental) parses, removed with its case. The meta key
``analysis-records`` holds a hash of the code that builds records, so records built by
older code are rebuilt (read again from the store) instead of being trusted.

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
from collections.abc import Iterable
from pathlib import Path

from kg.analysis import records as records_module
from kg.analysis import timeline as timeline_module
from kg.analysis.records import CaseRecord, extract_records
from kg.namespaces import CASE
from kg.store.base import Store
from kg.store.embedded import EmbeddedStore

__all__ = ["CACHE_FILE", "TABLE", "records_key", "save_records", "cached_records",
           "load_records"]

#: the build's cache file inside the store folder (the name kg.building.incremental uses).
CACHE_FILE = ".vlmskg-cache.sqlite"
#: the table of records in that file.
TABLE = "analysis_records"
_KEY = "analysis-records"


def records_key() -> str:
    """A hash of the code that turns a case graph into a record."""
    digest = hashlib.sha256()
    for module in (records_module, timeline_module):
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()


def _prepare(db: sqlite3.Connection) -> None:
    db.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (graph TEXT PRIMARY KEY, record TEXT)")
    db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")


def save_records(db: sqlite3.Connection, records: Iterable[CaseRecord],
                 removed: Iterable[str] = (), replace_all: bool = False) -> None:
    """Write ``records`` (replacing those of the same cases), drop the case graphs
    ``removed``; ``replace_all`` empties the table first. The caller commits."""
    _prepare(db)
    if replace_all:
        db.execute(f"DELETE FROM {TABLE}")
    db.executemany(f"DELETE FROM {TABLE} WHERE graph = ?", [(g,) for g in removed])
    db.executemany(f"INSERT OR REPLACE INTO {TABLE} VALUES (?, ?)",
                   [(str(CASE) + r.case_id, json.dumps(r.as_row(), ensure_ascii=False))
                    for r in records])
    db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (_KEY, records_key()))


def cached_records(db: sqlite3.Connection) -> list[CaseRecord] | None:
    """The cached records, sorted by case id; ``None`` when there are none, when they were
    built by other code, or when they do not cover exactly the cases the build cache lists."""
    try:
        key = db.execute("SELECT value FROM meta WHERE key = ?", (_KEY,)).fetchone()
        if key is None or key[0] != records_key():
            return None
        rows = db.execute(f"SELECT graph, record FROM {TABLE}").fetchall()
    except sqlite3.OperationalError:  # no such table
        return None
    try:
        cases = {row[0] for row in db.execute("SELECT graph FROM cases")}
    except sqlite3.OperationalError:  # not a build cache: nothing to compare with
        cases = {graph for graph, _ in rows}
    if cases != {graph for graph, _ in rows}:
        return None
    return sorted((CaseRecord.from_row(json.loads(text)) for _, text in rows),
                  key=lambda r: r.case_id)


def load_records(store: Store) -> list[CaseRecord]:
    """Every case's record: from the cache of an on-disk store built by ``vlmskg build
    --store`` when it is current, else read from the store (and saved in that cache)."""
    path = store.path / CACHE_FILE if isinstance(store, EmbeddedStore) and store.path else None
    if path is None or not path.is_file():
        return extract_records(store)
    db = sqlite3.connect(path)
    try:
        found = cached_records(db)
        if found is not None:
            return found
        fresh = extract_records(store)
        try:
            save_records(db, fresh, replace_all=True)
            db.commit()
        except sqlite3.Error:  # a read-only folder: the records are still right
            pass
        return fresh
    finally:
        db.close()
