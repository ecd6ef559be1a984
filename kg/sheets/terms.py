"""Find ontology terms by what a curator writes: a label, a synonym, a CURIE or an IRI.

The index is built from the ontology modules (``ontology/*.ttl``): each class or value-set
member with its ``rdfs:label``, its ``skos:altLabel`` synonyms, the labels of the terms it
names as ``skos:exactMatch``/``skos:closeMatch`` (those mapping-only terms are not offered
themselves), and the curators' synonyms in ``kg/sheets/synonyms.tsv``. Matching ignores
case, hyphens and repeated spaces. A *kind* narrows the search to the terms a sheet field
takes (``vessel``, ``procedure``, ``marker``…, see :data:`KINDS`).

>>> index = term_index()
>>> index.resolve("IVC", kind="vessel").curie
'UBERON:0001072'
>>> index.resolve("inferior vena cava").label
'inferior vena cava'
>>> index.resolve("http://purl.obolibrary.org/obo/UBERON_0001072").curie
'UBERON:0001072'
>>> index.resolve("Desmin", kind="marker").curie
'NCIT:C96450'
>>> try:
...     index.resolve("desmn", kind="marker", field=("tumour", "immunohistochemistry"))
... except SheetError as err:
...     print(err.message, "|", err.hint)  # doctest: +ELLIPSIS
unknown marker 'desmn' | nearest: 'Desmin', ...; vlmskg terms WORD --kind marker lists them
"""

from __future__ import annotations

import difflib
import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg import resources
from kg.sheets.loader import FieldPath, SheetError

__all__ = ["Term", "TermIndex", "KINDS", "term_index", "curie", "expand_curie", "normalize"]

VLMS = "https://w3id.org/vlmskg/vocab/"
OBO = "http://purl.obolibrary.org/obo/"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
_IN_SCHEME = "http://www.w3.org/2004/02/skos/core#inScheme"
_MATCHES = ("http://www.w3.org/2004/02/skos/core#exactMatch",
            "http://www.w3.org/2004/02/skos/core#closeMatch")
_DEFINITION = OBO + "IAO_0000115"
_CLASS = "http://www.w3.org/2002/07/owl#Class"
_Object = ox.NamedNode | ox.BlankNode | ox.Literal
_INDIVIDUAL = "http://www.w3.org/2002/07/owl#NamedIndividual"
_SYNONYMS = Path(__file__).with_name("synonyms.tsv")

#: NCIt classes the ontology uses as procedure techniques (NCIt has no procedure root here).
_NCIT_PROCEDURES = frozenset(OBO + f"NCIT_{c}" for c in ("C15266", "C25220", "C23020",
                                                         "C94441", "C175027", "C15262"))
#: imaging techniques (MAxO states no common imaging superclass the ontology declares).
_IMAGING = frozenset(OBO + f"MAXO_{c}" for c in (
    "0000072", "0009008", "0035119", "0001170", "0035095", "0001259", "0000571", "0010319",
    "0000424", "0000137", "0010203"))


def curie(iri: str) -> str:
    """The CURIE of an IRI of a known namespace, else the IRI.

    >>> curie("http://purl.obolibrary.org/obo/NCIT_C3158"), curie(VLMS + "Left")
    ('NCIT:C3158', 'vlms:Left')
    """
    if iri.startswith(VLMS):
        return "vlms:" + iri[len(VLMS):]
    if iri.startswith(OBO) and "_" in iri[len(OBO):]:
        prefix, _, local = iri[len(OBO):].partition("_")
        return f"{prefix}:{local}"
    if iri.startswith("https://identifiers.org/hgnc:"):
        return "HGNC:" + iri.rsplit(":", 1)[1]
    return iri


