"""Publication sheets (data/publications/<id>.yaml): compiled by kg.sheets.publication into the
same publication graph as a hand-written Turtle file; every field; every error path (file,
line, field, fix); the build's source hook; the curators' sheets compile and conform."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import InputError
from kg.resources import publications_dir
from kg.sheets.loader import SheetError
from kg.sheets.publication import (
    FIGURE_KEYS,
    PUBLICATION_KEYS,
    STATEMENT_KEYS,
    compile_publication,
    compile_publication_file,
)
from kg.sources.files import Source, load_sources
from kg.validation.compiled import validate_files_fast
from kg.validation.validate import validate_files

FIXTURES = Path(__file__).parent / "data" / "publication-sheets"
MINGOLI = "mingoli-1996-anticancerres-ivc-registry"
PUB = "https://w3id.org/vlmskg/publication/"
VLMS = "https://w3id.org/vlmskg/vocab/"
OBO = "http://purl.obolibrary.org/obo/"
BIBO = "http://purl.org/ontology/bibo/"


def _triples(quads: list[ox.Quad]) -> set[ox.Triple]:
    return {q.triple for q in quads}


def _objects(quads: list[ox.Quad], subject: str, predicate: str) -> set[str]:
    return {q.object.value for q in quads
            if q.subject.value == subject and q.predicate.value == predicate}


# --- the same model as Turtle ------------------------------------------------------------------

def test_sheet_compiles_to_the_hand_written_graph() -> None:
    quads = compile_publication_file(FIXTURES / f"{MINGOLI}.yaml")
    turtle = list(ox.parse(path=str(FIXTURES / f"{MINGOLI}.ttl")))
    assert _triples(quads) == _triples(turtle)
    assert {q.graph_name.value for q in quads} == {PUB + MINGOLI}


def test_fixture_sheet_uses_every_key() -> None:
    text = (FIXTURES / f"{MINGOLI}.yaml").read_text(encoding="utf-8")
    used = {key for key in (*PUBLICATION_KEYS, *STATEMENT_KEYS, *FIGURE_KEYS)
            if f"{key}:" in text}
    # the others are exercised below: cites, doi, median, median months (and a figure's
    # comparator: the fixture's comparator is a count's)
    assert set(PUBLICATION_KEYS) - used == {"doi"}
    assert set(STATEMENT_KEYS) - used == {"cites"}
    assert set(FIGURE_KEYS) - used == {"median", "median months"}


def test_compiled_sheet_passes_the_shapes(tmp_path: Path) -> None:
    for validate in (validate_files, validate_files_fast):
        report = validate([], publications=[FIXTURES / f"{MINGOLI}.yaml"])
        assert (report.results, report.errors) == ([], []), validate.__name__


def test_build_reads_a_publication_sheet_into_its_graph() -> None:
    store = load_sources([Source.for_publication(FIXTURES / f"{MINGOLI}.yaml")])
    rows = store.query(f"""SELECT ?n WHERE {{ GRAPH <{PUB}{MINGOLI}> {{
        ?figure <{VLMS}sampleSize> ?n }} }}""")
    assert {int(r["n"].value) for r in rows} == {134}  # type: ignore[union-attr]


# --- fields, one by one ------------------------------------------------------------------------

def _figure(quads: list[ox.Quad], statement: str = "statement-1", n: int = 1) -> str:
    return f"{PUB}x-2015/statement/{statement}-figure-{n}"


@pytest.mark.parametrize(("figure", "expected"), [
    # the lms-ivc-two-cases letter: graft infection and occlusion together in 7 to 28 %
    ({"rate percent": "7-28"}, {"ratePercentMin": {"7"}, "ratePercentMax": {"28"}}),
    ({"rate percent": [7, 28]}, {"ratePercentMin": {"7"}, "ratePercentMax": {"28"}}),
    # the same letter: recurrence in about half of the patients resected with curative intent
    ({"rate percent": "about 50"}, {"ratePercent": {"50"}, "precision": {VLMS + "Approximate"}}),
    ({"rate percent": "less than 30%"}, {"ratePercent": {"30"},
                                         "comparator": {VLMS + "LessThan"}}),
    ({"rate percent": 30, "comparator": "more than"}, {"comparator": {VLMS + "GreaterThan"}}),
    # Dzsinich 1992: median survival 3.5 years for the 11 early survivors
    ({"median": "3.5 years", "sample size": 11}, {"medianMonths": {"42"}, "sampleSize": {"11"}}),
    ({"median months": "about 40"}, {"medianMonths": {"40"},
                                     "precision": {VLMS + "Approximate"}}),
    ({"median months": 40, "time point": "36 months"}, {"timeHorizonYears": {"3"}}),
], ids=["range-text", "range-list", "about", "less-than", "comparator-key", "median-years",
        "median-about", "time-point-months"])
def test_figure_values(figure: dict[str, object], expected: dict[str, set[str]]) -> None:
    sheet = {"statements": [{"text": "A figure.", "figures": [
        {"endpoint": "overall survival", **figure}]}]}
    quads = compile_publication(sheet, "x-2015")
    for prop, values in expected.items():
        assert _objects(quads, _figure(quads), VLMS + prop) == values, prop


def test_endpoints_by_label_and_alias() -> None:
    words = ["overall survival", "disease-specific survival", "disease free survival",
             "recurrence-free survival", "local recurrence", "recurrence", "metastasis",
             "graft occlusion", "cancer-free survival"]
    sheet = {"statements": [{"text": "Figures.", "figures": [
        {"endpoint": w, "rate percent": 10} for w in words]}]}
    quads = compile_publication(sheet, "x-2015")
    found = [next(iter(_objects(quads, _figure(quads, n=i + 1), VLMS + "endpoint")))
             for i in range(len(words))]
    assert [f.rsplit("/", 1)[1] for f in found] == [
        "NCIT_C125201", "DiseaseSpecificSurvival", "DiseaseFreeSurvival",
        "RecurrenceFreeSurvival", "LocalRecurrence", "NCIT_C4798", "NCIT_C19151",
        "GraftOcclusion", "CancerFreeSurvival"]


def test_citation_fields_and_statement_kinds() -> None:
    sheet = {"authors": "Biswas S", "year": 2013, "doi": "https://doi.org/10.4021/wjon471w",
             "type": "case report", "read": "full text", "note": "one note",
             "statements": [
                 {"id": "five-year-survival", "kind": "prognosis", "text": "Survival.",
                  "cites": [1, 3], "about": ["overall survival"]},
                 {"text": "Count.", "count": {"cases": "about 400", "site": "IVC"}},
                 {"text": "Count.", "count": {"cases": 300, "comparator": "fewer than"}}]}
    quads = compile_publication(sheet, "x-2015")
    pub = PUB + "x-2015"
    assert _objects(quads, pub, BIBO + "doi") == {"10.4021/wjon471w"}
    assert _objects(quads, pub, VLMS + "publicationType") == {
        "http://purl.org/spar/fabio/CaseReport"}
    assert _objects(quads, pub, VLMS + "sourceCoverage") == {VLMS + "FullTextRead"}
    assert _objects(quads, pub, VLMS + "sourceDocument") == {"x-2015"}
    assert _objects(quads, pub + "/author/1", "http://www.w3.org/2000/01/rdf-schema#label") == {
        "Biswas S"}
    first = pub + "/statement/five-year-survival"
    assert _objects(quads, first, VLMS + "citesReference") == {"1", "3"}
    assert _objects(quads, first, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type") == {
        VLMS + "PrognosisStatement"}
    second, third = pub + "/statement/statement-2", pub + "/statement/statement-3"
    assert _objects(quads, second, VLMS + "caseCount") == {"400"}
    assert _objects(quads, second, VLMS + "precision") == {VLMS + "Approximate"}
    assert _objects(quads, second, VLMS + "aboutSite") == {OBO + "UBERON_0001072"}
    assert _objects(quads, third, VLMS + "comparator") == {VLMS + "LessThan"}


def test_numbers_keep_their_printed_form() -> None:
    quads = compile_publication({"volume": 4, "issue": "5B", "pages": 56, "pmid": 8920790},
                                "x-2015")
    pub = PUB + "x-2015"
    assert [_objects(quads, pub, BIBO + f) for f in ("volume", "issue", "pages", "pmid")] == [
        {"4"}, {"5B"}, {"56"}, {"8920790"}]
    literal = next(q.object for q in quads if q.predicate.value == BIBO + "pmid")
    assert isinstance(literal, ox.Literal) and literal.datatype.value.endswith("#string")


# --- errors: file, line, field, fix ------------------------------------------------------------

GOOD_FIGURE = "{endpoint: overall survival, rate percent: 49}"


@pytest.mark.parametrize(("text", "line", "field", "message", "fix"), [
    ("title: [unclosed\n", 2, None, "broken YAML", "closing brackets"),
    ("year: 2013\njounral: Lancet\n", 2, "jounral", "unknown field", "'journal'"),
    ("year: two thousand\n", 1, "year", "expected a number", "2013"),
    ("year: 3020\n", 1, "year", "whole number from 1800 to 2100", "year printed"),
    ("doi: doi 10.4021/x\n", 1, "doi", "not a DOI", "10.4021/wjon471w"),
    ("pmid: PMID8920790\n", 1, "pmid", "not a PubMed id", "digits only"),
    ("url: www.wjon.org\n", 1, "url", "not a web address", "https://"),
    ("authors: Biswas S, Amin A\n", 1, "authors", "more than one author", "as a list"),
    ("type: case reprot\n", 1, "type", "not a publicationtype value", "'case report'"),
    ("read: whole thing\n", 1, "read", "not a sourcecoverage value", "full text"),
    ("statements:\n  - {about: [IVC]}\n", 2, "statements[1]", "no 'text'", "own words"),
    ("statements:\n  - {text: a, abuot: [IVC]}\n", 2, "statements[1].abuot", "unknown field",
     "'about'"),
    ("statements:\n  - {text: a, about: [inferior vena cavva]}\n", 2, "statements[1].about[1]",
     "unknown term", "inferior vena cava"),
    ("statements:\n  - {text: a, kind: rumour}\n", 2, "statements[1].kind",
     "unknown statement kind", "allowed"),
    ("statements:\n  - {id: a, text: a}\n  - {id: a, text: b}\n", 3, "statements[2].id",
     "is taken", "its own id"),
    ("statements:\n  - {text: a, count: {cases: lots}}\n", 2, "statements[1].count.cases",
     "number of cases", "about 400"),
    ("statements:\n  - {text: a, cites: [0]}\n", 2, "statements[1].cites[1]",
     "whole number from 1", "reference numbers"),
    ("statements:\n  - text: a\n    figures:\n      - {rate percent: 49}\n", 4,
     "statements[1].figures[1]", "no 'endpoint'", "overall survival"),
    ("statements:\n  - text: a\n    figures:\n      - {endpoint: survival, rate percent: 5}\n",
     4, "statements[1].figures[1].endpoint", "not a endpoint value", "overall survival"),
    ("statements:\n  - text: a\n    figures:\n      - {endpoint: metastasis}\n", 4,
     "statements[1].figures[1]", "neither a rate nor a median", "median months"),
    ("statements:\n  - text: a\n    figures:\n      - {endpoint: metastasis, rate percent: 120}\n",
     4, "statements[1].figures[1].rate percent", "percentage from 0 to 100", "49"),
    ("statements:\n  - text: a\n    figures:\n      - {endpoint: metastasis, rate percent: 28-7}\n",
     4, "statements[1].figures[1].rate percent", "runs backwards", "smaller number first"),
    ("statements:\n  - text: a\n    figures:\n      - {endpoint: metastasis, rate percent: lots}\n",
     4, "statements[1].figures[1].rate percent", "cannot read", "about 50"),
    ("statements:\n  - text: a\n    figures:\n"
     "      - {endpoint: metastasis, rate percent: 5, sample size: 0}\n", 4,
     "statements[1].figures[1].sample size", "whole number from 1", "number of patients"),
    ("statements:\n  - text: a\n    figures:\n"
     "      - {endpoint: metastasis, rate percent: 5, time point: 12-30 months}\n", 4,
     "statements[1].figures[1].time point", "not one exact time point", "5 years"),
    ("statements:\n  - text: a\n    figures:\n"
     "      - {endpoint: metastasis, rate percent: 5, population: {vessel: lung cancer}}\n", 4,
     "statements[1].figures[1].population.vessel", "unknown anatomy", "vlmskg terms"),
    ("statements:\n  - text: a\n    figures: [49]\n", 3, "statements[1].figures[1]",
     "should be a mapping", "endpoint"),
], ids=["yaml-syntax", "unknown-field", "year-type", "year-impossible", "doi", "pmid", "url",
        "authors-in-one-string", "type", "read", "statement-text", "statement-unknown-field",
        "unknown-term", "kind", "duplicate-id", "count", "cites", "figure-endpoint-missing",
        "endpoint-unknown", "figure-number-missing", "rate-impossible", "range-backwards",
        "rate-unreadable", "sample-size", "time-point-range", "population-term",
        "figure-not-mapping"])
def test_error_names_file_line_field_and_fix(tmp_path: Path, text: str, line: int,
                                             field: str | None, message: str, fix: str) -> None:
    path = tmp_path / "bad-2015.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SheetError) as caught:
        compile_publication_file(path)
    err = caught.value
    assert (err.file, err.line) == (str(path), line)
    assert message in str(err) and fix in str(err)
    if field is not None:
        assert f"field '{field}'" in str(err)


def test_publication_id_must_be_a_slug() -> None:
    with pytest.raises(SheetError, match="not a publication id"):
        compile_publication({}, "Biswas 2013")


def test_build_hook_reports_a_bad_sheet_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad-2015.yaml"
    path.write_text("year: 2013\nstatements:\n  - {text: a, figures: [{endpoint: x}]}\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_sources([Source.for_publication(path)])
    assert (caught.value.file, caught.value.line) == (str(path), 3)


# --- the curators' sheets ----------------------------------------------------------------------

CURATED = sorted(publications_dir().glob("*.yaml"))


@pytest.mark.parametrize("path", CURATED, ids=lambda p: p.stem)
def test_curated_sheet_compiles(path: Path) -> None:
    quads = compile_publication_file(path)
    pub = PUB + path.stem
    assert _objects(quads, pub, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type") == {
        OBO + "IAO_0000013"}
    figures = [q for q in quads if q.predicate.value == VLMS + "hasPooledFigure"]
    for figure in {q.object.value for q in figures}:
        assert _objects(quads, figure, VLMS + "endpoint"), figure


@pytest.mark.slow
def test_curated_sheets_conform_to_the_shapes() -> None:
    report = validate_files([], publications=CURATED)
    assert report.errors == []
    assert [r for r in report.results if r.severity == "Violation"] == []

