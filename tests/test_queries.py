"""Every stored query answers its clinical question with the values the case reports give.

The expected rows below were written from the reports themselves (a femoral vein case; two
inferior vena cava cases from a second publication), never from program output. Each test
runs on the embedded store and on a real oxigraph server holding the same built graph,
which must give the same answers.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pyoxigraph as ox
import pytest

from kg.building.pipeline import build_dataset
from kg.cli import main
from kg.errors import ParameterError, UnknownQueryError
from kg.queries.catalogue import list_queries
from kg.queries.run import run_query
from kg.resources import case_files
from kg.store import EmbeddedStore, Store
from tests.fixtures.planted import PLANTED_FAULTS
from tests.fixtures.rows import in_one_order

FEMORAL, IVC1, IVC2 = "lms-femoral-vein-c1", "lms-ivc-two-cases-c1", "lms-ivc-two-cases-c2"
SEED_PUBLICATIONS = {"lms-femoral-vein", "lms-ivc-two-cases"}
CASE = "https://w3id.org/vlmskg/case/"
PUBLICATION = "https://w3id.org/vlmskg/publication/"
HOSTILE = 'x" } ; DROP ALL ; #'
VIOLATIONS = [q.name for q in list_queries() if q.name.endswith("-violation")]


@pytest.fixture(scope="module")
def dataset() -> ox.Store:
    """The graph of the three cases of the two seed reports, with every shipped publication:
    the expected rows below are those reports' (the published cohort has its own tests in
    test_cohort.py). Overrides the session's whole-cohort dataset for this module."""
    return build_dataset([p for p in case_files() if p.stem in (FEMORAL, IVC1, IVC2)]).store


@pytest.fixture(scope="module",
                params=["embedded", pytest.param("remote", marks=pytest.mark.server)])
def store(request: pytest.FixtureRequest, dataset: ox.Store) -> Iterator[Store]:
    """The built graph on each backend; read only."""
    if request.param == "embedded":
        yield EmbeddedStore.from_dataset(dataset)
    else:
        yield request.getfixturevalue("remote_store")


def by_case(rows: list[Any]) -> dict[str, Any]:
    cases = [row.caseId for row in rows]
    assert len(cases) == len(set(cases)), f"one row per case expected, got {cases}"
    return {row.caseId: row for row in rows}


def parts(text: str | None) -> set[str]:
    """The items of a list the query joined with "; " (their order is not defined)."""
    return set(text.split("; ")) if text else set()


# --- cohort --------------------------------------------------------------------------

def test_cohort_has_one_row_per_reported_case(store: Store):
    rows = by_case(run_query("cohort", store))
    assert set(rows) == {FEMORAL, IVC1, IVC2}
    assert [(r.publication, r.caseNumber) for r in rows.values()] == [
        ("lms-femoral-vein", 1), ("lms-ivc-two-cases", 1), ("lms-ivc-two-cases", 2)]


def test_cohort_femoral_vein_case(store: Store):
    row = by_case(run_query("cohort", store))[FEMORAL]
    assert (row.age, row.sex) == (72, "male")
    assert row.vessel == "left common femoral vein"
    assert row.ivcSegments == "not applicable"
    # 3.5 x 3.0 x 2.8 cm of thrombectomy fragments, then a 4.0 x 3.0 x 1.5 cm resected mass
    assert row.largestDimensionCm == Decimal("4.0")
    assert row.grade == "not reported"
    assert row.margin == "R0"  # proximal and distal margins free of tumour
    assert row.vesselManagement == "not reported"
    assert row.adjuvantTherapy == "radiation therapy"
    assert row.firstMetastasisSites == "none"  # none in seven months
    assert row.monthsToFirstMetastasis is None
    assert row.followUpMonths == 7
    assert row.vitalStatus == "alive"


def test_cohort_first_ivc_case(store: Store):
    row = by_case(run_query("cohort", store))[IVC1]
    assert (row.age, row.sex) == (60, "female")
    assert row.vessel == "inferior vena cava"
    assert row.ivcSegments == "middle+lower"  # infrahepatic IVC to below the renal veins
    assert row.largestDimensionCm == 10  # 10 x 8 cm on MRI/CT; 7 cm at pathology
    assert row.grade == "High Grade"
    assert row.margin == "R0"
    assert parts(row.vesselManagement) == {"vein ligation", "anastomosis"}
    assert row.adjuvantTherapy == "none"
    assert (row.firstMetastasisSites, row.monthsToFirstMetastasis) == ("lung", 9)
    assert row.followUpMonths == 30
    assert row.vitalStatus == "alive"


