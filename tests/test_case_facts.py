"""The facts of the three case reports, read back from the built graph with SPARQL.

Every expected value below was written from the case reports themselves: the femoral
vein case (one patient) and the two inferior vena cava cases of the second publication.
"""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox
import pytest

from kg.namespaces import case_iri
from tests.fixtures.graph import select

FEMORAL, IVC1, IVC2 = "lms-femoral-vein-c1", "lms-ivc-two-cases-c1", "lms-ivc-two-cases-c2"
ALL_CASES = (FEMORAL, IVC1, IVC2)

OBO = "http://purl.obolibrary.org/obo/"
VLMS = "https://w3id.org/vlmskg/vocab/"
MALE, FEMALE = OBO + "PATO_0000384", OBO + "PATO_0000383"
ALIVE = OBO + "PATO_0001421"
MONTH, YEAR = OBO + "UO_0000035", OBO + "UO_0000036"
LUNG, LIVER = OBO + "UBERON_0002048", OBO + "UBERON_0002107"
# methods: ultrasonography, venography, MRI, CT, echocardiography, PET, histopathology,
# thromboembolectomy, surgical resection
ULTRASOUND, VENOGRAPHY = OBO + "MAXO_0000072", OBO + "MAXO_0035095"
MRI, CT = OBO + "MAXO_0000424", OBO + "MAXO_0000571"
ECHO, PET = OBO + "MAXO_0010203", OBO + "MAXO_0000137"
HISTOPATHOLOGY = OBO + "OBI_0002564"
THROMBECTOMY, RESECTION = OBO + "MAXO_0001102", OBO + "MAXO_0000448"


def one(store: ox.Store, case: str, pattern: str) -> list[dict[str, str]]:
    """Rows of ``pattern`` evaluated inside the case's graph, ``?case`` bound to its node."""
    return select(store, f"""SELECT * WHERE {{ GRAPH <{case_iri(case)}> {{
        BIND(<{case_iri(case)}> AS ?case) {pattern} }} }}""")


@pytest.mark.parametrize(("case", "age"), [(FEMORAL, 72), (IVC1, 60), (IVC2, 65)])
def test_age_at_presentation(dataset: ox.Store, case: str, age: int) -> None:
    rows = one(dataset, case, "?case vlms:hasPatient/vlms:ageYears ?age")
    assert [int(r["age"]) for r in rows] == [age]


@pytest.mark.parametrize(("case", "sex"), [(FEMORAL, MALE), (IVC1, FEMALE), (IVC2, FEMALE)])
def test_sex(dataset: ox.Store, case: str, sex: str) -> None:
    rows = one(dataset, case, "?case vlms:hasPatient/vlms:sex ?sex")
    assert [r["sex"] for r in rows] == [sex]


def test_femoral_tumour_arises_from_the_left_common_femoral_vein(dataset: ox.Store) -> None:
    rows = one(dataset, FEMORAL, """?case vlms:hasTumour/vlms:arisesFrom ?vessel .
        ?vessel a vlms:CommonFemoralVein ; vlms:laterality ?side""")
    assert [r["side"] for r in rows] == [VLMS + "Left"]


@pytest.mark.parametrize("case", [IVC1, IVC2])
def test_ivc_tumours_arise_from_the_inferior_vena_cava(dataset: ox.Store, case: str) -> None:
    rows = one(dataset, case, """?case vlms:hasTumour/vlms:arisesFrom/obo:BFO_0000050* ?vessel .
        ?vessel a obo:UBERON_0001072""")
    assert len(rows) == 1


def sizes(store: ox.Store, case: str) -> set[tuple[tuple[Decimal, ...], str, bool]]:
    """(dimensions in cm, method, aggregate of fragments?) for every size of the tumour and
    its portions and every external technique class behind it: the imaging or pathology
    procedure that measured it, and the procedure that obtained the specimen."""
    rows = one(store, case, f"""
        ?case vlms:hasTumour/vlms:hasPortion? ?part . ?part vlms:hasSizeMeasurement ?size .
        ?size vlms:firstDimensionCm ?d1 .
        OPTIONAL {{ ?size vlms:secondDimensionCm ?d2 }}
        OPTIONAL {{ ?size vlms:thirdDimensionCm ?d3 }}
        OPTIONAL {{ ?size vlms:aggregateOfFragments ?aggregate }}
        {{ ?size vlms:measuredIn/rdf:type ?method }}
        UNION {{ ?size vlms:specimen/vlms:obtainedBy/rdf:type ?method }}
        FILTER(STRSTARTS(STR(?method), "{OBO}"))""")
    return {(tuple(Decimal(r[k]) for k in ("d1", "d2", "d3") if k in r), r["method"],
             r.get("aggregate") == "true") for r in rows}


