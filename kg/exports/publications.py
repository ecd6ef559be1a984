"""The publications cases come from: their identifiers, for the formats' external references.

>>> from kg.store import open_store
>>> refs = read_publications(open_store())
>>> refs["dipilla-2023-radcr-ivc"].pmid, refs["dipilla-2023-radcr-ivc"].doi
('38033672', '10.1016/j.radcr.2023.09.069')
"""

from __future__ import annotations

from dataclasses import dataclass

import phenopackets.schema.v2 as pps2

from kg.namespaces import PUBLICATION
from kg.store.base import Store

__all__ = ["PublicationRef", "read_publications"]

BIBO = "http://purl.org/ontology/bibo/"
_FIELDS = {BIBO + "pmid": "pmid", BIBO + "doi": "doi", BIBO + "uri": "url",
           "http://purl.org/dc/terms/title": "title"}
_QUERY = """SELECT ?g ?p ?o WHERE {
  VALUES ?p { %s }
  GRAPH ?g { ?g ?p ?o }
}""" % " ".join(f"<{p}>" for p in _FIELDS)  # noqa: UP031 - SPARQL braces


@dataclass(frozen=True)
class PublicationRef:
    """A publication's id (its slug) and what identifies it outside the graph."""

    id: str
    pmid: str | None = None
    doi: str | None = None
    url: str | None = None
    title: str | None = None

    def external_references(self) -> list[pps2.ExternalReference]:
        """PMID, DOI and URL, those the publication has (the title as description)."""
        refs = []
        if self.pmid:
            refs.append(pps2.ExternalReference(
                id=f"PMID:{self.pmid}", reference=f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}",
                description=self.title or ""))
        if self.doi:
            refs.append(pps2.ExternalReference(id=f"DOI:{self.doi}",
                                               reference=f"https://doi.org/{self.doi}",
                                               description=self.title or ""))
        if self.url:
            refs.append(pps2.ExternalReference(id=self.url, reference=self.url,
                                               description=self.title or ""))
        return refs


def read_publications(store: Store) -> dict[str, PublicationRef]:
    """Every publication graph's identifiers, by publication id."""
    found: dict[str, dict[str, str]] = {}
    for graph, prop, value in store.select_values(_QUERY, ["g", "p", "o"]):
        if graph.startswith(str(PUBLICATION)):
            found.setdefault(graph[len(str(PUBLICATION)):], {}).setdefault(
                _FIELDS[prop], str(value))
    return {slug: PublicationRef(slug, **fields) for slug, fields in sorted(found.items())}