def test_cohort_second_ivc_case(store: Store):
    row = by_case(run_query("cohort", store))[IVC2]
    assert (row.age, row.sex) == (65, "female")
    assert row.vessel == "inferior vena cava"
    assert row.ivcSegments == "upper+middle"
    assert row.largestDimensionCm == 16  # 16 x 8 cm at pathology
    assert row.grade == "High Grade"
    assert row.margin == "R0"  # no neoplasia at the edges of the specimen
    assert row.vesselManagement == "graft replacement (aortic allograft)"
    assert row.adjuvantTherapy == "no adjuvant chemotherapy"
    assert parts(row.firstMetastasisSites) == {"lung", "liver"}
    assert row.monthsToFirstMetastasis == 6
    assert row.followUpMonths == 24  # two years
    assert row.vitalStatus == "alive"


# --- anatomy ---------------------------------------------------------------------------

@pytest.mark.parametrize("structure, cases", [
    ("inferior vena cava", {IVC1, IVC2}),
    ("Inferior Vena Cava", {IVC1, IVC2}),
    ("UBERON:0001072", {IVC1, IVC2}),
    ("http://purl.obolibrary.org/obo/UBERON_0001072", {IVC1, IVC2}),
    ("middle segment", {IVC1, IVC2}),
    ("upper segment", {IVC2}),
    ("lower segment", {IVC1}),
    ("right atrium", {IVC2}),
    ("common femoral vein", {FEMORAL}),
    ("femoral vein", {FEMORAL}),
    ("vein", {FEMORAL, IVC1, IVC2}),
    ("blood vessel", {FEMORAL, IVC1, IVC2}),
    ("renal vein confluence", {IVC1, IVC2}),
    ("retroperitoneal adipose tissue", {IVC1}),
    ("kidney", set()),  # c2: contact with the right kidney, no infiltration at pathology
    ("aorta", set()),
    ("no such structure", set()),
])
def test_cases_involving_structure(store: Store, structure: str, cases: set[str]):
    rows = run_query("cases-involving-structure", store, structure=structure)
    assert {row.caseId for row in rows} == cases


def test_right_atrium_is_reached_by_extension_and_by_a_tumour_portion(store: Store):
    rows = run_query("cases-involving-structure", store, structure="right atrium")
    assert {row.relation for row in rows} == {"extendsInto", "portion located in"}


def test_a_term_named_exactly_so_is_the_only_match(store: Store):
    """'inferior vena cava' names a term: the segment terms, whose names hold those words and
    whose sites are listed, are not matched too; 'vena' names none, so its words match."""
    rows = run_query("cases-involving-structure", store, structure="inferior vena cava")
    assert any("segment" in row.site for row in rows)
    assert {row.matchedTerm for row in rows} == {"inferior vena cava"}
    rows = run_query("cases-involving-structure", store, structure="vena")
    assert {row.caseId for row in rows} == {IVC1, IVC2}
    assert {row.matchedTerm for row in rows} == {"vena cava"}


def test_ivc_cases_arise_from_the_vein_wall(store: Store):
    rows = run_query("cases-involving-structure", store, structure="inferior vena cava")
    arising = {row.caseId for row in rows if row.relation == "arisesFrom"}
    assert arising == {IVC1, IVC2}


# --- diagnosis -------------------------------------------------------------------------

def test_only_the_femoral_case_was_first_taken_for_deep_vein_thrombosis(store: Store):
    [row] = run_query("initial-misdiagnosis", store)
    assert row.caseId == FEMORAL
    assert row.initialDiagnosis == "Deep venous thrombosis"
    assert parts(row.basedOn) == {"ultrasonography procedure", "venography procedure"}
    # thrombolysis did not shrink the lesion; a thrombectomy followed
    assert parts(row.treatedAs) == {"thrombolysis (unsuccessful)", "thromboembolectomy"}
    assert row.finalDiagnosis == "Leiomyosarcoma of Vessels"


