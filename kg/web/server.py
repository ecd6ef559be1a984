"""Run the site: its read-only SPARQL endpoint, the pages' data, and waitress on one port
until Ctrl-C or SIGTERM, then stop everything.

>>> site_url("127.0.0.1", 7878)
'http://127.0.0.1:7878'
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import waitress

from kg.api.graph import KnowledgeGraph
from kg.progress import task
from kg.store.embedded import EmbeddedStore
from kg.store.process import check_port, port_taken
from kg.web.app import create_app
from kg.web.endpoint import DEFAULT_TIMEOUT, QueryServer
from kg.web.site import Site

__all__ = ["open_site", "run_site", "site_url"]

#: waitress worker threads (pages are short; a long query waits on the endpoint).
THREADS = 6


def site_url(host: str, port: int) -> str:
    """``http://host:port`` (IPv6 hosts in brackets).

    >>> site_url("::1", 8080)
    'http://[::1]:8080'
    """
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def open_site(location: Path) -> Site:
    """The pages' data read from the store folder ``location``, opened read-only (the
    endpoint reads it too); the build's record cache there is used when current."""
    return Site(KnowledgeGraph(EmbeddedStore.read_only(location)))


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run_site(location: Path, *, host: str = "127.0.0.1", port: int = 7878,
             timeout: float = DEFAULT_TIMEOUT,
             ready: Callable[[str, Site], None] | None = None) -> None:
    """Serve the site over the store folder ``location`` until Ctrl-C or SIGTERM (which
    return normally); ``ready(url, site)`` is called once it listens."""
    check_port(host, port)
    previous = {sig: signal.signal(sig, _interrupt)  # stop cleanly on kill and Ctrl-C
                for sig in (signal.SIGTERM, signal.SIGINT)}
    endpoint = QueryServer(location, timeout=timeout)
    server = None
    try:
        with task("starting the read-only SPARQL endpoint"):
            endpoint.start()
        with task("reading the cases"):
            site = open_site(location)
        with task("preparing the home page, the literature figures and the form terms"):
            site.warm()
        site.warm_answers()  # in the background: the questions' pages answer at once later
        app = create_app(site, endpoint)
        try:
            server = waitress.create_server(app, host=host, port=port, threads=THREADS,
                                            ident="vlms-kg")
        except OSError as err:
            raise port_taken(host, port, err, "choose another --port") from err
        if ready is not None:
            ready(site_url(host, port), site)
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            server.close()
        endpoint.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
