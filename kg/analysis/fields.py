"""The summary variables by name, and the selection of cases: ``--where`` and ``--by``.

Each :class:`Field` reads one record attribute: a number, a category (one value), a set
(several values: segments, sites…) or a yes/no flag. ``--where FIELD=VALUE`` keeps the
cases whose value is VALUE (for a set: that contains it); ``|`` separates alternatives
(``margin=R0|R1``), ``!=`` excludes, numbers also take ``<``, ``<=``, ``>``, ``>=``;
``not reported`` selects cases that do not report the field. ``--by FIELD`` groups by a
category, a flag or a set (a set groups by its combination, e.g. ``middle + lower``, so
the groups do not overlap). An unknown field or value raises :class:`SelectionError`
listing the valid ones, nearest first.

>>> from kg.analysis.records import AGE_BANDS, SIZE_BANDS, CaseRecord
>>> parse_condition("margin=R0|R1")
Condition(field='margin', operator='=', values=('R0', 'R1'))
>>> field("vesel").name
Traceback (most recent call last):
...
kg.analysis.fields.SelectionError: unknown field 'vesel' (fix: use one of: vessel, ...
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kg.analysis.records import AGE_BANDS, SIZE_BANDS, CaseRecord
from kg.errors import ParameterError

__all__ = ["Field", "FIELDS", "Condition", "SelectionError", "NOT_REPORTED", "field", "find_field",
           "parse_condition", "select", "group_key", "groups", "nearest"]

NOT_REPORTED = "not reported"


class SelectionError(ParameterError):
    """A ``--where`` or ``--by`` names an unknown field or value, or selects no case."""


@dataclass(frozen=True)
class Field:
    """A summary variable: its name on the command line, the record attribute it reads, its
    kind (``number``, ``category``, ``set``, ``flag``) and its label in tables."""

    name: str
    attribute: str
    kind: str
    label: str
    summarised: bool = True  #: a row block of Table 1 (the case id is a filter only)
    choices: tuple[str, ...] = ()  #: the values the model allows, reported or not

    def value(self, record: CaseRecord) -> Any:
        """The record's value (``None``, or an empty tuple, when not reported)."""
        return getattr(record, self.attribute)

    def texts(self, record: CaseRecord) -> tuple[str, ...]:
        """The value as text(s); ``("not reported",)`` when absent."""
        value = self.value(record)
        if value is None or value == ():
            return (NOT_REPORTED,)
        if self.kind == "set":
            return tuple(str(v) for v in value)
        if self.kind == "flag":
            return ("yes" if value else "no",)
        return (_number_text(value) if self.kind == "number" else str(value),)


