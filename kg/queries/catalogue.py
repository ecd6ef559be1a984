"""The catalogue of stored SPARQL queries (``queries/*.rq``).

Each file is one question. A grlc-style header of ``#+`` comment lines (so the file stays
valid SPARQL) gives its summary, description, tags, lists, lines and parameters::

    #+ summary: One row per case
    #+ tags:
    #+   - cohort
    #+ lists:
    #+   - margin
    #+ lines:
    #+   - curationNote
    #+ params:
    #+   - name: structure
    #+     type: string
    #+     default: inferior vena cava
    #+     description: a label or IRI

A parameter ``structure`` appears in the query as the variable ``?_structure``; it is
bound as an RDF term by the store (a ``VALUES`` block opened at the start of the WHERE
clause), never pasted into the query text. So a parameter variable belongs in the
top-level group of the WHERE clause (its triple patterns, ``FILTER``s and ``BIND``s), not
inside a sub-query, which would not see it. Parameters are not among the result
``variables`` even when a query projects them.

``lists`` names the result variables whose values are items joined with ``"; "``
(``GROUP_CONCAT``): SPARQL leaves the order of a ``GROUP_CONCAT`` to the engine (Virtuoso
does not always keep the order of a sorted sub-select), so :func:`kg.queries.run.run_query`
sorts their items, and every server gives the same text. ``lines`` does the same for free
text, which may hold ``"; "`` itself: its items are joined with a line break (the shapes keep
notes and source locations on one line).

>>> catalogue = load_catalogue()
>>> "cohort" in catalogue
True
>>> [p.name for p in catalogue["cases-involving-structure"].params]
['structure']
>>> "sh:SPARQLSelectExecutable" in export_catalogue()
True
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH

from kg import resources
from kg.errors import InputError, UnknownQueryError
from kg.namespaces import BASE
from kg.store.sparql import query_variables

__all__ = [
    "PARAMETER_TYPES",
    "QUERY",
    "Parameter",
    "StoredQuery",
    "parse_query_file",
    "load_catalogue",
    "get_query",
    "list_queries",
    "export_catalogue",
]

QUERY = Namespace(BASE + "query/")
SCHEMA = Namespace("https://schema.org/")
PARAMETER_TYPES = ("string", "iri", "integer", "decimal", "boolean")
PARAMETER_PREFIX = "_"

_HEADER = re.compile(r"^#\+ ?(.*)$")
_KEY = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9_]*):(?:\s+(?P<value>.*))?$")
_TOP_KEYS = ("summary", "description", "tags", "lists", "lines", "params")
_PARAM_KEYS = ("name", "type", "default", "description")
_RESERVED = ("name", "store")


@dataclass(frozen=True)
class Parameter:
    """One declared parameter: bound to the variable ``?_<name>``."""

    name: str
    type: str = "string"
    default: str | None = None
    description: str = ""

    @property
    def variable(self) -> str:
        """The query variable (without ``?``) that carries this parameter."""
        return PARAMETER_PREFIX + self.name

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class StoredQuery:
    """One stored query: its header fields, SPARQL text and result variables (the projected
    variables other than the parameters)."""

    name: str
    path: Path
    summary: str
    description: str
    sparql: str
    variables: tuple[str, ...]
    tags: tuple[str, ...] = ()
    params: tuple[Parameter, ...] = field(default=())
    lists: tuple[str, ...] = ()
    """Result variables whose values are items joined with ``"; "``, sorted by the client."""
    lines: tuple[str, ...] = ()
    """Result variables whose values are free-text items joined with line breaks, sorted by
    the client."""

    @property
    def iri(self) -> URIRef:
        return QUERY[self.name]

    @property
    def defaults(self) -> dict[str, str] | None:
        """The parameter values it runs with when none is given; ``None`` when a parameter
        has no default (a value must be given).

        >>> get_query("cohort").defaults, get_query("provenance-of-fact").defaults
        ({}, None)
        """
        if any(p.default is None for p in self.params):
            return None
        return {p.name: str(p.default) for p in self.params}

    @property
    def body(self) -> str:
        """The SPARQL text without the ``#+`` header lines."""
        lines = self.sparql.splitlines()
        return "\n".join(line for line in lines if not _HEADER.match(line)).strip() + "\n"


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _header_lines(text: str) -> Iterator[tuple[int, str]]:
    """The ``#+`` lines at the top of the file, with 1-based line numbers."""
    for number, line in enumerate(text.splitlines(), start=1):
        match = _HEADER.match(line)
        if match:
            yield number, match.group(1).rstrip()
        elif line.strip() and not line.lstrip().startswith("#"):
            return


