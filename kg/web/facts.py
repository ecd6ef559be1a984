"""One case's facts for its page: grouped by section, negatives said as negatives, every
fact with where in the source it comes from and the curator's note, when recorded.

>>> from kg.api import KnowledgeGraph
>>> graph = KnowledgeGraph.open()
>>> page = case_page(graph, graph.case("lms-ivc-two-cases-c1"))
>>> [f.text for f in page.section("Outcome") if "recurrence" in f.text]
['no local recurrence']
>>> marker_text("CD34", "negative")
'CD34 negative'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import URIRef

from kg.api.cases import Case, Event, Finding, Procedure, Timing
from kg.api.graph import KnowledgeGraph

__all__ = ["Fact", "CasePage", "case_page", "finding_text", "marker_text", "timing_text"]

_VLMS = "https://w3id.org/vlmskg/vocab/"
_NOTES = f"""SELECT ?node ?property ?value WHERE {{
  GRAPH ?_graph {{
    VALUES ?property {{ <{_VLMS}sourceLocation> <{_VLMS}curationNote> }}
    ?node ?property ?value .
  }}
}}"""
_SECTIONS = ("Presentation", "Imaging", "Pathology and immunohistochemistry",
             "Operations and therapies", "Other events", "Outcome")
_KIND_SECTION = {
    "PresentingSymptom": "Presentation", "ExaminationFinding": "Presentation",
    "LaboratoryFinding": "Presentation", "ImagingFinding": "Imaging",
    "GrossPathologyFinding": "Pathology and immunohistochemistry",
    "HistopathologyFinding": "Pathology and immunohistochemistry",
    "MicroscopicPathologyFinding": "Pathology and immunohistochemistry",
    "IntraoperativeFinding": "Operations and therapies",
    "Complication": "Operations and therapies", "TreatmentFinding": "Operations and therapies",
    "Metastasis": "Outcome", "Recurrence": "Outcome",
}
_EVENT_SECTION = {
    "ImagingProcedure": "Imaging", "PathologyProcedure": "Pathology and immunohistochemistry",
    "SurgicalProcedure": "Operations and therapies", "SystemicTherapy": "Operations and therapies",
    "Radiotherapy": "Operations and therapies", "RadiationTherapy": "Operations and therapies",
    "AnticoagulantTherapy": "Operations and therapies",
    "EndovascularProcedure": "Operations and therapies",
    "FollowUpAssessment": "Outcome", "LastFollowUp": "Outcome",
}


def marker_text(marker: str, result: str) -> str:
    """An immunohistochemistry result as said: ``CD34 negative``."""
    return f"{marker} {result}"


def timing_text(timing: Iterable[Timing]) -> str:
    """The event's timing as the report gives it (relative, imprecise where it is)."""
    parts = []
    for t in timing:
        precision = "" if t.precision in (None, "exact") else f"{t.precision} "
        size = f"{precision}{t.amount:g} {t.unit}{'s' if t.amount != 1 else ''} " \
            if t.amount is not None and t.unit else ""
        parts.append(f"{size}{t.relation} {t.reference}")
    return "; ".join(parts)


def finding_text(finding: Finding) -> str:
    """``present``: the concept (and where); ``absent``: ``no`` + concept; else says the
    presence is not stated."""
    concept = str(finding.concept) if finding.concept else (
        ", ".join(map(str, finding.kinds)) or "finding")
    where = f" ({finding.site})" if finding.site else ""
    if finding.presence == "absent":
        return f"no {concept[:1].lower() + concept[1:]}{where}"
    if finding.presence == "present":
        return f"{concept}{where}"
    return f"{concept}{where}: presence {finding.presence or 'not stated'}"


@dataclass(frozen=True)
class Fact:
    """One line of the case page: its text, whether it is a negative, when, details, and
    the source location and curation note of its node."""

    text: str
    negative: bool = False
    when: str = ""
    detail: str = ""
    location: str = ""
    note: str = ""


@dataclass
class CasePage:
    """The facts of one case, by section, with the notes of the case as a whole."""

    case: Case
    sections: dict[str, list[Fact]] = field(default_factory=dict)
    location: str = ""
    note: str = ""
    tumour_location: str = ""
    tumour_note: str = ""

    def section(self, name: str) -> list[Fact]:
        return self.sections.get(name, [])


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _event_section(event: Event) -> str:
    for term in event.types:
        if (section := _EVENT_SECTION.get(_local(term.iri))) is not None:
            return section
    return "Operations and therapies" if isinstance(event, Procedure) else "Other events"


