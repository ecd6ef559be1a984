"""Read one case's named graph into the typed objects of :mod:`kg.api.cases`.

Two queries per case: every triple of the case graph, and the classes the reasoner
inferred for its tumour. The rest is walking those triples in memory, with labels and
the class hierarchy from the :class:`~kg.api.vocabulary.Vocabulary`.

>>> from kg.api import KnowledgeGraph
>>> graph = KnowledgeGraph.open()
>>> case = read_case(graph.store, "https://w3id.org/vlmskg/case/lms-ivc-two-cases-c1",
...                  graph.vocabulary, graph.source_of("https://w3id.org/vlmskg/case/lms-ivc-two-cases-c1"))
>>> case.patient.age_years
60
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from rdflib import RDF, RDFS, URIRef
from rdflib.term import Node

from kg.api.cases import (
    Case,
    Event,
    Finding,
    FollowUp,
    MarkerResult,
    MitoticCount,
    Patient,
    Procedure,
    Provenance,
    Site,
    Size,
    Term,
    Timing,
    Tumour,
    TumourClass,
)
from kg.api.labels import pick_label
from kg.api.vocabulary import Vocabulary
from kg.namespaces import INFERRED_GRAPH, OBO, VLMS, case_id
from kg.queries.run import to_python
from kg.store.base import Store

__all__ = ["read_case"]

_TRIPLES = "SELECT ?s ?p ?o WHERE { GRAPH ?case { ?s ?p ?o } }"
_INFERRED = "SELECT DISTINCT ?type WHERE { GRAPH ?inferred { ?tumour a ?type } }"

PART_OF = OBO["BFO_0000050"]
ADJACENT_TO = OBO["RO_0002220"]
_SITE_RELATIONS = ((VLMS.arisesFrom, "origin"), (VLMS.extendsInto, "extension"),
                   (VLMS.involves, "involved"))
_DIMENSIONS = (VLMS.firstDimensionCm, VLMS.secondDimensionCm, VLMS.thirdDimensionCm)

_Index = dict[tuple[Node, Node], list[Node]]
"""A case graph as ``(subject, predicate) → objects``."""


def read_case(store: Store, iri: str, vocabulary: Vocabulary, source: Provenance) -> Case:
    """The case ``iri`` as a :class:`Case`; its graph must exist in ``store``."""
    graph: _Index = defaultdict(list)
    for row in store.select(_TRIPLES, {"case": URIRef(iri)}):
        graph[row["s"], row["p"]].append(row["o"])
    found = graph.get((URIRef(iri), VLMS.hasTumour))
    tumour = found[0] if found else None
    inferred = [] if tumour is None or not isinstance(tumour, URIRef) else [
        row["type"] for row in store.select(
            _INFERRED, {"inferred": URIRef(INFERRED_GRAPH), "tumour": tumour})]
    return _Reader(graph, vocabulary).case(URIRef(iri), inferred, source)


def _words(local: str) -> str:
    """``NoEvidenceOfDisease`` → ``no evidence of disease``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", local).lower()


