"""Benchmarks of vlms-kg at growing sizes, side by side with the reference tools.

Run by hand, not in CI (see benchmarks/README.md)::

    python benchmarks/run.py                   # N = 100, 1 000, 10 000, 100 000
    python benchmarks/run.py --sizes 100 1000  # only these sizes

For each size N a synthetic cohort is drawn (``vlmskg synth``), then each measurement runs
in a process of its own, one after the other, with a time limit (reported as "timeout")
and, for the reference tools, a memory limit (reported as "out of memory"):

* ``build``: full build into the on-disk store (parse, fast validation, classification by
  materialisation, bulk load), with the time of each step and the peak memory;
* ``sheets``: the same full build from the same cases written as case sheets (``vlmskg synth
  --format sheet``, drawn once and kept), to compare with ``build``;
* ``incremental``: the rebuild after one case's age changed;
* ``queries``: every stored query on the on-disk embedded store (after a warm-up, the
  median of 3 runs in ms; a query slower than 10 s is run once), then on an in-memory copy;
* ``floor``: the least a query can cost on this engine, in practice: a scan of every quad (the
  least a check of the whole store must do), and each query's own answer read back from
  flat triples (one node per row, one property per column) in an in-memory copy;
* ``analysis``: the pooled analysis on the built store: its per-case records read from the
  build's cache, then Table 1 and three stratified Kaplan–Meier analyses with log-rank tests
  (overall survival by vessel group, event-free survival by margin, metastasis-free
  survival by IVC segment);
* ``web``: each page of ``vlmskg serve`` over the built store (first request and best of
  two more);
* ``exports``: ``vlmskg export`` in each format over the built store, from opening the store
  to the folder written;
* ``validate``: the fast validator (SHACL compiled to SPARQL) over the cohort, in which a
  few cases are broken on purpose, and ``pyshacl``: pySHACL over the same files as one
  whole graph; both list their violations, which are compared;
* ``rdflib``: parsing every file into an in-memory rdflib Dataset, and one GROUP BY query;
* ``hermit``: HermiT (owlready2) over the whole ABox, compared with the materialiser.

Results go to benchmarks/out/results.json (updated after every measurement), a markdown
table (printed and written to benchmarks/out/results.md) and benchmarks/out/scaling.png
(time against N, log-log). Needs matplotlib for the figure.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, cast

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
SIZES = (100, 1000, 10000, 100000)
TOOLS = ("synth", "build", "sheets", "incremental", "queries", "floor", "analysis", "web",
         "exports",
         "validate", "pyshacl", "rdflib", "hermit")
REFERENCE = {"pyshacl", "rdflib", "hermit"}  #: run under the memory limit
SLOW_QUERY_MS = 10_000  #: a query slower than this is timed once, not three times
BROKEN_EVERY = 1000  #: one case in this many is broken on purpose for the validation runs
#: ways to break a case (regular expression, replacement), used in turn.
BREAKS = (
    (r'ageYears "\d+"', 'ageYears "150"'),
    (r"vlms:presence vlms:Present", "vlms:presence vlms:Presnt"),
    (r":lastFollowUp a vlms:LastFollowUp ;\n    vlms:timelinePosition \"\d+\"",
     ':lastFollowUp a vlms:LastFollowUp ;\n    vlms:timelinePosition "2"'),
)
TARGETS = {"build_10k_s": 60, "incremental_s": 2, "query_ms": 200, "build_100k_s": 600,
           "build_100k_gb": 8, "slope": 1.1, "validation_speedup": 20,
           "analysis_10k_s": 3, "analysis_100k_s": 30, "sheets_vs_turtle": 1.5,
           "web_page_s": 1, "export_10k_s": 60}
#: the stratified survival analyses the ``analysis`` step times: endpoint, grouping field.
ANALYSES = (("overall", "vessel-group"), ("event-free", "margin"),
            ("metastasis-free", "ivc-segment"))


# --- measurements (each runs in a child process) --------------------------------------------


def _paths(work: Path, n: int, seed: int) -> dict[str, Path]:
    return {"cohort": work / f"cohort-{n}-seed{seed}", "store": work / f"store-{n}",
            "broken": work / f"broken-{n}-seed{seed}", "violations": work / "violations"}


def _cohort_files(paths: dict[str, Path]) -> tuple[list[Path], list[Path]]:
    cases = sorted((paths["cohort"] / "cases").glob("*.ttl"))
    publications = sorted((paths["cohort"] / "publications").glob("*.ttl"))
    return cases, publications


def measure_synth(n: int, work: Path, seed: int) -> dict[str, Any]:
    from kg.synth import MANIFEST, write_cohort

    cohort = _paths(work, n, seed)["cohort"]
    manifest = cohort / MANIFEST
    if manifest.is_file():
        saved = json.loads(manifest.read_text())
        if (saved.get("cases"), saved.get("seed")) == (n, seed):
            return {"seconds": None, "reused": True}
    started = time.perf_counter()
    write_cohort(cohort, n, seed)
    return {"seconds": time.perf_counter() - started, "reused": False}


def measure_build(n: int, work: Path, seed: int) -> dict[str, Any]:
    from kg.building.incremental import build_store

    paths = _paths(work, n, seed)
    cases, publications = _cohort_files(paths)
    started = time.perf_counter()
    stats = build_store(paths["store"], cases, publications=publications, full=True)
    return {"seconds": time.perf_counter() - started, "steps": stats.seconds,
            "quads": stats.quads, "inferred": stats.inferred, "cases": stats.validated}


def measure_sheets(n: int, work: Path, seed: int) -> dict[str, Any]:
    """The full build of the cohort written as case sheets (the cohort is drawn once)."""
    from kg.building.incremental import build_store
    from kg.synth import MANIFEST, write_cohort

    cohort = work / f"sheets-{n}-seed{seed}"
    if not (cohort / MANIFEST).is_file():
        write_cohort(cohort, n, seed, form="sheet")
    cases = sorted((cohort / "cases").glob("*.yaml"))
    publications = sorted((cohort / "publications").glob("*.ttl"))
    started = time.perf_counter()
    stats = build_store(work / f"store-sheets-{n}", cases, publications=publications, full=True)
    return {"seconds": time.perf_counter() - started, "steps": stats.seconds,
            "quads": stats.quads, "cases": stats.validated}


def measure_incremental(n: int, work: Path, seed: int) -> dict[str, Any]:
    from kg.building.incremental import build_store

    paths = _paths(work, n, seed)
    cases, publications = _cohort_files(paths)
    case = paths["cohort"] / "cases" / f"synthetic-cohort-{seed}-c1.ttl"
    original = case.read_text(encoding="utf-8")
    age = int(re.search(r'ageYears "(\d+)"', original).group(1))  # type: ignore[union-attr]
    case.write_text(re.sub(r'ageYears "\d+"', f'ageYears "{age % 70 + 20}"', original),
                    encoding="utf-8")
    try:
        started = time.perf_counter()
        stats = build_store(paths["store"], cases, publications=publications)
        seconds = time.perf_counter() - started
    finally:
        case.write_text(original, encoding="utf-8")
    back = build_store(paths["store"], cases, publications=publications)
    return {"seconds": seconds, "parsed": stats.parsed, "validated": stats.validated,
            "full": stats.full, "restored_parsed": back.parsed}


def _timed(run: Callable[[], Any]) -> tuple[list[float], Any]:
    """Times of ``run()`` in ms: a warm-up, then three timed runs (for a run slower than
    SLOW_QUERY_MS, the warm-up only); and what the last run returned."""
    runs = []
    for _ in range(4):
        started = time.perf_counter()
        result = run()
        runs.append((time.perf_counter() - started) * 1000)
        if runs[0] > SLOW_QUERY_MS:
            break
    return runs[1:] or runs, result


def _example_params(query: Any, seed: int) -> dict[str, str]:
    """A value for each required parameter: the first synthetic case's tumour."""
    example = f"https://w3id.org/vlmskg/case/synthetic-cohort-{seed}-c1/tumour"
    return {p.name: example for p in query.params if p.default is None}


