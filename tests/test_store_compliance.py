"""One compliance suite, run on every store backend: the embedded pyoxigraph store and three
real SPARQL servers reached over HTTP, started on 127.0.0.1 by the fixtures
(tests/fixtures/server.py): Oxigraph, Apache Jena (TDB2, union default graph) and OpenLink
Virtuoso 7 (its own graphs readable, writes through its Digest-protected Graph Store). Each
backend sees the same assertions, and every stored query gives the same rows on all four.

Expected values come from the case reports: the femoral vein patient was a 72-year-old
man, the two IVC patients women of 60 and 65.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from kg.api import KnowledgeGraph
from kg.errors import InputError, ParameterError
from kg.namespaces import case_iri
from kg.queries.catalogue import list_queries
from kg.queries.run import run_query
from kg.store import EmbeddedStore, RemoteStore, Store, open_store
from kg.store.load import load_dataset
from kg.store.server import OxigraphServer
from tests.fixtures.planted import PLANTED, PLANTED_FAULTS, planted_triples
from tests.fixtures.rows import in_one_order
from tests.fixtures.server import connect, start_server

PREFIXES = """PREFIX vlms: <https://w3id.org/vlmskg/vocab/>
PREFIX obo: <http://purl.obolibrary.org/obo/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
AGES = {"lms-femoral-vein-c1": 72, "lms-ivc-two-cases-c1": 60, "lms-ivc-two-cases-c2": 65}
MALE, FEMALE = "http://purl.obolibrary.org/obo/PATO_0000384", "http://purl.obolibrary.org/obo/PATO_0000383"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
TEST_GRAPH = "https://w3id.org/vlmskg/graph/compliance-test"
HOSTILE = 'x" } ; DROP ALL ; # \\u0022 """ \n\r <http://x> \' end'


def _copy(dataset: ox.Store) -> ox.Store:
    copy = ox.Store()
    copy.extend(dataset)
    return copy


def _server_marks(server: str) -> list:
    """The marks of a test on ``server``: it needs servers, and Jena needs Java."""
    return [pytest.mark.server] + ([pytest.mark.java] if server == "jena" else [])


def _backends() -> list:
    return ["embedded"] + [pytest.param(server, marks=_server_marks(server))
                           for server in ("oxigraph", "jena", "virtuoso")]


#: servers shared by the tests: the graphs tests changed on each since it was loaded
_CHANGED: dict[str, set[str]] = {}


@pytest.fixture(scope="module")
def oxigraph_shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """One Oxigraph server for this module's ``store`` fixture (Jena and Virtuoso are
    started once per session)."""
    server = start_server(tmp_path_factory.mktemp("compliance") / "oxigraph")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=_backends())
def store(request, dataset: ox.Store) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    """A store holding the built graph, private to the test (tests may change it): the
    embedded store is a copy; a server gets back the graphs the last tests changed."""
    name = request.param
    if name == "embedded":
        yield EmbeddedStore.from_dataset(_copy(dataset))
        return
    fixture = "oxigraph_shared" if name == "oxigraph" else f"{name}_server"
    remote = connect(request.getfixturevalue(fixture))
    if name not in _CHANGED:
        assert load_dataset(remote, dataset, prune=True).ok
        _CHANGED[name] = set()
    replace = remote.replace_graph
    for graph in sorted(_CHANGED[name]):
        replace(graph, dataset.dump(format=ox.RdfFormat.N_TRIPLES,
                                    from_graph=ox.NamedNode(graph)) or b"")
    _CHANGED[name].clear()

    def replace_graph(graph: str, body: bytes) -> None:
        _CHANGED[name].add(graph)
        replace(graph, body)

    remote.replace_graph = replace_graph  # type: ignore[method-assign]
    yield remote


def _local_sizes(dataset: ox.Store) -> dict[str, int]:
    return dict(Counter(q.graph_name.value for q in dataset))


def _age_of(store: Store, case: str) -> list[Literal]:
    rows = store.select(PREFIXES + "SELECT ?age WHERE { ?_case vlms:hasPatient ?p . "
                        "?p vlms:ageYears ?age }", {"_case": case_iri(case)})
    return [row["age"] for row in rows]


