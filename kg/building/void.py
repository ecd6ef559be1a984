"""Describe the built graph with VoID and DCAT: sizes, subsets, cases, distributions, and
each publication graph's citation ("First author et al., year, doi:…").

The description has no timestamps, so the same inputs always give the same triples.
Its counts include the description itself: ``void:triples`` of the dataset is the
number of quads in every named graph, the ``void`` graph included.

>>> import pyoxigraph as ox
>>> store = ox.Store()
>>> case = ox.NamedNode("https://w3id.org/vlmskg/case/x-c1")
>>> store.add(ox.Quad(case, ox.NamedNode("https://w3id.org/vlmskg/vocab/ageYears"),
...                   ox.Literal("60", datatype=XSD_INTEGER), case))
>>> store.extend(describe_dataset(store, {"x-c1": 0.5}))
>>> count = '''SELECT ?n { GRAPH ?g { <https://w3id.org/vlmskg/dataset>
...            <http://rdfs.org/ns/void#triples> ?n } }'''
>>> int(next(iter(store.query(count)))["n"].value) == len(store)
True
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import cast

import pyoxigraph as ox

from kg.namespaces import BASE, CASE, ONTOLOGY_GRAPH, PUBLICATION, VLMS, VOID_GRAPH

__all__ = ["DATASET_IRI", "DISTRIBUTIONS", "PREFIXES", "XSD_INTEGER", "describe_dataset",
           "publication_citations", "subset_iri"]

DATASET_IRI = BASE + "dataset"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
TITLE = "vlms-kg: the open knowledge graph of vascular leiomyosarcoma"
DESCRIPTION = (
    "Published case reports of leiomyosarcoma arising in a blood vessel, one named graph per "
    "case, with the OWL ontology that gives them meaning, SHACL shapes, the tumour types "
    "inferred by HermiT, the catalogue of stored SPARQL queries, and the statements each "
    "source publication makes about the disease."
)
#: file name → IANA media type of each serialisation that ``vlmskg build`` writes.
DISTRIBUTIONS = {
    "vlms-kg.trig": "application/trig",
    "vlms-kg.nq": "application/n-quads",
}

_VOID = "http://rdfs.org/ns/void#"
_DCAT = "http://www.w3.org/ns/dcat#"
_DCTERMS = "http://purl.org/dc/terms/"
_SD = "http://www.w3.org/ns/sparql-service-description#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_VOID_GRAPH_NODE = ox.NamedNode(str(VOID_GRAPH))
_XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_INTEGER = ox.NamedNode(_XSD + "integer")
_XSD_DECIMAL = ox.NamedNode(_XSD + "decimal")

#: prefixes for writing the description as Turtle.
PREFIXES = {"void": _VOID, "dcat": _DCAT, "dcterms": _DCTERMS, "sd": _SD, "vlms": str(VLMS),
            "xsd": _XSD}

_SUBJECTS = f"""SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{VOID_GRAPH}>) }}"""
_CASE_COUNT = f"""SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{
  GRAPH ?g {{ ?c a <{VLMS.Case}> }} FILTER(STRSTARTS(STR(?g), "{CASE}")) }}"""
#: each publication graph's citation, "First author et al., year, doi:…" (PMID, else the URL,
#: when there is no DOI; a part left out when unknown), worded as in the stored queries
#: ``cohort`` and ``provenance-of-fact``.
_CITATIONS = f"""PREFIX vlms: <{VLMS}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX bibo: <http://purl.org/ontology/bibo/>
SELECT ?pub ?citation WHERE {{
  {{
    SELECT ?pub
           (REPLACE(REPLACE(CONCAT(
               COALESCE(CONCAT(SAMPLE(?firstAuthor),
                               IF(COUNT(DISTINCT ?author) > 1, " et al.", "")), ""), ", ",
               COALESCE(STR(SAMPLE(?year)), ""), ", ",
               COALESCE(CONCAT("doi:", SAMPLE(?doi)), CONCAT("PMID:", SAMPLE(?pmid)),
                        STR(SAMPLE(?url)), "")),
             "(, )+", ", "), "^, |, $", "") AS ?citation)
    WHERE {{
      GRAPH ?pub {{
        ?pub vlms:sourceDocument ?document .
        OPTIONAL {{ ?pub dcterms:creator ?author }}
        OPTIONAL {{
          ?pub dcterms:creator ?first . ?first vlms:authorPosition ?position .
          FILTER(?position = 1) ?first rdfs:label ?firstAuthor
        }}
        OPTIONAL {{ ?pub vlms:publicationYear ?year }}
        OPTIONAL {{ ?pub bibo:doi ?doi }}
        OPTIONAL {{ ?pub bibo:pmid ?pmid }}
        OPTIONAL {{ ?pub bibo:uri ?url }}
      }}
      FILTER(STRSTARTS(STR(?pub), "{PUBLICATION}"))
    }}
    GROUP BY ?pub
  }}
  FILTER(?citation != "")
}}"""
_VERSION = f"""SELECT ?v WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{
  ?o a <http://www.w3.org/2002/07/owl#Ontology> ; <http://www.w3.org/2002/07/owl#versionIRI> ?v }}
}} ORDER BY ?v"""


def _iri(text: str) -> ox.NamedNode:
    return ox.NamedNode(text)


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD_INTEGER)


def _select(store: ox.Store, query: str) -> ox.QuerySolutions:
    return cast(ox.QuerySolutions, store.query(query))


def _count(store: ox.Store, query: str) -> int:
    return int(next(iter(_select(store, query)))["n"].value)


def subset_iri(graph: str) -> str:
    """The IRI describing one named graph, e.g. ``…/dataset/case/<id>`` for a case graph.

    >>> subset_iri("https://w3id.org/vlmskg/graph/ontology")
    'https://w3id.org/vlmskg/dataset/graph/ontology'
    """
    return f"{DATASET_IRI}/{graph.removeprefix(BASE)}"


def _graph_sizes(store: ox.Store) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for quad in store:
        name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        sizes[name] = sizes.get(name, 0) + 1
    return sizes


def _title(graph: str) -> str:
    if graph.startswith(str(CASE)):
        return f"case {graph.removeprefix(str(CASE))}"
    if graph.startswith(str(PUBLICATION)):
        return f"publication {graph.removeprefix(str(PUBLICATION))}"
    return f"{graph.rsplit('/', 1)[-1]} graph"


def publication_citations(store: ox.Store) -> dict[str, str]:
    """Publication graph IRI → its citation, for each publication whose file gives an author,
    a year or an identifier.

    >>> store = ox.Store()
    >>> pub = ox.NamedNode(str(PUBLICATION) + "x-2013")
    >>> author = ox.NamedNode(pub.value + "/author/1")
    >>> for s, p, o in [(pub, "sourceDocument", ox.Literal("x")),
    ...                 (pub, "publicationYear", ox.Literal("2013", datatype=XSD_INTEGER)),
    ...                 (author, "authorPosition", ox.Literal("1", datatype=XSD_INTEGER))]:
    ...     store.add(ox.Quad(s, ox.NamedNode(str(VLMS) + p), o, pub))
    >>> store.add(ox.Quad(pub, ox.NamedNode(_DCTERMS + "creator"), author, pub))
    >>> store.add(ox.Quad(author, ox.NamedNode(_RDFS_LABEL), ox.Literal("Biswas S"), pub))
    >>> publication_citations(store)
    {'https://w3id.org/vlmskg/publication/x-2013': 'Biswas S, 2013'}
    """
    return {row["pub"].value: row["citation"].value for row in _select(store, _CITATIONS)}


def _triples(store: ox.Store, completeness: Mapping[str, float], sizes: Mapping[str, int],
             total: int, subjects: int) -> list[ox.Triple]:
    dataset = _iri(DATASET_IRI)
    citations = publication_citations(store)
    out: list[tuple[ox.NamedNode, str, ox.NamedNode | ox.Literal]] = []

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        out.append((s, p, o))

    for kind in (_VOID + "Dataset", _DCAT + "Dataset"):
        add(dataset, _RDF_TYPE, _iri(kind))
    add(dataset, _DCTERMS + "title", ox.Literal(TITLE, language="en"))
    add(dataset, _DCTERMS + "description", ox.Literal(DESCRIPTION, language="en"))
    add(dataset, _DCTERMS + "license", _iri(LICENSE))
    add(dataset, _VOID + "uriSpace", ox.Literal(BASE))
    add(dataset, _VOID + "vocabulary", _iri(str(VLMS)))
    add(dataset, _VOID + "triples", _integer(total))
    add(dataset, _VOID + "distinctSubjects", _integer(subjects))
    for row in _select(store, _VERSION):
        add(dataset, _DCTERMS + "conformsTo", row["v"])

    partition = _iri(f"{DATASET_IRI}/class/Case")
    add(dataset, _VOID + "classPartition", partition)
    add(partition, _VOID + "class", _iri(str(VLMS.Case)))
    add(partition, _VOID + "entities", _integer(_count(store, _CASE_COUNT)))

    for name, media_type in DISTRIBUTIONS.items():
        distribution = _iri(f"{DATASET_IRI}/distribution/{name}")
        add(dataset, _DCAT + "distribution", distribution)
        add(distribution, _RDF_TYPE, _iri(_DCAT + "Distribution"))
        add(distribution, _DCTERMS + "title", ox.Literal(name))
        add(distribution, _DCAT + "mediaType",
            _iri(f"https://www.iana.org/assignments/media-types/{media_type}"))

    for graph, size in sorted(sizes.items()):
        subset = _iri(subset_iri(graph))
        add(dataset, _VOID + "subset", subset)
        add(subset, _RDF_TYPE, _iri(_VOID + "Dataset"))
        add(subset, _SD + "name", _iri(graph))
        add(subset, _DCTERMS + "title", ox.Literal(_title(graph), language="en"))
        add(subset, _VOID + "triples", _integer(size))
        if graph.startswith(str(PUBLICATION)):
            add(dataset, _DCTERMS + "source", _iri(graph))
            if graph in citations:
                add(subset, _DCTERMS + "bibliographicCitation", ox.Literal(citations[graph]))
        case = graph.removeprefix(str(CASE))
        if graph.startswith(str(CASE)) and case in completeness:
            score = Decimal(str(completeness[case])).quantize(Decimal("0.001"))
            add(subset, str(VLMS.completeness), ox.Literal(str(score), datatype=_XSD_DECIMAL))
    return [ox.Triple(s, _iri(p), o) for s, p, o in out]


def describe_dataset(store: ox.Store, completeness: Mapping[str, float]) -> list[ox.Quad]:
    """The VoID/DCAT description of ``store`` (every named graph but ``void``) as quads of
    the ``void`` graph; ``completeness`` maps case ids to their score from validation.

    The counts cover the description too, so adding the returned quads to ``store``
    makes every ``void:triples`` true.
    """
    sizes = {g: n for g, n in _graph_sizes(store).items() if g and g != str(VOID_GRAPH)}
    draft = _triples(store, completeness, {**sizes, str(VOID_GRAPH): 0}, 0, 0)
    new_subjects = {t.subject for t in draft
                    if not any(q.graph_name != _VOID_GRAPH_NODE
                               for q in store.quads_for_pattern(t.subject, None, None))}
    total = sum(sizes.values()) + len(draft)
    subjects = _count(store, _SUBJECTS) + len(new_subjects)
    final = _triples(store, completeness, {**sizes, str(VOID_GRAPH): len(draft)}, total, subjects)
    return [ox.Quad(t.subject, t.predicate, t.object, _VOID_GRAPH_NODE) for t in final]
