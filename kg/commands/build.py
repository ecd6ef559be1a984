"""``vlmskg build``: build the graph and write ``vlms-kg.trig``, ``vlms-kg.nq`` and ``void.ttl``."""

from __future__ import annotations

import argparse
from pathlib import Path

from kg.build import build_dataset, write_outputs
from kg.errors import InputError
from kg.resources import case_files

__all__ = ["register", "run", "cases_in"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "build", help="build the graph and write the dataset files",
        description="Parse the ontology, shapes, publications and cases; validate the cases; "
                    "classify the tumours with HermiT; add the query catalogue and the "
                    "VoID/DCAT description; write vlms-kg.trig, vlms-kg.nq and void.ttl. "
                    "Nothing is written unless every step succeeds.")
    parser.add_argument("--out", type=Path, default=Path("dist"), metavar="DIR",
                        help="folder for the dataset files (default: dist)")
    parser.add_argument("--cases", metavar="DIR",
                        help="read the case files (*.ttl) from DIR instead of the shipped ones")
    parser.add_argument("--skip-reasoner", action="store_true",
                        help="do not run HermiT (no inferred tumour types)")
    parser.set_defaults(run=run)


def cases_in(folder: str | None) -> list[Path] | None:
    """The case files of ``--cases DIR``, or ``None`` for the shipped cases."""
    if folder is None:
        return None
    path = Path(folder)
    if not path.is_dir():
        raise InputError("no such folder", file=folder, hint="give a folder of case .ttl files")
    files = case_files(path)
    if not files:
        raise InputError("no case files (*.ttl) in this folder", file=folder,
                         hint="give a folder that holds <case-id>.ttl files")
    return files


def run(args: argparse.Namespace) -> int:
    result = build_dataset(cases_in(args.cases), reason=not args.skip_reasoner)
    written = write_outputs(result, args.out)
    sizes = result.graph_sizes()
    print(f"graphs: {len(sizes)}, triples: {result.triples}, cases: {len(result.case_ids)}")
    if result.reasoned:
        print(f"HermiT: consistent; inferred tumour types: {sum(result.inferred.values())}")
    else:
        print("HermiT: skipped (--skip-reasoner)")
    print("wrote " + ", ".join(str(path) for path in written))
    return 0
