"""Terms as the export formats write them: a CURIE, a label, and the resource behind the prefix.

>>> code = code_for("http://purl.obolibrary.org/obo/UBERON_0001072", "inferior vena cava")
>>> code.curie, code.prefix
('UBERON:0001072', 'UBERON')
>>> code_for("https://w3id.org/vlmskg/vocab/R0", "R0").curie
'VLMSKG:R0'
>>> RESOURCES["NCIT"].iri_prefix
'http://purl.obolibrary.org/obo/NCIT_'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.namespaces import HGNC, OBO, VLMS

__all__ = ["Code", "Resource", "RESOURCES", "code_for"]


@dataclass(frozen=True)
class Code:
    """A coded term: ``curie`` (``PREFIX:local``), its ``label`` and full ``iri``."""

    curie: str
    label: str
    iri: str

    @property
    def prefix(self) -> str:
        return self.curie.split(":", 1)[0]

    @property
    def local(self) -> str:
        return self.curie.split(":", 1)[1]


@dataclass(frozen=True)
class Resource:
    """An ontology a CURIE prefix stands for (the fields Phenopackets' ``Resource`` asks)."""

    id: str
    name: str
    url: str
    version: str
    namespace_prefix: str
    iri_prefix: str


def _obo(prefix: str, name: str) -> Resource:
    lower = prefix.lower()
    return Resource(lower, name, f"http://purl.obolibrary.org/obo/{lower}.owl",
                    "as used by vlms-kg", prefix, f"http://purl.obolibrary.org/obo/{prefix}_")


RESOURCES: dict[str, Resource] = {r.namespace_prefix: r for r in (
    _obo("NCIT", "NCI Thesaurus OBO Edition"),
    _obo("UBERON", "Uberon multi-species anatomy ontology"),
    _obo("HP", "Human Phenotype Ontology"),
    _obo("MAXO", "Medical Action Ontology"),
    _obo("CHEBI", "Chemical Entities of Biological Interest"),
    _obo("PATO", "Phenotype And Trait Ontology"),
    _obo("UO", "Units of measurement ontology"),
    _obo("OBI", "Ontology for Biomedical Investigations"),
    _obo("MONDO", "Mondo Disease Ontology"),
    _obo("IAO", "Information Artifact Ontology"),
    _obo("NCBITaxon", "NCBI organismal classification"),
    Resource("hgnc", "HUGO Gene Nomenclature Committee", "https://www.genenames.org",
             "as used by vlms-kg", "HGNC", str(HGNC)),
    Resource("vlmskg", "vlms-kg vocabulary (local terms where no external one exists)",
             "https://w3id.org/vlmskg/ontology", "0.1.0", "VLMSKG", str(VLMS)),
)}

_OBO_LOCAL = re.compile(r"^([A-Za-z]+)_(.+)$")


def code_for(iri: str, label: str | None) -> Code:
    """The CURIE of ``iri`` under one of :data:`RESOURCES`; ``ValueError`` for any other IRI."""
    iri = str(iri)
    text = label or iri.rsplit("/", 1)[-1]
    if iri.startswith(str(OBO)):
        match = _OBO_LOCAL.match(iri[len(str(OBO)):])
        if match and match.group(1) in RESOURCES:
            return Code(f"{match.group(1)}:{match.group(2)}", text, iri)
    if iri.startswith(str(HGNC)):
        return Code(f"HGNC:{iri[len(str(HGNC)):]}", text, iri)
    if iri.startswith(str(VLMS)):
        return Code(f"VLMSKG:{iri[len(str(VLMS)):]}", text, iri)
    raise ValueError(f"no export prefix for {iri}")
