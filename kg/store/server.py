"""Start and stop an ``oxigraph`` SPARQL server on this machine.

The binary comes from the ``oxigraph`` PyPI package (installed next to the Python
interpreter). The server answers queries over the union of its named graphs.

>>> server = OxigraphServer(Path("/tmp/db"), port=7878)
>>> server.query_url, server.store_url
('http://127.0.0.1:7878/query', 'http://127.0.0.1:7878/store')
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from kg.errors import KGError
from kg.store.process import ServerProcess, check_port, free_port

__all__ = ["OxigraphServer", "oxigraph_binary", "free_port"]


def oxigraph_binary() -> Path:
    """The ``oxigraph`` executable: next to the running Python, else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return beside
    found = shutil.which("oxigraph")
    if found is None:
        raise KGError("the oxigraph server binary is not installed",
                      hint="pip install oxigraph (the PyPI package ships the server)")
    return Path(found)


class OxigraphServer(ServerProcess):
    """One ``oxigraph serve`` process on ``location`` (``read_only``: ``serve-read-only``);
    queries see the union of the named graphs unless ``union_default_graph`` is False."""

    name = "the oxigraph server"

    def __init__(self, location: Path, *, host: str = "127.0.0.1", port: int | None = None,
                 read_only: bool = False, union_default_graph: bool = True,
                 startup_timeout: float = 30.0) -> None:
        super().__init__(host, port, startup_timeout)
        self.location = Path(location)
        self.read_only, self.union_default_graph = read_only, union_default_graph

    @property
    def query_url(self) -> str:
        return f"{self.base_url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base_url}/update"

    @property
    def store_url(self) -> str:
        """The SPARQL 1.1 Graph Store Protocol endpoint."""
        return f"{self.base_url}/store"

    def command(self) -> list[str]:
        mode = "serve-read-only" if self.read_only else "serve"
        union = ["--union-default-graph"] if self.union_default_graph else []
        return [str(oxigraph_binary()), mode, "--location", str(self.location),
                "--bind", f"{self.host}:{self.port}", *union]

    def start(self) -> OxigraphServer:
        """Start the process and wait until it answers a query; :class:`EndpointError` if
        it exits or stays silent (its log is in the message)."""
        if self.running():
            return self
        check_port(self.host, self.port)
        self._launch(self.command())
        self._wait_until_answering("is the port already in use (choose another --port), and "
                                   "the location readable?")
        return self
