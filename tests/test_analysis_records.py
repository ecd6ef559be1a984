"""Case records: the shipped cases checked against their reports, and the time rules
("Honest time") on small cases written for each rule.

The shipped cases are read from their own files (Turtle or sheet) into a store with the
ontology and their publications, so these tests hold whatever other cases are added.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg import resources
from kg.analysis.records import CaseRecord, extract_records
from kg.analysis.timeline import Link, Offset, offsets
from kg.namespaces import CASE
from kg.sources.files import Source, parse_source
from kg.store.embedded import EmbeddedStore

NAMED_CASES = ("lms-ivc-two-cases-c1", "lms-ivc-two-cases-c2", "lms-femoral-vein-c1")


def ontology_store() -> ox.Store:
    """An in-memory store holding the ontology graph only."""
    store = ox.Store()
    for path in resources.ontology_files():
        store.extend(parse_source(Source.for_ontology(path)))
    return store


def named_store(cases: tuple[str, ...] = NAMED_CASES) -> EmbeddedStore:
    """The ontology, the named shipped cases and their publications, in memory."""
    store = ontology_store()
    files = {p.stem: p for p in resources.case_files()}
    publications = {p.stem: p for p in resources.publication_files()}
    for case in cases:
        store.extend(parse_source(Source.for_case(files[case])))
        publication = case.rsplit("-c", 1)[0]
        store.extend(parse_source(Source.for_publication(publications[publication])))
    return EmbeddedStore.from_dataset(store)


@pytest.fixture(scope="module")
def shipped() -> dict[str, CaseRecord]:
    return {r.case_id: r for r in extract_records(named_store())}


def test_ivc_case_1_as_reported(shipped: dict[str, CaseRecord]) -> None:
    # a 60-year-old woman; IVC tumour from the infrahepatic IVC to below the renal veins;
    # 10 x 8 cm on MRI/CT, 7 cm at pathology; high grade; en bloc resection, R0, with
    # ligation; no adjuvant treatment; lung metastases 9 months after the operation;
    # last seen 30 months after it, alive, lesions stable
    c1 = shipped["lms-ivc-two-cases-c1"]
    assert (c1.age_years, c1.age_band, c1.sex) == (60, "60-69", "female")
    assert (c1.vessel, c1.vessel_group) == ("inferior vena cava", "inferior vena cava")
    assert c1.ivc_segments == ("middle", "lower")
    assert (c1.size_cm, c1.grade, c1.margin, c1.en_bloc) == (10.0, "high", "R0", True)
    assert "ligation" in c1.vascular_management
    assert c1.adjuvant_therapy == "none"
    assert c1.metastasis is True and c1.metastasis_sites == ("lung",)
    assert (c1.follow_up_months, c1.vital_status) == (30.0, "alive")
    assert c1.time("overall", "surgery") == (30.0, False, "exact", None)
    assert c1.time("event-free", "surgery") == (9.0, True, "exact", None)
    assert c1.time("metastasis-free", "surgery") == (9.0, True, "exact", None)


def test_ivc_case_2_as_reported(shipped: dict[str, CaseRecord]) -> None:
    # a 65-year-old woman; graft replacement with an aortic allograft; lung and liver
    # metastases 6 months after the operation; alive 2 years after it
    c2 = shipped["lms-ivc-two-cases-c2"]
    assert (c2.age_years, c2.sex, c2.margin) == (65, "female", "R0")
    assert c2.vascular_management == ("graft",)
    assert c2.graft_material == ("aortic allograft",)
    assert c2.metastasis_sites == ("liver", "lung")
    assert c2.follow_up_months == 24.0
    assert c2.time("overall", "surgery") == (24.0, False, "exact", None)
    assert c2.time("event-free", "surgery") == (6.0, True, "exact", None)


def test_femoral_case_as_reported(shipped: dict[str, CaseRecord]) -> None:
    # a 72-year-old man; left common femoral vein; first taken for a deep vein thrombosis;
    # PET without metastasis before the resection (R0); postoperative radiotherapy; no
    # recurrence or metastasis 7 months after the operation
    femoral = shipped["lms-femoral-vein-c1"]
    assert (femoral.age_years, femoral.sex) == (72, "male")
    assert (femoral.vessel, femoral.vessel_group) == ("left common femoral vein", "other vein")
    assert femoral.ivc_segments == ()
    assert femoral.initial_misdiagnosis == ("Deep venous thrombosis",)
    assert femoral.metastasis_at_presentation is False
    assert (femoral.margin, femoral.adjuvant_therapy) == ("R0", "radiotherapy")
    assert (femoral.recurrence, femoral.metastasis) == (False, False)
    assert femoral.time("event-free", "surgery") == (7.0, False, "exact", None)


def test_no_diagnosis_time_is_a_counted_reason(shipped: dict[str, CaseRecord]) -> None:
    # the reports place the diagnosis on the timeline but give no interval to the follow-up
    c1 = shipped["lms-ivc-two-cases-c1"]
    assert c1.time("overall", "diagnosis").months is None
    assert c1.time("overall", "diagnosis").excluded == (
        "last follow-up not placed in time from the diagnosis")


def test_records_round_trip_through_dicts(shipped: dict[str, CaseRecord]) -> None:
    for record in shipped.values():
        assert CaseRecord.from_dict(record.as_dict()) == record


def test_records_of_named_cases_only() -> None:
    store = named_store()
    one = extract_records(store, [str(CASE) + "lms-femoral-vein-c1"])
    assert [r.case_id for r in one] == ["lms-femoral-vein-c1"]


# --- the time rules, on cases written for them --------------------------------------------

_CASE = """@prefix : <https://w3id.org/vlmskg/case/rule-c1/> .
@prefix vlms: <https://w3id.org/vlmskg/vocab/> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/vlmskg/case/rule-c1> a vlms:Case ;
    vlms:hasPatient :patient ; vlms:hasTumour :tumour ;
    vlms:indexSurgery :operation ; vlms:lastFollowUp :lastFollowUp .