def _finding_section(finding: Finding, event_sections: dict[str, str]) -> str:
    for term in finding.kinds:
        if (section := _KIND_SECTION.get(_local(term.iri))) is not None:
            return section
    for term in finding.observed_in:
        if term.iri in event_sections:
            return event_sections[term.iri]
    return "Other events"


def _notes(graph: KnowledgeGraph, case: Case) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for row in graph.store.select(_NOTES, {"_graph": URIRef(case.iri)}):
        key = "location" if str(row["property"]).endswith("sourceLocation") else "note"
        slot = found.setdefault(str(row["node"]), {})
        slot[key] = "; ".join(filter(None, (slot.get(key), str(row["value"]))))
    return found


def case_page(graph: KnowledgeGraph, case: Case) -> CasePage:
    """The facts of ``case`` by section (one query for the notes of its graph)."""
    notes = _notes(graph, case)

    def fact(iri: str, text: str, **extra: object) -> Fact:
        where = notes.get(iri, {})
        return Fact(text, location=where.get("location", ""), note=where.get("note", ""),
                    **extra)  # type: ignore[arg-type]

    page = CasePage(case, {name: [] for name in _SECTIONS},
                    location=notes.get(case.iri, {}).get("location", ""),
                    note=notes.get(case.iri, {}).get("note", ""),
                    tumour_location=notes.get(case.tumour.iri, {}).get("location", ""),
                    tumour_note=notes.get(case.tumour.iri, {}).get("note", ""))
    tumour = case.tumour
    pathology = page.sections["Pathology and immunohistochemistry"]
    for size in tumour.sizes:
        dims = " × ".join(f"{d:g}" for d in size.dimensions_cm)
        how = f" by {size.method}" if size.method else ""
        of = f" ({size.of})" if size.of.iri != tumour.iri else ""
        section = "Imaging" if any("imaging" in str(t).lower() or "tomograph" in str(t).lower()
                                   or "resonance" in str(t).lower() or "sonograph" in
                                   str(t).lower() for t in size.measured_in) else None
        target = page.sections[section] if section else pathology
        target.append(Fact(f"size {dims} cm{of}{how}",
                           detail=size.specimen or size.description or ""))
    if tumour.grade is not None:
        pathology.append(Fact(f"grade: {tumour.grade}"))
    if tumour.mitotic_count is not None:
        count = tumour.mitotic_count
        comparator = f"{count.comparator} " if count.comparator not in (None, "equal to") else ""
        pathology.append(Fact(f"mitotic count {comparator}{count.per_10_hpf:g} "
                              "per 10 high-power fields"))
    for result in tumour.immunohistochemistry:
        pathology.append(Fact(marker_text(str(result.marker), result.result),
                              negative=result.result == "negative",
                              detail=result.specimen or ""))
    event_sections = {}
    for event in case.events:
        section = _event_section(event)
        event_sections[event.iri] = section
        detail = event.description or ""
        if isinstance(event, Procedure):
            extras = [f"intent: {event.intent}" if event.intent else "",
                      f"result: {event.result}" if event.result else "",
                      f"step of: {event.part_of}" if event.part_of else ""]
            detail = "; ".join(filter(None, [detail, *extras]))
        page.sections[section].append(fact(event.iri, str(event), when=timing_text(event.timing),
                                           detail=detail))
    for finding in case.findings:
        section = _finding_section(finding, event_sections)
        seen_in = ", ".join(map(str, finding.observed_in))
        detail = "; ".join(filter(None, [finding.description or "",
                                         f"seen in: {seen_in}" if seen_in else ""]))
        page.sections[section].append(fact(finding.iri, finding_text(finding),
                                           negative=finding.presence == "absent",
                                           detail=detail))
    follow_up = case.follow_up
    if follow_up is not None:
        when = (f"{follow_up.months_after_index_surgery:g} months after the index operation"
                if follow_up.months_after_index_surgery is not None
                else timing_text(follow_up.timing))
        status = follow_up.vital_status or "vital status not reported"
        disease = (f"; disease: {follow_up.disease_status}" if follow_up.disease_status
                   else "; disease status not reported")
        page.sections["Outcome"].append(fact(follow_up.iri, f"last follow-up: {status}{disease}",
                                             when=when))
    return page
