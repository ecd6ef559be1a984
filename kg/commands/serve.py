"""``vlmskg serve``: serve the graph read-only over SPARQL on this machine until Ctrl-C."""

from __future__ import annotations

import argparse
import shutil
import signal
import tempfile
from pathlib import Path
from types import FrameType

from kg.commands.load import add_dataset_arguments, dataset_from
from kg.errors import EndpointError
from kg.progress import task
from kg.store.embedded import EmbeddedStore
from kg.store.server import OxigraphServer

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve", help="serve the graph over SPARQL on this machine",
        description="Write the graph into a temporary oxigraph store and serve it read-only "
                    "(queries see the union of the named graphs) until Ctrl-C, which stops "
                    "the server and removes the temporary store.")
    parser.add_argument("--port", type=int, default=7878, help="TCP port (default: 7878)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: 127.0.0.1, this machine only)")
    add_dataset_arguments(parser)
    parser.set_defaults(run=run)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    dataset = dataset_from(args)
    folder = Path(tempfile.mkdtemp(prefix="vlmskg-serve-"))
    previous = signal.signal(signal.SIGTERM, _interrupt)  # stop cleanly on kill too
    server = OxigraphServer(folder / "store", host=args.host, port=args.port, read_only=True)
    try:
        with task(f"writing {len(dataset)} quads into the server's store"):
            store = EmbeddedStore(folder / "store")
            store.dataset.bulk_extend(dataset)
            store.close()
            del store  # release the folder's lock before the server opens it
        with task("starting the SPARQL server"):
            server.start()
        print(f"serving {len(dataset)} triples at {server.base_url}/ (query page)", flush=True)
        print(f"SPARQL endpoint: {server.query_url}", flush=True)
        print(f"store folder: {folder} (removed on exit); press Ctrl-C to stop", flush=True)
        assert server.process is not None
        code = server.process.wait()
        raise EndpointError(f"the server stopped by itself (exit code {code}): {server.output()}",
                            endpoint=server.base_url, hint="start it again")
    except KeyboardInterrupt:
        print("stopped", flush=True)
        return 0
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
        signal.signal(signal.SIGTERM, previous)
