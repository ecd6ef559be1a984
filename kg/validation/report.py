"""What validation found: one :class:`ValidationResult` per failed check, gathered in a
:class:`ValidationReport` with each case's completeness and the files that could not be read.

>>> result = ValidationResult(
...     file="data/cases/x.ttl", severity="Violation",
...     focus="https://w3id.org/vlmskg/case/x/patient",
...     path="https://w3id.org/vlmskg/vocab/ageYears", message="Give vlms:ageYears once.",
...     shape="https://w3id.org/vlmskg/shapes/PatientShape", value=None, case="x")
>>> report = ValidationReport(results=[result], completeness={"x": 0.5}, files=["data/cases/x.ttl"])
>>> report.conforms, report.exit_code, compact(result.shape)
(False, 1, 'vsh:PatientShape')
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from kg.errors import InputError, ValidationFailed
from kg.namespaces import CASE, PUBLICATION
from kg.namespaces import PREFIXES as NAMESPACE_PREFIXES

__all__ = ["SHAPES", "SEVERITIES", "PREFIXES", "ValidationResult", "ValidationReport",
           "compact", "compact_text"]

#: the namespace of the shapes (prefix ``vsh:``).
SHAPES = "https://w3id.org/vlmskg/shapes/"
#: severities, in the order results are listed.
SEVERITIES = ("Violation", "Warning", "Info")
#: prefixes used to write IRIs short in messages and printed results.
PREFIXES = {**NAMESPACE_PREFIXES, "vsh": SHAPES, "case": str(CASE), "pub": str(PUBLICATION)}
_PREFIX_OF = {namespace: prefix for prefix, namespace in PREFIXES.items()}
_NAMESPACES = re.compile("(" + "|".join(re.escape(n) for n in _PREFIX_OF) + r")(?=[\w-])")


def compact(iri: str) -> str:
    """``iri`` as a CURIE where a known prefix fits, else unchanged.

    >>> compact("https://w3id.org/vlmskg/vocab/ageYears")
    'vlms:ageYears'
    >>> compact("https://example.org/x")
    'https://example.org/x'
    """
    match = _NAMESPACES.match(iri)
    if match and match.end() < len(iri):
        return f"{_PREFIX_OF[match.group(1)]}:{iri[match.end():]}"
    return iri


def compact_text(text: str) -> str:
    """Every full IRI of a known namespace in ``text`` written as a CURIE.

    >>> compact_text("The class https://w3id.org/vlmskg/vocab/Patinet is not declared.")
    'The class vlms:Patinet is not declared.'
    """
    return _NAMESPACES.sub(lambda m: _PREFIX_OF[m.group(1)] + ":", text)


@dataclass(frozen=True)
class ValidationResult:
    """One failed check about one node of one case (or publication) file.

    ``focus``, ``path``, ``shape`` and an IRI ``value`` are full IRIs; a blank node is
    written as the triple that leads to it (``<subject IRI> <property IRI> []``), the same
    from run to run. ``path`` ``^p`` is the inverse of ``p``. ``case`` is ``None`` for a
    publication.
    """

    file: str
    severity: str  #: "Violation", "Warning" or "Info"
    focus: str
    path: str | None
    message: str  #: what is wrong and how to fix it
    shape: str  #: the node shape that holds the failed check
    value: str | None
    case: str | None

    @property
    def is_violation(self) -> bool:
        return self.severity == "Violation"

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-ready dictionary with stable keys."""
        return asdict(self)

    def sort_key(self) -> tuple[int, str, str, str, str]:
        """The order results of one file are reported in: violations first, then by node,
        property, message and value."""
        return (SEVERITIES.index(self.severity), self.focus, self.path or "", self.message,
                self.value or "")


@dataclass
class ValidationReport:
    """What validating a set of files found."""

    results: list[ValidationResult] = field(default_factory=list)
    completeness: dict[str, float] = field(default_factory=dict)  #: case id → 0–1
    errors: list[InputError] = field(default_factory=list)  #: files that could not be read
    files: list[str] = field(default_factory=list)  #: every file checked, in order

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.is_violation]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Warning"]

    @property
    def conforms(self) -> bool:
        """No Violation and no unreadable file (Warnings are allowed)."""
        return not self.violations and not self.errors

    @property
    def exit_code(self) -> int:
        """0 conforms, 1 violations, 2 an unreadable file."""
        return 2 if self.errors else 1 if self.violations else 0

    def raise_for_failure(self) -> None:
        """Raise the first :class:`InputError`, else :class:`ValidationFailed` on violations."""
        if self.errors:
            raise self.errors[0]
        if self.violations:
            where = sorted({r.case or r.file for r in self.violations})
            raise ValidationFailed(
                f"{len(self.violations)} shape violation(s) in {', '.join(where)}",
                results=self.violations,
                hint="run 'vlmskg validate' to see each violation and its fix")

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data with stable keys and order."""
        return {
            "conforms": self.conforms,
            "files": list(self.files),
            "errors": [{"file": e.file, "line": e.line, "column": e.column, "case": e.case,
                        "message": e.message, "hint": e.hint} for e in self.errors],
            "results": [r.to_dict() for r in self.results],
            "completeness": dict(sorted(self.completeness.items())),
        }