def test_imaging_by_case(store: Store):
    rows = run_query("imaging-by-case", store)
    seen = {(r.caseId, r.modality) for r in rows}
    assert seen == {
        (FEMORAL, "ultrasonography procedure"), (FEMORAL, "venography procedure"),
        (FEMORAL, "positron emission tomography procedure"),
        (IVC1, "ultrasonography procedure"), (IVC1, "magnetic resonance imaging procedure"),
        (IVC1, "computed tomography procedure"),
        (IVC2, "computed tomography procedure"), (IVC2, "echocardiography"),
        (IVC2, "transesophageal echocardiography"),
    }
    imaging = {(r.caseId, r.modality): r for r in rows}
    pet = imaging[FEMORAL, "positron emission tomography procedure"]
    assert pet.findings == "no metastasis"
    assert imaging[FEMORAL, "venography procedure"].suggests == "Deep venous thrombosis"
    assert imaging[IVC1, "computed tomography procedure"].contrastEnhanced is True
    assert imaging[IVC1, "computed tomography procedure"].largestDimensionCm == 10
    assert imaging[IVC2, "computed tomography procedure"].largestDimensionCm == Decimal("9.4")
    echo = imaging[IVC2, "echocardiography"]
    assert (echo.target, echo.largestDimensionCm) == ("right cardiac atrium", 4)  # 3 x 4 cm
    tee = imaging[IVC2, "transesophageal echocardiography"]
    assert tee.findings == "no tumour mass"  # the whole intraluminal tumour was removed
    positions = [r.position for r in rows if r.caseId == FEMORAL]
    assert positions == sorted(positions)


def test_presenting_symptoms(store: Store):
    rows = run_query("presenting-symptoms", store)
    assert {(r.caseId, r.symptom, r.presence) for r in rows} == {
        (FEMORAL, "Peripheral edema", "present"),
        (IVC1, "Abdominal pain", "present"),
        (IVC2, "Abdominal pain", "present"),
        (IVC2, "Hematuria", "present"),
    }
    [edema] = [r for r in rows if r.caseId == FEMORAL]
    assert edema.site == "left hindlimb"
    assert edema.monthsBeforeReference == 2  # two months before admission


# --- pathology -------------------------------------------------------------------------

MARKERS = {  # marker -> (gene, positive cases, negative cases)
    "alpha-smooth muscle actin": ("ACTA2", 1, 0),
    "Desmin": ("DES", 1, 0),
    "Vimentin": ("VIM", 1, 0),
    "Hematopoietic Progenitor Cell Antigen CD34": ("CD34", 0, 1),
    "CD68 antigen": ("CD68", 0, 1),
}


def test_immunohistochemistry_profile(store: Store):
    rows = run_query("immunohistochemistry-profile", store)
    assert {r.markerLabel: (r.gene, r.positiveCases, r.negativeCases) for r in rows} == MARKERS
    assert all(r.casesTested == 1 and r.equivocalCases == 0 for r in rows)


def test_immunohistochemistry_by_case(store: Store):
    rows = run_query("immunohistochemistry-by-case", store)
    assert {r.caseId for r in rows} == {FEMORAL}
    assert {r.markerLabel: r.result for r in rows} == {
        marker: "positive" if positive else "negative"
        for marker, (_, positive, _) in MARKERS.items()}
    assert all("thrombectomy" in r.specimen for r in rows)


def test_malignancy_criterion_flags_the_femoral_tumour(store: Store):
    # more than 10 mitoses per 10 HPF against the discussion's threshold of 5
    [row] = run_query("malignancy-criterion", store)
    assert row.caseId == FEMORAL
    assert (row.mitosesPer10HPF, row.countComparator) == (10, "greater than")
    assert row.threshold == 5
    assert row.grade == "not reported"
    assert row.statedIn == "lms-femoral-vein"


# --- treatment -------------------------------------------------------------------------

def test_vessel_management(store: Store):
    rows = run_query("vessel-management", store)
    assert {(r.caseId, r.technique) for r in rows} == {
        (FEMORAL, "not reported"), (IVC1, "vein ligation"), (IVC1, "anastomosis"),
        (IVC2, "graft replacement")}
    steps = {(r.caseId, r.technique): r for r in rows}
    ligation = steps[IVC1, "vein ligation"]
    assert ligation.decisionTiming == "intraoperative decision"
    assert "collateral" in ligation.decisionReason
    anastomosis = steps[IVC1, "anastomosis"]  # infrahepatic cava to right renal vein
    assert parts(anastomosis.anastomosisBetween) == {
        "inferior vena cava segment", "right renal vein"}
    graft = steps[IVC2, "graft replacement"]
    assert graft.graftMaterial == "aortic allograft"
    assert graft.decisionTiming == "preoperative decision"