def _number_text(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


_SPEC: tuple[tuple[str, str, str, str], ...] = (
    ("age", "age_years", "number", "Age, years"),
    ("age-band", "age_band", "category", "Age band, years"),
    ("sex", "sex", "category", "Sex"),
    ("vessel", "vessel", "category", "Vessel of origin"),
    ("vessel-group", "vessel_group", "category", "Vessel group"),
    ("ivc-segment", "ivc_segments", "set", "IVC segment involved"),
    ("size", "size_cm", "number", "Largest dimension, cm"),
    ("size-band", "size_band", "category", "Largest dimension band"),
    ("grade", "grade", "category", "Grade"),
    ("growth", "growth_pattern", "set", "Growth pattern"),
    ("presentation", "presentation", "set", "Presenting symptom"),
    ("misdiagnosis", "initial_misdiagnosis", "set", "Initial misdiagnosis"),
    ("operation", "operation", "category", "Index operation"),
    ("en-bloc", "en_bloc", "flag", "En bloc resection"),
    ("management", "vascular_management", "set", "Vascular management"),
    ("graft-material", "graft_material", "set", "Graft material"),
    ("margin", "margin", "category", "Resection margin"),
    ("neoadjuvant", "neoadjuvant_therapy", "category", "Neoadjuvant therapy"),
    ("adjuvant", "adjuvant_therapy", "category", "Adjuvant therapy"),
    ("metastasis-at-presentation", "metastasis_at_presentation", "flag",
     "Metastasis at presentation"),
    ("recurrence", "recurrence", "flag", "Local recurrence"),
    ("metastasis", "metastasis", "flag", "Metastasis during follow-up"),
    ("metastasis-site", "metastasis_sites", "set", "Metastasis site"),
    ("follow-up", "follow_up_months", "number", "Follow-up, months"),
    ("vital-status", "vital_status", "category", "Vital status at last follow-up"),
    ("disease-status", "disease_status", "category", "Disease status at last follow-up"),
    ("publication", "publication", "category", "Publication"),
    ("publication-type", "publication_type", "category", "Publication type"),
    ("source-coverage", "source_coverage", "category", "Source read"),
    ("synthetic", "synthetic", "flag", "Synthetic case"),
)
#: every summary variable, in Table 1 order.
FIELDS: dict[str, Field] = {name: Field(name, attribute, kind, label)
                            for name, attribute, kind, label in _SPEC}
FIELDS["case"] = Field("case", "case_id", "category", "Case", summarised=False)
_CHOICES = {
    "age-band": tuple(b for b, _ in AGE_BANDS), "size-band": tuple(b for b, _ in SIZE_BANDS),
    "sex": ("female", "male"), "vital-status": ("alive", "dead"),
    "vessel-group": ("inferior vena cava", "other vein", "artery", "other vessel"),
    "ivc-segment": ("upper", "middle", "lower"), "growth": ("intraluminal", "extraluminal"),
    "grade": ("high", "intermediate", "low"), "margin": ("R0", "R1", "R2"),
    "management": ("ligation", "primary repair", "patch", "graft", "anastomosis"),
    "neoadjuvant": ("chemotherapy", "radiotherapy", "chemotherapy + radiotherapy", "given",
                    "none"),
    "adjuvant": ("chemotherapy", "radiotherapy", "chemotherapy + radiotherapy", "given", "none"),
}
FIELDS.update({name: dataclasses.replace(FIELDS[name], choices=values)
               for name, values in _CHOICES.items()})


def nearest(word: str, choices: Iterable[str]) -> list[str]:
    """``choices`` ordered by likeness to ``word`` (closest first).

    >>> nearest("R3", ["R0", "not reported", "R1"])[:2]
    ['R0', 'R1']
    >>> nearest("IVC", ["left renal vein", "inferior vena cava"])[0]
    'inferior vena cava'
    """
    options = list(dict.fromkeys(choices))
    low = word.lower()

    def score(option: str) -> tuple[float, str]:
        text = option.lower()
        ratio = difflib.SequenceMatcher(None, low, text).ratio()
        initials = "".join(part[0] for part in text.split() if part)
        bonus = (0.5 if low and low in text else 0.0) + (1.0 if low == initials else 0.0)
        return (-(ratio + bonus), option)

    return sorted(options, key=score)


def field(name: str) -> Field:
    """The field called ``name`` (``vessel-group``; ``vessel_group`` works too)."""
    key = name.strip().lower().replace("_", "-")
    if key in FIELDS:
        return FIELDS[key]
    by_attribute = {f.attribute.replace("_", "-"): f for f in FIELDS.values()}
    if key in by_attribute:
        return by_attribute[key]
    raise SelectionError(f"unknown field {name!r}",
                         hint="use one of: " + ", ".join(nearest(key, FIELDS)))


find_field = field
"""Another name of :func:`field`, for modules where ``field`` is dataclasses'."""


@dataclass(frozen=True)
class Condition:
    """One ``--where``: a field, an operator and the values it accepts."""

    field: str
    operator: str
    values: tuple[str, ...]


_CONDITION = re.compile(r"^\s*([A-Za-z_-]+)\s*(<=|>=|!=|=|<|>)\s*(.*?)\s*$")


def parse_condition(text: str) -> Condition:
    """``FIELD=VALUE`` (or ``!=``, ``<``, ``<=``, ``>``, ``>=``) as a :class:`Condition`."""
    match = _CONDITION.match(text)
    if not match or not match.group(3):
        raise SelectionError(f"cannot read the condition {text!r}",
                             hint="write FIELD=VALUE, e.g. vessel-group=inferior vena cava "
                                  "or age>=60")
    name, operator, values = match.groups()
    return Condition(field(name).name, operator,
                     tuple(v.strip() for v in values.split("|") if v.strip()))


def _matcher(condition: Condition, records: Sequence[CaseRecord]
             ) -> Callable[[CaseRecord], bool]:
    spec = FIELDS[condition.field]
    if condition.operator in ("<", "<=", ">", ">="):
        if spec.kind != "number":
            raise SelectionError(f"{spec.name} is not a number; {condition.operator} "
                                 "compares numbers only", hint=f"write {spec.name}=VALUE")
        try:
            (limit,) = (float(v) for v in condition.values)
        except ValueError:
            raise SelectionError(f"{spec.name}{condition.operator} needs one number, got "
                                 f"{'|'.join(condition.values)!r}",
                                 hint=f"e.g. {spec.name}>=60") from None
        compare = {"<": float.__lt__, "<=": float.__le__, ">": float.__gt__,
                   ">=": float.__ge__}[condition.operator]
        return lambda r: (v := spec.value(r)) is not None and compare(float(v), limit)
    known = {text.lower(): text for r in records for text in spec.texts(r)}
    known.update({choice.lower(): choice for choice in spec.choices})
    if spec.kind == "flag":
        known.update({"yes": "yes", "no": "no"})
    known.setdefault(NOT_REPORTED, NOT_REPORTED)
    wanted = set()
    for value in condition.values:
        if value.lower() not in known:
            if spec.kind == "number":
                try:
                    wanted.add(_number_text(float(value)) if "." in value else value)
                    continue
                except ValueError:
                    pass
            raise SelectionError(
                f"unknown {spec.name} value {value!r}",
                hint="valid values: " + ", ".join(nearest(value, sorted(known.values()))))
        wanted.add(known[value.lower()])
    negate = condition.operator == "!="
    return lambda r: any(t in wanted for t in spec.texts(r)) != negate


def select(records: Sequence[CaseRecord], where: Iterable[str | Condition] = ()
           ) -> list[CaseRecord]:
    """The records meeting every condition. Raises :class:`SelectionError` for an unknown
    field or value; an empty result is returned as is (the callers say so)."""
    chosen = list(records)
    for item in where:
        condition = item if isinstance(item, Condition) else parse_condition(item)
        match = _matcher(condition, records)
        chosen = [r for r in chosen if match(r)]
    return chosen


def group_key(spec: Field, record: CaseRecord) -> str:
    """The group a record falls in when grouping by ``spec``."""
    return " + ".join(spec.texts(record))


def groups(records: Sequence[CaseRecord], by: str) -> dict[str, list[CaseRecord]]:
    """The records grouped by the field ``by``, groups in order of size (largest first),
    ``not reported`` last. Numbers cannot group (use the ``-band`` fields)."""
    spec = field(by)
    if spec.kind == "number":
        banded = [f.name for f in FIELDS.values() if f.name.startswith(spec.name.split("-")[0])
                  and f.kind == "category"]
        raise SelectionError(f"{spec.name} is a number and cannot group cases",
                             hint="group by " + (", ".join(banded) if banded
                                                 else "a category") + " instead")
    found: dict[str, list[CaseRecord]] = {}
    for record in records:
        found.setdefault(group_key(spec, record), []).append(record)
    return dict(sorted(found.items(), key=lambda kv: (kv[0] == NOT_REPORTED, -len(kv[1]),
                                                       kv[0])))
