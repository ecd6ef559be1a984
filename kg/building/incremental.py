"""Build the graph into an on-disk store, then rebuild only what changed.

:func:`build_store` fills an on-disk pyoxigraph store (the folder an
:class:`kg.store.EmbeddedStore` opens) with the ontology, shapes, publications, query
catalogue, every case graph and the tumour types inferred for each case, and keeps a cache
of what it built in ``<store>/.vlmskg-cache.sqlite``: a content hash per source file (with
its size and modification time, so unchanged files are not even read), the tumours and
inferred types of each case, HermiT's classification of the ontology, and each case's
record for the analyses and its facts for the exports (:mod:`kg.analysis.cache`).

A later call compares the files with the cache and:

* re-parses, re-validates (:mod:`kg.validation.compiled`) and re-classifies
  (:mod:`kg.reasoning.materialize`) only the new and changed cases, then replaces each one's
  named graph and its inferred triples in one store transaction per case;
* removes the graph and the inferred triples of a case whose file is gone;
* replaces the query catalogue graph when a ``.rq`` file changed;
* rebuilds everything when the ontology, the shapes, a publication or this module's store
  layout changed (a publication can change whether every case's source resolves).

Inferred triples stay in the one graph ``https://w3id.org/vlmskg/graph/inferred`` that the
queries and the API read; each is a ``rdf:type`` triple whose subject is a tumour of one
case (tumours are nodes of their case's namespace), so a case's inferred triples are
replaced by deleting the triples of its tumours, which the cache lists.

A full build works in chunks of cases (each parsed, validated and classified in memory,
then bulk-loaded), writes into a new folder beside the store and swaps it in only when every
case passed: a failed build leaves the previous store as it was. The store holds no VoID
description (``vlmskg build`` writes one with the dataset files).

>>> import tempfile
>>> from kg.resources import case_files
>>> folder = Path(tempfile.mkdtemp()) / "store"
>>> first = build_store(folder, case_files(), reason=False)
>>> first.full, first.validated == len(case_files())
(True, True)
>>> again = build_store(folder, case_files(), reason=False)
>>> again.full, again.parsed, again.unchanged == first.validated
(False, 0, True)
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox

from kg import resources
from kg.analysis.cache import save_records
from kg.errors import BuildError, InputError, ValidationFailed
from kg.exports.facts import FACTS, CaseFacts, gather_facts
from kg.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, QUERIES_GRAPH
from kg.queries.run import export_catalogue
from kg.reasoning.materialize import Classifier
from kg.sources.files import Source, case_graph, parse_source
from kg.store.embedded import EmbeddedStore
from kg.validation.compiled import load_units, shapes_for_project, validate_store
from kg.validation.report import ValidationReport, ValidationResult

__all__ = ["CACHE_FILE", "CHUNK_SIZE", "BuildStats", "build_store"]

#: the cache file inside the store folder.
CACHE_FILE = ".vlmskg-cache.sqlite"
#: cases parsed, validated and classified together in memory during a full build.
CHUNK_SIZE = 5000
_LAYOUT = "vlmskg-store-2"  # change when the store or the cache tables change: forces a full build
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_INFERRED = ox.NamedNode(str(INFERRED_GRAPH))


@dataclass
class BuildStats:
    """What a build did: how many files it read and what it redid."""

    full: bool  #: everything was rebuilt
    parsed: int = 0  #: case and publication files parsed
    validated: int = 0  #: case files validated
    classified: int = 0  #: case files whose tumours were classified
    removed: int = 0  #: cases whose file is gone, taken out of the store
    unchanged: int = 0  #: case files found unchanged
    inferred: int = 0  #: inferred triples written
    quads: int = 0  #: quads written (a full build: the whole store)
    seconds: dict[str, float] = field(default_factory=dict)  #: time per step
    completeness: dict[str, float] = field(default_factory=dict, repr=False)  #: cases validated


@dataclass(frozen=True)
class _Inputs:
    """The source files of one build and the hashes that decide what must be redone."""

    ontology: tuple[Path, ...]
    shapes: tuple[Path, ...]
    publications: tuple[Path, ...]
    cases: tuple[Path, ...]

    def schema_key(self) -> str:
        """Changes when anything that every case depends on changes."""
        digest = hashlib.sha256(_LAYOUT.encode())
        for path in (*self.ontology, *self.shapes, *self.publications):
            digest.update(str(path.name).encode() + b"\0" + _hash(path).encode())
        return digest.hexdigest()

    def ontology_key(self) -> str:
        digest = hashlib.sha256()
        for path in self.ontology:
            digest.update(_hash(path).encode())
        return digest.hexdigest()


def _hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror}", file=str(path),
                         hint="check the path") from err


def _catalogue() -> tuple[str, list[ox.Quad]]:
    text = export_catalogue()
    graph = ox.NamedNode(str(QUERIES_GRAPH))
    quads = [ox.Quad(t.subject, t.predicate, t.object, graph)
             for t in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)]
    return hashlib.sha256(text.encode()).hexdigest(), quads


# --- the cache ---------------------------------------------------------------------------------


class _Case(NamedTuple):
    """What the cache remembers of one case graph."""

    path: str
    size: int
    mtime: int
    hash: str
    tumours_json: str
    completeness: float | None

    @property
    def tumours(self) -> list[str]:
        """The case's tumours, whose inferred types are in the inferred graph."""
        return list(json.loads(self.tumours_json))


