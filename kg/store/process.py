"""A SPARQL server run as a child process: started in a session of its own, waited for
until it answers a query, stopped (or killed) with its log kept for error messages.

:class:`kg.store.server.OxigraphServer`, :class:`kg.store.jena_server.JenaServer` and
:class:`kg.store.virtuoso.VirtuosoServer` differ only in the command they run, the
endpoint they answer on and what they do once started.

>>> free_port() > 0
True
"""

from __future__ import annotations

import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from kg.errors import EndpointError

__all__ = ["ServerProcess", "check_port", "free_port", "port_taken"]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def check_port(host: str, port: int, hint: str = "choose another --port") -> None:
    """:class:`EndpointError` if something already listens on ``port``: it would answer in
    place of the server about to start (another Virtuoso's ``/sparql`` would, for one)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as err:
            raise port_taken(host, port, err, hint) from err


def port_taken(host: str, port: int, err: OSError, hint: str) -> EndpointError:
    """The error for ``port`` refused by the system with ``err``.

    >>> refused = OSError(98, "Address already in use")
    >>> port_taken("127.0.0.1", 8890, refused, "choose another --port").where()
    '127.0.0.1:8890: '
    >>> port_taken("127.0.0.1", 8890, refused, "choose another --port").message
    'cannot listen on this port: Address already in use'
    """
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return EndpointError(f"cannot listen on this port: {err.strerror}", endpoint=where,
                         hint=f"another server uses it; {hint}")


class ServerProcess:
    """One server process listening on ``host``:``port`` (a free port when ``None``)."""

    name = "the server"  #: how error messages call it
    stop_timeout = 10.0  #: seconds :meth:`stop` waits after SIGTERM before killing

    def __init__(self, host: str, port: int | None, startup_timeout: float) -> None:
        self.host = host
        self.port = port if port is not None else free_port(host)
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def query_url(self) -> str:
        raise NotImplementedError

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _launch(self, command: list[str], cwd: Path | None = None) -> None:
        """Start ``command`` with its output in a log; a session of its own, so that a
        Ctrl-C meant for our process does not end the server behind our back."""
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the server)
        self.process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL,
                                        stdout=self._log, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def _wait_until_answering(self, hint: str) -> None:
        """Return once a query is answered; :class:`EndpointError` with the server's log if
        it exits first or stays silent for ``startup_timeout`` seconds."""
        deadline = time.monotonic() + self.startup_timeout
        while not self._answers():
            exited = self.process is None or self.process.poll() is not None
            if exited or time.monotonic() > deadline:
                log = self.output()
                self.kill()
                why = "exited at start" if exited else \
                    f"did not answer within {self.startup_timeout:g} s"
                raise EndpointError(f"{self.name} {why}: {log}", endpoint=self.base_url,
                                    hint=hint)
            time.sleep(0.1)

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

    def stop(self, timeout: float | None = None) -> None:
        """Ask the server to stop (SIGTERM), killing it if it does not within ``timeout``
        seconds (default :attr:`stop_timeout`)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(self.stop_timeout if timeout is None else timeout)
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

    def start(self) -> Self:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()
