"""``vlmskg build``: the files it writes, their VoID description, reproducibility, failure
without partial output, and the integrity of the source files it reads."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import resources
from kg.building.pipeline import (
    OUTPUT_FILES,
    BuildResult,
    build_dataset,
    serialize_outputs,
    write_outputs,
)
from kg.cli import main
from kg.errors import BuildError
from kg.namespaces import (
    BASE,
    CASE,
    INFERRED_GRAPH,
    ONTOLOGY_GRAPH,
    QUERIES_GRAPH,
    SHAPES_GRAPH,
    VLMS,
    VOID_GRAPH,
    case_iri,
    publication_iri,
)
from kg.sources.files import Source, parse_source
from kg.synth import write_cohort
from tests.fixtures.graph import select

ROOT = Path(__file__).resolve().parent.parent
_DATA = Path(__file__).resolve().parents[1] / "data"
#: every case and publication file of data/ (Turtle or sheet), as a curator sees the folder
CASES = tuple(sorted(p.stem for p in (_DATA / "cases").iterdir()
                     if p.suffix in (".ttl", ".yaml")))
PUBLICATIONS = tuple(sorted(p.stem for p in (_DATA / "publications").iterdir()
                            if p.suffix in (".ttl", ".yaml")))
SEEDS = ("lms-femoral-vein-c1", "lms-ivc-two-cases-c1", "lms-ivc-two-cases-c2")
EXPECTED_GRAPHS = {str(g) for g in (ONTOLOGY_GRAPH, SHAPES_GRAPH, INFERRED_GRAPH, QUERIES_GRAPH,
                                    VOID_GRAPH)} | {str(case_iri(c)) for c in CASES} | {
                                        str(publication_iri(p)) for p in PUBLICATIONS}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# W3C vocabularies: not "external terms" in the sense of ontology/external-terms.tsv
W3C = ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#",
       "http://www.w3.org/2002/07/owl#", "http://www.w3.org/2001/XMLSchema#",
       "http://www.w3.org/2004/02/skos/core#", "http://purl.org/dc/terms/")


@pytest.fixture(scope="module")
def written(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    write_outputs(built, out)
    return out


def parsed(path: Path) -> set[ox.Quad]:
    return set(ox.parse(path=path))


def void_value(store: ox.Store, subject: str, prop: str) -> str:
    rows = select(store, f"SELECT ?v WHERE {{ GRAPH <{VOID_GRAPH}> {{ <{subject}> {prop} ?v }} }}")
    assert len(rows) == 1, f"expected one {prop} of {subject}"
    return rows[0]["v"]


def test_build_writes_the_three_files(written: Path) -> None:
    assert sorted(p.name for p in written.iterdir()) == sorted(OUTPUT_FILES)


@pytest.mark.parametrize("name", ["vlms-kg.trig", "vlms-kg.nq"])
def test_dataset_files_hold_every_named_graph(built: BuildResult, written: Path,
                                              name: str) -> None:
    quads = parsed(written / name)
    assert {q.graph_name.value for q in quads} == EXPECTED_GRAPHS
    assert quads == set(built.store)


def test_void_file_is_the_void_graph(built: BuildResult, written: Path) -> None:
    in_store = {q.triple for q in built.store.quads_for_pattern(None, None, None,
                                                                ox.NamedNode(str(VOID_GRAPH)))}
    assert {q.triple for q in ox.parse(path=written / "void.ttl")} == in_store


def test_void_counts_every_graph(built: BuildResult) -> None:
    rows = select(built.store, f"""SELECT ?graph ?triples WHERE {{ GRAPH <{VOID_GRAPH}> {{
        ?dataset void:subset ?subset . ?subset sd:name ?graph ; void:triples ?triples }} }}""")
    assert {r["graph"]: int(r["triples"]) for r in rows} == built.graph_sizes()


def test_void_counts_the_whole_dataset(built: BuildResult) -> None:
    dataset = BASE + "dataset"
    subjects = select(built.store, "SELECT (COUNT(DISTINCT ?s) AS ?n) { GRAPH ?g { ?s ?p ?o } }")
    assert int(void_value(built.store, dataset, "void:triples")) == len(built.store)
    assert int(void_value(built.store, dataset, "void:distinctSubjects")) == int(subjects[0]["n"])


def test_void_counts_the_cases(built: BuildResult) -> None:
    rows = select(built.store, f"""SELECT ?n WHERE {{ GRAPH <{VOID_GRAPH}> {{
        ?dataset void:classPartition [ void:class vlms:Case ; void:entities ?n ] }} }}""")
    assert [int(r["n"]) for r in rows] == [len(CASES)]


@pytest.mark.parametrize("case", CASES)
def test_void_gives_each_case_its_completeness(built: BuildResult, case: str) -> None:
    rows = select(built.store, f"""SELECT ?score WHERE {{ GRAPH <{VOID_GRAPH}> {{
        ?subset sd:name <{case_iri(case)}> ; vlms:completeness ?score }} }}""")
    score = Decimal(rows[0]["score"])
    assert len(rows) == 1 and 0 <= score <= 1
    assert score == Decimal(str(built.completeness[case])).quantize(Decimal("0.001"))


def test_void_describes_licence_and_distributions(built: BuildResult) -> None:
    dataset = BASE + "dataset"
    assert void_value(built.store, dataset, "dcterms:license") == (
        "https://creativecommons.org/licenses/by/4.0/")
    rows = select(built.store, f"""SELECT ?title ?type WHERE {{ GRAPH <{VOID_GRAPH}> {{
        <{dataset}> a dcat:Dataset ; dcat:distribution ?d .
        ?d dcterms:title ?title ; dcat:mediaType ?type }} }}""")
    assert {r["title"]: r["type"].rsplit("/", 2)[-2:] for r in rows} == {
        "vlms-kg.trig": ["application", "trig"], "vlms-kg.nq": ["application", "n-quads"]}


def test_the_build_has_no_timestamps(written: Path) -> None:
    text = (written / "vlms-kg.nq").read_text(encoding="utf-8")
    assert "XMLSchema#dateTime" not in text and "XMLSchema#date>" not in text


@pytest.mark.slow
def test_python_m_kg_build_is_reproducible(written: Path, tmp_path: Path) -> None:
    # a child process with a hash seed of its own writes what this process's build wrote
    seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    build = subprocess.run([sys.executable, "-m", "kg", "build", "--out", str(tmp_path)],
                           capture_output=True, text=True, timeout=900,
                           env={**os.environ, "PYTHONHASHSEED": seed})
    assert build.returncode == 0, build.stderr
    assert "HermiT: consistent" in build.stdout
    for name in OUTPUT_FILES:
        assert (tmp_path / name).read_bytes() == (written / name).read_bytes(), name


@pytest.fixture
def case_copy(tmp_path: Path) -> Path:
    """A copy of the three shipped Turtle cases (the reports these tests quote)."""
    return _turtle_cases(tmp_path / "cases")


def _turtle_cases(folder: Path) -> Path:
    folder.mkdir()
    for path in resources.case_files():
        if path.suffix == ".ttl":
            shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture
def previous_outputs(tmp_path: Path) -> Path:
    out = tmp_path / "dist"
    out.mkdir()
    for name in OUTPUT_FILES:
        (out / name).write_bytes(b"previous build\n")
    return out


def assert_untouched(out: Path) -> None:
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)  # no staging left
    assert all((out / name).read_bytes() == b"previous build\n" for name in OUTPUT_FILES)


def test_broken_case_leaves_previous_outputs_untouched(case_copy: Path, previous_outputs: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    broken = case_copy / "lms-ivc-two-cases-c2.ttl"
    broken.write_text(broken.read_text(encoding="utf-8") + "\n:oops vlms:ageYears .\n",
                      encoding="utf-8")
    code = main(["build", "--cases", str(case_copy), "--out", str(previous_outputs)])
    assert code == 2
    assert str(broken) in capsys.readouterr().err
    assert_untouched(previous_outputs)


def test_broken_case_creates_no_output(case_copy: Path, tmp_path: Path) -> None:
    (case_copy / "lms-femoral-vein-c1.ttl").write_bytes(b"\x00\xff binary")
    out = tmp_path / "never"
    assert main(["build", "--cases", str(case_copy), "--out", str(out)]) == 2
    assert not out.exists()


def test_case_violating_the_shapes_fails_the_build(case_copy: Path, previous_outputs: Path) -> None:
    case = case_copy / "lms-femoral-vein-c1.ttl"
    text = case.read_text(encoding="utf-8")
    assert '"72"^^xsd:integer' in text
    case.write_text(text.replace('"72"^^xsd:integer', '"172"^^xsd:integer'), encoding="utf-8")
    assert main(["build", "--cases", str(case_copy), "--out", str(previous_outputs)]) == 1
    assert_untouched(previous_outputs)


def test_empty_cases_folder_is_an_input_error(tmp_path: Path) -> None:
    assert main(["build", "--cases", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out").exists()


def test_output_path_that_is_a_file_is_a_build_error(built: BuildResult, tmp_path: Path) -> None:
    blocker = tmp_path / "dist"
    blocker.write_text("not a folder")
    with pytest.raises(BuildError, match="--out"):
        write_outputs(built, blocker)
    assert blocker.read_text() == "not a folder"


def test_build_of_chosen_cases_without_reasoner(case_copy: Path) -> None:
    result = build_dataset([case_copy / "lms-ivc-two-cases-c1.ttl"], reason=False)
    assert result.case_ids == ("lms-ivc-two-cases-c1",)
    assert str(INFERRED_GRAPH) not in result.graph_sizes()
    assert not result.reasoned
    rows = select(result.store,
                  "SELECT ?n { GRAPH ?g { ?d void:classPartition/void:entities ?n } }")
    assert [int(r["n"]) for r in rows] == [1]


# --- the sources the build reads ---------------------------------------------------------

DATA_FILES = [Source.for_case(p) for p in resources.case_files()] + [
    Source.for_publication(p) for p in resources.publication_files()]
DECLARATIONS = {"http://www.w3.org/2002/07/owl#" + k for k in (
    "Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty", "NamedIndividual")}


def test_the_shipped_data_files_are_all_there() -> None:
    assert sorted(s.path.stem for s in DATA_FILES) == sorted(CASES + PUBLICATIONS)
    assert set(SEEDS) <= set(CASES) and len(CASES) >= 60 and len(PUBLICATIONS) >= 76


def terms_used(source: Source) -> set[str]:
    """Predicates and IRI objects of a data file that are vocabulary, not the file's own nodes."""
    own = (f"{BASE}case/", f"{BASE}publication/")
    terms = set()
    for quad in parse_source(source):
        terms.add(quad.predicate.value)
        if isinstance(quad.object, ox.NamedNode) and not quad.object.value.startswith(own):
            terms.add(quad.object.value)
    return terms - {RDF_TYPE}


