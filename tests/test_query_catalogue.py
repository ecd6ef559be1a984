"""The stored-query catalogue: every .rq file parses, its header matches its query, the
catalogue exports as SIB-style Turtle, and names and parameters are checked.

These tests need no built graph: they read ``queries/`` and small files written here.
"""

from __future__ import annotations

import re
import textwrap
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH
from rdflib.plugins.sparql import prepareQuery

from kg.cli import main
from kg.commands.query import format_rows, parse_params
from kg.errors import InputError, ParameterError, UnknownQueryError
from kg.queries.catalogue import (
    QUERY,
    SCHEMA,
    Parameter,
    StoredQuery,
    export_catalogue,
    get_query,
    list_queries,
    load_catalogue,
    parse_query_file,
)
from kg.queries.run import LINE_SEPARATOR, bind_parameters, row_type, sorted_items, to_python
from kg.resources import query_files
from kg.store.sparql import query_variables

XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # rdflib's XSD upsets doctest collection
QUERY_FILES = query_files()
QUERY_NAMES = [p.stem for p in QUERY_FILES]

REQUIRED = {
    "cohort", "cases-involving-structure", "initial-misdiagnosis",
    "immunohistochemistry-profile", "immunohistochemistry-by-case", "vessel-management",
    "time-to-event", "metastasis-sites", "systemic-and-radiation-therapy",
    "perioperative-figures", "malignancy-criterion", "presenting-symptoms", "imaging-by-case",
    "provenance-of-fact", "literature-statements", "undeclared-term-violation",
    "metastasis-at-primary-site-violation", "event-order-violation",
    "case-without-source-violation",
}


