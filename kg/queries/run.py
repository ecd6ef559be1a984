"""Run a stored query against a store and get typed rows back.

Each query gets a named-tuple row type (:func:`row_type`) whose fields are the query's
result variables, in order. Values are converted to Python: ``xsd:integer`` and its subtypes to
``int``, ``xsd:decimal`` to ``Decimal``, ``xsd:double``/``xsd:float`` to ``float``,
``xsd:boolean`` to ``bool``, other literals to their lexical ``str``; IRIs become plain
``str`` (the full IRI) and blank nodes ``"_:<id>"``; an unbound variable is ``None``.

Parameters arrive as strings (from the command line) or Python values, are checked
against the declared type, and are bound as RDF terms by the store, never pasted into
the query text.

>>> bind_parameters(get_query("cases-involving-structure"), {"structure": "right atrium"})
{'_structure': rdflib.term.Literal('right atrium')}
>>> bind_parameters(get_query("provenance-of-fact"), {"node": "not an iri"})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
kg.errors.ParameterError: parameter 'node': IRI 'not an iri' contains ' ', ...
>>> to_python(Literal("4.0", datatype=XSD.decimal))
Decimal('4.0')
"""

from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any

from rdflib import Literal, Namespace, URIRef
from rdflib.term import Node

from kg.errors import ParameterError, did_you_mean
from kg.queries.catalogue import Parameter, StoredQuery, export_catalogue, get_query, list_queries
from kg.store.base import Store
from kg.store.terms import check_iri, to_python

__all__ = ["run_query", "sorted_items", "LIST_SEPARATOR", "LINE_SEPARATOR", "row_type",
           "bind_parameters", "to_python", "list_queries", "export_catalogue",
           "MAX_PARAMETER_LENGTH"]

XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # plain: rdflib's XSD upsets doctest
_EXAMPLE_IRI = "https://w3id.org/vlmskg/case/lms-ivc-two-cases-c1/tumour"


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", name) if part)


@cache
def _row_type(name: str, variables: tuple[str, ...]) -> type[tuple[Any, ...]]:
    return namedtuple(f"{_camel(name)}Row", variables)


def row_type(query: StoredQuery) -> type[tuple[Any, ...]]:
    """The named-tuple class of ``query``'s rows: one field per result variable, in order.

    >>> row_type(get_query("time-to-event"))._fields[:3]
    ('caseId', 'months', 'event')
    """
    return _row_type(query.name, query.variables)


#: the longest parameter value accepted, in characters: a name, a number or a few words.
MAX_PARAMETER_LENGTH = 2000
#: what joins the items of a value listed under a query's ``lists``.
LIST_SEPARATOR = "; "
#: what joins the items of a value listed under a query's ``lines`` (free text).
LINE_SEPARATOR = "\n"


def _checked_text(param: Parameter, value: Any) -> str:
    """``value`` as text, refused when it is not valid Unicode (bytes that were not UTF-8 on
    the command line, or a lone surrogate) or longer than :data:`MAX_PARAMETER_LENGTH`."""
    text = str(value).strip() if not isinstance(value, bool) else str(value).lower()
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        code = ord(text[err.start])
        what = (f"the byte 0x{code - 0xDC00:02x}, which is not UTF-8" if 0xDC80 <= code <= 0xDCFF
                else f"U+{code:04X}, half of a surrogate pair")
        raise ParameterError(
            f"parameter {param.name!r} is not valid text: character {err.start + 1} is {what}",
            hint="give the value in UTF-8 (check the terminal's encoding)") from err
    if len(text) > MAX_PARAMETER_LENGTH:
        raise ParameterError(f"parameter {param.name!r} is {len(text)} characters long, more "
                             f"than the {MAX_PARAMETER_LENGTH} accepted",
                             hint="give a name, a number or a few words")
    return text