@pytest.mark.parametrize("source", DATA_FILES, ids=lambda s: s.path.name)
def test_every_term_used_in_data_is_declared_in_the_ontology(built: BuildResult,
                                                             source: Source) -> None:
    ontology = ox.NamedNode(str(ONTOLOGY_GRAPH))
    declared = {q.subject.value for q in built.store.quads_for_pattern(
        None, ox.NamedNode(RDF_TYPE), None, ontology) if q.object.value in DECLARATIONS}
    undeclared = sorted(terms_used(source) - declared)
    assert not undeclared, (f"{source.path.name} uses terms the ontology does not declare: "
                            f"{undeclared}; declare them in ontology/*.ttl "
                            "with a label and a definition")


def listed_external_iris() -> set[str]:
    with (resources.ontology_dir() / "external-terms.tsv").open(encoding="utf-8") as handle:
        return {row["iri"] for row in csv.DictReader(handle, delimiter="\t")}


@pytest.mark.parametrize("source", DATA_FILES, ids=lambda s: s.path.name)
def test_every_external_iri_in_data_is_listed(source: Source) -> None:
    iris = {term.value for quad in parse_source(source)
            for term in (quad.subject, quad.predicate, quad.object)
            if isinstance(term, ox.NamedNode)}
    external = {i for i in iris if not i.startswith(BASE) and not i.startswith(W3C)}
    missing = sorted(external - listed_external_iris())
    assert not missing, (f"{source.path.name} uses external IRIs not in "
                         f"ontology/external-terms.tsv: {missing}; verify each and add a row")


