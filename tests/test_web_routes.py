"""Every route of the web site over plain HTTP (Flask's test client), on the shipped graph
with its real read-only SPARQL endpoint.

Values are from the case reports: lms-ivc-two-cases-c1 is a woman of 60 with a middle-
segment IVC tumour resected R0 who developed lung metastases, alive at 30 months without
local recurrence; lms-ivc-two-cases-c2 is 65; lms-femoral-vein-c1 a man of 72 whose tumour
was CD34 negative and desmin positive, with no metastasis.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Namespace
from rdflib.namespace import RDF, RDFS, SH

from kg.api.graph import KnowledgeGraph
from kg.errors import InputError
from kg.queries.catalogue import list_queries
from kg.store.embedded import EmbeddedStore
from kg.web import tables
from kg.web.app import create_app
from kg.web.endpoint import QueryServer
from kg.web.server import open_site
from kg.web.site import Site

pytestmark = pytest.mark.server

C1 = "lms-ivc-two-cases-c1"
VLMS = "https://w3id.org/vlmskg/vocab/"
AGES = (f"SELECT ?age WHERE {{ ?case <{VLMS}hasPatient> ?p . ?p <{VLMS}ageYears> ?age }}")
SCHEMA = Namespace("https://schema.org/")


@pytest.fixture(scope="module")
def web_store(dataset: ox.Store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped graph written into an on-disk store, as `vlmskg serve` does."""
    folder = tmp_path_factory.mktemp("web") / "store"
    store = ox.Store(str(folder))
    store.bulk_extend(dataset)
    store.flush()
    del store  # release the folder's lock
    return folder


@pytest.fixture(scope="module")
def endpoint(web_store: Path) -> Iterator[QueryServer]:
    with QueryServer(web_store, timeout=3) as server:
        yield server


@pytest.fixture(scope="module")
def site(web_store: Path) -> Site:
    return open_site(web_store)


@pytest.fixture(scope="module")
def client(site: Site, endpoint: QueryServer) -> FlaskClient:
    return create_app(site, endpoint).test_client()


def test_a_folder_without_a_store_is_named_in_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no store in this folder") as caught:
        open_site(tmp_path / "missing")
    assert caught.value.file == str(tmp_path / "missing")
    (tmp_path / "notes.txt").write_text("not a store")
    with pytest.raises(InputError, match="cannot read the store") as caught:
        open_site(tmp_path)
    assert caught.value.file == str(tmp_path) and "vlmskg build --store" in str(caught.value)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]  # nothing written there


def _page(client: FlaskClient, url: str, status: int = 200) -> str:
    answer = client.get(url)
    assert answer.status_code == status, (url, answer.data[:500])
    text = answer.get_data(as_text=True)
    assert "Traceback" not in text
    return text


def _cells(html: str, table: str) -> list[list[str]]:
    """The text of each body cell of the table with id ``table``."""
    body = html.split(f'id="{table}"', 1)[1].split("</tbody>", 1)[0]
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    return [[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in row]
            for row in rows if row]


# --- home and cases ---------------------------------------------------------------------

def test_home_shows_cases_per_vessel_the_survival_figure_and_newest_cases(
        client: FlaskClient, site: Site) -> None:
    html = _page(client, "/")
    vessels = dict((row[0], int(row[1])) for row in _cells(html, "vessels"))
    ivc = sum(1 for r in site.records if r.vessel == "inferior vena cava")
    assert vessels["inferior vena cava"] == ivc >= 2
    assert f"<strong>{len(site.records)}</strong> cases" in html
    assert 'id="survival-figure" src="/analysis/survival.svg"' in html
    newest = _cells(html, "newest")
    years = [int(row[2]) for row in newest if row[2].isdigit()]
    assert years == sorted(years, reverse=True) and years
    for link in ("/cases", "/questions", "/analysis", "/editor"):
        assert f'href="{link}"' in html


def test_survival_figure_is_an_svg_of_overall_survival(client: FlaskClient) -> None:
    answer = client.get("/analysis/survival.svg")
    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"
    assert answer.data.startswith(b"<?xml") and b"Overall survival" in answer.data


def test_case_table_lists_every_case_with_its_values(client: FlaskClient, site: Site) -> None:
    html = _page(client, "/cases")
    assert f"{len(site.records)} cases" in html
    row = next(r for r in _cells(html, "cases") if "case 1" in r[0] and "2015" in r[0]
               and r[1] == "60")
    assert row[1:] == ["60", "female", "inferior vena cava", "middle, lower", "10", "R0",
                       "anastomosis, ligation", "alive at 30 months"]