class _Cache:
    """The sqlite cache: build-wide values, and one row per case graph (keyed by its IRI, so
    a case file that moved is recognised by its content)."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        self.db.execute("CREATE TABLE IF NOT EXISTS cases (graph TEXT PRIMARY KEY, path TEXT, "
                        "size INTEGER, mtime INTEGER, hash TEXT, tumours TEXT, "
                        "completeness REAL)")

    def get(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def cases(self) -> dict[str, _Case]:
        """Case graph → what was built from it."""
        return {row[0]: _Case(*row[1:])
                for row in self.db.execute("SELECT * FROM cases")}

    def put_case(self, graph: str, path: Path, tumours: Sequence[str],
                 completeness: float | None, digest: str | None = None) -> None:
        stat = path.stat()
        self.db.execute("INSERT OR REPLACE INTO cases VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (graph, str(path), stat.st_size, stat.st_mtime_ns,
                         digest or _hash(path), json.dumps(sorted(tumours)), completeness))

    def drop_case(self, graph: str) -> None:
        self.db.execute("DELETE FROM cases WHERE graph = ?", (graph,))

    def close(self) -> None:
        self.db.commit()
        self.db.close()


# --- building ---------------------------------------------------------------------------------


def _chunks(items: Sequence[Source], size: int) -> Iterator[Sequence[Source]]:
    for start in range(0, len(items), max(1, size)):
        yield items[start:start + max(1, size)]


def _classifier(inputs: _Inputs, cache: _Cache | None) -> Classifier:
    """HermiT's classification of the ontology, from the cache when the ontology is the same."""
    key = inputs.ontology_key()
    if cache is not None and cache.get("ontology") == key and cache.get("classifier"):
        return Classifier.from_json(json.loads(cache.get("classifier") or "{}"))
    quads = [q for p in inputs.ontology for q in parse_source(Source.for_ontology(p))]
    return Classifier.from_ontology(ox.serialize((q.triple for q in quads),
                                                 format=ox.RdfFormat.N_TRIPLES) or b"")


@dataclass
class _Checked:
    """Cases parsed, validated and classified in memory, ready to be written."""

    store: ox.Store  #: holds the ontology, publications, the cases and their inferred triples
    cases: list[Source]
    report: ValidationReport
    tumours: dict[str, list[str]]  #: case graph → its tumours
    inferred: int