def d(*values: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(v) for v in values)


@pytest.mark.parametrize(("case", "expected"), [
    (FEMORAL, {(d("3.5", "3.0", "2.8"), THROMBECTOMY, True),
               (d("4.0", "3.0", "1.5"), RESECTION, False)}),
    (IVC1, {(d("10", "8"), MRI, False), (d("10", "8"), CT, False),
            (d("7"), HISTOPATHOLOGY, False), (d("7"), RESECTION, False)}),
    (IVC2, {(d("7.0", "6.5", "9.4"), CT, False),
            (d("3", "4"), ECHO, False),
            (d("16", "8"), HISTOPATHOLOGY, False), (d("16", "8"), RESECTION, False)}),
])
def test_tumour_sizes_and_how_they_were_measured(dataset: ox.Store, case: str,
                                                expected: set) -> None:
    assert sizes(dataset, case) == expected


def test_right_atrial_mass_is_a_portion_seen_on_echocardiography(dataset: ox.Store) -> None:
    rows = one(dataset, IVC2, f"""?case vlms:hasTumour/vlms:hasPortion ?portion .
        ?portion obo:RO_0001025 ?site ; vlms:hasSizeMeasurement/vlms:measuredIn ?event .
        ?site a obo:UBERON_0002078 . ?event a <{ECHO}>""")
    assert len(rows) == 1


def test_femoral_immunohistochemistry(dataset: ox.Store) -> None:
    rows = one(dataset, FEMORAL, """?case vlms:hasTumour/vlms:hasImmunohistochemistryResult ?r .
        ?r vlms:marker ?marker ; vlms:markerResult ?result""")
    assert {(r["marker"], r["result"]) for r in rows} == {
        (VLMS + "AlphaSmoothMuscleActin", VLMS + "Positive"),
        (OBO + "NCIT_C96450", VLMS + "Positive"),  # desmin
        (OBO + "NCIT_C48797", VLMS + "Positive"),  # vimentin
        (OBO + "NCIT_C17280", VLMS + "Negative"),  # CD34
        (VLMS + "CD68Antigen", VLMS + "Negative"),
    }


def position(store: ox.Store, case: str, kind: str) -> int:
    rows = one(store, case, f"?case vlms:hasEvent ?e . ?e a <{kind}> ; vlms:timelinePosition ?p")
    assert len({r["e"] for r in rows}) == 1, f"expected one event of type {kind} in {case}"
    return int(rows[0]["p"])


def test_femoral_procedures_in_timeline_order(dataset: ox.Store) -> None:
    at = {kind: position(dataset, FEMORAL, kind) for kind in (
        ULTRASOUND, VENOGRAPHY, VLMS + "Thrombolysis", THROMBECTOMY, PET, RESECTION,
        VLMS + "RadiationTherapy")}
    assert at[ULTRASOUND] == at[VENOGRAPHY]
    assert (at[VENOGRAPHY] < at[VLMS + "Thrombolysis"] < at[THROMBECTOMY] < at[PET]
            < at[RESECTION] < at[VLMS + "RadiationTherapy"])


@pytest.mark.parametrize("case", ALL_CASES)
def test_index_surgery_margins_are_r0(dataset: ox.Store, case: str) -> None:
    rows = one(dataset, case, "?case vlms:indexSurgery/vlms:marginStatus ?margin")
    assert [r["margin"] for r in rows] == [VLMS + "R0"]


def metastases(store: ox.Store, case: str) -> set[tuple[str, Decimal, str]]:
    """(site class, time after the index surgery, unit) of every metastasis found."""
    rows = one(store, case, """?case vlms:hasFinding ?m ; vlms:indexSurgery ?surgery .
        ?m a vlms:Metastasis ; vlms:presence vlms:Present ; vlms:site/rdf:type ?site ;
           vlms:observedIn/vlms:hasTiming ?t .
        ?t vlms:relativeTo ?surgery ; vlms:temporalRelation vlms:After ;
           vlms:amount ?amount ; vlms:timeUnit ?unit""")
    return {(r["site"], Decimal(r["amount"]), r["unit"]) for r in rows}


