"""``vlmskg sheets template|import|show``: case sheets for curators.

``template`` writes the spreadsheet template (CSV and XLSX, one row per patient);
``import FILE`` turns a filled one into case sheets (nothing is written unless every row
compiles); ``show CASE-ID`` prints any case, Turtle or sheet, as a sheet.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg.errors import InputError, UnknownCaseError
from kg.resources import case_files, cases_dir
from kg.sheets.case import compile_case
from kg.sheets.loader import SheetError, field_name
from kg.sheets.spreadsheet import COLUMNS, read_rows, row_to_sheet, write_template
from kg.sheets.writer import case_to_sheet, dump_sheet
from kg.sources.files import Source, parse_source

__all__ = ["register", "run_template", "run_import", "run_show"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sheets", help="case sheets: spreadsheet template, import, show a case as a sheet",
        description="Case sheets for curators: a spreadsheet template for bulk entry, its "
                    "import into case sheets, and any case shown as a sheet.")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    template = actions.add_parser("template", help="write the CSV and XLSX template",
                                  description="Write case-sheet-template.csv and .xlsx: one "
                                              "row per patient; row 2 explains each column.")
    template.add_argument("--out", type=Path, default=Path("."), metavar="DIR",
                          help="folder to write into (default: the current folder)")
    template.set_defaults(run=run_template)
    imp = actions.add_parser("import", help="turn a filled template into case sheets",
                             description="Read a filled template (CSV or XLSX) and write one "
                                         "case sheet per row; errors name the row and column, "
                                         "and nothing is written unless every row compiles.")
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--out", type=Path, default=None, metavar="DIR",
                     help="folder for the sheets (default: data/cases)")
    imp.add_argument("--force", action="store_true", help="replace existing case files")
    imp.set_defaults(run=run_import)
    show = actions.add_parser("show", help="print a case as a sheet",
                              description="Print a case (Turtle or sheet) as a case sheet.")
    show.add_argument("case_id", metavar="CASE-ID")
    show.add_argument("--cases", type=Path, default=None, metavar="DIR",
                      help="folder of case files (default: data/cases)")
    show.set_defaults(run=run_show)


def run_template(args: argparse.Namespace) -> int:
    for path in write_template(args.out):
        print(f"wrote {path}")
    return 0


def _column(field: tuple[str | int, ...]) -> str:
    """The template column a sheet field comes from, as far as it can be told."""
    name = field_name(field)
    leaf = [p for p in field if isinstance(p, str)]
    for key in reversed(leaf):
        for column in COLUMNS:
            if key == column or column.startswith(key):
                return column
    return name


def run_import(args: argparse.Namespace) -> int:
    folder = args.out or cases_dir()
    sheets = []
    for number, row in read_rows(args.file):
        sheet = row_to_sheet(row)
        case_id = f"{sheet['publication']}-c{sheet['case number']}"
        try:
            compile_case(sheet, case_id)
        except SheetError as err:
            column = _column(err.field)
            position = list(row).index(column) + 1 if column in row else None
            raise SheetError(f"row {number}, column '{column}': {err.message}",
                             file=str(args.file), line=number, column=position,
                             case=case_id, hint=err.hint) from None
        target = folder / f"{case_id}.yaml"
        if (target.exists() or target.with_suffix(".ttl").exists()) and not args.force:
            raise InputError(f"row {number}: case {case_id} already has a file",
                             file=str(target), case=case_id,
                             hint="remove the row, or give --force to replace the sheet")
        sheets.append((target, sheet))
    folder.mkdir(parents=True, exist_ok=True)
    for target, sheet in sheets:
        tmp = target.with_suffix(".yaml.tmp")
        tmp.write_text(dump_sheet(sheet, header=f"Imported from {args.file.name}. "
                                                 "Left out = not reported."), encoding="utf-8")
        tmp.replace(target)
        print(f"wrote {target}")
    print(f"{len(sheets)} case sheet(s) imported", file=sys.stderr)
    return 0


def run_show(args: argparse.Namespace) -> int:
    files = {p.stem: p for p in case_files(args.cases)}
    if args.case_id not in files:
        from kg.sheets.loader import nearest
        close = nearest(args.case_id, files)
        raise UnknownCaseError(f"no case '{args.case_id}'",
                               hint=f"did you mean {close[0]}?" if close else
                               "vlmskg query cohort lists the cases")
    path = files[args.case_id]
    quads = parse_source(Source.for_case(path))
    header = f"Case {args.case_id}, shown as a sheet from {path.name}."
    if path.suffix == ".ttl":
        header += ("\nA Turtle case can hold more than a sheet shows (descriptions, steps of "
                   "an operation, specimens).")
    sys.stdout.write(dump_sheet(case_to_sheet(quads, args.case_id), header=header))
    return 0
