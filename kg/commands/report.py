"""``vlmskg report --out DIR``: the self-contained HTML report (opens offline)."""

from __future__ import annotations

import argparse
from pathlib import Path

from kg.analysis.cache import load_records
from kg.analysis.fields import SelectionError, select
from kg.analysis.report import write_report
from kg.commands.summary import add_selection
from kg.store import open_store

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``report`` sub-command."""
    parser = subparsers.add_parser(
        "report", help="write a self-contained HTML report of the pooled analysis",
        description="Write DIR/index.html: the summary table, survival figures overall and by "
                    "vessel group, IVC segment, margin and vascular management, the published "
                    "pooled figures beside the graph's estimates, and the case table with "
                    "citations. Figures are inlined: the file opens offline.")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="folder to write index.html into (created if missing)")
    add_selection(parser, by=False)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write the report; errors are raised for the CLI to print."""
    with open_store(endpoint=args.sparql, path=args.store) as store:
        records = select(load_records(store), args.where)
        if not records:
            raise SelectionError("no case to report on: the selection is empty",
                                 hint="loosen or drop the --where conditions")
        path = write_report(store, records, args.out)
    print(f"wrote {path} ({len(records)} cases)")
    return 0
