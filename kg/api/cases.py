"""Typed, read-only views of one reported case.

Every object is a frozen dataclass holding plain Python values: coded values come as
:class:`Term` (IRI and preferred label) or, for small closed value sets, as a lower-case
word (``"male"``, ``"positive"``, ``"absent"``, ``"after"``). Only what the case graph
states is shown; a missing value is ``None``, never a guess.

>>> from kg.api import KnowledgeGraph
>>> case = KnowledgeGraph.open().case("lms-femoral-vein-c1")
>>> case.patient.age_years, case.patient.sex
(72, 'male')
>>> case.markers["Desmin"]
'positive'
>>> case.follow_up.months_after_index_surgery
7.0
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Term",
    "TumourClass",
    "Patient",
    "Site",
    "Size",
    "MitoticCount",
    "MarkerResult",
    "Tumour",
    "Timing",
    "Event",
    "Procedure",
    "Finding",
    "FollowUp",
    "Provenance",
    "Case",
]


@dataclass(frozen=True)
class Term:
    """A class, coded value or individual: its IRI and preferred label."""

    iri: str
    label: str | None = None

    def __str__(self) -> str:
        return self.label or self.iri


@dataclass(frozen=True)
class TumourClass(Term):
    """A class of the tumour; ``inferred`` when the reasoner derived it."""

    inferred: bool = False


@dataclass(frozen=True)
class Patient:
    iri: str
    age_years: int | None
    sex: str | None
    """``"male"`` or ``"female"``."""


@dataclass(frozen=True)
class Site:
    """One of the patient's structures the tumour relates to."""

    iri: str
    label: str | None
    relation: str
    """``"origin"`` (arises from), ``"extension"`` (extends into), ``"involved"`` or
    ``"adjacent"`` (in contact, infiltration not shown)."""
    classes: tuple[Term, ...]
    laterality: str | None
    part_of: tuple[Term, ...] = ()


@dataclass(frozen=True)
class Size:
    """One size measurement, dimensions in centimetres in the order reported."""

    dimensions_cm: tuple[float, ...]
    of: Term
    """The tumour, or the named tumour portion, that was measured."""
    measured_in: tuple[Term, ...]
    """The events that measured it (imaging or pathology procedures)."""
    specimen: str | None
    aggregate_of_fragments: bool | None
    description: str | None = None

    @property
    def method(self) -> str | None:
        """How it was measured, e.g. ``'gross examination'``."""
        return " and ".join(map(str, self.measured_in)) or None


@dataclass(frozen=True)
class MitoticCount:
    per_10_hpf: float
    comparator: str | None
    """``"greater than"``, ``"less than"`` or ``"equal to"``."""


@dataclass(frozen=True)
class MarkerResult:
    marker: Term
    result: str
    """``"positive"``, ``"negative"`` or ``"equivocal"``."""
    specimen: str | None = None


@dataclass(frozen=True)
class Tumour:
    iri: str
    label: str | None
    classes: tuple[TumourClass, ...]
    """Asserted classes first, then those the reasoner inferred."""
    sites: tuple[Site, ...]
    """Site of origin, extensions and other involved structures."""
    adjacent_to: tuple[Site, ...]
    growth_patterns: tuple[Term, ...]
    grade: Term | None
    sizes: tuple[Size, ...]
    mitotic_count: MitoticCount | None
    immunohistochemistry: tuple[MarkerResult, ...]

    @property
    def inferred_classes(self) -> tuple[TumourClass, ...]:
        return tuple(c for c in self.classes if c.inferred)

    @property
    def origin(self) -> tuple[Site, ...]:
        return tuple(s for s in self.sites if s.relation == "origin")


@dataclass(frozen=True)
class Timing:
    """*amount unit before/after reference*, as the report gives it."""

    relation: str
    """``"before"``, ``"after"`` or ``"same time"``."""
    reference: Term
    amount: float | None = None
    unit: str | None = None
    precision: str | None = None
    months: float | None = None
    """``amount`` converted to months, when the unit is known."""

    def __str__(self) -> str:
        size = f"{self.amount:g} {self.unit} " if self.amount is not None else ""
        return f"{size}{self.relation} {self.reference}"


@dataclass(frozen=True)
class Event:
    """A clinical event, placed on the case's relative timeline."""

    iri: str
    label: str | None
    """The event's own label, else the label of its most specific type."""
    types: tuple[Term, ...]
    position: int | None
    timing: tuple[Timing, ...]
    description: str | None

    def __str__(self) -> str:
        return self.label or self.iri


@dataclass(frozen=True)
class Procedure(Event):
    intent: Term | None = None
    result: Term | None = None
    part_of: Term | None = None
    """The operation this procedure is a step of."""


@dataclass(frozen=True)
class Finding:
    """An observation stated in the report, present or absent."""

    iri: str
    kinds: tuple[Term, ...]
    concept: Term | None
    presence: str | None
    """``"present"`` or ``"absent"``."""
    site: Term | None
    observed_in: tuple[Term, ...]
    description: str | None


@dataclass(frozen=True)
class FollowUp:
    """The last follow-up: when, and the patient's vital and disease status."""

    iri: str
    months_after_index_surgery: float | None
    vital_status: str | None
    """``"alive"`` or ``"dead"``."""
    disease_status: Term | None
    timing: tuple[Timing, ...]


@dataclass(frozen=True)
class Provenance:
    """Where a node comes from: its graph, the publication and its citation, the case
    number in it."""

    graph: str
    publication: str
    title: str | None
    case_number: int | None
    location: str | None = None
    """``vlms:sourceLocation``: where in the publication, when recorded."""
    citation: str | None = None
    """"First author et al., year, doi:…" (PMID, else URL, when there is no DOI); ``None``
    when the publication's file gives no author, year or identifier."""


@dataclass(frozen=True)
class Case:
    """One reported case, read from its named graph."""

    id: str
    iri: str
    label: str | None
    patient: Patient
    tumour: Tumour
    events: tuple[Event, ...]
    """Every event, in timeline order (ties keep IRI order)."""
    findings: tuple[Finding, ...]
    follow_up: FollowUp | None
    source: Provenance

    @property
    def procedures(self) -> tuple[Procedure, ...]:
        """The procedures among the events, in timeline order."""
        return tuple(e for e in self.events if isinstance(e, Procedure))

    @property
    def markers(self) -> dict[str, str]:
        """Immunohistochemistry: marker label → ``"positive"``/``"negative"``/…"""
        return {str(r.marker): r.result for r in self.tumour.immunohistochemistry}
