"""``vlmskg queries``: list the stored queries, or export the catalogue as Turtle."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kg.errors import InputError
from kg.queries.catalogue import export_catalogue, list_queries

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``queries`` sub-command."""
    parser = subparsers.add_parser(
        "queries", help="list the stored queries or export their catalogue",
        description="List the stored SPARQL queries with their parameters, or export the "
                    "catalogue as Turtle (sh:SPARQLSelectExecutable, one per query).")
    parser.add_argument("--export", nargs="?", const="-", metavar="FILE",
                        help="write the catalogue as Turtle to FILE (standard output if omitted)")
    parser.set_defaults(run=run)


def _listing() -> str:
    lines = []
    for query in list_queries():
        lines.append(f"{query.name}: {query.summary}")
        for param in query.params:
            default = " (required)" if param.required else f" (default: {param.default})"
            lines.append(f"    --param {param.name}=<{param.type}>{default} {param.description}")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    """Print the listing, or write the Turtle catalogue; nothing is written on error."""
    if args.export is None:
        sys.stdout.write(_listing())
        return 0
    turtle = export_catalogue()
    if args.export == "-":
        sys.stdout.write(turtle)
        return 0
    target = Path(args.export)
    partial = target.with_name(target.name + ".part")
    try:
        partial.write_text(turtle, encoding="utf-8")
        os.replace(partial, target)
    except OSError as err:
        partial.unlink(missing_ok=True)
        raise InputError(f"cannot write the catalogue: {err.strerror}", file=str(target),
                         hint="choose a writable path") from err
    print(f"wrote {len(list_queries())} queries to {target}", file=sys.stderr)
    return 0
