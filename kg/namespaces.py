"""IRIs of the graph: namespaces, named-graph names and identifier helpers.

>>> case_iri("lms-ivc-two-cases-c1")
rdflib.term.URIRef('https://w3id.org/vlmskg/case/lms-ivc-two-cases-c1')
>>> case_id(case_iri("lms-ivc-two-cases-c1"))
'lms-ivc-two-cases-c1'
>>> obo("UBERON:0001072")
rdflib.term.URIRef('http://purl.obolibrary.org/obo/UBERON_0001072')
"""

from __future__ import annotations

from rdflib import Namespace, URIRef

from kg.vocab import VLMS

__all__ = [
    "BASE",
    "VLMS",
    "OBO",
    "HGNC",
    "CASE",
    "PUBLICATION",
    "GRAPH",
    "ONTOLOGY_IRI",
    "ONTOLOGY_GRAPH",
    "SHAPES_GRAPH",
    "INFERRED_GRAPH",
    "QUERIES_GRAPH",
    "VOID_GRAPH",
    "case_iri",
    "case_id",
    "publication_iri",
    "obo",
    "PREFIXES",
]

BASE = "https://w3id.org/vlmskg/"
OBO = Namespace("http://purl.obolibrary.org/obo/")
HGNC = Namespace("https://identifiers.org/hgnc:")
CASE = Namespace(BASE + "case/")
PUBLICATION = Namespace(BASE + "publication/")
GRAPH = Namespace(BASE + "graph/")

#: the prefixes every serialisation and CURIE of the project uses.
PREFIXES: dict[str, str] = {
    "vlms": str(VLMS),
    "obo": str(OBO),
    "hgnc": str(HGNC),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
    "sh": "http://www.w3.org/ns/shacl#",
}

ONTOLOGY_IRI = URIRef(BASE + "ontology")
ONTOLOGY_GRAPH = GRAPH["ontology"]
SHAPES_GRAPH = GRAPH["shapes"]
INFERRED_GRAPH = GRAPH["inferred"]
QUERIES_GRAPH = GRAPH["queries"]
VOID_GRAPH = GRAPH["void"]


def case_iri(identifier: str) -> URIRef:
    """The IRI of a case node, which is also the name of its graph."""
    return CASE[identifier]


def case_id(iri: str) -> str:
    """The identifier of a case IRI; ``ValueError`` if it is not one."""
    if not iri.startswith(str(CASE)) or "/" in iri[len(CASE) :]:
        raise ValueError(f"not a case IRI: {iri}")
    return iri[len(CASE) :]


def publication_iri(identifier: str) -> URIRef:
    return PUBLICATION[identifier]


def obo(curie: str) -> URIRef:
    """The OBO PURL of a CURIE such as ``HP:0002027``."""
    prefix, _, local = curie.partition(":")
    return OBO[f"{prefix}_{local}"]
