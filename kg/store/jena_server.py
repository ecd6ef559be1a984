"""Start and stop a Jena SPARQL server: Jena's ARQ engine over a TDB2 database whose
default graph is the union of its named graphs (``tdb2:unionDefaultGraph``).

Debian packages Jena 4.5 but not Fuseki, so the HTTP layer is ``JenaTools.java serve``
(:mod:`kg.store.jena`): ``/query`` speaks the SPARQL protocol (JSON results) and ``/data``
the Graph Store Protocol (``PUT``/``GET``/``DELETE ?graph=IRI``, N-Triples), as Fuseki's
``/DATASET/query`` and ``/DATASET/data`` do. Queries are answered by Jena itself.

>>> server = JenaServer(Path("/tmp/tdb2"), port=3030)
>>> server.query_url, server.store_url
('http://127.0.0.1:3030/query', 'http://127.0.0.1:3030/data')
"""

from __future__ import annotations

import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO

from kg.errors import EndpointError
from kg.store.jena import jena_tools_command
from kg.store.server import free_port

__all__ = ["JenaServer"]


class JenaServer:
    """One Jena SPARQL server process on the TDB2 database in ``location`` (made when
    missing), listening on 127.0.0.1:``port``."""

    host = "127.0.0.1"

    def __init__(self, location: Path, *, port: int | None = None,
                 startup_timeout: float = 120.0) -> None:
        self.location = Path(location)
        self.port = port if port is not None else free_port(self.host)
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def query_url(self) -> str:
        return f"{self.base_url}/query"

    @property
    def store_url(self) -> str:
        return f"{self.base_url}/data"

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> JenaServer:
        """Start the server and wait until it answers a query."""
        if self.running():
            return self
        self.location.mkdir(parents=True, exist_ok=True)
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the server)
        self.process = subprocess.Popen(
            jena_tools_command(["serve", str(self.location), str(self.port)]),
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + self.startup_timeout
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = self.output()
                self.stop()
                raise EndpointError(f"the Jena server did not start: {log}",
                                    endpoint=self.base_url,
                                    hint="is a JDK (default-jdk-headless) installed?")
            time.sleep(0.2)
        return self

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.query_url + "?query=ASK%7B%7D", timeout=2) as ok:
                return bool(ok.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def output(self) -> str:
        """The end of what the server printed, on one line."""
        if self._log is None:
            return ""
        self._log.seek(0)
        return " ".join(self._log.read().decode("utf-8", "replace").split())[-500:]

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the server (SIGTERM), killing it if it does not within ``timeout``."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> JenaServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()
