"""Build the graph: parse every source, validate the cases, classify the tumours, add the
query catalogue and the VoID/DCAT description, and write the dataset files.

Nothing is written unless every step succeeds, and the same inputs always give
byte-identical files (no timestamps, blank nodes labelled from their source file).

By default the cases are validated by pySHACL one at a time and classified by HermiT over
the whole ABox (which also checks that they are consistent). ``fast=True`` validates them
with the shapes compiled to SPARQL (:mod:`kg.validation.compiled`) and classifies them with
the materialiser (:mod:`kg.reasoning.materialize`, HermiT classifying the ontology only): the
same files, in seconds where HermiT takes minutes, from a few hundred cases on.

>>> from kg.resources import case_files
>>> result = build_dataset(case_files()[:2], reason=False)  # two cases, no HermiT
>>> len(result.case_ids), len(result.completeness)
(2, 2)
>>> "https://w3id.org/vlmskg/graph/void" in result.graph_sizes()
True
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar, cast

import pyoxigraph as ox

from kg.building import void
from kg.errors import BuildError, InputError
from kg.namespaces import CASE, INFERRED_GRAPH, ONTOLOGY_GRAPH, QUERIES_GRAPH, VLMS, VOID_GRAPH
from kg.namespaces import PREFIXES as NAMESPACE_PREFIXES
from kg.progress import task
from kg.queries.run import export_catalogue
from kg.reasoning.hermit import graph_ntriples, reason_store
from kg.reasoning.materialize import Classifier
from kg.sources.files import Source, SourceKind, parse_source, project_sources
from kg.validation.compiled import validate_files_fast
from kg.validation.validate import validate_files

__all__ = ["BuildResult", "OUTPUT_FILES", "PREFIXES", "build_dataset", "serialize_outputs",
           "write_outputs"]

#: the files ``write_outputs`` writes, in order.
OUTPUT_FILES = ("vlms-kg.trig", "vlms-kg.nq", "void.ttl")

#: prefixes used in the Turtle and TriG files.
PREFIXES = {**NAMESPACE_PREFIXES, **void.PREFIXES}

_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_Term = TypeVar("_Term")
_TUMOURS = f"SELECT ?g ?t WHERE {{ GRAPH ?g {{ ?c <{VLMS.hasTumour}> ?t }} }}"


@dataclass(frozen=True)
class BuildResult:
    """The built graph and what the build found out about it."""

    store: ox.Store  #: every named graph, in memory
    case_ids: tuple[str, ...]
    completeness: dict[str, float]  #: case id → completeness score from validation
    inferred: dict[str, int] = field(default_factory=dict)  #: case id → inferred tumour types
    reasoned: bool = False  #: HermiT ran and found ontology and cases consistent
    fast: bool = False  #: validated by compiled shapes, classified by the materialiser

    def graph_sizes(self) -> dict[str, int]:
        """Triple count of every named graph, by graph IRI."""
        return dict(Counter(q.graph_name.value for q in self.store
                            if isinstance(q.graph_name, ox.NamedNode)))

    @property
    def triples(self) -> int:
        return len(self.store)


def _stable_blank_nodes(triples: Iterable[ox.Triple | ox.Quad], key: str,
                        graph: ox.NamedNode) -> list[ox.Quad]:
    """Quads of ``graph`` whose blank nodes are labelled by first appearance, prefixed by a
    hash of ``key``: the labels depend only on the source, never on the run."""
    prefix = hashlib.sha256(key.encode()).hexdigest()[:10]
    labels: dict[str, ox.BlankNode] = {}

    def stable(term: _Term) -> _Term:
        if isinstance(term, ox.BlankNode):
            return cast(_Term, labels.setdefault(term.value,
                                                 ox.BlankNode(f"b{prefix}n{len(labels)}")))
        return term

    return [ox.Quad(stable(t.subject), t.predicate, stable(t.object), graph) for t in triples]


def _parse(sources: Sequence[Source]) -> list[ox.Quad]:
    """Every source's quads, with stable blank nodes; one file per case."""
    seen: dict[str, Path] = {}
    for source in sources:
        if source.case_id in seen:
            raise InputError(f"a second file for this case (first: {seen[source.case_id]})",
                             file=str(source.path), case=source.case_id,
                             hint="keep one file per case")
        if source.case_id:
            seen[source.case_id] = source.path
    return [quad for source in sources
            for quad in _stable_blank_nodes(parse_source(source),
                                            f"{source.graph} {source.path.name}",
                                            ox.NamedNode(source.graph))]


def _validate(case_paths: list[Path], publications: list[Path], fast: bool) -> dict[str, float]:
    report = (validate_files_fast if fast else validate_files)(case_paths, publications)
    report.raise_for_failure()
    return dict(report.completeness)


def _catalogue() -> list[ox.Quad]:
    try:
        triples = ox.parse(export_catalogue().encode(), format=ox.RdfFormat.TURTLE)
        return _stable_blank_nodes(triples, str(QUERIES_GRAPH), ox.NamedNode(str(QUERIES_GRAPH)))
    except SyntaxError as err:
        raise BuildError(f"the query catalogue is not valid Turtle: {err}",
                         hint="check the headers of the .rq files in queries/") from err