:patient vlms:ageYears 50 .
:operation a vlms:SurgicalProcedure , obo:MAXO_0000448 ; vlms:timelinePosition 1 .
:lastFollowUp a vlms:LastFollowUp ; vlms:timelinePosition 5 ;
    %(vital)s vlms:hasTiming :fuTiming .
:fuTiming a vlms:RelativeTiming ; vlms:relativeTo :operation ;
    vlms:temporalRelation vlms:After ; %(fu)s .
%(extra)s
"""


ALIVE, DEAD = "obo:PATO_0001421", "obo:PATO_0001422"


def rule_record(fu: str, vital: str | None = ALIVE, extra: str = "") -> CaseRecord:
    store = ontology_store()
    text = _CASE % {"fu": fu, "vital": f"vlms:vitalStatus {vital} ;" if vital else "",
                    "extra": extra}
    store.load(text.encode(), format=ox.RdfFormat.TURTLE,
               to_graph=ox.NamedNode(str(CASE) + "rule-c1"))
    (record,) = extract_records(EmbeddedStore.from_dataset(store))
    return record


YEARS = "vlms:timeUnit obo:UO_0000036"


def test_more_than_two_years_alive_is_censored_at_24_months() -> None:
    record = rule_record(f'vlms:amount 2 ; {YEARS} ; vlms:precision vlms:AtLeast')
    assert record.time("overall", "surgery") == (24.0, False, "at least", None)


def test_about_three_years_dead_is_an_event_at_36_months_flagged() -> None:
    record = rule_record(f'vlms:amount 3 ; {YEARS} ; vlms:precision vlms:Approximate',
                         vital=DEAD)
    assert record.time("overall", "surgery") == (36.0, True, "approximate", None)
    assert record.vital_status == "dead"


def test_death_more_than_a_year_after_is_censored_there() -> None:
    # the patient died at some time after 12 months: event-free until 12, the time unknown
    record = rule_record(f'vlms:amount 1 ; {YEARS} ; vlms:precision vlms:AtLeast', vital=DEAD)
    assert record.time("overall", "surgery") == (12.0, False, "at least", None)


def test_a_groups_range_is_not_a_patients_time() -> None:
    record = rule_record('vlms:amountMin 12 ; vlms:amountMax 30 ; '
                         'vlms:timeUnit obo:UO_0000035 ; vlms:statedForGroup true')
    assert record.time("overall", "surgery").months is None
    assert record.time("overall", "surgery").excluded == (
        "last follow-up time given only as a group's range")


def test_days_and_weeks_convert_with_the_ontology_factors() -> None:
    record = rule_record('vlms:amount 70 ; vlms:timeUnit obo:UO_0000034 ; '
                         'vlms:precision vlms:Exact')
    assert record.follow_up_months == pytest.approx(70 * 0.2299794661)


_METASTASIS = """:lung a obo:UBERON_0002048 .
:metastasis a vlms:Metastasis ; vlms:concept obo:NCIT_C3577 ; vlms:presence vlms:Present ;
    vlms:site :lung ; vlms:observedIn :scan .