@pytest.mark.parametrize(("case", "expected"), [
    (FEMORAL, set()),
    (IVC1, {(LUNG, Decimal(9), MONTH)}),
    (IVC2, {(LUNG, Decimal(6), MONTH), (LIVER, Decimal(6), MONTH)}),
])
def test_metastasis_sites_and_times(dataset: ox.Store, case: str, expected: set) -> None:
    assert metastases(dataset, case) == expected


def test_femoral_case_states_the_absence_of_metastasis(dataset: ox.Store) -> None:
    rows = one(dataset, FEMORAL, """?case vlms:lastFollowUp ?fu ; vlms:hasFinding ?f .
        ?f vlms:presence vlms:Absent ; vlms:observedIn ?fu ; vlms:concept obo:NCIT_C19151""")
    assert len(rows) == 1


@pytest.mark.parametrize(("case", "amount", "unit"), [
    (FEMORAL, 7, MONTH), (IVC1, 30, MONTH), (IVC2, 2, YEAR)])
def test_last_follow_up_after_the_index_surgery(dataset: ox.Store, case: str, amount: int,
                                                unit: str) -> None:
    rows = one(dataset, case, """?case vlms:lastFollowUp ?fu ; vlms:indexSurgery ?surgery .
        ?fu vlms:vitalStatus ?status ; vlms:hasTiming ?t .
        ?t vlms:relativeTo ?surgery ; vlms:temporalRelation vlms:After ;
           vlms:amount ?amount ; vlms:timeUnit ?unit""")
    assert [(Decimal(r["amount"]), r["unit"], r["status"]) for r in rows] == [
        (Decimal(amount), unit, ALIVE)]


@pytest.mark.parametrize(("case", "blood_loss_ml", "minutes"), [(IVC1, 300, 150), (IVC2, 925, 360)])
def test_blood_loss_and_operative_time(dataset: ox.Store, case: str, blood_loss_ml: int,
                                       minutes: int) -> None:
    rows = one(dataset, case, """?case vlms:indexSurgery ?op .
        ?op vlms:bloodLossMl ?loss ; vlms:operativeTimeMinutes ?minutes""")
    assert [(Decimal(r["loss"]), Decimal(r["minutes"])) for r in rows] == [
        (Decimal(blood_loss_ml), Decimal(minutes))]


def test_kidney_infiltration_was_a_suspicion_that_pathology_refuted(dataset: ox.Store) -> None:
    # case 2: at operation the tumour appeared to infiltrate the right kidney (hence the
    # nephrectomy); pathology found the kidney free of tumour
    rows = one(dataset, IVC2, """?case vlms:hasFinding ?f .
        ?f vlms:concept vlms:TumourInfiltration ;
        vlms:presence ?presence ; vlms:observedIn ?event ; vlms:site ?site .
        ?site a obo:UBERON_0004539 . ?f a ?kind .
        FILTER (?kind IN (vlms:IntraoperativeFinding, vlms:HistologicFinding))""")
    found = {(r["kind"].rsplit("/", 1)[1], r["presence"].rsplit("/", 1)[1]) for r in rows}
    assert found == {("IntraoperativeFinding", "Indeterminate"), ("HistologicFinding", "Absent")}


def test_only_oral_anticoagulation_was_withheld_at_discharge(dataset: ox.Store) -> None:
    rows = one(dataset, IVC2, """?case vlms:hasFinding ?f . ?f a vlms:TreatmentFinding ;
        vlms:concept ?concept ; vlms:presence vlms:Absent ; vlms:observedIn ?discharge .
        ?discharge a vlms:HospitalDischarge .""")
    concepts = {r["concept"] for r in rows}
    assert VLMS + "OralAnticoagulantTherapy" in concepts
    assert OBO + "MAXO_0000178" not in concepts  # not all anticoagulant therapy


def test_ivc_segment_labels_follow_the_three_level_classification(dataset: ox.Store) -> None:
    # upper: above the hepatic veins; middle: hepatic to renal veins; lower: below the renal
    # veins. Most of the retrohepatic IVC is middle, so no upper segment is called retrohepatic.
    rows = select(dataset, """SELECT ?segment ?label WHERE { GRAPH ?g {
        ?segment a vlms:IVCUpperSegment ; rdfs:label ?label } }""")
    assert rows and all("retrohepatic" not in r["label"] for r in rows)
    [upper] = [r["label"] for r in rows if r["segment"] == f"{case_iri(IVC2)}/ivcUpperSegment"]
    assert "above the hepatic veins" in upper