@pytest.mark.parametrize(("case", "age"), sorted(AGES.items()))
def test_select_binds_a_literal(store: Store, case: str, age: int) -> None:
    rows = store.select(PREFIXES + "SELECT ?case WHERE { ?case vlms:hasPatient ?p . "
                        "?p vlms:ageYears ?_age }", {"_age": Literal(age)})
    assert {"case": case_iri(case)} in rows  # (other cases may share the age)
    assert [row for row in rows if str(row["case"]).rsplit("/", 1)[1] in AGES] == [
        {"case": case_iri(case)}]


@pytest.mark.parametrize(("case", "age"), sorted(AGES.items()))
def test_select_binds_an_iri_and_returns_typed_literals(store: Store, case: str, age: int) -> None:
    ages = _age_of(store, case)
    assert ages == [Literal(age)]
    assert ages[0].datatype == URIRef(XSD_INTEGER)


def test_binding_is_seen_by_filters(store: Store) -> None:
    rows = store.select(PREFIXES + "SELECT ?case WHERE { ?case vlms:hasPatient ?p . "
                        "?p vlms:ageYears ?age FILTER(?age > ?_min) }", {"_min": Literal(62)})
    assert {row["case"] for row in rows} & {case_iri(c) for c in AGES} == {
        case_iri("lms-femoral-vein-c1"), case_iri("lms-ivc-two-cases-c2")}


def test_unbound_variables_are_absent_from_rows(store: Store) -> None:
    rows = store.select(PREFIXES + "SELECT ?p ?nothing WHERE { ?p vlms:ageYears 72 "
                        "OPTIONAL { ?p <https://w3id.org/vlmskg/vocab/noSuchProperty> ?nothing } }")
    assert {"p": URIRef(case_iri("lms-femoral-vein-c1") + "/patient")} in rows
    assert all(set(row) == {"p"} for row in rows)


@pytest.mark.parametrize(("case", "sex", "expected"), [
    ("lms-femoral-vein-c1", MALE, True), ("lms-femoral-vein-c1", FEMALE, False),
    ("lms-ivc-two-cases-c1", FEMALE, True), ("lms-ivc-two-cases-c2", MALE, False)])
def test_ask_with_bindings(store: Store, case: str, sex: str, expected: bool) -> None:
    query = PREFIXES + "ASK { ?_case vlms:hasPatient ?p . ?p vlms:sex ?_sex }"
    assert store.ask(query, {"_case": case_iri(case), "_sex": URIRef(sex)}) is expected


def test_queries_see_the_union_of_named_graphs(store: Store) -> None:
    """Case facts (case graphs) and term labels (ontology graph) join without GRAPH."""
    rows = store.select(PREFIXES + "SELECT ?label WHERE { ?_case vlms:hasPatient ?p . "
                        "?p vlms:sex ?sex . ?sex rdfs:label ?label }",
                        {"_case": case_iri("lms-femoral-vein-c1")})
    assert [str(row["label"]) for row in rows] == ["male"]


def test_graph_sizes_match_the_built_graph(store: Store, dataset: ox.Store) -> None:
    sizes = store.graph_sizes()
    assert sizes == _local_sizes(dataset)
    assert {str(case_iri(case)) for case in AGES} <= set(sizes)


