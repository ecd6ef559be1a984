"""What each case states, gathered once in the shape every export format needs.

:func:`gather_facts` reads every case graph in one scan (the triples the analysis records
read, plus markers and agents), builds each case's :class:`kg.analysis.records.CaseRecord`
(so that ages, vessels and survival times are those ``vlmskg summary`` and ``vlmskg
survival`` report) and adds the codes the formats need: the vessel and its side, the grade,
markers, HPO-coded findings present or excluded, procedures with their time from the index
operation, metastases. Nothing is filled in that the case does not state.

>>> from kg.store import open_store
>>> facts = {f.id: f for f in gather_facts(open_store())}
>>> c1 = facts["lms-ivc-two-cases-c1"]
>>> c1.record.age_years, c1.record.sex, c1.vessel.curie, c1.margin.label
(60, 'female', 'UBERON:0001072', 'R0')
>>> [(m.site.label, m.months) for m in c1.metastases]
[('lung', 9.0)]
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from kg.analysis import records as records_module
from kg.analysis import timeline as timeline_module
from kg.analysis.cache import CaseTable
from kg.analysis.records import (
    CaseRecord,
    CaseTriples,
    Ontology,
    SurvivalTime,
    build_record,
    fetch_case_triples,
    fetch_ontology,
    fetch_publications,
    timeline_links,
)
from kg.analysis.timeline import offsets
from kg.exports import codes as codes_module
from kg.exports.codes import Code, code_for
from kg.namespaces import INFERRED_GRAPH, OBO, VLMS
from kg.progress import track
from kg.store.base import Store

__all__ = ["CaseFacts", "ProcedureFact", "MetastasisFact", "gather_facts", "load_facts", "FACTS",
           "LEIOMYOSARCOMA"]

LEIOMYOSARCOMA = str(OBO["NCIT_C3158"])
_BLOOD_VESSEL = str(OBO["UBERON_0001981"])
_PART_OF = str(OBO["BFO_0000050"])
_HPO = str(OBO) + "HP_"
_PRIMARY_REPAIR = str(OBO["MAXO_0001301"])
_EXTRA = [str(VLMS[n]) for n in ("hasImmunohistochemistryResult", "marker", "markerResult",
                                 "agent", "hasEvent", "hasFinding")]
_ROLES = {  # role class -> what the exports call such a procedure
    "VesselManagement": "surgery", "SurgicalProcedure": "surgery", "BiopsyProcedure": "biopsy",
    "RadiationTherapy": "radiation therapy", "SystemicTherapy": "systemic therapy",
    "AnticoagulantTherapy": "systemic therapy", "ThrombolyticTherapy": "systemic therapy",
    "ImagingProcedure": "imaging", "PathologyProcedure": "pathology",
}
_INFERRED = f"SELECT ?s ?o WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s a ?o }} }}"
_ROLE_IRIS = {str(VLMS[r]) for r in _ROLES} | {str(VLMS.Procedure)}


@dataclass(frozen=True)
class ProcedureFact:
    code: Code
    kind: str
    """``surgery``, ``biopsy``, ``imaging``, ``pathology``, ``systemic therapy``,
    ``radiation therapy`` or ``other``."""
    months: float | None
    """Months after the index operation (negative: before), where the case places it."""
    intent: Code | None
    agents: tuple[Code, ...]
    is_index: bool


@dataclass(frozen=True)
class MetastasisFact:
    concept: Code | None
    site: Code | None
    months: float | None


@dataclass(frozen=True)
class CaseFacts:
    """One case, coded for export: its analysis record and the codes behind its values."""

    id: str
    record: CaseRecord
    citation: str | None
    diagnosis: Code
    vessel: Code | None
    laterality: Code | None
    segments: tuple[Code, ...]
    tumour_classes: tuple[Code, ...]
    """The most specific tumour classes the reasoner inferred (by vessel, segment...)."""
    grade: Code | None
    markers: tuple[tuple[Code, str], ...]
    """Immunohistochemistry: marker and result word (positive, negative, focal...)."""
    phenotypes: tuple[tuple[Code, bool], ...]
    """HPO-coded findings, ``False`` for a stated absence."""
    procedures: tuple[ProcedureFact, ...]
    vessel_management: tuple[Code, ...]
    margin: Code | None
    metastases: tuple[MetastasisFact, ...]
    recurrences: tuple[float | None, ...]
    """Months after the index operation of each local recurrence (``None``: not timed)."""

    @property
    def overall(self) -> SurvivalTime:
        """Overall survival from the index operation, as ``vlmskg survival`` counts it."""
        return self.record.time("overall", "surgery")

    @property
    def event_free(self) -> SurvivalTime:
        """Time to recurrence, metastasis or death from the index operation."""
        return self.record.time("event-free", "surgery")

    def as_row(self) -> list[Any]:
        """The facts as nested lists of JSON values (a code as ``[curie, label, iri]``): the
        form the build's cache keeps (:data:`FACTS`)."""
        return [self.id, self.record.as_row(), self.citation, _row(self.diagnosis),
                _row(self.vessel), _row(self.laterality), [_row(c) for c in self.segments],
                [_row(c) for c in self.tumour_classes], _row(self.grade),
                [[_row(c), word] for c, word in self.markers],
                [[_row(c), present] for c, present in self.phenotypes],
                [[_row(p.code), p.kind, p.months, _row(p.intent), [_row(a) for a in p.agents],
                  p.is_index] for p in self.procedures],
                [_row(c) for c in self.vessel_management], _row(self.margin),
                [[_row(m.concept), _row(m.site), m.months] for m in self.metastases],
                list(self.recurrences)]

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> CaseFacts:
        """The facts :meth:`as_row` gave.

        >>> import json
        >>> from kg.store import open_store
        >>> facts = gather_facts(open_store())[0]
        >>> CaseFacts.from_row(json.loads(json.dumps(facts.as_row()))) == facts
        True
        """
        (id, record, citation, diagnosis, vessel, laterality, segments, classes, grade,
         markers, phenotypes, procedures, management, margin, metastases, recurrences) = row
        return cls(
            id=id, record=CaseRecord.from_row(record), citation=citation,
            diagnosis=Code(*diagnosis), vessel=_code(vessel), laterality=_code(laterality),
            segments=tuple(Code(*c) for c in segments),
            tumour_classes=tuple(Code(*c) for c in classes), grade=_code(grade),
            markers=tuple((Code(*c), word) for c, word in markers),
            phenotypes=tuple((Code(*c), present) for c, present in phenotypes),
            procedures=tuple(ProcedureFact(Code(*c), kind, months, _code(intent),
                                           tuple(Code(*a) for a in agents), is_index)
                             for c, kind, months, intent, agents, is_index in procedures),
            vessel_management=tuple(Code(*c) for c in management), margin=_code(margin),
            metastases=tuple(MetastasisFact(_code(c), _code(s), months)
                             for c, s, months in metastases),
            recurrences=tuple(recurrences))