:scan a vlms:ImagingProcedure ; vlms:timelinePosition %(position)s %(timing)s .
:scanTiming a vlms:RelativeTiming ; vlms:relativeTo :operation ;
    vlms:temporalRelation vlms:After ; vlms:amount 8 ; vlms:timeUnit obo:UO_0000035 .
"""


def test_metastasis_without_a_time_leaves_the_case_out_of_event_free() -> None:
    record = rule_record(f"vlms:amount 2 ; {YEARS}",
                         extra=_METASTASIS % {"position": 3, "timing": ""})
    assert record.time("overall", "surgery") == (24.0, False, "exact", None)
    assert record.time("event-free", "surgery").excluded == (
        "metastasis reported without a time from the surgery")
    assert record.metastasis is True and record.metastasis_sites == ("lung",)


def test_timed_metastasis_is_the_event() -> None:
    record = rule_record(f"vlms:amount 2 ; {YEARS}",
                         extra=_METASTASIS % {"position": 3,
                                              "timing": "; vlms:hasTiming :scanTiming"})
    assert record.time("metastasis-free", "surgery") == (8.0, True, "exact", None)


def test_metastasis_at_presentation_leaves_the_case_out_of_metastasis_free() -> None:
    # seen on a scan placed before the operation on the timeline
    record = rule_record(f"vlms:amount 2 ; {YEARS}",
                         extra=_METASTASIS % {"position": 0, "timing": ""})
    assert record.metastasis_at_presentation is True
    assert record.time("metastasis-free", "surgery").excluded == (
        "metastasis already present at time zero (surgery)")
    assert record.time("overall", "surgery").months == 24.0


def test_no_vital_status_is_a_counted_reason() -> None:
    record = rule_record(f"vlms:amount 2 ; {YEARS}", vital=None)
    assert record.time("overall", "surgery").excluded == "vital status not reported"


# --- the timeline ------------------------------------------------------------------------


def test_offsets_flip_bounds_when_read_backwards() -> None:
    # operation at least 2 weeks after diagnosis; follow-up 30 months after the operation
    links = [Link("op", "dx", 0.46, "at least"), Link("fu", "op", 30.0, "exact")]
    assert offsets(links, "dx")["fu"] == Offset(30.46, "at least")
    assert offsets(links, "op")["dx"] == Offset(-0.46, "at most")


def test_opposite_bounds_place_nothing() -> None:
    links = [Link("op", "dx", 1.0, "at least"), Link("fu", "op", 12.0, "at most")]
    assert "fu" not in offsets(links, "dx")


def test_the_most_precise_chain_wins() -> None:
    links = [Link("fu", "op", 30.0, "approximate"), Link("fu", "visit", 6.0, "exact"),
             Link("visit", "op", 24.5, "exact")]
    assert offsets(links, "op")["fu"] == Offset(30.5, "exact")