def test_replace_graph_replaces_the_old_version(store: Store, dataset: ox.Store) -> None:
    graph = ox.NamedNode(str(case_iri("lms-femoral-vein-c1")))
    age = ox.NamedNode("https://w3id.org/vlmskg/vocab/ageYears")
    triples = [q.triple if q.predicate != age else
               ox.Triple(q.subject, age, ox.Literal("73", datatype=ox.NamedNode(XSD_INTEGER)))
               for q in dataset.quads_for_pattern(None, None, None, graph)]
    before = store.graph_sizes()
    store.replace_graph(graph.value, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
    assert _age_of(store, "lms-femoral-vein-c1") == [Literal(73)]
    assert _age_of(store, "lms-ivc-two-cases-c1") == [Literal(60)]
    assert store.graph_sizes() == before


def test_replace_graph_with_empty_body_empties_it(store: Store) -> None:
    graph = str(case_iri("lms-ivc-two-cases-c2"))
    store.replace_graph(graph, b"")
    assert graph not in store.graph_sizes()
    assert _age_of(store, "lms-ivc-two-cases-c2") == []


def test_broken_body_is_refused_and_changes_nothing(store: Store) -> None:
    before = store.graph_sizes()
    with pytest.raises(InputError, match="broken N-Triples") as caught:
        store.replace_graph(str(case_iri("lms-femoral-vein-c1")),
                            b'<http://x/s> <http://x/p> "ok" .\n'
                            b'<http://x/s> <http://x/p> "open .\n')
    assert caught.value.line == 2
    assert store.graph_sizes() == before
    assert _age_of(store, "lms-femoral-vein-c1") == [Literal(72)]


def test_hostile_binding_is_matched_as_a_literal(store: Store) -> None:
    before = store.graph_sizes()
    subject = ox.NamedNode("https://w3id.org/vlmskg/test/hostile")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    store.replace_graph(TEST_GRAPH, ox.serialize([ox.Triple(subject, label, ox.Literal(HOSTILE))],
                                                 format=ox.RdfFormat.N_TRIPLES))
    query = PREFIXES + "SELECT ?s WHERE { ?s rdfs:label ?_label }"
    assert store.select(query, {"_label": Literal(HOSTILE)}) == [{"s": URIRef(subject.value)}]
    assert store.select(query, {"_label": Literal('" } ; DROP ALL ; #')}) == []
    assert store.graph_sizes() == {**before, TEST_GRAPH: 1}


@pytest.mark.parametrize("iri", ["http://x/> } ; DROP ALL ; <http://y", "http://x/a b",
                                 "no-scheme", "http://x/\n"])
def test_iri_with_illegal_characters_is_refused(store: Store, iri: str) -> None:
    with pytest.raises(ParameterError, match="IRI"):
        store.select(PREFIXES + "SELECT ?p WHERE { ?_case vlms:hasPatient ?p }",
                     {"_case": URIRef(iri)})


def test_binding_an_unknown_variable_is_refused(store: Store) -> None:
    with pytest.raises(ParameterError, match=r"no variable \?_age"):
        store.select(PREFIXES + "SELECT ?p WHERE { ?p vlms:ageYears ?age }", {"_age": Literal(72)})


# -- the embedded store on disk --------------------------------------------------------

def test_on_disk_store_persists_and_reopens_without_reloading(tmp_path, dataset: ox.Store) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "store"
    store = EmbeddedStore(folder)
    assert load_dataset(store, dataset).ok
    store.replace_graph(TEST_GRAPH, b'<https://w3id.org/vlmskg/test/s> '
                                    b'<http://www.w3.org/2000/01/rdf-schema#label> "kept" .\n')
    sizes = store.graph_sizes()
    store.close()
    del store
    reopened = open_store(path=folder)  # not empty: opened as it is, nothing rebuilt
    assert reopened.graph_sizes() == sizes
    assert _age_of(reopened, "lms-femoral-vein-c1") == [Literal(72)]


def test_in_memory_copy_answers_like_the_store_on_disk_even_while_it_is_open(
        tmp_path, dataset: ox.Store) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "store"
    on_disk = EmbeddedStore(folder)
    assert load_dataset(on_disk, dataset).ok
    on_disk.close()
    copy = open_store(path=folder, in_memory=True)  # the folder is still open for writing
    assert copy.graph_sizes() == on_disk.graph_sizes()
    assert _age_of(copy, "lms-ivc-two-cases-c2") == [Literal(65)]
    copy.replace_graph(str(case_iri("lms-ivc-two-cases-c2")), b"")
    assert _age_of(copy, "lms-ivc-two-cases-c2") == []
    assert _age_of(on_disk, "lms-ivc-two-cases-c2") == [Literal(65)]  # the copy is private


def test_in_memory_copy_of_a_missing_store_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="no store in this folder") as caught:
        EmbeddedStore.in_memory_copy(tmp_path / "nowhere")
    assert caught.value.file == str(tmp_path / "nowhere")


def test_a_folder_in_use_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    first = EmbeddedStore(tmp_path / "store")
    with pytest.raises(InputError, match="another process") as caught:
        EmbeddedStore(tmp_path / "store")
    assert caught.value.file == str(tmp_path / "store")
    assert first.is_empty()