def expand_curie(text: str) -> str | None:
    """The IRI a CURIE (or IRI) stands for; ``None`` when ``text`` is neither.

    >>> expand_curie("UBERON:0001072"), expand_curie("vlms:Left"), expand_curie("lung")
    ('http://purl.obolibrary.org/obo/UBERON_0001072', 'https://w3id.org/vlmskg/vocab/Left', None)
    """
    text = text.strip()
    if text.startswith(("http://", "https://")):
        return text
    match = re.fullmatch(r"([A-Za-z][A-Za-z0-9]*):(\S+)", text)
    if not match:
        return None
    prefix, local = match.groups()
    if prefix.lower() == "vlms":
        return VLMS + local
    if prefix.upper() == "HGNC":
        return "https://identifiers.org/hgnc:" + local
    return f"{OBO}{prefix.upper()}_{local}"


def normalize(word: str) -> str:
    """The matching key of a word: lower case, hyphens and runs of spaces as one space.

    >>> normalize("  Alpha-Smooth   muscle actin ")
    'alpha smooth muscle actin'
    """
    return " ".join(str(word).lower().replace("-", " ").replace("_", " ").split())


@dataclass
class Term:
    """One ontology term a sheet may name."""

    iri: str
    label: str
    definition: str = ""
    synonyms: list[str] = field(default_factory=list)
    schemes: set[str] = field(default_factory=set)
    supers: set[str] = field(default_factory=set)
    types: set[str] = field(default_factory=set)
    module: str = ""
    #: the first curators' synonym (kg/sheets/synonyms.tsv): the short word sheets show.
    preferred: str | None = None

    @property
    def curie(self) -> str:
        return curie(self.iri)

    def is_a(self, iri: str) -> bool:
        return iri == self.iri or iri in self.supers


def _scheme(name: str) -> Callable[[Term], bool]:
    return lambda t: VLMS + name in t.schemes


def _anatomy(t: Term) -> bool:
    return t.iri.startswith(OBO + "UBERON_") or (t.module == "anatomy" and _CLASS in t.types)


def _procedure(t: Term) -> bool:
    return (t.iri.startswith((OBO + "MAXO_", OBO + "OBI_")) or t.iri in _NCIT_PROCEDURES
            or t.is_a(VLMS + "Procedure") or (t.module == "procedure" and _CLASS in t.types)
            or any(s.startswith((OBO + "MAXO_", OBO + "OBI_")) for s in t.supers))


def _modality(t: Term) -> bool:
    return t.iri in _IMAGING or (t.is_a(VLMS + "ImagingProcedure") and t.iri != VLMS
                                 + "ImagingProcedure")


#: the kinds of term a sheet field takes: name -> (what it is, test).
KINDS: dict[str, tuple[str, Callable[[Term], bool]]] = {
    "anatomy": ("a structure of the body (UBERON or a local anatomy class)", _anatomy),
    "vessel": ("a blood vessel (vein or artery)",
               lambda t: _anatomy(t) and t.is_a(OBO + "UBERON_0001981")),
    "procedure": ("a procedure or its technique (MAxO, NCIt, OBI or local)", _procedure),
    "modality": ("an imaging technique", _modality),
    "marker": ("an immunohistochemistry marker", _scheme("MarkerValues")),
    "marker result": ("a reading of a stain", _scheme("MarkerResultValues")),
    "drug": ("a drug (ChEBI)", _scheme("DrugValues")),
    "symptom": ("a sign or symptom (HPO)",
                lambda t: VLMS + "FindingConcepts" in t.schemes and t.iri.startswith(OBO + "HP_")),
    "finding": ("a finding concept", _scheme("FindingConcepts")),
    "diagnosis": ("a diagnosis (a finding concept)", _scheme("FindingConcepts")),
    "sex": ("male or female", _scheme("SexValues")),
    "laterality": ("left or right", _scheme("LateralityValues")),
    "grade": ("a tumour grade", _scheme("GradeValues")),
    "growth": ("intraluminal or extraluminal growth", _scheme("GrowthPatternValues")),
    "margin": ("a resection margin class (R0, R1, R2)", _scheme("MarginStatusValues")),
    "intent": ("the intent of a treatment", _scheme("IntentValues")),
    "graft material": ("what a vascular graft is made of", _scheme("GraftMaterialValues")),
    "vital status": ("alive or dead", _scheme("VitalStatusValues")),
    "disease status": ("the state of the disease at follow-up", _scheme("DiseaseStatusValues")),
    "comparator": ("more than, less than, equal to", _scheme("ComparatorValues")),
    "decision": ("when a decision was taken", _scheme("DecisionTimingValues")),
    "management": ("how a complication was managed", _scheme("ManagementValues")),
    "presence": ("present, absent or indeterminate", _scheme("PresenceValues")),
    "publication type": ("the kind of a publication (case report, registry…)",
                         _scheme("PublicationTypeValues")),
    "source coverage": ("how much of a publication the curators read",
                        _scheme("SourceCoverageValues")),
    "endpoint": ("what a pooled figure measures (overall survival…)",
                 _scheme("EndpointValues")),
}


