"""GA4GH Phenopacket v2: one phenopacket per case, and a Cohort of them.

Time: case reports give an age at presentation (whole years) and times relative to the
index operation. Every time element is an ``Age``: the reported age, taken as the age at the
index operation, plus the offset the case states (month precision only where the case gives
months). ``survival_time_in_days`` counts from the **index operation** (case reports rarely
date the diagnosis), at 30.4375 days a month; ``meta_data.updates`` says so. Margins, which
Phenopackets has no field for, are a measurement of the resection specimen.

>>> from kg.store import open_store
>>> from kg.exports.facts import gather_facts
>>> facts = {f.id: f for f in gather_facts(open_store())}
>>> packet = build_phenopacket(facts["lms-ivc-two-cases-c1"], {})
>>> packet.subject.sex == pps2.Sex.FEMALE, packet.diseases[0].primary_site.id
(True, 'UBERON:0001072')
>>> packet.subject.time_at_last_encounter.age.iso8601duration
'P62Y6M'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import phenopackets.schema.v2 as pps2
from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from kg.exports.codes import RESOURCES, Code
from kg.exports.facts import CaseFacts, ProcedureFact
from kg.exports.json_text import json_text
from kg.exports.publications import PublicationRef

__all__ = ["build_phenopacket", "build_cohort", "phenopacket_id", "to_dict", "to_json",
           "cohort_json", "age_duration",
           "DAYS_PER_MONTH", "SCHEMA_VERSION"]

DAYS_PER_MONTH = 30.4375
SCHEMA_VERSION = "2.0.2"
PRIMARY_NEOPLASM = Code("NCIT:C84509", "Primary Malignant Neoplasm",
                        "http://purl.obolibrary.org/obo/NCIT_C84509")
TUMOUR_SIZE = Code("PATO:0000117", "size", "http://purl.obolibrary.org/obo/PATO_0000117")
MARGIN_STATUS = Code("NCIT:C4809", "Surgical Margin Resection Status",
                     "http://purl.obolibrary.org/obo/NCIT_C4809")
CENTIMETRE = Code("UO:0000015", "centimeter", "http://purl.obolibrary.org/obo/UO_0000015")
_RESULTS = {"positive": "Positive", "negative": "Negative", "equivocal": "Equivocal",
            "focal": "Focal"}


def phenopacket_id(case_id: str, case_number: int | None,
                   publication: PublicationRef | None) -> str:
    """``PMID_<pmid>_Case<N>`` where the publication has a PMID, else the case id.

    >>> from kg.exports.facts import CaseFacts
    >>> phenopacket_id("x-c2", 2, PublicationRef("x", pmid="123"))
    'PMID_123_Case2'
    """
    if publication and publication.pmid and case_number:
        return f"PMID_{publication.pmid}_Case{case_number}"
    return case_id


def age_duration(years: int, months: float = 0.0) -> str:
    """An ISO 8601 duration for an age ``years`` plus ``months`` (whole months, rounded).

    >>> age_duration(60, 30), age_duration(72, 0), age_duration(65, 0.5)
    ('P62Y6M', 'P72Y', 'P65Y')
    """
    total = years * 12 + round(months)
    whole, rest = divmod(total, 12)
    return f"P{whole}Y{rest}M" if rest else f"P{whole}Y"


def _oc(code: Code) -> pps2.OntologyClass:
    return pps2.OntologyClass(id=code.curie, label=code.label)


def _put(message: Message, field: str, value: Code | Message | None) -> None:
    """Set ``message.field`` to ``value`` (a code becomes an OntologyClass); ``None``
    leaves the field out, as Phenopackets wants for what is not known."""
    if value is not None:
        getattr(message, field).CopyFrom(_oc(value) if isinstance(value, Code) else value)


def _value(word: str) -> pps2.OntologyClass:
    local = _RESULTS.get(word, word.title().replace(" ", ""))
    return pps2.OntologyClass(id=f"VLMSKG:{local}", label=word)


class _Timeline:
    """Ages of the case's events, where both the age and the offset are known."""

    def __init__(self, facts: CaseFacts) -> None:
        self.age = facts.record.age_years

    def at(self, months: float | None) -> pps2.TimeElement | None:
        if self.age is None or months is None:
            return None
        return pps2.TimeElement(age=pps2.Age(iso8601duration=age_duration(self.age, months)))


