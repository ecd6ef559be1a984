"""Read the graph's source files, each into its own named graph.

A source is one Turtle file: an ontology module, a shapes file, a case or a
publication. Its named graph follows from its kind and file name, so a case file
``data/cases/<id>.ttl`` always lands in ``https://w3id.org/vlmskg/case/<id>``.

>>> from kg.resources import cases_dir
>>> src = Source.for_case(cases_dir() / "lms-femoral-vein-c1.ttl")
>>> src.graph
'https://w3id.org/vlmskg/case/lms-femoral-vein-c1'
>>> len(parse_source(src)) > 100
True
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import pyoxigraph as ox

from kg import resources
from kg.errors import InputError
from kg.namespaces import CASE, ONTOLOGY_GRAPH, PUBLICATION, SHAPES_GRAPH

__all__ = ["SourceKind", "Source", "MAX_NESTING", "case_graph", "parse_source",
           "describe_invisible", "project_sources", "load_sources"]


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

    Raises :class:`InputError` naming the file (and line and column where there is one) for
    broken Turtle; for a file that is missing, a folder, empty, not UTF-8 text, starts with a
    byte-order mark, holds a control character, holds no triple (only comments or
    ``@prefix`` lines), nests blank nodes or lists deeper than :data:`MAX_NESTING`, or holds a
    term longer than the parser's limit; and for a case file whose name is not a case
    identifier.

    >>> parse_source(Source.for_case(Path("data/cases/x copy.ttl")))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.errors.InputError: data/cases/x copy.ttl: the file name 'x copy' is not a case identifier...
    """
    path, case = source.path, source.case_id
    named = source.kind in (SourceKind.CASE, SourceKind.PUBLICATION)
    if named and not _IDENTIFIER.fullmatch(path.stem):
        kind = source.kind.value
        raise InputError(f"the file name {path.stem!r} is not a {kind} identifier: it names "
                         f"the {kind}'s graph, so only letters, digits, '-', '_' and '.' may "
                         "appear", file=str(path), hint=f"rename it to {_slug(path.stem)}"
                                                          f"{path.suffix}")
    if path.is_dir():
        raise InputError("this is a folder, not a Turtle file", file=str(path), case=case,
                         hint="rename the folder so that it does not end in .ttl, or move it "
                              "out of the folder of cases")
    if path.suffix == ".yaml" and source.kind in (SourceKind.CASE, SourceKind.PUBLICATION):
        return _parse_sheet(source)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror}", file=str(path), case=case,
                         hint="check the path") from err
    text = _text_of(data, source)
    graph = ox.NamedNode(source.graph)
    try:
        triples = list(ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=source.graph + "/",
                                rename_blank_nodes=True))
    except SyntaxError as err:
        message = describe_invisible(str(err.msg if hasattr(err, "msg") else err))
        raise InputError(f"broken Turtle: {message}", file=str(path), line=err.lineno,
                         column=err.offset, case=case,
                         hint="correct the Turtle syntax at that position") from err
    except MemoryError as err:  # pyoxigraph refuses a single token over 16 MiB
        raise InputError("a literal or IRI is longer than the parser's limit of 16 MiB",
                         file=str(path), line=_longest_line(text), case=case,
                         hint="shorten it: a case file holds short notes, not documents") from err
    if not triples:
        raise InputError("the file holds no triples (only comments or @prefix lines)",
                         file=str(path), case=case,
                         hint="describe the " + (source.kind.value if case is None else "case")
                              + " in Turtle, or remove the file")
    _check_nesting(triples, source)
    _check_literals(triples, source)
    return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]


#: a case identifier: the stem of a case file and the last segment of its graph IRI.
_IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
#: control characters XML (hence the reasoner) and every curator's editor would refuse.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: the deepest nesting of blank nodes ``[ … ]`` or lists ``( … )`` a file may have.
MAX_NESTING = 32
_REST = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#rest")


def _slug(name: str) -> str:
    """``name`` as a case identifier.

    >>> _slug("lms-ivc-two-cases-c2 copy")
    'lms-ivc-two-cases-c2-copy'
    """
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-._") or "case"


