"""``vlmskg query NAME``: run one stored query and print its rows."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from kg.errors import ParameterError, UnknownQueryError, did_you_mean
from kg.queries.catalogue import StoredQuery, get_query, list_queries
from kg.queries.run import bind_parameters, run_query
from kg.store import open_store

__all__ = ["register", "run", "parse_params", "printable", "format_rows", "FORMATS"]

FORMATS = ("table", "csv", "tsv", "json")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``query`` sub-command."""
    parser = subparsers.add_parser(
        "query", help="run a stored query",
        description="Run one stored query (see 'vlmskg queries') on the built graph, a store "
                    "folder or a SPARQL endpoint, and print its rows.")
    parser.add_argument("name", help="the stored query, e.g. cohort")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="a query parameter (repeatable)")
    parser.add_argument("--format", choices=FORMATS, default="table",
                        help="output format (default: table)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--endpoint", metavar="URL",
                       help="query this SPARQL endpoint, e.g. http://127.0.0.1:7878/query")
    where.add_argument("--store", metavar="PATH", type=Path,
                       help="query the on-disk store in this folder (made by 'vlmskg build "
                            "--store PATH', or by --create)")
    parser.add_argument("--create", action="store_true",
                        help="with --store: if PATH holds no store yet, create it there and "
                             "load the shipped graph into it")
    parser.set_defaults(run=run)


def parse_params(pairs: Sequence[str]) -> dict[str, str]:
    """``["a=1", "b=x=y"]`` as ``{"a": "1", "b": "x=y"}``.

    >>> parse_params(["structure=right atrium"])
    {'structure': 'right atrium'}
    >>> parse_params(["structure"])
    Traceback (most recent call last):
    ...
    kg.errors.ParameterError: parameter 'structure' has no value (fix: write --param NAME=VALUE)
    """
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"parameter {printable(pair)} has no value",
                                 hint="write --param NAME=VALUE")
        if name.strip() in params:
            raise ParameterError(f"parameter {name.strip()!r} given twice", hint="give it once")
        params[name.strip()] = value
    return params


def printable(text: str, limit: int = 60) -> str:
    r"""``text`` quoted for a message: shortened past ``limit`` characters, with bytes that
    were not UTF-8 (or lone surrogates) written as escapes, so printing it cannot fail.

    >>> printable("right atrium")
    "'right atrium'"
    >>> printable("caf\udce9")
    "'caf\\\\udce9'"
    """
    shown = text if len(text) <= limit else text[:limit] + "…"
    return repr(shown.encode("utf-8", "backslashreplace").decode("utf-8"))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def format_rows(variables: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str) -> str:
    """The rows as ``table``, ``csv``, ``tsv`` or ``json`` text.

    >>> print(format_rows(["case", "age"], [("c1", 60), ("c2", None)], "table"), end="")
    case | age
    -----+----
    c1   | 60
    c2   |
    >>> format_rows(["age"], [(Decimal("24.0"),)], "json")
    '[\\n  {\\n    "age": 24\\n  }\\n]\\n'
    """
    if fmt == "json":
        records = [{v: _json_value(x) for v, x in zip(variables, row, strict=True)}
                   for row in rows]
        return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    cells = [[_text(x) for x in row] for row in rows]
    if fmt in ("csv", "tsv"):
        out = io.StringIO()
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(variables)
        writer.writerows(cells)
        return out.getvalue()
    widths = [max([len(v), *(len(row[i]) for row in cells)]) for i, v in enumerate(variables)]
    lines = [" | ".join(v.ljust(w) for v, w in zip(variables, widths, strict=True)),
             "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _query(name: str) -> StoredQuery:
    try:
        return get_query(name)
    except UnknownQueryError as err:
        names = [q.name for q in list_queries()]
        raise UnknownQueryError(f"no stored query named {printable(name)}."
                                + did_you_mean(name, names),
                                hint="'vlmskg queries' lists them all") from err


def run(args: argparse.Namespace) -> int:
    """Run the query and print its rows; errors are raised for the CLI to print."""
    query = _query(args.name)
    params = parse_params(args.param)
    bind_parameters(query, params)  # refuse bad parameters before building or connecting
    if args.store is None and args.create:
        raise ParameterError("--create applies to --store PATH only",
                             hint="add --store PATH, or drop --create")
    with open_store(endpoint=args.endpoint, path=args.store, create=args.create) as store:
        rows = run_query(query.name, store, **params)
    sys.stdout.write(format_rows(query.variables, rows, args.format))
    return 0
