"""Citations of the shipped publications, and "First author et al., year, DOI/PMID" wherever a
source is shown: the stored queries ``cohort`` and ``provenance-of-fact``, the API's
``case.source`` and the VoID description. Pooled figures of the shipped letter, and the shapes
that check citations and figures (pySHACL and the compiled validator alike).

The store is built from the three Turtle cases and the two Turtle publications only, so that
these tests do not depend on the curators' sheets."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.api.graph import KnowledgeGraph
from kg.building.void import describe_dataset, publication_citations, subset_iri
from kg.namespaces import CASE, PUBLICATION, VOID_GRAPH
from kg.queries import run_query
from kg.resources import cases_dir, publications_dir
from kg.sources.files import Source, load_sources, project_sources
from kg.store.embedded import EmbeddedStore
from kg.validation.compiled import validate_files_fast
from kg.validation.validate import validate_files

CASES = ["lms-femoral-vein-c1", "lms-ivc-two-cases-c1", "lms-ivc-two-cases-c2"]
IVC_LETTER = str(PUBLICATION["lms-ivc-two-cases"])
FEMORAL = str(PUBLICATION["lms-femoral-vein"])
SCIELO = ("https://scielo.isciii.es/scielo.php?script=sci_arttext&pid=S1130-01082015000700017"
          "&lng=en&nrm=iso&tlng=en")
#: the letter's citation: no byline was found, so the year and the URL (no DOI or PMID)
IVC_CITATION = f"2015, {SCIELO}"
TURTLE_PUBLICATIONS = [publications_dir() / "lms-femoral-vein.ttl",
                       publications_dir() / "lms-ivc-two-cases.ttl"]
BIBO = "http://purl.org/ontology/bibo/"
VLMS = "https://w3id.org/vlmskg/vocab/"
OBO = "http://purl.obolibrary.org/obo/"


def _sources(extra: list[Path] | None = None) -> list[Source]:
    """Ontology, the two Turtle publications (plus ``extra``) and the three Turtle cases."""
    sources = [s for s in project_sources([cases_dir() / f"{c}.ttl" for c in CASES],
                                          include_shapes=False)
               if s.kind.value != "publication"]
    return sources + [Source.for_publication(p) for p in [*TURTLE_PUBLICATIONS, *(extra or [])]]


@pytest.fixture(scope="module")
def dataset() -> ox.Store:
    return load_sources(_sources())


@pytest.fixture(scope="module")
def store(dataset: ox.Store) -> EmbeddedStore:
    return EmbeddedStore(dataset=dataset)


def _values(dataset: ox.Store, subject: str, predicate: str) -> set[str]:
    return {q.object.value for q in dataset.quads_for_pattern(
        ox.NamedNode(subject), ox.NamedNode(predicate), None)}


# --- the shipped publications' citations --------------------------------------------------------

def test_ivc_letter_citation_fields(dataset: ox.Store) -> None:
    assert _values(dataset, IVC_LETTER, "http://prismstandard.org/namespaces/basic/2.0/"
                                        "publicationName") == {
        "Revista Española de Enfermedades Digestivas"}
    assert _values(dataset, IVC_LETTER, BIBO + "volume") == {"107"}
    assert _values(dataset, IVC_LETTER, BIBO + "issue") == {"7"}
    assert _values(dataset, IVC_LETTER, VLMS + "publicationYear") == {"2015"}
    assert _values(dataset, IVC_LETTER, BIBO + "uri") == {SCIELO}
    assert _values(dataset, IVC_LETTER, VLMS + "publicationType") == {
        "http://purl.org/spar/fabio/Letter", "http://purl.org/spar/fabio/CaseReport"}
    assert _values(dataset, IVC_LETTER, VLMS + "sourceCoverage") == {VLMS + "FullTextRead"}
    # no byline, DOI or PMID was found: none is recorded (never invented)
    assert not _values(dataset, IVC_LETTER, "http://purl.org/dc/terms/creator")
    assert not _values(dataset, IVC_LETTER, BIBO + "doi")


def test_femoral_report_has_no_identifier_and_says_so(dataset: ox.Store) -> None:
    for field in ("doi", "pmid", "uri"):
        assert not _values(dataset, FEMORAL, BIBO + field)
    notes = _values(dataset, FEMORAL, VLMS + "curationNote")
    assert any("no page matched" in n for n in notes)
    assert _values(dataset, FEMORAL, VLMS + "publicationType") == {
        "http://purl.org/spar/fabio/CaseReport"}


# --- display: queries, API, VoID ---------------------------------------------------------------

def test_cohort_shows_each_case_citation(store: EmbeddedStore) -> None:
    rows = {r.caseId: r.citation for r in run_query("cohort", store)}
    assert rows == {"lms-femoral-vein-c1": "not reported",
                    "lms-ivc-two-cases-c1": IVC_CITATION, "lms-ivc-two-cases-c2": IVC_CITATION}


def test_provenance_of_a_case_node_gives_the_citation(store: EmbeddedStore) -> None:
    [row] = run_query("provenance-of-fact", store, node=str(CASE["lms-ivc-two-cases-c2"])
                      + "/tumour")
    assert (row.publication, row.caseNumber, row.citation) == (IVC_LETTER, 2, IVC_CITATION)


def test_provenance_without_citation_is_none(store: EmbeddedStore) -> None:
    node = FEMORAL + "/statement/mitotic-malignancy-criterion"
    [row] = run_query("provenance-of-fact", store, node=node)
    assert (row.publication, row.citation) == (FEMORAL, None)


def test_api_case_source_gives_the_citation(store: EmbeddedStore) -> None:
    graph = KnowledgeGraph(store)
    assert graph.case("lms-ivc-two-cases-c1").source.citation == IVC_CITATION
    assert graph.case("lms-femoral-vein-c1").source.citation is None


def test_void_gives_each_publication_its_citation(dataset: ox.Store) -> None:
    copy = ox.Store()
    copy.extend(dataset)
    copy.extend(describe_dataset(copy, {}))
    cited = {q.subject.value: q.object.value for q in copy.quads_for_pattern(
        None, ox.NamedNode("http://purl.org/dc/terms/bibliographicCitation"), None,
        ox.NamedNode(str(VOID_GRAPH)))}
    assert cited == {subset_iri(IVC_LETTER): IVC_CITATION}


SHEET = """\
authors: {authors}
year: 2013
{ids}
statements:
  - {{text: A statement., about: [inferior vena cava]}}
