"""The Flask application: routes, error pages and security headers.

Every page is a Jinja2 template with autoescaping; values reach SPARQL only as bound RDF
terms (stored questions) or as a whole query sent to the read-only endpoint (the editor);
errors are friendly 4xx pages, never a traceback.

>>> from kg.api import KnowledgeGraph
>>> app = create_app(Site(KnowledgeGraph.open()))  # no endpoint: /sparql answers 503
>>> client = app.test_client()
>>> client.get("/cases/lms-ivc-two-cases-c1").status_code
200
>>> client.get("/cases/no-such-case").status_code
404
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Container, Iterable
from decimal import Decimal
from typing import Any

from flask import Flask, Response, abort, redirect, render_template, request, url_for
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, SH, XSD
from werkzeug.exceptions import HTTPException

from kg.analysis.fields import FIELDS, NOT_REPORTED, select
from kg.analysis.survival import MILESTONES
from kg.errors import EndpointError, KGError, ParameterError, UnknownCaseError, UnknownQueryError
from kg.namespaces import CASE
from kg.queries.catalogue import StoredQuery, export_catalogue, get_query, list_queries
from kg.queries.run import run_query
from kg.store.base import Store
from kg.store.remote import RemoteStore
from kg.web import tables
from kg.web.endpoint import DEFAULT_TIMEOUT, QueryServer, refusal
from kg.web.facts import case_page
from kg.web.site import Site

__all__ = ["create_app", "ENDPOINTS", "ORIGINS", "RESULT_ROWS_SHOWN", "PREFIXES"]

ENDPOINTS = ("overall", "event-free", "metastasis-free")
ORIGINS = ("surgery", "diagnosis")
#: rows of a question's answer shown on its page (the downloads hold them all).
RESULT_ROWS_SHOWN = 200
#: prefixes declared in the examples catalogue (SIB sparql-examples convention).
PREFIXES = {
    "vlms": "https://w3id.org/vlmskg/vocab/", "case": str(CASE),
    "obo": "http://purl.obolibrary.org/obo/", "rdf": str(RDF), "owl": str(OWL),
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "xsd": str(XSD),
    "skos": "http://www.w3.org/2004/02/skos/core#", "dcterms": "http://purl.org/dc/terms/",
    "oboInOwl": "http://www.geneontology.org/formats/oboInOwl#",
}
_FORMATS = {"json": "application/sparql-results+json", "csv": "text/csv",
            "tsv": "text/tab-separated-values", "xml": "application/sparql-results+xml"}
_SCHEMA = Namespace("https://schema.org/")
_log = logging.getLogger(__name__)


def _status(err: KGError) -> int:
    if isinstance(err, (UnknownCaseError, UnknownQueryError)):
        return 404
    if isinstance(err, EndpointError):
        return 503
    return 400


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float | Decimal):
        return f"{value:g}" if isinstance(value, float) else str(value)
    return str(value)


def _case_link(value: str, known: Container[str]) -> str | None:
    """The site's page of a case named by its IRI or identifier, else ``None``."""
    if value.startswith(str(CASE)) and "/" not in value[len(str(CASE)):]:
        value = value[len(str(CASE)):]
    return url_for("case", case_id=value) if value in known else None


def _parameters(query: StoredQuery, form: Any) -> dict[str, str]:
    """The question's parameters from the form, defaults filling the blanks."""
    values = {}
    for param in query.params:
        given = form.get(param.name)
        if given is None or (not given.strip() and param.default not in (None, "")):
            given = param.default
        if given is None:
            raise ParameterError(f"parameter {param.name!r} is required",
                                 hint=f"fill in {param.name}: {param.description}")
        values[param.name] = given
    return values


def _where(form: Any) -> list[str]:
    """The analysis filters: up to three field / operator / value triples."""
    found = []
    for i in (1, 2, 3):
        name, value = form.get(f"field{i}", "").strip(), form.get(f"value{i}", "").strip()
        operator = form.get(f"op{i}", "=").strip() or "="
        if operator not in ("=", "!=", "<", "<=", ">", ">="):
            raise ParameterError(f"unknown comparison {operator!r}",
                                 hint="use =, !=, <, <=, > or >=")
        if name and value:
            found.append(f"{name}{operator}{value}")
        elif name or value:
            raise ParameterError(f"filter {i} needs both a field and a value",
                                 hint="choose a field and type a value, or clear both")
    return found


