"""``vlmskg new-case PUBLICATION-ID N``: write a commented case-sheet skeleton."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from kg.errors import InputError
from kg.resources import cases_dir
from kg.sheets.skeleton import skeleton

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "new-case", help="write a commented case-sheet skeleton",
        description="Write data/cases/<publication>-c<N>.yaml: every field commented out with "
                    "what it takes. Uncomment what the source states, then vlmskg validate.")
    parser.add_argument("publication", metavar="PUBLICATION-ID")
    parser.add_argument("number", type=int, metavar="N", help="the case's number in the source")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="folder to write into (default: data/cases)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", args.publication):
        raise InputError(f"'{args.publication}' is not a publication id",
                         hint="use lower-case letters, digits and '-', e.g. smith-2020-ivc")
    if args.number < 1:
        raise InputError(f"case number {args.number} is not positive", hint="number cases from 1")
    folder = args.out or cases_dir()
    target = folder / f"{args.publication}-c{args.number}.yaml"
    if target.exists() or target.with_suffix(".ttl").exists():
        raise InputError("the case already has a file", file=str(target),
                         hint="edit that file, or choose another case number")
    folder.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".yaml.tmp")
    tmp.write_text(skeleton(args.publication, args.number), encoding="utf-8")
    tmp.replace(target)
    print(f"wrote {target}")
    return 0
