"""The remote backend: any SPARQL 1.1 server (oxigraph, Fuseki, GraphDB, Virtuoso, QLever).

Queries go through SPARQLWrapper (POST, JSON results) with bindings written as a
``VALUES`` block (:func:`kg.store.sparql.bind_values`). Graphs are replaced with the SPARQL
1.1 Graph Store HTTP Protocol: ``PUT <graph store>?graph=<iri>`` with an N-Triples body that
was parsed here first. The server must answer queries over the union of its named graphs
(oxigraph ``--union-default-graph``; see the README for the others).

Credentials come only from the environment (``VLMSKG_USER``, ``VLMSKG_PASSWORD``) or
``~/.netrc``. Connection failures, HTTP 5xx and 429 are retried with exponential backoff;
what still fails becomes one :class:`kg.errors.EndpointError` naming the URL.

>>> default_graph_store("http://127.0.0.1:7878/query")
'http://127.0.0.1:7878/store'
>>> default_graph_store("http://127.0.0.1:3030/vlmskg/sparql") is None
True
"""

from __future__ import annotations

import ast
import http.client
import json
import netrc
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox
from SPARQLWrapper import ASK, JSON, POST, SELECT, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    EndPointNotFound,
    QueryBadFormed,
    SPARQLWrapperException,
    Unauthorized,
)

from kg.errors import EndpointError, InputError, KGError, QueryError
from kg.store.auth import challenge_answer, credentials_refused
from kg.store.base import Bindings, Row, Store
from kg.store.embedded import parse_ntriples
from kg.store.sparql import GRAPH_SIZES, bind_values, sizes_from_rows
from kg.store.terms import from_sparql_json

__all__ = ["RemoteStore", "default_graph_store", "credentials", "USER_VARIABLE",
           "PASSWORD_VARIABLE"]

USER_VARIABLE = "VLMSKG_USER"
PASSWORD_VARIABLE = "VLMSKG_PASSWORD"
_AGENT = "vlms-kg (SPARQLWrapper)"
_GRAPH_STORE_PATHS = ("Fuseki: http://HOST:3030/DATASET/data; GraphDB: "
                      "http://HOST:7200/repositories/REPO/rdf-graphs/service; Virtuoso: "
                      "http://HOST:8890/sparql-graph-crud-auth")
_CREDENTIALS_HINT = (f"set {USER_VARIABLE} and {PASSWORD_VARIABLE} in the environment, or add "
                     "the host to ~/.netrc")
#: a server's own query time limit, as Virtuoso (SR171) and others word it
_SERVER_TIMEOUT = re.compile(r"\bSR171\b|timed out|time ?out", re.IGNORECASE)
_MAX_WAIT = 60.0  # seconds: the longest Retry-After we honour
_T = TypeVar("_T")


def default_graph_store(endpoint: str) -> str | None:
    """The Graph Store URL of an oxigraph-style endpoint (``…/query`` → ``…/store``), else None."""
    parts = urllib.parse.urlsplit(endpoint)
    if not parts.path.endswith("/query"):
        return None
    return urllib.parse.urlunsplit(parts._replace(path=parts.path[: -len("query")] + "store",
                                                  query="", fragment=""))


def credentials(url: str) -> tuple[str, str] | None:
    """User and password for ``url`` from the environment, else ``~/.netrc``, else None."""
    user, password = os.environ.get(USER_VARIABLE), os.environ.get(PASSWORD_VARIABLE)
    if user or password:
        if not (user and password):
            raise EndpointError("only one of the credential variables is set", endpoint=url,
                                hint=f"set both {USER_VARIABLE} and {PASSWORD_VARIABLE}")
        return user, password
    path = Path.home() / ".netrc"
    if not path.is_file():
        return None
    try:
        entry = netrc.netrc(str(path)).authenticators(urllib.parse.urlsplit(url).hostname or "")
    except netrc.NetrcParseError as err:
        raise InputError(f"cannot read ~/.netrc: {err.msg}", file=str(path), line=err.lineno,
                         hint="correct the entry or remove the file") from err
    return (entry[0], entry[2] or "") if entry else None


def _server_text(err: BaseException) -> str:
    """The server's own words from an HTTP error, shortened."""
    if isinstance(err, urllib.error.HTTPError):
        raw = err.read()
    else:  # SPARQLWrapper keeps the body only inside its message, as a bytes repr
        _, _, tail = str(err).partition("Response:\n")
        try:
            raw = ast.literal_eval(tail) if tail else b""
        except (ValueError, SyntaxError):
            raw = tail.encode()
    text = " ".join(raw.decode("utf-8", "replace").split())
    return text[:300] + ("…" if len(text) > 300 else "")


