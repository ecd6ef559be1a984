"""What the pages show, read once from the store when the site starts.

A :class:`Site` holds the graph (:class:`kg.api.KnowledgeGraph`), every case's record
(:func:`kg.analysis.cache.load_records`: the build's record cache at 10 000 cases), the
publications' years and identifiers, the literature comparisons and the terms offered in
the question forms. List pages read these in memory, never one query per case; a case
page reads its own case graph. Analyses and survival figures are computed on demand and kept
(the last :data:`KEPT`); so are the stored questions' answers (:mod:`kg.web.answers`).

>>> from kg.api import KnowledgeGraph
>>> site = Site(KnowledgeGraph.open())
>>> site.record("lms-ivc-two-cases-c1").age_years
60
>>> site.publications["lms-ivc-two-cases"].year
2015
>>> site.vessel_counts()[0][0]
'inferior vena cava'
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar, cast

from kg.analysis.fields import select
from kg.analysis.literature import Comparison, compare_literature
from kg.analysis.records import CaseRecord
from kg.analysis.summary import Summary, summarise
from kg.analysis.survival import SurvivalAnalysis, analyse
from kg.api.graph import KnowledgeGraph
from kg.errors import UnknownCaseError
from kg.namespaces import PUBLICATION
from kg.queries.catalogue import list_queries
from kg.queries.run import run_query
from kg.store.terms import to_python
from kg.web.answers import Answers

__all__ = ["KEPT", "Publication", "Site", "doi_url", "pmid_url"]

#: how many analyses (tables, curves, figures) the site keeps in memory.
KEPT = 96
_T = TypeVar("_T")
_ONTOLOGY = "https://w3id.org/vlmskg/graph/ontology"
_PUBLICATIONS = """PREFIX vlms: <https://w3id.org/vlmskg/vocab/>
PREFIX bibo: <http://purl.org/ontology/bibo/>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?publication ?year ?doi ?pmid ?uri ?title WHERE {
  ?case vlms:reportedIn ?publication .
  OPTIONAL { ?publication vlms:publicationYear ?year }
  OPTIONAL { ?publication bibo:doi ?doi }
  OPTIONAL { ?publication bibo:pmid ?pmid }
  OPTIONAL { ?publication bibo:uri ?uri }
  OPTIONAL { ?publication dcterms:title ?title }
}"""
# The anatomical classes the patients' structures are instances of (UBERON and the
# project's own), for the "structure" parameter of the stored questions.
_STRUCTURES = f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?label WHERE {{
  {{ SELECT DISTINCT ?class WHERE {{ GRAPH ?g {{ ?structure a ?class }} }} }}
  GRAPH <{_ONTOLOGY}> {{ ?class rdfs:label ?label }}
  FILTER(STRSTARTS(STR(?class), "http://purl.obolibrary.org/obo/UBERON_")
         || CONTAINS(LCASE(STR(?label)), "vein") || CONTAINS(LCASE(STR(?label)), "artery")
         || CONTAINS(LCASE(STR(?label)), "vena cava"))
}}"""
# The topics the literature statements are about, for the "about" parameter.
_TOPICS = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX vlms: <https://w3id.org/vlmskg/vocab/>
PREFIX obo: <http://purl.obolibrary.org/obo/>
SELECT DISTINCT ?label WHERE {
  ?node vlms:statementText [] ;
        obo:IAO_0000136|vlms:site|vlms:aboutSite|vlms:rateOf|vlms:rankedSite/vlms:site ?topic .
  ?topic rdfs:label ?label .
}"""
#: IRIs offered for an IRI parameter (the first cases' tumours).
_NODES_OFFERED = 200


def doi_url(doi: str | None) -> str | None:
    """The resolver link of a DOI.

    >>> doi_url("10.4021/wjon471w")
    'https://doi.org/10.4021/wjon471w'
    """
    return f"https://doi.org/{doi}" if doi else None


def pmid_url(pmid: str | None) -> str | None:
    """The PubMed link of a PMID.

    >>> pmid_url("8920790")
    'https://pubmed.ncbi.nlm.nih.gov/8920790/'
    """
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid else None


@dataclass(frozen=True)
class Publication:
    """A source of cases: its identifier, title, year and links (what is recorded)."""

    id: str
    title: str | None
    year: int | None
    doi: str | None
    pmid: str | None
    url: str | None

    @property
    def links(self) -> list[tuple[str, str]]:
        """(text, address) of every link: DOI, PubMed, web page."""
        found = []
        if self.doi:
            found.append((f"doi:{self.doi}", doi_url(self.doi) or ""))
        if self.pmid:
            found.append((f"PMID {self.pmid}", pmid_url(self.pmid) or ""))
        if self.url and not self.doi:
            found.append(("web page", self.url))
        return found


class Site:
    """The graph and what the pages read from it, loaded once."""

    def __init__(self, graph: KnowledgeGraph) -> None:
        self.graph = graph
        self.records: list[CaseRecord] = graph.case_records()
        self._by_id = {r.case_id: r for r in self.records}
        self.case_ids: frozenset[str] = frozenset(self._by_id)
        self.publications = self._read_publications()
        self._comparisons: list[Comparison] | None = None
        self._terms: dict[str, list[str]] = {}
        self._results: OrderedDict[tuple[object, ...], object] = OrderedDict()
        self._lock = threading.Lock()
        self.answers = Answers()  #: the stored questions' answers, kept

    def _read_publications(self) -> dict[str, Publication]:
        found: dict[str, Publication] = {}
        for row in self.graph.store.select(_PUBLICATIONS):
            iri = str(row["publication"])
            key = iri.removeprefix(str(PUBLICATION))
            if key in found:
                continue
            values = {k: to_python(row.get(k)) for k in ("year", "doi", "pmid", "uri", "title")}
            year = values["year"]
            found[key] = Publication(key, values["title"], int(year) if year else None,
                                     values["doi"], values["pmid"], values["uri"])
        return found

    # --- cases ----------------------------------------------------------------------

    def record(self, case_id: str) -> CaseRecord:
        """The record of one case; :class:`UnknownCaseError` when there is none."""
        try:
            return self._by_id[case_id]
        except KeyError:
            raise UnknownCaseError(f"no case {case_id!r} in the graph",
                                   hint="pick a case from the list of cases") from None

    def publication(self, record: CaseRecord) -> Publication | None:
        return self.publications.get(record.publication or "")

    def vessel_counts(self) -> list[tuple[str, int]]:
        """(vessel of origin, number of cases), most cases first; unreported last."""
        counts = Counter(r.vessel or "not reported" for r in self.records)
        return sorted(counts.items(), key=lambda kv: (kv[0] == "not reported", -kv[1], kv[0]))

    def group_counts(self) -> list[tuple[str, int]]:
        """(vessel group, number of cases), most cases first."""
        counts = Counter(r.vessel_group or "not reported" for r in self.records)
        return sorted(counts.items(), key=lambda kv: (kv[0] == "not reported", -kv[1], kv[0]))

    def newest(self, n: int = 8) -> list[CaseRecord]:
        """The cases of the most recent publications (by year), newest first."""
        def year(record: CaseRecord) -> int:
            publication = self.publication(record)
            return publication.year if publication and publication.year else 0
        return sorted(self.records, key=lambda r: (-year(r), r.case_id))[:n]

    # --- analysis ---------------------------------------------------------------------

    def comparisons(self) -> list[Comparison]:
        """The literature's pooled figures beside the graph's own (computed once)."""
        with self._lock:
            if self._comparisons is None:
                self._comparisons = compare_literature(self.graph.store, self.records)
            return self._comparisons

    def _kept(self, key: tuple[object, ...], make: Callable[[], _T]) -> _T:
        """``make()``, computed once per ``key`` while among the last :data:`KEPT`."""
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                return cast(_T, self._results[key])
        value = make()
        with self._lock:
            self._results[key] = value
            while len(self._results) > KEPT:
                self._results.popitem(last=False)
        return value

    def summary(self, by: str | None, where: Sequence[str]) -> Summary | None:
        """Table 1 of the selection (``None`` when it is empty), kept."""
        def make() -> Summary | None:
            chosen = select(self.records, where)
            return summarise(chosen, by) if chosen else None
        return self._kept(("summary", by, tuple(where)), make)

    def survival(self, endpoint: str, origin: str, by: str | None,
                 where: Sequence[str]) -> SurvivalAnalysis:
        """The Kaplan–Meier analysis of the selection, kept."""
        return self._kept(("survival", endpoint, origin, by, tuple(where)),
                          lambda: analyse(select(self.records, where), endpoint, origin, by))

    def figure(self, endpoint: str, origin: str, by: str | None, where: Sequence[str]
               ) -> bytes:
        """The SVG of a survival analysis, drawn once and kept."""
        from kg.analysis.plots import draw_survival

        return self._kept(("figure", endpoint, origin, by, tuple(where)), lambda: draw_survival(
            self.survival(endpoint, origin, by, where), "svg"))

    def warm(self) -> None:
        """Compute at start what pages would otherwise compute on first request: the
        literature comparisons, the home page's survival figure, the terms of the forms."""
        self.comparisons()
        self.figure("overall", "surgery", None, ())
        for parameter in ("structure", "about", "node"):
            self.terms(parameter)

    def warm_answers(self) -> threading.Thread:
        """Start answering, in a background thread, every stored question that needs no
        value from the visitor (each parameter has a default), in this process and without
        a time limit; the answers are kept in :attr:`answers`."""
        questions = [(q.name, q.defaults) for q in list_queries() if q.defaults is not None]
        return self.answers.warm(questions, lambda name, params: run_query(
            name, self.graph.store, **params))

    # --- question forms -----------------------------------------------------------------

    def terms(self, parameter: str) -> list[str]:
        """Values offered for a stored question's parameter, from the graph's own terms:
        anatomical structures for ``structure``, statement topics for ``about``, case
        tumours for ``node``; empty for other names."""
        with self._lock:
            if parameter in self._terms:
                return self._terms[parameter]
        if parameter == "structure":
            found = sorted({str(r["label"]) for r in self.graph.store.select(_STRUCTURES)},
                           key=str.lower)
        elif parameter == "about":
            found = sorted({str(r["label"]) for r in self.graph.store.select(_TOPICS)},
                           key=str.lower)
        elif parameter == "node":
            found = [f"https://w3id.org/vlmskg/case/{r.case_id}/tumour"
                     for r in self.records[:_NODES_OFFERED]]
        else:
            found = []
        with self._lock:
            self._terms[parameter] = found
        return found