"""


@pytest.mark.parametrize(("authors", "ids", "expected"), [
    ("[Biswas S, Amin A, Chaudry S, Joseph S]",
     "doi: 10.4021/wjon471w\nurl: https://wjon.org/index.php/wjon/article/view/471/459",
     "Biswas S et al., 2013, doi:10.4021/wjon471w"),
    ("[Mingoli A]", 'pmid: "8920790"', "Mingoli A, 2013, PMID:8920790"),
    ("[Valle M, Levi Sandri GB]", 'pmid: "25972629"\ndoi: 10.1007/s12262-014-1036-3',
     "Valle M et al., 2013, doi:10.1007/s12262-014-1036-3"),
], ids=["doi-over-url", "pmid-single-author", "doi-over-pmid"])
def test_citation_wording(tmp_path: Path, authors: str, ids: str, expected: str) -> None:
    sheet = tmp_path / "cited-2013.yaml"
    sheet.write_text(SHEET.format(authors=authors, ids=ids), encoding="utf-8")
    dataset = load_sources(_sources([sheet]))
    pub = str(PUBLICATION["cited-2013"])
    assert publication_citations(dataset)[pub] == expected
    [row] = run_query("provenance-of-fact", EmbeddedStore(dataset=dataset),
                      node=pub + "/statement/statement-1")
    assert row.citation == expected


# --- pooled figures of the shipped letter ------------------------------------------------------

FIGURES = """PREFIX vlms: <https://w3id.org/vlmskg/vocab/>
SELECT ?figure ?endpoint ?site ?treatment ?years ?rate ?precision WHERE {
  ?statement vlms:hasPooledFigure ?figure ; vlms:statedIn ?publication .
  ?figure vlms:endpoint ?endpoint ; vlms:populationSite ?site ; vlms:ratePercent ?rate .
  OPTIONAL { ?figure vlms:populationTreatment ?treatment }
  OPTIONAL { ?figure vlms:timeHorizonYears ?years }
  OPTIONAL { ?figure vlms:precision ?precision }
}"""


def test_ivc_letter_pooled_figures(store: EmbeddedStore) -> None:
    rows = {(r["endpoint"].rsplit("/", 1)[1],
             None if r.get("years") is None else int(Decimal(str(r["years"]))),
             Decimal(str(r["rate"])),
             (r.get("treatment") or "").rsplit("/", 1)[-1],
             (r.get("precision") or "").rsplit("/", 1)[-1])
            for r in store.select(FIGURES, {})}
    assert rows == {
        ("NCIT_C125201", 5, Decimal("49.4"), "", "Exact"),  # overall survival at 5 years
        ("CancerFreeSurvival", 5, Decimal("31.4"), "", "Exact"),
        ("CancerFreeSurvival", 10, Decimal("7.4"), "", "Exact"),
        ("NCIT_C4798", None, Decimal("50"), "MAXO_0000448", "Approximate"),  # recurrence
    }
    assert {str(r["site"]) for r in store.select(FIGURES, {})} == {OBO + "UBERON_0001072"}


# --- shapes ---------------------------------------------------------------------------------

PUBLICATION_TTL = """\
@prefix pub: <https://w3id.org/vlmskg/publication/> .
@prefix : <https://w3id.org/vlmskg/publication/{id}/statement/> .
@prefix vlms: <https://w3id.org/vlmskg/vocab/> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix bibo: <http://purl.org/ontology/bibo/> .
pub:{id} a obo:IAO_0000013 ; vlms:sourceDocument "{id}" {extra} .
:s a vlms:PrognosisStatement ; vlms:statementText "A statement."@en ; vlms:statedIn pub:{id} ;
    vlms:hasPooledFigure :s-figure-1 .