def _parse_header(text: str, path: Path) -> dict[str, Any]:
    """Parse the YAML subset used by grlc headers: scalars, lists, lists of mappings."""
    header: dict[str, Any] = {}
    key: str | None = None
    item: dict[str, str] | None = None
    item_key: str | None = None

    def fail(line: int, message: str, hint: str) -> InputError:
        return InputError(message, file=str(path), line=line, hint=hint)

    for number, line in _header_lines(text):
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        content = line.strip()
        if indent == 0:
            match = _KEY.match(content)
            if not match or match.group("key") not in _TOP_KEYS:
                raise fail(number, f"unexpected header line {content!r}",
                           f"use one of the keys {', '.join(_TOP_KEYS)}")
            key, item, item_key = match.group("key"), None, None
            value = match.group("value")
            header[key] = _unquote(value) if value and value.strip() != ">" else (
                "" if key in ("summary", "description") else [])
        elif key in ("summary", "description") and isinstance(header[key], str):
            header[key] = f"{header[key]} {content}".strip()
        elif key in ("tags", "lists", "lines", "params") and content.startswith("- "):
            entry = content[2:].strip()
            if key in ("tags", "lists", "lines"):
                header[key].append(_unquote(entry))
                continue
            match = _KEY.match(entry)
            if not match:
                raise fail(number, f"a parameter must start with 'name:', not {entry!r}",
                           "write '- name: <parameter>'")
            item = {match.group("key"): _unquote(match.group("value") or "")}
            item_key = match.group("key")
            header[key].append(item)
        elif key == "params" and item is not None:
            match = _KEY.match(content)
            if match and match.group("key") in _PARAM_KEYS:
                item_key = match.group("key")
                item[item_key] = _unquote(match.group("value") or "")
            elif item_key == "description":
                item["description"] = f"{item['description']} {content}".strip()
            else:
                raise fail(number, f"unexpected parameter field {content!r}",
                           f"use the fields {', '.join(_PARAM_KEYS)}")
        else:
            raise fail(number, f"cannot read header line {content!r}",
                       "indent list items under 'tags:', 'lists:', 'lines:' or 'params:' as "
                       "'  - value'")
    return header


def _parameters(raw: list[dict[str, str]], path: Path) -> tuple[Parameter, ...]:
    params = []
    for entry in raw:
        name, kind = entry.get("name", ""), entry.get("type", "string")
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
            raise InputError(f"bad parameter name {name!r}", file=str(path),
                             hint="use letters, digits and '_' starting with a letter")
        if name in _RESERVED:
            raise InputError(f"parameter name {name!r} is reserved", file=str(path),
                             hint="run_query(name, store, **params) takes these; rename it")
        if kind not in PARAMETER_TYPES:
            raise InputError(f"parameter {name!r} has unknown type {kind!r}", file=str(path),
                             hint=f"use one of {', '.join(PARAMETER_TYPES)}")
        params.append(Parameter(name, kind, entry.get("default"), entry.get("description", "")))
    return tuple(params)