@pytest.mark.slow
def test_open_store_builds_the_shipped_graph_into_an_empty_folder(tmp_path, dataset) -> None:  # type: ignore[no-untyped-def]
    store = open_store(path=tmp_path / "new", create=True)
    assert isinstance(store, EmbeddedStore)
    assert store.graph_sizes() == _local_sizes(dataset)


def test_a_mistyped_store_path_is_refused_not_created(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "notes.txt").write_text("not a store")
    with pytest.raises(InputError, match="no store in this folder") as caught:
        KnowledgeGraph.open(store=tmp_path / "stor")
    assert "Did you mean 'store'?" in caught.value.message
    assert not (tmp_path / "stor").exists()


# -- every stored query gives the same rows on every backend ----------------------------

#: (query, parameters): every stored query with its defaults, and the parameters that
#: choose another path through it
RUNS = [(q.name, {}) for q in list_queries() if q.defaults is not None]
RUNS += [("cases-involving-structure", {"structure": "right atrium"}),
         ("cases-involving-structure", {"structure": "vena"}),
         ("cases-involving-structure", {"structure": "UBERON:0001072"}),
         ("literature-statements", {"about": "inferior vena cava"}),
         ("provenance-of-fact", {"node": str(case_iri("lms-ivc-two-cases-c1")) + "/tumour"}),
         ("provenance-of-fact", {"node": "https://w3id.org/vlmskg/publication/lms-femoral-vein"})]


@pytest.fixture(scope="module")
def embedded_store(dataset: ox.Store) -> EmbeddedStore:
    return EmbeddedStore.from_dataset(_copy(dataset))


def _server_runs() -> list:
    runs = []
    for name, params in RUNS:
        for server in ("oxigraph", "jena", "virtuoso"):
            marks = _server_marks(server)
            label = "-".join(params.values()) or "defaults"
            runs.append(pytest.param(name, params, server, marks=marks,
                                     id=f"{server}-{name}-{label}"))
    return runs


@pytest.mark.parametrize(("name", "params", "server"), _server_runs())
def test_stored_query_gives_the_same_rows_on_every_backend(
        name: str, params: dict[str, str], server: str, embedded_store: EmbeddedStore,
        server_stores: dict[str, RemoteStore]) -> None:
    expected = in_one_order(run_query(name, embedded_store, **params))
    assert in_one_order(run_query(name, server_stores[server], **params)) == expected


@pytest.mark.server
def test_virtuoso_own_graphs_stay_out_of_graph_sizes(
        server_stores: dict[str, RemoteStore]) -> None:
    """Virtuoso's own graphs are readable (hidden, they slowed cohort fourfold: README), the
    sizes of the loaded graphs leave them out, and the stored queries above give the same
    rows with them there."""
    virtuoso, own = server_stores["virtuoso"], "http://www.openlinksw.com/schemas/virtrdf#"
    assert virtuoso.ask(f"ASK {{ GRAPH <{own}> {{ ?s ?p ?o }} }}")
    assert own not in virtuoso.graph_sizes()


def test_the_query_runs_cover_every_stored_query() -> None:
    assert {name for name, _ in RUNS} == {q.name for q in list_queries()}




@pytest.mark.parametrize("backend", _backends())
@pytest.mark.parametrize("name", sorted(PLANTED_FAULTS))
def test_quality_check_finds_its_planted_fault(
        request: pytest.FixtureRequest, embedded_store: EmbeddedStore, name: str,
        backend: str) -> None:
    """The checks find a real fault on every backend, not only agree on the clean graph.
    The fault is planted in the stores the query comparison uses, and removed after."""
    store = (embedded_store if backend == "embedded"
             else request.getfixturevalue("server_stores")[backend])
    store.replace_graph(PLANTED, ox.serialize(planted_triples(name),
                                              format=ox.RdfFormat.N_TRIPLES))
    try:
        assert {tuple(row) for row in run_query(name, store)} == PLANTED_FAULTS[name][1]
    finally:
        store.replace_graph(PLANTED, b"")
    assert PLANTED not in store.graph_sizes()