def _check(sources: Sequence[Source], context: Sequence[ox.Quad], publications: list[Source],
           classifier: Classifier | None, workers: int, stats: BuildStats) -> _Checked:
    """Parse, validate and classify ``sources`` in one in-memory store."""
    schema, compiled = shapes_for_project()
    store = ox.Store()
    store.extend(schema.ontology)
    store.extend(context)
    loaded, errors = load_units(store, sources)
    stats.parsed += len(sources)
    report = validate_store(store, loaded, publications, shapes=(schema, compiled),
                            workers=workers, check_publications=False)
    report.errors = errors
    stats.validated += len(loaded)
    tumours: dict[str, list[str]] = {s.graph: [] for s in loaded}
    inferred = 0
    if classifier is not None and report.conforms:
        types = classifier.tumour_types(store)
        store.extend(ox.Quad(ox.NamedNode(t), _TYPE, ox.NamedNode(c), _INFERRED)
                     for pairs in types.values() for t, c in pairs)
        inferred = sum(len(pairs) for pairs in types.values())
        for graph, pairs in types.items():
            tumours[graph] = sorted({t for t, _ in pairs})
        stats.classified += len(loaded)
    return _Checked(store, loaded, report, tumours, inferred)


def _fail(results: list[ValidationResult], errors: list[InputError]) -> None:
    report = ValidationReport(results=results, errors=errors)
    try:
        report.raise_for_failure()
    except ValidationFailed as err:
        raise ValidationFailed(f"{err.message}; the store was not changed",
                               results=err.results, hint=err.hint) from None


def _schema_quads(inputs: _Inputs) -> tuple[list[ox.Quad], str]:
    schema, _ = shapes_for_project()
    quads = list(schema.ontology)
    quads += [q for p in inputs.shapes for q in parse_source(Source.for_shapes(p))]
    digest, catalogue = _catalogue()
    return quads + catalogue, digest


