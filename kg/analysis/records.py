"""One flat, typed record per case: the summary variables and the survival times.

:func:`extract_records` reads the facts of every case graph (or of the cases named) with a
few lean SPARQL queries (each one predicate list scanned across the case graphs, no joins)
and the ontology's labels, class hierarchy and unit conversions, then builds each
:class:`CaseRecord` in Python. It runs on any :class:`kg.store.Store`, embedded or remote.
:func:`load_records` adds the per-case record cache that ``vlmskg build --store`` keeps up
to date (see :mod:`kg.analysis.cache`).

Time (see :mod:`kg.analysis.timeline` and the README section "Honest time"):

* time zero is the index operation (``vlms:indexSurgery``; ``origin="surgery"``) or the
  first diagnosis event that is not an initial misdiagnosis (``origin="diagnosis"``);
* months are the timing amount times the unit's ``vlms:monthsPerUnit`` (a day is
  0.0329 months, a week 0.230, a year 12);
* overall survival: the event is death, dated by the last follow-up of a patient reported
  dead; a patient reported alive is censored at the last follow-up;
* event-free survival: the first of recurrence, metastasis or death; metastasis-free: the
  first of metastasis or death; a case with metastasis (event-free: or recurrence) already
  at time zero is left out of these two;
* precision: an event stated as "at least" (``vlms:AtLeast``) is censored at that time (the
  patient was event-free until then); a censoring "more than 2 years" is censored at 24
  months; "about" (approximate) and "at most" values are used as stated and flagged; a time
  stated only as a group's range is not used;
* a case without a usable time is left out, with the reason in ``<endpoint>_<origin>_excluded``.

>>> from kg.store import open_store
>>> records = {r.case_id: r for r in extract_records(open_store())}
>>> c1 = records["lms-ivc-two-cases-c1"]
>>> c1.age_years, c1.sex, c1.margin, c1.metastasis_sites, c1.follow_up_months
(60, 'female', 'R0', ('lung',), 30.0)
>>> c1.time("overall", "surgery")
SurvivalTime(months=30.0, event=False, precision='exact', excluded=None)
>>> c1.time("event-free", "surgery")
SurvivalTime(months=9.0, event=True, precision='exact', excluded=None)
"""

from __future__ import annotations

import dataclasses
import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import pyoxigraph as ox

from kg.analysis.timeline import RANGE, Link, Offset, offsets
from kg.namespaces import CASE, ONTOLOGY_GRAPH, PUBLICATION
from kg.store.base import Store
from kg.store.embedded import EmbeddedStore
from kg.store.terms import to_python
from kg.vocab import VLMS

__all__ = ["ENDPOINTS", "ORIGINS", "SurvivalTime", "CaseRecord", "Ontology",
           "CaseTriples", "extract_records", "fetch_ontology", "fetch_case_triples",
           "fetch_publications", "timeline_links", "build_record", "record_fields",
           "format_citation",
           "AGE_BANDS", "SIZE_BANDS"]

#: the survival endpoints, and their field-name prefixes.
ENDPOINTS = {"overall": "os", "event-free": "efs", "metastasis-free": "mfs"}
#: the time origins.
ORIGINS = ("surgery", "diagnosis")
#: age bands (years): label, lowest age included.
AGE_BANDS = (("<40", 0), ("40-49", 40), ("50-59", 50), ("60-69", 60), ("70+", 70))
#: size bands (largest dimension, cm): label, lowest size included.
SIZE_BANDS = (("<5 cm", 0.0), ("5-9.9 cm", 5.0), ("10-14.9 cm", 10.0), ("15+ cm", 15.0))

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_OBO = "http://purl.obolibrary.org/obo/"
_PART_OF = _OBO + "BFO_0000050"
_LOCATED_IN = _OBO + "RO_0001025"
_BLOOD_VESSEL, _VEIN, _ARTERY, _IVC = (_OBO + f"UBERON_{n}" for n in
                                       ("0001981", "0001638", "0001637", "0001072"))
_METASTASIS_CONCEPT = _OBO + "NCIT_C19151"
_ADJUVANT_CONCEPT = _OBO + "NCIT_C15675"
_NEOADJUVANT_CONCEPT = _OBO + "NCIT_C15665"
# not (yet) in the ontology: read when a case or publication states them
_AMOUNT_MIN = str(VLMS) + "amountMin"
_AMOUNT_MAX = str(VLMS) + "amountMax"
_STATED_FOR_GROUP = str(VLMS) + "statedForGroup"
_PUBLICATION_TYPE = str(VLMS) + "publicationType"
_SOURCE_COVERAGE = str(VLMS) + "sourceCoverage"
_YEAR = str(VLMS) + "publicationYear"
_AUTHOR_POSITION = str(VLMS) + "authorPosition"
_DCTERMS = "http://purl.org/dc/terms/"
_BIBO = "http://purl.org/ontology/bibo/"