def test_systemic_and_radiation_therapy(store: Store):
    rows = run_query("systemic-and-radiation-therapy", store)
    assert {(r.caseId, r.therapy, r.given, r.agents) for r in rows} == {
        (FEMORAL, "radiation therapy", True, None),
        (IVC1, "chemotherapy", True, "doxorubicin"),
        (IVC1, "Adjuvant Therapy", False, None),
        (IVC2, "chemotherapy", True, "ifosfamide"),
        (IVC2, "Adjuvant Chemotherapy", False, None),
    }
    intents = {(r.caseId, r.therapy): r.intent for r in rows if r.given}
    assert intents[FEMORAL, "radiation therapy"] == "adjuvant intent"
    assert intents[IVC1, "chemotherapy"] == "intent to treat metastasis"


def test_perioperative_figures(store: Store):
    rows = by_case(run_query("perioperative-figures", store))
    femoral = rows[FEMORAL]
    assert femoral[1:] == (None,) * 6  # the femoral report gives none of these figures
    c1, c2 = rows[IVC1], rows[IVC2]
    assert (c1.operativeTimeMinutes, c1.bloodLossMl, c1.daysToDischarge) == (150, 300, 7)
    assert c1.clampingMinutes is None and c1.complications is None
    assert parts(c1.complicationsAbsent) == {"major postoperative complication",
                                             "vascular complication"}
    assert (c2.operativeTimeMinutes, c2.bloodLossMl, c2.daysToDischarge) == (360, 925, 14)
    assert c2.clampingMinutes == 30
    assert c2.complications == "subhepatic hematoma (conservative management)"
    assert parts(c2.complicationsAbsent) == {"graft infection", "graft occlusion"}


# --- outcome ---------------------------------------------------------------------------

def test_time_to_event(store: Store):
    rows = by_case(run_query("time-to-event", store))
    assert {case: tuple(row[1:]) for case, row in rows.items()} == {
        FEMORAL: (7, False, "censored", 7, "alive", "no evidence of disease"),
        IVC1: (9, True, "metastasis", 30, "alive", "stable disease"),
        IVC2: (6, True, "metastasis", 24, "alive", "stable disease"),
    }


def test_metastasis_sites(store: Store):
    rows = run_query("metastasis-sites", store)
    assert {(r.caseId, r.site, r.monthsAfterSurgery, r.treatment) for r in rows} == {
        (IVC1, "lung", 9, "doxorubicin"),
        (IVC2, "lung", 6, "ifosfamide"),
        (IVC2, "liver", 6, "ifosfamide"),
    }


# --- provenance and literature ---------------------------------------------------------

def test_provenance_of_a_case_node(store: Store):
    [row] = run_query("provenance-of-fact", store, node=CASE + IVC1 + "/tumour")
    assert row.graph == row.case == CASE + IVC1
    assert row.publication == PUBLICATION + "lms-ivc-two-cases"
    assert row.caseNumber == 1
    assert row.sourceDocument == "004_3f9904ff6fd83cf7"
    assert parts(row.sourceLocation) == {"case report 1", "Fig. 1 legend"}


def test_provenance_of_a_literature_statement(store: Store):
    node = PUBLICATION + "lms-femoral-vein/statement/mitotic-malignancy-criterion"
    [row] = run_query("provenance-of-fact", store, node=node)
    assert row.graph == row.publication == PUBLICATION + "lms-femoral-vein"
    assert (row.case, row.caseNumber) == (None, None)
    assert row.sourceDocument == "000_aa8e0a6a2c09cd1b"
    assert row.sourceLocation == "discussion"


def test_provenance_of_an_unknown_node_is_empty(store: Store):
    assert run_query("provenance-of-fact", store, node=CASE + "no-such-case/tumour") == []


def test_literature_statements(store: Store):
    rows = [r for r in run_query("literature-statements", store)
            if r.publication in SEED_PUBLICATIONS]
    assert {r.publication for r in rows} == SEED_PUBLICATIONS
    statements = {r.statement: r for r in rows}
    criterion = statements["mitotic-malignancy-criterion"]
    assert criterion.kind == "malignancy criterion statement" and "5" in criterion.text
    assert all(r.text for r in rows)