def _tumour_types(store: ox.Store, case_ids: Sequence[str], fast: bool) -> list[tuple[str, str]]:
    """(tumour, class) for every type inferred for a tumour: by HermiT over the whole ABox,
    or by the materialiser."""
    if not fast:
        return reason_store(store, case_ids)
    ontology = graph_ntriples(store, str(ONTOLOGY_GRAPH))
    by_graph = Classifier.from_ontology(ontology).tumour_types(store)
    return [pair for pairs in by_graph.values() for pair in pairs]


def _inferred(store: ox.Store, case_ids: Sequence[str],
              fast: bool) -> tuple[list[ox.Quad], dict[str, int]]:
    graph = ox.NamedNode(str(INFERRED_GRAPH))
    quads = [ox.Quad(ox.NamedNode(t), _RDF_TYPE, ox.NamedNode(c), graph)
             for t, c in _tumour_types(store, case_ids, fast)]
    rows = cast(ox.QuerySolutions, store.query(_TUMOURS))
    case_of = {row["t"]: row["g"].value.removeprefix(str(CASE)) for row in rows}
    counts = Counter(case_of[q.subject] for q in quads)
    return quads, {case: counts.get(case, 0) for case in case_ids}


def build_dataset(cases: Sequence[Path] | None = None, *, publications: Sequence[Path] = (),
                  reason: bool = True, fast: bool = False) -> BuildResult:
    """Build the whole graph in memory from the shipped sources, ``publications`` (more
    publication files) and ``cases`` (default: the shipped case files); ``fast`` as the
    module says.

    Raises :class:`InputError` for an unreadable file, :class:`ValidationFailed` when a
    case violates the shapes, :class:`ReasonerError` when HermiT cannot run or finds an
    inconsistency (skip it with ``reason=False``).
    """
    sources = project_sources(cases, publications=publications)
    with task(f"parsing {len(sources)} source files"):
        quads = _parse(sources)
    case_sources = [s for s in sources if s.kind is SourceKind.CASE]
    case_ids = tuple(s.case_id for s in case_sources if s.case_id)
    completeness = _validate([s.path for s in case_sources],
                             [s.path for s in sources if s.kind is SourceKind.PUBLICATION], fast)

    store = ox.Store()
    store.extend(quads)
    inferred: dict[str, int] = {}
    if reason:
        with task(f"classifying the tumours of {len(case_ids)} cases "
                  + ("(materialiser)" if fast else "(HermiT)")):
            inferred_quads, inferred = _inferred(store, case_ids, fast)
        store.extend(inferred_quads)
    with task("adding the query catalogue and the VoID description"):
        store.extend(_catalogue())
        store.extend(void.describe_dataset(store, completeness))
    return BuildResult(store, case_ids, completeness, inferred, reasoned=reason and not fast,
                       fast=fast)


def _sort_key(quad: ox.Quad) -> tuple[str, str, bool, str, str]:
    """Graph, subject, ``rdf:type`` first, then predicate and object: a stable, readable order."""
    return (str(quad.graph_name), str(quad.subject), quad.predicate != _RDF_TYPE,
            str(quad.predicate), str(quad.object))


def serialize_outputs(result: BuildResult) -> dict[str, bytes]:
    """The dataset files as bytes, by file name (see :data:`OUTPUT_FILES`)."""
    quads = sorted(result.store, key=_sort_key)
    void_triples = [q.triple for q in quads if q.graph_name == ox.NamedNode(str(VOID_GRAPH))]
    files = {
        "vlms-kg.trig": ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=PREFIXES),
        "vlms-kg.nq": ox.serialize(quads, format=ox.RdfFormat.N_QUADS),
        "void.ttl": ox.serialize(void_triples, format=ox.RdfFormat.TURTLE, prefixes=void.PREFIXES),
    }
    return {name: body or b"" for name, body in files.items()}


def write_outputs(result: BuildResult, out_dir: Path | str) -> list[Path]:
    """Write the dataset files into ``out_dir``; return their paths.

    Each file is written into a temporary folder inside ``out_dir`` and then moved into
    place with ``os.replace``, so a reader never sees a half-written file and a failure
    leaves the previous files as they were.
    """
    with task("serialising the dataset files"):
        files = serialize_outputs(result)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".vlmskg-build-", dir=out))
    except OSError as err:
        raise BuildError(f"cannot create the output folder {out}: {err.strerror}",
                         hint="choose a writable folder with --out") from err
    try:
        for name, body in files.items():
            with open(staging / name, "wb") as handle:
                handle.write(body)
                handle.flush()
                os.fsync(handle.fileno())
        for name in files:
            os.replace(staging / name, out / name)
    except OSError as err:
        raise BuildError(f"cannot write into {out}: {err.strerror}",
                         hint="check free space and permissions of the output folder") from err
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out / name for name in files]