# --- the newcomer's commands ----------------------------------------------------------------

def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = [line for line in ci.splitlines() if line and not line.startswith("#")][-1]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"^{re.escape(command)}$", readme, re.MULTILINE), command
    assert "python -m pytest" in command


def test_readme_gives_the_build_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"^python3 -m venv \.venv && \.venv/bin/pip install -e \. && "
                     r"\.venv/bin/vlmskg build$", readme, re.MULTILINE)


def test_build_into_a_store_redoes_only_the_changed_case(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    cases = _turtle_cases(tmp_path / "cases")
    store = tmp_path / "store"
    assert main(["build", "--store", str(store), "--cases", str(cases), "--skip-reasoner"]) == 0
    assert "full build" in capsys.readouterr().out
    ivc2 = cases / "lms-ivc-two-cases-c2.ttl"
    ivc2.write_text(ivc2.read_text().replace('ageYears "65"', 'ageYears "66"'))
    assert main(["build", "--store", str(store), "--cases", str(cases), "--skip-reasoner"]) == 0
    assert ("incremental update of " + str(store) + ": 1 file(s) parsed, 1 validated"
            in capsys.readouterr().out)
    assert main(["query", "cohort", "--store", str(store), "--format", "csv"]) == 0
    ages = {row["caseId"]: row["age"]
            for row in csv.DictReader(capsys.readouterr().out.splitlines())}
    assert ages == {"lms-femoral-vein-c1": "72", "lms-ivc-two-cases-c1": "60",
                    "lms-ivc-two-cases-c2": "66"}


def test_publications_folder_without_files_is_refused(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--publications", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "no publication files (*.ttl) in this folder" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# --- the fast build: compiled shapes and the materialiser instead of pySHACL and HermiT -------


@pytest.fixture(scope="module")
def built_fast() -> BuildResult:
    return build_dataset(fast=True)


def test_fast_build_writes_the_same_files_as_pyshacl_and_hermit(built: BuildResult,
                                                                built_fast: BuildResult) -> None:
    assert serialize_outputs(built_fast) == serialize_outputs(built)
    assert built_fast.fast and not built_fast.reasoned


def test_fast_build_infers_the_vessel_of_each_tumour(built_fast: BuildResult) -> None:
    # the reports: two tumours of the inferior vena cava, one of the femoral vein
    rows = select(built_fast.store, f"""SELECT ?case ?class WHERE {{
        GRAPH ?case {{ ?case <{VLMS.hasTumour}> ?tumour }}
        GRAPH <{INFERRED_GRAPH}> {{ ?tumour a ?class }}
        FILTER(?class IN (<{VLMS.InferiorVenaCavaLeiomyosarcoma}>,
                          <{VLMS.FemoralVeinLeiomyosarcoma}>)) }}""")
    assert {(r["case"].removeprefix(str(CASE)), r["class"].removeprefix(str(VLMS)))
            for r in rows if r["case"].removeprefix(str(CASE)) in SEEDS} == {
                               ("lms-ivc-two-cases-c1", "InferiorVenaCavaLeiomyosarcoma"),
                               ("lms-ivc-two-cases-c2", "InferiorVenaCavaLeiomyosarcoma"),
                               ("lms-femoral-vein-c1", "FemoralVeinLeiomyosarcoma")}


def test_fast_build_refuses_a_case_violating_the_shapes(case_copy: Path, previous_outputs: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    case = case_copy / "lms-femoral-vein-c1.ttl"
    case.write_text(case.read_text(encoding="utf-8").replace('"72"^^xsd:integer',
                                                             '"172"^^xsd:integer'),
                    encoding="utf-8")
    assert main(["build", "--fast", "--cases", str(case_copy),
                 "--out", str(previous_outputs)]) == 1
    assert "lms-femoral-vein-c1" in capsys.readouterr().err
    assert_untouched(previous_outputs)


def test_fast_build_of_a_synthetic_cohort_with_its_publication(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_cohort(tmp_path / "cohort", 20, 3)
    out = tmp_path / "dist"
    assert main(["build", "--fast", "--cases", str(tmp_path / "cohort" / "cases"),
                 "--publications", str(tmp_path / "cohort" / "publications"),
                 "--out", str(out)]) == 0
    assert "cases: 20" in capsys.readouterr().out
    store = ox.Store()
    store.load(path=out / "vlms-kg.nq", format=ox.RdfFormat.N_QUADS)
    rows = select(store, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE "
                         f"{{ GRAPH ?c {{ ?c a <{VLMS.SyntheticCase}> }} }}")
    assert int(rows[0]["n"]) == 20
