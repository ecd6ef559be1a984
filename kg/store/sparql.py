"""SPARQL text both backends share: binding values into a query, counting the project's graphs.

Bindings become a ``VALUES`` block opened at the start of the query's outermost group,
so triple patterns, ``FILTER``s and ``BIND``s of that group see them, and their terms are
written by :func:`kg.store.terms.sparql_term` (checked IRIs, escaped literals), never
pasted as raw text.

>>> from rdflib import Literal
>>> print(bind_values('SELECT ?case WHERE { ?case ?p ?_age }', {"_age": Literal(72)}))
SELECT ?case WHERE { VALUES (?_age) { ("72"^^<http://www.w3.org/2001/XMLSchema#integer>) } \
?case ?p ?_age }
>>> query_variables('SELECT ?a WHERE { ?a <http://x/p?q> "?b" } # ?c')
{'a'}
"""

from __future__ import annotations

import re

from kg.errors import ParameterError, QueryError
from kg.namespaces import BASE
from kg.store.base import Bindings, Row
from kg.store.terms import sparql_term

__all__ = ["GRAPH_SIZES", "bind_values", "query_variables", "sizes_from_rows"]

GRAPH_SIZES = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
               f'FILTER(STRSTARTS(STR(?g), "{BASE}")) }} GROUP BY ?g')
"""Triple count of every named graph in the project's namespace, as rows ``g``, ``n`` (a
server's own graphs, such as Virtuoso's, and other data it holds are left out)."""


def sizes_from_rows(rows: list[Row]) -> dict[str, int]:
    """The answer to :data:`GRAPH_SIZES` as graph IRI → triple count."""
    return {str(row["g"]): int(str(row["n"])) for row in rows}

_VARNAME = r"[A-Za-z0-9_\u00B7\u00C0-\uFFFF]+"
# Comments, strings and IRIs are matched whole, so a brace or "?" inside them is skipped.
_TOKENS = re.compile(
    r"""(?P<comment>\#[^\n]*)
      | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                  |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<var>[?$]""" + _VARNAME + r""")
      | (?P<brace>\{)""",
    re.VERBOSE | re.DOTALL,
)


def _scan(sparql: str) -> tuple[int | None, set[str]]:
    """Position of the first ``{`` outside strings, IRIs and comments; the variables used."""
    first, variables = None, set()
    for match in _TOKENS.finditer(sparql):
        if match.lastgroup == "var":
            variables.add(match.group()[1:])
        elif match.lastgroup == "brace" and first is None:
            first = match.start()
    return first, variables


def query_variables(sparql: str) -> set[str]:
    """Names of the variables a query mentions (outside strings, IRIs and comments)."""
    return _scan(sparql)[1]


def bind_values(sparql: str, bindings: Bindings | None) -> str:
    """``sparql`` with ``bindings`` (variable name → rdflib term) as a leading ``VALUES`` block.

    Raises :class:`ParameterError` for a name that is not a variable of the query or a
    term that cannot be written safely, :class:`QueryError` for a query without a group.
    """
    if not bindings:
        return sparql
    brace, variables = _scan(sparql)
    for name in bindings:
        if not re.fullmatch(_VARNAME, name):
            raise ParameterError(f"{name!r} is not a SPARQL variable name",
                                 hint="give the name without '?', e.g. _case")
        if name not in variables:
            raise ParameterError(f"the query has no variable ?{name} to bind",
                                 hint=f"use ?{name} in the query or drop the binding")
    if brace is None:
        raise QueryError("cannot bind values: the query has no group pattern { ... }",
                         hint="write the query as SELECT ... WHERE { ... }")
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(sparql_term(term) for term in bindings.values())
    block = f" VALUES ({names}) {{ ({terms}) }} "
    return sparql[: brace + 1] + block + sparql[brace + 1 :].lstrip(" ")
