"""The shapes are standard SHACL: Apache Jena SHACL (Debian's ``libapache-jena-java``) gives
the same verdict as the project's validator on every shipped case, every publication and
every fixture of tests/data.

Jena sees one plain data graph per file, built from the files as written (Turtle read by
rdflib, no store in between that could rewrite a literal; a case sheet as the project
compiles it): the ontology, the publications (for a case) and the file itself. Jena's SHACL
runs in one JVM over every file (``JenaTools.java shacl``, Jena's ``ShaclValidator``, the
engine of its ``shacl`` command); the command itself is run too, on one file. The
project's verdict is the fast validator's, which tests/test_shacl_sparql.py holds equal to
pySHACL's; the two rules no plain data graph can express (a case file describes the case
named after it, and only its nodes: :mod:`kg.validation.ownership`) are added to Jena's.
A verdict is the set of (focus node, path, severity, shape) of the results about the file's
own nodes; Jena names a property shape by a blank node, so there the shape
is matched among the node shapes holding a property shape with that path.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, SH, BNode, Graph, URIRef

from kg.errors import KGError
from kg.namespaces import CASE, PUBLICATION
from kg.resources import case_files, ontology_files, publication_files, shape_files
from kg.sources.files import Source, parse_source
from kg.store.jena import jena_available, jena_tools_command, run_jena
from kg.validation.compiled import validate_files_fast
from kg.validation.ownership import ownership_results
from kg.validation.report import ValidationReport

pytestmark = [pytest.mark.java,
              pytest.mark.skipif(not jena_available() and not os.environ.get("CI"),
                                 reason="Apache Jena (libapache-jena-java) is not installed")]

DATA = Path(__file__).parent / "data"
UNREADABLE = {"broken-turtle", "empty", "binary-garbage"}
FIXTURES = sorted(p for p in [*DATA.glob("broken/*.ttl"), *DATA.glob("valid/*.ttl")]
                  if p.stem not in UNREADABLE and p.stem != "publication-statement-without-source")
PUBLICATION_FIXTURES = [DATA / "broken" / "publication-statement-without-source.ttl"]
#: every shipped case and publication, Turtle or sheet (a sheet as the project compiles it)
CASES = [*case_files(), *FIXTURES]
PUBLICATIONS = [*publication_files(), *PUBLICATION_FIXTURES]

Key = tuple[str, str | None, str, str]


def _ntriples(paths: list[Path]) -> str:
    """The files as N-Triples: Turtle as written; a sheet as the project compiles it."""
    graph, text = Graph(), ""
    for path in paths:
        if path.suffix == ".ttl":
            graph.parse(path, format="turtle")
        else:
            kind = Source.for_publication if path.parent.name == "publications" else Source.for_case
            quads = parse_source(kind(path))
            text += (ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES)
                     or b"").decode()
    return graph.serialize(format="nt") + text


@pytest.fixture(scope="module")
def shapes_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("jena") / "shapes.nt"
    path.write_text(_ntriples(shape_files()))
    return path


@pytest.fixture(scope="module")
def shapes_graph(shapes_file: Path) -> Graph:
    return Graph().parse(shapes_file, format="nt")


def _data_graphs(folder: Path) -> dict[Path, list[Path]]:
    """One data graph per file, as the N-Triples files whose union it is (the file's own
    last): the ontology, for a case the publications it names (as the project's validator
    gives a case those it cites), and the file itself."""
    ontology = folder / "ontology.nt"
    ontology.write_text(_ntriples(ontology_files()))
    graphs, publications = {}, {}
    for path in [*PUBLICATIONS, *CASES]:
        try:
            own = _ntriples([path])
        except KGError:  # a sheet the project cannot read: no data graph to give Jena
            continue
        data = folder / f"{path.parent.name}-{path.stem}.nt"
        data.write_text(own)
        if path in PUBLICATIONS:
            graphs[path] = [ontology, data]
            if path not in PUBLICATION_FIXTURES:  # the cases see the shipped ones only
                publications[Source.for_publication(path).graph] = data
            continue
        names = set(re.findall(f"<({re.escape(str(PUBLICATION))}[^>]*)>", own))
        cited = [pub for iri, pub in publications.items()
                 if iri in names or any(name.startswith(iri + "/") for name in names)]
        graphs[path] = [ontology, *cited, data]
    return graphs


def _jena_report(shapes: Path, data: Path) -> Graph:
    """Jena's ``shacl validate`` command on one data file."""
    done = run_jena("shacl.shacl", ["validate", "--shapes", str(shapes), "--data", str(data)])
    return Graph().parse(data=done.stdout, format="turtle")


@pytest.fixture(scope="module")
def jena_reports(tmp_path_factory: pytest.TempPathFactory,
                 shapes_file: Path) -> dict[Path, Graph]:
    """Jena's report for every file, all in one JVM (which reads the ontology and the
    publications once)."""
    graphs = _data_graphs(tmp_path_factory.mktemp("jena-data"))
    out = tmp_path_factory.mktemp("jena-reports")
    arguments = [os.pathsep.join(map(str, files)) for files in graphs.values()]
    subprocess.run(jena_tools_command(["shacl", str(shapes_file), str(out), *arguments]),
                   check=True, timeout=600, stdin=subprocess.DEVNULL, capture_output=True)
    return {path: Graph().parse(out / f"{files[-1].name}.report.nt", format="nt")
            for path, files in graphs.items()}


@pytest.fixture(scope="module")
def project_report() -> ValidationReport:
    """The project's validator on the same files: cases beside the shipped publications,
    the publication fixture on its own."""
    report = validate_files_fast([*CASES], publications=PUBLICATIONS[:-1])
    alone = validate_files_fast([], publications=PUBLICATION_FIXTURES)
    report.results += alone.results
    report.errors += alone.errors
    return report