def _time_queries(store: Any, seed: int) -> dict[str, tuple[float, int]]:
    """Every stored query on ``store``: (median ms of the timed runs, rows)."""
    from kg.queries.catalogue import list_queries
    from kg.queries.run import run_query

    timings = {}
    for query in list_queries():
        params = _example_params(query, seed)
        runs, rows = _timed(functools.partial(run_query, query.name, store, **params))
        timings[query.name] = (statistics.median(runs), len(rows))
    return timings


def measure_queries(n: int, work: Path, seed: int) -> dict[str, Any]:
    from kg.store import EmbeddedStore

    path = _paths(work, n, seed)["store"]
    on_disk = _time_queries(EmbeddedStore(path), seed)
    started = time.perf_counter()
    copy = EmbeddedStore.in_memory_copy(path)
    copy_seconds = time.perf_counter() - started
    in_memory = _time_queries(copy, seed)
    timings = {name: {"disk_ms": ms, "memory_ms": in_memory[name][0], "rows": rows,
                      "same_rows": rows == in_memory[name][1]}
               for name, (ms, rows) in on_disk.items()}
    slowest = max(timings, key=lambda q: timings[q]["disk_ms"])
    slowest_in_memory = max(timings, key=lambda q: timings[q]["memory_ms"])
    return {"queries": timings, "max_ms": timings[slowest]["disk_ms"], "slowest": slowest,
            "memory_max_ms": timings[slowest_in_memory]["memory_ms"],
            "memory_slowest": slowest_in_memory, "copy_seconds": copy_seconds}


FLOOR = "urn:vlmskg-bench:floor/"  #: namespace of the flat copies of the answers
#: checks that must look at every quad of every case graph (any quad may hold a foreign node
#: or an undeclared term), so that their floor is a scan of the whole store
SCANS_EVERY_QUAD = {"cross-case-reference-violation", "undeclared-term-violation"}


def _answer_as_quads(name: str, variables: tuple[str, ...], rows: list[Any]) -> list[Any]:
    """``rows`` (pyoxigraph solutions) as flat triples: one node per row, one property per
    column, in a graph of their own."""
    import pyoxigraph as ox

    graph, kind = ox.NamedNode(FLOOR + name), ox.NamedNode(FLOOR + name + "/Row")
    a = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    columns = {v: ox.NamedNode(f"{FLOOR}{name}/{v}") for v in variables}
    quads = []
    for index, row in enumerate(rows):
        node = ox.NamedNode(f"{FLOOR}{name}/row/{index}")
        quads.append(ox.Quad(node, a, kind, graph))
        quads += [ox.Quad(node, columns[v], row[v], graph) for v in variables
                  if row[v] is not None]
    return quads


def _flat_queries(name: str, sparql: str, variables: tuple[str, ...]) -> list[str]:
    """Two ways to read the flat answer back (an OPTIONAL per column, or a hash join per
    column), ordered as the stored query orders its rows."""
    order = sparql[sparql.rfind("ORDER BY"):] if "ORDER BY" in sparql else ""
    if not set(re.findall(r"\?(\w+)", order)) <= set(variables):
        order = ""
    head = f"SELECT {' '.join('?' + v for v in variables)} WHERE {{ ?row a <{FLOOR}{name}/Row> ."
    plain = " ".join(f"OPTIONAL {{ ?row <{FLOOR}{name}/{v}> ?{v} }}" for v in variables)
    hashed = " ".join(f"OPTIONAL {{ SELECT * WHERE {{ ?row <{FLOOR}{name}/{v}> ?{v} }} }}"
                      for v in variables)
    return [f"{head} {plain} }} {order}", f"{head} {hashed} }} {order}"]


