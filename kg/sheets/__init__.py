"""Sheets: the curators' way in. A case sheet (``data/cases/<case-id>.yaml``) is a short
YAML file in a clinician's words; this package reads it, checks it, resolves its words to
ontology terms and compiles it into the same case named graph a hand-written Turtle case
gives, so that validation, reasoning, queries, the API and the loaders work on it unchanged.

Takes sheet files (or filled spreadsheets); gives quads of one case graph, or a
:class:`SheetError` (an :class:`kg.errors.InputError`) naming file, line, field and fix.
Back the other way, :mod:`kg.sheets.writer` prints any case graph as a sheet.

Modules: :mod:`~kg.sheets.loader` (YAML with positions, errors), :mod:`~kg.sheets.terms`
(labels, synonyms and CURIEs to terms), :mod:`~kg.sheets.timing` (``"about 2 years"``),
:mod:`~kg.sheets.case` (sheet to graph), :mod:`~kg.sheets.writer` (graph to sheet),
:mod:`~kg.sheets.spreadsheet` (CSV/XLSX template and import), :mod:`~kg.sheets.skeleton`
(a commented new sheet).
"""

from kg.sheets.loader import SheetError, load_sheet
from kg.sheets.terms import Term, TermIndex, term_index

__all__ = ["SheetError", "load_sheet", "Term", "TermIndex", "term_index"]
