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

from pathlib import Path

from kg.store.jena import jena_tools_command
from kg.store.process import ServerProcess, check_port

__all__ = ["JenaServer"]


class JenaServer(ServerProcess):
    """One Jena SPARQL server process on the TDB2 database in ``location`` (made when
    missing), listening on 127.0.0.1:``port``."""

    name = "the Jena server"
    stop_timeout = 20.0

    def __init__(self, location: Path, *, port: int | None = None,
                 startup_timeout: float = 120.0) -> None:
        super().__init__("127.0.0.1", port, startup_timeout)
        self.location = Path(location)

    @property
    def query_url(self) -> str:
        return f"{self.base_url}/query"

    @property
    def store_url(self) -> str:
        return f"{self.base_url}/data"

    def start(self) -> JenaServer:
        """Start the server and wait until it answers a query."""
        if self.running():
            return self
        check_port(self.host, self.port, "choose another port")
        self.location.mkdir(parents=True, exist_ok=True)
        self._launch(jena_tools_command(["serve", str(self.location), str(self.port)]))
        self._wait_until_answering("is a JDK (default-jdk-headless) installed?")
        return self