def _row(code: Code | None) -> list[str] | None:
    return None if code is None else [code.curie, code.label, code.iri]


def _code(row: Sequence[str] | None) -> Code | None:
    return None if row is None else Code(*row)


def gather_facts(store: Store, cases: Sequence[str] | None = None) -> list[CaseFacts]:
    """The facts of every case in ``store`` (or of the case IRIs ``cases``), by case id."""
    ontology = fetch_ontology(store)
    triples = fetch_case_triples(store, cases, _EXTRA)
    publications = fetch_publications(store)
    inferred: dict[str, list[str]] = defaultdict(list)
    for node, cls in store.select_values(_INFERRED, ["s", "o"]):
        inferred[node].append(cls)
    return [_Gatherer(triples[graph], ontology, inferred).facts(
                build_record(triples[graph], ontology, publications), publications)
            for graph in track(sorted(triples), "coding each case's facts")]


#: the export facts in the build's cache (table ``export_facts``, see
#: :class:`kg.analysis.cache.CaseTable`): the build writes them beside the records.
FACTS: CaseTable[CaseFacts] = CaseTable(
    "export_facts", "export-facts",
    (records_module, timeline_module, sys.modules[__name__], codes_module), attrgetter("id"),
    CaseFacts.as_row, CaseFacts.from_row, gather_facts)


def load_facts(store: Store) -> list[CaseFacts]:
    """Every case's facts, sorted by case id: from the cache of an on-disk store built by
    ``vlmskg build --store`` when it is current, else gathered from the store (and then
    saved in that cache)."""
    return FACTS.load(store)


