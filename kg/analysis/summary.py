"""Table 1 of a case series: every summary variable, overall or by group.

Every variable says how many cases report it (``known`` of ``n``). Numbers give the
median, the interquartile range (25th–75th percentile, linear interpolation) and the range;
categories, sets and flags give each value's count and its share of the cases that report
the variable (a set's shares may add up to more than 100 %: a tumour can involve two
segments). Values the model fixes (bands, margins, sexes…) come in their own order, the
others most frequent first.

>>> from kg.store import open_store
>>> from kg.analysis.records import extract_records
>>> from kg.analysis.fields import select
>>> two = select(extract_records(open_store()), ["publication=lms-ivc-two-cases"])
>>> table = summarise(two)
>>> table.n, table.variable("age").cells["all"].text
(2, '62.5 (61.2-63.8), 60-65')
>>> table.variable("margin").cells["all"].levels
[('R0', 2, 100.0)]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from itertools import chain
from operator import attrgetter
from typing import Any

import numpy as np

from kg.analysis.fields import FIELDS, Field, SelectionError, field, groups
from kg.analysis.records import CaseRecord

__all__ = ["Cell", "Variable", "Summary", "summarise", "ALL"]

ALL = "all"
"""The column of every selected case."""


@dataclass
class Cell:
    """One variable in one column: how many report it and what they report."""

    known: int
    n: int
    median: float | None = None
    q1: float | None = None
    q3: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    levels: list[tuple[str, int, float]] = dataclass_field(default_factory=list)

    @property
    def text(self) -> str:
        """A number cell as ``median (q1-q3), min-max``; a category cell lists its levels."""
        if self.median is not None:
            return (f"{_fmt(self.median)} ({_fmt(self.q1)}-{_fmt(self.q3)}), "
                    f"{_fmt(self.minimum)}-{_fmt(self.maximum)}")
        return "; ".join(f"{level} {count} ({share:.0f}%)" for level, count, share in self.levels)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"known": self.known, "n": self.n}
        if self.median is not None:
            data.update(median=self.median, q1=self.q1, q3=self.q3, min=self.minimum,
                        max=self.maximum)
        else:
            data["levels"] = [{"value": v, "count": c, "percent_of_known": round(s, 1)}
                              for v, c, s in self.levels]
        return data


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.1f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"


@dataclass
class Variable:
    """One row block of Table 1: a field and its cell per column."""

    field: Field
    cells: dict[str, Cell]


@dataclass
class Summary:
    """Table 1: the columns (``all``, then one per group of ``by``) and every variable."""

    n: int
    by: str | None
    columns: dict[str, int]  #: column → number of cases
    variables: list[Variable]

    def variable(self, name: str) -> Variable:
        """The block of the field ``name``."""
        wanted = field(name).name
        return next(v for v in self.variables if v.field.name == wanted)

    def rows(self) -> tuple[list[str], list[list[str]]]:
        """The table as header and rows of text: variable, value, one cell per column."""
        header = ["variable", "value", *(f"{c} (n={n})" for c, n in self.columns.items())]
        rows: list[list[str]] = []
        for variable in self.variables:
            cells = [variable.cells[c] for c in self.columns]
            rows.append([variable.field.label, "known", *(f"{c.known} / {c.n}" for c in cells)])
            if variable.field.kind == "number":
                rows.append(["", "median (IQR)", *(
                    f"{_fmt(c.median)} ({_fmt(c.q1)}-{_fmt(c.q3)})" if c.known else ""
                    for c in cells)])
                rows.append(["", "range", *(f"{_fmt(c.minimum)}-{_fmt(c.maximum)}"
                                            if c.known else "" for c in cells)])
                continue
            levels = list(dict.fromkeys(level for c in cells for level, _, _ in c.levels))
            for level in levels:
                texts = []
                for c in cells:
                    hit = next(((count, share) for lv, count, share in c.levels
                                if lv == level), None)
                    texts.append(f"{hit[0]} ({hit[1]:.0f}%)" if hit else "0")
                rows.append(["", level, *texts])
        return header, rows

    def as_dict(self) -> dict[str, Any]:
        """The table as plain data (JSON)."""
        return {"n": self.n, "by": self.by, "columns": self.columns,
                "variables": [{"field": v.field.name, "label": v.field.label,
                               "kind": v.field.kind,
                               "cells": {c: cell.as_dict() for c, cell in v.cells.items()}}
                              for v in self.variables]}


def _cell(spec: Field, records: Sequence[CaseRecord]) -> Cell:
    n = len(records)
    values = list(map(attrgetter(spec.attribute), records))
    if spec.kind == "number":
        array = np.array([float(v) for v in values if v is not None])
        if not len(array):
            return Cell(0, n)
        q1, median, q3 = (float(x) for x in np.percentile(array, [25, 50, 75]))
        return Cell(len(array), n, median, q1, q3, float(array.min()), float(array.max()))
    counts: Counter[Any]
    if spec.kind == "set":
        counts = Counter(chain.from_iterable(set(v) for v in values if v))
        known = sum(1 for v in values if v)
    else:
        counts = Counter(values)
        counts.pop(None, None)
        known = sum(counts.values())
        if spec.kind == "flag":
            counts = Counter({"yes" if k else "no": c for k, c in counts.items()})
    order = {choice: i for i, choice in enumerate(spec.choices)}  # bands in their order
    levels = [(str(level), count, 100.0 * count / known) for level, count in
              sorted(counts.items(), key=lambda kv: (order.get(str(kv[0]), len(order)),
                                                     -kv[1], str(kv[0])))]
    return Cell(known, n, levels=levels)


def summarise(records: Sequence[CaseRecord], by: str | None = None,
              fields: Sequence[str] | None = None) -> Summary:
    """Table 1 of ``records`` (every field, or those named), overall and by ``by``.

    Raises :class:`SelectionError` when there is no case to summarise.
    """
    if not records:
        raise SelectionError("no case to summarise: the selection is empty",
                             hint="loosen or drop the --where conditions")
    chosen = ([field(name) for name in fields] if fields
              else [f for f in FIELDS.values() if f.summarised])
    columns: dict[str, Sequence[CaseRecord]] = {ALL: records}
    by_name = None
    if by is not None:
        by_name = field(by).name
        columns.update(groups(records, by_name))
    variables = [Variable(spec, {c: _cell(spec, rs) for c, rs in columns.items()})
                 for spec in chosen]
    return Summary(len(records), by_name, {c: len(rs) for c, rs in columns.items()}, variables)
