"""The fast validator (SHACL compiled to SPARQL) against pySHACL, case by case.

pySHACL (:mod:`kg.validation.validate`) is the reference: on the shipped cases and on
synthetic cases broken on purpose, the fast engine must report the same results — focus node, path,
severity, shape, value and message — for every case. Blank-node labels inside a message
differ from run to run in both engines, so they are masked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph

from kg import resources
from kg.errors import InputError
from kg.synth import write_cohort
from kg.validation.compiled import compile_shapes, validate_files_fast
from kg.validation.report import ValidationReport
from kg.validation.validate import validate_files

SEED = 11
CASES = 13
COHORT = f"https://w3id.org/vlmskg/case/synthetic-cohort-{SEED}"
_BLANK = re.compile(r"\b[0-9a-f]{32}\b")

#: (name, case number, regular expression, replacement): one way of breaking a case each,
#: applied to that case or, when it lacks the part to break, to the next one that has it.
BREAKS = [
    ("age out of range", 1, r'ageYears "\d+"', 'ageYears "150"'),
    ("age as text", 2, r'ageYears "\d+"\^\^xsd:integer', 'ageYears "fifty"'),
    ("two ages", 3, r"(vlms:ageYears [^;]+;)", r'\1 vlms:ageYears "40"^^xsd:integer ;'),
    ("sex outside its value set", 4, r"vlms:sex obo:PATO_000038\d", "vlms:sex vlms:Left"),
    ("neither age nor sex", 5,
     r'(:patient a obo:NCBITaxon_9606) ;\n    vlms:ageYears "\d+"\^\^xsd:integer ;\n'
     r"    vlms:sex obo:PATO_000038\d", r"\1"),
    ("misspelt presence", 6, r"vlms:presence vlms:Present", "vlms:presence vlms:Presnt"),
    ("undeclared class", 7, r":admission a vlms:HospitalAdmission",
     ":admission a vlms:HospitalAdmision"),
    ("undeclared property", 8, r"vlms:contrastEnhanced", "vlms:contrastEnhance"),
    ("follow-up not last", 9,
     r'(:lastFollowUp a vlms:LastFollowUp ;\n    vlms:timelinePosition )"\d+"', r'\1"2"'),
    ("event without position", 10, r':admission a vlms:HospitalAdmission ;\n'
     r'    vlms:timelinePosition "0"\^\^xsd:integer \.',
     ":admission a vlms:HospitalAdmission ; vlms:description \"admitted\" ."),
    ("event not listed", 11, r"vlms:hasEvent :admission , ", "vlms:hasEvent "),
    ("finding not listed", 12, r"vlms:hasFinding :presentingSymptom , ", "vlms:hasFinding "),
    ("patient as a second tumour", 1, r"vlms:hasTumour :tumour",
     "vlms:hasTumour :tumour , :patient"),
    ("metastasis at the origin", 13, r"(Metastasis ;\n(?:.*\n)*?    vlms:site :)(lung|liver)",
     r"\1vesselWall"),
    ("size zero", 2, r'firstDimensionCm "[\d.]+"', 'firstDimensionCm "0.0"'),
    ("size as text", 3, r'firstDimensionCm "([\d.]+)"\^\^xsd:decimal', r'firstDimensionCm "\1"'),
    ("third dimension without second", 4,
     r'    vlms:secondDimensionCm "[\d.]+"\^\^xsd:decimal ;\n(    vlms:thirdDimensionCm)', r"\1"),
    ("margin on a diagnosis", 5, r"(:finalDiagnosis a vlms:DiagnosisEvent ;)",
     r"\1 vlms:marginStatus vlms:R0 ;"),
    ("amount without unit", 6, r"    vlms:timeUnit obo:UO_0000033 ;\n", ""),
    ("negative amount", 7,
     r'(dischargeTiming a vlms:RelativeTiming ;\n(?:.*\n)*?    vlms:amount )"\d+"', r'\1"-3"'),
    ("timing as a blank node", 8, r"vlms:hasTiming :dischargeTiming",
     "vlms:hasTiming [ a vlms:RelativeTiming ; vlms:relativeTo :operation ; "
     "vlms:temporalRelation vlms:Before ; vlms:amount \"2\"^^xsd:decimal ]"),
    ("node of another case", 9, r"vlms:observedIn :pathology",
     f"vlms:observedIn <{COHORT}-c2/pathology>"),
    ("statement about an ontology term", 10, r"\Z",
     '\nobo:UBERON_0001072 rdfs:label "my vena cava"@en .\n'),
    ("node outside the case", 11, r"\Z",
     f'\n<{COHORT}-c99/x> vlms:description "elsewhere" .\n'),
    ("unknown publication", 12, r"publication/synthetic-cohort-\d+>",
     "publication/no-such-publication>"),
    ("case number zero", 13, r'caseNumberInSource "\d+"', 'caseNumberInSource "0"'),
    ("boolean as text", 1, r'vlms:enBloc "(true|false)"\^\^xsd:boolean', r'vlms:enBloc "\1"'),
    ("ill-formed boolean", 2, r'vlms:contrastEnhanced "true"', 'vlms:contrastEnhanced "yes"'),
    ("grade outside its value set", 3, r"(:tumour a obo:NCIT_C3158 ;)", r"\1 vlms:grade vlms:R0 ;"),
    ("metastasis after the last follow-up", 4,
     r'(metastasisAssessmentTiming a vlms:RelativeTiming ;\n(?:.*\n)*?    vlms:amount )"\d+"',
     r'\1"400"'),
    ("empty description", 5, r"(:patient a obo:NCBITaxon_9606 ;)", r'\1 vlms:description "" ;'),
    ("description with a language", 6, r"(:patient a obo:NCBITaxon_9606 ;)",
     r'\1 vlms:description "a patient"@en ;'),
    ("curation note on two lines", 4, r"(:patient a obo:NCBITaxon_9606 ;)",
     r'\1 vlms:curationNote "Age as printed.\\nSex implied." ;'),
    ("complication before its operation", 7, r"(vlms:followsProcedure :operation)",
     r"\1 ; vlms:observedIn :admission"),
    ("blank node as a structure", 8, r"vlms:arisesFrom :\w+",
     "vlms:arisesFrom [ a obo:UBERON_0001072 ; vlms:laterality vlms:Left , vlms:Right ]"),
    ("tumour not typed leiomyosarcoma", 9, r":tumour a obo:NCIT_C3158", ":tumour a obo:NCIT_C9118"),
    ("last follow-up of the wrong type", 10, r":lastFollowUp a vlms:LastFollowUp",
     ":lastFollowUp a vlms:FollowUpAssessment"),
    ("no patient", 11, r"    vlms:hasPatient :patient ;\n", ""),
    ("negative position", 12, r'(:admission a vlms:HospitalAdmission ;\n    vlms:timelinePosition )'
     r'"0"\^\^xsd:integer', r'\1"-1"^^xsd:integer'),
    ("ill-formed integer", 13,
     r'(:ct a [^;]+;\n    vlms:timelinePosition )"1"\^\^xsd:integer',
     r'\1"1.5"^^xsd:integer'),
    ("event listed twice in two cases", 1, r"vlms:hasEvent :admission",
     f"vlms:hasEvent <{COHORT}-c3/admission> , :admission"),
]


def masked(results: list) -> set[tuple]:
    return {(r.file, r.severity, r.focus, r.path, r.shape, r.value, _BLANK.sub("_:b", r.message),
             r.case) for r in results}


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_cohort(tmp_path_factory.mktemp("synth") / "cohort", CASES, SEED).root


@pytest.fixture(scope="module")
def broken(cohort: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """One folder per break, each holding the cohort's cases with that one case broken."""
    out = tmp_path_factory.mktemp("broken")
    files = []
    for name, number, pattern, replacement in BREAKS:
        for candidate in [*range(number, CASES + 1), *range(1, number)]:
            case = cohort / "cases" / f"synthetic-cohort-{SEED}-c{candidate}.ttl"
            changed, count = re.subn(pattern, replacement, case.read_text(encoding="utf-8"),
                                     count=1)
            if count:
                break
        assert count == 1, f"the break {name!r} applies to no case of the cohort"
        folder = out / re.sub(r"\W+", "-", name)
        folder.mkdir()
        (folder / case.name).write_text(changed, encoding="utf-8")
        files.append(folder / case.name)
    return files


