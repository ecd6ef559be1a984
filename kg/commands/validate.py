"""``vlmskg validate [FILES…]``: check case files against the shapes and print what fails.

Exit status: 0 when every file conforms (Warnings allowed), 1 when a shape is violated,
2 when a file cannot be read; every readable file is still validated.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from kg.errors import InputError
from kg.resources import case_files
from kg.validation.report import compact_text
from kg.validation.validate import ValidationReport, ValidationResult, validate_files

__all__ = ["register", "run", "format_text", "format_json", "result_line", "FORMATS"]

FORMATS = ("text", "json")
_BRACKETED_CURIE = re.compile(r"<([\w-]+:[^<>\s]*)>")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate", help="check case files against the SHACL shapes",
        description="Validate case files (default: every shipped case) against the SHACL "
                    "shapes, one case at a time, and print each Violation and Warning with "
                    "its fix, then each case's completeness. Exit 0: conforms; 1: violations; "
                    "2: a file cannot be read.")
    parser.add_argument("files", nargs="*", type=Path, metavar="FILE",
                        help="case files (Turtle or sheets), publication files, or folders "
                             "of them (default: data/cases)")
    parser.add_argument("--publications", type=Path, metavar="DIR", default=None,
                        help="more publication files (*.ttl) from DIR, beside the shipped ones")
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="output format (default: text)")
    parser.set_defaults(run=run)


def _expand(paths: list[Path]) -> list[Path]:
    """Folders become the case files in them; no paths means the shipped cases. A folder
    without case files is an error: nothing checked must not read as "conforms"."""
    if not paths:
        return case_files()
    files = []
    for path in paths:
        if path.is_dir() and path.suffix != ".ttl":
            found = case_files(path)
            if not found:
                raise InputError("no case files (*.ttl or *.yaml) in this folder",
                                 file=str(path),
                                 hint="give a folder holding <case-id>.ttl or .yaml files, or "
                                      "the files")
            files += found
        else:
            files.append(path)
    return files


def _short(text: str) -> str:
    """IRIs of known namespaces written as CURIEs, without brackets.

    >>> _short("<https://w3id.org/vlmskg/case/x/f> <https://w3id.org/vlmskg/vocab/hasTiming> []")
    'case:x/f vlms:hasTiming []'
    """
    return _BRACKETED_CURIE.sub(r"\1", compact_text(text))


def _shown(file: str) -> str:
    """``file`` relative to the working folder when it lies inside it."""
    path = Path(file)
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else file


def result_line(result: ValidationResult) -> str:
    """One result as the line `vlmskg validate` prints."""
    where = _shown(result.file) + (f": case {result.case}" if result.case else "")
    path = f" {_short(result.path)}" if result.path else ""
    value = f" (value: {_short(result.value)})" if result.value and result.path else ""
    return (f"{where}: {result.severity}: {_short(result.focus)}{path}{value}: "
            f"{result.message} [{_short(result.shape)}]")


def format_text(report: ValidationReport) -> str:
    """The report as lines a person reads: one per result, then completeness and a summary.

    >>> print(format_text(ValidationReport(files=["a.ttl"], completeness={"a": 1.0})))
    completeness:
      a  1.00
    1 file(s): 0 violation(s), 0 warning(s), 0 unreadable: conforms
    """
    lines = [result_line(r) for r in report.results]
    if report.completeness:
        lines.append("completeness:")
        width = max(len(case) for case in report.completeness)
        lines += [f"  {case:<{width}}  {score:.2f}"
                  for case, score in sorted(report.completeness.items())]
    verdict = "conforms" if report.conforms else "does not conform"
    lines.append(f"{len(report.files)} file(s): {len(report.violations)} violation(s), "
                 f"{len(report.warnings)} warning(s), {len(report.errors)} unreadable: {verdict}")
    return "\n".join(lines)


def format_json(report: ValidationReport) -> str:
    """The report as JSON with stable keys and order."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False)


_CASE_ID = re.compile(r".+-c\d+$")
_CASE_TYPE = re.compile(r"\ba\s+vlms:Case\b|vocab/Case>")
_ARTICLE_TYPE = re.compile(r"obo:IAO_0000013\b|obo/IAO_0000013>")


def is_publication_file(path: Path) -> bool:
    """A publication file given on its own: in a ``publications`` folder, or a Turtle file
    whose name is not a case id (``<publication>-c<N>``) and whose text types a journal
    article (``obo:IAO_0000013``) and no case. Anything else is read as a case file, so a
    broken or empty case file is reported as a case.

    >>> is_publication_file(Path("data/publications/x.ttl")), is_publication_file(Path("a-c1.ttl"))
    (True, False)
    """
    if path.parent.name == "publications":
        return True
    if path.suffix != ".ttl" or _CASE_ID.match(path.stem) or not path.is_file():
        return False
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return bool(_ARTICLE_TYPE.search(text)) and not _CASE_TYPE.search(text)


def _publications(extra: Path | None, given: list[Path]) -> list[Path]:
    """The shipped publications, those of ``--publications``, and publication files given
    as arguments (each replacing a shipped one of the same id)."""
    from kg.resources import publication_files
    chosen = {p.stem: p for p in publication_files()}
    if extra is not None:
        if not extra.is_dir():
            raise InputError("no such folder", file=str(extra),
                             hint="give a folder of publication files")
        chosen.update({p.stem: p for p in sorted(extra.glob("*.ttl"))})
    chosen.update({p.stem: p for p in given})
    return list(chosen.values())


def run(args: argparse.Namespace) -> int:
    paths = _expand(args.files)
    given = [p for p in paths if is_publication_file(p)]
    cases = [p for p in paths if p not in given]
    report = validate_files(cases, publications=_publications(args.publications, given))
    unreadable = {e.file for e in report.errors}
    report.files = [f for f in report.files if f not in unreadable]
    for error in report.errors:
        print(f"vlmskg validate: error: {error}", file=sys.stderr)
    print(format_json(report) if args.format == "json" else format_text(report))
    return report.exit_code
