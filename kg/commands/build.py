"""``vlmskg build``: build the graph and write ``vlms-kg.trig``, ``vlms-kg.nq`` and ``void.ttl``."""

from __future__ import annotations

import argparse
from pathlib import Path

from kg.building.incremental import build_store
from kg.building.pipeline import build_dataset, write_outputs
from kg.errors import InputError
from kg.resources import case_files

__all__ = ["register", "run", "cases_in", "publications_in"]


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
                        help="read the case files (*.ttl, and *.yaml sheets) from DIR instead "
                             "of the shipped ones")
    parser.add_argument("--skip-reasoner", action="store_true",
                        help="do not run HermiT (no inferred tumour types)")
    parser.add_argument("--store", type=Path, metavar="PATH",
                        help="instead of writing dataset files, build into the on-disk store "
                             "PATH, or bring it up to date: only new or changed cases are "
                             "parsed, validated and classified again (query it with "
                             "`vlmskg query --store PATH`)")
    parser.add_argument("--publications", metavar="DIR",
                        help="more publication files (*.ttl) from DIR, such as a synthetic "
                             "cohort's")
    parser.add_argument("--fast", action="store_true",
                        help="validate with the shapes compiled to SPARQL and classify the "
                             "tumours with the materialiser (both tested to agree with "
                             "pySHACL and HermiT; HermiT classifies the ontology only, and does "
                             "not check the cases for consistency): the same files, in seconds "
                             "where HermiT takes minutes, from a few hundred cases on (--store "
                             "always works this way)")
    parser.set_defaults(run=run)


def cases_in(folder: str | None) -> list[Path] | None:
    """The case files of ``--cases DIR``, or ``None`` for the shipped cases."""
    if folder is None:
        return None
    path = Path(folder)
    if not path.is_dir():
        raise InputError("no such folder", file=folder,
                         hint="give a folder of case files (.ttl or .yaml)")
    files = case_files(path)
    if not files:
        raise InputError("no case files (*.ttl or *.yaml) in this folder", file=folder,
                         hint="give a folder that holds <case-id>.ttl or <case-id>.yaml files")
    return files


def publications_in(folder: str | None) -> list[Path]:
    """The publication files of ``--publications DIR`` (none without it)."""
    if folder is None:
        return []
    publications = sorted(Path(folder).glob("*.ttl"))
    if not publications:
        raise InputError("no publication files (*.ttl) in this folder", file=folder,
                         hint="give the folder that holds the cohort's publication file")
    return publications


def _build_store(args: argparse.Namespace) -> int:
    stats = build_store(args.store, cases_in(args.cases) or case_files(),
                        publications=publications_in(args.publications),
                        reason=not args.skip_reasoner)
    kind = "full build" if stats.full else "incremental update"
    print(f"{kind} of {args.store}: {stats.parsed} file(s) parsed, {stats.validated} validated, "
          f"{stats.classified} classified, {stats.unchanged} unchanged, {stats.removed} removed")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.store is not None:
        return _build_store(args)
    result = build_dataset(cases_in(args.cases), publications=publications_in(args.publications),
                           reason=not args.skip_reasoner, fast=args.fast)
    written = write_outputs(result, args.out)
    sizes = result.graph_sizes()
    print(f"graphs: {len(sizes)}, triples: {result.triples}, cases: {len(result.case_ids)}")
    inferred = sum(result.inferred.values())
    if args.skip_reasoner:
        print("HermiT: skipped (--skip-reasoner)")
    elif result.fast:
        print(f"materialiser (--fast): inferred tumour types: {inferred}; the cases were not "
              "checked for consistency")
    else:
        print(f"HermiT: consistent; inferred tumour types: {inferred}")
    print("wrote " + ", ".join(str(path) for path in written))
    return 0
