"""HL7 FHIR R4: one Bundle per case, with the mCODE STU4 profiles declared.

Case reports give no dates, but several mCODE elements take only a dateTime or Period. Every
case is therefore placed on a **synthetic calendar**: its index operation on
:data:`ANCHOR` (2000-01-01), every other timed event that many days later (months × 30.4375).
The dates mean nothing else; each resource carries the tag :data:`SYNTHETIC_DATES` to say so.
An event the case does not time against the operation gets no date, and a resource whose
profile requires one (MedicationAdministration, radiotherapy course) is written as a
MedicationRequest or a plain Procedure instead. Codes are the graph's own (NCIt, UBERON,
MAxO, ChEBI, local terms), with their labels as ``text``: mCODE prefers SNOMED CT, which the
graph does not hold.

>>> from fhir.resources.R4B.bundle import Bundle
>>> from kg.store import open_store
>>> from kg.exports.facts import gather_facts
>>> facts = {f.id: f for f in gather_facts(open_store())}
>>> bundle = Bundle.model_validate(build_bundle(facts["lms-ivc-two-cases-c1"]))
>>> bundle.entry[0].resource.gender, bundle.type
('female', 'collection')
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from kg.exports.codes import Code
from kg.exports.facts import CaseFacts, ProcedureFact

__all__ = ["build_bundle", "ANCHOR", "DAYS_PER_MONTH", "MCODE", "SYSTEMS", "SYNTHETIC_DATES"]

ANCHOR = date(2000, 1, 1)
DAYS_PER_MONTH = 30.4375
MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition/"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
SYNTHETIC_DATES = {"system": "https://w3id.org/vlmskg/vocab/", "code": "SyntheticDates",
                   "display": "dates are synthetic: the index operation is set to 2000-01-01"}
#: code systems of the graph's CURIE prefixes
SYSTEMS = {
    "NCIT": "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl",
    "UBERON": "http://purl.obolibrary.org/obo/uberon.owl",
    "HP": "http://purl.obolibrary.org/obo/hp.owl",
    "MAXO": "http://purl.obolibrary.org/obo/maxo.owl",
    "CHEBI": "http://purl.obolibrary.org/obo/chebi.owl",
    "OBI": "http://purl.obolibrary.org/obo/obi.owl",
    "PATO": "http://purl.obolibrary.org/obo/pato.owl",
    "HGNC": "http://www.genenames.org",
    "VLMSKG": "https://w3id.org/vlmskg/vocab/",
}
_NAMESPACE = uuid.UUID("6f1d7c3e-4a8b-5f2e-9c61-1b2a3d4e5f60")
_DISEASE_STATUS = {"stable disease": (SNOMED, "359746009", "Patient's condition stable"),
                   "progressive disease": (SNOMED, "271299001", "Patient's condition worsened")}


def _concept(code: Code) -> dict[str, Any]:
    system = SYSTEMS.get(code.prefix, code.iri)
    return {"coding": [{"system": system, "code": code.local, "display": code.label}],
            "text": code.label}


def _day(months: float | None) -> str | None:
    if months is None:
        return None
    return (ANCHOR + timedelta(days=round(months * DAYS_PER_MONTH))).isoformat()


class _Builder:
    def __init__(self, facts: CaseFacts) -> None:
        self.facts = facts
        self.entries: list[dict[str, Any]] = []
        self.patient_ref = self.ref("Patient", "patient")
        self.condition_ref = self.ref("Condition", "primary")

    def ref(self, kind: str, name: str) -> str:
        return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{self.facts.id}/{kind}/{name}')}"

    def add(self, kind: str, name: str, profile: str | None, body: dict[str, Any]) -> None:
        meta: dict[str, Any] = {"tag": [SYNTHETIC_DATES]}
        if profile:
            meta["profile"] = [MCODE + profile]
        resource = {"resourceType": kind, "id": self.ref(kind, name).rsplit(":", 1)[-1],
                    "meta": meta, **body}
        self.entries.append({"fullUrl": self.ref(kind, name), "resource": resource})

    def subject(self) -> dict[str, str]:
        return {"reference": self.patient_ref}

    # --- resources ---------------------------------------------------------------------

    def patient(self, citation: str | None) -> None:
        f = self.facts
        body: dict[str, Any] = {
            "identifier": [{"system": "https://w3id.org/vlmskg/case/", "value": f.id}],
            "name": [{"extension": [{
                "url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason",
                "valueCode": "masked"}]}],
        }
        if f.record.sex in ("male", "female"):
            body["gender"] = f.record.sex
        if f.record.vital_status in ("alive", "dead"):
            body["deceasedBoolean"] = f.record.vital_status == "dead"
        if citation:
            source = f"Case {f.record.case_number or ''} of {_escape(citation)}"
            body["text"] = {"status": "generated",
                            "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{source}</div>'}
        self.add("Patient", "patient", "mcode-cancer-patient", body)

    def conditions(self) -> None:
        f = self.facts
        body: dict[str, Any] = {
            "clinicalStatus": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                "code": "active"}]},
            "category": [{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                "code": "problem-list-item"}]}],
            "code": _concept(f.diagnosis), "subject": self.subject()}
        if f.vessel is not None:
            site = _concept(f.vessel)
            if f.laterality is not None:
                site["extension"] = [{"url": MCODE + "mcode-laterality-qualifier",
                                      "valueCodeableConcept": _concept(f.laterality)}]
            body["bodySite"] = [site]
        if f.record.age_years is not None:
            body["onsetAge"] = {"value": f.record.age_years, "unit": "years",
                                "system": "http://unitsofmeasure.org", "code": "a"}
        self.add("Condition", "primary", "mcode-primary-cancer-condition", body)
        for n, metastasis in enumerate(f.metastases, 1):
            secondary: dict[str, Any] = {
                "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/condition-related",
                               "valueReference": {"reference": self.condition_ref}}],
                "category": body["category"], "subject": self.subject(),
                "code": _concept(metastasis.concept) if metastasis.concept
                else {"text": "metastasis"}}
            if metastasis.site is not None:
                secondary["bodySite"] = [_concept(metastasis.site)]
            if metastasis.months is not None:
                secondary["onsetDateTime"] = _day(metastasis.months)
            self.add("Condition", f"metastasis-{n}", "mcode-secondary-cancer-condition",
                     secondary)

    def observations(self) -> None:
        f = self.facts
        base = {"status": "final", "subject": self.subject(), "focus": [
            {"reference": self.condition_ref}]}
        if f.record.size_cm is not None:
            self.add("Observation", "tumour-size", "mcode-tumor-size", {
                **base, "code": {"coding": [{"system": LOINC, "code": "21889-1",
                                             "display": "Size Tumor"}]},
                "component": [{"code": {"coding": [{"system": LOINC, "code": "33728-7",
                                                    "display": "Size.maximum dimension in Tumor"}]},
                               "valueQuantity": {"value": f.record.size_cm, "unit": "cm",
                                                 "system": "http://unitsofmeasure.org",
                                                 "code": "cm"}}]})
        if f.grade is not None:
            self.add("Observation", "grade", "mcode-histologic-grade", {
                **base, "code": {"coding": [{"system": SYSTEMS["NCIT"], "code": "C18000",
                                             "display": "Histologic Grade"}]},
                "valueCodeableConcept": _concept(f.grade)})
        for n, (marker, result) in enumerate(f.markers, 1):
            self.add("Observation", f"marker-{n}", "mcode-tumor-marker-test", {
                **base, "category": [{"coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                    "code": "laboratory"}]}],
                "code": _concept(marker), "valueCodeableConcept": {"text": result}})
        if f.record.follow_up_months is not None and f.record.disease_status:
            status = f.record.disease_status
            system, code, display = _DISEASE_STATUS.get(
                status, (SYSTEMS["VLMSKG"], "DiseaseStatus", status))
            self.add("Observation", "disease-status", "mcode-cancer-disease-status", {
                **base, "code": {"coding": [{"system": LOINC, "code": "97509-4",
                                             "display": "Cancer disease status"}]},
                "effectiveDateTime": _day(f.record.follow_up_months),
                "valueCodeableConcept": {"coding": [{"system": system, "code": code,
                                                     "display": display}],
                                         "text": status}})
        if f.record.follow_up_months is not None:
            self.add("Observation", "last-follow-up", None, {
                "status": "final", "subject": self.subject(),
                "code": {"text": "last follow-up"},
                "effectiveDateTime": _day(f.record.follow_up_months),
                "valueString": f.record.vital_status or "vital status not reported"})

    def procedures(self) -> None:
        for n, p in enumerate(self.facts.procedures, 1):
            if p.kind == "surgery":
                self.surgery(n, p)
            elif p.kind == "systemic therapy":
                self.medication(n, p)
            elif p.kind == "radiation therapy":
                self.radiation(n, p)

    def _intent(self, p: ProcedureFact) -> list[dict[str, Any]]:
        if p.intent is None:
            return []
        return [{"url": MCODE + "mcode-procedure-intent",
                 "valueCodeableConcept": _concept(p.intent)}]

    def surgery(self, n: int, p: ProcedureFact) -> None:
        body: dict[str, Any] = {"status": "completed", "subject": self.subject(),
                                "code": _concept(p.code),
                                "reasonReference": [{"reference": self.condition_ref}]}
        if self._intent(p):
            body["extension"] = self._intent(p)
        if p.months is not None:
            body["performedDateTime"] = _day(p.months)
        if p.is_index and self.facts.vessel is not None:
            body["bodySite"] = [_concept(self.facts.vessel)]
        self.add("Procedure", f"procedure-{n}", "mcode-cancer-related-surgical-procedure", body)

    def medication(self, n: int, p: ProcedureFact) -> None:
        medication = _concept(p.agents[0]) if p.agents else _concept(p.code)
        body: dict[str, Any] = {"subject": self.subject(), "medicationCodeableConcept": medication,
                                "reasonReference": [{"reference": self.condition_ref}]}
        if self._intent(p):
            body["extension"] = [{**self._intent(p)[0],
                                  "url": MCODE + "mcode-treatment-intent"}]
        if p.months is not None:
            self.add("MedicationAdministration", f"medication-{n}",
                     "mcode-cancer-related-medication-administration",
                     {**body, "status": "completed", "effectiveDateTime": _day(p.months)})
        else:
            self.add("MedicationRequest", f"medication-{n}",
                     "mcode-cancer-related-medication-request",
                     {**body, "status": "completed", "intent": "order"})

    def radiation(self, n: int, p: ProcedureFact) -> None:
        body: dict[str, Any] = {"status": "completed", "subject": self.subject(),
                                "reasonReference": [{"reference": self.condition_ref}]}
        if p.months is not None:
            day = _day(p.months)
            self.add("Procedure", f"radiotherapy-{n}", "mcode-radiotherapy-course-summary", {
                **body, "code": {"coding": [{"system": SNOMED, "code": "1217123003",
                                             "display": "Radiotherapy course of treatment"}]},
                "performedPeriod": {"start": day}})
        else:
            self.add("Procedure", f"radiotherapy-{n}", None, {**body, "code": _concept(p.code)})


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def build_bundle(facts: CaseFacts) -> dict[str, Any]:
    """The case's Bundle (type ``collection``) as FHIR JSON; ``fhir.resources``'
    ``Bundle.model_validate`` accepts it (the tests check every exported case)."""
    builder = _Builder(facts)
    builder.patient(facts.citation)
    builder.conditions()
    builder.observations()
    builder.procedures()
    return {"resourceType": "Bundle", "id": str(uuid.uuid5(_NAMESPACE, facts.id)),
            "meta": {"profile": [MCODE + "mcode-patient-bundle"], "tag": [SYNTHETIC_DATES]},
            "type": "collection", "entry": builder.entries}