def build_phenopacket(facts: CaseFacts,
                      publications: dict[str, PublicationRef]) -> pps2.Phenopacket:
    """The phenopacket of one case; ``publications`` by id give the external reference."""
    publication = publications.get(facts.record.publication or "")
    packet_id = phenopacket_id(facts.id, facts.record.case_number, publication)
    time = _Timeline(facts)
    packet = pps2.Phenopacket(id=packet_id, subject=_subject(facts, time))
    packet.diseases.extend(_diseases(facts, time))
    packet.phenotypic_features.extend(
        pps2.PhenotypicFeature(type=_oc(code), excluded=not present)
        for code, present in facts.phenotypes)
    packet.biosamples.extend(_biosamples(facts, time))
    packet.medical_actions.extend(_actions(facts, time))
    packet.meta_data.CopyFrom(_meta_data(packet, facts, publication))
    return packet


def _subject(facts: CaseFacts, time: _Timeline) -> pps2.Individual:
    subject = pps2.Individual(id=facts.id)
    if facts.record.sex in ("male", "female"):
        subject.sex = pps2.Sex.MALE if facts.record.sex == "male" else pps2.Sex.FEMALE
    last = time.at(facts.record.follow_up_months)
    _put(subject, "time_at_last_encounter", last)
    if facts.record.vital_status in ("alive", "dead"):
        status = pps2.VitalStatus(
            status=pps2.VitalStatus.Status.DECEASED if facts.record.vital_status == "dead"
            else pps2.VitalStatus.Status.ALIVE)
        if facts.overall.months is not None:
            status.survival_time_in_days = round(facts.overall.months * DAYS_PER_MONTH)
        if facts.record.vital_status == "dead":
            _put(status, "time_of_death", last)
        subject.vital_status.CopyFrom(status)
    return subject


def _diseases(facts: CaseFacts, time: _Timeline) -> Iterable[pps2.Disease]:
    primary = pps2.Disease(term=_oc(facts.diagnosis))
    _put(primary, "primary_site", facts.vessel)
    _put(primary, "laterality", facts.laterality)
    _put(primary, "onset", time.at(0.0))
    yield primary
    for metastasis in facts.metastases:
        if metastasis.concept is None:
            continue
        disease = pps2.Disease(term=_oc(metastasis.concept))
        _put(disease, "primary_site", metastasis.site)
        _put(disease, "onset", time.at(metastasis.months))
        yield disease


def _biosamples(facts: CaseFacts, time: _Timeline) -> Iterable[pps2.Biosample]:
    index = next((p for p in facts.procedures if p.is_index), None)
    if index is None:
        return
    sample = pps2.Biosample(id=f"{facts.id}-resection", individual_id=facts.id,
                            histological_diagnosis=_oc(facts.diagnosis),
                            tumor_progression=_oc(PRIMARY_NEOPLASM),
                            procedure=pps2.Procedure(code=_oc(index.code)))
    _put(sample, "sampled_tissue", facts.vessel)
    _put(sample, "tumor_grade", facts.grade)
    _put(sample, "time_of_collection", time.at(0.0))
    if facts.record.size_cm is not None:
        sample.measurements.append(pps2.Measurement(
            assay=_oc(TUMOUR_SIZE),
            value=pps2.Value(quantity=pps2.Quantity(unit=_oc(CENTIMETRE),
                                                    value=facts.record.size_cm))))
    if facts.margin is not None:
        sample.measurements.append(pps2.Measurement(
            assay=_oc(MARGIN_STATUS),
            value=pps2.Value(ontology_class=_oc(facts.margin))))
    for marker, result in facts.markers:
        sample.measurements.append(pps2.Measurement(
            assay=_oc(marker), value=pps2.Value(ontology_class=_value(result))))
    yield sample


