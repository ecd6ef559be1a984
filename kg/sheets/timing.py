"""Times as reports give them: ``"9 months"``, ``"about 2 years"``, ``"more than 12 months"``,
``"less than 6 months"``, and ``"12-30 months"`` for a value stated for a group only.

>>> parse_time("about 2 years")
TimeValue(amount=Decimal('2'), unit='year', precision='Approximate', low=None, high=None)
>>> parse_time("more than 12 months").precision
'AtLeast'
>>> group = parse_time("12-30 months")
>>> group.amount, group.low, group.high, group.is_group
(None, Decimal('12'), Decimal('30'), True)
>>> format_time(parse_time("At least 5 years")), format_time(group)
('at least 5 years', '12-30 months')
>>> parse_time("soon")  # doctest: +ELLIPSIS
Traceback (most recent call last):
    ...
ValueError: cannot read 'soon' as a time: write a number and a unit, e.g. "9 months", ...
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["TimeValue", "parse_time", "format_time", "UNITS", "UNIT_IRIS", "PRECISIONS",
           "MONTHS_PER_UNIT"]

OBO = "http://purl.obolibrary.org/obo/"
VLMS = "https://w3id.org/vlmskg/vocab/"

#: unit words a sheet may write -> the unit's name.
UNITS = {"hour": "hour", "hours": "hour", "h": "hour", "day": "day", "days": "day",
         "d": "day", "week": "week", "weeks": "week", "wk": "week", "month": "month",
         "months": "month", "mo": "month", "year": "year", "years": "year", "y": "year",
         "yr": "year", "yrs": "year"}
#: unit name -> the IRI the model uses (UO, or vlms:Hour).
UNIT_IRIS = {"hour": VLMS + "Hour", "day": OBO + "UO_0000033", "week": OBO + "UO_0000034",
             "month": OBO + "UO_0000035", "year": OBO + "UO_0000036"}
#: unit name -> months per unit (the ontology's factors).
MONTHS_PER_UNIT = {"hour": Decimal("0.0013689254"), "day": Decimal("0.0328542094"),
                   "week": Decimal("0.2299794661"), "month": Decimal(1), "year": Decimal(12)}
#: words before the number -> precision (a ``vlms:`` PrecisionValue); none means Exact.
PRECISIONS = {"about": "Approximate", "approximately": "Approximate", "around": "Approximate",
              "circa": "Approximate", "ca.": "Approximate", "~": "Approximate",
              "nearly": "Approximate", "almost": "Approximate",
              "more than": "AtLeast", "over": "AtLeast", "at least": "AtLeast",
              ">": "AtLeast", ">=": "AtLeast", "after more than": "AtLeast",
              "less than": "AtMost", "under": "AtMost", "at most": "AtMost",
              "within": "AtMost", "<": "AtMost", "<=": "AtMost", "up to": "AtMost"}
_WRITTEN = {"Approximate": "about", "AtLeast": "at least", "AtMost": "at most"}
_NUMBER = r"(\d+(?:\.\d+)?)"
_SINGLE = re.compile(
    rf"^(?:(?P<qualifier>[a-z.~<>=]+(?: [a-z]+)*?)\s*)?{_NUMBER}\s*(?P<unit>[a-z]+)$")
_RANGE = re.compile(rf"^{_NUMBER}\s*(?:-|–|to)\s*{_NUMBER}\s*(?P<unit>[a-z]+)$")
_HINT = ('write a number and a unit, e.g. "9 months", "about 2 years", "more than 12 months", '
         '"12-30 months"')


@dataclass(frozen=True)
class TimeValue:
    """An interval in one unit: an amount with a precision, or a group's range."""

    amount: Decimal | None
    unit: str
    precision: str = "Exact"
    low: Decimal | None = None
    high: Decimal | None = None

    @property
    def is_group(self) -> bool:
        """A range: a value stated for a group of patients, not this patient's own."""
        return self.amount is None

    @property
    def months(self) -> Decimal | None:
        """The amount in months, as the queries count it (``None`` for a group range)."""
        return None if self.amount is None else self.amount * MONTHS_PER_UNIT[self.unit]


def parse_time(text: object) -> TimeValue:
    """Read a time string; :class:`ValueError` saying what to write if it cannot be read."""
    words = " ".join(str(text).strip().lower().split())
    match = _RANGE.match(words)
    if match and match.group("unit") in UNITS:
        low, high = Decimal(match.group(1)), Decimal(match.group(2))
        if low > high:
            raise ValueError(f"'{text}': the range runs backwards; write the smaller number first")
        return TimeValue(None, UNITS[match.group("unit")], "Exact", low, high)
    match = _SINGLE.match(words)
    if match and match.group("unit") in UNITS:
        qualifier = (match.group("qualifier") or "").strip()
        if qualifier and qualifier not in PRECISIONS:
            raise ValueError(f"cannot read '{qualifier}' in '{text}' as a precision: use "
                             "about, more than, at least, less than or at most")
        return TimeValue(Decimal(match.group(2)), UNITS[match.group("unit")],
                         PRECISIONS.get(qualifier, "Exact"))
    raise ValueError(f"cannot read '{text}' as a time: {_HINT}")


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def format_time(value: TimeValue) -> str:
    """The sheet's way of writing ``value`` (the inverse of :func:`parse_time`)."""
    if value.amount is None:
        assert value.low is not None and value.high is not None
        return f"{_number(value.low)}-{_number(value.high)} {value.unit}s"
    unit = value.unit if value.amount == 1 else value.unit + "s"
    prefix = _WRITTEN.get(value.precision)
    text = f"{_number(value.amount)} {unit}"
    return f"{prefix} {text}" if prefix else text
