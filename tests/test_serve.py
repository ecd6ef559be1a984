"""``vlmskg serve`` and ``vlmskg load`` as a person runs them, on 127.0.0.1 only.

Ages are from the case reports: 72 (femoral vein case), 60 and 65 (the two IVC cases); the
graph holds more cases, so they are looked for among all ages.
"""

from __future__ import annotations

import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from SPARQLWrapper import JSON, POST, SPARQLWrapper

from kg.store.server import free_port

pytestmark = pytest.mark.server

VLMSKG = [sys.executable, "-m", "kg"]
AGES_QUERY = ("SELECT ?age WHERE { ?case <https://w3id.org/vlmskg/vocab/hasPatient> ?p . "
              "?p <https://w3id.org/vlmskg/vocab/ageYears> ?age }")


@pytest.fixture
def nquads(tmp_path: Path, dataset: ox.Store) -> Path:
    """The built graph as the N-Quads file `vlmskg build` writes."""
    path = tmp_path / "vlms-kg.nq"
    path.write_bytes(ox.serialize(dataset, format=ox.RdfFormat.N_QUADS))
    return path


def _ages(query_url: str) -> list[int]:
    wrapper = SPARQLWrapper(query_url)
    wrapper.setMethod(POST)
    wrapper.setReturnFormat(JSON)
    wrapper.setQuery(AGES_QUERY)
    rows = wrapper.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    return sorted(int(row["age"]["value"]) for row in rows)


def _lines(stream) -> queue.Queue[str]:  # type: ignore[no-untyped-def]
    """The lines of ``stream`` as they come, read by a background thread."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _until(lines: queue.Queue[str], marker: str, timeout: float = 120) -> str:
    text = ""
    while marker not in text:
        text += lines.get(timeout=timeout)
    return text


def _serve(nquads: Path, port: int, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([*VLMSKG, "serve", "--port", str(port), "--input", str(nquads),
                             *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _stop(process: subprocess.Popen[str], lines: queue.Queue[str], folder: Path, port: int,
          stop: signal.Signals) -> None:
    process.send_signal(stop)
    assert process.wait(timeout=30) == 0
    assert "stopped" in _until(lines, "stopped", timeout=5)
    assert not folder.exists()
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port)):
        pass


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_serve_shows_the_site_answers_sparql_then_stops_cleanly(
        nquads: Path, stop: signal.Signals) -> None:
    port = free_port()
    process = _serve(nquads, port)
    try:
        lines = _lines(process.stdout)
        banner = _until(lines, "Ctrl-C")
        base = f"http://127.0.0.1:{port}"
        assert re.search(rf"serving the vlms-kg site \(\d+ cases\) at {base}/", banner)
        assert f"SPARQL endpoint: {base}/sparql" in banner
        folder = Path(re.search(r"store folder: (\S+)", banner).group(1))  # type: ignore[union-attr]
        assert folder.is_dir()

        assert {60, 65, 72} <= set(_ages(f"{base}/sparql"))
        with urllib.request.urlopen(base + "/cases/lms-ivc-two-cases-c1", timeout=10) as page:
            assert page.status == 200 and "html" in page.headers["Content-Type"]
            assert "60 years" in page.read().decode()
        update = urllib.request.Request(base + "/sparql", data=b"update=DROP+ALL", method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:  # read-only
            urllib.request.urlopen(update, timeout=10)
        assert refused.value.code == 403
        assert {60, 65, 72} <= set(_ages(f"{base}/sparql"))

        _stop(process, lines, folder, port, stop)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_serve_sparql_only_is_the_plain_oxigraph_server(nquads: Path) -> None:
    port = free_port()
    process = _serve(nquads, port, "--sparql-only")
    try:
        lines = _lines(process.stdout)
        banner = _until(lines, "Ctrl-C")
        base = f"http://127.0.0.1:{port}"
        assert f"at {base}/ (query page)" in banner and f"SPARQL endpoint: {base}/query" in banner
        folder = Path(re.search(r"store folder: (\S+)", banner).group(1))  # type: ignore[union-attr]
        assert {60, 65, 72} <= set(_ages(f"{base}/query"))
        put = urllib.request.Request(base + "/store?graph=https://w3id.org/vlmskg/x",
                                     data=b"", method="PUT")
        with pytest.raises(urllib.error.HTTPError):  # read-only: nobody changes the graph
            urllib.request.urlopen(put, timeout=10)
        _stop(process, lines, folder, port, signal.SIGTERM)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_serve_on_a_busy_port_is_a_clear_error(oxigraph_server, nquads: Path) -> None:  # type: ignore[no-untyped-def]
    done = subprocess.run([*VLMSKG, "serve", "--port", str(oxigraph_server.port),
                           "--input", str(nquads)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 3
    assert done.stderr.startswith(f"vlmskg serve: error: 127.0.0.1:{oxigraph_server.port}: "
                                  "cannot listen on this port: ")
    assert "--port" in done.stderr and "Traceback" not in done.stderr


def test_load_command_loads_and_checks_counts(oxigraph_server, nquads: Path) -> None:  # type: ignore[no-untyped-def]
    done = subprocess.run([*VLMSKG, "load", "--endpoint", oxigraph_server.query_url,
                           "--input", str(nquads)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "every count matches" in done.stdout
    assert "loaded https://w3id.org/vlmskg/case/lms-femoral-vein-c1 (" in done.stdout
    assert {60, 65, 72} <= set(_ages(oxigraph_server.query_url))


def test_load_command_on_an_unreachable_endpoint_exits_3() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"  # nothing listens there
    done = subprocess.run([*VLMSKG, "load", "--endpoint", url, "--retries", "1"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 3
    assert done.stderr.startswith(f"vlmskg load: error: {url}: cannot reach the server")
    assert "Traceback" not in done.stderr


def test_load_command_takes_no_credentials_on_the_command_line() -> None:
    done = subprocess.run([*VLMSKG, "load", "--endpoint", "http://127.0.0.1:1/query",
                           "--password", "x"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "unrecognized arguments: --password" in done.stderr


@pytest.mark.parametrize(("arguments", "message"), [
    (["--store", "x", "--input", "y.nq"], "give either --store or --input/--cases, not both"),
    (["--timeout", "0"], "--timeout must be a positive number of seconds, got 0"),
    (["--store", "/nonexistent/store"], "no store in this folder"),
])
def test_serve_refuses_bad_options_before_starting(arguments: list[str], message: str) -> None:
    done = subprocess.run([*VLMSKG, "serve", "--port", str(free_port()), *arguments],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and message in done.stderr
    assert "Traceback" not in done.stderr and not done.stdout