def publications(cohort: Path) -> list[Path]:
    return resources.publication_files() + sorted((cohort / "publications").glob("*.ttl"))


@pytest.fixture(scope="module")
def shipped_reports() -> tuple[ValidationReport, ValidationReport]:
    """The shipped cases validated by the compiled shapes and by pySHACL."""
    cases = resources.case_files()
    return validate_files_fast(cases), validate_files(cases)


def test_shipped_cases_conform_with_no_violation(
        shipped_reports: tuple[ValidationReport, ValidationReport]) -> None:
    fast, reference = shipped_reports
    assert fast.conforms and not fast.violations
    assert masked(fast.results) == masked(reference.results)


def test_shipped_completeness_equals_pyshacl(
        shipped_reports: tuple[ValidationReport, ValidationReport]) -> None:
    fast, reference = shipped_reports
    assert fast.completeness == reference.completeness


def test_synthetic_cohort_conforms(cohort: Path) -> None:
    cases = sorted((cohort / "cases").glob("*.ttl"))
    report = validate_files_fast(cases, publications(cohort))
    reference = validate_files(cases, publications(cohort))
    assert report.conforms and reference.conforms
    assert masked(report.results) == masked(reference.results)
    assert report.completeness == reference.completeness


@pytest.mark.parametrize("index", range(len(BREAKS)), ids=[b[0] for b in BREAKS])
def test_broken_case_gives_the_same_results_as_pyshacl(cohort: Path, broken: list[Path],
                                                       index: int) -> None:
    case = broken[index]
    reference = validate_files([case], publications(cohort))
    fast = validate_files_fast([case], publications(cohort))
    assert reference.violations, "the break must make pySHACL report a violation"
    assert masked(fast.results) == masked(reference.results)
    assert fast.completeness == reference.completeness


