"""Compile a publication sheet into the publication's named graph, with the Turtle model.

A publication sheet (``data/publications/<id>.yaml``, format in ``/work/notes/sheets-spec.md``)
gives the citation (authors in byline order, year, journal, volume, issue, pages, DOI, PMID,
URL), the kind of publication, how much of it the curators read, and the general statements
it makes, each with the pooled figures it quotes (endpoint, population, sample size, time
point, rate or median). The compiler writes the same triples a hand-written publication file
holds: the publication node ``pub:<id>`` (``obo:IAO_0000013``), author nodes
``pub:<id>/author/<n>``, statements ``pub:<id>/statement/<name>`` and their figures
``…/statement/<name>-figure-<n>``.

>>> sheet = {"authors": ["Biswas S", "Amin A"], "year": 2013, "doi": "10.4021/wjon471w",
...          "type": "case report", "read": "abstract",
...          "statements": [{"text": "Under 300 cases were published.",
...                          "count": {"cases": 300, "comparator": "less than"}}]}
>>> quads = compile_publication(sheet, "biswas-2013-wjon-ivc")
>>> [q.object.value for q in quads if q.predicate.value.endswith("/doi")]
['10.4021/wjon471w']
>>> [(q.subject.value[-8:], q.object.value) for q in quads if "Position" in q.predicate.value]
[('author/1', '1'), ('author/2', '2')]
>>> compile_publication({"doi": "doi 10.1/x"}, "x")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
kg.sheets.loader.SheetError: field 'doi': 'doi 10.1/x' is not a DOI (fix: write the DOI alone...
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.namespaces import PUBLICATION
from kg.sheets.loader import (
    FieldPath,
    SheetError,
    as_list,
    as_mapping,
    load_sheet,
    nearest,
)
from kg.sheets.terms import OBO, VLMS, Term, TermIndex, normalize, term_index
from kg.sheets.timing import parse_time

__all__ = ["PUBLICATION_KEYS", "STATEMENT_KEYS", "FIGURE_KEYS", "STATEMENT_KINDS",
           "compile_publication", "compile_publication_file"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_DCTERMS = "http://purl.org/dc/terms/"
_BIBO = "http://purl.org/ontology/bibo/"
_PRISM = "http://prismstandard.org/namespaces/basic/2.0/"
_FABIO = "http://purl.org/spar/fabio/"
_ABOUT = ox.NamedNode(OBO + "IAO_0000136")
_ARTICLE = ox.NamedNode(OBO + "IAO_0000013")

#: top-level keys of a publication sheet (sheets-spec.md, "Publication sheet").
PUBLICATION_KEYS = ("title", "label", "authors", "year", "journal", "volume", "issue", "pages",
                    "doi", "pmid", "url", "type", "read", "source document", "description",
                    "note", "statements")
#: keys of one statement.
STATEMENT_KEYS = ("id", "kind", "about", "text", "count", "cites", "figures", "source", "note")
#: keys of one pooled figure.
FIGURE_KEYS = ("endpoint", "population", "sample size", "time point", "rate percent",
               "median months", "median", "comparator", "source", "note")
_POPULATION_KEYS = ("vessel", "treatment")
_COUNT_KEYS = ("cases", "comparator", "site")

#: statement kinds a sheet may name -> local class (the kinds with fields of their own that
#: sheets do not carry - rate, ranking, criterion, metastasis site, history - stay in Turtle).
STATEMENT_KINDS = {
    "statement": "LiteratureStatement", "case count": "CaseCountStatement",
    "occurrence": "OccurrenceStatement", "presentation": "PresentationStatement",
    "diagnosis": "DiagnosisStatement", "pathology": "PathologyStatement",
    "treatment": "TreatmentStatement", "contraindication": "ContraindicationStatement",
    "prognosis": "PrognosisStatement", "classification": "ClassificationStatement",
}
#: words a sheet may write for a value whose label differs (labels and CURIEs work too).
_ALIASES = {
    "PublicationTypeValues": {"review": _FABIO + "ReviewArticle",
                              "poster": _FABIO + "ConferencePoster",
                              "news": _FABIO + "NewsItem", "registry report": VLMS
                              + "RegistryReport", "case series report": VLMS + "CaseSeriesReport"},
    "EndpointValues": {"recurrence": OBO + "NCIT_C4798", "overall survival rate":
                       OBO + "NCIT_C125201"},
    "SourceCoverageValues": {"full": VLMS + "FullTextRead", "full article": VLMS + "FullTextRead",
                             "abstract only": VLMS + "AbstractRead",
                             "first page only": VLMS + "FirstPageRead"},
}
_DOI = re.compile(r"^10\.[0-9]{4,9}/\S+$")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_PMID = re.compile(r"^[1-9][0-9]{0,8}$")
_URL = re.compile(r"^https?://\S+$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_RATE = re.compile(r"^(?:(?P<qualifier>[a-z]+(?: [a-z]+)?)\s+)?(?P<value>\d+(?:\.\d+)?)\s*%?$")
_RANGE = re.compile(r"^(?P<low>\d+(?:\.\d+)?)\s*%?\s*(?:-|–|to)\s*(?P<high>\d+(?:\.\d+)?)\s*%?$")
_QUALIFIERS = {"about": ("precision", "Approximate"), "approximately": ("precision", "Approximate"),
               "around": ("precision", "Approximate"), "nearly": ("precision", "Approximate"),
               "less than": ("comparator", "LessThan"), "under": ("comparator", "LessThan"),
               "below": ("comparator", "LessThan"), "more than": ("comparator", "GreaterThan"),
               "over": ("comparator", "GreaterThan"), "above": ("comparator", "GreaterThan"),
               "at least": ("precision", "AtLeast"), "at most": ("precision", "AtMost")}


def _literal(value: str, datatype: str | None = None, language: str | None = None) -> ox.Literal:
    if language:
        return ox.Literal(value, language=language)
    return ox.Literal(value, datatype=ox.NamedNode(_XSD + (datatype or "string")))


def _decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


class _Compiler:
    """Collects the triples of one publication graph."""

    def __init__(self, publication_id: str, index: TermIndex) -> None:
        self.index = index
        self.publication = ox.NamedNode(str(PUBLICATION[publication_id]))
        self.graph = self.publication
        self.triples: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = []

    def add(self, s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        self.triples.append((s, ox.NamedNode(p), o))

    def quads(self) -> list[ox.Quad]:
        seen: dict[ox.Quad, None] = {}
        for s, p, o in self.triples:
            seen.setdefault(ox.Quad(s, p, o, self.graph), None)
        return list(seen)

    def provenance(self, node: ox.NamedNode, data: dict[str, Any], field: FieldPath) -> None:
        if "source" in data:
            self.add(node, VLMS + "sourceLocation", _literal(_text(data["source"],
                                                                   (*field, "source"))))
        for note in _notes(data.get("note"), (*field, "note")):
            self.add(node, VLMS + "curationNote", _literal(note))

    def term(self, word: Any, field: FieldPath, kind: str | None = None) -> Term:
        """A term of any kind; between an external term and a local one of the same name
        (e.g. NCIt's and the ontology's "inferior vena cava leiomyosarcoma") the external
        one, as the Turtle publications use."""
        if isinstance(word, str) and kind is None:
            found = self.index.lookup(word)
            external = [t for t in found if not t.iri.startswith(VLMS)]
            if len(found) > 1 and len(external) == 1:
                return external[0]
        return self.index.resolve(word, kind, field=field)

    def value(self, word: Any, scheme: str, field: FieldPath) -> str:
        """The IRI of the member of value set ``scheme`` that ``word`` names."""
        what = scheme.removesuffix("Values").lower()
        if not isinstance(word, str) or not word.strip():
            raise SheetError(f"expected a {what} value, found {word!r}", field=field,
                             hint="write one of: " + ", ".join(self._members(scheme)))
        alias = _ALIASES.get(scheme, {}).get(normalize(word))
        if alias:
            return alias
        found = [t for t in self.index.lookup(word) if VLMS + scheme in t.schemes]
        if len(found) == 1:
            return found[0].iri
        members = self._members(scheme)
        close = nearest(word, members)
        raise SheetError(f"'{word}' is not a {what} value", field=field,
                         hint=(f"did you mean {' or '.join(map(repr, close))}? " if close else "")
                         + "allowed: " + ", ".join(members))

    def _members(self, scheme: str) -> list[str]:
        labels = {t.label for t in self.index if VLMS + scheme in t.schemes}
        return sorted(labels | set(_ALIASES.get(scheme, {})))


def compile_publication(sheet: Any, publication_id: str,
                        index: TermIndex | None = None) -> list[ox.Quad]:
    """The quads of the publication graph ``pub:<publication_id>`` that ``sheet`` describes.

    Raises :class:`SheetError` naming the field and a fix (no file or line: see
    :func:`compile_publication_file`).
    """
    if not _SLUG.match(publication_id):
        raise SheetError(f"the file name {publication_id!r} is not a publication id",
                         hint="name the file <first author>-<year>-<journal>-<topic>.yaml in "
                              "lower case letters, digits and '-'")
    c = _Compiler(publication_id, index or term_index())
    top = as_mapping(sheet, (), PUBLICATION_KEYS)
    pub = c.publication
    c.add(pub, str(_RDF_TYPE.value), _ARTICLE)
    c.add(pub, VLMS + "sourceDocument",
          _literal(_text(top.get("source document", publication_id), ("source document",))))
    if "title" in top:
        c.add(pub, _DCTERMS + "title", _literal(_text(top["title"], ("title",))))
    if "label" in top:
        c.add(pub, _LABEL.value, _literal(_text(top["label"], ("label",)), language="en"))
    if "description" in top:
        c.add(pub, VLMS + "description", _literal(_text(top["description"], ("description",))))
    _authors(c, top.get("authors"))
    if "year" in top:
        year = _integer(top["year"], ("year",), low=1800, high=2100,
                        hint="write the year printed on the publication, e.g. 2013")
        c.add(pub, VLMS + "publicationYear", _literal(str(year), "integer"))
    for key, prop in (("journal", _PRISM + "publicationName"), ("volume", _BIBO + "volume"),
                      ("issue", _BIBO + "issue"), ("pages", _BIBO + "pages")):
        if key in top:
            c.add(pub, prop, _literal(_text(top[key], (key,), numbers=True)))
    _identifiers(c, top)
    for i, kind in enumerate(as_list(top.get("type", []), ("type",))):
        field = ("type", i) if isinstance(top["type"], list) else ("type",)
        c.add(pub, VLMS + "publicationType",
              ox.NamedNode(c.value(kind, "PublicationTypeValues", field)))
    if "read" in top:
        c.add(pub, VLMS + "sourceCoverage",
              ox.NamedNode(c.value(top["read"], "SourceCoverageValues", ("read",))))
    for note in _notes(top.get("note"), ("note",)):
        c.add(pub, VLMS + "curationNote", _literal(note))
    names: set[str] = set()
    for i, item in enumerate(as_list(top.get("statements", []), ("statements",))):
        _statement(c, item, ("statements", i), i + 1, names)
    return c.quads()


def compile_publication_file(path: Path | str) -> list[ox.Quad]:
    """Read and compile the publication sheet at ``path`` (its id is the file stem).

    Errors carry the file, the field and (read back from the file) its line and column.
    """
    path = Path(path)
    try:
        return compile_publication(load_sheet(path), path.stem)
    except SheetError as err:
        located = err.located(path)
        located.case = None  # a publication, not a case: the file name says which
        raise located from None


# --- citation ----------------------------------------------------------------------------------

def _authors(c: _Compiler, value: Any) -> None:
    if value is None:
        return
    for position, name in enumerate(as_list(value, ("authors",)), start=1):
        field: FieldPath = ("authors", position - 1) if isinstance(value, list) else ("authors",)
        text = _text(name, field)
        if "," in text or ";" in text:
            raise SheetError(f"'{text}' holds more than one author", field=field,
                             hint="write the authors as a list, one \"Surname Initials\" each: "
                                  "[Biswas S, Amin A]")
        author = ox.NamedNode(f"{c.publication.value}/author/{position}")
        c.add(c.publication, _DCTERMS + "creator", author)
        c.add(author, _LABEL.value, _literal(text))
        c.add(author, VLMS + "authorPosition", _literal(str(position), "integer"))


def _identifiers(c: _Compiler, top: dict[str, Any]) -> None:
    if "doi" in top:
        doi = _DOI_PREFIX.sub("", _text(top["doi"], ("doi",)))
        if not _DOI.match(doi):
            raise SheetError(f"'{top['doi']}' is not a DOI", field=("doi",),
                             hint="write the DOI alone, as printed after 'doi:', e.g. "
                                  "10.4021/wjon471w")
        c.add(c.publication, _BIBO + "doi", _literal(doi))
    if "pmid" in top:
        pmid = _text(top["pmid"], ("pmid",), numbers=True)
        if not _PMID.match(pmid):
            raise SheetError(f"'{pmid}' is not a PubMed id", field=("pmid",),
                             hint="write the PMID digits only, in quotes: pmid: \"8920790\"")
        c.add(c.publication, _BIBO + "pmid", _literal(pmid))
    if "url" in top:
        url = _text(top["url"], ("url",))
        if not _URL.match(url):
            raise SheetError(f"'{url}' is not a web address", field=("url",),
                             hint="write the full address starting https:// (or http://)")
        c.add(c.publication, _BIBO + "uri", _literal(url, "anyURI"))


# --- statements and figures --------------------------------------------------------------------

def _statement(c: _Compiler, item: Any, field: FieldPath, number: int, names: set[str]) -> None:
    data = as_mapping(item, field, STATEMENT_KEYS)
    if "text" not in data:
        raise SheetError("the statement has no 'text'", field=field,
                         hint="add text: what the publication says, in your own words")
    name = _text(data.get("id", f"statement-{number}"), (*field, "id"))
    if not _SLUG.match(name) or name in names:
        problem = "taken" if name in names else "not a slug"
        raise SheetError(f"the statement id '{name}' is {problem}", field=(*field, "id"),
                         hint="give each statement its own id in lower case letters, digits "
                              "and '-', e.g. five-year-survival")
    names.add(name)
    node = ox.NamedNode(f"{c.publication.value}/statement/{name}")
    kind = _kind(data, field)
    c.add(node, str(_RDF_TYPE.value), ox.NamedNode(VLMS + kind))
    c.add(node, VLMS + "statementText", _literal(_text(data["text"], (*field, "text")),
                                                 language="en"))
    c.add(node, VLMS + "statedIn", c.publication)
    cites = data.get("cites", [])
    for i, ref in enumerate(as_list(cites, (*field, "cites"))):
        where = (*field, "cites", i) if isinstance(cites, list) else (*field, "cites")
        number_text = str(_integer(ref, where, low=1, hint="write the reference numbers "
                                                             "printed in the source, e.g. [1, 3]"))
        c.add(node, VLMS + "citesReference", _literal(number_text, "integer"))
    about = data.get("about", [])
    for i, word in enumerate(as_list(about, (*field, "about"))):
        where = (*field, "about", i) if isinstance(about, list) else (*field, "about")
        c.add(node, _ABOUT.value, ox.NamedNode(c.term(word, where).iri))
    if "count" in data:
        _count(c, node, data["count"], (*field, "count"))
    figures = data.get("figures", [])
    for i, figure in enumerate(as_list(figures, (*field, "figures"))):
        _figure(c, node, figure, (*field, "figures", i), f"{node.value}-figure-{i + 1}")
    c.provenance(node, data, field)


def _kind(data: dict[str, Any], field: FieldPath) -> str:
    if "kind" not in data:
        return "CaseCountStatement" if "count" in data else "LiteratureStatement"
    word = normalize(_text(data["kind"], (*field, "kind"))).removesuffix(" statement")
    if word not in STATEMENT_KINDS:
        close = nearest(word, STATEMENT_KINDS)
        raise SheetError(f"unknown statement kind '{data['kind']}'", field=(*field, "kind"),
                         hint=(f"did you mean {' or '.join(map(repr, close))}? " if close else "")
                         + "allowed: " + ", ".join(STATEMENT_KINDS)
                         + " (rates go into 'figures')")
    if "count" in data and word != "case count":
        raise SheetError(f"a statement with a 'count' is a case count, not '{data['kind']}'",
                         field=(*field, "kind"), hint="write kind: case count, or leave it out")
    return STATEMENT_KINDS[word]


def _count(c: _Compiler, node: ox.NamedNode, value: Any, field: FieldPath) -> None:
    data = as_mapping(value, field, _COUNT_KEYS)
    if "cases" not in data:
        raise SheetError("the count gives no number of 'cases'", field=field,
                         hint="write count: {cases: 300, comparator: less than}")
    hint = 'write the number of cases as a whole number, or e.g. "about 400", "fewer than 300"'
    cases, words = data["cases"], ""
    if isinstance(cases, str):
        match = re.match(r"^(?:(?P<words>[a-z]+(?: [a-z]+)?)\s+)?(?P<n>\d+)$",
                         " ".join(cases.lower().split()))
        if not match:
            raise SheetError(f"cannot read {cases!r} as a number of cases",
                             field=(*field, "cases"), hint=hint)
        cases, words = match["n"], (match["words"] or "").replace("fewer", "less")
    number = _integer(cases, (*field, "cases"), low=0, hint=hint)
    c.add(node, VLMS + "caseCount", _literal(str(number), "integer"))
    qualifiers = [_count_word(c, words, (*field, "cases"))] if words else []
    if "comparator" in data:
        word = normalize(_text(data["comparator"], (*field, "comparator")))
        qualifiers.append(_count_word(c, word.replace("fewer", "less"), (*field, "comparator")))
    for prop, iri in dict(qualifiers).items():
        c.add(node, VLMS + prop, ox.NamedNode(iri))
    if "site" in data:
        c.add(node, VLMS + "aboutSite",
              ox.NamedNode(c.term(data["site"], (*field, "site")).iri))


def _count_word(c: _Compiler, word: str, field: FieldPath) -> tuple[str, str]:
    """``less than``/``more than``/``equal to`` -> a comparator; ``about`` -> a precision."""
    if word in _QUALIFIERS:
        return _QUALIFIERS[word][0], VLMS + _QUALIFIERS[word][1]
    return "comparator", c.value(word, "ComparatorValues", field)


def _figure(c: _Compiler, statement: ox.NamedNode, value: Any, field: FieldPath,
            iri: str) -> None:
    data = as_mapping(value, field, FIGURE_KEYS)
    figure = ox.NamedNode(iri)
    c.add(statement, VLMS + "hasPooledFigure", figure)
    c.add(figure, str(_RDF_TYPE.value), ox.NamedNode(VLMS + "PooledFigure"))
    if "endpoint" not in data:
        raise SheetError("the figure has no 'endpoint'", field=field,
                         hint="say what it measures, e.g. endpoint: overall survival "
                              "(or disease-free survival, local recurrence, metastasis, "
                              "graft occlusion)")
    c.add(figure, VLMS + "endpoint",
          ox.NamedNode(c.value(data["endpoint"], "EndpointValues", (*field, "endpoint"))))
    population = as_mapping(data.get("population", {}), (*field, "population"), _POPULATION_KEYS)
    for key, prop, kind in (("vessel", "populationSite", "anatomy"),
                            ("treatment", "populationTreatment", "procedure")):
        words = population.get(key, [])
        for i, word in enumerate(as_list(words, (*field, "population", key))):
            where = (*field, "population", key, *((i,) if isinstance(words, list) else ()))
            c.add(figure, VLMS + prop, ox.NamedNode(c.term(word, where, kind).iri))
    if "sample size" in data:
        size = _integer(data["sample size"], (*field, "sample size"), low=1,
                        hint="write the number of patients the figure is computed from")
        c.add(figure, VLMS + "sampleSize", _literal(str(size), "integer"))
    if "time point" in data:
        c.add(figure, VLMS + "timeHorizonYears",
              _literal(_decimal_text(_years(data["time point"], (*field, "time point"))),
                       "decimal"))
    qualifiers = _rate(c, figure, data, field)
    if "median months" in data and "median" in data:
        raise SheetError("the figure gives both 'median' and 'median months'",
                         field=(*field, "median"), hint="keep one of them")
    if "median months" in data or "median" in data:
        qualifiers += _median(c, figure, data, field)
    if "rate percent" not in data and "median months" not in data and "median" not in data:
        raise SheetError("the figure gives neither a rate nor a median", field=field,
                         hint="add rate percent: 49 (or \"7-28\", \"about 50\") or "
                              "median months: 40")
    if "comparator" in data:
        qualifiers.append(("comparator", c.value(data["comparator"], "ComparatorValues",
                                                 (*field, "comparator"))))
    for prop, iri in dict(qualifiers).items():
        c.add(figure, VLMS + prop, ox.NamedNode(iri))
    c.provenance(figure, data, field)


def _rate(c: _Compiler, figure: ox.NamedNode, data: dict[str, Any],
          field: FieldPath) -> list[tuple[str, str]]:
    """Writes the rate of a figure; returns the precision/comparator its wording implies."""
    if "rate percent" not in data:
        return []
    value, where = data["rate percent"], (*field, "rate percent")
    hint = 'write a percentage: 49, "49.4", "7-28" (a range), "about 50" or "less than 30"'
    if isinstance(value, list):
        if len(value) != 2:
            raise SheetError("a rate range has two numbers", field=where, hint=hint)
        low, high = (_percent(v, where, hint) for v in value)
        return _range(c, figure, low, high, where, hint)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        c.add(figure, VLMS + "ratePercent",
              _literal(_decimal_text(_percent(value, where, hint)), "decimal"))
        return []
    text = " ".join(_text(value, where).lower().split())
    span = _RANGE.match(text)
    if span:
        return _range(c, figure, _percent(span["low"], where, hint),
                      _percent(span["high"], where, hint), where, hint)
    single = _RATE.match(text)
    qualifier = (single["qualifier"] or "") if single else ""
    if not single or (qualifier and qualifier not in _QUALIFIERS):
        raise SheetError(f"cannot read '{value}' as a rate", field=where, hint=hint)
    c.add(figure, VLMS + "ratePercent",
          _literal(_decimal_text(_percent(single["value"], where, hint)), "decimal"))
    if not qualifier:
        return []
    prop, member = _QUALIFIERS[qualifier]
    return [(prop, VLMS + member)]


def _range(c: _Compiler, figure: ox.NamedNode, low: Decimal, high: Decimal, where: FieldPath,
           hint: str) -> list[tuple[str, str]]:
    if low > high:
        raise SheetError("the rate range runs backwards", field=where,
                         hint="write the smaller number first, e.g. \"7-28\"")
    c.add(figure, VLMS + "ratePercentMin", _literal(_decimal_text(low), "decimal"))
    c.add(figure, VLMS + "ratePercentMax", _literal(_decimal_text(high), "decimal"))
    return []


def _median(c: _Compiler, figure: ox.NamedNode, data: dict[str, Any],
            field: FieldPath) -> list[tuple[str, str]]:
    if "median months" in data:
        where: FieldPath = (*field, "median months")
        value = data["median months"]
        if isinstance(value, str):
            value = f"{value} months"
    else:
        where, value = (*field, "median"), data["median"]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        months, precision = _number(value, where, "write the median in months, e.g. 40"), "Exact"
    else:
        try:
            time = parse_time(value)
        except ValueError as err:
            raise SheetError(str(err), field=where) from None
        if time.months is None:
            raise SheetError("a median is one time, not a range", field=where,
                             hint='write e.g. median: "40 months" or median months: 40')
        months, precision = time.months, time.precision
    if months <= 0:
        raise SheetError("a median time is more than 0", field=where, hint="check the number")
    c.add(figure, VLMS + "medianMonths", _literal(_decimal_text(months), "decimal"))
    return [] if precision == "Exact" else [("precision", VLMS + precision)]


def _years(value: Any, field: FieldPath) -> Decimal:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        years = _number(value, field, 'write the time point with its unit, e.g. "5 years"')
    else:
        try:
            time = parse_time(value)
        except ValueError as err:
            raise SheetError(str(err), field=field) from None
        if time.months is None or time.precision != "Exact":
            raise SheetError(f"'{value}' is not one exact time point", field=field,
                             hint='write the time point the rate is given at, e.g. "5 years"')
        years = time.months / 12
    if years <= 0 or years > 100:
        raise SheetError(f"'{value}' is not a time point from 0 to 100 years", field=field,
                         hint='write e.g. "5 years" or "36 months"')
    return years.quantize(Decimal("0.01")).normalize() if years % 1 else years


# --- plain values ------------------------------------------------------------------------------


def _text(value: Any, field: FieldPath, *, numbers: bool = False) -> str:
    if numbers and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise SheetError(f"expected text, found {value!r}", field=field,
                         hint="write the value as text (quote numbers: \"4\")")
    return " ".join(value.split())


def _notes(value: Any, field: FieldPath) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [_text(v, (*field, i) if isinstance(value, list) else field)
            for i, v in enumerate(items)]


def _number(value: Any, field: FieldPath, hint: str) -> Decimal:
    if isinstance(value, bool):
        raise SheetError(f"expected a number, found {value!r}", field=field, hint=hint)
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise SheetError(f"expected a number, found {value!r}", field=field,
                         hint=hint) from None


def _integer(value: Any, field: FieldPath, *, low: int, high: int | None = None,
             hint: str) -> int:
    number = _number(value, field, hint)
    if number != number.to_integral_value() or number < low or (high is not None
                                                                and number > high):
        bounds = f"from {low}" + (f" to {high}" if high is not None else "")
        raise SheetError(f"{value!r} is not a whole number {bounds}", field=field, hint=hint)
    return int(number)


def _percent(value: Any, field: FieldPath, hint: str) -> Decimal:
    number = _number(value, field, hint)
    if not 0 <= number <= 100:
        raise SheetError(f"{value} is not a percentage from 0 to 100", field=field, hint=hint)
    return number