@functools.cache
def _v(name: str) -> str:
    return str(VLMS[name])


_FACT_PREDICATES = [_RDF_TYPE, _PART_OF, _LOCATED_IN, _AMOUNT_MIN, _AMOUNT_MAX,
                    _STATED_FOR_GROUP] + [_v(n) for n in [
    "reportedIn", "caseNumberInSource", "hasPatient", "hasTumour", "indexSurgery",
    "lastFollowUp", "ageYears", "sex", "arisesFrom", "involves", "extendsInto", "hasPortion",
    "laterality", "growthPattern", "grade", "hasSizeMeasurement", "firstDimensionCm",
    "secondDimensionCm", "thirdDimensionCm", "timelinePosition", "hasTiming", "relativeTo",
    "temporalRelation", "amount", "timeUnit", "precision", "intent", "marginStatus",
    "graftMaterial", "diagnosisStatus", "diagnosedAs", "vitalStatus", "diseaseStatus",
    "concept", "presence", "observedIn", "onset", "site", "enBloc"]]

_FACTS = """SELECT ?g ?s ?p ?o WHERE {
  VALUES ?p { %s }
  GRAPH ?g { ?s ?p ?o }
}"""
_FACTS_OF = """SELECT ?g ?s ?p ?o WHERE {
  VALUES ?g { %s }
  VALUES ?p { %s }
  GRAPH ?g { ?s ?p ?o }
}"""
_ONTOLOGY = f"""SELECT ?s ?p ?o WHERE {{
  VALUES ?p {{ <{_SUBCLASS}> <{_LABEL}> <{_v("monthsPerUnit")}> }}
  GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }}
}}"""
_PUBLICATIONS = f"""SELECT ?g ?p ?o WHERE {{
  VALUES ?p {{ <{_LABEL}> <{_DCTERMS}title> <{_PUBLICATION_TYPE}> <{_SOURCE_COVERAGE}>
              <{_YEAR}> <{_BIBO}doi> <{_BIBO}pmid> <{_BIBO}uri> }}
  GRAPH ?g {{ ?g ?p ?o }}
}}"""
_AUTHORS = f"""SELECT ?g ?position ?name WHERE {{
  GRAPH ?g {{ ?g <{_DCTERMS}creator> ?author .
             ?author <{_AUTHOR_POSITION}> ?position ; <{_LABEL}> ?name }}
}}"""


class SurvivalTime(NamedTuple):
    """One case's time for one endpoint: months from time zero, whether the event happened
    then (else censored), the precision of the time, or why the case is left out."""

    months: float | None
    event: bool | None
    precision: str | None
    excluded: str | None


