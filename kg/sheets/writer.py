"""Write any case graph (compiled from a sheet or hand-written in Turtle) back as a sheet.

The curator's review view (``vlmskg sheets show CASE-ID``): the facts of the case in the
sheet's words. For a sheet, sheet -> graph -> sheet -> graph gives the same graph. A Turtle
case holds more than a sheet can say (free-text descriptions, steps of an operation,
specimens); the sheet shows what its fields cover.

>>> from kg.sheets.case import compile_case
>>> sheet = {"publication": "p", "case number": 2, "patient": {"age": 61, "sex": "male"},
...          "tumour": {"vessel": "IVC", "immunohistochemistry": {"desmin": "focal"}},
...          "operations": [{"name": "resection", "margin": "R1"}],
...          "events": [{"kind": "metastasis", "site": "lung", "time": "about 2 years"}]}
>>> back = case_to_sheet(compile_case(sheet, "p-c2"), "p-c2")
>>> back["tumour"]
{'vessel': 'inferior vena cava', 'immunohistochemistry': {'desmin': 'focal'}}
>>> back["events"]
[{'kind': 'metastasis', 'site': 'lung', 'time': 'about 2 years'}]
>>> print(dump_sheet(back).splitlines()[0])
publication: p
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import pyoxigraph as ox
from ruamel.yaml import YAML

from kg.namespaces import CASE, PUBLICATION
from kg.sheets.case import _MANAGEMENT, _METASTASIS, _NECROSIS, _NOT_GIVEN, _SEGMENTS
from kg.sheets.terms import OBO, VLMS, TermIndex, term_index
from kg.sheets.timing import UNIT_IRIS, TimeValue, format_time

__all__ = ["case_to_sheet", "dump_sheet"]

_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_PART_OF = OBO + "BFO_0000050"
_ADJACENT = OBO + "RO_0002220"
_WALL = OBO + "UBERON_0035965"
_UNITS = {iri: name for name, iri in UNIT_IRIS.items()}
_ROLES = {VLMS + r for r in ("Procedure", "SurgicalProcedure", "ImagingProcedure",
                             "PathologyProcedure", "BiopsyProcedure", "SystemicTherapy",
                             "RadiationTherapy", "AnticoagulantTherapy", "LaboratoryTest")}
_KIND_OF_MANAGEMENT = {VLMS + cls if "://" not in cls else cls: kind
                       for kind, cls in _MANAGEMENT.items() if kind != "reimplantation"}
_SEGMENT_WORDS = {VLMS + cls: word for word, cls in _SEGMENTS.items()}
_UNCERTAIN = "The source leaves the vessel of origin uncertain."
_NOT_THERAPY = {VLMS + r for r in ("SurgicalProcedure", "ImagingProcedure", "PathologyProcedure",
                                   "BiopsyProcedure", "VesselManagement", "LaboratoryTest",
                                   "PhysicalExamination", "PerfusionTechnique")}
_THERAPY_KINDS = {OBO + "MAXO_0000647": "chemotherapy", OBO + "MAXO_0000014": "radiotherapy"}


class _Graph:
    def __init__(self, quads: Iterable[ox.Quad]) -> None:
        self.out: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        self.into: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for q in quads:
            if not isinstance(q.subject, (ox.NamedNode, ox.BlankNode)):
                continue
            s, p, o = q.subject.value, q.predicate.value, q.object
            value: Any = o.value if isinstance(o, ox.NamedNode) else o
            self.out[s][p].append(value)
            if isinstance(o, ox.NamedNode):
                self.into[o.value][p].append(s)

    def all(self, s: str, p: str) -> list[Any]:
        return list(self.out.get(s, {}).get(p, []))

    def one(self, s: str, p: str) -> Any:
        values = self.all(s, p)
        return values[0] if values else None

    def types(self, s: str) -> set[str]:
        return set(self.all(s, _TYPE))

    def subjects(self, p: str, o: str) -> list[str]:
        return list(self.into.get(o, {}).get(p, []))

    def text(self, s: str, p: str) -> str | None:
        value = self.one(s, p)
        return value.value if isinstance(value, ox.Literal) else None

    def number(self, s: str, p: str) -> int | float | None:
        text = self.text(s, p)
        if text is None:
            return None
        return float(text) if "." in text else int(Decimal(text))

    def position(self, s: str) -> int:
        return int(self.text(s, VLMS + "timelinePosition") or 0)


class _Writer:
    def __init__(self, graph: _Graph, case_id: str, index: TermIndex) -> None:
        self.g = graph
        self.case = f"{CASE}{case_id}"
        self.index = index
        self.index_op = graph.one(self.case, VLMS + "indexSurgery")
        self.vessel: str | None = None
        self.used: set[str] = set()

    def word(self, iri: str, kind: str | None = None) -> str:
        """The shortest word that names ``iri`` (within ``kind``) unambiguously."""
        term = self.index.get(iri)
        if term is None:
            from kg.sheets.terms import curie
            return curie(iri)
        label = term.label
        if label[:1].isupper() and label[1:2].islower() and not any(
                ch.isupper() for ch in label[1:]):
            label = label.lower()
        candidates = sorted({*term.synonyms, term.label}, key=lambda w: (len(w) < 3, len(w), w))
        if len(label) > 20 and term.preferred:
            candidates.insert(0, term.preferred)
        else:
            candidates.insert(0, label)
        for word in candidates:
            found = self.index.lookup(word, kind)
            if len(found) == 1 and found[0].iri == iri:
                return word
        return term.curie

    def technique(self, node: str) -> str | None:
        """The most specific class of a procedure that is not a bare role class."""
        types = self.g.types(node)
        specific = [t for t in types if t not in _ROLES or len(types) == 1]
        specific = [t for t in specific if not any(
            t in (self.index.get(o).supers if self.index.get(o) else set())  # type: ignore[union-attr]
            for o in specific if o != t)]
        return sorted(specific)[0] if specific else None

    def structure_word(self, node: str) -> str:
        cls = sorted(self.g.types(node))
        return self.word(cls[0], "anatomy") if cls else node

    def provenance(self, node: str, item: dict[str, Any]) -> dict[str, Any]:
        source = self.g.text(node, VLMS + "sourceLocation")
        note = self.g.text(node, VLMS + "curationNote")
        if source is not None:
            item["source"] = source
        if note is not None:
            item["note"] = note
        return item

    def time(self, event: str, default_reference: str | None = None) -> Any:
        timing = self.g.one(event, VLMS + "hasTiming")
        if timing is None:
            return None
        reference = self.g.one(timing, VLMS + "relativeTo")
        relation = self.g.one(timing, VLMS + "temporalRelation")
        unit = _UNITS.get(self.g.one(timing, VLMS + "timeUnit") or "")
        amount = self.g.text(timing, VLMS + "amount")
        low, high = self.g.text(timing, VLMS + "amountMin"), self.g.text(timing, VLMS + "amountMax")
        text = None
        if unit and amount is not None:
            precision = (self.g.one(timing, VLMS + "precision") or VLMS + "Exact")[len(VLMS):]
            text = format_time(TimeValue(Decimal(amount), unit, precision))
        elif unit and low is not None and high is not None:
            text = format_time(TimeValue(None, unit, "Exact", Decimal(low), Decimal(high)))
        name = self.reference_name(reference)
        if name is None:
            return None
        word = "after" if relation == VLMS + "After" else "before"
        if name == (default_reference or "index") and word == "after" and text is not None:
            return text
        if text is None:
            return {word: name}
        return {"time": text, word: name}

    def reference_name(self, node: str | None) -> str | None:
        """How a sheet names the event a time counts from; ``None`` if it cannot."""
        if node is None or node == self.index_op:
            return "index"
        types = self.g.types(node)
        if VLMS + "Presentation" in types:
            return "presentation"
        if VLMS + "DiagnosisEvent" in types:
            return "diagnosis"
        technique = self.technique(node)
        if technique and VLMS + "SurgicalProcedure" in types and not self.g.one(node, _PART_OF):
            return self.word(technique, "procedure")
        return None


def case_to_sheet(quads: Iterable[ox.Quad], case_id: str,
                  index: TermIndex | None = None) -> dict[str, Any]:
    """The sheet (a dict in the sheet's key order) of the case graph ``quads``."""
    g = _Graph(quads)
    w = _Writer(g, case_id, index or term_index())
    case = w.case
    sheet: dict[str, Any] = {}
    publication = g.one(case, VLMS + "reportedIn") or ""
    sheet["publication"] = publication[len(PUBLICATION):] if publication.startswith(
        str(PUBLICATION)) else publication
    number = g.number(case, VLMS + "caseNumberInSource")
    if number is not None:
        sheet["case number"] = number
    w.provenance(case, sheet)
    if VLMS + "SyntheticCase" in g.types(case):
        sheet["synthetic"] = "yes"
    patient = g.one(case, VLMS + "hasPatient")
    if patient:
        data: dict[str, Any] = {}
        age = g.number(patient, VLMS + "ageYears")
        if age is not None:
            data["age"] = age
        sex = g.one(patient, VLMS + "sex")
        if sex:
            data["sex"] = w.word(sex, "sex")
        if data:
            sheet["patient"] = w.provenance(patient, data)
    tumour = g.one(case, VLMS + "hasTumour")
    findings = g.all(case, VLMS + "hasFinding")
    events = sorted(g.all(case, VLMS + "hasEvent"), key=lambda e: (g.position(e), e))
    if tumour:
        sheet["tumour"] = _tumour(w, tumour, findings)
    presentation = _presentation(w, findings, events)
    if presentation:
        sheet["presentation"] = presentation
    imaging = _imaging(w, findings, events)
    if imaging:
        sheet["imaging"] = imaging
    _diagnoses(w, events, sheet)
    operations = _operations(w, events, findings)
    if operations:
        sheet["operations"] = operations
    therapy = _therapy(w, events, findings)
    if therapy:
        sheet["therapy"] = therapy
    outcome = _events(w, findings)
    if outcome:
        sheet["events"] = outcome
    follow_up = g.one(case, VLMS + "lastFollowUp")
    if follow_up:
        sheet["follow up"] = _follow_up(w, follow_up)
    return sheet


def _tumour(w: _Writer, tumour: str, findings: list[str]) -> dict[str, Any]:
    g = w.g
    data: dict[str, Any] = {}
    origin = g.one(tumour, VLMS + "arisesFrom")
    if origin:
        vessel = origin
        if _WALL in g.types(origin) and g.one(origin, _PART_OF):
            vessel = g.one(origin, _PART_OF)
        w.vessel = vessel
        data["vessel"] = w.structure_word(vessel)
        side = g.one(vessel, VLMS + "laterality")
        if side:
            data["side"] = w.word(side, "laterality")
    notes = [n.value for n in g.all(tumour, VLMS + "curationNote")]
    segments = [_SEGMENT_WORDS[t] for part in g.all(tumour, VLMS + "involves")
                for t in g.types(part) if t in _SEGMENT_WORDS]
    if segments:
        order = list(_SEGMENTS)
        data["segment"] = sorted(set(segments), key=order.index)
    growth = [w.word(v, "growth") for v in g.all(tumour, VLMS + "growthPattern")]
    if growth:
        data["growth"] = sorted(growth, key=lambda x: ("extra" in x.lower(), x))
    for key, prop in (("extends into", VLMS + "extendsInto"), ("adjacent to", _ADJACENT)):
        sites = [w.structure_word(n) for n in sorted(g.all(tumour, prop), key=_order(g))]
        if sites:
            data[key] = sites
    sizes = []
    for size in sorted(g.all(tumour, VLMS + "hasSizeMeasurement"), key=_order(g)):
        dims = [g.number(size, VLMS + p) for p in ("firstDimensionCm", "secondDimensionCm",
                                                    "thirdDimensionCm")]
        measured = g.one(size, VLMS + "measuredIn")
        item: dict[str, Any] = {"cm": [d for d in dims if d is not None]}
        if measured and VLMS + "ImagingProcedure" in g.types(measured):
            technique = w.technique(measured)
            item["by"] = w.word(technique, "modality") if technique else "pathology"
        elif measured:
            item["by"] = "pathology"
        sizes.append(w.provenance(size, item))
    if sizes:
        data["size"] = sizes
    grade = g.one(tumour, VLMS + "grade")
    if grade:
        data["grade"] = w.word(grade, "grade")
    count = g.one(tumour, VLMS + "hasMitoticCount")
    if count:
        mitoses: dict[str, Any] = {"per 10 HPF": g.number(count, VLMS + "mitosesPer10HPF")}
        comparator = g.one(count, VLMS + "comparator")
        if comparator:
            mitoses["comparator"] = w.word(comparator, "comparator")
        data["mitoses"] = w.provenance(count, mitoses)
    for finding in findings:
        if g.one(finding, VLMS + "concept") == _NECROSIS:
            present = g.one(finding, VLMS + "presence") == VLMS + "Present"
            data["necrosis"] = "present" if present else "absent"
    ihc = {}
    for result in g.all(tumour, VLMS + "hasImmunohistochemistryResult"):
        marker, reading = g.one(result, VLMS + "marker"), g.one(result, VLMS + "markerResult")
        if marker and reading:
            ihc[w.word(marker, "marker")] = w.word(reading, "marker result")
    if ihc:
        data["immunohistochemistry"] = dict(sorted(ihc.items(), key=lambda kv: kv[0].lower()))
    at_presentation = [f for f in findings if _seen_at(g, f, VLMS + "Presentation")
                       and (g.one(f, VLMS + "concept") == _METASTASIS
                            or VLMS + "Metastasis" in g.types(f))]
    if at_presentation:
        sites = [w.structure_word(g.one(f, VLMS + "site")) for f in at_presentation
                 if g.one(f, VLMS + "site")]
        present = any(g.one(f, VLMS + "presence") == VLMS + "Present" for f in at_presentation)
        data["metastasis at presentation"] = sites or ("yes" if present else "no")
    source = g.text(tumour, VLMS + "sourceLocation")
    if source:
        data["source"] = source
    if _UNCERTAIN in notes:
        data["vessel certainty"] = "uncertain"
        notes.remove(_UNCERTAIN)
    if notes:
        data["note"] = notes[0]
    return data


def _order(g: _Graph) -> Any:
    return lambda node: (g.position(node), node)


def _seen_at(g: _Graph, finding: str, event_class: str) -> bool:
    seen = g.one(finding, VLMS + "observedIn")
    return bool(seen) and event_class in g.types(seen)


def _presentation(w: _Writer, findings: list[str], events: list[str]) -> dict[str, Any]:
    g = w.g
    data: dict[str, Any] = {}
    symptoms = []
    for finding in findings:
        if VLMS + "PresentingSymptom" not in g.types(finding):
            continue
        item: dict[str, Any] = {"symptom": w.word(g.one(finding, VLMS + "concept"), "finding")}
        if g.one(finding, VLMS + "presence") == VLMS + "Absent":
            item["present"] = "no"
        onset = g.one(finding, VLMS + "onset")
        if onset:
            time = w.time(onset, "presentation")
            if isinstance(time, dict) and time.get("before") == "presentation":
                item["duration"] = time["time"]
        site = g.one(finding, VLMS + "site")
        side = g.one(site, VLMS + "laterality") if site else g.one(finding, VLMS + "laterality")
        if site:
            item["site"] = w.structure_word(site)
        if side:
            item["side"] = w.word(side, "laterality")
        w.provenance(finding, item)
        symptoms.append(item["symptom"] if list(item) == ["symptom"] else item)
    if symptoms:
        data["symptoms"] = symptoms
    for event in events:
        if VLMS + "Presentation" in g.types(event):
            incidental = g.text(event, VLMS + "incidentalDiscovery")
            if incidental is not None:
                data["incidental"] = "yes" if incidental == "true" else "no"
            w.provenance(event, data)
    return data


def _imaging(w: _Writer, findings: list[str], events: list[str]) -> list[Any]:
    g = w.g
    items: list[Any] = []
    for event in events:
        types = g.types(event)
        if VLMS + "ImagingProcedure" not in types or g.one(event, _PART_OF):
            continue
        technique = w.technique(event)
        if technique is None or g.subjects(VLMS + "basedOn", event) and not any(
                event in g.all(f, VLMS + "observedIn") for f in findings):
            continue
        modality = w.word(technique, "modality")
        time = w.time(event, "presentation")
        seen = [f for f in findings if event in g.all(f, VLMS + "observedIn")
                and VLMS + "ImagingFinding" in g.types(f)]
        if not seen:
            item: dict[str, Any] = {"modality": modality}
            if time is not None:
                item["time"] = time
            items.append(w.provenance(event, item))
        described = []
        for finding in seen:
            site = g.one(finding, VLMS + "site")
            described.append((w.word(g.one(finding, VLMS + "concept"), "finding"),
                              w.structure_word(site) if site else "", finding))
        for concept, site_word, finding in sorted(described):
            item = {"modality": modality, "finding": concept}
            if site_word:
                item["site"] = site_word
            if g.one(finding, VLMS + "presence") == VLMS + "Absent":
                item["present"] = "no"
            size = g.one(finding, VLMS + "hasSizeMeasurement")
            if size and size.endswith("Size"):
                item["cm"] = [d for d in (g.number(size, VLMS + p) for p in (
                    "firstDimensionCm", "secondDimensionCm", "thirdDimensionCm")) if d is not None]
            if time is not None:
                item["time"] = time
                time = None
            items.append(w.provenance(finding, item))
    return items


def _diagnoses(w: _Writer, events: list[str], sheet: dict[str, Any]) -> None:
    g = w.g
    for event in events:
        status = g.one(event, VLMS + "diagnosisStatus")
        diagnosis = g.one(event, VLMS + "diagnosedAs")
        if status == VLMS + "InitialMisdiagnosis" and diagnosis:
            item: dict[str, Any] = {"diagnosis": w.word(diagnosis, "diagnosis")}
            based = [w.word(t, "modality") for b in g.all(event, VLMS + "basedOn")
                     if (t := w.technique(b)) is not None]
            if based:
                item["based on"] = based
            treated = [w.word(t, "procedure") for p in sorted(
                g.subjects(VLMS + "indication", event), key=_order(g))
                if p != w.index_op and (t := w.technique(p)) is not None]
            if treated:
                item["treated with"] = treated
            sheet["initial diagnosis"] = w.provenance(event, item)
        if VLMS + "BiopsyProcedure" in g.types(event) or (
                g.one(event, VLMS + "intent") == VLMS + "DiagnosticIntent"
                and not g.one(event, _PART_OF)):
            technique = w.technique(event)
            biopsy: dict[str, Any] = {}
            if technique:
                biopsy["technique"] = w.word(technique, "procedure")
            for step in g.subjects(_PART_OF, event):
                guide = w.technique(step)
                if guide:
                    biopsy["guided by"] = w.word(guide, "modality")
            for result in g.subjects(VLMS + "basedOn", event):
                found = g.one(result, VLMS + "diagnosedAs")
                if found:
                    biopsy["result"] = w.word(found, "diagnosis")
            sheet["biopsy"] = w.provenance(event, biopsy)
        if status == VLMS + "FinalDiagnosis" and diagnosis and any(
                VLMS + "PathologyProcedure" in g.types(b) for b in g.all(event, VLMS + "basedOn")):
            word = w.word(diagnosis, "diagnosis")
            item = w.provenance(event, {"diagnosis": word})
            sheet["final diagnosis"] = word if list(item) == ["diagnosis"] else item


def _operations(w: _Writer, events: list[str], findings: list[str]) -> list[dict[str, Any]]:
    g = w.g
    initial = {p for e in events if g.one(e, VLMS + "diagnosisStatus")
               == VLMS + "InitialMisdiagnosis" for p in g.subjects(VLMS + "indication", e)}
    operations = [e for e in events if VLMS + "SurgicalProcedure" in g.types(e)
                  and not g.one(e, _PART_OF) and (e not in initial or e == w.index_op)
                  and not _is_treatment(g, e) and _KIND_OF_MANAGEMENT.keys().isdisjoint(
                      g.types(e))]
    items = []
    for position, op in enumerate(operations):
        technique = w.technique(op)
        item: dict[str, Any] = {"name": w.word(technique, "procedure") if technique else "?"}
        if op == w.index_op and position > 0:
            item["index"] = "yes"
        intent = g.one(op, VLMS + "intent")
        if intent:
            item["intent"] = w.word(intent, "intent")
        result = g.one(op, VLMS + "procedureResult")
        if result:
            item["result"] = result[len(VLMS):].lower()
        steps = sorted(g.subjects(_PART_OF, op), key=_order(g))
        approach = [w.word(t, "procedure") for s in steps if _is_approach(g, s)
                    and (t := w.technique(s)) is not None]
        if approach:
            item["approach"] = approach[0] if len(approach) == 1 else approach
        resected = [w.structure_word(n) for n in g.all(op, VLMS + "resectedStructure")]
        if resected:
            item["resected"] = sorted(resected)
        en_bloc = [w.structure_word(n) for s in steps if g.text(s, VLMS + "enBloc") == "true"
                   for n in g.all(s, VLMS + "resectedStructure")]
        if en_bloc:
            item["en bloc"] = en_bloc
        target = g.one(op, VLMS + "targetSite")
        if target:
            item["target"] = w.structure_word(target)
        management = [_management(w, s) for s in steps
                      if not _KIND_OF_MANAGEMENT.keys().isdisjoint(g.types(s))
                      or (VLMS + "Anastomosis" in g.types(s))]
        if management:
            item["vascular management"] = management
        for key, prop, kind in (("margin", "marginStatus", "margin"),):
            value = g.one(op, VLMS + prop)
            if value:
                item[key] = w.word(value, kind)
        for key, prop in (("blood loss ml", "bloodLossMl"),
                          ("operating time min", "operativeTimeMinutes")):
            number = g.number(op, VLMS + prop)
            if number is not None:
                item[key] = number
        complications = []
        for finding in findings:
            follows = g.one(finding, VLMS + "followsProcedure")
            if follows != op and g.one(follows or "", _PART_OF) != op:
                continue
            entry: dict[str, Any] = {
                "complication": w.word(g.one(finding, VLMS + "concept"), "finding")}
            if g.one(finding, VLMS + "presence") == VLMS + "Absent":
                entry["present"] = "no"
            seen = g.one(finding, VLMS + "observedIn")
            if seen and VLMS + "LastFollowUp" not in g.types(seen):
                time = w.time(seen)
                if time is not None:
                    entry["time"] = time
            managed = g.one(finding, VLMS + "management")
            if managed:
                entry["management"] = w.word(managed, "management")
            complications.append(w.provenance(finding, entry))
        if complications:
            item["complications"] = complications
        time = w.time(op)
        if time is not None and not (op == w.index_op and isinstance(time, str)):
            item["time"] = time
        items.append(w.provenance(op, item))
    return items


def _is_approach(g: _Graph, step: str) -> bool:
    props = set(g.out.get(step, {})) - {_TYPE, VLMS + "timelinePosition", _PART_OF,
                                        VLMS + "description", VLMS + "sourceLocation",
                                        VLMS + "curationNote"}
    return not props and VLMS + "SurgicalProcedure" in g.types(step)


def _is_treatment(g: _Graph, procedure: str) -> bool:
    """A procedure a sheet event lists as the treatment of that event."""
    timing = g.one(procedure, VLMS + "hasTiming")
    reference = g.one(timing, VLMS + "relativeTo") if timing else None
    if reference is None:
        return False
    return VLMS + "FollowUpAssessment" in g.types(reference) and \
        g.one(timing, VLMS + "amount") is None and g.one(timing, VLMS + "amountMin") is None \
        and any(procedure.startswith(f + "Treatment")
                for f in g.subjects(VLMS + "observedIn", reference))


def _management(w: _Writer, step: str) -> Any:
    g = w.g
    kinds = [_KIND_OF_MANAGEMENT[t] for t in g.types(step) if t in _KIND_OF_MANAGEMENT]
    kind = kinds[0] if kinds else "anastomosis"
    description = g.text(step, VLMS + "description") or ""
    between = g.all(step, VLMS + "anastomosisBetween")
    item: dict[str, Any] = {"kind": kind}
    target = g.one(step, VLMS + "targetSite")
    if description == "reimplantation" and between:
        item = {"kind": "reimplantation", "vessel": w.structure_word(between[0])}
        between = []
    elif target and target != w.vessel:
        item["vessel"] = w.structure_word(target)
    if between:
        item["between"] = [w.structure_word(n) for n in between]
    material = g.one(step, VLMS + "graftMaterial")
    if material:
        item["material"] = w.word(material, "graft material")
    if description.startswith("graft diameter ") and description.endswith(" mm"):
        number = Decimal(description[15:-3])
        item["diameter mm"] = int(number) if number == number.to_integral_value() \
            else float(number)
    decision = g.one(step, VLMS + "decisionTiming")
    if decision:
        item["decision"] = w.word(decision, "decision")
    reason = g.text(step, VLMS + "decisionReason")
    if reason:
        item["reason"] = reason
    w.provenance(step, item)
    return item["kind"] if list(item) == ["kind"] else item


def _therapy(w: _Writer, events: list[str], findings: list[str]) -> list[Any]:
    g = w.g
    items: list[Any] = []
    for finding in findings:
        if VLMS + "TreatmentFinding" not in g.types(finding) or \
                g.one(finding, VLMS + "presence") != VLMS + "Absent":
            continue
        concept = g.one(finding, VLMS + "concept")
        keys = [k for k, v in _NOT_GIVEN.items() if v == concept]
        if not keys:
            continue
        kind, intent = keys[0]
        item: dict[str, Any] = {}
        if kind:
            item["kind"] = kind
        if intent:
            item["intent"] = w.word(VLMS + intent, "intent")
        item["given"] = "no"
        items.append(w.provenance(finding, item))
    for event in events:
        types = g.types(event)
        if g.one(event, _PART_OF) or _is_treatment(g, event) or event == w.index_op:
            continue
        if not _is_therapy(w, event, types) or g.one(event, VLMS + "indication"):
            continue
        technique = w.technique(event)
        item = {"kind": _THERAPY_KINDS.get(technique or "") or (
            w.word(technique, "procedure") if technique else "therapy")}
        intent = g.one(event, VLMS + "intent")
        if intent:
            item["intent"] = w.word(intent, "intent")
        agents = [w.word(a, "drug") for a in g.all(event, VLMS + "agent")]
        if agents:
            item["agents"] = agents
        for part in (g.text(event, VLMS + "description") or "").split("; "):
            if part.startswith("dose: "):
                item["dose"] = part[6:]
            elif part.startswith("cycles: ") and part[8:].isdigit():
                item["cycles"] = int(part[8:])
        time = w.time(event)
        if time is not None:
            item["time"] = time
        items.append(w.provenance(event, item))
    return items


def _is_therapy(w: _Writer, event: str, types: set[str]) -> bool:
    """A procedure that is a treatment given on its own (not surgery, imaging, pathology)."""
    lineage = set(types)
    for cls in types:
        term = w.index.get(cls)
        lineage |= term.supers if term else set()
    return VLMS + "Procedure" in lineage and not lineage & _NOT_THERAPY or bool(
        {VLMS + "SystemicTherapy", VLMS + "RadiationTherapy"} & types)


def _events(w: _Writer, findings: list[str]) -> list[dict[str, Any]]:
    g = w.g
    items = []
    for finding in findings:
        types = g.types(finding)
        concept = g.one(finding, VLMS + "concept")
        is_metastasis = VLMS + "Metastasis" in types or (
            concept == _METASTASIS and VLMS + "ImagingFinding" not in types)
        if not (is_metastasis or VLMS + "Recurrence" in types):
            continue
        if _seen_at(g, finding, VLMS + "Presentation"):
            continue
        item: dict[str, Any] = {"kind": "metastasis" if is_metastasis else "local recurrence"}
        site = g.one(finding, VLMS + "site")
        if site:
            item["site"] = w.structure_word(site)
        if g.one(finding, VLMS + "presence") == VLMS + "Absent":
            item["present"] = "no"
        seen = g.one(finding, VLMS + "observedIn") or g.one(finding, VLMS + "onset")
        if seen and VLMS + "LastFollowUp" not in g.types(seen):
            time = w.time(seen)
            if time is not None:
                item["time"] = time
            treatments = [w.word(t, "procedure") for p in _treatments_of(g, seen, finding)
                          if (t := w.technique(p)) is not None]
            if treatments:
                item["treatment"] = treatments
        items.append(w.provenance(finding, item))
    return items


def _treatments_of(g: _Graph, seen: str, finding: str) -> list[str]:
    """Procedures timed just "after" the visit that found ``finding`` (its treatment)."""
    prefix = finding + "Treatment"
    return sorted(e for t in g.subjects(VLMS + "relativeTo", seen)
                  for e in g.subjects(VLMS + "hasTiming", t)
                  if e.startswith(prefix) and _is_treatment(g, e))


def _follow_up(w: _Writer, node: str) -> dict[str, Any]:
    g = w.g
    data: dict[str, Any] = {}
    time = w.time(node)
    if time is not None:
        data["time"] = time
    vital = g.one(node, VLMS + "vitalStatus")
    if vital:
        data["vital status"] = w.word(vital, "vital status")
    disease = g.one(node, VLMS + "diseaseStatus")
    if disease:
        data["disease status"] = w.word(disease, "disease status")
    description = g.text(node, VLMS + "description") or ""
    if description.startswith("cause of death: "):
        data["cause of death"] = description[len("cause of death: "):]
    return w.provenance(node, data)


def dump_sheet(sheet: dict[str, Any], header: str | None = None) -> str:
    """The sheet as YAML text: block style, short lists and items inline.

    >>> print(dump_sheet({"publication": "p", "tumour": {"growth": ["intraluminal"]}}))
    publication: p
    tumour:
      growth: [intraluminal]
    <BLANKLINE>
    """
    yaml = YAML(typ="rt")
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    stream = io.StringIO()
    if header:
        stream.write("".join(f"# {line}\n" for line in header.splitlines()))
    yaml.dump(_flow(sheet, 0), stream)
    return stream.getvalue()


def _flow(value: Any, depth: int) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    if isinstance(value, dict):
        out = CommentedMap((k, _flow(v, depth + 1)) for k, v in value.items())
        if depth >= 2 and _is_flat(value):
            out.fa.set_flow_style()
        return out
    if isinstance(value, list):
        seq = CommentedSeq(_flow(v, depth + 1) for v in value)
        if all(not isinstance(v, (dict, list)) for v in value):
            seq.fa.set_flow_style()
        return seq
    return value


def _is_flat(value: dict[str, Any]) -> bool:
    text = str(value)
    return all(not isinstance(v, dict) for v in value.values()) and len(text) < 90 and not any(
        isinstance(v, str) and (":" in v or "," in v or len(v) > 40) for v in value.values())