def _choice(form: Any, name: str, allowed: Iterable[str], default: str) -> str:
    value = form.get(name, default) or default
    options = list(allowed)
    if value not in options:
        raise ParameterError(f"unknown {name} {value!r}", hint="use one of: " + ", ".join(options))
    return value


def create_app(site: Site, endpoint: QueryServer | None = None) -> Flask:
    """The site's Flask application over ``site``; ``endpoint`` is the read-only SPARQL
    server (:class:`kg.web.endpoint.QueryServer`, running) that answers ``/sparql``, the
    editor and the stored questions within its time limit (without it the questions run in
    this process and ``/sparql`` answers 503)."""
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=1 << 20)
    timeout = endpoint.timeout if endpoint is not None else DEFAULT_TIMEOUT
    remote: Store | None = (RemoteStore(endpoint.query_url, timeout=timeout, retries=1)
                            if endpoint is not None else None)

    def question_store() -> Store:
        return remote if remote is not None else site.graph.store

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @app.errorhandler(KGError)
    def kg_error(err: KGError) -> tuple[str, int]:
        status = _status(err)
        return render_template("error.html", status=status, message=err.message,
                               hint=err.hint), status

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> tuple[str, int]:
        status = err.code or 500
        messages = {404: "There is no page at this address.",
                    405: "This page does not accept that kind of request.",
                    413: "The request is too large."}
        return render_template("error.html", status=status,
                               message=messages.get(status, err.description or err.name),
                               hint="go back to the home page and follow the links"), status

    @app.errorhandler(Exception)
    def unexpected(err: Exception) -> tuple[str, int]:
        _log.exception("unexpected error on %s", request.path)
        return render_template("error.html", status=500,
                               message="Something went wrong while making this page.",
                               hint="try again; if it keeps happening, report the address"), 500

    @app.context_processor
    def common() -> dict[str, Any]:
        return {"n_cases": len(site.records), "not_reported": NOT_REPORTED,
                "source_text": tables.source_text}

    # --- home and cases -------------------------------------------------------------

    @app.get("/")
    def home() -> str:
        return render_template("home.html", vessels=site.vessel_counts(),
                               groups=site.group_counts(), newest=site.newest(),
                               publications=site.publications, n_queries=len(list_queries()))

    choices: dict[str, list[str]] = {}

    def filter_choices() -> dict[str, list[str]]:
        if not choices:  # the records do not change while the site runs
            choices.update({name: tables.choices(site.records, name) for name in tables.FILTERS})
        return choices

    @app.get("/cases")
    def cases() -> str:
        form = request.args
        chosen = tables.filter_cases(site.records, form)
        order = _choice(form, "order", ("asc", "desc"), "asc")
        ordered = tables.sort_cases(chosen, form.get("sort") or None, order == "desc")
        page = tables.page_of(ordered, form.get("page"))
        kept = {k: v for k, v in form.items() if k not in ("page", "sort", "order") and v}
        return render_template(
            "cases.html", page=page, columns=tables.COLUMNS, form=form, kept=kept,
            sort=form.get("sort", ""), order=order,
            choices=filter_choices())

    @app.get("/cases.csv")
    def cases_csv() -> Response:
        chosen = tables.sort_cases(tables.filter_cases(site.records, request.args),
                                   request.args.get("sort") or None,
                                   request.args.get("order") == "desc")
        return Response(tables.cases_csv(chosen), mimetype="text/csv", headers={
            "Content-Disposition": "attachment; filename=vlms-kg-cases.csv"})

    @app.get("/cases/<case_id>")
    def case(case_id: str) -> str:
        record = site.record(case_id)
        facts = case_page(site.graph, site.graph.case(case_id))
        return render_template("case.html", page=facts, case=facts.case, record=record,
                               publication=site.publication(record))

    # --- stored questions -------------------------------------------------------------

    @app.get("/questions")
    def questions() -> str:
        return render_template("questions.html", queries=list_queries())

    def answer(query: StoredQuery) -> tuple[list[str], list[tuple[Any, ...]]]:
        params = _parameters(query, request.args)

        def compute() -> list[Any]:
            try:
                return run_query(query.name, question_store(), **params)
            except EndpointError:
                if endpoint is not None:
                    endpoint.restart()  # stop a question that ran past the time limit
                raise

        return list(query.variables), list(site.answers.get(query.name, params, compute,
                                                            wait=timeout))

    @app.get("/questions/<name>")
    def question(name: str) -> str:
        query = get_query(name)
        header: list[str] = []
        rows: list[tuple[Any, ...]] = []
        ran = "run" in request.args
        if ran:
            header, rows = answer(query)
        shown = [[(_text(v), _case_link(_text(v), site.case_ids)) for v in row]
                 for row in rows[:RESULT_ROWS_SHOWN]]
        terms = {p.name: site.terms(p.name) for p in query.params}
        return render_template("question.html", query=query, ran=ran, header=header,
                               rows=shown, total=len(rows), terms=terms, form=request.args,
                               download={k: v for k, v in request.args.items()
                                         if k != "run"})

    @app.get("/questions/<name>.csv")
    def question_csv(name: str) -> Response:
        header, rows = answer(get_query(name))
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([_text(v) for v in row] for row in rows)
        return Response(buffer.getvalue(), mimetype="text/csv", headers={
            "Content-Disposition": f"attachment; filename={name}.csv"})

    @app.get("/questions/<name>.json")
    def question_json(name: str) -> Response:
        header, rows = answer(get_query(name))
        data = [{k: (float(v) if isinstance(v, Decimal) else v) for k, v in zip(header, row,
                                                                                 strict=True)}
                for row in rows]
        return Response(json.dumps({"query": name, "variables": header, "rows": data},
                                   ensure_ascii=False, indent=1),
                        mimetype="application/json", headers={
                            "Content-Disposition": f"attachment; filename={name}.json"})

    # --- analysis ---------------------------------------------------------------------

    groupable = [f for f in FIELDS.values() if f.kind != "number" and f.summarised]

    def analysis_choices() -> tuple[str, str, str | None, list[str]]:
        form = request.args
        endpoint = _choice(form, "endpoint", ENDPOINTS, "overall")
        origin = _choice(form, "origin", ORIGINS, "surgery")
        by = form.get("by") or None
        if by is not None and by not in {f.name for f in groupable}:
            raise ParameterError(f"cannot group by {by!r}",
                                 hint="group by one of: " + ", ".join(f.name for f in groupable))
        return endpoint, origin, by, _where(form)

    @app.get("/analysis")
    def analysis() -> str:
        endpoint, origin, by, where = analysis_choices()
        summary = site.summary(by, where)
        n = summary.n if summary is not None else 0
        survival = site.survival(endpoint, origin, by, where) if summary is not None else None
        return render_template(
            "analysis.html", form=request.args, endpoints=ENDPOINTS, origins=ORIGINS,
            fields=[f for f in FIELDS.values()], groupable=groupable, endpoint=endpoint,
            origin=origin, by=by, where=where, n=n, summary=summary,
            survival=survival, milestones=MILESTONES, comparisons=site.comparisons(),
            figure_args=dict(request.args))

    @app.get("/analysis/survival.svg")
    def survival_figure() -> Response:
        endpoint, origin, by, where = analysis_choices()
        if not select(site.records, where):
            abort(404)
        return Response(site.figure(endpoint, origin, by, where), mimetype="image/svg+xml",
                        headers={"Cache-Control": "max-age=3600"})

    # --- SPARQL -------------------------------------------------------------------------

    @app.route("/sparql", methods=["GET", "POST"])
    def sparql() -> Response:
        values = request.values
        content_type = (request.mimetype or "").lower()
        if "update" in values or content_type == "application/sparql-update":
            return Response("updates are refused: the graph is read-only\n", status=403,
                            mimetype="text/plain")
        if content_type == "application/sparql-query":
            query = request.get_data(as_text=True)
        else:
            query = values.get("query", "")
        if not query.strip():
            if request.method == "GET":
                return redirect(url_for("editor"))  # type: ignore[return-value]
            return Response("give the query in the 'query' parameter\n", status=400,
                            mimetype="text/plain")
        if values.get("default-graph-uri") or values.get("named-graph-uri"):
            return Response("default-graph-uri and named-graph-uri are not supported: queries "
                            "see the union of the case graphs; use GRAPH in the query\n",
                            status=400, mimetype="text/plain")
        if (why := refusal(query)) is not None:
            return Response(why + "\n", status=403 if "update" in why else 400,
                            mimetype="text/plain")
        if endpoint is None:
            return Response("the SPARQL endpoint is not running\n", status=503,
                            mimetype="text/plain")
        fmt = values.get("format", "")
        accept = _FORMATS.get(fmt) or request.headers.get("Accept", "")
        if "text/html" in accept and not fmt:
            accept = _FORMATS["json"]
        got = endpoint.answer(query, accept)
        return Response(got.body, status=got.status, content_type=got.content_type)

    @app.route("/editor", methods=["GET", "POST"])
    def editor() -> str:
        catalogue = list_queries()
        example = request.args.get("example")
        query = request.values.get("query", "")
        if example:
            query = get_query(example).body
        header: list[str] = []
        rows: list[list[tuple[str, str | None]]] = []
        error = None
        total = 0
        if request.method == "POST" and query.strip():
            if (why := refusal(query)) is not None:
                error = why
            elif endpoint is None:
                error = "the SPARQL endpoint is not running"
            else:
                got = endpoint.answer(query, _FORMATS["json"])
                if got.status == 406:  # CONSTRUCT or DESCRIBE: no results table
                    error = ("the query gives a graph, not a table: send it to /sparql with "
                             "Accept: text/turtle")
                elif got.status != 200:
                    error = got.body.decode("utf-8", "replace")
                elif got.content_type.startswith("application/sparql-results+json"):
                    data = json.loads(got.body)
                    if "boolean" in data:
                        header, rows, total = ["answer"], [[(str(data["boolean"]).lower(),
                                                             None)]], 1
                    else:
                        header = data["head"]["vars"]
                        bindings = data["results"]["bindings"]
                        total = len(bindings)
                        rows = [[(b[v]["value"], _case_link(b[v]["value"], site.case_ids)) if v in b
                                 else ("", None) for v in header]
                                for b in bindings[:RESULT_ROWS_SHOWN]]
                else:
                    error = ("the query gives a graph, not a table: send it to /sparql with "
                             "Accept: text/turtle")
        return render_template("editor.html", catalogue=catalogue, query=query, header=header,
                               rows=rows, total=total, error=error, timeout=timeout,
                               prefixes=PREFIXES)

    @app.get("/.well-known/sparql-examples")
    def examples() -> Response:
        graph = Graph()
        graph.parse(data=export_catalogue(), format="turtle")
        graph.bind("sh", SH)
        graph.bind("schema", _SCHEMA)
        target = URIRef(request.url_root.rstrip("/") + "/sparql")
        prefixes = URIRef(request.url_root.rstrip("/") + "/.well-known/sparql-examples"
                          "#prefixes")
        graph.add((prefixes, RDF.type, OWL.Ontology))
        for number, (prefix, namespace) in enumerate(sorted(PREFIXES.items())):
            declaration = URIRef(f"{prefixes}-{number}")
            graph.add((prefixes, SH.declare, declaration))
            graph.add((declaration, SH.prefix, Literal(prefix)))
            graph.add((declaration, SH.namespace, Literal(namespace, datatype=XSD.anyURI)))
        for node in list(graph.subjects(RDF.type, SH.SPARQLExecutable)):
            graph.add((node, _SCHEMA.target, target))
            graph.add((node, SH.prefixes, prefixes))
        return Response(graph.serialize(format="turtle"), mimetype="text/turtle")

    return app