class _Reader:
    """Walks one case graph; every method reads, none writes."""

    def __init__(self, graph: _Index, vocabulary: Vocabulary) -> None:
        self.graph = graph
        self.vocabulary = vocabulary
        self.names: dict[Node, str | None] = {}

    # --- values -------------------------------------------------------------------

    def all(self, node: Node | None, prop: URIRef) -> list[Node]:
        if node is None:
            return []
        return sorted(self.graph.get((node, prop), ()), key=str)

    def one(self, node: Node | None, prop: URIRef) -> Node | None:
        found = self.all(node, prop)
        return found[0] if found else None

    def value(self, node: Node | None, prop: URIRef) -> Any:
        return to_python(self.one(node, prop))

    def number(self, node: Node | None, prop: URIRef) -> float | None:
        found = self.value(node, prop)
        return None if found is None else float(found)

    def label(self, node: Node) -> str | None:
        own = pick_label(self.graph.get((node, RDFS.label), ()))
        return own or self.names.get(node) or self.vocabulary.label(str(node))

    def term(self, node: Node | None) -> Term | None:
        return None if node is None else Term(str(node), self.label(node))

    def terms(self, nodes: Iterable[Node | str]) -> tuple[Term, ...]:
        found = [Term(str(n), self.label(n if isinstance(n, Node) else URIRef(n))) for n in nodes]
        return tuple(sorted(found, key=lambda t: (str(t).lower(), t.iri)))

    def word(self, node: Node | None) -> str | None:
        """A coded value of a small value set as a lower-case word (its label)."""
        if node is None:
            return None
        label = self.label(node)
        return label.lower() if label else _words(re.split(r"[/#]", str(node))[-1])

    def types(self, node: Node) -> list[str]:
        return [str(t) for t in self.graph.get((node, RDF.type), ())]

    # --- parts --------------------------------------------------------------------

    def case(self, iri: URIRef, inferred: list[Node], source: Provenance) -> Case:
        events = self.all(iri, VLMS.hasEvent)
        for event in events:  # an unlabelled event is named by its technique
            own = pick_label(self.graph.get((event, RDFS.label), ()))
            specific = self.technique_first(self.types(event))
            self.names[event] = own or (self.vocabulary.label(specific[0]) if specific else None)
        timeline = sorted((self.event(e) for e in events),
                          key=lambda e: (e.position is None, e.position or 0, e.iri))
        positions = {e.iri: e.position for e in timeline}
        findings = sorted((self.finding(f) for f in self.all(iri, VLMS.hasFinding)),
                          key=lambda f: (min((positions.get(o.iri) or 0 for o in f.observed_in),
                                             default=-1), f.iri))
        return Case(
            id=case_id(str(iri)),
            iri=str(iri),
            label=pick_label(self.graph.get((iri, RDFS.label), ())),
            patient=self.patient(self.one(iri, VLMS.hasPatient)),
            tumour=self.tumour(self.one(iri, VLMS.hasTumour), inferred),
            events=tuple(timeline),
            findings=tuple(findings),
            follow_up=self.follow_up(self.one(iri, VLMS.lastFollowUp),
                                     self.one(iri, VLMS.indexSurgery)),
            source=source,
        )

    def patient(self, node: Node | None) -> Patient:
        return Patient(iri=str(node), age_years=self.value(node, VLMS.ageYears),
                       sex=self.word(self.one(node, VLMS.sex)))

    def tumour(self, node: Node | None, inferred: list[Node]) -> Tumour:
        asserted = {str(t) for t in self.all(node, RDF.type)}
        classes = sorted((TumourClass(t, self.vocabulary.label(t)) for t in asserted),
                         key=lambda c: str(c).lower())
        classes += sorted((TumourClass(str(t), self.vocabulary.label(str(t)), inferred=True)
                           for t in set(inferred) if str(t) not in asserted),
                          key=lambda c: (str(c).lower(), c.iri))
        parts = [node, *self.all(node, VLMS.hasPortion)]
        return Tumour(
            iri=str(node),
            label=self.label(node) if node is not None else None,
            classes=tuple(classes),
            sites=tuple(self.site(s, relation) for prop, relation in _SITE_RELATIONS
                        for s in self.all(node, prop)),
            adjacent_to=tuple(self.site(s, "adjacent") for s in self.all(node, ADJACENT_TO)),
            growth_patterns=self.terms(self.all(node, VLMS.growthPattern)),
            grade=self.term(self.one(node, VLMS.grade)),
            sizes=tuple(self.size(m, part) for part in parts
                        for m in self.all(part, VLMS.hasSizeMeasurement)),
            mitotic_count=self.mitotic_count(self.one(node, VLMS.hasMitoticCount)),
            immunohistochemistry=tuple(
                self.marker(r) for r in self.all(node, VLMS.hasImmunohistochemistryResult)),
        )

    def site(self, node: Node, relation: str) -> Site:
        return Site(iri=str(node), label=self.label(node), relation=relation,
                    classes=self.terms(self.all(node, RDF.type)),
                    laterality=self.word(self.one(node, VLMS.laterality)),
                    part_of=self.terms(self.all(node, PART_OF)))

    def size(self, node: Node, of: Node | None) -> Size:
        measured_in = self.terms(self.all(node, VLMS.measuredIn))
        specimen = self.one(node, VLMS.specimen)
        return Size(
            dimensions_cm=tuple(v for v in (self.number(node, d) for d in _DIMENSIONS)
                                if v is not None),
            of=Term(str(of), self.label(of) if of is not None else None),
            measured_in=measured_in,
            specimen=self.value(specimen, VLMS.description),
            aggregate_of_fragments=self.value(node, VLMS.aggregateOfFragments),
            description=self.value(node, VLMS.description),
        )

    def mitotic_count(self, node: Node | None) -> MitoticCount | None:
        count = self.number(node, VLMS.mitosesPer10HPF)
        if count is None:
            return None
        return MitoticCount(count, self.word(self.one(node, VLMS.comparator)))

    def marker(self, node: Node) -> MarkerResult:
        return MarkerResult(
            marker=self.term(self.one(node, VLMS.marker)) or Term(str(node)),
            result=self.word(self.one(node, VLMS.markerResult)) or "not stated",
            specimen=self.value(self.one(node, VLMS.specimen), VLMS.description),
        )

    def timing(self, node: Node) -> Timing:
        amount = self.number(node, VLMS.amount)
        unit = self.one(node, VLMS.timeUnit)
        factor = self.vocabulary.months_per_unit.get(str(unit)) if unit is not None else None
        reference = self.one(node, VLMS.relativeTo)
        return Timing(
            relation=self.word(self.one(node, VLMS.temporalRelation)) or "not stated",
            reference=self.term(reference) or Term(""),
            amount=amount,
            unit=self.word(unit),
            precision=self.word(self.one(node, VLMS.precision)),
            months=amount * factor if amount is not None and factor is not None else None,
        )

    def technique_first(self, types: list[str]) -> list[str]:
        """The most specific of ``types``, a technique (``thromboembolectomy``) before a
        role class of the ontology (``surgical procedure``, under ``vlms:ClinicalEvent``)."""
        return sorted(self.vocabulary.most_specific(types),
                      key=lambda t: self.vocabulary.is_a(t, str(VLMS.ClinicalEvent)))

    def event(self, node: Node) -> Event:
        types = self.types(node)
        specific = self.technique_first(types)
        ordered = specific + sorted(set(types) - set(specific))
        fields: dict[str, Any] = dict(
            iri=str(node),
            label=self.label(node),
            types=tuple(Term(t, self.vocabulary.label(t)) for t in ordered),
            position=self.value(node, VLMS.timelinePosition),
            timing=tuple(self.timing(t) for t in self.all(node, VLMS.hasTiming)),
            description=self.value(node, VLMS.description),
        )
        if not any(self.vocabulary.is_a(t, str(VLMS.Procedure)) for t in types):
            return Event(**fields)
        return Procedure(**fields, intent=self.term(self.one(node, VLMS.intent)),
                         result=self.term(self.one(node, VLMS.procedureResult)),
                         part_of=self.term(self.one(node, PART_OF)))

    def finding(self, node: Node) -> Finding:
        return Finding(
            iri=str(node),
            kinds=self.terms(self.vocabulary.most_specific(self.types(node))),
            concept=self.term(self.one(node, VLMS.concept)),
            presence=self.word(self.one(node, VLMS.presence)),
            site=self.term(self.one(node, VLMS.site)),
            observed_in=self.terms(self.all(node, VLMS.observedIn)),
            description=self.value(node, VLMS.description),
        )

    def follow_up(self, node: Node | None, index_surgery: Node | None) -> FollowUp | None:
        if node is None:
            return None
        timing = tuple(self.timing(t) for t in self.all(node, VLMS.hasTiming))
        months = next((t.months for t in timing if index_surgery is not None
                       and t.reference.iri == str(index_surgery) and t.relation == "after"
                       and t.months is not None), None)
        return FollowUp(iri=str(node), months_after_index_surgery=months,
                        vital_status=self.word(self.one(node, VLMS.vitalStatus)),
                        disease_status=self.term(self.one(node, VLMS.diseaseStatus)),
                        timing=timing)