def _full(path: Path, inputs: _Inputs, cached: _Cache | None, reason: bool, chunk_size: int,
          workers: int) -> BuildStats:
    stats = BuildStats(full=True)
    started = time.perf_counter()
    classifier = _classifier(inputs, cached) if reason else None
    if cached is not None:
        cached.close()
    stats.seconds["classify ontology"] = time.perf_counter() - started
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.building-", dir=path.parent))
    try:
        pubs_store = ox.Store()
        publications, errors = load_units(pubs_store, [Source.for_publication(p)
                                                       for p in inputs.publications])
        stats.parsed += len(inputs.publications)
        context = list(pubs_store)
        schema, compiled = shapes_for_project()
        pubs_store.extend(schema.ontology)
        results = validate_store(pubs_store, [], publications, shapes=(schema, compiled)).results
        schema_quads, catalogue_key = _schema_quads(inputs)
        cases = [Source.for_case(p) for p in inputs.cases]
        rows: list[tuple[Source, list[str], float | None]] = []
        case_facts: list[CaseFacts] = []  # for the analyses and exports (their caches)
        spool = staging.with_name(staging.name + ".nq")  # every chunk, for one bulk load
        with open(spool, "wb") as out:
            out.write(ox.serialize(schema_quads + context, format=ox.RdfFormat.N_QUADS) or b"")
            stats.quads += len(schema_quads) + len(context)
            for chunk in _chunks(cases, chunk_size):
                step = time.perf_counter()
                checked = _check(chunk, context, publications, classifier, workers, stats)
                results += checked.report.results
                errors += checked.report.errors
                stats.seconds["parse, validate, classify"] = (
                    stats.seconds.get("parse, validate, classify", 0)
                    + time.perf_counter() - step)
                if errors or any(r.is_violation for r in results):
                    continue  # keep checking the other chunks, to report every problem
                step = time.perf_counter()
                case_facts += gather_facts(EmbeddedStore.from_dataset(checked.store))
                stats.seconds["records"] = (stats.seconds.get("records", 0)
                                            + time.perf_counter() - step)
                for graph in [ONTOLOGY_GRAPH, *(p.graph for p in publications)]:
                    checked.store.remove_graph(ox.NamedNode(str(graph)))
                checked.store.dump(out, format=ox.RdfFormat.N_QUADS)
                stats.quads += len(checked.store)
                stats.inferred += checked.inferred
                stats.completeness.update(checked.report.completeness)
                rows += [(s, checked.tumours.get(s.graph, []),
                          checked.report.completeness.get(s.case_id or ""))
                         for s in checked.cases]
        if errors or any(r.is_violation for r in results):
            _fail(results, errors)
        step = time.perf_counter()
        store = ox.Store(str(staging))
        store.bulk_load(path=spool, format=ox.RdfFormat.N_QUADS)
        store.flush()
        del store
        spool.unlink()
        stats.seconds["load"] = time.perf_counter() - step
        step = time.perf_counter()
        cache = _Cache(staging / CACHE_FILE)
        cache.put("schema", inputs.schema_key())
        cache.put("catalogue", catalogue_key)
        if classifier is not None:
            cache.put("ontology", inputs.ontology_key())
            cache.put("classifier", json.dumps(classifier.to_json()))
        cache.put("reason", "yes" if reason else "no")
        for source, tumours, score in rows:
            cache.put_case(source.graph, source.path, tumours, score)
        save_records(cache.db, [f.record for f in case_facts], replace_all=True)
        FACTS.save(cache.db, case_facts, replace_all=True)
        cache.close()
        stats.seconds["cache"] = time.perf_counter() - step
        _swap(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        staging.with_name(staging.name + ".nq").unlink(missing_ok=True)
        raise
    stats.seconds["total"] = time.perf_counter() - started
    return stats


def _swap(staging: Path, path: Path) -> None:
    """Put the staging folder in place of ``path`` (the old store is removed after)."""
    old = None
    try:
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old-", dir=path.parent))
            os.replace(path, old / "store")
        os.replace(staging, path)
    except OSError as err:
        raise BuildError(f"cannot put the new store in place of {path}: {err.strerror}",
                         hint="is a server using the store? stop it and build again") from err
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _update_sparql(graph: str, case: ox.Store | None, old_tumours: Sequence[str],
                   new_inferred: Sequence[ox.Quad]) -> str:
    """One update replacing a case graph and its inferred triples (removing them when
    ``case`` is None)."""
    parts = [f"DROP SILENT GRAPH <{graph}>"]
    if case is not None:
        body = case.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph)) or b""
        parts.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n{body.decode()}}} }}")
    parts += [f"DELETE WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ <{t}> ?p ?o }} }}"
              for t in old_tumours]
    if new_inferred:
        lines = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in new_inferred)
        parts.append(f"INSERT DATA {{ GRAPH <{INFERRED_GRAPH}> {{\n{lines}\n}} }}")
    return " ;\n".join(parts)


@contextmanager
def _open(path: Path) -> Iterator[ox.Store]:
    embedded = EmbeddedStore(path)
    try:
        yield embedded.dataset
    finally:
        embedded.close()