class _Gatherer:
    def __init__(self, f: CaseTriples, ontology: Ontology, inferred: dict[str, list[str]]) -> None:
        self.f, self.ontology, self.inferred = f, ontology, inferred
        self.index = f.one(f.case, str(VLMS.indexSurgery))
        self.tumour = f.one(f.case, str(VLMS.hasTumour))
        self.placed = offsets(timeline_links(f, ontology), self.index) if self.index else {}

    def code(self, iri: str) -> Code:
        return code_for(iri, self.ontology.labels.get(iri))

    def most_specific(self, node: str, below: str | None = None) -> Code | None:
        """The node's most specific class (at or below ``below``), external terms first."""
        types = self.f.types(node)
        inside = [t for t in types if below is None or below in self.ontology.ancestors(t)]
        classes = sorted(t for t in inside if not any(
            o != t and t in self.ontology.ancestors(o) for o in inside))
        external = [c for c in classes if not c.startswith(str(VLMS))] or classes
        return self.code(external[0]) if external else None

    def months(self, events: Iterable[str]) -> float | None:
        """The earliest time of ``events`` placed from the index operation; a step of an
        operation takes the operation's time."""
        found = [self.placed[w].months for e in events
                 for w in (e, *self.f.all(e, _PART_OF)) if w in self.placed]
        return min(found) if found else None

    def facts(self, record: CaseRecord, publications: dict[str, dict[str, str]]) -> CaseFacts:
        f, tumour = self.f, self.tumour
        vessel = self.vessel()
        side = f.one(vessel, str(VLMS.laterality)) if vessel else None
        procedures = tuple(self.procedures())
        inferred = [*f.types(tumour), *self.inferred.get(tumour, ())] if tumour else []
        return CaseFacts(
            id=record.case_id,
            record=record,
            citation=record.citation,
            diagnosis=self.code(LEIOMYOSARCOMA),
            vessel=self.most_specific(vessel, _BLOOD_VESSEL) if vessel else None,
            laterality=self.code(side) if side else None,
            segments=tuple(self.code(str(VLMS[f"IVC{s.title()}Segment"]))
                           for s in record.ivc_segments),
            tumour_classes=tuple(self.code(c) for c in self.ontology.most_specific(
                inferred, str(VLMS.VascularLeiomyosarcoma))),
            grade=self.code(g) if (g := f.one(tumour, str(VLMS.grade))) else None,
            markers=self.markers(),
            phenotypes=tuple(self.phenotypes()),
            procedures=procedures,
            vessel_management=tuple(sorted(
                {p.code for p in procedures if p.code.iri == _PRIMARY_REPAIR
                 or self.ontology.is_a([p.code.iri], str(VLMS.VesselManagement))},
                key=lambda c: c.label.lower())),
            margin=self.margin(),
            metastases=tuple(self.metastases()),
            recurrences=tuple(
                self.months([*f.all(r, str(VLMS.observedIn)), *f.all(r, str(VLMS.onset))])
                for r in sorted(f.subjects_typed(self.ontology, str(VLMS.Recurrence)))
                if f.one(r, str(VLMS.presence)) == str(VLMS.Present)),
        )

    def markers(self) -> tuple[tuple[Code, str], ...]:
        found = []
        for result in self.f.all(self.tumour, str(VLMS.hasImmunohistochemistryResult)):
            marker = self.f.one(result, str(VLMS.marker))
            value = self.f.one(result, str(VLMS.markerResult))
            if marker and value:
                found.append((self.code(marker), self.ontology.label(value).lower()))
        return tuple(sorted(found, key=lambda m: (m[0].label.lower(), m[1])))

    def vessel(self) -> str | None:
        """The nearest blood vessel at or above a site the tumour arises from."""
        frontier = sorted(self.f.all(self.tumour, str(VLMS.arisesFrom)))
        seen = set(frontier)
        while frontier:
            vessels = [n for n in frontier if self.ontology.is_a(self.f.types(n), _BLOOD_VESSEL)]
            if vessels:
                return vessels[0]
            frontier = sorted({p for n in frontier for p in self.f.all(n, _PART_OF)} - seen)
            seen.update(frontier)
        return None

    def margin(self) -> Code | None:
        stated = [m for m in (self.f.one(self.index, str(VLMS.marginStatus)),) if m] or sorted(
            m for props in self.f.by.values() for m in props.get(str(VLMS.marginStatus), ()))
        return self.code(max(stated)) if stated else None

    def phenotypes(self) -> Iterable[tuple[Code, bool]]:
        seen = set()
        for finding in sorted(self.f.all(self.f.case, str(VLMS.hasFinding))):
            concept = self.f.one(finding, str(VLMS.concept))
            presence = self.f.one(finding, str(VLMS.presence))
            if (concept and concept.startswith(_HPO)
                    and presence in (str(VLMS.Present), str(VLMS.Absent))
                    and (concept, presence) not in seen):
                seen.add((concept, presence))
                yield self.code(concept), presence == str(VLMS.Present)

    def procedures(self) -> Iterable[ProcedureFact]:
        for event in sorted(self.f.all(self.f.case, str(VLMS.hasEvent)),
                            key=lambda e: (self.placed[e].months if e in self.placed else 1e9, e)):
            types = self.f.types(event)
            if not self.ontology.is_a(types, str(VLMS.Procedure)):
                continue
            kind = next((word for role, word in _ROLES.items()
                         if self.ontology.is_a(types, str(VLMS[role]))), "other")
            techniques = [t for t in types if t not in _ROLE_IRIS] or types
            technique = self.ontology.most_specific(techniques, str(VLMS.Procedure)) or sorted(
                techniques)
            intent = self.f.one(event, str(VLMS.intent))
            yield ProcedureFact(
                code=self.code(technique[0]), kind=kind, months=self.months([event]),
                intent=self.code(intent) if intent else None,
                agents=tuple(self.code(a) for a in sorted(self.f.all(event, str(VLMS.agent)))),
                is_index=event == self.index)

    def metastases(self) -> Iterable[MetastasisFact]:
        for finding in sorted(self.f.subjects_typed(self.ontology, str(VLMS.Metastasis))):
            if self.f.one(finding, str(VLMS.presence)) != str(VLMS.Present):
                continue
            concept = self.f.one(finding, str(VLMS.concept))
            sites = self.f.all(finding, str(VLMS.site))
            seen = [*self.f.all(finding, str(VLMS.observedIn)),
                    *self.f.all(finding, str(VLMS.onset))]
            yield MetastasisFact(
                concept=self.code(concept) if concept else None,
                site=self.most_specific(sites[0]) if sites else None,
                months=self.months(seen))

