"""``vlmskg export FORMAT --out DIR``: the cases as Phenopackets, a cBioPortal study or FHIR."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg.api import KnowledgeGraph
from kg.exports.run import FORMATS, check_format, export

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``export`` sub-command."""
    parser = subparsers.add_parser(
        "export", help="export cases as Phenopackets, a cBioPortal study or FHIR mCODE",
        description="Write the selected cases into the folder DIR, replacing it whole (a "
                    "failed export leaves it as it was): 'phenopackets' (one GA4GH Phenopacket "
                    "v2 JSON per case and cohort.json), 'cbioportal' (a study folder), 'fhir' "
                    "(one FHIR R4 Bundle per case, mCODE STU4 profiles).")
    parser.add_argument("format", metavar="FORMAT", help=f"one of: {', '.join(FORMATS)}")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="the folder to write (replaced whole)")
    parser.add_argument("--where", action="append", default=[], metavar="FIELD=VALUE",
                        help="keep only the cases that meet this condition (repeatable), as "
                             "for 'vlmskg summary': e.g. vessel-group='inferior vena cava', "
                             "age>=60, margin=R0|R1")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--endpoint", metavar="URL", help="read the graph from this endpoint")
    source.add_argument("--store", metavar="PATH", type=Path,
                        help="read the graph from this on-disk store")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    check_format(args.format)  # before the graph is opened, which may take a while
    with KnowledgeGraph.open(endpoint=args.endpoint, store=args.store) as graph:
        result = export(args.format, graph, args.out, where=args.where)
    print(f"wrote {result.files} files for {len(result.cases)} cases to {result.out}",
          file=sys.stderr)
    return 0