def _incremental(path: Path, inputs: _Inputs, cache: _Cache, reason: bool,
                 workers: int) -> BuildStats:
    stats = BuildStats(full=False)
    started = time.perf_counter()
    cached = cache.cases()
    current = {case_graph(p): p for p in inputs.cases}
    changed: list[tuple[str, Path, str]] = []  # graph, file, content hash
    for graph, file in current.items():
        stat = file.stat()
        row = cached.get(graph)
        if row is not None and (row.path, row.size, row.mtime) == (
                str(file), stat.st_size, stat.st_mtime_ns):
            stats.unchanged += 1
            continue
        digest = _hash(file)
        if row is not None and row.hash == digest:
            cache.put_case(graph, file, row.tumours, row.completeness, digest)
            stats.unchanged += 1
        else:
            changed.append((graph, file, digest))
    gone = sorted(set(cached) - set(current))
    stats.seconds["compare"] = time.perf_counter() - started
    catalogue_key, catalogue = _catalogue()
    if not changed and not gone and catalogue_key == cache.get("catalogue"):
        cache.close()
        stats.seconds["total"] = time.perf_counter() - started
        return stats

    step = time.perf_counter()
    classifier = _classifier(inputs, cache) if reason else None
    with _open(path) as store:
        publications = [Source.for_publication(p) for p in inputs.publications]
        context = [q for p in publications
                   for q in store.quads_for_pattern(None, None, None, ox.NamedNode(p.graph))]
        sources = [Source.for_case(file) for _, file, _ in changed]
        checked = _check(sources, context, publications, classifier, workers, stats)
        if not checked.report.conforms:
            cache.close()
            _fail(checked.report.results, checked.report.errors)
        stats.seconds["parse, validate, classify"] = time.perf_counter() - step
        step = time.perf_counter()
        fresh = gather_facts(EmbeddedStore.from_dataset(checked.store))
        stats.seconds["records"] = time.perf_counter() - step
        step = time.perf_counter()
        for graph, file, digest in changed:
            old = cached[graph].tumours if graph in cached else []
            tumours = checked.tumours.get(graph, [])
            new = [q for t in tumours for q in checked.store.quads_for_pattern(
                ox.NamedNode(t), None, None, _INFERRED)]
            store.update(_update_sparql(graph, checked.store, old, new))
            stats.inferred += len(new)
            stats.quads += len(new) + sum(1 for _ in checked.store.quads_for_pattern(
                None, None, None, ox.NamedNode(graph)))
            score = checked.report.completeness.get(Source.for_case(file).case_id or "")
            cache.put_case(graph, file, tumours, score, digest)
        stats.completeness.update(checked.report.completeness)
        for graph in gone:
            store.update(_update_sparql(graph, None, cached[graph].tumours, []))
            cache.drop_case(graph)
            stats.removed += 1
        save_records(cache.db, [f.record for f in fresh], removed=gone)
        FACTS.save(cache.db, fresh, removed=gone)
        if catalogue_key != cache.get("catalogue"):
            store.remove_graph(ox.NamedNode(str(QUERIES_GRAPH)))
            store.extend(catalogue)
            cache.put("catalogue", catalogue_key)
        stats.seconds["write"] = time.perf_counter() - step
    cache.close()
    stats.seconds["total"] = time.perf_counter() - started
    return stats


def build_store(path: Path | str, cases: Path | Sequence[Path], *,
                publications: Sequence[Path] = (), full: bool = False, reason: bool = True,
                chunk_size: int = CHUNK_SIZE, workers: int = 2) -> BuildStats:
    """Build (or bring up to date) the on-disk store in the folder ``path``.

    ``cases`` is a folder of case files or a list of them; ``publications`` are added to
    the shipped ones (e.g. a synthetic cohort's). ``full`` forces a complete rebuild;
    ``reason=False`` skips the tumour classification. Raises :class:`InputError` for an
    unreadable file, :class:`ValidationFailed` when a case violates the shapes, and
    :class:`kg.errors.ReasonerError` when HermiT cannot classify the ontology; in every
    case the store is left as it was.
    """
    path = Path(path)
    case_paths = (resources.case_files(Path(os.path.abspath(cases)))
                  if isinstance(cases, (str, Path))
                  else [p if isinstance(p, Path) else Path(p) for p in cases])
    inputs = _Inputs(tuple(resources.ontology_files()), tuple(resources.shape_files()),
                     tuple(resources.publication_files()) + tuple(Path(p) for p in publications),
                     tuple(sorted(p if p.is_absolute() else Path(os.path.abspath(p))
                                 for p in case_paths)))
    seen: dict[str, Path] = {}
    for case in inputs.cases:
        first = seen.setdefault(case.stem, case)
        if first != case:
            raise InputError(f"a second file for this case (first: {first})", file=str(case),
                             case=case.stem, hint="keep one file per case")
    cache = _Cache(path / CACHE_FILE) if (path / CACHE_FILE).is_file() else None
    if (full or cache is None or cache.get("schema") != inputs.schema_key()
            or cache.get("reason") != ("yes" if reason else "no")):
        return _full(path, inputs, cache, reason, chunk_size, workers)
    return _incremental(path, inputs, cache, reason, workers)
