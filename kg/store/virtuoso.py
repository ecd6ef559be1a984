"""Start and stop an OpenLink Virtuoso 7 server (Debian's ``virtuoso-opensource``) on a
scratch database, set up as vlms-kg expects a SPARQL server to be.

The set-up, which the README's Virtuoso section repeats for a lasting server:

* ``virtuoso.ini`` is Debian's, with the database in the scratch folder, both ports bound
  to 127.0.0.1, that folder listed in ``DirsAllowed`` (for the bulk loader), and no
  refusal of a query on its estimated time (``MaxQueryCostEstimationTime = 0``);
* Virtuoso's own graphs (``virtrdf:``, ``ldp:``, the service description, ``DAV/``) stay
  readable: hidden in the group of private graphs they slowed ``cohort`` fourfold (README,
  "OpenLink Virtuoso"); the stored queries give the same rows with them present, and
  :meth:`~kg.store.Store.graph_sizes` counts only the project's graphs;
* ``dba`` gets the ``SPARQL_UPDATE`` role, and writes through the Graph Store endpoint
  ``/sparql-graph-crud-auth`` (HTTP Digest).

>>> server = VirtuosoServer(Path("/tmp/v"), port=8890, sql_port=1111)
>>> server.query_url, server.store_url
('http://127.0.0.1:8890/sparql', 'http://127.0.0.1:8890/sparql-graph-crud-auth')
"""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

from kg.errors import EndpointError, KGError
from kg.store.process import ServerProcess, check_port, free_port

__all__ = ["VirtuosoServer", "virtuoso_available", "SETUP_SQL"]

_DEBIAN_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
_INSTALL_HINT = "apt-get install virtuoso-opensource"

SETUP_SQL = 'GRANT SPARQL_UPDATE TO "dba";\n'
"""What ``isql`` runs once on a new database: ``dba`` may write through the Graph Store."""


def virtuoso_available() -> bool:
    """True when ``virtuoso-t``, ``isql-vt`` and Debian's ``virtuoso.ini`` are installed."""
    return all(shutil.which(b) for b in ("virtuoso-t", "isql-vt")) and _DEBIAN_INI.is_file()


class VirtuosoServer(ServerProcess):
    """One ``virtuoso-t`` process on the database in ``folder`` (made on first start), its
    HTTP port (``port``) and SQL port (``sql_port``) bound to ``host``; ``dba``/``password``
    is the administrator (a scratch database: ``dba``)."""

    name = "Virtuoso"
    stop_timeout = 30.0  # SIGTERM: Virtuoso checkpoints, then exits

    def __init__(self, folder: Path, *, host: str = "127.0.0.1", port: int | None = None,
                 sql_port: int | None = None, password: str = "dba",
                 query_timeout: int = 60, startup_timeout: float = 180.0) -> None:
        super().__init__(host, port, startup_timeout)
        self.folder = Path(folder)
        self.sql_port = sql_port if sql_port is not None else free_port(host)
        self.user, self.password = "dba", password
        self.query_timeout = query_timeout  #: seconds, Virtuoso's MaxQueryExecutionTime

    @property
    def query_url(self) -> str:
        return f"{self.base_url}/sparql"

    @property
    def store_url(self) -> str:
        """The Graph Store endpoint that takes writes (HTTP Digest, ``SPARQL_UPDATE``)."""
        return f"{self.base_url}/sparql-graph-crud-auth"

    @property
    def ini(self) -> Path:
        return self.folder / "virtuoso.ini"

    def write_ini(self) -> Path:
        """Debian's ``virtuoso.ini`` pointed at the scratch folder and 127.0.0.1."""
        if not _DEBIAN_INI.is_file():
            raise KGError(f"{_DEBIAN_INI} is missing: Virtuoso is not installed",
                          hint=_INSTALL_HINT)
        config = configparser.ConfigParser(strict=False, interpolation=None,
                                           inline_comment_prefixes=(";",))
        config.optionxform = str  # type: ignore[assignment,method-assign]
        config.read(_DEBIAN_INI)
        db = self.folder
        config["Database"].update({
            "DatabaseFile": str(db / "virtuoso.db"), "ErrorLogFile": str(db / "virtuoso.log"),
            "LockFile": str(db / "virtuoso.lck"), "TransactionFile": str(db / "virtuoso.trx"),
            "xa_persistent_file": str(db / "virtuoso.pxa")})
        config["TempDatabase"].update({"DatabaseFile": str(db / "virtuoso-temp.db"),
                                       "TransactionFile": str(db / "virtuoso-temp.trx")})
        parameters = config["Parameters"]
        parameters["ServerPort"] = f"{self.host}:{self.sql_port}"
        parameters["DirsAllowed"] = f"., {db}, /usr/share/virtuoso-opensource-7/vad"
        parameters["NumberOfBuffers"] = "20000"  # 160 MB: plenty for a test database
        parameters["MaxDirtyBuffers"] = "12000"
        config["HTTPServer"]["ServerPort"] = f"{self.host}:{self.port}"
        config["SPARQL"]["ResultSetMaxRows"] = "1000000"
        config["SPARQL"]["MaxQueryExecutionTime"] = str(self.query_timeout)
        # no refusal on the planner's estimate: it puts cohort at hundreds to thousands of
        # seconds, and Virtuoso answers it in seconds
        config["SPARQL"]["MaxQueryCostEstimationTime"] = "0"
        self.folder.mkdir(parents=True, exist_ok=True)
        with self.ini.open("w") as out:
            config.write(out)
        return self.ini

    def start(self) -> VirtuosoServer:
        """Start the server, wait until ``/sparql`` answers, and set up a new database."""
        if self.running():
            return self
        binary = shutil.which("virtuoso-t")
        if binary is None:
            raise KGError("virtuoso-t is not installed", hint=_INSTALL_HINT)
        for port in (self.port, self.sql_port):
            check_port(self.host, port, "choose other ports")
        new = not (self.folder / "virtuoso.db").exists()
        self.write_ini()
        self._launch([binary, "+foreground", "+configfile", str(self.ini)], cwd=self.folder)
        self._wait_until_answering("see the log")
        if new:
            self.sql(SETUP_SQL)
        return self

    def sql(self, statements: str) -> str:
        """Run SQL statements through ``isql-vt`` as ``dba``; :class:`EndpointError` on an
        error."""
        done = subprocess.run(["isql-vt", f"{self.host}:{self.sql_port}", self.user,
                               self.password], input=statements, capture_output=True,
                              text=True, timeout=600, check=False)
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise EndpointError(f"isql failed: {(done.stdout + done.stderr)[-500:]}",
                                endpoint=f"{self.host}:{self.sql_port}",
                                hint="see the Virtuoso log")
        return done.stdout

    def bulk_load(self, nquads: Path) -> None:
        """Load an N-Quads file with Virtuoso's bulk loader (``ld_dir``,
        ``rdf_loader_run``, ``checkpoint``); the file is copied into the scratch folder."""
        folder = self.folder / "load"
        folder.mkdir(exist_ok=True)
        shutil.copyfile(nquads, folder / "vlms-kg.nq")
        self.sql(f"ld_dir('{folder}', 'vlms-kg.nq', 'https://w3id.org/vlmskg/');\n"
                 "rdf_loader_run();\ncheckpoint;\n")