def test_many_broken_cases_at_once_match_case_by_case(cohort: Path, broken: list[Path],
                                                      tmp_path: Path) -> None:
    """All breaks in one run over the union of the cases (the leaking ones set apart)."""
    folder = tmp_path / "all"
    folder.mkdir()
    for case in broken:  # one broken variant per case number: the first break of each
        target = folder / case.name
        if not target.exists():
            target.write_bytes(case.read_bytes())
    for case in sorted((cohort / "cases").glob("*.ttl")):
        if not (folder / case.name).exists():
            (folder / case.name).write_bytes(case.read_bytes())
    cases = sorted(folder.glob("*.ttl"))
    fast = validate_files_fast(cases, publications(cohort))
    reference = validate_files(cases, publications(cohort))
    assert len(reference.violations) > 10
    assert masked(fast.results) == masked(reference.results)
    assert fast.completeness == reference.completeness


def test_unreadable_files_are_reported_like_pyshacl(tmp_path: Path) -> None:
    empty, broken = tmp_path / "empty-c1.ttl", tmp_path / "broken-c1.ttl"
    empty.write_text("  \n")
    broken.write_text("<a> <b> .\n")
    fast = validate_files_fast([empty, broken, tmp_path / "missing-c1.ttl"])
    reference = validate_files([empty, broken, tmp_path / "missing-c1.ttl"])
    assert [str(e) for e in fast.errors] == [str(e) for e in reference.errors]
    assert fast.exit_code == 2


def test_unsupported_shape_feature_is_refused_when_compiling() -> None:
    shapes = Graph().parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <https://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:p ; sh:uniqueLang true ; sh:message "one per language" ] .
    """)
    with pytest.raises(InputError, match="sh:uniqueLang"):
        compile_shapes(shapes)


def test_property_shape_without_message_is_refused() -> None:
    shapes = Graph().parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <https://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .
    """)
    with pytest.raises(InputError, match="without sh:message"):
        compile_shapes(shapes)