def _own_nodes(path: Path) -> set[str]:
    """The file's nodes as the project's validator counts them: its subjects and the IRIs
    of its own namespace that it mentions."""
    graph = Graph().parse(data=_ntriples([path]), format="nt")
    namespace = str(CASE if path in CASES else PUBLICATION) + path.stem + "/"
    return ({str(s) for s in graph.subjects() if isinstance(s, URIRef)}
            | {str(o) for o in graph.objects() if str(o).startswith(namespace)})


def _owners(shapes: Graph) -> dict[str, set[str]]:
    """Path → node shapes holding a property shape with that path."""
    owners: dict[str, set[str]] = {}
    for shape, prop in shapes.subject_objects(SH.property):
        path = shapes.value(prop, SH.path)
        if isinstance(shape, URIRef) and isinstance(path, URIRef):
            owners.setdefault(str(path), set()).add(str(shape))
    return owners


def _describe(report: Graph, node: object) -> str:
    """A node named as the project names it: a blank node by the triple leading to it."""
    if not isinstance(node, BNode):
        return str(node)
    for subject, predicate in sorted(report.subject_predicates(node), key=str):
        if not str(predicate).startswith(str(SH)) and subject != node:
            start = _describe(report, subject) if isinstance(subject, BNode) else f"<{subject}>"
            return f"{start} <{predicate}> []"
    return "[]"


def _jena_verdict(report: Graph, own: set[str],
                  owners: dict[str, set[str]]) -> Iterator[tuple[Key, set[str]]]:
    """Each result on an own node: its key (shape left blank) and the shapes it may be."""
    severity_names = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = _describe(report, report.value(result, SH.focusNode))
        if focus.split(" ")[0].strip("<>") not in own:
            continue
        path = report.value(result, SH.resultPath)
        source = report.value(result, SH.sourceShape)
        severity = severity_names[report.value(result, SH.resultSeverity)]
        path_text = str(path) if isinstance(path, URIRef) else None
        if isinstance(source, BNode):
            candidates = owners.get(path_text or "", set())
        else:
            candidates = {str(source)}
        yield (focus, path_text, severity, ""), candidates


@pytest.mark.parametrize("path", [*CASES, *PUBLICATIONS],
                         ids=[f"{p.parent.name}/{p.stem}" for p in [*CASES, *PUBLICATIONS]])
def test_jena_shacl_gives_the_project_verdict(path: Path, jena_reports: dict[Path, Graph],
                                             project_report: ValidationReport,
                                             shapes_graph: Graph) -> None:
    if path not in jena_reports:  # unreadable: the project refuses it too
        assert any(e.file == str(path) for e in project_report.errors), path
        return
    ours = {(r.focus, r.path, r.severity, r.shape) for r in project_report.results
            if r.file == str(path)}
    jena = list(_jena_verdict(jena_reports[path], _own_nodes(path), _owners(shapes_graph)))
    source = Source.for_case(path) if path in CASES else Source.for_publication(path)
    jena += [((r.focus, r.path, r.severity, ""), {r.shape})
             for r in ownership_results(source, parse_source(source))]
    assert {k[:3] for k, _ in jena} == {k[:3] for k in ours}
    for (focus, p, severity, _), candidates in jena:
        assert any(k[:3] == (focus, p, severity) and k[3] in candidates for k in ours), (
            focus, p, severity, candidates)
    if path.parent.name == "broken":
        assert ours, "a broken fixture must break a check"
    else:
        assert not any(k[2] == "Violation" for k in ours)


def test_shipped_files_conform_in_jena_without_warnings_on_datatypes(
        jena_reports: dict[Path, Graph]) -> None:
    """The datatype checks pass as written: no file relies on a store rewriting its integers."""
    for path in [*CASES, *PUBLICATIONS]:
        if path.parent.name not in ("cases", "publications"):
            continue
        report = jena_reports[path]
        failed = [str(report.value(r, SH.resultMessage))
                  for r in report.subjects(SH.sourceConstraintComponent,
                                           SH.DatatypeConstraintComponent)]
        assert failed == [], path


def test_jena_shacl_command_refuses_a_subtype_integer(tmp_path: Path, shapes_file: Path) -> None:
    """Jena's own ``shacl validate`` command: an integer written as xsd:positiveInteger is
    refused by the shape (xsd:integer asked), as SHACL compares datatype IRIs; so the files
    say xsd:integer."""
    case = DATA / "valid" / "minimal.ttl"
    text = case.read_text().replace('vlms:caseNumberInSource "1"^^xsd:integer',
                                    'vlms:caseNumberInSource "1"^^xsd:positiveInteger')
    assert "positiveInteger" in text
    changed = tmp_path / case.name
    changed.write_text(text)
    data = tmp_path / "data.nt"
    data.write_text(_ntriples([*ontology_files(), *publication_files(), changed]))
    report = _jena_report(shapes_file, data)
    paths = {str(report.value(r, SH.resultPath)) for r in
             report.subjects(SH.sourceConstraintComponent, SH.DatatypeConstraintComponent)}
    assert paths == {"https://w3id.org/vlmskg/vocab/caseNumberInSource"}


@pytest.mark.parametrize("stem", ["binary-garbage", "broken-turtle"])
def test_unreadable_fixtures_are_refused_by_jena_too(stem: str, tmp_path: Path,
                                                     shapes_file: Path) -> None:
    with pytest.raises(KGError, match="shacl.shacl exited"):
        run_jena("shacl.shacl", ["validate", "--shapes", str(shapes_file), "--data",
                                 str(DATA / "broken" / f"{stem}.ttl")])
