"""Run an export: select the cases, gather their facts once, write the format's folder.

>>> import tempfile, pathlib
>>> from kg.api import KnowledgeGraph
>>> out = pathlib.Path(tempfile.mkdtemp()) / "packets"
>>> result = export("phenopackets", KnowledgeGraph.open(), out,
...                 where=["case=lms-femoral-vein-c1"])
>>> result.cases
['lms-femoral-vein-c1']
>>> sorted(p.name for p in out.iterdir())
['cohort.json', 'lms-femoral-vein-c1.json']
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.analysis import select
from kg.api import KnowledgeGraph
from kg.exports import cbioportal, fhir, phenopacket
from kg.exports.facts import CaseFacts, load_facts
from kg.exports.folder import ExportError, write_folder
from kg.exports.json_text import json_text
from kg.exports.publications import PublicationRef, read_publications
from kg.progress import task

__all__ = ["FORMATS", "ExportResult", "check_format", "export", "select_facts"]


def _phenopackets(facts: Sequence[CaseFacts], refs: dict[str, PublicationRef]) -> dict[str, str]:
    packets = [phenopacket.build_phenopacket(f, refs) for f in facts]
    members = [phenopacket.to_dict(p) for p in packets]
    files = {f"{p.id}.json": json_text(m, sort_keys=True)
             for p, m in zip(packets, members, strict=True)}
    if len(files) != len(packets):
        raise ExportError("two cases give the same phenopacket id",
                          hint="give each case of a publication its own case number")
    files["cohort.json"] = phenopacket.cohort_json(
        phenopacket.build_cohort(packets, "vlms-kg"), members)
    return files


def _cbioportal(facts: Sequence[CaseFacts], refs: dict[str, PublicationRef]) -> dict[str, str]:
    return cbioportal.study_files(facts)


def _fhir(facts: Sequence[CaseFacts], refs: dict[str, PublicationRef]) -> dict[str, str]:
    return {f"{f.id}.json": json_text(fhir.build_bundle(f)) for f in facts}


FORMATS: dict[str, Callable[[Sequence[CaseFacts], dict[str, PublicationRef]], dict[str, str]]] = {
    "phenopackets": _phenopackets, "cbioportal": _cbioportal, "fhir": _fhir}


@dataclass(frozen=True)
class ExportResult:
    format: str
    out: Path
    cases: list[str]
    files: int


def select_facts(graph: KnowledgeGraph, where: Iterable[str] = ()) -> list[CaseFacts]:
    """The facts of every case that meets all ``where`` conditions, in the filter language
    of ``vlmskg summary`` (:func:`kg.analysis.select`: ``vessel-group=inferior vena cava``,
    ``age>=60``, ``margin=R0|R1``); read from the build's cache when it is current
    (:func:`kg.exports.facts.load_facts`)."""
    with task("reading the cases"):
        facts = load_facts(graph.store)
    chosen = {r.case_id for r in select([f.record for f in facts], list(where))}
    if not chosen:
        raise ExportError("no case meets every --where condition",
                          hint="drop or loosen a condition")
    return [f for f in facts if f.id in chosen]


def check_format(format: str) -> None:
    """:class:`ExportError` with the nearest name unless ``format`` is one of :data:`FORMATS`.

    >>> check_format("phenopacket")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.exports.folder.ExportError: unknown export format 'phenopacket' (fix: did you mean ...
    """
    if format not in FORMATS:
        near = difflib.get_close_matches(format, FORMATS, n=1)
        raise ExportError(f"unknown export format {format!r}",
                          hint=(f"did you mean {near[0]}? " if near else "")
                          + f"formats: {', '.join(FORMATS)}")


def export(format: str, graph: KnowledgeGraph, out: Path, *,
           where: Iterable[str] = ()) -> ExportResult:
    """Write the selected cases in ``format`` into the folder ``out``, replacing it whole."""
    check_format(format)
    facts = select_facts(graph, where)
    with task(f"making the {format} files"):
        files = FORMATS[format](facts, read_publications(graph.store))
    with task(f"writing {len(files)} files"):
        count = write_folder(Path(out), dict(files))
    return ExportResult(format, Path(out), [f.id for f in facts], count)