def _term(param: Parameter, value: Any) -> Node:
    """``value`` as the RDF term of ``param``'s declared type."""
    text = _checked_text(param, value)
    if param.type == "iri":
        try:
            return URIRef(check_iri(text))
        except ParameterError as err:
            raise ParameterError(f"parameter {param.name!r}: {err.message}",
                                 hint=f"give a full IRI such as {_EXAMPLE_IRI}") from err
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?\d+", text):
            raise ParameterError(f"parameter {param.name!r} must be an integer, got {value!r}",
                                 hint="give digits only, e.g. 12")
        return Literal(int(text), datatype=XSD.integer)
    if param.type == "decimal":
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
            raise ParameterError(f"parameter {param.name!r} must be a decimal, got {value!r}",
                                 hint="give a number such as 5 or 2.5")
        return Literal(Decimal(text), datatype=XSD.decimal)
    if param.type == "boolean":
        if text not in ("true", "false"):
            raise ParameterError(f"parameter {param.name!r} must be true or false, got {value!r}",
                                 hint="give true or false")
        return Literal(text == "true", datatype=XSD.boolean)
    if not text and param.default is not None and str(param.default).strip():
        # blank means "all" only where the query says so by making it the default
        raise ParameterError(f"parameter {param.name!r} is empty: it would match everything",
                             hint=f"give the words to look for, e.g. {param.default!r}")
    return Literal(text)  # stripped: surrounding spaces are never meant


def bind_parameters(query: StoredQuery, params: Mapping[str, Any]) -> dict[str, Node]:
    """The variable bindings for ``params`` plus the defaults of those not given.

    Raises :class:`ParameterError` for an unknown parameter (listing the declared ones),
    a missing required one, a value of the wrong form, or a blank text where blank is
    not the default.
    """
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(params) - set(declared))
    if unknown:
        listed = ", ".join(declared) or "none"
        shown = ", ".join(repr(n.encode("utf-8", "backslashreplace").decode()[:60])
                          for n in unknown)
        raise ParameterError(
            f"query {query.name!r} has no parameter {shown}."
            + "".join(did_you_mean(n, declared) for n in unknown),
            hint=f"its parameters are: {listed}")
    bindings = {}
    for name, param in declared.items():
        value = params.get(name, param.default)
        if value is None:
            raise ParameterError(f"query {query.name!r} needs the parameter {name!r}",
                                 hint=f"give it as --param {name}=<{param.type}>")
        bindings[param.variable] = _term(param, value)
    return bindings


def run_query(name: str, store: Store, **params: Any) -> list[Any]:
    """Run the stored query ``name`` on ``store``; one typed row per solution.

    Raises :class:`kg.errors.UnknownQueryError` (listing the names) for an unknown
    query and :class:`ParameterError` for bad parameters.
    """
    query = get_query(name)
    bindings = bind_parameters(query, params)
    make = row_type(query)
    separators = {**{v: LIST_SEPARATOR for v in query.lists},
                  **{v: LINE_SEPARATOR for v in query.lines}}
    joined = [(i, separators[v]) for i, v in enumerate(query.variables) if v in separators]
    rows = store.select_values(query.sparql, query.variables, bindings or None)
    result = []
    for values in rows:
        cells = list(values)
        for i, separator in joined:
            cells[i] = sorted_items(cells[i], separator)
        result.append(make(*cells))
    return result


def sorted_items(value: Any, separator: str = LIST_SEPARATOR) -> Any:
    r"""A ``separator``-joined text with its items sorted (code point order, as SPARQL's
    ``ORDER BY`` compares strings); an empty text, a list of no items, as ``None`` (Virtuoso
    gives ``""`` for the ``GROUP_CONCAT`` of nothing but unbound values, Oxigraph and Jena
    leave it unbound); any other value as it is.

    >>> sorted_items("lung; liver"), sorted_items(None), sorted_items("")
    ('liver; lung', None, None)
    >>> sorted_items("p. 2; Fig. 1\nabstract", LINE_SEPARATOR)
    'abstract\np. 2; Fig. 1'
    """
    if value == "":
        return None
    if not isinstance(value, str) or separator not in value:
        return value
    return separator.join(sorted(value.split(separator)))
