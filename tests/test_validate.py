"""``kg.validation.validate`` and ``vlmskg validate``: the shipped cases pass the shapes, and each
broken fixture (a copy of tests/data/valid/minimal.ttl breaking one rule) fails with the
expected shape, severity and message, without stopping the other files."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from kg.building.pipeline import BuildResult
from kg.commands import validate as validate_command
from kg.errors import InputError, ValidationFailed
from kg.resources import case_files, publication_files
from kg.validation.validate import ValidationReport, compact, validate_files

DATA = Path(__file__).parent / "data"
BROKEN = DATA / "broken"
MINIMAL = DATA / "valid" / "minimal.ttl"
PUBLICATION_FIXTURE = BROKEN / "publication-statement-without-source.ttl"
SHIPPED = case_files()
SEEDS = [p for p in SHIPPED if p.suffix == ".ttl"]  # the three hand-written cases
FEMORAL = next(p for p in SHIPPED if p.name == "lms-femoral-vein-c1.ttl")

# fixture stem → (shape, severity, path, fragment of the message, value or None)
EXPECTED = {
    "missing-age": ("vsh:PatientShape", "Violation", None,
                    "a case needs the patient's age or sex", None),
    "age-not-a-number": ("vsh:PatientShape", "Violation", "vlms:ageYears",
                         "whole number of years from 0 to 120", "seventy"),
    "age-out-of-range": ("vsh:PatientShape", "Violation", "vlms:ageYears",
                         "from 0 to 120", "150"),
    "negative-size": ("vsh:SizeMeasurementShape", "Violation", "vlms:firstDimensionCm",
                      "more than 0 and at most 100", "-7"),
    "implausible-blood-loss": ("vsh:ProcedureShape", "Violation", "vlms:bloodLossMl",
                               "from 0 to 50000", "90000"),
    "misspelt-predicate": ("vsh:VocabularyShape", "Violation", "vlms:ageYear",
                           "The property vlms:ageYear", None),
    "misspelt-class": ("vsh:VocabularyShape", "Violation", "rdf:type",
                       "The class vlms:MitoticCont", "vlms:MitoticCont"),
    "dangling-node": ("vsh:VocabularyShape", "Violation", "vlms:arisesFrom",
                      "is never described", "case:dangling-node/ivcWal"),
    "margin-on-biopsy": ("vsh:ResectionMarginShape", "Violation", "vlms:marginStatus",
                         "A margin status belongs to a resection", "vlms:R1"),
    "metastasis-before-surgery": ("vsh:TimelineOrderShape", "Violation", "vlms:timelinePosition",
                                  "comes after case:metastasis-before-surgery/resection",
                                  "case:metastasis-before-surgery/resection"),
    "event-after-last-follow-up": ("vsh:LastFollowUpShape", "Violation", "vlms:hasTiming",
                                   "(18 months) than the last follow-up (12 months)",
                                   "case:event-after-last-follow-up/followUp"),
    "metastasis-at-origin": ("vsh:MetastasisShape", "Violation", "vlms:site",
                             "is the tumour's site of origin", "case:metastasis-at-origin/ivc"),
    "unknown-marker-result": ("vsh:ImmunohistochemistryResultShape", "Violation",
                              "vlms:markerResult", "vlms:Positive, vlms:Negative or vlms:Equivocal",
                              "vlms:Positve"),
    "marker-result-wrong-set": ("vsh:ImmunohistochemistryResultShape", "Violation",
                                "vlms:markerResult", "one vlms:markerResult", "vlms:Present"),
    "case-without-source": ("vsh:CaseSourceShape", "Violation", "vlms:reportedIn",
                            "Every case names its source", None),
    "unknown-source": ("vsh:CaseSourceShape", "Violation", "vlms:reportedIn",
                       "typed obo:IAO_0000013", "pub:lms-ivc-three-cases"),
    "wrong-case-iri": ("vsh:CaseGraphShape", "Violation", None,
                       "does not describe the case node named after it", None),
    "statement-about-a-term": ("vsh:CaseGraphShape", "Violation", None,
                               "which is not a node of its case", "obo:UBERON_0001072"),
    "timing-without-relation": ("vsh:RelativeTimingShape", "Violation", "vlms:temporalRelation",
                                "exactly one vlms:temporalRelation", None),
    "missing-presence": ("vsh:FindingShape", "Violation", "vlms:presence",
                         "a negative finding is stated, never implied", None),
    "missing-recommended": ("vsh:IndexSurgeryShape", "Warning", "vlms:marginStatus",
                            "Recommended: give the resection margin", None),
}
# fixture stem → (message fragment, line, column)
UNREADABLE = {
    "broken-turtle": ("broken Turtle", 25, 1),
    "empty": ("the file is empty", None, None),
    "binary-garbage": ("not UTF-8 text", None, None),
}


def _matches(result, shape, severity, path, fragment, value) -> bool:
    return (compact(result.shape) == shape and result.severity == severity
            and (result.path and compact(result.path)) == path and fragment in result.message
            and (value is None or compact(result.value or "") == value))


def _violations_of(report: ValidationReport, case: str) -> list:
    return [r for r in report.violations if r.case == case]


def _of_cases(report: ValidationReport) -> list:
    """The results about case files (the shipped publications may carry Warnings of their
    own, such as a publication without an identifier)."""
    return [r for r in report.results if r.case is not None]


# --- the shipped data --------------------------------------------------------------------


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_case_conforms(path: Path) -> None:
    report = validate_files([path])
    assert report.errors == []
    assert [f"{r.focus} {r.path}: {r.message}" for r in report.violations] == []
    assert report.conforms and report.exit_code == 0
    assert 0.0 < report.completeness[path.stem] <= 1.0


def test_shipped_publications_conform() -> None:
    report = validate_files([])
    assert report.conforms
    assert report.violations == []
    assert sorted(report.files) == sorted(str(p) for p in publication_files())


def test_warnings_follow_what_the_reports_leave_out(built: BuildResult) -> None:
    # femoral vein report: no histological grade, no blood loss, no operating time, but a
    # mitotic count (>10/10 HPF) and immunohistochemistry; IVC reports: a high grade, no
    # mitotic count, no immunohistochemistry; case 1 of the IVC report gives 300 ml and
    # 150 minutes.
    report = validate_files(SEEDS)
    missing = {(r.case, compact(r.path or "")) for r in report.warnings}
    assert ("lms-femoral-vein-c1", "vlms:grade") in missing
    assert ("lms-femoral-vein-c1", "vlms:bloodLossMl") in missing
    assert ("lms-femoral-vein-c1", "vlms:hasMitoticCount") not in missing
    assert ("lms-femoral-vein-c1", "vlms:hasImmunohistochemistryResult") not in missing
    for case in ("lms-ivc-two-cases-c1", "lms-ivc-two-cases-c2"):
        assert (case, "vlms:grade") not in missing
        assert (case, "vlms:hasMitoticCount") in missing
        assert (case, "vlms:hasImmunohistochemistryResult") in missing
    assert ("lms-ivc-two-cases-c1", "vlms:bloodLossMl") not in missing
    assert ("lms-ivc-two-cases-c1", "vlms:operativeTimeMinutes") not in missing
    # every shipped case leaves a recommended field empty (the session's build validated
    # them all with the same validator)
    assert set(built.completeness) == {path.stem for path in SHIPPED}
    assert all(0 < score < 1 for score in built.completeness.values())


# --- the minimal case and its broken copies ------------------------------------------------


def test_minimal_case_conforms_and_is_complete() -> None:
    report = validate_files([MINIMAL])
    assert _of_cases(report) == [] and report.errors == []
    assert report.completeness == {"minimal": 1.0}


def test_missing_recommended_fields_lower_completeness_only() -> None:
    # the minimal case meets 19 recommended checks: case 2 (index surgery, last follow-up),
    # patient 2 (age, sex), presentation 2, tumour 4, size 1, immunohistochemistry 1, index
    # surgery 4, last follow-up 3; the copy drops 2 of them (grade, margin)
    report = validate_files([BROKEN / "missing-recommended.ttl"])
    assert report.conforms and report.exit_code == 0
    assert {compact(r.path) for r in _of_cases(report)} == {"vlms:grade", "vlms:marginStatus"}
    assert report.completeness == {"missing-recommended": round(17 / 19, 3)}


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_broken_case_fails_with_its_shape(stem: str) -> None:
    report = validate_files([BROKEN / f"{stem}.ttl"])
    shape, severity, path, fragment, value = EXPECTED[stem]
    hits = [r for r in report.results if _matches(r, shape, severity, path, fragment, value)]
    assert hits, [(compact(r.shape), r.path, r.message, r.value) for r in report.results]
    assert all(r.case == stem and r.file == str(BROKEN / f"{stem}.ttl")
               for r in _of_cases(report))
    assert report.exit_code == (1 if severity == "Violation" else 0)


def test_misspelt_terms_name_the_closest_declared_term() -> None:
    report = validate_files([BROKEN / f"{stem}.ttl" for stem in
                             ("misspelt-predicate", "misspelt-class", "unknown-marker-result",
                              "dangling-node")])
    vocabulary = {r.case: r.message for r in report.results
                  if compact(r.shape) == "vsh:VocabularyShape"}
    assert vocabulary["misspelt-predicate"].endswith("Did you mean vlms:ageYears?")
    assert vocabulary["misspelt-class"].endswith("Did you mean vlms:MitoticCount?")
    assert vocabulary["unknown-marker-result"].endswith("Did you mean vlms:Positive?")
    assert vocabulary["dangling-node"].endswith("Did you mean case:dangling-node/ivc?")


@pytest.mark.parametrize("stem", sorted(UNREADABLE))
def test_unreadable_file_is_an_input_error(stem: str) -> None:
    fragment, line, column = UNREADABLE[stem]
    report = validate_files([BROKEN / f"{stem}.ttl", MINIMAL])
    assert report.exit_code == 2 and not report.conforms
    [error] = report.errors
    assert isinstance(error, InputError)
    assert fragment in error.message
    assert (error.file, error.line, error.column, error.case) == (
        str(BROKEN / f"{stem}.ttl"), line, column, stem)
    assert error.hint
    assert report.completeness == {"minimal": 1.0}  # the readable file was still validated


def test_broken_files_do_not_stop_the_shipped_cases() -> None:
    paths = sorted(BROKEN.glob("*.ttl")) + SEEDS
    report = validate_files(paths)
    assert report.exit_code == 2
    for path in SEEDS:
        assert _violations_of(report, path.stem) == []
        assert path.stem in report.completeness
    for stem, expected in EXPECTED.items():
        assert any(_matches(r, *expected) for r in report.results if r.case == stem), stem
    assert sorted(e.case for e in report.errors) == sorted(UNREADABLE)


def test_every_broken_fixture_is_checked() -> None:
    covered = set(EXPECTED) | set(UNREADABLE) | {PUBLICATION_FIXTURE.stem}
    assert {p.stem for p in BROKEN.glob("*.ttl")} == covered


def test_a_blank_node_is_named_by_the_triple_leading_to_it(capsys) -> None:
    fixture = BROKEN / "timing-without-relation.ttl"
    [result] = _of_cases(validate_files([fixture]))
    assert result.focus == ("<https://w3id.org/vlmskg/case/timing-without-relation/followUp> "
                            "<https://w3id.org/vlmskg/vocab/hasTiming> []")
    assert _run(str(fixture)) == 1
    assert "Violation: case:timing-without-relation/followUp vlms:hasTiming [] " \
        "vlms:temporalRelation" in capsys.readouterr().out


def test_broken_publication_statement() -> None:
    report = validate_files([], publications=[PUBLICATION_FIXTURE])
    found = {(compact(r.shape), compact(r.path)) for r in report.violations}
    assert found == {("vsh:StatementSourceShape", "vlms:statedIn"),
                     ("vsh:LiteratureStatementShape", "vlms:statementText")}
    assert all(r.case is None for r in report.results)


def test_a_case_cites_only_loaded_publications() -> None:
    report = validate_files([MINIMAL], publications=[])
    assert any(compact(r.shape) == "vsh:CaseSourceShape" for r in report.violations)


def test_raise_for_failure() -> None:
    validate_files([MINIMAL]).raise_for_failure()
    with pytest.raises(ValidationFailed) as failed:
        validate_files([BROKEN / "missing-age.ttl"]).raise_for_failure()
    assert "missing-age" in str(failed.value) and failed.value.results
    with pytest.raises(InputError, match="the file is empty"):
        validate_files([BROKEN / "empty.ttl"]).raise_for_failure()


def test_a_case_is_validated_on_its_own() -> None:
    alone = validate_files([BROKEN / "negative-size.ttl"]).results
    together = validate_files([BROKEN / "negative-size.ttl", MINIMAL, *SEEDS]).results
    own = [r for r in alone if r.case == "negative-size"]
    assert own and all(r.severity == "Violation" for r in own)
    assert [r for r in together if r.case == "negative-size"] == own


# --- the command -------------------------------------------------------------------------


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="vlmskg")
    validate_command.register(parser.add_subparsers())
    args = parser.parse_args(["validate", *argv])
    return args.run(args)


def test_command_validates_the_shipped_cases_by_default(capsys) -> None:
    assert _run() == 0
    out = capsys.readouterr().out
    assert "completeness:" in out
    for path in SHIPPED:
        assert path.stem in out
    assert out.rstrip().endswith("unreadable: conforms")
    assert "0 violation(s)" in out


def test_command_prints_each_violation_with_its_fix(capsys) -> None:
    assert _run(str(BROKEN / "negative-size.ttl"), str(FEMORAL)) == 1
    out = capsys.readouterr().out
    [line] = [line for line in out.splitlines() if "Violation" in line]
    assert "case negative-size" in line and "case:negative-size/size" in line
    assert "vlms:firstDimensionCm" in line and "more than 0 and at most 100" in line
    assert "[vsh:SizeMeasurementShape]" in line
    assert "does not conform" in out


def test_command_exits_2_on_unreadable_input_and_reports_the_rest(capsys) -> None:
    assert _run(str(BROKEN / "broken-turtle.ttl"), str(BROKEN / "negative-size.ttl")) == 2
    captured = capsys.readouterr()
    assert "broken-turtle.ttl:25:1" in captured.err and "Traceback" not in captured.err
    assert "vsh:SizeMeasurementShape" in captured.out


def test_command_accepts_a_folder(capsys) -> None:
    assert _run(str(MINIMAL.parent)) == 0
    assert "minimal  1.00" in capsys.readouterr().out


def test_command_json_is_machine_readable_and_stable(capsys) -> None:
    argv = (str(BROKEN / "margin-on-biopsy.ttl"), str(BROKEN / "empty.ttl"), "--format", "json")
    assert _run(*argv) == 2
    first = capsys.readouterr().out
    assert _run(*argv) == 2
    assert capsys.readouterr().out == first
    data = json.loads(first)
    assert list(data) == ["conforms", "files", "errors", "results", "completeness"]
    assert data["conforms"] is False
    assert data["errors"][0]["case"] == "empty"
    [result] = [r for r in data["results"] if r["severity"] == "Violation"]
    assert result == {
        "file": str(BROKEN / "margin-on-biopsy.ttl"),
        "severity": "Violation",
        "focus": "https://w3id.org/vlmskg/case/margin-on-biopsy/biopsy",
        "path": "https://w3id.org/vlmskg/vocab/marginStatus",
        "message": result["message"],
        "shape": "https://w3id.org/vlmskg/shapes/ResectionMarginShape",
        "value": "https://w3id.org/vlmskg/vocab/R1",
        "case": "margin-on-biopsy",
    }
    assert data["completeness"] == {"margin-on-biopsy": 1.0}