def write_query(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.rq"
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def test_the_catalogue_answers_every_clinical_question_of_the_brief():
    assert set(QUERY_NAMES) >= REQUIRED
    assert [q.name for q in list_queries()] == sorted(QUERY_NAMES)


@pytest.mark.parametrize("path", QUERY_FILES, ids=QUERY_NAMES)
def test_query_parses_with_rdflib_and_oxigraph(path: Path):
    text = path.read_text(encoding="utf-8")
    assert prepareQuery(text).algebra.name == "SelectQuery"
    # oxigraph parses the same text (an empty store answers with no rows)
    assert list(ox.Store().query(text, use_default_graph_as_union=True)) == []


@pytest.mark.parametrize("path", QUERY_FILES, ids=QUERY_NAMES)
def test_header_has_summary_description_and_tags(path: Path):
    query = parse_query_file(path)
    assert query.summary and query.description and query.tags
    assert query.name == path.stem
    assert query.iri == URIRef(f"https://w3id.org/vlmskg/query/{path.stem}")


@pytest.mark.parametrize("path", QUERY_FILES, ids=QUERY_NAMES)
def test_declared_parameters_are_exactly_the_parameter_variables(path: Path):
    query = parse_query_file(path)
    used = {v for v in query_variables(query.sparql) if v.startswith("_")}
    assert used == {p.variable for p in query.params}
    assert not {p.variable for p in query.params} & set(query.variables)
    for param in query.params:
        assert param.description, f"{query.name}: describe parameter {param.name}"


@pytest.mark.parametrize("path", QUERY_FILES, ids=QUERY_NAMES)
def test_result_variables_are_python_identifiers(path: Path):
    query = parse_query_file(path)
    assert query.variables and all(v.isidentifier() for v in query.variables)
    assert row_type(query)._fields == query.variables


@pytest.mark.parametrize("path", [p for p in QUERY_FILES if p.stem.endswith("-violation")],
                         ids=[n for n in QUERY_NAMES if n.endswith("-violation")])
def test_quality_checks_are_tagged_and_say_they_must_return_nothing(path: Path):
    query = parse_query_file(path)
    assert "quality-check" in query.tags
    assert "must return no rows" in query.summary


def test_header_lists_and_multi_line_fields_are_read(tmp_path: Path):
    path = write_query(tmp_path, "ages", """
        #+ summary: Patients of a given age
        #+ description: One row per patient
        #+   whose age is the parameter.
        #+ tags:
        #+   - cohort
        #+   - "demographics"
        #+ lists:
        #+   - patient
        #+ params:
        #+   - name: years
        #+     type: integer
        #+     default: 60
        #+     description: age in
        #+       whole years
        SELECT ?patient WHERE { ?patient <https://w3id.org/vlmskg/vocab/ageYears> ?_years }
        """)
    query = parse_query_file(path)
    assert query.description == "One row per patient whose age is the parameter."
    assert query.tags == ("cohort", "demographics")
    assert query.params == (Parameter("years", "integer", "60", "age in whole years"),)
    assert query.variables == ("patient",)
    assert query.lists == ("patient",)


def test_a_list_must_be_a_result_variable(tmp_path: Path):
    path = write_query(tmp_path, "bad", """
        #+ summary: lists a variable it does not project
        #+ lists:
        #+   - sites
        SELECT ?p WHERE { ?p ?q ?o }
        """)
    with pytest.raises(InputError, match="lists sites are not result variables") as caught:
        parse_query_file(path)
    assert caught.value.file == str(path)


def _joined(query: StoredQuery, separator: str) -> set[str]:
    """The variables GROUP_CONCAT makes with ``separator``."""
    return set(re.findall(rf'GROUP_CONCAT\((?:DISTINCT )?[^;]+; SEPARATOR="{separator}"\) AS '
                          rf'\?(\w+)', query.sparql))


def test_every_group_concat_result_is_sorted_by_the_client():
    """A ``"; "``-joined result (also under another name) is declared under ``lists`` and a
    line-joined one (free text, which may hold "; " itself) under ``lines``, so that
    run_query sorts their items."""
    free_text = {("provenance-of-fact", "sourceLocation"), ("provenance-of-fact", "curationNote"),
                 ("literature-statements", "sourceLocation")}
    for query in load_catalogue().values():
        listed = _joined(query, "; ")
        assert listed & set(query.variables) <= set(query.lists), query.name
        assert bool(listed) == bool(query.lists), query.name
        assert _joined(query, r"\\n") == set(query.lines), query.name
        assert {(query.name, v) for v in query.lines} == {
            (name, v) for name, v in free_text if name == query.name}


def test_header_lines_are_read_and_sorted_by_the_client(tmp_path: Path):
    path = write_query(tmp_path, "notes", """
        #+ summary: Notes of a node
        #+ lines:
        #+   - notes
        SELECT (GROUP_CONCAT(?n; SEPARATOR="\\n") AS ?notes) WHERE { ?s ?p ?n }
        """)
    query = parse_query_file(path)
    assert (query.lines, query.lists) == (("notes",), ())
    assert sorted_items("p. 2; Fig. 1\nabstract", LINE_SEPARATOR) == "abstract\np. 2; Fig. 1"


def test_undeclared_parameter_variable_is_refused(tmp_path: Path):
    path = write_query(tmp_path, "bad", """
        #+ summary: uses ?_age without declaring it
        SELECT ?p WHERE { ?p ?q ?_age }
        """)
    with pytest.raises(InputError, match=r"\?_age look like parameters but are not declared"):
        parse_query_file(path)


def test_declared_but_unused_parameter_is_refused(tmp_path: Path):
    path = write_query(tmp_path, "bad", """
        #+ summary: declares a parameter it never uses
        #+ params:
        #+   - name: age
        #+     type: integer
        #+     description: age
        SELECT ?p WHERE { ?p ?q ?o }
        """)
    with pytest.raises(InputError, match="declared parameters age are not used"):
        parse_query_file(path)


def test_broken_header_line_is_reported_with_file_and_line(tmp_path: Path):
    path = write_query(tmp_path, "bad", """
        #+ summary: fine
        #+ sumary: misspelt
        SELECT ?p WHERE { ?p ?q ?o }
        """)
    with pytest.raises(InputError) as caught:
        parse_query_file(path)
    assert caught.value.file == str(path) and caught.value.line == 2
    assert "sumary" in str(caught.value)


@pytest.mark.parametrize("text, message", [
    ("SELECT ?p WHERE { ?p ?q ?o }\n", "no summary"),
    ("#+ summary: x\nSELECT ?p WHERE { ?p ?q \n", "broken SPARQL"),
    ("#+ summary: x\nASK { ?p ?q ?o }\n", "must be a SELECT"),
    ("#+ summary: x\n#+ params:\n#+   - name: n\n#+     type: date\n"
     "#+     description: d\nSELECT ?p WHERE { ?p ?q ?_n }\n", "unknown type 'date'"),
])
def test_malformed_query_files_are_refused(tmp_path: Path, text: str, message: str):
    path = tmp_path / "bad.rq"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        parse_query_file(path)


def test_catalogue_of_another_folder(tmp_path: Path):
    write_query(tmp_path, "one", "#+ summary: s\nSELECT ?s WHERE { ?s ?p ?o }\n")
    assert list(load_catalogue(tmp_path)) == ["one"]
    assert get_query("one", tmp_path).summary == "s"


def test_unknown_query_name_lists_the_names():
    with pytest.raises(UnknownQueryError) as caught:
        get_query("cohorts")
    assert "cohorts" in str(caught.value)
    for name in ("cohort", "time-to-event", "provenance-of-fact"):
        assert name in caught.value.hint


def test_unknown_parameter_lists_the_parameters():
    with pytest.raises(ParameterError) as caught:
        bind_parameters(get_query("cases-involving-structure"), {"site": "lung"})
    assert "'site'" in str(caught.value) and "structure" in caught.value.hint
    with pytest.raises(ParameterError, match="has no parameter"):
        bind_parameters(get_query("cohort"), {"structure": "lung"})


def test_missing_required_parameter_says_how_to_give_it():
    with pytest.raises(ParameterError) as caught:
        bind_parameters(get_query("provenance-of-fact"), {})
    assert "needs the parameter 'node'" in str(caught.value)
    assert "--param node=" in caught.value.hint


def test_defaults_are_bound_as_literals():
    assert bind_parameters(get_query("cases-involving-structure"), {}) == {
        "_structure": Literal("inferior vena cava")}
    assert bind_parameters(get_query("literature-statements"), {}) == {"_about": Literal("")}


@pytest.mark.parametrize("iri", [
    "https://w3id.org/vlmskg/case/x y",
    "http://x/> } ; DROP ALL ; <",
    "<https://w3id.org/vlmskg/case/x>",
    "lms-ivc-two-cases-c1",
])
def test_iri_parameter_with_forbidden_characters_is_refused(iri: str):
    with pytest.raises(ParameterError, match="parameter 'node'"):
        bind_parameters(get_query("provenance-of-fact"), {"node": iri})


def test_hostile_string_is_bound_as_one_literal_not_as_text():
    hostile = 'x" } ; DROP ALL ; #'
    bound = bind_parameters(get_query("cases-involving-structure"), {"structure": hostile})
    assert bound == {"_structure": Literal(hostile)}


def _typed(kind: str) -> StoredQuery:
    return StoredQuery(name="typed", path=Path("typed.rq"), summary="s", description="",
                       sparql="", variables=("x",), params=(Parameter("v", kind),))


@pytest.mark.parametrize("kind, value, term", [
    ("integer", "12", Literal(12, datatype=XSD.integer)),
    ("integer", 7, Literal(7, datatype=XSD.integer)),
    ("decimal", "2.5", Literal("2.5", datatype=XSD.decimal)),
    ("boolean", "true", Literal(True)),
    ("boolean", False, Literal(False)),
    ("iri", "https://w3id.org/vlmskg/case/x", URIRef("https://w3id.org/vlmskg/case/x")),
    ("string", "lung", Literal("lung")),
])
def test_parameter_values_become_terms_of_their_declared_type(kind, value, term):
    bound = bind_parameters(_typed(kind), {"v": value})["_v"]
    assert bound == term and type(bound) is type(term)
    assert getattr(bound, "datatype", None) == getattr(term, "datatype", None)


@pytest.mark.parametrize("kind, value", [
    ("integer", "12 OR 1=1"), ("integer", "1.5"), ("decimal", "five"), ("boolean", "yes"),
])
def test_parameter_values_of_the_wrong_form_are_refused(kind, value):
    with pytest.raises(ParameterError, match="must be"):
        bind_parameters(_typed(kind), {"v": value})


@pytest.mark.parametrize("term, value", [
    (Literal("72", datatype=XSD.integer), 72),
    (Literal("1", datatype=XSD.positiveInteger), 1),
    (Literal("4.0", datatype=XSD.decimal), Decimal("4.0")),
    (Literal("1.5e0", datatype=XSD.double), 1.5),
    (Literal("true", datatype=XSD.boolean), True),
    (Literal("left", lang="en"), "left"),
    (URIRef("https://w3id.org/vlmskg/vocab/R0"), "https://w3id.org/vlmskg/vocab/R0"),
    (None, None),
])
def test_terms_become_python_values(term, value):
    converted = to_python(term)
    assert converted == value and type(converted) is type(value)


def test_export_is_sib_style_turtle_with_one_executable_per_query():
    graph = Graph().parse(data=export_catalogue(), format="turtle")
    nodes = set(graph.subjects(RDF.type, SH.SPARQLSelectExecutable))
    assert nodes == {QUERY[name] for name in QUERY_NAMES}
    for query in list_queries():
        node = query.iri
        assert (node, RDF.type, SH.SPARQLExecutable) in graph
        assert graph.value(node, RDFS.label) == Literal(query.summary, lang="en")
        assert str(graph.value(node, RDFS.comment)).startswith(query.description)
        select = str(graph.value(node, SH.select))
        assert select == query.body and "#+" not in select
        assert prepareQuery(select).algebra.name == "SelectQuery"
        assert {str(k) for k in graph.objects(node, SCHEMA.keywords)} == set(query.tags)


def test_export_describes_parameters_in_the_comment():
    graph = Graph().parse(data=export_catalogue(), format="turtle")
    comment = str(graph.value(QUERY["cases-involving-structure"], RDFS.comment))
    assert "structure (string, default 'inferior vena cava')" in comment


def test_params_from_the_command_line():
    assert parse_params(["structure=right atrium", "about=a=b"]) == {
        "structure": "right atrium", "about": "a=b"}
    with pytest.raises(ParameterError, match="given twice"):
        parse_params(["about=x", "about=y"])
    with pytest.raises(ParameterError, match="has no value"):
        parse_params(["=x"])


def test_rows_as_csv_tsv_and_json():
    rows = [("lms-ivc-two-cases-c1", 60, True), ("lms-femoral-vein-c1", None, False)]
    assert format_rows(["case", "age", "event"], rows, "csv") == (
        "case,age,event\nlms-ivc-two-cases-c1,60,true\nlms-femoral-vein-c1,,false\n")
    assert format_rows(["case", "age", "event"], rows, "tsv").splitlines()[1] == (
        "lms-ivc-two-cases-c1\t60\ttrue")
    assert '"age": null' in format_rows(["case", "age", "event"], rows, "json")


# --- the command line ------------------------------------------------------------------

def test_cli_lists_every_query_with_its_parameters(capsys: pytest.CaptureFixture[str]):
    assert main(["queries"]) == 0
    out = capsys.readouterr().out
    for name in QUERY_NAMES:
        assert f"\n{name}: " in "\n" + out
    assert "--param structure=<string> (default: inferior vena cava)" in out
    assert "--param node=<iri> (required)" in out


def test_cli_exports_the_catalogue_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    target = tmp_path / "catalogue.ttl"
    assert main(["queries", "--export", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == export_catalogue()
    assert f"wrote {len(QUERY_NAMES)} queries" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.part"))


def test_cli_exports_the_catalogue_to_standard_output(capsys: pytest.CaptureFixture[str]):
    assert main(["queries", "--export"]) == 0
    assert capsys.readouterr().out == export_catalogue()


def test_cli_export_to_an_unwritable_place_is_a_clear_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    target = tmp_path / "missing-folder" / "catalogue.ttl"
    assert main(["queries", "--export", str(target)]) == 2
    err = capsys.readouterr().err
    assert "cannot write the catalogue" in err and "Traceback" not in err
    assert not target.exists()


def test_cli_unknown_query_prints_the_names_without_traceback(
        capsys: pytest.CaptureFixture[str]):
    assert main(["query", "cohorts"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("vlmskg query: error: no stored query named 'cohorts'")
    assert "cohort" in err and "Traceback" not in err


@pytest.mark.parametrize("args, message", [
    (["--param", "site=lung"], "has no parameter 'site'"),
    (["--param", "structure"], "has no value"),
])
def test_cli_bad_parameter_is_refused_before_any_store_is_opened(
        args: list[str], message: str, capsys: pytest.CaptureFixture[str]):
    # an unreachable endpoint: the parameter error must come first
    code = main(["query", "cases-involving-structure", *args,
                 "--endpoint", "http://127.0.0.1:9/query"])
    assert code == 1
    assert message in capsys.readouterr().err


def test_cli_refuses_a_hostile_iri_parameter(capsys: pytest.CaptureFixture[str]):
    code = main(["query", "provenance-of-fact", "--param", "node=http://x/> } ; DROP ALL ; <"])
    assert code == 1
    assert "not allowed in an IRI" in capsys.readouterr().err
