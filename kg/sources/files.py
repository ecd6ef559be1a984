"""Read the graph's source files, each into its own named graph.

A source is one Turtle file: an ontology module, a shapes file, a case or a
publication. Its named graph follows from its kind and file name, so a case file
``data/cases/<id>.ttl`` always lands in ``https://w3id.org/vlmskg/case/<id>``.

>>> from kg.resources import case_files
>>> src = Source.for_case(case_files()[0])
>>> src.graph
'https://w3id.org/vlmskg/case/lms-femoral-vein-c1'
>>> len(parse_source(src)) > 100
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import pyoxigraph as ox

from kg import resources
from kg.errors import InputError
from kg.namespaces import CASE, ONTOLOGY_GRAPH, PUBLICATION, SHAPES_GRAPH

__all__ = ["SourceKind", "Source", "case_graph", "parse_source", "project_sources", "load_sources"]


class SourceKind(Enum):
    ONTOLOGY = "ontology"
    SHAPES = "shapes"
    CASE = "case"
    PUBLICATION = "publication"


@dataclass(frozen=True)
class Source:
    """One Turtle file and the named graph it is loaded into."""

    path: Path
    graph: str
    kind: SourceKind

    @classmethod
    def for_case(cls, path: Path) -> Source:
        return cls(Path(path), case_graph(path), SourceKind.CASE)

    @classmethod
    def for_publication(cls, path: Path) -> Source:
        return cls(Path(path), str(PUBLICATION[Path(path).stem]), SourceKind.PUBLICATION)

    @classmethod
    def for_ontology(cls, path: Path) -> Source:
        return cls(Path(path), str(ONTOLOGY_GRAPH), SourceKind.ONTOLOGY)

    @classmethod
    def for_shapes(cls, path: Path) -> Source:
        return cls(Path(path), str(SHAPES_GRAPH), SourceKind.SHAPES)

    @property
    def case_id(self) -> str | None:
        """The case identifier for a case source, else ``None``."""
        return self.path.stem if self.kind is SourceKind.CASE else None


def case_graph(path: Path) -> str:
    """The named graph (and case IRI) of the case file ``path``: named after its stem.

    >>> case_graph(Path("data/cases/lms-femoral-vein-c1.ttl"))
    'https://w3id.org/vlmskg/case/lms-femoral-vein-c1'
    """
    return f"{CASE}{path.stem}"


def parse_source(source: Source) -> list[ox.Quad]:
    """Parse one file into quads of its named graph.

    Raises :class:`InputError` naming file, line and column for broken Turtle, and
    for a file that is empty, not UTF-8 text, or missing.
    """
    path, case = source.path, source.case_id
    if path.suffix == ".yaml" and source.kind in (SourceKind.CASE, SourceKind.PUBLICATION):
        return _parse_sheet(source)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror}", file=str(path), case=case,
                         hint="check the path") from err
    if not data.strip():
        raise InputError("the file is empty", file=str(path), case=case,
                         hint="write the case in Turtle, or remove the file")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError("not UTF-8 text (binary file?)", file=str(path), case=case,
                         hint="save the file as UTF-8 Turtle") from err
    graph = ox.NamedNode(source.graph)
    try:
        return [ox.Quad(t.subject, t.predicate, t.object, graph)
                for t in ox.parse(data, format=ox.RdfFormat.TURTLE,
                                  base_iri=source.graph + "/",
                                  rename_blank_nodes=True)]
    except SyntaxError as err:
        message = str(err.msg if hasattr(err, "msg") else err)
        raise InputError(f"broken Turtle: {message}", file=str(path), line=err.lineno,
                         column=err.offset, case=case,
                         hint="correct the Turtle syntax at that position") from err


def _parse_sheet(source: Source) -> list[ox.Quad]:
    """A case or publication sheet (YAML), compiled by :mod:`kg.sheets` into its graph."""
    if source.kind is SourceKind.CASE:
        from kg.sheets.case import compile_case_file
        return compile_case_file(source.path)
    from kg.sheets import publication
    return list(publication.compile_publication_file(source.path))  # type: ignore[attr-defined]


def project_sources(
    cases: Sequence[Path] | None = None, *, include_shapes: bool = True,
    publications: Sequence[Path] = ()
) -> list[Source]:
    """The shipped ontology, shapes and publications, plus ``publications`` and ``cases``
    (default: shipped cases)."""
    sources = [Source.for_ontology(p) for p in resources.ontology_files()]
    if include_shapes:
        sources += [Source.for_shapes(p) for p in resources.shape_files()]
    sources += [Source.for_publication(p)
                for p in [*resources.publication_files(), *publications]]
    case_paths = resources.case_files() if cases is None else cases
    sources += [Source.for_case(p) for p in case_paths]
    return sources


def load_sources(sources: Iterable[Source], store: ox.Store | None = None) -> ox.Store:
    """Parse every source into ``store`` (a new in-memory store by default).

    All files are parsed before anything is added, so a broken file leaves the
    store untouched.
    """
    quads = [quad for source in sources for quad in parse_source(source)]
    target = store if store is not None else ox.Store()
    target.extend(quads)
    return target
