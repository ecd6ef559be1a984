"""``vlmskg synth --cases N --seed S --out DIR``: write a synthetic cohort for load tests."""

from __future__ import annotations

import argparse
from pathlib import Path

from kg.synth import Hazard, write_cohort

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "synth", help="write a synthetic cohort of made-up cases for load tests",
        description="Draw N made-up cases (typed vlms:SyntheticCase) that pass the shapes, with "
                    "the vessel of origin weighted by the frequency ranking the publications "
                    "state, and write them to DIR/cases/ with their made-up publication in "
                    "DIR/publications/. The same seed always gives the same files. DIR must not "
                    "be inside the project's data/ folder.")
    parser.add_argument("--cases", type=int, required=True, metavar="N",
                        help="how many cases to draw")
    parser.add_argument("--seed", type=int, default=0, metavar="S",
                        help="random seed (default: 0)")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="folder to write (new, empty, or an earlier synthetic cohort)")
    parser.add_argument("--five-year-survival", type=float, metavar="P",
                        help="draw follow-up and deaths from an exponential hazard with this "
                             "survival at 5 years (0 < P < 1), censored uniformly up to "
                             "--max-follow-up months")
    parser.add_argument("--max-follow-up", type=float, default=120.0, metavar="MONTHS",
                        help="longest censoring time with --five-year-survival (default: 120)")
    parser.add_argument("--format", choices=("turtle", "sheet"), default="turtle",
                        dest="form", help="write the cases as Turtle (default) or as case "
                                          "sheets (.yaml)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    hazard = (Hazard(args.five_year_survival, args.max_follow_up)
              if args.five_year_survival is not None else None)
    cohort = write_cohort(args.out, args.cases, args.seed, hazard, form=args.form)
    print(f"wrote {len(cohort.case_files)} synthetic cases to {cohort.cases_dir} and their "
          f"publication to {cohort.publication_file}")
    return 0