def _actions(facts: CaseFacts, time: _Timeline) -> Iterable[pps2.MedicalAction]:
    for procedure in facts.procedures:
        if procedure.kind not in ("surgery", "biopsy", "systemic therapy", "radiation therapy"):
            continue
        action = _action(procedure, facts, time)
        _put(action, "treatment_intent", procedure.intent)
        yield action


def _action(procedure: ProcedureFact, facts: CaseFacts, time: _Timeline) -> pps2.MedicalAction:
    if procedure.kind == "systemic therapy" and procedure.agents:
        return pps2.MedicalAction(treatment=pps2.Treatment(agent=_oc(procedure.agents[0])))
    done = pps2.Procedure(code=_oc(procedure.code))
    _put(done, "body_site", facts.vessel if procedure.is_index else None)
    _put(done, "performed", time.at(procedure.months))
    return pps2.MedicalAction(procedure=done)


def _prefixes(packet: pps2.Phenopacket | pps2.Cohort) -> set[str]:
    """Every CURIE prefix of every OntologyClass in ``packet``."""
    found: set[str] = set()

    def walk(message: object) -> None:
        if isinstance(message, pps2.OntologyClass):
            found.add(message.id.split(":", 1)[0])
            return
        for field, value in message.ListFields():  # type: ignore[attr-defined]
            if field.message_type is None:
                continue
            for item in (value if field.is_repeated else [value]):
                walk(item)

    walk(packet)
    return found


def _meta_data(packet: pps2.Phenopacket | pps2.Cohort, facts: CaseFacts | None,
               publication: PublicationRef | None) -> pps2.MetaData:
    created = Timestamp()
    created.FromDatetime(datetime.now(UTC).replace(microsecond=0))
    meta = pps2.MetaData(created=created, created_by="vlms-kg",
                         phenopacket_schema_version=SCHEMA_VERSION)
    for prefix in sorted(_prefixes(packet)):
        r = RESOURCES[prefix]
        meta.resources.append(pps2.Resource(id=r.id, name=r.name, url=r.url, version=r.version,
                                            namespace_prefix=r.namespace_prefix,
                                            iri_prefix=r.iri_prefix))
    if publication is not None:
        meta.external_references.extend(publication.external_references())
    if facts is not None:
        meta.updates.append(pps2.Update(
            timestamp=created, updated_by="vlms-kg",
            comment="Times are the reported age at presentation, taken as the age at the index "
                    "operation, plus offsets stated in the case report; survivalTimeInDays "
                    "counts from the index operation."))
    return meta


def build_cohort(packets: Sequence[pps2.Phenopacket], identifier: str) -> pps2.Cohort:
    """A Cohort of ``packets`` with metadata covering every prefix they use."""
    cohort = pps2.Cohort(id=identifier, description="vlms-kg: published cases of vascular "
                         "leiomyosarcoma", members=list(packets))
    cohort.meta_data.CopyFrom(_meta_data(cohort, None, None))
    return cohort


def to_dict(message: pps2.Phenopacket | pps2.Cohort) -> dict[str, Any]:
    """The message as camelCase JSON values, as phenopacket tools read it."""
    return MessageToDict(message)


def to_json(message: pps2.Phenopacket | pps2.Cohort) -> str:
    """camelCase JSON text, keys sorted, as phenopacket tools read it."""
    return json_text(to_dict(message), sort_keys=True)


def cohort_json(cohort: pps2.Cohort, members: Sequence[dict[str, Any]]) -> str:
    """:func:`to_json` of ``cohort``, whose members are given already as :func:`to_dict`
    made them (so that each phenopacket is converted once for its file and the cohort).

    >>> packet = pps2.Phenopacket(id="p1")
    >>> cohort = build_cohort([packet], "c")
    >>> cohort_json(cohort, [to_dict(packet)]) == to_json(cohort)
    True
    """
    shell = pps2.Cohort()
    shell.CopyFrom(cohort)
    del shell.members[:]
    data = to_dict(shell)
    if members:
        data["members"] = list(members)
    return json_text(data, sort_keys=True)
