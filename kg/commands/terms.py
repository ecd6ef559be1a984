"""``vlmskg terms WORD [--kind KIND]``: find the ontology term to write in a sheet."""

from __future__ import annotations

import argparse

from kg.sheets.terms import KINDS, Term, term_index

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "terms", help="find ontology terms by label or synonym",
        description="Find ontology terms by label, synonym, CURIE or IRI; show each one's "
                    "CURIE, IRI, definition and the value to write in a sheet. An unknown word "
                    "gets the nearest terms. Exit 1 when nothing is found.")
    parser.add_argument("word", metavar="WORD", nargs="+")
    parser.add_argument("--kind", choices=sorted(KINDS), default=None,
                        help="only terms a sheet field of this kind takes")
    parser.set_defaults(run=run)


def _show(term: Term) -> str:
    lines = [f"{term.label}", f"  write:      {term.label}", f"  CURIE:      {term.curie}",
             f"  IRI:        {term.iri}"]
    if term.synonyms:
        lines.append("  synonyms:   " + ", ".join(dict.fromkeys(term.synonyms)))
    if term.definition:
        lines.append(f"  definition: {term.definition}")
    kinds = [k for k, (_, test) in KINDS.items() if test(term)]
    if kinds:
        lines.append("  kinds:      " + ", ".join(kinds))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    index = term_index()
    word = " ".join(args.word)
    found = index.lookup(word, args.kind)
    if found:
        print("\n".join(_show(t) for t in found))
        return 0
    close = index.nearest(word, args.kind, n=8)
    where = f" among {args.kind} terms" if args.kind else ""
    if not close:
        print(f"no term matches '{word}'{where}; a value the ontology lacks is a request to "
              "the ontology, never free text")
        return 1
    print(f"no term is called '{word}'{where}; the nearest:")
    print("\n".join(_show(t) for t in close))
    return 1