_VLMS = "https://w3id.org/vlmskg/vocab/"
#: the steps every row-per-case query is made of, each over all the cases, timed in memory
#: (name → query, result variables): how their cost per row grows with N bounds the slope of
#: the stored queries on this engine
PRIMITIVES = {
    "every case: one class scan": (f"SELECT ?case WHERE {{ ?case a <{_VLMS}Case> }}", ("case",)),
    "every case, sorted": (f"SELECT ?case WHERE {{ ?case a <{_VLMS}Case> }} ORDER BY ?case",
                           ("case",)),
    "every case and its patient: one index look-up per case": (
        f"SELECT ?case ?patient WHERE {{ ?case a <{_VLMS}Case> . "
        f"?case <{_VLMS}hasPatient> ?patient }}", ("case", "patient")),
    "every case and its patient: two scans, hash-joined": (
        f"SELECT ?case ?patient WHERE {{ ?case a <{_VLMS}Case> . "
        f"{{ SELECT * WHERE {{ ?case <{_VLMS}hasPatient> ?patient }} }} }}", ("case", "patient")),
}


def _best_ms(store: Any, text: str, variables: tuple[str, ...]) -> float:
    """The best timed run of ``text``, rows read as ``run_query`` reads them."""
    return min(_timed(lambda: store.select_values(text, variables))[0])


def measure_floor(n: int, work: Path, seed: int) -> dict[str, Any]:
    """The least a query can cost on this engine, in practice: reading every quad once (what a
    check of the whole store must do), on disk and in memory; and, for each stored query,
    reading its own answer back from flat triples (one node per row, one property per column)
    put next to the data in an in-memory copy of the store. On disk there is no such floor:
    each stored string costs a lookup, so reading an answer back can be slower than computing
    it."""
    from kg.queries.catalogue import list_queries
    from kg.queries.run import bind_parameters
    from kg.store import EmbeddedStore
    from kg.store.sparql import bind_values

    path = _paths(work, n, seed)["store"]
    scan = "SELECT (COUNT(*) AS ?quads) WHERE { GRAPH ?g { ?s ?p ?o } }"
    memory = EmbeddedStore.in_memory_copy(path)
    result: dict[str, Any] = {"scan_disk_ms": _best_ms(EmbeddedStore(path), scan, ("quads",)),
                              "scan_memory_ms": _best_ms(memory, scan, ("quads",)), "queries": {},
                              "primitives_memory_ms": {
                                  name: _best_ms(memory, text, variables)
                                  for name, (text, variables) in PRIMITIVES.items()}}
    flat: dict[str, tuple[tuple[str, ...], list[str]]] = {}
    quads = []
    for query in list_queries():
        params = _example_params(query, seed)
        sparql = bind_values(query.sparql, bind_parameters(query, params) or None)
        rows = list(cast(Iterable[Any], memory.dataset.query(sparql,
                                                             use_default_graph_as_union=True)))
        quads += _answer_as_quads(query.name, query.variables, rows)
        flat[query.name] = (query.variables, _flat_queries(query.name, sparql, query.variables))
    memory.dataset.extend(quads)
    for name, (variables, texts) in flat.items():
        best = min(_best_ms(memory, text, variables) for text in texts)
        if name in SCANS_EVERY_QUAD:
            best = max(best, result["scan_memory_ms"])
        result["queries"][name] = {"memory_ms": best}
    return result