class TermIndex:
    """Every term a sheet may name, looked up by label, synonym, CURIE or IRI."""

    def __init__(self, terms: dict[str, Term]) -> None:
        self.terms = terms
        self._by_label: dict[str, list[Term]] = defaultdict(list)
        self._by_synonym: dict[str, list[Term]] = defaultdict(list)
        self._resolved: dict[tuple[str, str | None], Term] = {}
        for term in terms.values():
            self._by_label[normalize(term.label)].append(term)
            for word in term.synonyms:
                key = normalize(word)
                if term not in self._by_synonym[key]:
                    self._by_synonym[key].append(term)

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms.values())

    def get(self, iri: str) -> Term | None:
        return self.terms.get(iri)

    def of_kind(self, kind: str | None) -> list[Term]:
        test = _kind_test(kind)
        return [t for t in self.terms.values() if test(t)]

    def lookup(self, word: str, kind: str | None = None) -> list[Term]:
        """Every term ``word`` names (within ``kind``): label matches first, then synonyms."""
        test = _kind_test(kind)
        iri = expand_curie(str(word))
        if iri is not None and iri in self.terms:
            return [self.terms[iri]] if test(self.terms[iri]) else []
        key = normalize(word)
        labelled = [t for t in self._by_label.get(key, []) if test(t)]
        return labelled or [t for t in self._by_synonym.get(key, []) if test(t)]

    def nearest(self, word: str, kind: str | None = None, n: int = 5) -> list[Term]:
        """The terms (within ``kind``) whose label or a synonym is closest to ``word``."""
        test = _kind_test(kind)
        names: dict[str, Term] = {}
        for term in self.terms.values():
            if test(term):
                for name in [term.label, *term.synonyms]:
                    names.setdefault(normalize(name), term)
        found: list[Term] = []
        key = normalize(word)
        contained = [t for k, t in names.items() if key and (key in k.split() or key in k)]
        close = difflib.get_close_matches(key, list(names), n * 2, cutoff=0.6)
        for term in [*(names[k] for k in close), *contained]:
            if term not in found:
                found.append(term)
        return found[:n]

    def resolve(self, word: object, kind: str | None = None, *,
                field: FieldPath = ()) -> Term:
        """The one term ``word`` names; :class:`SheetError` naming the nearest if none."""
        known = self._resolved.get((word, kind)) if isinstance(word, str) else None
        if known is not None:
            return known
        what = kind or "term"
        if not isinstance(word, str) or not word.strip():
            raise SheetError(f"expected a {what} name, found {word!r}", field=field,
                             hint=f"write a {what} label, synonym or CURIE; "
                                  f"vlmskg terms WORD --kind {kind or 'anatomy'} finds them")
        found = self.lookup(word, kind)
        if len(found) == 1:
            self._resolved[(word, kind)] = found[0]
            return found[0]
        if found:
            options = ", ".join(f"{t.curie} ({t.label})" for t in found)
            raise SheetError(f"'{word}' names several {what}s: {options}", field=field,
                             hint="write the CURIE of the one you mean")
        close = self.nearest(word, kind)
        members = self.of_kind(kind) if kind else []
        if kind and not close and len(members) <= 12:
            close = members
        kind_hint = f" --kind {kind}" if kind else ""
        lead = "one of" if close is members else "nearest"
        hint = ((f"{lead}: " + ", ".join(repr(t.label) for t in close) + "; ") if close else "") \
            + f"vlmskg terms WORD{kind_hint} lists them"
        other = self.lookup(word) if kind else []
        if other:
            hint = (f"'{word}' is {other[0].curie} ({other[0].label}), not a {what} "
                    f"({KINDS[kind][0] if kind in KINDS else what}); " + hint)
        raise SheetError(f"unknown {what} '{word}'", field=field, hint=hint)


