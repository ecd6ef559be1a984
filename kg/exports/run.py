"""Run an export: select the cases, gather their facts once, write the format's folder.

>>> import tempfile, pathlib
>>> from kg.api import KnowledgeGraph
>>> out = pathlib.Path(tempfile.mkdtemp()) / "packets"
>>> result = export("phenopackets", KnowledgeGraph.open(), out, where=["sex=male"])
>>> result.cases
['lms-femoral-vein-c1']
>>> sorted(p.name for p in out.iterdir())
['cohort.json', 'lms-femoral-vein-c1.json']
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.api import KnowledgeGraph
from kg.exports import cbioportal, fhir, phenopacket
from kg.exports.facts import CaseFacts, gather_facts
from kg.exports.folder import ExportError, write_folder
from kg.exports.publications import PublicationRef, read_publications

__all__ = ["FORMATS", "FIELDS", "ExportResult", "export", "select_facts"]


def _labels(value: object) -> list[str]:
    items = value if isinstance(value, tuple) else (value,)
    return [str(getattr(v, "label", v)).lower() for v in items if v is not None]


#: ``--where`` fields and how each reads a case
FIELDS: dict[str, Callable[[CaseFacts], list[str]]] = {
    "vessel": lambda f: _labels(f.vessel),
    "segment": lambda f: _labels(f.segments),
    "sex": lambda f: _labels(f.record.sex),
    "margin": lambda f: _labels(f.margin),
    "grade": lambda f: _labels(f.grade),
    "management": lambda f: _labels(f.vessel_management),
    "vital-status": lambda f: _labels(f.record.vital_status),
    "publication": lambda f: _labels(f.record.publication),
    "case": lambda f: _labels(f.id),
}


def _phenopackets(facts: Sequence[CaseFacts], refs: dict[str, PublicationRef]) -> dict[str, str]:
    packets = [phenopacket.build_phenopacket(f, refs) for f in facts]
    files = {f"{p.id}.json": phenopacket.to_json(p) for p in packets}
    if len(files) != len(packets):
        raise ExportError("two cases give the same phenopacket id",
                          hint="give each case of a publication its own case number")
    files["cohort.json"] = phenopacket.to_json(phenopacket.build_cohort(packets, "vlms-kg"))
    return files


def _cbioportal(facts: Sequence[CaseFacts], refs: dict[str, PublicationRef]) -> dict[str, str]:
    return cbioportal.study_files(facts)


def _fhir(facts: Sequence[CaseFacts], refs: dict[str, PublicationRef]) -> dict[str, str]:
    return {f"{f.id}.json": json.dumps(fhir.build_bundle(f), indent=2) + "\n"
            for f in facts}


FORMATS: dict[str, Callable[[Sequence[CaseFacts], dict[str, PublicationRef]], dict[str, str]]] = {
    "phenopackets": _phenopackets, "cbioportal": _cbioportal, "fhir": _fhir}


@dataclass(frozen=True)
class ExportResult:
    format: str
    out: Path
    cases: list[str]
    files: int


def _parse_where(where: Iterable[str]) -> list[tuple[str, str]]:
    conditions = []
    for item in where:
        field, sep, value = item.partition("=")
        field, value = field.strip().lower(), value.strip().lower()
        if not sep or not field or not value:
            raise ExportError(f"--where {item!r} is not FIELD=VALUE",
                              hint="write e.g. --where vessel='inferior vena cava'")
        if field not in FIELDS:
            near = difflib.get_close_matches(field, FIELDS, n=3)
            raise ExportError(f"unknown field {field!r} in --where",
                              hint=(f"did you mean {', '.join(near)}? " if near else "")
                              + f"fields: {', '.join(FIELDS)}")
        conditions.append((field, value))
    return conditions


def select_facts(graph: KnowledgeGraph, where: Iterable[str] = (),
                 progress: Callable[[int, int], None] | None = None) -> list[CaseFacts]:
    """The facts of every case that meets all ``where`` conditions (``FIELD=VALUE``)."""
    conditions = _parse_where(where)
    facts = gather_facts(graph.store, progress=progress)
    for field, value in conditions:
        seen = sorted({v for f in facts for v in FIELDS[field](f)})
        if value not in seen:
            near = difflib.get_close_matches(value, seen, n=3, cutoff=0.4)
            raise ExportError(f"no case has {field} {value!r}",
                              hint=f"values of {field}: "
                                   + ", ".join(near + [v for v in seen if v not in near]))
        facts = [f for f in facts if value in FIELDS[field](f)]
    if not facts:
        raise ExportError("no case meets every --where condition",
                          hint="drop or loosen a condition")
    return facts


def export(format: str, graph: KnowledgeGraph, out: Path, *, where: Iterable[str] = (),
           progress: Callable[[int, int], None] | None = None) -> ExportResult:
    """Write the selected cases in ``format`` into the folder ``out``, replacing it whole."""
    if format not in FORMATS:
        near = difflib.get_close_matches(format, FORMATS, n=1)
        raise ExportError(f"unknown export format {format!r}",
                          hint=(f"did you mean {near[0]}? " if near else "")
                          + f"formats: {', '.join(FORMATS)}")
    facts = select_facts(graph, where, progress)
    files = FORMATS[format](facts, read_publications(graph.store))
    count = write_folder(Path(out), dict(files))
    return ExportResult(format, Path(out), [f.id for f in facts], count)
