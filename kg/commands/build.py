"""``vlmskg build``: build the graph and write ``vlms-kg.trig``, ``vlms-kg.nq`` and ``void.ttl``."""

from __future__ import annotations

import argparse
from pathlib import Path

from kg.build import build_dataset, write_outputs
from kg.errors import InputError
from kg.incremental import build_store
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
    parser.add_argument("--store", type=Path, metavar="PATH",
                        help="instead of writing dataset files, build into the on-disk store "
                             "PATH, or bring it up to date: only new or changed cases are "
                             "parsed, validated and classified again (query it with "
                             "`vlmskg query --store PATH`)")
    parser.add_argument("--publications", metavar="DIR",
                        help="with --store: more publication files (*.ttl) from DIR, such as "
                             "a synthetic cohort's")
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


def _build_store(args: argparse.Namespace) -> int:
    publications = sorted(Path(args.publications).glob("*.ttl")) if args.publications else []
    if args.publications and not publications:
        raise InputError("no publication files (*.ttl) in this folder", file=args.publications,
                         hint="give the folder that holds the cohort's publication file")
    stats = build_store(args.store, cases_in(args.cases) or case_files(),
                        publications=publications, reason=not args.skip_reasoner)
    kind = "full build" if stats.full else "incremental update"
    print(f"{kind} of {args.store}: {stats.parsed} file(s) parsed, {stats.validated} validated, "
          f"{stats.classified} classified, {stats.unchanged} unchanged, {stats.removed} removed")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.store is not None:
        return _build_store(args)
    if args.publications:
        raise InputError("--publications works with --store only", file=args.publications,
                         hint="add --store PATH, or leave out --publications")
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
