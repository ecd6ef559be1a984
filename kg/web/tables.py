"""The case table: its columns, filters (query-string fields), sorting, paging and CSV.

Filters become the ``--where`` conditions of :func:`kg.analysis.fields.select`, so an
unknown value is refused with the valid ones (:class:`kg.analysis.fields.SelectionError`);
``source`` matches words in the citation, title or identifier.

>>> from kg.analysis.records import CaseRecord
>>> conditions({"sex": "female", "age_min": "60", "margin": ""})
['sex=female', 'age>=60']
>>> conditions({"age_min": "sixty"})
Traceback (most recent call last):
...
kg.errors.ParameterError: age_min must be a number, got 'sixty' (fix: give e.g. age_min=60)
>>> outcome_text(None, 30.0)
'not reported'
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kg.analysis.fields import NOT_REPORTED, SelectionError, select
from kg.analysis.records import CaseRecord
from kg.errors import ParameterError

__all__ = ["COLUMNS", "FILTERS", "PAGE_SIZE", "Column", "Page", "conditions", "filter_cases",
           "sort_cases", "page_of", "cases_csv", "outcome_text", "choices", "source_text"]

#: rows per page of the case table.
PAGE_SIZE = 50


def _join(values: Sequence[str]) -> str:
    return ", ".join(values) if values else NOT_REPORTED


def _number(value: float | int | None) -> str:
    return NOT_REPORTED if value is None else f"{value:g}"


def outcome_text(vital_status: str | None, months: float | None) -> str:
    """The outcome cell: vital status at the last follow-up and when, as reported."""
    if vital_status is None:
        return NOT_REPORTED
    return f"{vital_status} at {months:g} months" if months is not None else vital_status


@dataclass(frozen=True)
class Column:
    """A column of the case table: its key (``sort=``), heading, text and sort value."""

    key: str
    label: str
    text: Callable[[CaseRecord], str]
    sort: Callable[[CaseRecord], Any]


def source_text(record: CaseRecord) -> str:
    """The source as a reader scans it: the citation without web addresses ("Mofti AB et
    al., 1989, doi:…"); the title (shortened) where the citation gives only a year or an
    address."""
    parts = [p for p in (record.citation or "").split(", ")
             if p and not p.startswith(("http://", "https://"))]
    if parts and not (len(parts) == 1 and parts[0].isdigit()):
        return ", ".join(parts)
    title = record.publication_label or record.publication or NOT_REPORTED
    short = title if len(title) <= 70 else title[:67].rstrip() + "…"
    return ", ".join([short, *parts])


COLUMNS: tuple[Column, ...] = (
    Column("source", "Source", source_text, lambda r: source_text(r).lower()),
    Column("age", "Age", lambda r: _number(r.age_years), lambda r: r.age_years),
    Column("sex", "Sex", lambda r: r.sex or NOT_REPORTED, lambda r: r.sex),
    Column("vessel", "Vessel", lambda r: r.vessel or NOT_REPORTED, lambda r: r.vessel),
    Column("segment", "IVC segment", lambda r: _join(r.ivc_segments),
           lambda r: ", ".join(r.ivc_segments) or None),
    Column("size", "Size, cm", lambda r: _number(r.size_cm), lambda r: r.size_cm),
    Column("margin", "Margin", lambda r: r.margin or NOT_REPORTED, lambda r: r.margin),
    Column("management", "Vascular management", lambda r: _join(r.vascular_management),
           lambda r: ", ".join(r.vascular_management) or None),
    Column("outcome", "Outcome", lambda r: outcome_text(r.vital_status, r.follow_up_months),
           lambda r: (r.vital_status, r.follow_up_months or 0.0) if r.vital_status else None),
)
_BY_KEY = {c.key: c for c in COLUMNS}

#: form field → analysis field, for the filters that are chosen from a list.
FILTERS: dict[str, str] = {"sex": "sex", "vessel": "vessel", "segment": "ivc-segment",
                           "margin": "margin", "management": "management",
                           "outcome": "vital-status"}
_RANGES = {"age_min": ("age", ">="), "age_max": ("age", "<="),
           "size_min": ("size", ">="), "size_max": ("size", "<=")}


def conditions(form: Mapping[str, str]) -> list[str]:
    """The ``--where`` conditions of the filled-in filter fields (blank ones ignored)."""
    found = []
    for name, analysis_field in FILTERS.items():
        value = (form.get(name) or "").strip()
        if value:
            if "|" in value:
                raise ParameterError(f"{name} cannot contain '|'", hint="pick one value")
            found.append(f"{analysis_field}={value}")
    for name, (analysis_field, operator) in _RANGES.items():
        value = (form.get(name) or "").strip()
        if value:
            try:
                number = float(value)
            except ValueError:
                raise ParameterError(f"{name} must be a number, got {value!r}",
                                     hint=f"give e.g. {name}=60") from None
            if not math.isfinite(number):
                raise ParameterError(f"{name} must be a finite number, got {value!r}",
                                     hint=f"give e.g. {name}=60")
            found.append(f"{analysis_field}{operator}{number:g}")
    return found


def filter_cases(records: Sequence[CaseRecord], form: Mapping[str, str]) -> list[CaseRecord]:
    """The records meeting every filled-in filter of ``form``; ``source`` is a word search
    over the citation, the title and the case and publication identifiers."""
    chosen = select(records, conditions(form))
    words = (form.get("source") or "").lower().split()
    if words:
        def haystack(r: CaseRecord) -> str:
            return " ".join(filter(None, (r.citation, r.publication_label, r.publication,
                                          r.case_id))).lower()
        chosen = [r for r in chosen if all(w in haystack(r) for w in words)]
    return chosen


def sort_cases(records: Sequence[CaseRecord], key: str | None, descending: bool = False
               ) -> list[CaseRecord]:
    """The records sorted by the column ``key`` (unreported values last either way), then
    by case id; no key keeps the case-id order."""
    if not key:
        return sorted(records, key=lambda r: r.case_id)
    if key not in _BY_KEY:
        raise SelectionError(f"cannot sort by {key!r}",
                             hint="sort by one of: " + ", ".join(_BY_KEY))
    column = _BY_KEY[key]
    ordered = sorted(records, key=lambda r: r.case_id)
    known = [r for r in ordered if column.sort(r) is not None]
    unknown = [r for r in ordered if column.sort(r) is None]
    return sorted(known, key=column.sort, reverse=descending) + unknown


@dataclass(frozen=True)
class Page:
    """One page of rows: its number (from 1), the number of pages and of rows in all."""

    rows: list[CaseRecord]
    number: int
    pages: int
    total: int


def page_of(records: Sequence[CaseRecord], number: str | int | None,
            size: int = PAGE_SIZE) -> Page:
    """Page ``number`` (1 when blank); :class:`ParameterError` for a page that is not a
    whole number or does not exist."""
    pages = max(1, math.ceil(len(records) / size))
    text = str(number).strip() if number is not None else ""
    if not text:
        chosen = 1
    elif not text.isdigit() or not 1 <= int(text) <= pages:
        raise ParameterError(f"there is no page {text!r}",
                             hint=f"give a page from 1 to {pages}")
    else:
        chosen = int(text)
    start = (chosen - 1) * size
    return Page(list(records[start:start + size]), chosen, pages, len(records))


def choices(records: Sequence[CaseRecord], name: str) -> list[str]:
    """The values offered for a list filter: those the records hold (and the model allows),
    then ``not reported``."""
    from kg.analysis.fields import FIELDS

    spec = FIELDS[FILTERS[name]]
    values = {text for r in records for text in spec.texts(r)} | set(spec.choices)
    values.discard(NOT_REPORTED)
    return [*sorted(values, key=str.lower), NOT_REPORTED]


def _safe(text: str) -> str:
    """A cell a spreadsheet will not read as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def cases_csv(records: Sequence[CaseRecord]) -> str:
    """The table as CSV: the case id, each column's text, the follow-up in months."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["case", *(c.label for c in COLUMNS), "Follow-up, months", "Citation"])
    for record in records:
        writer.writerow([record.case_id, *(_safe(c.text(record)) for c in COLUMNS),
                         _number(record.follow_up_months), _safe(record.citation or "")])
    return buffer.getvalue()