def describe_invisible(text: str) -> str:
    r"""``text`` with each invisible or control character written as its code point and name.

    >>> describe_invisible("\ufeff is not a valid subject")
    'U+FEFF (byte-order mark) is not a valid subject'
    >>> describe_invisible("a\x00b")
    'aU+0000 (NUL)b'
    """
    def name(char: str) -> str:
        label = _NAMES.get(char) or unicodedata.name(char, "") or "control character"
        return f"U+{ord(char):04X} ({label})"

    return "".join(name(c) if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")
                   and c not in "\t\n\r" else c for c in text)


_NAMES = {"\ufeff": "byte-order mark", "\x00": "NUL", "\u200b": "zero-width space",
          "\u00ad": "soft hyphen"}


def _position(text: str, index: int) -> tuple[int, int]:
    """Line and column (both from 1) of ``text[index]``."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _text_of(data: bytes, source: Source) -> str:
    """The file's text, refused when empty, not UTF-8, starting with a byte-order mark or
    holding a control character."""
    path, case = str(source.path), source.case_id
    if not data.strip():
        raise InputError("the file is empty", file=path, case=case,
                         hint="write the case in Turtle, or remove the file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line, column = _position(data[:err.start].decode("utf-8", "replace"), err.start)
        raise InputError(f"not UTF-8 text (binary file?): byte 0x{data[err.start]:02x} at "
                         f"line {line}, column {column} is not UTF-8", file=path, case=case,
                         hint="save the file as UTF-8 Turtle") from err
    if text.startswith("\ufeff"):
        raise InputError("the file starts with an invisible byte-order mark (U+FEFF, bytes "
                         "EF BB BF), which Turtle does not allow", file=path, line=1, column=1,
                         case=case, hint="save the file as UTF-8 without BOM")
    control = _CONTROL.search(text)
    if control:
        line, column = _position(text, control.start())
        raise InputError(f"a control character {describe_invisible(control.group())} is in the "
                         "text", file=path, line=line, column=column, case=case,
                         hint="delete it (it is invisible in most editors)")
    return text


def _longest_line(text: str) -> int:
    """The number (from 1) of the longest line of ``text``."""
    lengths = [len(line) for line in text.split("\n")]
    return lengths.index(max(lengths)) + 1


def _check_nesting(triples: list[ox.Triple], source: Source) -> None:
    """Refuse blank nodes or lists nested deeper than :data:`MAX_NESTING` (the validator
    and the reasoner walk them recursively). The items of one list do not nest."""
    parent: dict[ox.BlankNode, ox.BlankNode] = {}
    for t in triples:
        if (isinstance(t.subject, ox.BlankNode) and isinstance(t.object, ox.BlankNode)
                and t.predicate != _REST):
            parent.setdefault(t.object, t.subject)
    depth: dict[ox.BlankNode, int] = {}
    for start in parent:
        chain: list[ox.BlankNode] = []
        seen: set[ox.BlankNode] = set()
        node = start
        while node in parent and node not in depth:
            if node in seen:
                raise InputError("blank nodes refer to each other in a cycle, so none of them "
                                 "can be named", file=str(source.path), case=source.case_id,
                                 hint="give one of them an IRI (:name)")
            chain.append(node)
            seen.add(node)
            node = parent[node]
        reached = depth.get(node, 0)
        for item in reversed(chain):
            reached += 1
            depth[item] = reached
        if reached > MAX_NESTING:
            raise InputError(f"blank nodes or lists are nested more than {MAX_NESTING} levels "
                             "deep", file=str(source.path), case=source.case_id,
                             hint="give the inner nodes IRIs of their own (:name) instead of "
                                  "nesting [ … ] or ( … ) so deep")


def _check_literals(triples: list[ox.Triple], source: Source) -> None:
    """Refuse a literal holding a control character written as an escape (``\\u0000``)."""
    for t in triples:
        if isinstance(t.object, ox.Literal) and _CONTROL.search(t.object.value):
            char = _CONTROL.search(t.object.value).group()  # type: ignore[union-attr]
            raise InputError(f"a literal of {t.subject} {t.predicate} holds the control "
                             f"character {describe_invisible(char)}", file=str(source.path),
                             case=source.case_id, hint="remove the escape from the text")


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