def test_literature_statements_about_a_topic(store: Store):
    rows = run_query("literature-statements", store, about="lung")
    # the femoral report: distant spread usually goes to the lung
    assert {(r.publication, r.statement) for r in rows
            if r.publication in SEED_PUBLICATIONS} == {("lms-femoral-vein", "metastasis-site-lung")}
    scalp = run_query("literature-statements", store, about="SCALP")
    assert [r.statement for r in scalp if r.publication in SEED_PUBLICATIONS] == [
        "metastasis-site-scalp"]


# --- quality checks --------------------------------------------------------------------

@pytest.mark.parametrize("name", VIOLATIONS)
def test_shipped_data_has_no_violations(store: Store, name: str):
    assert run_query(name, store) == []


def test_every_quality_check_has_a_planted_fault():
    """Each check is tried on its fault on every backend (tests/test_store_compliance.py)."""
    assert set(PLANTED_FAULTS) == set(VIOLATIONS)


# --- hostile and wrong input -----------------------------------------------------------

def test_hostile_string_parameters_match_nothing_and_change_nothing(store: Store):
    before = store.graph_sizes()
    assert run_query("cases-involving-structure", store, structure=HOSTILE) == []
    assert run_query("literature-statements", store, about=HOSTILE) == []
    assert store.graph_sizes() == before


def test_hostile_iri_parameter_is_refused_before_reaching_the_store(store: Store):
    with pytest.raises(ParameterError, match="not allowed in an IRI"):
        run_query("provenance-of-fact", store, node="http://x/> } ; DROP ALL ; <http://y")


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_text_parameter_is_refused(store: Store, blank: str):
    with pytest.raises(ParameterError, match="'structure' is empty") as raised:
        run_query("cases-involving-structure", store, structure=blank)
    assert "inferior vena cava" in str(raised.value)
    # where blank is the default, it keeps its meaning: every statement
    assert len(run_query("literature-statements", store, about=blank)) == len(
        run_query("literature-statements", store))


def test_unknown_names_are_errors(store: Store):
    with pytest.raises(UnknownQueryError):
        run_query("no-such-query", store)
    with pytest.raises(ParameterError, match="structure"):
        run_query("cases-involving-structure", store, site="lung")


# --- the two backends agree ------------------------------------------------------------

@pytest.mark.server
@pytest.mark.parametrize("name", [q.name for q in list_queries()])
def test_embedded_and_remote_stores_give_the_same_rows(name: str, dataset: ox.Store,
                                                       remote_store: Store):
    params = {"node": CASE + IVC2 + "/tumour"} if name == "provenance-of-fact" else {}
    embedded = run_query(name, EmbeddedStore.from_dataset(dataset), **params)
    remote = run_query(name, remote_store, **params)
    assert in_one_order(remote) == in_one_order(embedded)
    assert embedded or name.endswith("-violation")


# --- the command line ------------------------------------------------------------------

@pytest.mark.server
def test_cli_query_on_an_endpoint_prints_csv(remote_store: Store,
                                             capsys: pytest.CaptureFixture[str]):
    args = ["query", "cases-involving-structure", "--param", "structure=right atrium",
            "--format", "csv", "--endpoint", remote_store.endpoint]  # type: ignore[attr-defined]
    assert main(args) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {row["caseId"] for row in rows} == {IVC2}
    assert set(rows[0]) == {"caseId", "matchedTerm", "relation", "site"}


def test_cli_query_builds_the_shipped_graph_when_no_store_is_given(
        capsys: pytest.CaptureFixture[str]):
    assert main(["query", "time-to-event", "--format", "json"]) == 0
    records = {r["caseId"]: r for r in json.loads(capsys.readouterr().out)}
    # the shipped graph is the whole cohort; the seed reports' three cases among it
    assert {case: (r["months"], r["event"]) for case, r in records.items()
            if case in (FEMORAL, IVC1, IVC2)} == {
        FEMORAL: (7, False), IVC1: (9, True), IVC2: (6, True)}
    assert len(records) > 3


@pytest.mark.server
def test_cli_query_prints_a_table(remote_store: Store, capsys: pytest.CaptureFixture[str]):
    endpoint = remote_store.endpoint  # type: ignore[attr-defined]
    assert main(["query", "metastasis-sites", "--endpoint", endpoint]) == 0
    header, rule, *lines = capsys.readouterr().out.splitlines()
    assert [cell.strip() for cell in header.split(" | ")] == [
        "caseId", "site", "concept", "monthsAfterSurgery", "treatment"]
    assert set(rule) <= {"-", "+"}
    assert len(lines) == 3 and all(line.startswith("lms-ivc-two-cases-c") for line in lines)
