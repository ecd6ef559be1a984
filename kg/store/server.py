"""Start and stop an ``oxigraph`` SPARQL server on this machine.

The binary comes from the ``oxigraph`` PyPI package (installed next to the Python
interpreter). The server answers queries over the union of its named graphs.

>>> server = OxigraphServer(Path("/tmp/db"), port=7878)
>>> server.query_url, server.store_url
('http://127.0.0.1:7878/query', 'http://127.0.0.1:7878/store')
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO

from kg.errors import EndpointError, KGError

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


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class OxigraphServer:
    """One ``oxigraph serve`` process on ``location`` (``read_only``: ``serve-read-only``);
    queries see the union of the named graphs unless ``union_default_graph`` is False."""

    def __init__(self, location: Path, *, host: str = "127.0.0.1", port: int | None = None,
                 read_only: bool = False, union_default_graph: bool = True,
                 startup_timeout: float = 30.0) -> None:
        self.location = Path(location)
        self.host, self.port = host, port if port is not None else free_port(host)
        self.read_only, self.union_default_graph = read_only, union_default_graph
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        """The server's root, where oxigraph serves its query page."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

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

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> OxigraphServer:
        """Start the process and wait until it answers a query; :class:`EndpointError` if
        it exits or stays silent (its log is in the message)."""
        if self.running():
            return self
        self._check_port()
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the server)
        # A session of its own: a Ctrl-C meant for our process does not kill the server
        # behind our back; stop() ends it.
        self.process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL,
                                        stdout=self._log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.output()
                self.process = None
                raise EndpointError(f"the oxigraph server exited at start: {log}",
                                    endpoint=self.base_url,
                                    hint="is the port already in use? Choose another --port")
            if self._answers():
                return self
            time.sleep(0.05)
        self.kill()
        raise EndpointError(f"the oxigraph server did not answer within "
                            f"{self.startup_timeout:g} s", endpoint=self.base_url,
                            hint="see whether the location is readable and the machine idle")

    def _check_port(self) -> None:
        """:class:`EndpointError` if something already listens on the port (it would
        answer in our server's place)."""
        with socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((self.host, self.port))
            except OSError as err:
                raise EndpointError(f"cannot listen on port {self.port}: {err.strerror}",
                                    endpoint=self.base_url,
                                    hint="another server uses it; choose another --port") from err

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.query_url + "?query=ASK%7B%7D", timeout=1) as answer:
                return bool(answer.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def output(self) -> str:
        """The end of what the server printed, on one line."""
        if self._log is None:
            return ""
        self._log.seek(0)
        return " ".join(self._log.read().decode("utf-8", "replace").split())[-500:]

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the server to stop (SIGTERM), killing it if it does not within ``timeout``."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._close()

    def kill(self) -> None:
        """End the server at once (SIGKILL), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._close()

    def _close(self) -> None:
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> OxigraphServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()
