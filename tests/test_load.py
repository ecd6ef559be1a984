"""Loading the built graph into a real oxigraph server on 127.0.0.1.

Ages are from the case reports: 72 (femoral vein case), 60 and 65 (the two IVC cases).
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import re
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from rdflib import Literal
from SPARQLWrapper import JSON, POST, SPARQLWrapper

from kg.errors import EndpointError, KGError
from kg.namespaces import CASE, case_iri
from kg.store import RemoteStore, open_store
from kg.store.jena_server import JenaServer
from kg.store.load import dataset_graphs, load_dataset, read_dataset
from kg.store.server import OxigraphServer, free_port
from kg.store.virtuoso import VirtuosoServer

pytestmark = pytest.mark.server

AGE = ox.NamedNode("https://w3id.org/vlmskg/vocab/ageYears")
#: the ages of the three cases the tests were written for (other cases come and go)
AGES_QUERY = ("SELECT ?case ?age WHERE { VALUES ?case { "
              + " ".join(f"<{case_iri(c)}>" for c in ("lms-femoral-vein-c1", "lms-ivc-two-cases-c1",
                                                      "lms-ivc-two-cases-c2"))
              + " } ?case <https://w3id.org/vlmskg/vocab/hasPatient> ?p . "
              "?p <https://w3id.org/vlmskg/vocab/ageYears> ?age }")


def _store(server: OxigraphServer, **options) -> RemoteStore:  # type: ignore[no-untyped-def]
    return RemoteStore(server.query_url, graph_store=server.store_url, **options)


def _with_ages(dataset: ox.Store, ages: dict[str, int]) -> ox.Store:
    """A copy of ``dataset`` whose patients of the given cases have another age."""
    copy = ox.Store()
    copy.extend(dataset)
    for case, age in ages.items():
        graph = ox.NamedNode(str(case_iri(case)))
        for quad in list(copy.quads_for_pattern(None, AGE, None, graph)):
            copy.remove(quad)
            copy.add(ox.Quad(quad.subject, AGE, ox.Literal(str(age), datatype=quad.object.datatype),
                             graph))
    return copy


def _ages_over_http(server: OxigraphServer) -> dict[str, int]:
    """Ages read straight through SPARQLWrapper, not through our store."""
    wrapper = SPARQLWrapper(server.query_url)
    wrapper.setMethod(POST)
    wrapper.setReturnFormat(JSON)
    wrapper.setQuery(AGES_QUERY)
    rows = wrapper.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    return {row["case"]["value"].removeprefix(str(CASE)): int(row["age"]["value"]) for row in rows}


def _canonical(ntriples: bytes) -> ox.Dataset:
    """A graph with its blank nodes canonically renamed: equal graphs compare equal."""
    graph = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object)
                       for t in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    graph.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return graph


def _server_graph(server: OxigraphServer, graph: str) -> ox.Dataset:
    """One named graph as the server holds it, fetched with a Graph Store GET."""
    url = server.store_url + "?" + urllib.parse.urlencode({"graph": graph})
    request = urllib.request.Request(url, headers={"Accept": "application/n-triples"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return _canonical(answer.read())


def _local_graphs(dataset: ox.Store) -> dict[str, ox.Dataset]:
    return {iri: _canonical(body) for iri, body in dataset_graphs(dataset)}


def _assert_server_holds(server: OxigraphServer, expected: dict[str, ox.Dataset]) -> None:
    for iri, graph in expected.items():
        assert _server_graph(server, iri) == graph, f"graph {iri} differs"


def test_load_then_query_through_sparqlwrapper(oxigraph_server, dataset: ox.Store) -> None:
    report = load_dataset(_store(oxigraph_server), dataset)
    assert report.ok
    assert _ages_over_http(oxigraph_server) == {
        "lms-femoral-vein-c1": 72, "lms-ivc-two-cases-c1": 60, "lms-ivc-two-cases-c2": 65}
    assert set(report.loaded) == {q.graph_name.value for q in dataset}


def test_graphs_are_loaded_in_order(oxigraph_server, dataset: ox.Store) -> None:
    report = load_dataset(_store(oxigraph_server), dataset)
    ontology, shapes = report.loaded[:2]
    assert ontology.endswith("/graph/ontology") and shapes.endswith("/graph/shapes")
    assert report.loaded[-1].endswith("/graph/void")


def test_loading_twice_gives_the_same_data(oxigraph_server, dataset: ox.Store) -> None:
    store = _store(oxigraph_server)
    load_dataset(store, dataset)
    first = store.graph_sizes()
    report = load_dataset(store, dataset)
    assert report.ok
    assert store.graph_sizes() == first == dict(Counter(q.graph_name.value for q in dataset))
    _assert_server_holds(oxigraph_server, _local_graphs(dataset))


def test_a_changed_case_replaces_only_its_graph(oxigraph_server, dataset: ox.Store) -> None:
    store = _store(oxigraph_server)
    load_dataset(store, dataset)
    changed = _with_ages(dataset, {"lms-ivc-two-cases-c1": 61})
    assert load_dataset(store, changed).ok
    assert _ages_over_http(oxigraph_server) == {
        "lms-femoral-vein-c1": 72, "lms-ivc-two-cases-c1": 61, "lms-ivc-two-cases-c2": 65}
    original, now = _local_graphs(dataset), _local_graphs(changed)
    changed_graph = str(case_iri("lms-ivc-two-cases-c1"))
    assert original[changed_graph] != now[changed_graph]
    _assert_server_holds(oxigraph_server, now)


def test_a_removed_case_is_reported_then_pruned(oxigraph_server, dataset: ox.Store) -> None:
    store = _store(oxigraph_server)
    load_dataset(store, dataset)
    without = ox.Store()
    removed = ox.NamedNode(str(case_iri("lms-ivc-two-cases-c2")))
    without.extend(q for q in dataset if q.graph_name != removed)
    report = load_dataset(store, without)
    assert [(d.graph, d.local) for d in report.differences] == [(removed.value, 0)]
    report = load_dataset(store, without, prune=True)
    assert report.ok and report.pruned == [removed.value]
    assert removed.value not in store.graph_sizes()


def test_server_killed_midway_then_reload_ends_with_the_local_data(
        oxigraph_server, dataset: ox.Store) -> None:
    store = _store(oxigraph_server, retries=1, backoff=0.05, timeout=5)
    previous = _with_ages(dataset, {"lms-femoral-vein-c1": 73, "lms-ivc-two-cases-c2": 66})
    assert load_dataset(store, previous).ok
    done: list[str] = []

    def kill_after_three(graph: str, triples: int) -> None:
        done.append(graph)
        if len(done) == 3:
            oxigraph_server.kill()

    with pytest.raises(EndpointError) as caught:
        load_dataset(store, dataset, on_graph=kill_after_three)
    assert caught.value.exit_code == 3
    assert oxigraph_server.store_url in str(caught.value)
    assert "cannot reach the server" in str(caught.value)

    oxigraph_server.start()  # same location, same port
    # Every graph is either the new version (replaced before the crash) or intact.
    new, old = _local_graphs(dataset), _local_graphs(previous)
    _assert_server_holds(oxigraph_server, {g: new[g] if g in done else old[g] for g in new})

    report = load_dataset(store, dataset)
    assert report.ok
    _assert_server_holds(oxigraph_server, new)
    assert _ages_over_http(oxigraph_server)["lms-ivc-two-cases-c2"] == 65


def test_a_server_without_union_default_graph_is_reported(tmp_path, dataset: ox.Store) -> None:  # type: ignore[no-untyped-def]
    server = OxigraphServer(tmp_path / "plain", union_default_graph=False).start()
    try:
        report = load_dataset(_store(server), dataset)
    finally:
        server.stop()
    assert not report.differences and not report.union_default_graph and not report.ok


def test_unreachable_endpoint_is_one_clear_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"  # nothing listens there
    store = RemoteStore(url, retries=2, backoff=0.01)
    with pytest.raises(EndpointError) as caught:
        store.graph_sizes()
    message = str(caught.value)
    assert message.startswith(url + ": cannot reach the server")
    assert "after 3 attempts" in message and "vlmskg serve" in message
    assert caught.value.exit_code == 3


def test_load_without_a_graph_store_url_says_how_to_give_one(dataset: ox.Store) -> None:
    store = RemoteStore("http://127.0.0.1:3030/vlmskg/sparql")
    with pytest.raises(EndpointError, match="--graph-store") as caught:
        load_dataset(store, dataset)
    assert "/vlmskg/sparql" in str(caught.value)


def test_open_store_with_an_endpoint_is_remote(oxigraph_server, dataset: ox.Store) -> None:
    load_dataset(_store(oxigraph_server), dataset)
    store = open_store(oxigraph_server.query_url)
    assert isinstance(store, RemoteStore) and store.graph_store == oxigraph_server.store_url
    assert store.graph_sizes() == dict(Counter(q.graph_name.value for q in dataset))
    with pytest.raises(KGError, match="not both"):
        open_store(oxigraph_server.query_url, path=oxigraph_server.location)


def test_read_dataset_reads_a_built_nquads_file(tmp_path, dataset: ox.Store) -> None:
    path = tmp_path / "vlms-kg.nq"
    path.write_bytes(ox.serialize(dataset, format=ox.RdfFormat.N_QUADS))
    assert len(read_dataset(path)) == len(dataset)
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(KGError, match="broken"):
        read_dataset(path)


# -- a tiny proxy in front of the real server: fails the first requests, records headers --

class _Proxy(http.server.ThreadingHTTPServer):
    def __init__(self, target: str, failures: list[tuple]) -> None:  # (status, headers[, text])
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.target, self.failures, self.seen = target, failures, []
        self.digest: tuple[str, str] | None = None  # (user, password) a PUT must prove
        self.basic: tuple[str, str] | None = None  # the same, with HTTP Basic

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    server: _Proxy

    def log_message(self, *args: object) -> None:
        pass

    def _digest_ok(self) -> bool:
        """RFC 2617 Digest (MD5, qop=auth), as Virtuoso's -auth endpoints ask for."""
        header = self.headers.get("Authorization", "")
        fields = {m[0] or m[2]: m[1] or m[3]
                  for m in re.findall(r'(\w+)="([^"]*)"|(\w+)=([^,\s]+)', header)}
        user, password = self.server.digest  # type: ignore[misc]
        if not header.startswith("Digest ") or fields.get("username") != user:
            return False

        def md5(text: str) -> str:
            return hashlib.md5(text.encode()).hexdigest()

        ha1, ha2 = md5(f"{user}:SPARQL:{password}"), md5(f"{self.command}:{fields['uri']}")
        expected = md5(f"{ha1}:{fields['nonce']}:{fields['nc']}:{fields['cnonce']}:auth:{ha2}")
        return fields.get("response") == expected

    def _relay(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.seen.append(dict(self.headers))
        if self.server.basic and self.command == "PUT" and (
                self.headers.get("Authorization") != _basic(*self.server.basic)):
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="vlmskg"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.server.digest and self.command == "PUT" and not self._digest_ok():
            self.send_response(401)
            self.send_header("WWW-Authenticate",
                             'Digest realm="SPARQL", nonce="5ebe2294ecd0e0f0", qop="auth", '
                             'algorithm="MD5"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.server.failures:
            status, headers, *text = self.server.failures.pop(0)
            payload = text[0].encode() if text else b""
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(payload))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
            return
        request = urllib.request.Request(self.server.target + self.path, data=body,
                                         method=self.command, headers={
                                             k: v for k, v in self.headers.items()
                                             if k.lower() in ("content-type", "accept")})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                status, headers, payload = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as refused:  # relay the server's refusal as it is
            status, headers, payload = refused.code, refused.headers, refused.read()
        self.send_response(status)
        self.send_header("Content-Type", headers.get("Content-Type", "text/plain"))
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_POST = do_PUT = _relay


@pytest.fixture
def proxy(oxigraph_server) -> Iterator[_Proxy]:  # type: ignore[no-untyped-def]
    server = _Proxy(oxigraph_server.base_url, [])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("status", [503, 429, 500])
def test_5xx_and_429_are_retried(proxy: _Proxy, dataset: ox.Store, status: int) -> None:
    store = RemoteStore(proxy.url + "/query", retries=3, backoff=0.01)
    load_dataset(RemoteStore(proxy.url + "/query"), dataset)
    proxy.failures.extend([(status, {"Retry-After": "0"})] * 2)
    ages = store.select(AGES_QUERY)
    assert sorted(int(row["age"]) for row in ages) == [60, 65, 72]
    loading = len(list(dataset_graphs(dataset))) + 2  # a PUT per graph, counts, union check
    assert len(proxy.seen) == loading + 3  # then 2 failures and the answer


def test_retries_run_out_with_the_status_in_the_message(proxy: _Proxy) -> None:
    proxy.failures.extend([(503, {})] * 3)
    store = RemoteStore(proxy.url + "/query", retries=2, backoff=0.01)
    with pytest.raises(EndpointError, match=r"HTTP 503 \(after 3 attempts\)"):
        store.ask("ASK {}")
    assert len(proxy.seen) == 3


def test_a_query_the_server_timed_out_is_not_sent_again(proxy: _Proxy) -> None:
    """Virtuoso's own time limit (SR171, HTTP 500): asking again would only time out again."""
    proxy.failures.append((500, {}, "Virtuoso S1T00 Error SR171: Transaction timed out"))
    store = RemoteStore(proxy.url + "/query", retries=3, backoff=0.01)
    with pytest.raises(EndpointError, match="stopped the query at its time limit.*SR171"):
        store.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert len(proxy.seen) == 1


def test_401_asks_for_credentials_without_retrying(proxy: _Proxy) -> None:
    proxy.failures.append((401, {}))
    with pytest.raises(EndpointError, match="VLMSKG_USER") as caught:
        RemoteStore(proxy.url + "/query", retries=3, backoff=0.01).ask("ASK {}")
    assert "HTTP 401" in str(caught.value) and len(proxy.seen) == 1


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_credentials_come_from_the_environment(proxy: _Proxy, monkeypatch, dataset) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("VLMSKG_USER", "curator")
    monkeypatch.setenv("VLMSKG_PASSWORD", "s3cret:with colon")
    proxy.basic = ("curator", "s3cret:with colon")
    store = RemoteStore(proxy.url + "/query", graph_store=proxy.url + "/store")
    store.replace_graph(str(case_iri("lms-femoral-vein-c1")), dict(dataset_graphs(dataset))[
        str(case_iri("lms-femoral-vein-c1"))])
    assert store.select(AGES_QUERY)[0]["age"] == Literal(72)
    # the Graph Store request answers the server's Basic challenge; the query sends it at once
    assert [seen.get("Authorization") for seen in proxy.seen] == [
        None, _basic("curator", "s3cret:with colon"), _basic("curator", "s3cret:with colon")]


def test_credentials_come_from_netrc(proxy: _Proxy, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("VLMSKG_USER", raising=False)
    monkeypatch.delenv("VLMSKG_PASSWORD", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".netrc").write_text("machine 127.0.0.1 login reader password n3trc\n")
    (tmp_path / ".netrc").chmod(0o600)
    assert RemoteStore(proxy.url + "/query").ask("ASK {}") is True
    assert proxy.seen[0].get("Authorization") == _basic("reader", "n3trc")


def test_graph_store_answers_a_digest_challenge(proxy: _Proxy, monkeypatch, dataset) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("VLMSKG_USER", "dba")
    monkeypatch.setenv("VLMSKG_PASSWORD", "d1gest")
    proxy.digest = ("dba", "d1gest")
    store = RemoteStore(proxy.url + "/query", graph_store=proxy.url + "/store")
    graph = str(case_iri("lms-ivc-two-cases-c2"))
    store.replace_graph(graph, dict(dataset_graphs(dataset))[graph])
    assert [row["age"] for row in store.select(AGES_QUERY)] == [Literal(65)]
    assert proxy.seen[1]["Authorization"].startswith("Digest username=\"dba\"")


def test_wrong_digest_password_is_a_clear_error(proxy: _Proxy, monkeypatch, dataset) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("VLMSKG_USER", "dba")
    monkeypatch.setenv("VLMSKG_PASSWORD", "wrong")
    proxy.digest = ("dba", "d1gest")
    store = RemoteStore(proxy.url + "/query", graph_store=proxy.url + "/store", retries=2)
    with pytest.raises(EndpointError, match="HTTP 401") as caught:
        store.replace_graph(str(case_iri("lms-ivc-two-cases-c2")), b"")
    assert "refused the user name or password of 'dba'" in str(caught.value)
    assert "VLMSKG_USER" in str(caught.value)


def test_half_given_credentials_are_refused(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("VLMSKG_USER", "curator")
    monkeypatch.delenv("VLMSKG_PASSWORD", raising=False)
    with pytest.raises(EndpointError, match="VLMSKG_PASSWORD"):
        RemoteStore("http://127.0.0.1:7878/query")


# -- Digest authentication against a real Virtuoso ------------------------------------------


@pytest.fixture
def virtuoso_graph(virtuoso_server, dataset: ox.Store) -> tuple[str, bytes]:  # type: ignore[no-untyped-def]
    graph = str(case_iri("lms-ivc-two-cases-c2"))
    return graph, dict(dataset_graphs(dataset))[graph]


def _virtuoso(server, monkeypatch, password: str, port: int | None = None) -> RemoteStore:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("VLMSKG_USER", "dba")
    monkeypatch.setenv("VLMSKG_PASSWORD", password)
    store_url = server.store_url if port is None else f"http://127.0.0.1:{port}/x"
    return RemoteStore(server.query_url, graph_store=store_url, retries=1, backoff=0.01)


def test_virtuoso_graph_store_loads_with_digest(virtuoso_server, virtuoso_graph,  # type: ignore[no-untyped-def]
                                                monkeypatch) -> None:
    graph, body = virtuoso_graph
    store = _virtuoso(virtuoso_server, monkeypatch, virtuoso_server.password)
    store.replace_graph(graph, body)
    assert store.graph_sizes()[graph] == body.count(b"\n")
    assert [row["age"] for row in store.select(AGES_QUERY)
            if str(row["case"]) == graph] == [Literal(65)]


def test_virtuoso_wrong_password_is_told_apart_from_an_unreachable_server(  # type: ignore[no-untyped-def]
        virtuoso_server, virtuoso_graph, monkeypatch) -> None:
    graph, body = virtuoso_graph
    wrong = _virtuoso(virtuoso_server, monkeypatch, "not-the-password")
    with pytest.raises(EndpointError, match="refused the user name or password of 'dba'"):
        wrong.replace_graph(graph, body)
    gone = _virtuoso(virtuoso_server, monkeypatch, virtuoso_server.password, port=free_port())
    with pytest.raises(EndpointError, match="cannot reach the server"):
        gone.replace_graph(graph, body)


def test_virtuoso_takes_a_large_graph_through_digest(virtuoso_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A body of megabytes: Virtuoso refuses an unanswered upload at once and closes the
    connection, so the challenge must be answered before the body is sent (it was not:
    'Connection reset by peer'); a wrong password is still told as such."""
    graph = "https://w3id.org/vlmskg/graph/large-upload-test"
    body = b"".join(b'<https://w3id.org/vlmskg/test/s%d> <http://www.w3.org/2000/01/rdf-schema#'
                    b'label> "%s" .\n' % (i, b"x" * 200) for i in range(60_000))
    assert len(body) > 14_000_000
    wrong = _virtuoso(virtuoso_server, monkeypatch, "not-the-password")
    with pytest.raises(EndpointError, match="refused the user name or password of 'dba'"):
        wrong.replace_graph(graph, body)
    store = _virtuoso(virtuoso_server, monkeypatch, virtuoso_server.password)
    try:
        store.replace_graph(graph, body)
        assert store.graph_sizes()[graph] == 60_000
    finally:  # (Virtuoso's Graph Store takes minutes to empty a graph this size, and so does
        # SQL with the transaction log on: 90 s; without it, under a second)
        virtuoso_server.sql(f"log_enable(3, 1);\nSPARQL CLEAR GRAPH <{graph}>;\n")
    assert graph not in store.graph_sizes()


def test_virtuoso_without_credentials_asks_for_them(virtuoso_server, virtuoso_graph,  # type: ignore[no-untyped-def]
                                                    monkeypatch) -> None:
    monkeypatch.delenv("VLMSKG_USER", raising=False)
    monkeypatch.delenv("VLMSKG_PASSWORD", raising=False)
    monkeypatch.setenv("HOME", "/nonexistent")
    store = RemoteStore(virtuoso_server.query_url, graph_store=virtuoso_server.store_url)
    with pytest.raises(EndpointError, match="asks for a user name and password"):
        store.replace_graph(*virtuoso_graph)


# -- no server starts on a port another one listens on --------------------------------------


@pytest.mark.parametrize("port", ["port", "sql_port"])
def test_virtuoso_on_the_port_of_a_running_one_is_refused(virtuoso_server, tmp_path,  # type: ignore[no-untyped-def]
                                                          port: str) -> None:
    """Started there, it used to talk to the running Virtuoso, whose /sparql answers too."""
    taken = getattr(virtuoso_server, port)
    second = VirtuosoServer(tmp_path / "second", **{port: taken})
    with pytest.raises(EndpointError, match="cannot listen on this port") as caught:
        second.start()
    assert caught.value.endpoint == f"127.0.0.1:{taken}"
    assert not second.running() and not (tmp_path / "second").exists()
    assert virtuoso_server.running()


@pytest.mark.parametrize("server", [OxigraphServer,
                                    pytest.param(JenaServer, marks=pytest.mark.java)])
def test_a_server_on_a_port_in_use_is_refused(server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        refused = server(tmp_path / "store", port=port)
        with pytest.raises(EndpointError, match="cannot listen on this port") as caught:
            refused.start()
    assert caught.value.endpoint == f"127.0.0.1:{port}"
    assert not refused.running()