def parse_query_file(path: Path) -> StoredQuery:
    """Read one ``.rq`` file; :class:`InputError` if its header or SPARQL is broken,
    or if its declared parameters and its ``?_`` variables disagree."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read query: {err}", file=str(path),
                         hint="save the query as UTF-8 text") from err
    header = _parse_header(text, path)
    if not header.get("summary"):
        raise InputError("the header has no summary", file=str(path), line=1,
                         hint="start the file with '#+ summary: <one line>'")
    try:  # parse (and run on an empty store, which costs nothing) with oxigraph
        parsed = ox.Store().query(text)
    except SyntaxError as err:
        raise InputError(f"broken SPARQL: {err}", file=str(path),
                         hint="correct the query; the position is counted from line 1") from err
    if not isinstance(parsed, ox.QuerySolutions):
        raise InputError("a stored query must be a SELECT query", file=str(path),
                         hint="rewrite it as SELECT")
    params = _parameters(header.get("params", []), path)
    used = {v for v in query_variables(text) if v.startswith(PARAMETER_PREFIX)}
    declared = {p.variable for p in params}
    if used - declared:
        undeclared = ", ".join(sorted("?" + v for v in used - declared))
        raise InputError(f"variables {undeclared} look like parameters but are not declared",
                         file=str(path), hint="declare them under '#+ params:' or rename them")
    if declared - used:
        unused = ", ".join(sorted(v[1:] for v in declared - used))
        raise InputError(f"declared parameters {unused} are not used in the query",
                         file=str(path), hint="use them as ?_<name> or remove them")
    projected = [v.value for v in parsed.variables]
    joined = {key: tuple(header.get(key, [])) for key in ("lists", "lines")}
    for key, names in joined.items():
        if set(names) - set(projected):
            unknown = ", ".join(sorted(set(names) - set(projected)))
            raise InputError(f"{key} {unknown} are not result variables of the query",
                             file=str(path), hint=f"name projected variables under '#+ {key}:'")
    return StoredQuery(
        name=path.stem,
        path=path,
        summary=header["summary"],
        description=header.get("description", ""),
        sparql=text,
        variables=tuple(v for v in projected if v not in declared),
        tags=tuple(header.get("tags", [])),
        params=params,
        lists=joined["lists"],
        lines=joined["lines"],
    )


@lru_cache(maxsize=8)
def _load(folder: Path) -> dict[str, StoredQuery]:
    return {path.stem: parse_query_file(path) for path in sorted(folder.glob("*.rq"))}


def load_catalogue(folder: Path | None = None) -> dict[str, StoredQuery]:
    """Every stored query in ``folder`` (default: the shipped ``queries/``), by name."""
    return dict(_load(Path(folder or resources.queries_dir()).resolve()))


def list_queries(folder: Path | None = None) -> list[StoredQuery]:
    """The stored queries sorted by name."""
    return list(load_catalogue(folder).values())


def get_query(name: str, folder: Path | None = None) -> StoredQuery:
    """The stored query ``name``; :class:`UnknownQueryError` listing the names otherwise."""
    catalogue = load_catalogue(folder)
    if name not in catalogue:
        raise UnknownQueryError(f"no stored query named {name!r}",
                                hint=f"use one of: {', '.join(catalogue)}")
    return catalogue[name]


def export_catalogue(folder: Path | None = None) -> str:
    """The catalogue as Turtle, one ``sh:SPARQLSelectExecutable`` per query (the
    convention of the SIB sparql-examples), each named ``https://w3id.org/vlmskg/query/<name>``."""
    graph = Graph()
    for prefix, namespace in (("sh", SH), ("schema", SCHEMA), ("query", QUERY)):
        graph.bind(prefix, namespace)
    for query in list_queries(folder):
        node = query.iri
        graph.add((node, RDF.type, SH.SPARQLExecutable))
        graph.add((node, RDF.type, SH.SPARQLSelectExecutable))
        graph.add((node, RDFS.label, Literal(query.summary, lang="en")))
        comment = query.description or query.summary
        if query.params:
            listed = "; ".join(f"{p.name} ({p.type}" + (f", default {p.default!r}"
                                                         if p.default is not None else "")
                               + f"): {p.description}" for p in query.params)
            comment = f"{comment} Parameters: {listed}."
        graph.add((node, RDFS.comment, Literal(comment, lang="en")))
        graph.add((node, SH.select, Literal(query.body)))
        for tag in query.tags:
            graph.add((node, SCHEMA.keywords, Literal(tag)))
    return graph.serialize(format="turtle")
