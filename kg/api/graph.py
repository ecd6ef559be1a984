"""The entry point of the Python API: open the graph, get cases, walk from any node.

>>> from kg.api import KnowledgeGraph
>>> graph = KnowledgeGraph.open()
>>> "lms-ivc-two-cases-c2" in graph.case_ids()
True
>>> graph.case("lms-ivc-two-cases-c2").patient.age_years
65
>>> ivc = [c.id for c in graph.cases(vessel="inferior vena cava", max_age=62)]
>>> "lms-ivc-two-cases-c1" in ivc, "lms-ivc-two-cases-c2" in ivc
(True, False)
>>> graph.source_of("https://w3id.org/vlmskg/case/lms-ivc-two-cases-c1/tumour").case_number
1
>>> graph.case("lms-ivc-two-cases-c2").source.citation[:16]
'2015, https://sc'
>>> graph.case("lms-ivc-two-cases-c9")
Traceback (most recent call last):
...
kg.errors.UnknownCaseError: no case 'lms-ivc-two-cases-c9' in the graph (fix: did you mean ...
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Node as Term

from kg.analysis.cache import load_records
from kg.analysis.fields import select
from kg.analysis.records import CaseRecord
from kg.analysis.summary import Summary, summarise
from kg.analysis.survival import SurvivalAnalysis, analyse
from kg.api.case_reader import read_case
from kg.api.cases import Case, Provenance
from kg.api.labels import fetch_label, pick_label
from kg.api.traversal import Edge, Node, node_exists, shortest_path, to_iri
from kg.api.vocabulary import Vocabulary
from kg.errors import ParameterError, UnknownCaseError
from kg.namespaces import CASE, case_id, case_iri, obo
from kg.queries.run import run_query
from kg.store import Store, open_store

__all__ = ["KnowledgeGraph", "SEXES"]

SEXES = {"male": obo("PATO:0000384"), "female": obo("PATO:0000383")}

_PREFIXES = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX vlms: <https://w3id.org/vlmskg/vocab/>
"""
_IS_CASE = "?case a ?caseType . ?caseType rdfs:subClassOf* vlms:Case ."
_CASE_EXISTS = _PREFIXES + "ASK { " + _IS_CASE + " }"
# Filters are fixed text; their values are bound as RDF terms by the store.
_AGE = "?case vlms:hasPatient/vlms:ageYears ?age ."
_FILTERS = {
    "sex": ("?case vlms:hasPatient/vlms:sex ?sex .",),
    "min_age": (_AGE, "FILTER(?age >= ?min_age)"),
    "max_age": (_AGE, "FILTER(?age <= ?max_age)"),
}
_TITLE = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?title ?label WHERE {
  { ?publication dcterms:title ?title } UNION { ?publication rdfs:label ?label }
}"""


def _select_cases(filters: Iterable[str]) -> str:
    patterns = "\n  ".join(dict.fromkeys(line for f in filters for line in _FILTERS[f]))
    return (_PREFIXES + "SELECT DISTINCT ?case WHERE {\n  " + _IS_CASE + "\n  " + patterns
            + "\n} ORDER BY ?case")


def _age(name: str, value: int | None) -> Literal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParameterError(f"{name} must be a whole number of years, got {value!r}",
                             hint=f"give e.g. {name}=60")
    return Literal(value)  # xsd:integer


class KnowledgeGraph:
    """The vlms-kg graph behind a :class:`kg.store.Store`: cases, nodes, paths, cohort."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._vocabulary: Vocabulary | None = None
        self._records: list[CaseRecord] | None = None

    @classmethod
    def open(cls, *, endpoint: str | None = None, store: str | Path | None = None,
             in_memory: bool = False, create: bool = False) -> KnowledgeGraph:
        """The shipped graph in memory; or the SPARQL server at ``endpoint``; or the
        on-disk store in the folder ``store`` (made there, with the shipped graph, only
        with ``create``), or with ``in_memory`` a copy of it in memory for faster queries
        (see :func:`kg.store.open_store`).

        The shipped graph is built once per process (again when a source file changes);
        each call gets its own copy.
        """
        return cls(open_store(endpoint=endpoint, path=Path(store) if store else None,
                              in_memory=in_memory, create=create))

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"KnowledgeGraph({self.store!r})"

    @property
    def vocabulary(self) -> Vocabulary:
        """Labels and class hierarchy of the ontology, read once."""
        if self._vocabulary is None:
            self._vocabulary = Vocabulary.fetch(self.store)
        return self._vocabulary

    # --- cases --------------------------------------------------------------------

    def case_ids(self) -> list[str]:
        """The identifiers of every case, sorted."""
        return [case_id(str(row["case"])) for row in self.store.select(_select_cases(()))]

    def case(self, identifier: str) -> Case:
        """The case with this identifier (``lms-ivc-two-cases-c2``) or IRI.

        Raises :class:`UnknownCaseError` naming the closest identifiers.
        """
        text = str(identifier).strip()
        iri = URIRef(text) if text.startswith(str(CASE)) else case_iri(text)
        try:
            known = self.store.ask(_CASE_EXISTS, {"case": iri})
        except ParameterError:  # not even a valid IRI
            known = False
        if not known:
            close = difflib.get_close_matches(text.removeprefix(str(CASE)), self.case_ids(), n=3)
            hint = (f"did you mean {' or '.join(close)}?" if close
                    else "list the identifiers with KnowledgeGraph.case_ids()")
            raise UnknownCaseError(f"no case {text!r} in the graph", hint=hint)
        return self._read(iri)

    def _read(self, iri: URIRef) -> Case:
        source = self.source_of(iri)
        if source is None:
            raise UnknownCaseError(f"case {iri} has no vlms:reportedIn publication",
                                   hint="give the case node vlms:reportedIn and rebuild")
        return read_case(self.store, str(iri), self.vocabulary, source)

    def cases(self, *, vessel: str | None = None, sex: str | None = None,
              min_age: int | None = None, max_age: int | None = None) -> list[Case]:
        """The cases matching every filter given, sorted by identifier.

        ``vessel``: a label (``"inferior vena cava"``), CURIE or IRI; a case matches when
        its tumour arises from, involves or extends into a structure of that class, of a
        subclass, or part of one (the stored query ``cases-involving-structure``).
        ``sex``: ``"male"`` or ``"female"``. ``min_age``/``max_age``: years, inclusive.
        """
        bindings: dict[str, Term] = {}
        if sex is not None:
            if sex not in SEXES:
                raise ParameterError(f"unknown sex {sex!r}", hint="use 'male' or 'female'")
            bindings["sex"] = SEXES[sex]
        for name, value in (("min_age", min_age), ("max_age", max_age)):
            if (term := _age(name, value)) is not None:
                bindings[name] = term
        rows = self.store.select(_select_cases(bindings), bindings or None)
        iris = [URIRef(str(row["case"])) for row in rows]
        if vessel is not None:
            matching = self._cases_involving(vessel)
            iris = [iri for iri in iris if case_id(str(iri)) in matching]
        return [self._read(iri) for iri in iris]

    def _cases_involving(self, structure: str) -> set[str]:
        rows = run_query("cases-involving-structure", self.store, structure=structure)
        if rows or ":" in structure:
            return {row.caseId for row in rows}
        words = structure.strip().lower()
        if not any(words in label.lower() for label in self.vocabulary.labels.values()):
            close = self.vocabulary.close_labels(structure)
            raise ParameterError(
                f"no term of the ontology is called {structure!r}",
                hint=(f"did you mean {', '.join(map(repr, close))}?" if close
                      else "give an IRI or CURIE such as UBERON:0001072"))
        return set()

    def cohort(self) -> list[dict[str, Any]]:
        """One dict per case from the stored query ``cohort``, ready for
        ``pandas.DataFrame(graph.cohort())``; decimals become ``float``."""
        return [{key: float(value) if isinstance(value, Decimal) else value
                 for key, value in row._asdict().items()}
                for row in run_query("cohort", self.store)]

    # --- pooled analysis (kg.analysis) ------------------------------------------------

    def case_records(self, where: Iterable[str] = ()) -> list[CaseRecord]:
        """One :class:`kg.analysis.records.CaseRecord` per case meeting every ``where``
        condition (``"vessel-group=inferior vena cava"``, ``"age>=60"``), read once.

        >>> graph = KnowledgeGraph.open()
        >>> c1 = graph.case_records(["publication=lms-ivc-two-cases", "age<65"])[0]
        >>> c1.case_id, c1.margin, c1.follow_up_months
        ('lms-ivc-two-cases-c1', 'R0', 30.0)
        >>> graph.case_records(["marjin=R0"])
        Traceback (most recent call last):
        ...
        kg.analysis.fields.SelectionError: unknown field 'marjin' (fix: use one of: margin, ...
        """
        if self._records is None:
            self._records = load_records(self.store)
        return select(self._records, where)

    def records(self, where: Iterable[str] = ()) -> list[dict[str, Any]]:
        """The records as flat dicts, for ``pandas.DataFrame(graph.records())``.

        >>> row = KnowledgeGraph.open().records(["case=lms-ivc-two-cases-c1"])[0]
        >>> row["os_surgery_months"], row["os_surgery_event"], row["metastasis_sites"]
        (30.0, False, ['lung'])
        """
        return [record.as_dict() for record in self.case_records(where)]

    def summary(self, where: Iterable[str] = (), by: str | None = None,
                fields: Iterable[str] | None = None) -> Summary:
        """Table 1 (:func:`kg.analysis.summary.summarise`) of the cases meeting ``where``,
        overall and by the field ``by``.

        >>> table = KnowledgeGraph.open().summary(["vessel-group=inferior vena cava",
        ...                                        "publication=lms-ivc-two-cases"])
        >>> table.n, table.variable("vessel").cells["all"].levels
        (2, [('inferior vena cava', 2, 100.0)])
        """
        return summarise(self.case_records(where), by, list(fields) if fields else None)

    def survival(self, endpoint: str = "overall", origin: str = "surgery",
                 by: str | None = None, where: Iterable[str] = ()) -> SurvivalAnalysis:
        """Kaplan–Meier estimates (:func:`kg.analysis.survival.analyse`) of ``endpoint``
        (overall, event-free, metastasis-free) from ``origin`` (surgery, diagnosis) for the
        cases meeting ``where``, by the field ``by`` with a log-rank test.

        >>> km = KnowledgeGraph.open().survival("event-free",
        ...                                     where=["publication=lms-ivc-two-cases"])
        >>> km.groups[0].curve.times, km.groups[0].curve.median.time
        ((6.0, 9.0), 6.0)
        """
        return analyse(self.case_records(where), endpoint, origin, by)

    # --- nodes --------------------------------------------------------------------

    def node(self, name: str | Node) -> Node:
        """The node with this IRI or CURIE (``UBERON:0001072``, ``vlms:Case``).

        Raises :class:`ParameterError` when the graph does not mention it.
        """
        iri = to_iri(name)
        if not node_exists(self.store, iri):
            raise ParameterError(f"no node <{iri}> in the graph",
                                 hint="check the IRI; case nodes look like "
                                      f"{case_iri('lms-ivc-two-cases-c1')}/tumour")
        return Node(str(iri), fetch_label(self.store, iri), self.store)

    def shortest_path(self, start: str | Node, end: str | Node, max_length: int = 4
                      ) -> list[Edge] | None:
        """The shortest chain of edges between two nodes, walking edges either way.

        Each step is a triple ``(subject, predicate, object)`` as stored; ``None`` when
        the nodes are more than ``max_length`` edges apart.
        """
        if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 0:
            raise ParameterError(f"max_length must be a whole number >= 0, got {max_length!r}",
                                 hint="give e.g. max_length=4")
        first, last = self.node(start), self.node(end)
        return shortest_path(self.store, URIRef(first.iri), URIRef(last.iri), max_length)

    def source_of(self, name: str | Node) -> Provenance | None:
        """The case (or publication) graph that describes a node, its publication, case
        number and ``vlms:sourceLocation``; ``None`` for a node no case or publication
        describes (an ontology term, for instance)."""
        iri = to_iri(name)
        rows = run_query("provenance-of-fact", self.store, node=str(iri))
        if not rows:
            return None
        row = rows[0]
        found = self.store.select(_TITLE, {"publication": URIRef(row.publication)})
        title = pick_label(r["title"] for r in found if "title" in r) or pick_label(
            r["label"] for r in found if "label" in r)
        return Provenance(graph=row.graph, publication=row.publication, title=title,
                          case_number=row.caseNumber, location=row.sourceLocation or None,
                          citation=row.citation)
