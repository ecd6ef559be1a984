"""``vlmskg load --endpoint URL``: load the built graph into a SPARQL 1.1 server."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pyoxigraph as ox

from kg.building.pipeline import build_dataset
from kg.commands.build import cases_in
from kg.progress import task
from kg.store.load import load_dataset, read_dataset
from kg.store.remote import RemoteStore

__all__ = ["register", "run", "add_dataset_arguments", "dataset_from"]


def add_dataset_arguments(parser: argparse.ArgumentParser) -> None:
    """The options that choose the graph to load or serve (shared with ``vlmskg serve``)."""
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--input", type=Path, metavar="FILE",
                        help="a built dataset (dist/vlms-kg.nq or .trig) instead of building")
    source.add_argument("--cases", metavar="DIR",
                        help="build with the case files of DIR instead of the shipped ones")
    parser.add_argument("--skip-reasoner", action="store_true",
                        help="when building, do not run HermiT (no inferred tumour types)")


def dataset_from(args: argparse.Namespace) -> ox.Store:
    """The graph chosen by :func:`add_dataset_arguments`."""
    if args.input is not None:
        with task(f"reading {args.input}"):
            return read_dataset(args.input)
    return build_dataset(cases_in(args.cases), reason=not args.skip_reasoner).store


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "load", help="load the graph into a SPARQL server",
        description="Replace each named graph on a SPARQL 1.1 server (Graph Store Protocol), "
                    "then compare every graph's triple count with the local one. Credentials "
                    "come from VLMSKG_USER / VLMSKG_PASSWORD or ~/.netrc. Exit 1 if counts "
                    "differ, 3 if the server cannot be reached.")
    parser.add_argument("--endpoint", required=True, metavar="URL",
                        help="the SPARQL query endpoint, e.g. http://127.0.0.1:7878/query")
    parser.add_argument("--graph-store", metavar="URL",
                        help="the Graph Store endpoint (default for oxigraph: .../store; "
                             "Fuseki: .../DATASET/data; GraphDB: "
                             ".../repositories/REPO/rdf-graphs/service; Virtuoso: "
                             ".../sparql-graph-crud-auth)")
    parser.add_argument("--timeout", type=float, default=60.0, metavar="S",
                        help="seconds to wait for each answer (default: 60)")
    parser.add_argument("--retries", type=int, default=3, metavar="N",
                        help="retries on connection errors, HTTP 5xx and 429 (default: 3)")
    parser.add_argument("--prune", action="store_true",
                        help="empty graphs of the project's namespace that the server holds "
                             "but the graph no longer has (a removed or renamed case)")
    add_dataset_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    store = RemoteStore(args.endpoint, graph_store=args.graph_store, timeout=args.timeout,
                        retries=args.retries)
    store.ask("ASK {}")  # fail fast (exit 3) before the build if the server cannot be reached
    dataset = dataset_from(args)
    graphs = sum(1 for _ in dataset.named_graphs())
    with task(f"loading {graphs} graphs into {store.endpoint}", total=graphs) as step:
        def loaded(graph: str, n: int) -> None:
            print(f"loaded {graph} ({n} triples)")
            step.advance()

        report = load_dataset(store, dataset, prune=args.prune, on_graph=loaded)
    for graph in report.pruned:
        print(f"emptied {graph} (not in the graph any more)")
    for diff in report.differences:
        print(f"mismatch: {diff.graph}: {diff.local} triples here, {diff.stored} on the server",
              file=sys.stderr)
    if report.differences:
        print(f"vlmskg load: error: {len(report.differences)} graph(s) differ (fix: load again, "
              "or pass --prune to empty graphs that are no longer part of the graph)",
              file=sys.stderr)
    if not report.union_default_graph:
        print("vlmskg load: error: the graphs are loaded, but queries without GRAPH see none "
              "of them (fix: make the server's default graph the union of its named graphs: "
              "oxigraph --union-default-graph, Fuseki tdb2:unionDefaultGraph true; see README)",
              file=sys.stderr)
    if not report.ok:
        return 1
    print(f"{len(report.loaded)} graphs loaded into {store.endpoint}; every count matches")
    return 0