@dataclass(frozen=True)
class CaseRecord:
    """Everything the summary and survival analyses use of one case. ``None`` (or an empty
    tuple) means not reported; ``"none"`` is a stated absence."""

    case_id: str
    publication: str | None  #: publication id
    publication_label: str | None  #: its title or, failing that, its label
    citation: str | None  #: first author et al., year, doi (what is known)
    case_number: int | None
    publication_type: str | None  #: case report, case series, registry… where stated
    source_coverage: str | None  #: what the curators read: full text, abstract… where stated
    synthetic: bool  #: made up by ``vlmskg synth``
    age_years: int | None
    age_band: str | None  #: :data:`AGE_BANDS`
    sex: str | None  #: female | male
    vessel: str | None  #: nearest blood vessel the tumour arises from, with its side
    vessel_class: str | None  #: the IRI of that vessel's most specific class
    vessel_group: str | None  #: inferior vena cava | other vein | artery | other vessel
    ivc_segments: tuple[str, ...]  #: upper, middle, lower (IVC tumours)
    size_cm: float | None  #: largest dimension over every measurement
    size_band: str | None  #: :data:`SIZE_BANDS`
    grade: str | None  #: high | intermediate | low | another grade's label
    growth_pattern: tuple[str, ...]  #: intraluminal, extraluminal
    presentation: tuple[str, ...]  #: presenting symptoms reported present
    initial_misdiagnosis: tuple[str, ...]  #: what the tumour was first taken for
    operation: str | None  #: the index operation's technique (e.g. surgical resection)
    en_bloc: bool | None
    vascular_management: tuple[str, ...]  #: ligation, primary repair, patch, graft, anastomosis…
    graft_material: tuple[str, ...]
    margin: str | None  #: R0 | R1 | R2 (the index operation's, else the worst stated)
    neoadjuvant_therapy: str | None  #: chemotherapy, radiotherapy, both, given, none
    adjuvant_therapy: str | None  #: chemotherapy, radiotherapy, both, given, none
    metastasis_at_presentation: bool | None
    recurrence: bool | None  #: local recurrence at any time after time zero
    metastasis: bool | None  #: metastasis found after presentation
    metastasis_sites: tuple[str, ...]  #: sites of every metastasis found
    follow_up_months: float | None  #: last follow-up, months after the index operation
    vital_status: str | None  #: alive | dead at last follow-up
    disease_status: str | None  #: at last follow-up
    os_surgery_months: float | None = None
    os_surgery_event: bool | None = None
    os_surgery_precision: str | None = None
    os_surgery_excluded: str | None = None
    efs_surgery_months: float | None = None
    efs_surgery_event: bool | None = None
    efs_surgery_precision: str | None = None
    efs_surgery_excluded: str | None = None
    mfs_surgery_months: float | None = None
    mfs_surgery_event: bool | None = None
    mfs_surgery_precision: str | None = None
    mfs_surgery_excluded: str | None = None
    os_diagnosis_months: float | None = None
    os_diagnosis_event: bool | None = None
    os_diagnosis_precision: str | None = None
    os_diagnosis_excluded: str | None = None
    efs_diagnosis_months: float | None = None
    efs_diagnosis_event: bool | None = None
    efs_diagnosis_precision: str | None = None
    efs_diagnosis_excluded: str | None = None
    mfs_diagnosis_months: float | None = None
    mfs_diagnosis_event: bool | None = None
    mfs_diagnosis_precision: str | None = None
    mfs_diagnosis_excluded: str | None = None

    def time(self, endpoint: str, origin: str) -> SurvivalTime:
        """The survival time for ``endpoint`` (:data:`ENDPOINTS`) from ``origin``."""
        prefix = f"{ENDPOINTS[endpoint]}_{origin}_"
        return SurvivalTime(*(getattr(self, prefix + part)
                              for part in ("months", "event", "precision", "excluded")))

    def as_dict(self) -> dict[str, Any]:
        """The record as a flat dict (tuples as lists), ready for JSON or pandas."""
        return {key: list(value) if isinstance(value, tuple) else value
                for key, value in dataclasses.asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaseRecord:
        """The record :meth:`as_dict` gave."""
        values: dict[str, Any] = {
            f.name: tuple(data[f.name]) if isinstance(data.get(f.name), list)
            else data.get(f.name) for f in dataclasses.fields(cls)}
        return cls(**values)

    def as_row(self) -> list[Any]:
        """The field values in order (tuples as lists): the compact form the cache keeps."""
        return [list(v) if isinstance(v, tuple) else v
                for v in (getattr(self, name) for name in _FIELD_NAMES)]

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> CaseRecord:
        """The record :meth:`as_row` gave, built without the dataclass ``__init__`` (ten
        times faster, for the cache's thousands of records).

        >>> record = CaseRecord.from_row([None] * len(record_fields()))
        >>> record.ivc_segments, CaseRecord.from_row(record.as_row()) == record
        ((), True)
        """
        if len(row) != len(_FIELD_NAMES):
            raise ValueError(f"a record has {len(_FIELD_NAMES)} fields, not {len(row)}")
        record = object.__new__(cls)
        values = record.__dict__
        values.update(zip(_FIELD_NAMES, row, strict=True))
        for name in _TUPLE_FIELDS:
            value = values[name]
            values[name] = tuple(value) if value else ()
        return record


_FIELD_NAMES = tuple(f.name for f in dataclasses.fields(CaseRecord))
_TUPLE_FIELDS = tuple(f.name for f in dataclasses.fields(CaseRecord)
                      if str(f.type).startswith("tuple"))


def record_fields() -> list[str]:
    """The names of a record's fields, in order.

    >>> record_fields()[:3]
    ['case_id', 'publication', 'publication_label']
    """
    return [f.name for f in dataclasses.fields(CaseRecord)]


# --- the ontology ------------------------------------------------------------------------


@dataclass
class Ontology:
    """What records need from the ontology graph: labels, superclasses, unit conversions."""

    labels: dict[str, str]
    parents: dict[str, set[str]]
    months_per_unit: dict[str, float]
    _ancestors: dict[str, frozenset[str]] = dataclasses.field(default_factory=dict)

    def ancestors(self, cls: str) -> frozenset[str]:
        """``cls`` and every class above it."""
        known = self._ancestors.get(cls)
        if known is None:
            seen, stack = {cls}, [cls]
            while stack:
                for parent in self.parents.get(stack.pop(), ()):
                    if parent not in seen:
                        seen.add(parent)
                        stack.append(parent)
            known = self._ancestors[cls] = frozenset(seen)
        return known

    def is_a(self, types: Iterable[str], cls: str) -> bool:
        """True when one of ``types`` is ``cls`` or below it."""
        return any(cls in self.ancestors(t) for t in types)

    def label(self, term: str) -> str:
        """The term's label, else its local name."""
        return self.labels.get(term) or term.rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def most_specific(self, types: Iterable[str], below: str) -> list[str]:
        """The classes among ``types`` that are at or below ``below`` and have no other of
        them beneath."""
        inside = [t for t in set(types) if below in self.ancestors(t)]
        return sorted(t for t in inside
                      if not any(o != t and t in self.ancestors(o) for o in inside))


def fetch_ontology(store: Store) -> Ontology:
    """Labels, direct superclasses and ``vlms:monthsPerUnit`` of the ontology graph."""
    labels: dict[str, str] = {}
    parents: dict[str, set[str]] = defaultdict(set)
    months: dict[str, float] = {}
    for s, p, o in _rows(store, _ONTOLOGY, ["s", "p", "o"]):
        if p == _LABEL:
            labels.setdefault(s, str(o))
        elif p == _SUBCLASS:
            if isinstance(o, str) and not o.startswith("_:"):
                parents[s].add(o)
        else:
            months[s] = float(o)
    return Ontology(labels, dict(parents), months)


# --- the facts of each case --------------------------------------------------------------


_EMPTY: dict[str, list[Any]] = {}


class CaseTriples:
    """The triples of one case graph, indexed by subject and predicate (values as Python
    values: IRIs as strings, literals as numbers, booleans or strings)."""

    def __init__(self, case_iri: str) -> None:
        self.case = case_iri
        self.by: dict[str, dict[str, list[Any]]] = {}
        self._typed: dict[str, list[str]] | None = None

    def all(self, s: str | None, p: str) -> list[Any]:
        return self.by.get(s, _EMPTY).get(p, []) if s is not None else []

    def one(self, s: str | None, p: str) -> Any:
        values = self.all(s, p)
        return values[0] if values else None

    def types(self, s: str) -> list[str]:
        return self.all(s, _RDF_TYPE)

    def subjects_typed(self, ontology: Ontology, cls: str) -> list[str]:
        """The subjects typed ``cls`` or a class below it."""
        if self._typed is None:
            typed: dict[str, list[str]] = defaultdict(list)
            for s, props in self.by.items():
                for above in {a for t in props.get(_RDF_TYPE, ()) for a in ontology.ancestors(t)}:
                    typed[above].append(s)
            self._typed = typed
        return self._typed.get(cls, [])

    def is_a(self, ontology: Ontology, s: str, cls: str) -> bool:
        """True when ``s`` is typed ``cls`` or a class below it."""
        return s in self.subjects_typed(ontology, cls)


def _rows(store: Store, query: str, variables: list[str]) -> Iterable[tuple[Any, ...]]:
    """The query's solutions as tuples of Python values; straight from pyoxigraph's terms
    on an embedded store (the bulk of the extraction's time is here)."""
    if not isinstance(store, EmbeddedStore):
        yield from store.select_values(query, variables)
        return
    result = store.dataset.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    named = ox.NamedNode
    for solution in result:
        yield tuple(term.value if type(term) is named else to_python(term) for term in solution)


def fetch_case_triples(store: Store, cases: Sequence[str] | None,
                 extra: Sequence[str] = ()) -> dict[str, CaseTriples]:
    """The triples of every case graph (or of the case IRIs ``cases``) with one of the
    predicates records read, and the ``extra`` ones a caller needs besides (the exports)."""
    predicates = " ".join(f"<{p}>" for p in dict.fromkeys([*_FACT_PREDICATES, *extra]))
    if cases is None:
        queries = [_FACTS % predicates]
    else:
        queries = [_FACTS_OF % (" ".join(f"<{c}>" for c in cases[i:i + 500]), predicates)
                   for i in range(0, len(cases), 500)]
    facts: dict[str, CaseTriples] = {}
    prefix = str(CASE)
    skipped: set[str] = set()
    for query in queries:
        for g, s, p, o in _rows(store, query, ["g", "s", "p", "o"]):
            bucket = facts.get(g)
            if bucket is None:
                if g in skipped:
                    continue
                if not g.startswith(prefix) or "/" in g[len(prefix):]:
                    skipped.add(g)
                    continue
                bucket = facts[g] = CaseTriples(g)
            subject = bucket.by.get(s)
            if subject is None:
                subject = bucket.by[s] = {}
            values = subject.get(p)
            if values is None:
                subject[p] = [o]
            else:
                values.append(o)
    return {g: f for g, f in facts.items() if _v("Case") in f.types(g)
            or _v("SyntheticCase") in f.types(g)}


def fetch_publications(store: Store) -> dict[str, dict[str, str]]:
    """Each publication's title, label, type, coverage and citation."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for g, p, o in _rows(store, _PUBLICATIONS, ["g", "p", "o"]):
        if g.startswith(str(PUBLICATION)):
            found[g].setdefault(p, str(o))
    authors: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for g, position, name in _rows(store, _AUTHORS, ["g", "position", "name"]):
        authors[g].append((int(position), str(name)))
    for g, fields in found.items():
        fields["citation"] = format_citation(
            [name for _, name in sorted(authors.get(g, []))], fields.get(_YEAR),
            fields.get(_BIBO + "doi"), fields.get(_BIBO + "pmid"), fields.get(_BIBO + "uri"))
    return found


def format_citation(authors: Sequence[str], year: str | int | None, doi: str | None,
                    pmid: str | None, url: str | None) -> str:
    """"First author et al., year, doi:…" (one author: no "et al."; no DOI: the PMID;
    neither: the URL); empty when nothing is known.

    >>> format_citation(["Biswas S", "Amin A"], 2013, "10.4021/wjon471w", None, None)
    'Biswas S et al., 2013, doi:10.4021/wjon471w'
    >>> format_citation(["Roe J"], None, None, "123", None)
    'Roe J, PMID:123'
    """
    first = authors[0] + (" et al." if len(authors) > 1 else "") if authors else ""
    where = f"doi:{doi}" if doi else f"PMID:{pmid}" if pmid else url or ""
    return ", ".join(part for part in (first, str(year) if year else "", where) if part)


def extract_records(store: Store, cases: Sequence[str] | None = None,
                    ontology: Ontology | None = None) -> list[CaseRecord]:
    """The record of every case in ``store`` (or of the case IRIs ``cases``), sorted by
    case id. Cases named but absent from the store are skipped."""
    ontology = ontology or fetch_ontology(store)
    facts = fetch_case_triples(store, cases)
    publications = fetch_publications(store)
    return sorted((build_record(f, ontology, publications) for f in facts.values()),
                  key=lambda r: r.case_id)


# --- building one record ---------------------------------------------------------------


def _band(value: float | None, bands: Sequence[tuple[str, float]]) -> str | None:
    if value is None:
        return None
    label = None
    for name, lowest in bands:
        if value >= lowest:
            label = name
    return label


_SHORT = {
    _OBO + "PATO_0000383": "female", _OBO + "PATO_0000384": "male",
    _OBO + "PATO_0001421": "alive", _OBO + "PATO_0001422": "dead",
    _OBO + "NCIT_C14158": "high", _v("IntermediateGrade"): "intermediate",
    _v("LowGrade"): "low", _v("IntraluminalGrowth"): "intraluminal",
    _v("ExtraluminalGrowth"): "extraluminal", _v("VeinLigation"): "ligation",
    _v("GraftReplacement"): "graft", _v("PatchRepair"): "patch",
    _v("Anastomosis"): "anastomosis", _OBO + "MAXO_0001301": "primary repair",
    _v("IVCUpperSegment"): "upper", _v("IVCMiddleSegment"): "middle",
    _v("IVCLowerSegment"): "lower", _v("R0"): "R0", _v("R1"): "R1", _v("R2"): "R2",
}
_MANAGEMENT = {_v("VeinLigation"), _v("GraftReplacement"), _v("PatchRepair"), _v("Anastomosis"),
               _OBO + "MAXO_0001301"}
_PRECISION = {_v("Exact"): "exact", _v("Approximate"): "approximate",
              _v("AtLeast"): "at least", _v("AtMost"): "at most"}


def _short(ontology: Ontology, term: Any) -> str | None:
    if term is None:
        return None
    return _SHORT.get(term) or ontology.label(str(term))


def timeline_links(f: CaseTriples, ontology: Ontology) -> list[Link]:
    """Every timing of the case as a link from an event to its reference, in months (a time
    stated only for a group is a :data:`kg.analysis.timeline.RANGE` link)."""
    links = []
    relation_sign = {_v("After"): 1.0, _v("Before"): -1.0, _v("SameTime"): 0.0}
    for event, props in f.by.items():
        for timing in props.get(_v("hasTiming"), ()):
            reference = f.one(timing, _v("relativeTo"))
            sign = relation_sign.get(f.one(timing, _v("temporalRelation")))
            if reference is None or sign is None:
                continue
            amount = f.one(timing, _v("amount"))
            per_unit = ontology.months_per_unit.get(f.one(timing, _v("timeUnit")) or "")
            precision = _PRECISION.get(f.one(timing, _v("precision")), "exact")
            if (f.one(timing, _STATED_FOR_GROUP) is True or f.one(timing, _AMOUNT_MIN) is not None
                    or f.one(timing, _AMOUNT_MAX) is not None):
                links.append(Link(event, reference, 0.0, RANGE))  # a group's value
            elif sign == 0.0:
                links.append(Link(event, reference, 0.0, precision))
            elif amount is not None and per_unit is not None:
                links.append(Link(event, reference, sign * float(amount) * per_unit, precision))
    return links


def _ranged(links: Sequence[Link]) -> set[str]:
    return {link.event for link in links if link.precision == RANGE}


def _position(f: CaseTriples, event: str | None) -> int | None:
    value = f.one(event, _v("timelinePosition"))
    return int(value) if value is not None else None


def _vessel(f: CaseTriples, ontology: Ontology, tumour: str | None
            ) -> tuple[str | None, str | None, str | None]:
    """The nearest blood vessel at or above a site the tumour arises from: its name, its
    class and its group."""
    frontier = list(f.all(tumour, _v("arisesFrom")))
    seen = set(frontier)
    while frontier:
        vessels = [n for n in frontier if ontology.is_a(f.types(n), _BLOOD_VESSEL)]
        if vessels:
            node = sorted(vessels)[0]
            classes = ontology.most_specific(f.types(node), _BLOOD_VESSEL)
            name = ontology.label(classes[0]) if classes else "blood vessel"
            side = _short(ontology, f.one(node, _v("laterality")))
            types = f.types(node)
            group = ("inferior vena cava" if ontology.is_a(types, _IVC)
                     else "other vein" if ontology.is_a(types, _VEIN)
                     else "artery" if ontology.is_a(types, _ARTERY) else "other vessel")
            sided = side is not None and not name.lower().startswith(("left ", "right "))
            return ((f"{(side or '').lower()} {name}" if sided else name),
                    classes[0] if classes else _BLOOD_VESSEL, group)
        frontier = [p for n in frontier for p in f.all(n, _PART_OF) if p not in seen]
        seen.update(frontier)
    return None, None, None


def _segments(f: CaseTriples, tumour: str | None) -> tuple[str, ...]:
    parts = [*f.all(tumour, _v("involves")), *f.all(tumour, _v("arisesFrom")),
             *f.all(tumour, _v("extendsInto"))]
    parts += [p for portion in f.all(tumour, _v("hasPortion")) for p in f.all(portion, _LOCATED_IN)]
    found = set()
    for part in parts:
        for node in (part, *f.all(part, _PART_OF)):
            for t in f.types(node):
                if t in (_v("IVCUpperSegment"), _v("IVCMiddleSegment"), _v("IVCLowerSegment")):
                    found.add(_SHORT[t])
    return tuple(s for s in ("upper", "middle", "lower") if s in found)


def _size(f: CaseTriples, tumour: str | None) -> float | None:
    sizes = [*f.all(tumour, _v("hasSizeMeasurement")),
             *(s for p in f.all(tumour, _v("hasPortion"))
               for s in f.all(p, _v("hasSizeMeasurement")))]
    values = [float(v) for s in sizes for d in ("firstDimensionCm", "secondDimensionCm",
                                                 "thirdDimensionCm") for v in f.all(s, _v(d))]
    return max(values) if values else None


def _therapy(f: CaseTriples, ontology: Ontology, intent: str, concept: str) -> str | None:
    kinds = set()
    for event, props in f.by.items():
        if intent in props.get(_v("intent"), ()):
            kinds.add("chemotherapy" if f.is_a(ontology, event, _v("SystemicTherapy"))
                      else "radiotherapy" if f.is_a(ontology, event, _v("RadiationTherapy"))
                      else "other")
    if kinds:
        named = sorted(kinds - {"other"})
        return " + ".join(named) if named else "given"
    stated = [f.one(n, _v("presence")) for n in f.subjects_typed(ontology, _v("TreatmentFinding"))
              if f.one(n, _v("concept")) == concept]
    if _v("Present") in stated:
        return "given"
    if _v("Absent") in stated:
        return "none"
    return None


@dataclass
class _Disease:
    """A recurrence or metastasis finding: present or not, where and when it was seen."""

    kind: str  # metastasis | recurrence
    present: bool
    seen: list[str]
    sites: list[str]


def _disease_findings(f: CaseTriples, ontology: Ontology) -> list[_Disease]:
    candidates = {*f.subjects_typed(ontology, _v("Metastasis")),
                  *f.subjects_typed(ontology, _v("Recurrence"))}
    candidates.update(s for s in f.subjects_typed(ontology, _v("Finding"))
                      if f.one(s, _v("concept")) in (_METASTASIS_CONCEPT, _v("LocalRecurrence")))
    found = []
    for node in sorted(candidates):
        presence = f.one(node, _v("presence"))
        if presence not in (_v("Present"), _v("Absent")):
            continue
        metastasis = (f.is_a(ontology, node, _v("Metastasis"))
                      or f.one(node, _v("concept")) == _METASTASIS_CONCEPT)
        sites = []
        for site in f.all(node, _v("site")):
            classes = [t for t in f.types(site) if not t.startswith(str(VLMS))] or f.types(site)
            sites += [ontology.label(t) for t in sorted(classes)[:1]]
        found.append(_Disease("metastasis" if metastasis else "recurrence",
                              presence == _v("Present"),
                              [*f.all(node, _v("observedIn")), *f.all(node, _v("onset"))], sites))
    return found


def _when(f: CaseTriples, disease: _Disease, placed: dict[str, Offset], ranged: set[str],
          zero: str | None) -> tuple[str, Offset | None]:
    """Where a finding lies relative to time zero: ``before`` (or at it), ``after``, or
    ``unknown``; with its offset when it is placed."""
    times = [placed[e] for e in disease.seen if e in placed and e not in ranged]
    if times:
        first = min(times, key=lambda o: o.months)
        return ("before" if first.months <= 0 else "after"), first
    zero_position = _position(f, zero)
    positions = [p for p in (_position(f, e) for e in disease.seen) if p is not None]
    if zero_position is not None and positions:
        if max(positions) < zero_position:
            return "before", None
        if min(positions) > zero_position:
            return "after", None
    return "unknown", None


def _zero(f: CaseTriples, ontology: Ontology, origin: str) -> str | None:
    if origin == "surgery":
        return f.one(f.case, _v("indexSurgery"))
    diagnoses = [(p if (p := _position(f, n)) is not None else 10**9, n)
                 for n in f.subjects_typed(ontology, _v("DiagnosisEvent"))
                 if f.one(n, _v("diagnosisStatus")) != _v("InitialMisdiagnosis")]
    return min(diagnoses)[1] if diagnoses else None


def _survival(f: CaseTriples, ontology: Ontology, links: Sequence[Link], ranged: set[str],
              diseases: Sequence[_Disease], origin: str) -> dict[str, SurvivalTime]:
    """The three endpoints' times from ``origin``."""
    zero = _zero(f, ontology, origin)
    follow_up = f.one(f.case, _v("lastFollowUp"))
    vital = _short(ontology, f.one(follow_up, _v("vitalStatus")))
    disease_status = f.one(follow_up, _v("diseaseStatus"))

    def left_out(reason: str) -> SurvivalTime:
        return SurvivalTime(None, None, None, reason)

    if zero is None:
        return {e: left_out("no index operation" if origin == "surgery"
                            else "no diagnosis event") for e in ENDPOINTS}
    if follow_up is None:
        return {e: left_out("no last follow-up") for e in ENDPOINTS}
    placed = offsets(links, zero)
    end = placed.get(follow_up)
    if end is None:
        return {e: left_out("last follow-up time given only as a group's range"
                            if follow_up in ranged
                            else f"last follow-up not placed in time from the {origin}")
                for e in ENDPOINTS}
    if vital is None:
        return {e: left_out("vital status not reported") for e in ENDPOINTS}
    if end.months < 0:
        return {e: left_out(f"last follow-up before the {origin}") for e in ENDPOINTS}

    def ending(events: Sequence[tuple[float, str]]) -> SurvivalTime:
        """The first event (months, precision), else censored at the last follow-up."""
        if events:
            months, precision = min(events)
            if precision == "at least":  # only known to be later: event-free until then
                return SurvivalTime(months, False, precision, None)
            return SurvivalTime(months, True, precision, None)
        return SurvivalTime(end.months, False, end.precision, None)

    death = [(end.months, end.precision)] if vital == "dead" else []
    results = {"overall": ending(death)}
    for endpoint, kinds in (("event-free", ("metastasis", "recurrence")),
                            ("metastasis-free", ("metastasis",))):
        events = list(death)
        reason: str | None = None
        relevant = [d for d in diseases if d.kind in kinds and d.present]
        for disease in relevant:
            where, offset = _when(f, disease, placed, ranged, zero)
            if where == "before":
                reason = f"{disease.kind} already present at time zero ({origin})"
                break
            if offset is not None:
                events.append((offset.months, offset.precision))
            elif any(e in ranged for e in disease.seen):
                reason = f"{disease.kind} time given only as a group's range"
            else:
                reason = f"{disease.kind} reported without a time from the {origin}"
        if reason is None and not relevant and disease_status in (
                _v("StableDisease"), _v("ProgressiveDisease")):
            reason = "disease at last follow-up without a time of onset"
        results[endpoint] = left_out(reason) if reason else ending(events)
    return results


def build_record(f: CaseTriples, ontology: Ontology,
                 publications: dict[str, dict[str, str]] | None = None) -> CaseRecord:
    """The record of one case from the facts of its graph."""
    case = f.case
    patient = f.one(case, _v("hasPatient"))
    tumour = f.one(case, _v("hasTumour"))
    surgery = f.one(case, _v("indexSurgery"))
    follow_up = f.one(case, _v("lastFollowUp"))
    publication = f.one(case, _v("reportedIn"))
    pub = (publications or {}).get(publication or "", {})
    age = f.one(patient, _v("ageYears"))
    size = _size(f, tumour)
    vessel, vessel_class, group = _vessel(f, ontology, tumour)
    links = timeline_links(f, ontology)
    ranged = _ranged(links)
    diseases = _disease_findings(f, ontology)

    margins = [m for m in (f.one(surgery, _v("marginStatus")),) if m] or sorted(
        m for props in f.by.values() for m in props.get(_v("marginStatus"), ()))
    management: set[str] = set()
    grafts: set[str] = set()
    steps = {*f.subjects_typed(ontology, _v("VesselManagement")),
             *f.subjects_typed(ontology, _OBO + "MAXO_0001301")}
    for node in steps:
        for t in f.types(node):
            if t in _MANAGEMENT:
                management.add(_SHORT[t])
            elif t != _v("VesselManagement") and _v("VesselManagement") in ontology.ancestors(t):
                management.add(ontology.label(t))
        grafts.update(ontology.label(g) for g in f.all(node, _v("graftMaterial")))
    # the operation's technique: its external class (MAxO, NCIt), else its local class
    types = f.types(surgery) if surgery else []
    technique = sorted(t for t in types if not t.startswith(str(VLMS))) or sorted(
        t for t in types if t != _v("Procedure"))

    from_surgery = offsets(links, surgery) if surgery else {}
    fu_offset = from_surgery.get(follow_up) if follow_up else None

    at_presentation: bool | None = None
    later: bool | None = None
    recurrence: bool | None = None
    for disease in diseases:
        where, _ = _when(f, disease, from_surgery, ranged, surgery)
        if disease.kind == "metastasis":
            if where == "before":
                at_presentation = disease.present or bool(at_presentation)
            elif disease.present or later is None:
                later = disease.present or bool(later)
        elif where != "before":
            recurrence = disease.present or bool(recurrence)

    values: dict[str, Any] = dict(
        case_id=case[len(str(CASE)):],
        publication=publication[len(str(PUBLICATION)):] if publication and publication.startswith(
            str(PUBLICATION)) else publication,
        publication_label=pub.get(_DCTERMS + "title") or pub.get(_LABEL),
        citation=pub.get("citation") or None,
        case_number=_int(f.one(case, _v("caseNumberInSource"))),
        publication_type=_term_text(ontology, pub.get(_PUBLICATION_TYPE)),
        source_coverage=_term_text(ontology, pub.get(_SOURCE_COVERAGE)),
        synthetic=_v("SyntheticCase") in f.types(case),
        age_years=_int(age), age_band=_band(_int(age), AGE_BANDS),
        sex=_short(ontology, f.one(patient, _v("sex"))),
        vessel=vessel, vessel_class=vessel_class, vessel_group=group,
        ivc_segments=_segments(f, tumour),
        size_cm=size, size_band=_band(size, SIZE_BANDS),
        grade=_short(ontology, f.one(tumour, _v("grade"))),
        growth_pattern=tuple(sorted(_short(ontology, g) or "" for g in
                                    f.all(tumour, _v("growthPattern")))),
        presentation=tuple(sorted({ontology.label(f.one(n, _v("concept")))
                                   for n in f.subjects_typed(ontology, _v("PresentingSymptom"))
                                   if f.one(n, _v("presence")) == _v("Present")
                                   and f.one(n, _v("concept"))})),
        initial_misdiagnosis=tuple(sorted({ontology.label(d) for n in f.subjects_typed(
            ontology, _v("DiagnosisEvent")) if f.one(n, _v("diagnosisStatus")) == _v(
            "InitialMisdiagnosis") for d in f.all(n, _v("diagnosedAs"))})),
        operation=ontology.label(technique[0]) if technique else (
            "operation" if surgery else None),
        en_bloc=f.one(surgery, _v("enBloc")),
        vascular_management=tuple(sorted(management)),
        graft_material=tuple(sorted(grafts)),
        margin=_short(ontology, max(margins)) if margins else None,
        neoadjuvant_therapy=_therapy(f, ontology, _v("NeoadjuvantIntent"), _NEOADJUVANT_CONCEPT),
        adjuvant_therapy=_therapy(f, ontology, _v("AdjuvantIntent"), _ADJUVANT_CONCEPT),
        metastasis_at_presentation=at_presentation, recurrence=recurrence, metastasis=later,
        metastasis_sites=tuple(sorted({s for d in diseases if d.kind == "metastasis"
                                       and d.present for s in d.sites})),
        follow_up_months=fu_offset.months if fu_offset and fu_offset.months >= 0 else None,
        vital_status=_short(ontology, f.one(follow_up, _v("vitalStatus"))),
        disease_status=_short(ontology, f.one(follow_up, _v("diseaseStatus"))),
    )
    for origin in ORIGINS:
        for endpoint, time in _survival(f, ontology, links, ranged, diseases, origin).items():
            prefix = f"{ENDPOINTS[endpoint]}_{origin}_"
            values[prefix + "months"] = time.months
            values[prefix + "event"] = time.event
            values[prefix + "precision"] = time.precision
            values[prefix + "excluded"] = time.excluded
    return CaseRecord(**values)


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _term_text(ontology: Ontology, value: str | None) -> str | None:
    if value is None:
        return None
    return ontology.label(value) if value.startswith(("http://", "https://")) else value

