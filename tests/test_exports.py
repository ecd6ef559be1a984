"""Exports: each format passes its validators' rules, and reads back the graph's values.

The rules are those of the formats' own validators, written out here because the validators
themselves cannot be installed on this machine (phenopacket-tools' JSON Schema required
fields and MetaData prefix check; cBioPortal's validateData.py clinical, timeline and meta
rules; the mCODE STU4 profiles' fixed codes and time types, beside fhir.resources' structural
models). The values read back are compared with the graph's own ``cohort`` query.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import phenopackets.schema.v2 as pps2
import pyoxigraph as ox
import pytest
from fhir.resources.R4B.bundle import Bundle
from google.protobuf.json_format import Parse

from kg.api import KnowledgeGraph
from kg.cli import main
from kg.exports.cbioportal import valid_study_id
from kg.exports.folder import write_folder
from kg.exports.run import export
from kg.queries.run import run_query
from kg.store import EmbeddedStore

MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition/"
DAYS_PER_MONTH = 30.4375


@pytest.fixture(scope="module")
def graph(dataset: ox.Store) -> KnowledgeGraph:
    return KnowledgeGraph(EmbeddedStore.from_dataset(dataset))


@pytest.fixture(scope="module")
def cohort(graph: KnowledgeGraph) -> dict[str, Any]:
    return {row.caseId: row for row in run_query("cohort", graph.store)}


@pytest.fixture(scope="module")
def exported(graph: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("exports")
    return {name: export(name, graph, root / name).out
            for name in ("phenopackets", "cbioportal", "fhir")}


# --- Phenopackets ----------------------------------------------------------------------

#: required fields of the phenopacket-tools v2 JSON Schema, by message
REQUIRED = {
    "Phenopacket": ("id", "metaData"), "OntologyClass": ("id", "label"),
    "Procedure": ("code",), "Age": ("iso8601duration",), "Individual": ("id",),
    "VitalStatus": ("status",), "MetaData": ("created", "createdBy", "phenopacketSchemaVersion"),
    "Resource": ("id", "name", "url", "version", "namespacePrefix", "iriPrefix"),
    "Treatment": ("agent",), "RadiationTherapy": ("modality", "bodySite", "dosage", "fractions"),
}


def missing_required(message: Any, name: str, path: str = "") -> list[str]:
    """Paths of required fields that ``message`` (as JSON) leaves out."""
    found = [f"{path}.{field}" for field in REQUIRED.get(name, ()) if field not in message]
    descriptor = getattr(pps2, name).DESCRIPTOR
    for key, value in message.items():
        field = next((f for f in descriptor.fields if f.json_name == key), None)
        if field is None or field.message_type is None:
            continue
        child = field.message_type.name
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                found += missing_required(item, child, f"{path}.{key}")
    return found


def ontology_ids(message: Any) -> list[str]:
    if isinstance(message, dict):
        own = [message["id"]] if set(message) >= {"id", "label"} and ":" in message["id"] else []
        return own + [i for v in message.values() for i in ontology_ids(v)]
    if isinstance(message, list):
        return [i for v in message for i in ontology_ids(v)]
    return []


def packets(folder: Path) -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text()) for p in folder.glob("*.json")
            if p.name != "cohort.json"}


def test_every_phenopacket_parses_strictly(exported: dict[str, Path], cohort: dict) -> None:
    found = packets(exported["phenopackets"])
    assert len(found) == len(cohort)
    for text in (p.read_text() for p in exported["phenopackets"].glob("*.json")):
        name = "Cohort" if '"members"' in text else "Phenopacket"
        Parse(text, getattr(pps2, name)())  # unknown fields or bad enums raise


def test_every_phenopacket_has_the_schema_required_fields(exported: dict[str, Path]) -> None:
    for name, packet in packets(exported["phenopackets"]).items():
        assert missing_required(packet, "Phenopacket") == [], name


def test_every_prefix_has_a_resource(exported: dict[str, Path]) -> None:
    for name, packet in packets(exported["phenopackets"]).items():
        declared = {r["namespacePrefix"] for r in packet["metaData"]["resources"]}
        for curie in ontology_ids(packet):
            assert len(re.split(r"[:_]", curie)) == 2 or curie.startswith("VLMSKG:"), curie
            assert curie.split(":")[0] in declared, (name, curie)


def test_phenopackets_read_back_the_graph(exported: dict[str, Path], cohort: dict) -> None:
    for packet in packets(exported["phenopackets"]).values():
        row = cohort[packet["subject"]["id"]]
        assert packet["subject"].get("sex", "UNKNOWN_SEX").lower() == (
            row.sex if row.sex in ("male", "female") else "unknown_sex")
        disease = packet["diseases"][0]
        assert disease["term"] == {"id": "NCIT:C3158", "label": "Leiomyosarcoma"}
        assert disease["primarySite"]["label"] in row.vessel
        if row.age is not None:
            assert disease["onset"]["age"]["iso8601duration"] == f"P{row.age}Y"
        status = packet["subject"].get("vitalStatus", {}).get("status")
        assert status == {"alive": "ALIVE", "dead": "DECEASED"}.get(row.vitalStatus)
        if status and row.followUpMonths is not None:
            days = packet["subject"]["vitalStatus"]["survivalTimeInDays"]
            assert days == round(float(row.followUpMonths) * DAYS_PER_MONTH)


def test_ivc_case_phenopacket_values(exported: dict[str, Path]) -> None:
    """Case 1 of the IVC report: woman of 60, R0, lung metastasis at 9 months, alive at 30."""
    packet = packets(exported["phenopackets"])["lms-ivc-two-cases-c1"]
    assert packet["subject"]["timeAtLastEncounter"]["age"]["iso8601duration"] == "P62Y6M"
    metastasis = packet["diseases"][1]
    assert metastasis["primarySite"]["id"] == "UBERON:0002048"
    assert metastasis["onset"]["age"]["iso8601duration"] == "P60Y9M"
    sample = packet["biosamples"][0]
    values = {m["assay"]["label"]: m["value"] for m in sample["measurements"]}
    assert values["Surgical Margin Resection Status"]["ontologyClass"]["label"] == "R0"
    assert values["size"]["quantity"]["value"] == 10


# --- cBioPortal ------------------------------------------------------------------------

PATIENT_LEVEL = {"AGE", "SEX", "GENDER", "OS_STATUS", "OS_MONTHS", "DFS_STATUS", "DFS_MONTHS",
                 "TUMOR_SITE", "PATIENT_DISPLAY_NAME"}
SAMPLE_LEVEL = {"SAMPLE_TYPE", "PRIMARY_SITE", "METASTATIC_SITE", "SAMPLE_CLASS",
                "SAMPLE_DISPLAY_NAME", "TUMOR_TISSUE_SITE", "TUMOR_TYPE", "OTHER_SAMPLE_ID"}
NULLS = {"[Not Applicable]", "[Not Available]", "[Pending]", "[Discrepancy]", "[Completed]",
         "[null]", "", "NA"}


def read_meta(path: Path) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in path.read_text().splitlines())


def read_clinical(path: Path) -> tuple[list[list[str]], list[dict[str, str]]]:
    lines = path.read_text().rstrip("\n").split("\n")
    header = [line.split("\t") for line in lines[:5]]
    return header, [dict(zip(header[4], line.split("\t"), strict=True)) for line in lines[5:]]


def test_cbioportal_meta_files(exported: dict[str, Path]) -> None:
    folder = exported["cbioportal"]
    study = read_meta(folder / "meta_study.txt")
    assert {"type_of_cancer", "cancer_study_identifier", "name", "description"} <= set(study)
    assert valid_study_id(study["cancer_study_identifier"])
    for meta in folder.glob("meta_*.txt"):
        fields = read_meta(meta)
        if meta.name != "meta_study.txt":
            assert (folder / fields["data_filename"]).is_file(), meta.name
        if meta.name not in ("meta_study.txt", "meta_cancer_type.txt"):
            assert fields["cancer_study_identifier"] == study["cancer_study_identifier"]
            assert fields["genetic_alteration_type"] == "CLINICAL"
    assert len((folder / "cancer_type.txt").read_text().rstrip("\n").split("\t")) == 4


@pytest.mark.parametrize("level", ["patient", "sample"])
def test_cbioportal_clinical_files_follow_the_validator(exported: dict[str, Path],
                                                        level: str) -> None:
    path = exported["cbioportal"] / f"data_clinical_{level}.txt"
    lines = path.read_text().rstrip("\n").split("\n")
    assert all(line.startswith("#") for line in lines[:4]) and not lines[4].startswith("#")
    widths = {len(line.split("\t")) for line in lines}
    assert len(widths) == 1, "every line has the same number of columns"
    header, rows = read_clinical(path)
    ids, types, priorities = header[4], [t.lstrip("#") for t in header[2]], header[3]
    assert all(i == i.upper() and re.fullmatch(r"[A-Z0-9_]+", i) for i in ids)
    assert set(types) <= {"STRING", "NUMBER", "BOOLEAN"}
    assert all(int(p.lstrip("#")) >= -1 for p in priorities)
    assert ids[0] == "PATIENT_ID"
    if level == "patient":
        assert "SAMPLE_ID" not in ids and not (set(ids) & SAMPLE_LEVEL)
    else:
        assert ids[1] == "SAMPLE_ID" and not (set(ids) & PATIENT_LEVEL)
    for row in rows:
        assert re.fullmatch(r"[A-Za-z0-9._-]+", row["PATIENT_ID"])
        for column, kind in zip(ids, types, strict=True):
            if kind == "NUMBER" and row[column] not in NULLS:
                float(row[column].lstrip("<>"))
        if level == "patient":
            assert row["OS_STATUS"] in {"0:LIVING", "1:DECEASED"} | NULLS
            assert row["DFS_STATUS"] in {"0:DiseaseFree", "1:Recurred/Progressed"} | NULLS
            assert (row["OS_STATUS"] in NULLS) == (row["OS_MONTHS"] in NULLS)


def test_cbioportal_timelines_follow_the_validator(exported: dict[str, Path]) -> None:
    folder = exported["cbioportal"]
    _, patients = read_clinical(folder / "data_clinical_patient.txt")
    known = {p["PATIENT_ID"] for p in patients}
    timelines = sorted(folder.glob("data_timeline_*.txt"))
    assert {p.name for p in timelines} == {"data_timeline_status.txt",
                                           "data_timeline_surgery.txt",
                                           "data_timeline_treatment.txt"}
    for path in timelines:
        lines = [line.split("\t") for line in path.read_text().rstrip("\n").split("\n")]
        assert lines[0][:4] == ["PATIENT_ID", "START_DATE", "STOP_DATE", "EVENT_TYPE"]
        for line in lines[1:]:
            assert len(line) == len(lines[0])
            assert line[0] in known
            assert line[1].lstrip("-").isdigit(), line
            assert line[2] == "" or line[2].lstrip("-").isdigit()


def test_cbioportal_reads_back_the_graph(exported: dict[str, Path], cohort: dict) -> None:
    _, patients = read_clinical(exported["cbioportal"] / "data_clinical_patient.txt")
    _, samples = read_clinical(exported["cbioportal"] / "data_clinical_sample.txt")
    assert {p["PATIENT_ID"] for p in patients} == set(cohort)
    sites = {s["PATIENT_ID"]: s["PRIMARY_SITE"] for s in samples}
    for patient in patients:
        row = cohort[patient["PATIENT_ID"]]
        assert patient["AGE"] == (str(row.age) if row.age is not None else "[Not Available]")
        assert patient["SEX"].lower() == row.sex or row.sex == "not reported"
        assert sites[patient["PATIENT_ID"]] in row.vessel
        status = {"alive": "0:LIVING", "dead": "1:DECEASED"}.get(row.vitalStatus)
        if status and row.followUpMonths is not None:
            assert patient["OS_STATUS"] == status
            assert float(patient["OS_MONTHS"]) == float(row.followUpMonths)


def test_cbioportal_disease_free_status_of_the_reports(exported: dict[str, Path]) -> None:
    """Femoral case: stated free of disease at 7 months; IVC cases: metastasis at 9 and 6."""
    _, patients = read_clinical(exported["cbioportal"] / "data_clinical_patient.txt")
    dfs = {p["PATIENT_ID"]: (p["DFS_STATUS"], p["DFS_MONTHS"]) for p in patients}
    assert dfs["lms-femoral-vein-c1"] == ("0:DiseaseFree", "7")
    assert dfs["lms-ivc-two-cases-c1"] == ("1:Recurred/Progressed", "9")
    assert dfs["lms-ivc-two-cases-c2"] == ("1:Recurred/Progressed", "6")


# --- FHIR mCODE ------------------------------------------------------------------------

def bundles(folder: Path) -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text()) for p in folder.glob("*.json")}


def resources(bundle: dict[str, Any], kind: str, profile: str | None = None) -> list[dict]:
    found = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]
    if profile:
        found = [r for r in found if MCODE + profile in r.get("meta", {}).get("profile", [])]
    return found


def test_every_bundle_is_structurally_valid_fhir(exported: dict[str, Path], cohort: dict) -> None:
    found = bundles(exported["fhir"])
    assert set(found) == set(cohort)
    for path in exported["fhir"].glob("*.json"):
        Bundle.model_validate_json(path.read_text())


def test_bundles_follow_the_mcode_profiles(exported: dict[str, Path]) -> None:
    for name, bundle in bundles(exported["fhir"]).items():
        assert bundle["type"] == "collection"
        assert len(resources(bundle, "Patient", "mcode-cancer-patient")) == 1, name
        assert len(resources(bundle, "Condition", "mcode-primary-cancer-condition")) == 1
        for size in resources(bundle, "Observation", "mcode-tumor-size"):
            assert size["code"]["coding"][0]["code"] == "21889-1"
            longest = size["component"][0]
            assert longest["code"]["coding"][0]["code"] == "33728-7"
            assert longest["valueQuantity"]["code"] in ("cm", "mm")
        for status in resources(bundle, "Observation", "mcode-cancer-disease-status"):
            assert status["code"]["coding"][0]["code"] == "97509-4"
            date.fromisoformat(status["effectiveDateTime"])
        for given in resources(bundle, "MedicationAdministration"):
            assert "effectiveDateTime" in given or "effectivePeriod" in given
        for course in resources(bundle, "Procedure", "mcode-radiotherapy-course-summary"):
            assert course["code"]["coding"][0]["code"] == "1217123003"
            assert "performedPeriod" in course


def test_fhir_reads_back_the_graph(exported: dict[str, Path], cohort: dict) -> None:
    for name, bundle in bundles(exported["fhir"]).items():
        row = cohort[name]
        patient = resources(bundle, "Patient")[0]
        assert patient.get("gender", "not reported") == row.sex
        assert patient.get("deceasedBoolean") == {"alive": False, "dead": True}.get(
            row.vitalStatus)
        condition = resources(bundle, "Condition", "mcode-primary-cancer-condition")[0]
        assert condition["code"]["coding"][0]["code"] == "C3158"
        assert condition["bodySite"][0]["text"] in row.vessel
        assert condition.get("onsetAge", {}).get("value") == row.age
        index = [p for p in resources(bundle, "Procedure") if p.get("bodySite")]
        last = [o for o in resources(bundle, "Observation") if o["code"].get("text")
                == "last follow-up"]
        if row.followUpMonths is not None:
            start = date.fromisoformat(index[0]["performedDateTime"])
            end = date.fromisoformat(last[0]["effectiveDateTime"])
            assert (end - start).days == round(float(row.followUpMonths) * DAYS_PER_MONTH)


# --- errors ----------------------------------------------------------------------------

def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_unknown_format_is_refused_with_a_suggestion(tmp_path: Path, capsys) -> None:
    code, text = run_cli(["export", "phenopacket", "--out", str(tmp_path / "x")], capsys)
    assert code == 2 and "did you mean phenopackets" in text and "Traceback" not in text
    assert not (tmp_path / "x").exists()


def test_empty_selection_is_refused_and_leaves_the_folder(tmp_path: Path, capsys) -> None:
    out = tmp_path / "study"
    out.mkdir()
    (out / "keep.txt").write_text("before")
    code, text = run_cli(["export", "cbioportal", "--out", str(out), "--where",
                          "vessel=aorta of a unicorn"], capsys)
    assert code != 0 and "aorta of a unicorn" in text and "inferior vena cava" in text
    assert "Traceback" not in text
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_unknown_where_field_names_the_fields(tmp_path: Path, capsys) -> None:
    code, text = run_cli(["export", "fhir", "--out", str(tmp_path / "f"), "--where",
                          "vesel=inferior vena cava"], capsys)
    assert code != 0 and "unknown field 'vesel'" in text and "vessel" in text
    assert not (tmp_path / "f").exists()


def test_a_selection_of_no_case_is_refused(tmp_path: Path, capsys) -> None:
    code, text = run_cli(["export", "fhir", "--out", str(tmp_path / "f"), "--where",
                          "age>=200"], capsys)
    assert code == 2 and "no case meets" in text and not (tmp_path / "f").exists()


def test_a_file_in_place_of_the_folder_is_refused(tmp_path: Path, capsys) -> None:
    target = tmp_path / "not-a-folder"
    target.write_text("data")
    code, text = run_cli(["export", "fhir", "--out", str(target)], capsys)
    assert code == 2 and str(target) in text and target.read_text() == "data"


def test_a_failed_write_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "study"
    out.mkdir()
    (out / "keep.txt").write_text("before")
    with pytest.raises(Exception, match="cannot write"):
        write_folder(out, {"a.txt": "x", "b" * 300 + ".txt": "name too long"})
    assert [p.name for p in tmp_path.iterdir()] == ["study"]
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_where_selects_cases(graph: KnowledgeGraph, tmp_path: Path) -> None:
    result = export("fhir", graph, tmp_path / "ivc", where=["vessel=inferior vena cava",
                                                            "age>=60", "age<=65"])
    assert {"lms-ivc-two-cases-c1", "lms-ivc-two-cases-c2"} <= set(result.cases)
    assert "lms-femoral-vein-c1" not in result.cases
    assert sorted(p.stem for p in (tmp_path / "ivc").iterdir()) == sorted(result.cases)