def _kind_test(kind: str | None) -> Callable[[Term], bool]:
    if kind is None:
        return lambda t: True
    if kind not in KINDS:
        raise SheetError(f"unknown kind of term '{kind}'",
                         hint="use one of: " + ", ".join(KINDS))
    return KINDS[kind][1]


def _triples(path: Path) -> Iterator[tuple[str, str, _Object]]:
    for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
        if isinstance(triple.subject, ox.NamedNode):
            yield triple.subject.value, triple.predicate.value, triple.object


@functools.lru_cache(maxsize=4)
def _build(folder: Path, synonym_file: Path) -> TermIndex:
    labels: dict[str, str] = {}
    module: dict[str, str] = {}
    facts: dict[str, dict[str, list[_Object]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted(folder.glob("*.ttl")):
        for subject, predicate, obj in _triples(path):
            facts[subject][predicate].append(obj)
            if predicate == _LABEL and isinstance(obj, ox.Literal):
                labels.setdefault(subject, obj.value)
                module.setdefault(subject, path.stem)
    kinds_of = {_CLASS, _INDIVIDUAL}
    mapped_only: set[str] = set()
    for props in facts.values():
        for predicate in _MATCHES:
            for target in props.get(predicate, []):
                if isinstance(target, ox.NamedNode):
                    mapped_only.add(target.value)
    terms: dict[str, Term] = {}
    for subject, label in labels.items():
        props = facts[subject]
        types = {o.value for o in props.get(_RDF_TYPE, []) if isinstance(o, ox.NamedNode)}
        schemes = {o.value for o in props.get(_IN_SCHEME, []) if isinstance(o, ox.NamedNode)}
        if not types & kinds_of or _is_scheme_or_value_class(subject, types, facts):
            continue
        maps_out = any(props.get(p) for p in _MATCHES)
        if subject in mapped_only and not schemes and not maps_out:
            continue
        definition = next((o.value for o in props.get(_DEFINITION, [])
                           if isinstance(o, ox.Literal)), "")
        synonyms = [o.value for o in props.get(_ALT, []) if isinstance(o, ox.Literal)]
        for predicate in _MATCHES:
            synonyms += [labels[o.value] for o in props.get(predicate, [])
                         if isinstance(o, ox.NamedNode) and o.value in labels]
        terms[subject] = Term(subject, label, definition, synonyms, schemes, set(), types,
                              module[subject] if subject.startswith(VLMS) else "")
    parents = {s: {o.value for o in p.get(_SUBCLASS, []) if isinstance(o, ox.NamedNode)}
               for s, p in facts.items()}
    for term in terms.values():
        stack, seen = list(parents.get(term.iri, ())), set()
        while stack:
            iri = stack.pop()
            if iri not in seen:
                seen.add(iri)
                stack += parents.get(iri, ())
        term.supers = seen
    for line in synonym_file.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, _, written = line.partition("\t")
            iri = expand_curie(written.strip()) or ""
            if iri in terms:
                if word.strip() not in terms[iri].synonyms:
                    terms[iri].synonyms.append(word.strip())
                terms[iri].preferred = terms[iri].preferred or word.strip()
    return TermIndex(terms)


def _is_scheme_or_value_class(subject: str, types: set[str],
                              facts: dict[str, dict[str, list[_Object]]]) -> bool:
    """Value sets and the local classes of their members are not values themselves."""
    if "http://www.w3.org/2004/02/skos/core#ConceptScheme" in types:
        return True
    return subject.startswith(VLMS) and subject.endswith("Value") and _CLASS in types


def term_index(folder: Path | None = None) -> TermIndex:
    """The term index of the ontology in ``folder`` (default: the shipped ontology), cached."""
    return _build(Path(folder or resources.ontology_dir()).resolve(), _SYNONYMS)
