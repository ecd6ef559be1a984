"""``vlmskg serve``: the vlms-kg web site (cases, questions, analysis, SPARQL) on this
machine, read-only, until Ctrl-C; ``--sparql-only`` serves just oxigraph's SPARQL server."""

from __future__ import annotations

import argparse
import shutil
import signal
import tempfile
from pathlib import Path
from types import FrameType

import pyoxigraph as ox

from kg.commands.load import add_dataset_arguments, dataset_from
from kg.errors import EndpointError, KGError
from kg.progress import task
from kg.store.embedded import EmbeddedStore, check_store_path
from kg.store.process import check_port
from kg.store.server import OxigraphServer
from kg.store.shipped import shipped_dataset
from kg.web.endpoint import DEFAULT_TIMEOUT
from kg.web.server import run_site
from kg.web.site import Site

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve", help="serve the web site (and SPARQL) on this machine",
        description="Serve the vlms-kg web site read-only until Ctrl-C: the cases, one page "
                    "per case, the stored questions, the pooled analysis and a SPARQL editor, "
                    "with the SPARQL 1.1 endpoint at /sparql (queries see the union of the "
                    "case graphs). The graph is the shipped one, or --store, --input or "
                    "--cases.")
    parser.add_argument("--port", type=int, default=7878, help="TCP port (default: 7878)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: 127.0.0.1, this machine only)")
    parser.add_argument("--store", type=Path, metavar="PATH",
                        help="serve the on-disk store built by 'vlmskg build --store PATH' "
                             "(read-only; its record cache makes large graphs start fast)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="S",
                        help=f"longest a SPARQL query may run, seconds "
                             f"(default: {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--sparql-only", action="store_true",
                        help="serve only oxigraph's own SPARQL server and query page")
    add_dataset_arguments(parser)
    parser.set_defaults(run=run)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _dataset(args: argparse.Namespace) -> ox.Store:
    if args.input is None and args.cases is None and not args.skip_reasoner:
        with task("reading the shipped graph"):
            return shipped_dataset()
    return dataset_from(args)


def _write_store(dataset: ox.Store, folder: Path) -> None:
    with task(f"writing {len(dataset)} quads into the site's store"):
        store = EmbeddedStore(folder)
        store.dataset.bulk_extend(dataset)
        store.close()
        del store  # release the folder's lock before the servers open it


def _serve_sparql_only(args: argparse.Namespace, location: Path, quads: int) -> int:
    server = OxigraphServer(location, host=args.host, port=args.port, read_only=True)
    with task("starting the SPARQL server"):
        server.start()
    try:
        print(f"serving {quads} triples at {server.base_url}/ (query page)", flush=True)
        print(f"SPARQL endpoint: {server.query_url}", flush=True)
        print(f"store folder: {location}; press Ctrl-C to stop", flush=True)
        assert server.process is not None
        code = server.process.wait()
        raise EndpointError(f"the server stopped by itself (exit code {code}): {server.output()}",
                            endpoint=server.base_url, hint="start it again")
    finally:
        server.stop()


def _ready(url: str, site: Site) -> None:
    print(f"serving the vlms-kg site ({len(site.records)} cases) at {url}/", flush=True)
    print(f"SPARQL endpoint: {url}/sparql", flush=True)
    print("press Ctrl-C to stop", flush=True)


def run(args: argparse.Namespace) -> int:
    if args.store is not None and (args.input is not None or args.cases is not None):
        raise KGError("give either --store or --input/--cases, not both",
                      hint="--store serves a built store; --input and --cases build one")
    if not args.timeout > 0:
        raise KGError(f"--timeout must be a positive number of seconds, got {args.timeout:g}",
                      hint="give e.g. --timeout 10")
    check_port(args.host, args.port)  # before any slow work
    if args.store is not None:
        check_store_path(args.store)
    # stop cleanly on kill, and on Ctrl-C even when started in the background (where the
    # shell makes the process ignore SIGINT)
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGTERM, signal.SIGINT)}
    folder = None
    try:
        if args.store is not None:
            location = args.store
            quads = 0
        else:
            dataset = _dataset(args)
            quads = len(dataset)
            folder = Path(tempfile.mkdtemp(prefix="vlmskg-serve-"))
            location = folder / "store"
            _write_store(dataset, location)
            print(f"store folder: {folder} (removed on exit)", flush=True)
        if args.sparql_only:
            return _serve_sparql_only(args, location, quads)
        run_site(location, host=args.host, port=args.port, timeout=args.timeout,
                 ready=_ready)
    except KeyboardInterrupt:
        pass
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("stopped", flush=True)
    return 0
