"""The Python API (``kg.api``) on the three shipped cases, on every store backend.

The same assertions run on the embedded pyoxigraph store and on a real oxigraph server
over HTTP. Every expected value was written from the case reports: a 72-year-old man with
a leiomyosarcoma of the left common femoral vein (markers, procedures, 7 months without
recurrence), and two women of 60 and 65 with leiomyosarcomas of the inferior vena cava
(30 months and two years of follow-up after surgery).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.api import KnowledgeGraph, Procedure
from kg.errors import KGError, ParameterError, UnknownCaseError
from kg.store import EmbeddedStore, RemoteStore

FEMORAL, IVC1, IVC2 = "lms-femoral-vein-c1", "lms-ivc-two-cases-c1", "lms-ivc-two-cases-c2"
OBO = "http://purl.obolibrary.org/obo/"
VLMS = "https://w3id.org/vlmskg/vocab/"
PUBLICATION = "https://w3id.org/vlmskg/publication/"

# procedure techniques named in the femoral vein report, as the ontology codes them
ULTRASONOGRAPHY, VENOGRAPHY = OBO + "MAXO_0000072", OBO + "MAXO_0035095"
THROMBOLYSIS, THROMBECTOMY = VLMS + "Thrombolysis", OBO + "MAXO_0001102"
PET, RESECTION, RADIOTHERAPY = OBO + "MAXO_0000137", OBO + "MAXO_0000448", OBO + "MAXO_0000014"


BACKENDS = ["embedded", pytest.param("remote", marks=pytest.mark.server)]


def open_graph(request: pytest.FixtureRequest, dataset: ox.Store) -> KnowledgeGraph:
    """The built graph behind the backend ``request.param`` names (read only)."""
    if request.param == "embedded":
        return KnowledgeGraph(EmbeddedStore.from_dataset(dataset))
    return KnowledgeGraph(request.getfixturevalue("remote_store"))


@pytest.fixture(scope="module", params=BACKENDS)
def graph(request: pytest.FixtureRequest, dataset: ox.Store) -> KnowledgeGraph:
    """One graph per backend, shared by the tests of this module."""
    return open_graph(request, dataset)


# --- opening ----------------------------------------------------------------------------

@pytest.mark.server
def test_open_a_sparql_endpoint(remote_store: RemoteStore) -> None:
    graph = KnowledgeGraph.open(endpoint=remote_store.endpoint)
    assert graph.case(IVC2).patient.age_years == 65


def test_open_with_both_an_endpoint_and_a_store_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(KGError):
        KnowledgeGraph.open(endpoint="http://127.0.0.1:7878/query", store=tmp_path / "store")


# --- patients ---------------------------------------------------------------------------

@pytest.mark.parametrize(("case", "age"), [(FEMORAL, 72), (IVC1, 60), (IVC2, 65)])
def test_age_at_presentation(graph: KnowledgeGraph, case: str, age: int) -> None:
    assert graph.case(case).patient.age_years == age


@pytest.mark.parametrize(("case", "sex"), [(FEMORAL, "male"), (IVC1, "female"), (IVC2, "female")])
def test_sex(graph: KnowledgeGraph, case: str, sex: str) -> None:
    assert graph.case(case).patient.sex == sex


def test_case_ids_lists_every_shipped_case_file(graph: KnowledgeGraph) -> None:
    files = sorted(p.stem for p in (Path(__file__).parents[1] / "data" / "cases").iterdir()
                   if p.suffix in (".ttl", ".yaml"))
    assert graph.case_ids() == files
    assert {FEMORAL, IVC1, IVC2} <= set(files)


def test_case_accepts_its_iri(graph: KnowledgeGraph) -> None:
    case = graph.case("https://w3id.org/vlmskg/case/" + IVC2)
    assert (case.id, case.patient.age_years) == (IVC2, 65)


def test_cases_are_read_only(graph: KnowledgeGraph) -> None:
    case = graph.case(IVC1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        case.patient.age_years = 61  # type: ignore[misc]


# --- tumour -----------------------------------------------------------------------------

def _marker(graph: KnowledgeGraph, case: str, name: str) -> str:
    """The result for the one marker whose label contains ``name``."""
    found = [result for label, result in graph.case(case).markers.items()
             if name.lower() in label.lower()]
    assert len(found) == 1, f"{name}: {graph.case(case).markers}"
    return found[0]


@pytest.mark.parametrize(("marker", "result"), [
    ("smooth muscle actin", "positive"), ("desmin", "positive"), ("vimentin", "positive"),
    ("CD34", "negative"), ("CD68", "negative"),
])
def test_femoral_immunohistochemistry(graph: KnowledgeGraph, marker: str, result: str) -> None:
    assert _marker(graph, FEMORAL, marker) == result


@pytest.mark.parametrize("case", [IVC1, IVC2])
def test_ivc_tumours_are_inferred_ivc_leiomyosarcomas(graph: KnowledgeGraph, case: str) -> None:
    classes = {c.iri: c for c in graph.case(case).tumour.classes}
    assert classes[VLMS + "InferiorVenaCavaLeiomyosarcoma"].inferred
    assert not classes[OBO + "NCIT_C3158"].inferred  # leiomyosarcoma: asserted by curators


def test_femoral_tumour_is_inferred_femoral_not_ivc(graph: KnowledgeGraph) -> None:
    inferred = {c.iri for c in graph.case(FEMORAL).tumour.inferred_classes}
    assert VLMS + "FemoralVeinLeiomyosarcoma" in inferred
    assert VLMS + "InferiorVenaCavaLeiomyosarcoma" not in inferred


def test_femoral_tumour_arises_from_the_left_common_femoral_vein(graph: KnowledgeGraph) -> None:
    (origin,) = graph.case(FEMORAL).tumour.origin
    assert VLMS + "CommonFemoralVein" in {c.iri for c in origin.classes}
    assert origin.laterality == "left"
    assert origin.label


@pytest.mark.parametrize("case", [IVC1, IVC2])
def test_ivc_tumours_arise_from_a_part_of_the_ivc(graph: KnowledgeGraph, case: str) -> None:
    ivc = graph.node(OBO + "UBERON_0001072")
    origins = graph.case(case).tumour.origin
    assert origins
    for site in origins:
        wholes = [graph.node(part.iri) for part in site.part_of]
        assert any(ivc in whole.types for whole in wholes)


HIGH_GRADE = OBO + "NCIT_C14158"


@pytest.mark.parametrize(("case", "grade"),
                         [(IVC1, HIGH_GRADE), (IVC2, HIGH_GRADE), (FEMORAL, None)])
def test_grade_only_where_the_report_gives_one(graph: KnowledgeGraph, case: str,
                                                grade: str | None) -> None:
    found = graph.case(case).tumour.grade
    assert (found.iri if found else None) == grade


@pytest.mark.parametrize(("case", "dimensions"), [
    (FEMORAL, (3.5, 3.0, 2.8)),   # thrombectomy fragments, in aggregate
    (FEMORAL, (4.0, 3.0, 1.5)),   # resected mass
    (IVC1, (10.0, 8.0)),          # MRI and CT
    (IVC1, (7.0,)),               # pathology
    (IVC2, (7.0, 6.5, 9.4)),      # CT
    (IVC2, (16.0, 8.0)),          # pathology
])
def test_tumour_sizes_as_reported(graph: KnowledgeGraph, case: str,
                                  dimensions: tuple[float, ...]) -> None:
    sizes = {size.dimensions_cm: size for size in graph.case(case).tumour.sizes}
    assert dimensions in sizes
    assert sizes[dimensions].measured_in, "each size names the event that measured it"


def test_femoral_fragment_size_is_an_aggregate_of_the_thrombectomy_specimen(
        graph: KnowledgeGraph) -> None:
    size = {s.dimensions_cm: s for s in graph.case(FEMORAL).tumour.sizes}[(3.5, 3.0, 2.8)]
    assert size.aggregate_of_fragments is True
    assert size.specimen


# --- timeline ---------------------------------------------------------------------------

def _first(procedures: tuple[Procedure, ...], technique: str) -> int:
    return next(i for i, p in enumerate(procedures) if technique in {t.iri for t in p.types})


def test_femoral_procedures_in_timeline_order(graph: KnowledgeGraph) -> None:
    procedures = graph.case(FEMORAL).procedures
    imaging = max(_first(procedures, ULTRASONOGRAPHY), _first(procedures, VENOGRAPHY))
    order = [imaging] + [_first(procedures, t) for t in
                         (THROMBOLYSIS, THROMBECTOMY, PET, RESECTION, RADIOTHERAPY)]
    assert order == sorted(order) and len(set(order)) == len(order)


def test_events_are_in_timeline_order_and_include_the_procedures(graph: KnowledgeGraph) -> None:
    case = graph.case(IVC1)
    positions = [e.position for e in case.events]
    assert positions == sorted(positions)
    assert set(case.procedures) < set(case.events)


def test_unsuccessful_thrombolysis(graph: KnowledgeGraph) -> None:
    procedures = graph.case(FEMORAL).procedures
    thrombolysis = procedures[_first(procedures, THROMBOLYSIS)]
    assert thrombolysis.result is not None and thrombolysis.result.iri == VLMS + "Unsuccessful"


def test_femoral_symptom_began_two_months_before_admission(graph: KnowledgeGraph) -> None:
    onset = next(e for e in graph.case(FEMORAL).events
                 if VLMS + "SymptomOnset" in {t.iri for t in e.types})
    (timing,) = onset.timing
    assert (timing.amount, timing.unit, timing.relation, timing.months) == (2, "month", "before", 2)


@pytest.mark.parametrize(("case", "months"), [(FEMORAL, 7), (IVC1, 30), (IVC2, 24)])
def test_follow_up_months_after_surgery(graph: KnowledgeGraph, case: str, months: int) -> None:
    follow_up = graph.case(case).follow_up
    assert follow_up is not None and follow_up.months_after_index_surgery == months


def test_second_ivc_patient_alive_at_last_follow_up(graph: KnowledgeGraph) -> None:
    follow_up = graph.case(IVC2).follow_up
    assert follow_up is not None and follow_up.vital_status == "alive"


# --- findings ---------------------------------------------------------------------------

def test_lung_metastasis_present_in_first_ivc_case(graph: KnowledgeGraph) -> None:
    metastases = [f for f in graph.case(IVC1).findings
                  if VLMS + "Metastasis" in {k.iri for k in f.kinds}]
    assert [f.presence for f in metastases] == ["present"]
    lung = graph.node(metastases[0].site.iri)  # type: ignore[union-attr]
    assert OBO + "UBERON_0002048" in {t.iri for t in lung.types}


def test_no_metastasis_on_femoral_pet_is_an_absent_finding(graph: KnowledgeGraph) -> None:
    case = graph.case(FEMORAL)
    procedures = case.procedures
    pet = procedures[_first(procedures, PET)]
    on_pet = [f for f in case.findings if pet.iri in {o.iri for o in f.observed_in}]
    assert [(f.concept.iri if f.concept else None, f.presence) for f in on_pet] == [
        (OBO + "NCIT_C19151", "absent")]


# --- provenance -------------------------------------------------------------------------

@pytest.mark.parametrize(("case", "publication", "number"), [
    (FEMORAL, "lms-femoral-vein", 1), (IVC1, "lms-ivc-two-cases", 1),
    (IVC2, "lms-ivc-two-cases", 2)])
def test_case_source(graph: KnowledgeGraph, case: str, publication: str, number: int) -> None:
    source = graph.case(case).source
    assert (source.publication, source.case_number) == (PUBLICATION + publication, number)
    assert source.title


# --- selecting cases --------------------------------------------------------------------

@pytest.mark.parametrize(("filters", "expected"), [
    ({"vessel": "inferior vena cava"}, [IVC1, IVC2]),
    ({"vessel": "UBERON:0001072"}, [IVC1, IVC2]),
    ({"vessel": "femoral vein"}, [FEMORAL]),
    ({"vessel": "vein"}, [FEMORAL, IVC1, IVC2]),
    ({"sex": "male"}, [FEMORAL]),
    ({"sex": "female", "min_age": 61}, [IVC2]),
    ({"max_age": 60}, [IVC1]),
    ({"min_age": 65, "max_age": 72}, [FEMORAL, IVC2]),
    ({"vessel": "inferior vena cava", "sex": "male"}, []),
])
def test_cases_filters(graph: KnowledgeGraph, filters: dict, expected: list[str]) -> None:
    """Among the three cases of the first two reports (the cohort holds many more)."""
    found = [case.id for case in graph.cases(**filters)]
    assert [case for case in found if case in (FEMORAL, IVC1, IVC2)] == expected
    assert found == sorted(found)


def test_cases_with_an_unknown_vessel_label_names_close_labels(graph: KnowledgeGraph) -> None:
    with pytest.raises(ParameterError) as err:
        graph.cases(vessel="inferior vena cavva")
    assert "inferior vena cava" in str(err.value)


@pytest.mark.parametrize("filters", [{"sex": "unknown"}, {"min_age": "sixty"}, {"max_age": 6.5}])
def test_cases_rejects_bad_filters(graph: KnowledgeGraph, filters: dict) -> None:
    with pytest.raises(ParameterError):
        graph.cases(**filters)


@pytest.mark.parametrize("identifier", ["lms-ivc-two-cases-c3", "lms-femoral-vein-c2"])
def test_unknown_case_names_close_identifiers(graph: KnowledgeGraph, identifier: str) -> None:
    with pytest.raises(UnknownCaseError) as err:
        graph.case(identifier)
    assert isinstance(err.value, KGError) and isinstance(err.value, KeyError)
    assert identifier[:-1] in str(err.value.hint)  # e.g. "did you mean lms-ivc-two-cases-c1"


def test_unknown_case_with_characters_illegal_in_an_iri(graph: KnowledgeGraph) -> None:
    with pytest.raises(UnknownCaseError):
        graph.case('no such "case"')


# --- cohort -----------------------------------------------------------------------------

def test_cohort_has_one_row_of_plain_values_per_case(graph: KnowledgeGraph) -> None:
    rows = [row for row in graph.cohort() if row["caseId"] in (FEMORAL, IVC1, IVC2)]
    assert [row["caseId"] for row in rows] == [FEMORAL, IVC1, IVC2]
    assert [row["age"] for row in rows] == [72, 60, 65]
    assert [row["followUpMonths"] for row in rows] == [7, 30, 24]
    plain = (str, int, float, bool, type(None))
    assert all(isinstance(value, plain) and not isinstance(value, Decimal)
               for row in rows for value in row.values())
