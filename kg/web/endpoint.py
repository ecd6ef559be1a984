"""The SPARQL endpoint behind ``/sparql``: a private ``oxigraph serve-read-only`` process
on a random 127.0.0.1 port, queries seeing the union of the case graphs. The site forwards
SPARQL 1.1 Protocol queries to it and refuses updates itself. The time limit is enforced
here: a query with no answer within it gets a 503 and the endpoint process is restarted,
so the query stops instead of running on (oxigraph's own ``--timeout-s``, also set, does
not stop every query, e.g. a large ``COUNT``).

>>> refusal("INSERT DATA { <a:b> <a:c> <a:d> }")
'updates are refused: the graph is read-only'
>>> refusal("SELECT * WHERE { ?s ?p ?o } LIMIT 1") is None
True
"""

from __future__ import annotations

import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from kg.store.server import OxigraphServer

__all__ = ["QueryServer", "Answer", "refusal", "forward", "DEFAULT_TIMEOUT", "MAX_QUERY"]

#: seconds a query may run by default.
DEFAULT_TIMEOUT = 10.0
#: the longest query text accepted, in characters.
MAX_QUERY = 100_000
_UPDATE = re.compile(r"^\s*(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
                     re.IGNORECASE)
_PROLOGUE = re.compile(r"^\s*(?:(?:#[^\n]*\n)|(?:BASE\s*<[^>]*>)|"
                       r"(?:PREFIX\s+[^:\s]*:\s*<[^>]*>)|\s+)*", re.IGNORECASE)


class QueryServer(OxigraphServer):
    """``oxigraph serve-read-only`` on ``location`` with a per-query time limit."""

    def __init__(self, location: Path, *, timeout: float = DEFAULT_TIMEOUT,
                 host: str = "127.0.0.1") -> None:
        super().__init__(location, host=host, read_only=True)
        self.timeout = timeout

        self._restart = threading.Lock()

    def command(self) -> list[str]:
        return [*super().command(), "--timeout-s", str(max(1, round(self.timeout)))]

    def restart(self) -> None:
        """End the process (and whatever query it runs) and start it again."""
        with self._restart:
            self.kill()
            self.start()

    def answer(self, query: str, accept: str) -> Answer:
        """The endpoint's answer to ``query``; a 503 when none came within the time limit,
        after which the process is restarted to stop the query."""
        got = forward(self.query_url, query, accept, self.timeout)
        if got.timed_out or not self.running():
            self.restart()
        return got


def refusal(query: str) -> str | None:
    """Why the site will not forward ``query`` (an update, or too long); ``None`` if fine."""
    if len(query) > MAX_QUERY:
        return f"the query is longer than {MAX_QUERY} characters"
    body = query[_PROLOGUE.match(query).end():]  # type: ignore[union-attr]
    if _UPDATE.match(body):
        return "updates are refused: the graph is read-only"
    return None


@dataclass(frozen=True)
class Answer:
    """The endpoint's answer: HTTP status, content type and body."""

    status: int
    content_type: str
    body: bytes
    timed_out: bool = False


def forward(query_url: str, query: str, accept: str, timeout: float) -> Answer:
    """Send ``query`` to the endpoint (POST, form-encoded) and return its answer as is; a
    query oxigraph stopped for its time limit, or no answer within ``timeout`` seconds, is
    a 503 (``timed_out`` in the second case)."""
    data = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(query_url, data=data, method="POST", headers={
        "Accept": accept or "application/sparql-results+json",
        "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return Answer(answer.status, answer.headers.get("Content-Type", "text/plain"),
                          answer.read())
    except urllib.error.HTTPError as err:
        body = err.read()
        text = body.decode("utf-8", "replace")
        status = 503 if "timeout" in text.lower() or "timed out" in text.lower() else err.code
        if status == 503:
            body = (f"the query ran longer than the time limit of {timeout:g} s; "
                    "narrow it (add a LIMIT or more patterns)").encode()
        return Answer(status, "text/plain; charset=utf-8", body)
    except TimeoutError:
        return Answer(503, "text/plain; charset=utf-8",
                      (f"the query ran longer than the time limit of {timeout:g} s and was "
                       "stopped; narrow it (add a LIMIT or more patterns)").encode(),
                      timed_out=True)
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        timed_out = isinstance(reason, TimeoutError)
        return Answer(503, "text/plain; charset=utf-8",
                      (f"the SPARQL endpoint did not answer: {reason}" if not timed_out else
                       f"the query ran longer than the time limit of {timeout:g} s and was "
                       "stopped; narrow it (add a LIMIT or more patterns)").encode(),
                      timed_out=timed_out)