:s-figure-1 a vlms:PooledFigure {figure} .
"""
GOOD_FIGURE = "; vlms:endpoint obo:NCIT_C125201 ; vlms:ratePercent 49.4"


@pytest.mark.parametrize(("extra", "figure", "shape", "severity"), [
    ('; bibo:doi "https://doi.org/10.4021/wjon471w"', GOOD_FIGURE, "CitationShape", "Violation"),
    ('; bibo:pmid "PMID 8920790"', GOOD_FIGURE, "CitationShape", "Violation"),
    ('; bibo:pmid 8920790', GOOD_FIGURE, "CitationShape", "Violation"),
    ('; bibo:uri "www.example.org"^^xsd:anyURI', GOOD_FIGURE, "CitationShape", "Violation"),
    ('; bibo:pmid "8920790" ; vlms:publicationYear 12013', GOOD_FIGURE, "CitationShape",
     "Violation"),
    ('; bibo:pmid "8920790" ; vlms:publicationType obo:NCIT_C125201', GOOD_FIGURE,
     "CitationShape", "Violation"),
    ("", GOOD_FIGURE, "PublicationIdentifierShape", "Warning"),
    ('; bibo:pmid "8920790"', "; vlms:ratePercent 49.4", "PooledFigureShape", "Violation"),
    ('; bibo:pmid "8920790"', "; vlms:endpoint obo:NCIT_C125201", "PooledFigureShape",
     "Violation"),
    ('; bibo:pmid "8920790"', "; vlms:endpoint obo:UBERON_0001072 ; vlms:ratePercent 5",
     "PooledFigureShape", "Violation"),
    ('; bibo:pmid "8920790"', GOOD_FIGURE + " ; vlms:sampleSize 0", "PooledFigureShape",
     "Violation"),
], ids=["doi-with-resolver", "pmid-with-words", "pmid-not-string", "url-without-scheme",
        "impossible-year", "type-not-a-publication-type", "no-identifier-warns",
        "figure-without-endpoint", "figure-without-number", "endpoint-not-an-endpoint",
        "sample-size-zero"])
def test_citation_and_figure_shapes(tmp_path: Path, extra: str, figure: str, shape: str,
                                    severity: str) -> None:
    path = tmp_path / "bad-2013.ttl"
    path.write_text(PUBLICATION_TTL.format(id="bad-2013", extra=extra, figure=figure),
                    encoding="utf-8")
    for validate in (validate_files, validate_files_fast):
        report = validate([], publications=[path])
        found = {(r.shape.rsplit("/", 1)[1], r.severity) for r in report.results}
        assert found == {(shape, severity)}, validate.__name__


def test_a_well_cited_publication_conforms(tmp_path: Path) -> None:
    path = tmp_path / "good-2013.ttl"
    path.write_text(PUBLICATION_TTL.format(id="good-2013", extra='; bibo:pmid "8920790"',
                                           figure=GOOD_FIGURE), encoding="utf-8")
    assert validate_files([], publications=[path]).results == []


def test_literature_statements_show_the_letter_figures(store: EmbeddedStore) -> None:
    rows = {r.statement: r.figures for r in run_query("literature-statements", store)
            if r.publication == "lms-ivc-two-cases"}
    assert rows["five-year-survival"] == "overall survival at 5 years: 49.4%"
    assert rows["cancer-free-survival-10-years"] == "cancer-free survival at 10 years: 7.4%"
    assert rows["recurrence-after-curative-resection"] == "recurrent neoplasm: about 50%"
    assert rows["graft-complications"] is None  # one range for two outcomes: not a figure


def test_literature_statements_word_ranges_medians_and_bounds(tmp_path: Path) -> None:
    sheet = tmp_path / "worded-2013.yaml"
    sheet.write_text("""\
pmid: "8920790"
statements:
  - text: Figures.
    figures:
      - {endpoint: graft occlusion, rate percent: "7-28"}
      - {endpoint: overall survival, median: "3.5 years", sample size: 11}
      - {endpoint: local recurrence, time point: 5 years, rate percent: "less than 30"}
""", encoding="utf-8")
    rows = run_query("literature-statements", EmbeddedStore(dataset=load_sources(
        _sources([sheet]))))
    [figures] = [r.figures for r in rows if r.publication == "worded-2013"]
    assert set(figures.split("; ")) == {"graft occlusion: 7-28%",
                                        "overall survival: median 42 months (n=11)",
                                        "local recurrence at 5 years: under 30%"}
