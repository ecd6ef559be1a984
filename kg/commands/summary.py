"""``vlmskg summary``: Table 1 of the cases (every variable, with how many report it).

Also the options the analysis commands share (``--where``, ``--by``, ``--store``,
``--sparql``) and how they read the records.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kg.analysis.cache import load_records
from kg.analysis.fields import FIELDS, select
from kg.analysis.records import CaseRecord
from kg.analysis.summary import summarise
from kg.commands.query import format_rows
from kg.store import open_store

__all__ = ["register", "run", "add_selection", "selected_records", "FORMATS"]

FORMATS = ("table", "csv", "json")


def add_selection(parser: argparse.ArgumentParser, by: bool = True) -> None:
    """Add ``--where``, ``--by``, ``--store`` and ``--sparql``."""
    names = ", ".join(FIELDS)
    parser.add_argument("--where", action="append", default=[], metavar="FIELD=VALUE",
                        help="keep the cases whose FIELD is VALUE (repeatable; all must hold; "
                             "VALUE|VALUE for either; != to exclude; <, <=, >, >= for numbers; "
                             f"'not reported' for cases without it). Fields: {names}")
    if by:
        parser.add_argument("--by", metavar="FIELD", help="one column (curve) per value of FIELD")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--store", metavar="PATH", type=Path,
                       help="the on-disk store in this folder (built by 'vlmskg build --store'; "
                            "its per-case records are reused)")
    where.add_argument("--sparql", metavar="URL",
                       help="a SPARQL endpoint, e.g. http://127.0.0.1:7878/query")


def selected_records(args: argparse.Namespace) -> list[CaseRecord]:
    """The records of the store the options name, filtered by ``--where``."""
    with open_store(endpoint=args.sparql, path=args.store) as store:
        records = load_records(store)
    return select(records, args.where)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``summary`` sub-command."""
    parser = subparsers.add_parser(
        "summary", help="Table 1 of the cases: every variable, n known / n",
        description="Summarise the cases as the 'Table 1' of a case series: number of cases; "
                    "age (median, IQR, range); sex; vessel; IVC segment; size; grade; growth; "
                    "presentation; misdiagnosis; operation and vascular management; margins; "
                    "neoadjuvant and adjuvant therapy; metastasis; recurrence; follow-up; "
                    "vital status. Each variable shows how many cases report it.")
    add_selection(parser)
    parser.add_argument("--format", choices=FORMATS, default="table",
                        help="output format (default: table)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print Table 1; errors are raised for the CLI to print."""
    table = summarise(selected_records(args), args.by)
    if args.format == "json":
        sys.stdout.write(json.dumps(table.as_dict(), indent=2, ensure_ascii=False) + "\n")
        return 0
    header, rows = table.rows()
    sys.stdout.write(format_rows(header, rows, args.format))
    return 0