class RemoteStore(Store):
    """A SPARQL 1.1 server reached over HTTP."""

    def __init__(self, endpoint: str, *, graph_store: str | None = None, timeout: float = 30.0,
                 retries: int = 3, backoff: float = 0.5) -> None:
        for url in (endpoint, graph_store):
            parts = urllib.parse.urlsplit(url or "http://x")
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise EndpointError("not an http(s) URL", endpoint=str(url),
                                    hint="give a URL such as http://127.0.0.1:7878/query")
        if timeout <= 0 or retries < 0 or backoff < 0:
            raise EndpointError("timeout must be positive, retries and backoff not negative",
                                endpoint=endpoint, hint="check --timeout and --retries")
        self.endpoint = endpoint
        self.graph_store = graph_store or default_graph_store(endpoint)
        self.timeout, self.retries, self.backoff = timeout, retries, backoff
        self._credentials = credentials(endpoint)
        self._credentials_checked = False

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r}, graph_store={self.graph_store!r})"

    # -- HTTP with retries ---------------------------------------------------------------

    def _failure(self, url: str, err: Exception) -> tuple[KGError, bool, float | None]:
        """The error to raise for ``err``, whether to retry, and the server's Retry-After."""
        if isinstance(err, QueryBadFormed):
            return QueryError(f"the server rejected the query: {_server_text(err)}",
                              hint="correct the SPARQL"), False, None
        if isinstance(err, (Unauthorized, EndPointNotFound, EndPointInternalError)):
            code = {Unauthorized: 401, EndPointNotFound: 404, EndPointInternalError: 500}[type(err)]
            text = _server_text(err)
            if code >= 500 and _SERVER_TIMEOUT.search(text):  # asking again would time out again
                return EndpointError(f"the server stopped the query at its time limit: {text}",
                                     endpoint=url, hint="raise the server's query time limit, "
                                     "or narrow the query"), False, None
            return self._http_error(url, code, text), code >= 500, None
        if isinstance(err, SPARQLWrapperException):
            return EndpointError(f"the request failed: {err}", endpoint=url,
                                 hint="see the server's log"), False, None
        if isinstance(err, urllib.error.HTTPError):
            retry_after = err.headers.get("Retry-After", "") if err.headers else ""
            wait = min(float(retry_after), _MAX_WAIT) if retry_after.isdigit() else None
            code = err.code
            return (self._http_error(url, code, _server_text(err)),
                    code == 429 or code >= 500, wait)
        reason = err.reason if isinstance(err, urllib.error.URLError) else err
        if isinstance(reason, TimeoutError):
            return EndpointError(f"no answer within {self.timeout:g} s", endpoint=url,
                                 hint="raise --timeout, or check that the server is not "
                                      "overloaded"), False, None
        if isinstance(reason, (OSError, http.client.HTTPException, str)):
            return EndpointError(f"cannot reach the server ({reason})", endpoint=url,
                                 hint="is the server running and the URL right? An oxigraph "
                                      "server answers at http://HOST:PORT/query; start a local "
                                      "one with `vlmskg serve`"), True, None
        raise err

    def _http_error(self, url: str, code: int, text: str) -> EndpointError:
        if code == 401:
            what = (f"the server refused the user name or password of {self._credentials[0]!r}"
                    if self._credentials else "the server asks for a user name and password")
            return EndpointError(f"{what} (HTTP 401)", endpoint=url, hint=(
                f"check {USER_VARIABLE} and {PASSWORD_VARIABLE} (or ~/.netrc); the user needs "
                "write permission (Virtuoso: the SPARQL_UPDATE role)" if self._credentials
                else _CREDENTIALS_HINT))
        hint = {403: _CREDENTIALS_HINT + " (with write permission)",
                404: "check the URL: is this the SPARQL query (or Graph Store) endpoint?",
                429: f"the server is rate limiting; raise --retries (now {self.retries})"}
        return EndpointError(f"the server answered HTTP {code}" + (f": {text}" if text else ""),
                             endpoint=url, hint=hint.get(code, "see the server's log"))

    def _retrying(self, url: str, action: Callable[[], _T]) -> _T:
        for attempt in range(self.retries + 1):
            try:
                return action()
            except (SPARQLWrapperException, OSError, http.client.HTTPException) as err:
                error, retry, wait = self._failure(url, err)
                if not retry or attempt == self.retries:
                    if retry and self.retries:
                        error.message += f" (after {self.retries + 1} attempts)"
                    raise error from err
                time.sleep(wait if wait is not None else self.backoff * 2**attempt)
        raise AssertionError("unreachable")

    # -- queries -------------------------------------------------------------------------

    def _results(self, sparql: str, bindings: Bindings | None, form: str) -> dict[str, Any]:
        text = bind_values(sparql, bindings)

        def run() -> dict[str, Any]:
            wrapper = SPARQLWrapper(self.endpoint, agent=_AGENT)
            wrapper.setMethod(POST)
            wrapper.setOnlyConneg(True)
            wrapper.setReturnFormat(JSON)
            wrapper.setTimeout(self.timeout)  # type: ignore[arg-type]
            if self._credentials:
                wrapper.setCredentials(*self._credentials)
            wrapper.setQuery(text)
            wrapper.queryType = form  # its guess from the text can be fooled by a comment
            with wrapper.query().response as response:
                return json.loads(response.read())

        try:
            results = self._retrying(self.endpoint, run)
        except json.JSONDecodeError as err:
            raise EndpointError("the answer is not SPARQL JSON results", endpoint=self.endpoint,
                                hint="is this the SPARQL query endpoint (oxigraph: /query)?"
                                ) from err
        if not isinstance(results, dict):
            raise EndpointError("the answer is not SPARQL JSON results", endpoint=self.endpoint,
                                hint="is this the SPARQL query endpoint?")
        return results

    def select(self, sparql: str, bindings: Bindings | None = None) -> list[Row]:
        results = self._results(sparql, bindings, SELECT)
        if "results" not in results:
            raise QueryError("not a SELECT query", hint="use ask() for ASK queries")
        return [{name: from_sparql_json(value) for name, value in row.items()}
                for row in results["results"]["bindings"]]

    def ask(self, sparql: str, bindings: Bindings | None = None) -> bool:
        results = self._results(sparql, bindings, ASK)
        if "boolean" not in results:
            raise QueryError("not an ASK query", hint="use select() for SELECT queries")
        return bool(results["boolean"])

    def graph_sizes(self) -> dict[str, int]:
        return sizes_from_rows(self.select(GRAPH_SIZES))

    # -- Graph Store Protocol ------------------------------------------------------------

    def _opener(self, url: str) -> urllib.request.OpenerDirector:
        """An opener that answers the server's challenge, Basic or Digest.

        No credentials are sent before the server asks for them: a Basic header sent up
        front would replace the Digest answer on every retry (Virtuoso's
        ``/sparql-graph-crud-auth`` wants Digest), so that no password could ever succeed.
        (An upload asks first, with a ``HEAD``: :mod:`kg.store.auth`; this opener answers a
        server that challenges only the upload itself.)
        """
        if not self._credentials:
            return urllib.request.build_opener()
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, url, *self._credentials)
        return urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(passwords),
                                           urllib.request.HTTPBasicAuthHandler(passwords))

    def replace_graph(self, graph: str, ntriples: bytes) -> None:
        """PUT the graph through the Graph Store Protocol; the body is parsed (and
        re-serialised) here first, so a broken body never reaches the server."""
        if self.graph_store is None:
            raise EndpointError("no Graph Store endpoint to load through", endpoint=self.endpoint,
                                hint=f"pass --graph-store URL ({_GRAPH_STORE_PATHS})")
        triples = parse_ntriples(graph, ntriples)
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        separator = "&" if "?" in self.graph_store else "?"
        url = self.graph_store + separator + urllib.parse.urlencode({"graph": graph})
        opener = self._opener(self.graph_store)
        if self._credentials and not self._credentials_checked:
            if credentials_refused(url, self._credentials, self.timeout):
                raise self._http_error(self.graph_store, 401, "")
            self._credentials_checked = True

        def put() -> None:
            request = urllib.request.Request(url, data=body, method="PUT", headers={
                "Content-Type": "application/n-triples", "User-Agent": _AGENT})
            # answered before the body is sent: a server that refuses a large body at once
            # breaks the pipe before its challenge can be read (kg.store.auth)
            answer = self._credentials and challenge_answer(request, self._credentials,
                                                            self.timeout)
            if answer:
                request.add_unredirected_header("Authorization", answer)
            with opener.open(request, timeout=self.timeout) as response:
                response.read()

        self._retrying(self.graph_store, put)