def _validation_files(n: int, work: Path, seed: int) -> tuple[list[Path], list[Path]]:
    """The cohort's case files, one in BROKEN_EVERY replaced by a broken copy."""
    paths = _paths(work, n, seed)
    cases, publications = _cohort_files(paths)
    paths["broken"].mkdir(parents=True, exist_ok=True)
    files = []
    for index, case in enumerate(cases):
        if index % BROKEN_EVERY == 0:
            pattern, replacement = BREAKS[(index // BROKEN_EVERY) % len(BREAKS)]
            broken = paths["broken"] / case.name
            text, count = re.subn(pattern, replacement, case.read_text(encoding="utf-8"),
                                  count=1)
            assert count == 1, f"cannot break {case}"
            broken.write_text(text, encoding="utf-8")
            files.append(broken)
        else:
            files.append(case)
    return files, publications


def _save_violations(work: Path, name: str, n: int, rows: set[tuple]) -> str:
    target = _paths(work, n, 0)["violations"]
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"{name}-{n}.json"
    path.write_text(json.dumps(sorted(rows, key=lambda row: [x or "" for x in row]), indent=0))
    return str(path)


def measure_validate(n: int, work: Path, seed: int) -> dict[str, Any]:
    import pyoxigraph as ox

    from kg import resources
    from kg.building.incremental import CHUNK_SIZE
    from kg.sources.files import Source
    from kg.validation.compiled import load_units, shapes_for_project, validate_store

    files, extra = _validation_files(n, work, seed)
    schema, compiled = shapes_for_project()
    pubs_store = ox.Store()
    publications, _ = load_units(pubs_store, [Source.for_publication(p) for p in
                                              [*resources.publication_files(), *extra]])
    context = list(pubs_store)
    parse = validate = 0.0
    violations: set[tuple] = set()
    for start in range(0, len(files), CHUNK_SIZE):
        step = time.perf_counter()
        store = ox.Store()
        store.extend(schema.ontology)
        store.extend(context)
        cases, _ = load_units(store, [Source.for_case(p) for p in files[start:start + CHUNK_SIZE]])
        parse += time.perf_counter() - step
        step = time.perf_counter()
        report = validate_store(store, cases, publications, shapes=(schema, compiled),
                                check_publications=start == 0)
        validate += time.perf_counter() - step
        violations |= {(r.focus, r.path, r.shape) for r in report.violations}
    return {"seconds": validate, "parse_seconds": parse, "violations": len(violations),
            "list": _save_violations(work, "ours", n, violations)}


def measure_pyshacl(n: int, work: Path, seed: int) -> dict[str, Any]:
    import pyoxigraph as ox
    from pyshacl import validate as shacl_validate
    from rdflib import SH, Graph, URIRef

    from kg import resources
    from kg.sources.files import Source
    from kg.validation.compiled import load_units
    from kg.validation.graph import _DataGraph
    from kg.validation.schema import load_schema

    files, extra = _validation_files(n, work, seed)
    schema = load_schema()
    started = time.perf_counter()
    store = ox.Store()
    store.extend(schema.ontology)
    load_units(store, [Source.for_publication(p) for p in [*resources.publication_files(),
                                                           *extra]])
    load_units(store, [Source.for_case(p) for p in files])
    parse = time.perf_counter() - started
    started = time.perf_counter()
    _, report, _ = shacl_validate(_DataGraph(store), shacl_graph=schema.shapes, inference="none",
                                  advanced=True, inplace=True, allow_warnings=True)
    seconds = time.perf_counter() - started
    assert isinstance(report, Graph)
    violations = set()
    for result in report.objects(None, SH.result):
        if report.value(result, SH.resultSeverity) != SH.Violation:
            continue
        source = report.value(result, SH.sourceShape)
        shape = (source if isinstance(source, URIRef) or source is None
                 else schema.owner.get(source, source))
        path = report.value(result, SH.resultPath)
        inverse = report.value(path, SH.inversePath) if path is not None else None
        violations.add((str(report.value(result, SH.focusNode)),
                        f"^{inverse}" if inverse is not None else
                        (str(path) if path is not None else None), str(shape)))
    return {"seconds": seconds, "parse_seconds": parse, "violations": len(violations),
            "list": _save_violations(work, "pyshacl", n, violations)}


#: the query both rdflib and pyoxigraph answer in the ``rdflib`` measurement
PATIENTS_PER_SEX = """
    SELECT ?sex (COUNT(DISTINCT ?patient) AS ?patients) WHERE {
      GRAPH ?g { ?patient <https://w3id.org/vlmskg/vocab/sex> ?sex }
    } GROUP BY ?sex"""


def _partial(result: dict[str, Any]) -> None:
    """Report figures already measured, kept even if the child fails later."""
    print("PARTIAL " + json.dumps(result), flush=True)


def measure_rdflib(n: int, work: Path, seed: int) -> dict[str, Any]:
    """rdflib parsing every case file into an in-memory Dataset, one named graph each, then
    one GROUP BY; first the same with pyoxigraph as the build does it (``load_units``), for
    the ratio."""
    import pyoxigraph as ox
    from rdflib import Dataset, URIRef

    from kg.sources.files import Source
    from kg.validation.compiled import load_units

    cases, _ = _cohort_files(_paths(work, n, seed))
    started = time.perf_counter()
    store = ox.Store()
    load_units(store, [Source.for_case(case) for case in cases])
    ours_parse = time.perf_counter() - started
    started = time.perf_counter()
    ours_rows = sorted((r["sex"].value, int(r["patients"].value))
                       for r in cast(Iterable[Any], store.query(PATIENTS_PER_SEX)))
    ours = {"pyoxigraph_seconds": ours_parse, "pyoxigraph_group_by_seconds":
            time.perf_counter() - started, "pyoxigraph_quads": len(store)}
    del store
    _partial(ours)
    started = time.perf_counter()
    dataset = Dataset()
    for case in cases:
        graph = f"https://w3id.org/vlmskg/case/{case.stem}"
        dataset.graph(URIRef(graph)).parse(case, format="turtle", publicID=graph + "/")
    parse = time.perf_counter() - started
    started = time.perf_counter()
    rows = sorted((str(r[0]), int(r[1])) for r in cast(Iterable[Any],
                                                       dataset.query(PATIENTS_PER_SEX)))
    query = time.perf_counter() - started
    return {**ours, "seconds": parse, "group_by_seconds": query, "groups": len(rows),
            "triples": len(dataset), "same_answer": rows == ours_rows}


def measure_hermit(n: int, work: Path, seed: int) -> dict[str, Any]:
    import owlready2
    import pyoxigraph as ox

    from kg import resources
    from kg.reasoning.hermit import infer_case_types
    from kg.reasoning.materialize import Classifier
    from kg.sources.files import Source, parse_source
    from kg.validation.compiled import load_units

    owlready2.reasoning.JAVA_MEMORY = int(os.environ.get("BENCH_MEMORY_MB", "12000"))
    cases, _ = _cohort_files(_paths(work, n, seed))
    ontology = ox.serialize((q.triple for p in resources.ontology_files()
                             for q in parse_source(Source.for_ontology(p))),
                            format=ox.RdfFormat.N_TRIPLES) or b""
    bodies = {case.stem: ox.serialize((q.triple for q in parse_source(Source.for_case(case))),
                                      format=ox.RdfFormat.N_TRIPLES) or b"" for case in cases}
    store = ox.Store()
    store.load(ontology, format=ox.RdfFormat.N_TRIPLES)
    load_units(store, [Source.for_case(p) for p in cases])
    started = time.perf_counter()
    classifier = Classifier.from_ontology(ontology)
    mine = sorted(p for pairs in classifier.tumour_types(store).values() for p in pairs)
    materialize = time.perf_counter() - started
    _partial({"materialize_seconds": materialize})  # kept if HermiT then times out
    del store
    started = time.perf_counter()
    hermit = infer_case_types(ontology, bodies)
    return {"seconds": time.perf_counter() - started, "materialize_seconds": materialize,
            "types": len(hermit), "agrees": mine == hermit}


def measure_analysis(n: int, work: Path, seed: int) -> dict[str, Any]:
    from kg.analysis.cache import load_records
    from kg.analysis.summary import summarise
    from kg.analysis.survival import analyse
    from kg.store import open_store

    store = open_store(path=_paths(work, n, seed)["store"])
    parts: dict[str, float] = {}
    started = time.perf_counter()
    records = load_records(store)
    parts["records"] = time.perf_counter() - started
    step = time.perf_counter()
    table = summarise(records)
    parts["summary"] = time.perf_counter() - step
    tests = {}
    for endpoint, by in ANALYSES:
        step = time.perf_counter()
        result = analyse(records, endpoint, "surgery", by)
        parts[f"{endpoint} by {by}"] = time.perf_counter() - step
        tests[f"{endpoint} by {by}"] = None if result.logrank is None else result.logrank.p
    seconds = time.perf_counter() - started
    store.close()
    return {"seconds": seconds, "steps": parts, "cases": table.n, "logrank_p": tests}


#: the web site's pages the ``web`` step times ({case}: the first case, {last}: last page).
WEB_ROUTES = ("/", "/cases", "/cases?sex=female&margin=R0&age_min=50&sort=age&order=desc",
              "/cases?page={last}", "/cases.csv?vessel=inferior+vena+cava", "/cases/{case}",
              "/questions", "/questions/cases-involving-structure",
              "/questions/cases-involving-structure?run=1&structure=right+atrium",
              "/questions/cohort?run=1", "/questions/immunohistochemistry-profile?run=1",
              "/analysis", "/analysis?by=vessel-group&field1=age&op1=%3E%3D&value1=60",
              "/analysis/survival.svg", "/analysis/survival.svg?by=margin", "/editor",
              "/sparql?query=ASK%7B%7D",
              "/.well-known/sparql-examples")


def measure_web(n: int, work: Path, seed: int) -> dict[str, Any]:
    """Each page of the web site (``vlmskg serve`` over the build's store, through Flask's
    test client), with every stored question that needs no value: the first request and
    the best of two more, once the answers computed in the background at start are ready."""
    from kg.queries.catalogue import list_queries
    from kg.web.app import create_app
    from kg.web.endpoint import QueryServer
    from kg.web.server import open_site

    location = _paths(work, n, seed)["store"]
    parts: dict[str, float] = {}
    routes: dict[str, dict[str, Any]] = {}
    with QueryServer(location, timeout=30) as endpoint:
        started = time.perf_counter()
        site = open_site(location)
        parts["start: records"] = time.perf_counter() - started
        step = time.perf_counter()
        site.warm()
        parts["start: literature, home figure, form terms"] = time.perf_counter() - step
        step = time.perf_counter()
        site.warm_answers().join()
        parts["after start, in the background: the questions' answers"] = (
            time.perf_counter() - step)
        client = create_app(site, endpoint).test_client()
        last = max(1, -(-len(site.records) // 50))
        questions = [f"/questions/{q.name}?run=1" for q in list_queries()
                     if q.defaults is not None]
        for route in dict.fromkeys([*WEB_ROUTES, *questions]):
            url = route.format(case=site.records[0].case_id, last=last)
            times, statuses, size = [], set(), 0
            for _ in range(3):
                step = time.perf_counter()
                answer = client.get(url)
                times.append(time.perf_counter() - step)
                statuses.add(answer.status_code)
                size = len(answer.data)
            routes[route] = {"first_s": round(times[0], 4), "best_s": round(min(times[1:]), 4),
                             "status": sorted(statuses), "bytes": size}
    slowest = max(routes.values(), key=lambda r: r["first_s"])
    return {"seconds": slowest["first_s"], "steps": parts, "routes": routes,
            "cases": len(site.records)}


def measure_exports(n: int, work: Path, seed: int) -> dict[str, Any]:
    """Each export format over the build's store (``vlmskg export FORMAT --store``): the
    time to open the store, added to each format's time from reading the cases to the
    folder written; with the count of files."""
    from kg.api import KnowledgeGraph
    from kg.exports.run import FORMATS, export

    started = time.perf_counter()
    graph = KnowledgeGraph.open(store=_paths(work, n, seed)["store"])
    opening = time.perf_counter() - started
    formats: dict[str, dict[str, Any]] = {}
    for name in FORMATS:
        started = time.perf_counter()
        result = export(name, graph, work / f"export-{n}" / name)
        formats[name] = {"seconds": round(opening + time.perf_counter() - started, 3),
                         "files": result.files, "cases": len(result.cases)}
    graph.close()
    return {"seconds": max(f["seconds"] for f in formats.values()), "open_s": opening,
            "formats": formats}


MEASURES: dict[str, Callable[[int, Path, int], dict[str, Any]]] = {
    "synth": measure_synth, "build": measure_build, "sheets": measure_sheets,
    "incremental": measure_incremental,
    "queries": measure_queries, "floor": measure_floor, "analysis": measure_analysis,
    "web": measure_web, "exports": measure_exports,
    "validate": measure_validate,
    "pyshacl": measure_pyshacl,
    "rdflib": measure_rdflib, "hermit": measure_hermit,
}


def child(tool: str, n: int, work: Path, seed: int) -> None:
    """Run one measurement and print its result as one JSON line."""
    result = MEASURES[tool](n, work, seed)
    peak_kb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    result["peak_mb"] = round(peak_kb / 1024, 1)
    print("RESULT " + json.dumps(result), flush=True)


# --- the parent: one child per measurement, one at a time -----------------------------------


def _limit_memory(megabytes: int) -> Callable[[], None]:
    def apply() -> None:
        size = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
    return apply


def run_child(tool: str, n: int, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", tool, "--n", str(n),
               "--work", str(args.work), "--seed", str(args.seed)]
    env = {**os.environ, "BENCH_MEMORY_MB": str(args.memory_limit_gb * 1024)}
    limit = _limit_memory(args.memory_limit_gb * 1024) if tool in REFERENCE - {"hermit"} else None
    started = time.perf_counter()
    # a session of its own, so that a timeout also stops what the child started (HermiT's JVM)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, preexec_fn=limit, env=env, cwd=HERE.parent,
                               start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, _ = process.communicate()
        return {**_partials(stdout), "status": "timeout", "limit_s": args.timeout}
    wall = time.perf_counter() - started
    partial = _partials(stdout)
    for line in stdout.splitlines():
        if line.startswith("RESULT "):
            return {"status": "ok", "wall_s": wall, **json.loads(line[len("RESULT "):])}
    error = (stderr.strip().splitlines() or ["no output"])[-1]
    memory = "MemoryError" in stderr or "OutOfMemory" in stderr
    return {**partial, "status": "out of memory" if memory else "error",
            "error": error[:300], "wall_s": wall}


def _partials(stdout: str | None) -> dict[str, Any]:
    """The figures a child reported before it stopped (its ``PARTIAL`` lines)."""
    partial: dict[str, Any] = {}
    for line in (stdout or "").splitlines():
        if line.startswith("PARTIAL "):
            partial.update(json.loads(line[len("PARTIAL "):]))
    return partial


def limit_hit_before(results: dict[str, Any], tool: str, n: int) -> str | None:
    """Why a reference tool is not run at ``n``: it hit its time or memory limit at a
    smaller size (it would at ``n`` too, later and with more data).

    >>> limit_hit_before({"1000": {"pyshacl": {"status": "timeout"}}}, "pyshacl", 10000)
    'timeout at N = 1000'
    """
    for smaller in sorted(int(m) for m in results if int(m) < n):
        status = results[str(smaller)].get(tool, {}).get("status")
        if status in ("timeout", "out of memory"):
            return f"{status} at N = {smaller}"
    return None


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _cell(entry: dict[str, Any] | None, key: str = "seconds", digits: int = 1) -> str:
    if not entry:
        return "–"
    if entry.get("status") == "not run":
        return f"not run ({entry.get('reason')})"
    if entry.get("status") != "ok":
        return str(entry.get("status"))
    return _fmt(entry.get(key), digits)


def _seconds(value: float | None) -> str:
    """Seconds to about three significant digits: 1677, 21.1, 0.34, 0.0004."""
    if value is None:
        return "–"
    return f"{value:.0f}" if value >= 100 else f"{value:.3g}"


def _same_violations(ours: dict[str, Any], reference: dict[str, Any]) -> bool:
    return bool(json.loads(Path(ours["list"]).read_text())
                == json.loads(Path(reference["list"]).read_text()))


#: each reference tool beside its vlms-kg counterpart on the same data: what is compared,
#: (tool, key, label) of the reference, (tool, key, label) of ours, and how their results
#: are compared (None: not compared)
COMPARISONS: tuple[tuple[str, tuple[str, str, str], tuple[str, str, str],
                         Callable[[dict[str, Any], dict[str, Any]], Any] | None], ...] = (
    ("validation", ("pyshacl", "seconds", "pySHACL, whole graph"),
     ("validate", "seconds", "fast validator"), _same_violations),
    ("parsing every case file", ("rdflib", "seconds", "rdflib Dataset"),
     ("rdflib", "pyoxigraph_seconds", "pyoxigraph, as the build parses"), None),
    ("one GROUP BY (patients per sex)", ("rdflib", "group_by_seconds", "rdflib"),
     ("rdflib", "pyoxigraph_group_by_seconds", "pyoxigraph, in memory"),
     lambda ours, reference: reference.get("same_answer")),
    ("classifying every tumour", ("hermit", "seconds", "HermiT, whole ABox"),
     ("hermit", "materialize_seconds", "materialiser"),
     lambda ours, reference: reference.get("agrees")),
)


def _ratio(reference: dict[str, Any], key: str, ours: float | None) -> str:
    """How many times slower the reference tool was (a lower bound when it timed out)."""
    if not ours:
        return "–"
    if reference.get("status") == "ok" and reference.get(key) is not None:
        return f"{reference[key] / ours:.0f}×"
    if reference.get("status") == "timeout":
        return f"> {reference['limit_s'] / ours:.0f}×"
    return "–"


def comparison_table(results: dict[str, Any]) -> list[str]:
    """One row per size and reference measurement: the reference tool's time, its vlms-kg
    counterpart's, the ratio, and whether both found the same."""
    lines = ["| N | what | reference tool | s | vlms-kg | s | reference ÷ vlms-kg | same result |",
             "|---|---|---|---|---|---|---|---|"]
    for n in sorted(int(m) for m in results):
        r = results[str(n)]
        for what, (tool, key, label), (our_tool, our_key, our_label), same in COMPARISONS:
            reference, ours = r.get(tool), r.get(our_tool) or {}
            if not reference:
                continue
            our_seconds = ours.get(our_key)  # also kept from a reference run that failed
            compared = "–"
            if same is not None and reference.get("status") == "ok" and ours.get("status") == "ok":
                compared = {True: "yes", False: "NO"}.get(same(ours, reference), "–")
            spent = (_seconds(reference.get(key)) if reference.get("status") == "ok"
                     else _cell(reference))
            lines.append(f"| {n} | {what} | {label} | {spent} | {our_label} "
                         f"| {_seconds(our_seconds)} | {_ratio(reference, key, our_seconds)} "
                         f"| {compared} |")
    return lines


def summarise(results: dict[str, Any]) -> str:
    """The markdown tables (vlms-kg, the reference tools beside it, each query) and the
    targets."""
    sizes = sorted(int(n) for n in results)
    lines = ["| N | quads | full build s | of it: validate+classify s | load s | peak MB "
             "| incremental s | slowest query ms, disk / memory | fast validation s |",
             "|" + "---|" * 9]
    for n in sizes:
        r = results[str(n)]
        build, query = r.get("build", {}), r.get("queries", {})
        steps = build.get("steps", {}) if build.get("status") == "ok" else {}
        lines.append(
            f"| {n} | {_cell(build, 'quads')} | {_cell(build)} "
            f"| {_fmt(steps.get('parse, validate, classify'))} | {_fmt(steps.get('load'))} "
            f"| {_cell(build, 'peak_mb', 0)} | {_cell(r.get('incremental'), digits=2)} "
            f"| {_cell(query, 'max_ms')} / {_cell(query, 'memory_max_ms')} "
            f"| {_cell(r.get('validate'))} |")
    lines += ["", *comparison_table(results), "", *targets(results), "", *query_table(results)]
    return "\n".join(lines)


def query_table(results: dict[str, Any]) -> list[str]:
    """Each stored query's time in ms at each N, on disk / in memory, and its rows."""
    sizes = [n for n in sorted(map(int, results)) if _ok(results, n, "queries")]
    if not sizes:
        return []
    names = sorted(results[str(sizes[-1])]["queries"]["queries"])
    slopes = query_slopes(results)
    lines = ["| query | " + " | ".join(f"N = {n}: ms disk / memory (rows); floor, memory"
                                       for n in sizes)
             + " | slope 1 000 → 100 000, disk / memory |", "|---|" + "---|" * (len(sizes) + 1)]
    for name in names:
        cells = []
        for n in sizes:
            q = results[str(n)]["queries"]["queries"].get(name)
            f = (_ok(results, n, "floor") or {}).get("queries", {}).get(name)
            cells.append("–" if q is None or "disk_ms" not in q else
                         f"{q['disk_ms']:.0f} / {q['memory_ms']:.0f} ({q['rows']})"
                         + ("" if f is None else f"; {f['memory_ms']:.0f}"))
        cells.append(" / ".join(f"{x:.2f}" for x in slopes[name]) if name in slopes else "–")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


#: vlms-kg's own figures whose growth with N the slope target covers: label → (tool, key)
GROWTH = {"full build time": ("build", "seconds"),
          "peak memory of the full build": ("build", "peak_mb"),
          "incremental rebuild time": ("incremental", "seconds"),
          "fast validation time": ("validate", "seconds"),
          "slowest stored query, on disk": ("queries", "max_ms"),
          "slowest stored query, in memory": ("queries", "memory_max_ms")}
SLOPE_MIN_MS = 5  #: a query faster than this at 1 000 cases has no meaningful slope


def slope(low: float, high: float, n_low: int, n_high: int) -> float:
    """The slope between two points of the log–log plot: 1 when time grows as N does.

    >>> round(slope(2.0, 200.0, 1000, 100000), 2)
    1.0
    """
    return math.log(high / low) / math.log(n_high / n_low)


def _largest(results: dict[str, Any], tool: str) -> tuple[int, dict[str, Any]] | None:
    """The largest N at which ``tool`` succeeded, and its entry."""
    done = [(n, e) for n in sorted(map(int, results)) if (e := _ok(results, n, tool))]
    return done[-1] if done else None


def query_slopes(results: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """Each stored query's slope from 1 000 to 100 000 cases, (disk, memory), for the
    queries that take at least SLOPE_MIN_MS at 1 000 cases both ways."""
    low, high = _ok(results, 1000, "queries"), _ok(results, 100000, "queries")
    if not low or not high:
        return {}
    slopes = {}
    for name, small in low["queries"].items():
        big = high["queries"].get(name)
        if big and min(small["disk_ms"], small["memory_ms"]) >= SLOPE_MIN_MS:
            slopes[name] = (slope(small["disk_ms"], big["disk_ms"], 1000, 100000),
                            slope(small["memory_ms"], big["memory_ms"], 1000, 100000))
    return slopes


def _ok(results: dict[str, Any], n: int, tool: str) -> dict[str, Any] | None:
    entry = results.get(str(n), {}).get(tool)
    return entry if entry and entry.get("status") == "ok" else None


def targets(results: dict[str, Any]) -> list[str]:
    """Each target, met or not, from what was measured."""
    out = []

    def line(name: str, value: str, met: bool | None) -> None:
        verdict = "not measured" if met is None else ("met" if met else "NOT met")
        out.append(f"- {name}: {value} — {verdict}")

    build10 = _ok(results, 10000, "build")
    line("full build at 10 000 ≤ 60 s", _fmt(build10 and build10["seconds"]),
         None if not build10 else build10["seconds"] <= TARGETS["build_10k_s"])
    sheets10 = _ok(results, 10000, "sheets")
    line("full build at 10 000 from case sheets ≤ 1.5 × from Turtle",
         f"{sheets10['seconds']:.1f} s vs {build10['seconds']:.1f} s: "
         f"{sheets10['seconds'] / build10['seconds']:.2f}×" if sheets10 and build10 else "–",
         None if not (sheets10 and build10) else
         sheets10["seconds"] / build10["seconds"] <= TARGETS["sheets_vs_turtle"])
    increments = {n: e["seconds"] for n in map(int, results)
                  if (e := _ok(results, n, "incremental"))}
    line("incremental rebuild ≤ 2 s (every N)", ", ".join(f"{n}: {s:.2f}"
                                                          for n, s in sorted(increments.items())),
         None if not increments else max(increments.values()) <= TARGETS["incremental_s"])
    for where, key, slowest in (("on-disk", "max_ms", "slowest"),
                                ("in-memory", "memory_max_ms", "memory_slowest")):
        entry = _ok(results, 10000, "queries")
        worst = entry.get(key) if entry else None
        line(f"every stored query ≤ 200 ms at 10 000, {where} embedded store",
             "–" if worst is None else f"{worst:.0f} ms ({entry[slowest]})",  # type: ignore[index]
             None if worst is None else worst <= TARGETS["query_ms"])
    for n, key in ((10000, "analysis_10k_s"), (100000, "analysis_100k_s")):
        entry = _ok(results, n, "analysis")
        line(f"summary + three stratified survival analyses at {n:,} ≤ {TARGETS[key]} s"
             .replace(",", " "), _fmt(entry and entry["seconds"], 2),
             None if not entry else entry["seconds"] <= TARGETS[key])
    web = _ok(results, 10000, "web")
    slowest_page = (max(web["routes"].items(), key=lambda item: item[1]["first_s"])
                    if web else None)
    line(f"every page of the web site at 10 000 ≤ {TARGETS['web_page_s']} s",
         f"{slowest_page[1]['first_s']:.2f} s ({slowest_page[0]})" if slowest_page else "–",
         None if not slowest_page else slowest_page[1]["first_s"] <= TARGETS["web_page_s"])
    exports = _ok(results, 10000, "exports")
    line(f"each export at 10 000 ≤ {TARGETS['export_10k_s']} s",
         ", ".join(f"{name} {f['seconds']:.1f} s" for name, f in exports["formats"].items())
         if exports else "–",
         None if not exports else exports["seconds"] <= TARGETS["export_10k_s"])
    floor = _ok(results, 10000, "floor")
    if floor:
        above = sorted(name for name, f in floor["queries"].items()
                       if f["memory_ms"] > TARGETS["query_ms"])
        out.append(f"  - a scan of every quad, the least a check of the whole store must do, "
                   f"takes {floor['scan_disk_ms']:.0f} ms on disk and "
                   f"{floor['scan_memory_ms']:.0f} ms in memory: "
                   + ", ".join(sorted(SCANS_EVERY_QUAD)))
        out.append(f"  - in memory, {len(above)} queries cannot be done in 200 ms on this engine "
                   "(reading their own answer back, or every quad, takes longer): "
                   + (", ".join(above) or "none"))
    build100 = _ok(results, 100000, "build")
    line("full build at 100 000 ≤ 10 min and ≤ 8 GB",
         f"{_fmt(build100 and build100['seconds'])} s, "
         f"{_fmt(build100 and build100['peak_mb'] / 1024, 2)} GB",
         None if not build100 else (build100["seconds"] <= TARGETS["build_100k_s"]
                                    and build100["peak_mb"] / 1024 <= TARGETS["build_100k_gb"]))
    for label, (tool, key) in GROWTH.items():
        low, top = _ok(results, 1000, tool), _largest(results, tool)
        if low and top and top[0] > 1000:
            value = slope(low[key], top[1][key], 1000, top[0])
            line(f"slope of {label}, 1 000 → {top[0]}, ≤ 1.1", f"{value:.2f}",
                 round(value, 2) <= TARGETS["slope"])
        else:
            line(f"slope of {label} ≤ 1.1", "–", None)
    steep = {where: sorted(name for name, (d, m) in query_slopes(results).items()
                           if round(d if where == "disk" else m, 2) > TARGETS["slope"])
             for where in ("disk", "memory")}
    for where, names in steep.items():
        out.append(f"  - stored queries of {SLOPE_MIN_MS} ms or more at 1 000 cases whose time "
                   f"grows faster (slope > 1.1, 1 000 → 100 000), {where}: "
                   + (", ".join(names) or "none"))
    for name in PRIMITIVES:
        times = {n: e["primitives_memory_ms"][name] for n in map(int, results)
                 if (e := _ok(results, n, "floor")) and name in e.get("primitives_memory_ms", {})}
        if 1000 in times and 100000 in times:
            growth = slope(times[1000], times[100000], 1000, 100000)
            out.append(f"  - a step of every row-per-case query, in memory ({name}): "
                       + ", ".join(f"{t * 1000 / n:.2f} µs per case at N = {n}"
                                   for n, t in sorted(times.items()))
                       + f"; slope 1 000 → 100 000: {growth:.2f}")
    val, shacl = _ok(results, 10000, "validate"), results.get("10000", {}).get("pyshacl")
    if val and shacl and shacl.get("status") == "ok":
        ratio = shacl["seconds"] / val["seconds"]
        same = _same_violations(val, shacl)
        line("validation ≥ 20× faster than pySHACL whole-graph at 10 000, same violations",
             f"{ratio:.0f}×, same violations: {same}", ratio >= TARGETS["validation_speedup"]
             and same)
    elif val and shacl and shacl.get("status") == "timeout":
        ratio = shacl["limit_s"] / val["seconds"]
        line("validation ≥ 20× faster than pySHACL whole-graph at 10 000",
             f"> {ratio:.0f}× (pySHACL timed out at {shacl['limit_s']} s; violations not "
             "compared)", ratio >= TARGETS["validation_speedup"])
    else:
        line("validation ≥ 20× faster than pySHACL at 10 000", "–", None)
    return out


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series = {"full build (vlms-kg)": ("build", "seconds"),
              "incremental rebuild": ("incremental", "seconds"),
              "fast validation": ("validate", "seconds"),
              "pySHACL whole graph": ("pyshacl", "seconds"),
              "rdflib parse": ("rdflib", "seconds"),
              "HermiT whole ABox": ("hermit", "seconds"),
              "slowest stored query, on disk": ("queries", "max_ms"),
              "slowest stored query, in memory": ("queries", "memory_max_ms")}
    figure, axes = plt.subplots(figsize=(8, 5.5))
    for label, (tool, key) in series.items():
        points = [(int(n), r[tool][key] / (1000 if key.endswith("_ms") else 1))
                  for n, r in results.items()
                  if r.get(tool, {}).get("status") == "ok" and r[tool].get(key)]
        if points:
            xs, ys = zip(*sorted(points), strict=True)
            axes.plot(xs, ys, marker="o", label=label)
        timeouts = [int(n) for n, r in results.items()
                    if r.get(tool, {}).get("status") in ("timeout", "out of memory")]
        for n in timeouts:
            axes.scatter([n], [results[str(n)][tool].get("limit_s") or 1], marker="x",
                         color="black")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("synthetic cases (N)")
    axes.set_ylabel("seconds")
    axes.set_title("vlms-kg against the reference tools (x: time limit or memory limit hit)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), metavar="N")
    parser.add_argument("--tools", nargs="+", default=list(TOOLS), choices=TOOLS)
    parser.add_argument("--timeout", type=int, default=1800, metavar="SECONDS",
                        help="time limit of each measurement (default: 1800)")
    parser.add_argument("--memory-limit-gb", type=int, default=12,
                        help="memory limit of the reference tools (default: 12)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/vlmskg-bench"),
                        help="folder for cohorts and stores (default: /tmp/vlmskg-bench)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", choices=TOOLS, help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.n, args.work, args.seed)
        return 0
    OUT.mkdir(exist_ok=True)
    results_path = OUT / "results.json"
    results = json.loads(results_path.read_text()) if results_path.is_file() else {}
    for n in args.sizes:
        for tool in args.tools:
            print(f"N={n}: {tool} …", flush=True)
            reason = limit_hit_before(results, tool, n) if tool in REFERENCE else None
            entry = ({"status": "not run", "reason": reason} if reason
                     else run_child(tool, n, args))
            results.setdefault(str(n), {})[tool] = entry
            results_path.write_text(json.dumps(results, indent=2, sort_keys=True))
            shown = {k: v for k, v in entry.items() if k not in ("queries", "steps")}
            print(f"N={n}: {tool}: {json.dumps(shown)}", flush=True)
            if tool in ("synth", "build") and entry.get("status") != "ok":
                break  # nothing else can run at this size
    table = summarise(results)
    (OUT / "results.md").write_text(table + "\n")
    print(table)
    plot(results, OUT / "scaling.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
