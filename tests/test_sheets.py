# ruff: noqa: E501  (the table of fields holds one SPARQL check per line)
"""Case sheets compile to the model of a hand-written case: same query rows as the Turtle
files of the three shipped cases, a lossless round trip, and every field compiled."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.queries import run_query
from kg.resources import case_files
from kg.sheets.case import CASE_KEYS, ITEM_KEYS, SECTION_KEYS, compile_case, compile_case_file
from kg.sheets.loader import load_sheet, read_sheet_text
from kg.sheets.writer import case_to_sheet, dump_sheet
from kg.sources.files import Source, load_sources, parse_source, project_sources
from kg.store.embedded import EmbeddedStore
from kg.synth import write_cohort
from kg.validation.validate import validate_files

SHEETS = Path(__file__).parent / "data" / "sheets"
SHIPPED_SHEETS = sorted(SHEETS.glob("*.yaml"))
ALL_SHEETS = sorted(SHEETS.rglob("*.yaml"))
TURTLE = sorted(p for p in case_files() if p.suffix == ".ttl")
QUERIES = ("cohort", "time-to-event", "vessel-management", "metastasis-sites")
VLMS = "https://w3id.org/vlmskg/vocab/"
OBO = "http://purl.obolibrary.org/obo/"


def _store(cases: list[Path]) -> EmbeddedStore:
    return EmbeddedStore.from_dataset(load_sources(project_sources(cases, include_shapes=False)))


@pytest.fixture(scope="module")
def stores() -> tuple[EmbeddedStore, EmbeddedStore]:
    return _store(TURTLE), _store(SHIPPED_SHEETS)


def test_the_three_shipped_cases_are_written_as_sheets():
    assert [p.stem for p in SHIPPED_SHEETS] == [p.stem for p in TURTLE] == [
        "lms-femoral-vein-c1", "lms-ivc-two-cases-c1", "lms-ivc-two-cases-c2"]


@pytest.mark.parametrize("query", QUERIES)
def test_sheets_give_the_rows_of_the_turtle_cases(stores, query):
    turtle, sheets = stores
    assert run_query(query, sheets) == run_query(query, turtle)


def test_sheet_rows_hold_the_reported_values(stores):
    _, sheets = stores
    rows = {r.caseId: r for r in run_query("cohort", sheets)}
    c1, c2, femoral = (rows["lms-ivc-two-cases-c1"], rows["lms-ivc-two-cases-c2"],
                       rows["lms-femoral-vein-c1"])
    assert (c1.age, c1.sex, c1.vessel, c1.ivcSegments) == (60, "female", "inferior vena cava",
                                                           "middle+lower")
    assert (c1.largestDimensionCm, c1.margin, c1.adjuvantTherapy) == (10, "R0", "none")
    assert (c1.firstMetastasisSites, c1.monthsToFirstMetastasis, c1.followUpMonths) == (
        "lung", 9, 30)
    assert c2.vesselManagement == "graft replacement (aortic allograft)"
    assert (c2.adjuvantTherapy, c2.followUpMonths) == ("no adjuvant chemotherapy", 24)
    assert (femoral.vessel, femoral.firstMetastasisSites, femoral.adjuvantTherapy) == (
        "left common femoral vein", "none", "radiation therapy")


def test_shipped_sheets_conform_to_the_shapes():
    report = validate_files(SHIPPED_SHEETS)
    assert report.errors == [] and report.conforms, [r.message for r in report.violations]
    assert set(report.completeness) == {p.stem for p in SHIPPED_SHEETS}


def _triples(quads: list[ox.Quad]) -> set[tuple[str, str, str]]:
    return {(q.subject.value, q.predicate.value, str(q.object)) for q in quads}


def _round_trip(quads: list[ox.Quad], case_id: str) -> tuple[str, list[ox.Quad]]:
    text = dump_sheet(case_to_sheet(quads, case_id))
    return text, compile_case(read_sheet_text(text, file="shown"), case_id)


@pytest.mark.parametrize("path", ALL_SHEETS, ids=lambda p: p.stem)
def test_sheet_graph_sheet_round_trip_keeps_the_graph(path):
    first = compile_case_file(path)
    _, again = _round_trip(first, path.stem)
    assert _triples(again) == _triples(first)


@pytest.mark.parametrize("path", TURTLE, ids=lambda p: p.stem)
def test_turtle_case_shown_as_sheet_compiles_and_is_stable(path):
    quads = parse_source(Source.for_case(path))
    text, compiled = _round_trip(quads, path.stem)
    text_again, _ = _round_trip(compiled, path.stem)
    assert text_again == text
    shown = read_sheet_text(text, file="shown")
    expected = {"lms-femoral-vein-c1": (72, "common femoral vein", "7 months"),
                "lms-ivc-two-cases-c1": (60, "inferior vena cava", "30 months"),
                "lms-ivc-two-cases-c2": (65, "inferior vena cava", "2 years")}[path.stem]
    assert (shown["patient"]["age"], shown["tumour"]["vessel"],
            shown["follow up"]["time"]) == expected


def test_synthetic_sheets_round_trip_and_match_their_turtle(tmp_path):
    turtle = write_cohort(tmp_path / "ttl", 12, seed=3)
    sheets = write_cohort(tmp_path / "yaml", 12, seed=3, form="sheet")
    assert [p.suffix for p in sheets.case_files] == [".yaml"] * 12
    for path in sheets.case_files:
        first = compile_case_file(path)
        assert _triples(_round_trip(first, path.stem)[1]) == _triples(first)
    by_turtle = run_query("time-to-event", _store(list(turtle.case_files)))
    by_sheet = run_query("time-to-event", _store(list(sheets.case_files)))
    assert by_sheet == by_turtle


def test_node_iris_do_not_depend_on_list_positions():
    sheet = load_sheet(SHEETS / "lms-ivc-two-cases-c2.yaml")
    reordered = dict(sheet)
    reordered["events"] = list(reversed(sheet["events"]))
    reordered["imaging"] = list(reversed(sheet["imaging"]))
    reordered["operations"] = [dict(sheet["operations"][0], complications=list(
        reversed(sheet["operations"][0]["complications"])))]

    def nodes(data: dict) -> set[str]:
        return {q.subject.value for q in compile_case(data, "lms-ivc-two-cases-c2")}

    assert nodes(reordered) == nodes(sheet)


# --- every field compiled, with values from the reports ---------------------------------------

_NUMBER = re.compile(r"(vlms:\w+) (\d+(?:\.\d+)?)(?=[ ;.}])")


def _numbers_by_value(sparql: str) -> str:
    """``vlms:amount 9`` matches 9 of any numeric datatype (decimal, integer...)."""
    filters: list[str] = []

    def swap(match: re.Match[str]) -> str:
        filters.append(f"FILTER(?_n{len(filters)} = {match.group(2)})")
        return f"{match.group(1)} ?_n{len(filters) - 1}"

    body = _NUMBER.sub(swap, sparql)
    return body[:body.rindex("}")] + " ".join(filters) + " }"


def _ask(path: str, sparql: str) -> bool:
    sparql = _numbers_by_value(sparql)
    file = next(p for p in ALL_SHEETS if p.stem == path)
    store = ox.Store()
    store.extend(compile_case_file(file))
    prefixes = (f"PREFIX vlms: <{VLMS}> PREFIX obo: <{OBO}> "
                "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> ")
    return bool(store.query(prefixes + sparql, use_default_graph_as_union=True))


C1, C2, FEM = "lms-ivc-two-cases-c1", "lms-ivc-two-cases-c2", "lms-femoral-vein-c1"
STAUFFER, THIEME = "stauffer-2009-wjso-ivc-pancreas-ptfe-c1", "thieme-iliac-vein-37m-fatal-c1"
YOSHI, BLECHER = "yoshikawa-2025-ivc-exvivo-atrial-c1", "blecher-bjui-left-renal-vein-c1"
ANN, CRIM = "annvascsurg-2016-ivc-three-cases-c2", "crim-2018-external-iliac-vein-branch-51m-c1"
VALLE = "valle-2014-indianjsurg-femoral-vein-metastatic-c1"
ALEEM = "aleem-ijehsr-superficial-femoral-vein-23m-c1"

#: field -> (test sheet, ASK query that holds only if the field compiled to the model)
FIELDS = {
    "publication": (C1, "ASK { ?c vlms:reportedIn <https://w3id.org/vlmskg/publication/lms-ivc-two-cases> }"),
    "case number": (C2, 'ASK { ?c vlms:caseNumberInSource 2 }'),
    "source": (C2, 'ASK { ?c a vlms:Case ; vlms:sourceLocation "case report 2" }'),
    "note": (C1, 'ASK { ?t vlms:arisesFrom ?w ; vlms:curationNote ?n FILTER CONTAINS(?n, "implied") }'),
    "synthetic": (None, None),
    "age": (C1, "ASK { ?p vlms:ageYears 60 }"),
    "sex": (FEM, "ASK { ?p vlms:sex obo:PATO_0000384 }"),
    "vessel": (FEM, "ASK { ?t vlms:arisesFrom/obo:BFO_0000050 ?v . ?v a vlms:CommonFemoralVein ; vlms:laterality vlms:Left }"),
    "vessel certainty": (THIEME, 'ASK { ?t vlms:arisesFrom ?w ; vlms:curationNote ?n FILTER CONTAINS(?n, "uncertain") }'),
    "segment": (C2, "ASK { ?t vlms:involves ?s . ?s a vlms:IVCUpperSegment ; obo:BFO_0000050 ?ivc . ?ivc a obo:UBERON_0001072 }"),
    "side": (FEM, "ASK { ?v a vlms:CommonFemoralVein ; vlms:laterality vlms:Left }"),
    "growth": (FEM, "ASK { ?t vlms:growthPattern vlms:IntraluminalGrowth , vlms:ExtraluminalGrowth }"),
    "extends into": (C2, "ASK { ?t vlms:extendsInto ?a . ?a a obo:UBERON_0002078 }"),
    "adjacent to": (C2, "ASK { ?t obo:RO_0002220 ?k . ?k a obo:UBERON_0004539 }"),
    "size": (C2, "ASK { ?t vlms:hasSizeMeasurement ?s . ?s vlms:firstDimensionCm 16 ; vlms:secondDimensionCm 8 ; vlms:measuredIn ?p . ?p a vlms:PathologyProcedure }"),
    "cm": (C2, "ASK { ?s vlms:firstDimensionCm 7.0 ; vlms:secondDimensionCm 6.5 ; vlms:thirdDimensionCm 9.4 }"),
    "by": (C1, "ASK { ?s vlms:firstDimensionCm 10 ; vlms:measuredIn ?m . ?m a obo:MAXO_0000424 }"),
    "grade": (C1, "ASK { ?t vlms:grade obo:NCIT_C14158 }"),
    "mitoses": (FEM, "ASK { ?t vlms:hasMitoticCount ?m . ?m vlms:mitosesPer10HPF 10 }"),
    "per 10 HPF": (FEM, "ASK { ?m vlms:mitosesPer10HPF 10 }"),
    "comparator": (FEM, "ASK { ?m vlms:comparator vlms:GreaterThan }"),
    "necrosis": (FEM, "ASK { ?f a vlms:HistologicFinding ; vlms:concept obo:NCIT_C35957 ; vlms:presence vlms:Present }"),
    "immunohistochemistry": (FEM, "ASK { ?t vlms:hasImmunohistochemistryResult ?r . ?r vlms:marker obo:NCIT_C17280 ; vlms:markerResult vlms:Negative ; vlms:observedIn ?p . ?p a obo:NCIT_C23020 }"),
    "metastasis at presentation": (VALLE, "ASK { ?f vlms:concept obo:NCIT_C19151 ; vlms:presence vlms:Present ; vlms:observedIn ?p . ?p a vlms:Presentation }"),
    "presentation": (C2, "ASK { ?p a vlms:Presentation }"),
    "symptoms": (C2, "ASK { ?f a vlms:PresentingSymptom ; vlms:concept obo:HP_0000790 ; vlms:presence vlms:Present }"),
    "symptom": (C1, "ASK { ?f a vlms:PresentingSymptom ; vlms:concept obo:HP_0002027 }"),
    "duration": (FEM, "ASK { ?f vlms:onset ?o . ?o a vlms:SymptomOnset ; vlms:hasTiming ?t . ?t vlms:temporalRelation vlms:Before ; vlms:amount 2 ; vlms:timeUnit obo:UO_0000035 ; vlms:relativeTo ?p . ?p a vlms:Presentation }"),
    "site": (FEM, "ASK { ?f a vlms:PresentingSymptom ; vlms:site ?s . ?s a obo:UBERON_0002103 ; vlms:laterality vlms:Left }"),
    "present": (C2, "ASK { ?f a vlms:ImagingFinding ; vlms:concept vlms:TumourInfiltration ; vlms:presence vlms:Absent ; vlms:site ?v . ?v a obo:UBERON_0002134 }"),
    "incidental": (ANN, 'ASK { ?p a vlms:Presentation ; vlms:incidentalDiscovery true }'),
    "imaging": (C1, "ASK { ?f a vlms:ImagingFinding ; vlms:concept vlms:TumourMass ; vlms:observedIn ?e ; vlms:site ?s . ?e a vlms:ImagingProcedure , obo:MAXO_0000072 . ?s a obo:UBERON_0003693 }"),
    "modality": (FEM, "ASK { ?e a vlms:ImagingProcedure , obo:MAXO_0035095 }"),
    "finding": (FEM, "ASK { ?f a vlms:ImagingFinding ; vlms:concept vlms:VesselObstruction }"),
    "initial diagnosis": (FEM, "ASK { ?d vlms:diagnosisStatus vlms:InitialMisdiagnosis ; vlms:diagnosedAs obo:HP_0002625 }"),
    "diagnosis": (FEM, "ASK { ?d vlms:diagnosedAs obo:HP_0002625 }"),
    "based on": (FEM, "ASK { ?d vlms:diagnosisStatus vlms:InitialMisdiagnosis ; vlms:basedOn ?e . ?e a obo:MAXO_0000072 }"),
    "treated with": (FEM, "ASK { ?p a vlms:Thrombolysis ; vlms:indication ?d . ?d vlms:diagnosisStatus vlms:InitialMisdiagnosis }"),
    "biopsy": (C2, "ASK { ?b a vlms:BiopsyProcedure , obo:MAXO_0001276 ; vlms:intent vlms:DiagnosticIntent }"),
    "technique": (BLECHER, "ASK { ?b a vlms:BiopsyProcedure , obo:OBI_0002656 }"),
    "guided by": (BLECHER, "ASK { ?g a vlms:ImagingProcedure , obo:MAXO_0000571 ; obo:BFO_0000050 ?b . ?b a vlms:BiopsyProcedure }"),
    "result": (C2, "ASK { ?d vlms:diagnosisStatus vlms:PresumptiveDiagnosis ; vlms:diagnosedAs obo:NCIT_C9118 ; vlms:basedOn ?b . ?b a vlms:BiopsyProcedure }"),
    "given": (C2, "ASK { ?f a vlms:TreatmentFinding ; vlms:concept obo:NCIT_C15360 ; vlms:presence vlms:Absent }"),
    "final diagnosis": (THIEME, "ASK { ?d vlms:diagnosisStatus vlms:FinalDiagnosis ; vlms:basedOn ?p . ?p a vlms:PathologyProcedure }"),
    "operations": (C2, "ASK { ?c vlms:indexSurgery ?o . ?o a vlms:SurgicalProcedure , obo:MAXO_0000448 }"),
    "name": (BLECHER, "ASK { ?c vlms:indexSurgery ?o . ?o a obo:MAXO_0001065 }"),
    "index": (FEM, "ASK { ?c vlms:indexSurgery ?o . ?o vlms:marginStatus vlms:R0 ; vlms:targetSite ?v . ?v a vlms:CommonFemoralVein }"),
    "intent": (C1, "ASK { ?o vlms:marginStatus vlms:R0 ; vlms:intent vlms:CurativeIntent }"),
    "approach": (C2, "ASK { ?s a vlms:SurgicalProcedure , obo:NCIT_C25220 ; obo:BFO_0000050 ?o . ?c vlms:indexSurgery ?o }"),
    "resected": (C1, "ASK { ?o vlms:resectedStructure ?v , ?s . ?v a obo:UBERON_0001142 . ?s a vlms:IVCMiddleSegment }"),
    "en bloc": (C2, "ASK { ?s vlms:enBloc true ; vlms:resectedStructure ?k ; obo:BFO_0000050 ?o . ?k a obo:UBERON_0004539 }"),
    "target": (YOSHI, "ASK { ?o a vlms:Hepatectomy ; vlms:targetSite ?l . ?l a obo:UBERON_0002107 }"),
    "vascular management": (C2, "ASK { ?g a vlms:GraftReplacement ; vlms:graftMaterial vlms:AorticAllograft ; obo:BFO_0000050 ?o . ?c vlms:indexSurgery ?o }"),
    "kind": (C1, "ASK { ?l a vlms:VeinLigation ; vlms:targetSite ?v . ?v a obo:UBERON_0001072 }"),
    "material": (YOSHI, "ASK { ?p a vlms:PatchRepair ; vlms:graftMaterial vlms:BovinePericardium }"),
    "vessel ": (STAUFFER, "ASK { ?a a vlms:Anastomosis ; vlms:description \"reimplantation\" ; vlms:anastomosisBetween ?r . ?r a obo:UBERON_0001141 }"),
    "between": (C1, "ASK { ?a a vlms:Anastomosis ; vlms:anastomosisBetween ?s , ?r . ?s a vlms:IVCSegment . ?r a obo:UBERON_0001141 }"),
    "decision": (C2, "ASK { ?g a vlms:GraftReplacement ; vlms:decisionTiming vlms:PreoperativeDecision }"),
    "reason": (C1, 'ASK { ?l a vlms:VeinLigation ; vlms:decisionReason ?r FILTER CONTAINS(?r, "collateral venous network") }'),
    "margin": (C2, "ASK { ?o vlms:marginStatus vlms:R0 ; vlms:bloodLossMl 925 }"),
    "blood loss ml": (YOSHI, "ASK { ?o vlms:bloodLossMl 4000 }"),
    "operating time min": (YOSHI, "ASK { ?o vlms:operativeTimeMinutes 791 }"),
    "complications": (C2, "ASK { ?f a vlms:Complication ; vlms:concept vlms:SubhepaticHematoma ; vlms:presence vlms:Present ; vlms:management vlms:ConservativeManagement ; vlms:followsProcedure ?o }"),
    "complication": (C2, "ASK { ?f a vlms:Complication ; vlms:concept vlms:GraftOcclusion ; vlms:presence vlms:Absent }"),
    "management": (C2, "ASK { ?f vlms:management vlms:ConservativeManagement }"),
    "time": (YOSHI, "ASK { ?o a vlms:Hepatectomy ; vlms:hasTiming ?t . ?t vlms:amount 9 ; vlms:timeUnit obo:UO_0000035 ; vlms:temporalRelation vlms:After ; vlms:relativeTo ?i . ?c vlms:indexSurgery ?i }"),
    "before": (YOSHI, "ASK { ?p a vlms:SystemicTherapy ; vlms:hasTiming ?t . ?t vlms:temporalRelation vlms:Before ; vlms:relativeTo ?h . ?h a vlms:Hepatectomy }"),
    "after": (THIEME, "ASK { ?f a vlms:Metastasis ; vlms:observedIn ?a . ?a vlms:hasTiming ?t . ?t vlms:precision vlms:AtMost ; vlms:amount 22 ; vlms:relativeTo ?d . ?d a vlms:DiagnosisEvent }"),
    "therapy": (FEM, "ASK { ?r a vlms:RadiationTherapy , obo:MAXO_0000014 ; vlms:intent vlms:AdjuvantIntent }"),
    "agents": (C1, "ASK { ?p vlms:intent vlms:ForMetastasisIntent ; vlms:agent obo:CHEBI_28748 }"),
    "cycles": (ALEEM, 'ASK { ?p a vlms:SystemicTherapy ; vlms:description "cycles: 3" }'),
    "dose": (None, None),
    "diameter mm": (None, None),
    "events": (C2, "ASK { ?f a vlms:Metastasis ; vlms:site ?l ; vlms:concept obo:NCIT_C4758 ; vlms:observedIn ?a . ?l a obo:UBERON_0002107 . ?a a vlms:FollowUpAssessment }"),
    "treatment": (YOSHI, "ASK { ?p a vlms:Hepatectomy ; vlms:intent vlms:ForMetastasisIntent ; vlms:hasTiming ?t . ?t vlms:relativeTo ?a . ?f a vlms:Metastasis ; vlms:observedIn ?a }"),
    "follow up": (C1, "ASK { ?c vlms:lastFollowUp ?l . ?l vlms:vitalStatus obo:PATO_0001421 ; vlms:diseaseStatus vlms:StableDisease ; vlms:hasTiming ?t . ?t vlms:amount 30 }"),
    "vital status": (THIEME, "ASK { ?l a vlms:LastFollowUp ; vlms:vitalStatus obo:PATO_0001422 }"),
    "disease status": (FEM, "ASK { ?l a vlms:LastFollowUp ; vlms:diseaseStatus vlms:NoEvidenceOfDisease }"),
    "cause of death": (THIEME, 'ASK { ?l a vlms:LastFollowUp ; vlms:description "cause of death: tumour progression" }'),
    "group range": (ANN, "ASK { ?l a vlms:LastFollowUp ; vlms:hasTiming ?t . ?t vlms:amountMin 12 ; vlms:amountMax 30 ; vlms:statedForGroup true FILTER NOT EXISTS { ?t vlms:amount ?a } }"),
    "patient": (C1, "ASK { ?c vlms:hasPatient ?p . ?p a obo:NCBITaxon_9606 }"),
    "tumour": (C1, "ASK { ?c vlms:hasTumour ?t . ?t a obo:NCIT_C3158 ; vlms:arisesFrom ?w . ?w a obo:UBERON_0035965 }"),
}
#: fields no report at hand gives a value for; compiled in test_fields_without_a_report_value.
WITHOUT_REPORT_VALUE = {"synthetic", "dose", "diameter mm"}


def test_every_sheet_field_has_a_check():
    keys = set(CASE_KEYS) | {k for v in SECTION_KEYS.values() for k in v} | {
        k for v in ITEM_KEYS.values() for k in v}
    checked = {k.strip() for k in FIELDS}
    assert keys - checked == set()


@pytest.mark.parametrize("field", [f for f in FIELDS if f.strip() not in WITHOUT_REPORT_VALUE])
def test_field_compiles_to_the_model(field):
    sheet, query = FIELDS[field]
    assert _ask(sheet, query), f"{field!r} in {sheet}.yaml did not compile to: {query}"


def test_fields_without_a_report_value():
    sheet = {"publication": "x", "case number": 1, "synthetic": "yes",
             "tumour": {"vessel": "IVC"},
             "operations": [{"name": "resection", "vascular management": [
                 {"kind": "graft", "material": "PTFE", "diameter mm": 20}]}],
             "therapy": [{"kind": "radiotherapy", "intent": "adjuvant", "dose": "50 Gy"}]}
    triples = _triples(compile_case(sheet, "x-c1"))
    values = {o for _, _, o in triples}
    assert '"graft diameter 20 mm"' in values and '"dose: 50 Gy"' in values
    assert any(p == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
               and o == f"<{VLMS}SyntheticCase>" for _, p, o in triples)
    back = case_to_sheet(compile_case(sheet, "x-c1"), "x-c1")
    assert back["operations"][0]["vascular management"][0]["diameter mm"] == 20
    assert back["therapy"][0]["dose"] == "50 Gy" and back["synthetic"] == "yes"


def test_imprecise_times_carry_their_precision():
    sheet = {"publication": "x", "case number": 1, "tumour": {"vessel": "IVC"},
             "operations": [{"name": "resection"}],
             "events": [{"kind": "metastasis", "site": "lung", "time": "about 2 years"},
                        {"kind": "local recurrence", "time": "more than 12 months"}],
             "follow up": {"time": "at least 5 years", "vital status": "alive"}}
    triples = _triples(compile_case(sheet, "x-c1"))
    precisions = {o for _, p, o in triples if p == VLMS + "precision"}
    assert precisions == {f"<{VLMS}Approximate>", f"<{VLMS}AtLeast>"}
    amounts = sorted(Decimal(o.split('"')[1]) for _, p, o in triples if p == VLMS + "amount")
    assert amounts == [2, 5, 12]


def test_incremental_build_recompiles_only_the_edited_sheet(tmp_path):
    from kg.building.incremental import build_store

    cases = tmp_path / "cases"
    cases.mkdir()
    for path in SHIPPED_SHEETS:
        (cases / path.name).write_text(path.read_text())
    store = tmp_path / "store"
    first = build_store(store, sorted(cases.glob("*.yaml")), reason=False)
    assert (first.full, first.validated) == (True, 3)
    edited = cases / "lms-ivc-two-cases-c1.yaml"
    edited.write_text(edited.read_text().replace("age: 60", "age: 61"))
    again = build_store(store, sorted(cases.glob("*.yaml")), reason=False)
    assert (again.full, again.parsed, again.unchanged) == (False, 1, 2)
    with EmbeddedStore(store) as kg:
        ages = {r.caseId: r.age for r in run_query("cohort", kg)}
    assert ages["lms-ivc-two-cases-c1"] == 61


def _ntriples(quads: list[ox.Quad]) -> bytes:
    return ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES) or b""


@pytest.mark.java
def test_hermit_infers_the_same_tumour_types_from_sheets_as_from_turtle(built):
    from kg import resources
    from kg.reasoning.hermit import infer_case_types
    from tests.fixtures.graph import inferred_pairs

    ontology = _ntriples([q for p in resources.ontology_files()
                          for q in parse_source(Source.for_ontology(p))])
    # from the Turtle files: HermiT's classes in the session's build (it classifies each
    # case as it would alone: tests/test_reasoner.py)
    tumours = {f"https://w3id.org/vlmskg/case/{p.stem}/tumour" for p in TURTLE}
    by_turtle = [pair for pair in inferred_pairs(built.store) if pair[0] in tumours]
    by_sheet = infer_case_types(ontology, {p.stem: _ntriples(compile_case_file(p))
                                           for p in SHIPPED_SHEETS})
    assert by_sheet == by_turtle
    assert (f"https://w3id.org/vlmskg/case/{C1}/tumour",
            f"{VLMS}MiddleSegmentIVCLeiomyosarcoma") in by_sheet


def test_the_api_reads_a_sheet_case_like_its_turtle_file(stores):
    from kg.api.graph import KnowledgeGraph

    turtle, sheets = (KnowledgeGraph(s) for s in stores)
    for case_id in (C1, C2, FEM):
        a, b = turtle.case(case_id), sheets.case(case_id)
        assert (b.patient.age_years, b.patient.sex) == (a.patient.age_years, a.patient.sex)
        assert b.follow_up.months_after_index_surgery == a.follow_up.months_after_index_surgery
    assert sheets.case(FEM).markers == turtle.case(FEM).markers