def test_case_table_filters_by_query_string_fields(client: FlaskClient) -> None:
    html = _page(client, "/cases?vessel=inferior+vena+cava&age_max=62&sex=female&margin=R0")
    assert f'href="/cases/{C1}"' in html
    assert 'href="/cases/lms-ivc-two-cases-c2"' not in html  # aged 65
    for row in _cells(html, "cases"):
        assert row[2] == "female" and row[3] == "inferior vena cava" and row[6] == "R0"
        assert int(row[1]) <= 62
    # the form keeps what was chosen
    assert '<option value="R0" selected>' in html


def test_case_table_sorts_both_ways_with_unreported_last(client: FlaskClient,
                                                         site: Site) -> None:
    ages = sorted(r.age_years for r in site.records if r.age_years is not None)
    down = [row[1] for row in _cells(_page(client, "/cases?sort=age&order=desc"), "cases")]
    up = [row[1] for row in _cells(_page(client, "/cases?sort=age&order=asc"), "cases")]
    assert down[0] == str(ages[-1]) and up[0] == str(ages[0])
    reported = [a for a in up if a != "not reported"]
    assert up[:len(reported)] == reported  # unreported ages come last


def test_case_table_pages(site: Site) -> None:
    records = site.records
    page = tables.page_of(records, "2", size=2)
    assert page.number == 2 and page.rows == records[2:4] and page.pages == -(-len(records) // 2)
    with pytest.raises(ValueError, match="no page"):
        tables.page_of(records, str(page.pages + 1), size=2)


def test_case_csv_download_holds_the_filtered_cases(client: FlaskClient) -> None:
    answer = client.get("/cases.csv?margin=R0&sex=female")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert "attachment" in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert rows and all(r["Margin"] == "R0" and r["Sex"] == "female" for r in rows)
    c1 = next(r for r in rows if r["case"] == C1)
    assert (c1["Age"], c1["Outcome"], c1["Follow-up, months"]) == ("60", "alive at 30 months",
                                                                   "30")


def test_case_page_shows_the_report(client: FlaskClient) -> None:
    html = _page(client, f"/cases/{C1}")
    assert re.search(r'id="age">\s*60 years', html) and re.search(r'id="sex">\s*female', html)
    assert re.search(r'id="margin">\s*R0', html)
    assert re.search(r'id="metastasis">\s*yes: lung', html)
    assert "Metastatic Malignant Neoplasm in the Lung" in html
    assert '<li class="negative"><span class="fact">no local recurrence</span>' in html
    assert "alive at 30 months" in html and "stable disease" in html
    assert "where in the source: case report 1" in html
    assert "scielo.isciii.es" in html  # the publication's address (it has no DOI)
    assert "7 days after surgical resection" in html  # discharge, timed as the report says


def test_case_page_says_negatives_and_unreported(client: FlaskClient) -> None:
    html = _page(client, "/cases/lms-femoral-vein-c1")
    assert re.search(r'id="age">\s*72 years', html) and re.search(r'id="sex">\s*male', html)
    assert "CD34 negative" in html and "Desmin positive" in html
    assert '<span class="fact">no metastasis</span>' in html
    assert '<span class="nr">not reported</span>' in html


def test_case_page_of_unknown_case_is_a_friendly_404(client: FlaskClient) -> None:
    html = _page(client, "/cases/lms-ivc-two-cases-c9", 404)
    assert "no case &#39;lms-ivc-two-cases-c9&#39; in the graph" in html


# --- questions ------------------------------------------------------------------------

def test_questions_page_lists_every_stored_query(client: FlaskClient) -> None:
    html = _page(client, "/questions")
    for query in list_queries():
        assert f'href="/questions/{query.name}"' in html


def test_question_form_offers_the_graphs_terms_and_shows_the_sparql(client: FlaskClient) -> None:
    html = _page(client, "/questions/cases-involving-structure")
    assert 'list="terms-structure"' in html and '<option value="inferior vena cava">' in html
    assert "?_structure" in html  # the SPARQL text


def test_question_runs_from_its_form(client: FlaskClient) -> None:
    html = _page(client, "/questions/cases-involving-structure?structure=inferior+vena+cava"
                         "&run=1")
    cases = {cell for row in _cells(html, "results") for cell in row}
    assert {C1, "lms-ivc-two-cases-c2"} <= cases
    assert "lms-femoral-vein-c1" not in cases


@pytest.mark.parametrize("query", [q.name for q in list_queries() if q.defaults is not None])
def test_every_stored_question_answers(client: FlaskClient, query: str) -> None:
    _page(client, f"/questions/{query}?run=1")


def test_question_downloads_csv_and_json(client: FlaskClient) -> None:
    rows = list(csv.DictReader(io.StringIO(client.get(
        "/questions/metastasis-sites.csv").get_data(as_text=True))))
    assert any(r["caseId"] == C1 and "lung" in r["site"].lower() for r in rows), rows[:3]
    data = json.loads(client.get("/questions/cases-involving-structure.json"
                                 "?structure=inferior+vena+cava").data)
    assert data["query"] == "cases-involving-structure"
    assert C1 in {row["caseId"] for row in data["rows"]}


@pytest.mark.parametrize(("url", "status", "message"), [
    ("/questions/provenance-of-fact?run=1&node=not+an+iri", 400, "contains"),
    ("/questions/provenance-of-fact?run=1", 400, "required"),
    ("/questions/no-such-question", 404, "no stored query named"),
    ("/cases?age_min=sixty", 400, "age_min must be a number"),
    ("/cases?margin=R3", 400, "unknown margin value"),
    ("/cases?page=0", 400, "there is no page"),
    ("/cases?sort=colour", 400, "cannot sort by"),
    ("/analysis?field1=margin&value1=R3", 400, "valid values: R0"),
    ("/analysis?endpoint=forever", 400, "unknown endpoint"),
    ("/analysis?by=age", 400, "cannot group by"),
    ("/no/such/page", 404, "There is no page at this address"),
])
def test_bad_addresses_and_parameters_get_a_friendly_page(client: FlaskClient, url: str,
                                                          status: int, message: str) -> None:
    html = _page(client, url, status)
    assert message in html and 'id="error-message"' in html


def test_wrong_method_is_a_friendly_405(client: FlaskClient) -> None:
    answer = client.post("/cases")
    assert answer.status_code == 405 and b"does not accept" in answer.data


# --- analysis -------------------------------------------------------------------------

def test_analysis_shows_summary_survival_and_literature(client: FlaskClient, site: Site) -> None:
    html = _page(client, "/analysis?by=vessel-group")
    groups = {row[0] for row in _cells(html, "survival-table")}
    assert "inferior vena cava" in groups
    assert "Log-rank test" in html
    assert 'src="/analysis/survival.svg?by=vessel-group"' in html
    assert any(row[0] == "lms-ivc-two-cases" for row in _cells(html, "literature"))
    assert f"{len(site.records)} cases selected" in html


def test_analysis_filters_like_the_command_line(client: FlaskClient, site: Site) -> None:
    html = _page(client, "/analysis?field1=vessel-group&value1=inferior+vena+cava"
                         "&field2=age&op2=%3C%3D&value2=62")
    expected = [r for r in site.records
                if r.vessel_group == "inferior vena cava" and r.age_years is not None
                and r.age_years <= 62]
    assert f"{len(expected)} case" in html
    svg = client.get("/analysis/survival.svg?field1=vessel-group&value1=inferior+vena+cava")
    assert svg.status_code == 200 and svg.data.startswith(b"<?xml")


# --- SPARQL ---------------------------------------------------------------------------

def test_sparql_endpoint_answers_protocol_queries(client: FlaskClient) -> None:
    answer = client.post("/sparql", data=AGES, content_type="application/sparql-query",
                         headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200
    ages = {int(b["age"]["value"]) for b in answer.get_json()["results"]["bindings"]}
    assert {60, 65, 72} <= ages
    got = client.get("/sparql", query_string={"query": "ASK {}"},
                     headers={"Accept": "application/sparql-results+json"})
    assert got.get_json()["boolean"] is True
    as_csv = client.post("/sparql", data={"query": AGES, "format": "csv"})
    assert as_csv.mimetype == "text/csv" and "60" in as_csv.get_data(as_text=True).split()


@pytest.mark.parametrize("how", ["form", "body", "query"])
def test_sparql_endpoint_refuses_updates(client: FlaskClient, how: str) -> None:
    update = "DROP ALL"
    if how == "form":
        answer = client.post("/sparql", data={"update": update})
    elif how == "body":
        answer = client.post("/sparql", data=update, content_type="application/sparql-update")
    else:
        answer = client.post("/sparql", data={"query": "PREFIX a: <a:>\n" + update})
    assert answer.status_code == 403 and b"read-only" in answer.data
    ages = client.post("/sparql", data={"query": AGES, "format": "json"}).get_json()
    assert ages["results"]["bindings"]  # the graph is still there


def test_sparql_query_past_the_time_limit_is_stopped(client: FlaskClient,
                                                     endpoint: QueryServer) -> None:
    before = endpoint.process.pid if endpoint.process else None
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    answer = client.post("/sparql", data={"query": heavy})
    assert answer.status_code == 503 and b"time limit of 3 s" in answer.data
    assert endpoint.running() and endpoint.process and endpoint.process.pid != before
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200


def test_sparql_errors_are_reported(client: FlaskClient) -> None:
    answer = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x }"})
    assert answer.status_code == 400
    assert client.get("/sparql").status_code == 302  # no query: to the editor


def test_editor_runs_a_query_and_offers_the_stored_ones(client: FlaskClient) -> None:
    html = _page(client, "/editor")
    for query in list_queries():
        assert f'href="/editor?example={query.name}"' in html
    assert "?_structure" in _page(client, "/editor?example=cases-involving-structure")
    html = client.post("/editor", data={"query": AGES + " ORDER BY ?age"}).get_data(
        as_text=True)
    assert "60" in {row[0] for row in _cells(html, "results")}
    html = client.post("/editor", data={"query": "CLEAR ALL"}).get_data(as_text=True)
    assert "updates are refused" in html
    html = client.post("/editor", data={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"}
                       ).get_data(as_text=True)
    assert "the query gives a graph, not a table" in html


def test_examples_catalogue_is_sib_turtle(client: FlaskClient) -> None:
    answer = client.get("/.well-known/sparql-examples")
    assert answer.status_code == 200 and answer.mimetype == "text/turtle"
    graph = Graph().parse(data=answer.get_data(as_text=True), format="turtle")
    found = list(graph.subjects(RDF.type, SH.SPARQLExecutable))
    assert len(found) == len(list_queries())
    for node in found:
        assert (node, RDF.type, SH.SPARQLSelectExecutable) in graph
        assert graph.value(node, SH.select) and graph.value(node, RDFS.comment)
        assert str(graph.value(node, SCHEMA.target)) == "http://localhost/sparql"
        prefixes = graph.value(node, SH.prefixes)
        declared = {str(graph.value(d, SH.prefix)) for d in graph.objects(prefixes, SH.declare)}
        assert {"vlms", "obo", "rdfs"} <= declared
    discovered = graph.query(
        "PREFIX sh: <http://www.w3.org/ns/shacl#> PREFIX rdfs: <http://www.w3.org/2000/01/"
        "rdf-schema#> SELECT ?sq ?comment ?query WHERE { ?sq a sh:SPARQLExecutable ; "
        "rdfs:comment ?comment ; sh:select ?query }")
    assert len(discovered) == len(found)


# --- security -------------------------------------------------------------------------

def test_every_value_is_escaped(dataset: ox.Store) -> None:
    """A case label holding markup renders as text, on the case page and the home page."""
    copy = ox.Store()
    copy.extend(dataset)
    case = ox.NamedNode(f"https://w3id.org/vlmskg/case/{C1}")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    for quad in list(copy.quads_for_pattern(case, label, None, case)):
        copy.remove(quad)
    copy.add(ox.Quad(case, label, ox.Literal("<script>alert('x')</script> case"), case))
    client = create_app(Site(KnowledgeGraph(EmbeddedStore.from_dataset(copy)))).test_client()
    html = client.get(f"/cases/{C1}").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; case" in html
    assert "<script>alert" not in html
    reflected = client.get("/cases?source=%3Cscript%3Ealert(1)%3C/script%3E").get_data(
        as_text=True)
    assert "<script>alert(1)" not in reflected and "&lt;script&gt;alert(1)" in reflected
    missing = client.get("/cases/%3Cimg%20src=x%20onerror=alert(1)%3E").get_data(as_text=True)
    assert "<img src=x" not in missing and "&lt;img src=x onerror=alert(1)&gt;" in missing


def test_pages_forbid_outside_scripts_and_assets(client: FlaskClient) -> None:
    answer = client.get("/")
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    html = answer.get_data(as_text=True)
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing fetched from elsewhere
    assert client.get("/static/table.js").status_code == 200
