"""``vlmskg reason``: check ontology and cases with HermiT and list each tumour's inferred types."""

from __future__ import annotations

import argparse

from kg.commands.build import cases_in
from kg.namespaces import CASE, OBO, VLMS
from kg.reasoning.hermit import reason_store
from kg.sources.files import SourceKind, load_sources, project_sources

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "reason", help="classify the tumours with HermiT",
        description="Run HermiT over the ontology and the cases: report whether they are "
                    "consistent and list the types inferred for each tumour.")
    parser.add_argument("--cases", metavar="DIR",
                        help="read the case files (*.ttl, and *.yaml sheets) from DIR instead "
                             "of the shipped ones")
    parser.set_defaults(run=run)


def _curie(iri: str) -> str:
    for prefix, namespace in (("vlms", VLMS), ("obo", OBO)):
        if iri.startswith(str(namespace)):
            return f"{prefix}:{iri.removeprefix(str(namespace))}"
    return iri


def run(args: argparse.Namespace) -> int:
    sources = project_sources(cases_in(args.cases), include_shapes=False)
    store = load_sources(s for s in sources if s.kind in (SourceKind.ONTOLOGY, SourceKind.CASE))
    case_ids = [s.case_id for s in sources if s.case_id]
    types = reason_store(store, case_ids)
    print(f"HermiT: ontology and {len(case_ids)} case(s) consistent")
    for tumour, cls in types:
        print(f"{tumour.removeprefix(str(CASE))}\t{_curie(cls)}")
    return 0
