"""Explore the graph from Python without writing SPARQL.

>>> from kg.api import KnowledgeGraph
>>> graph = KnowledgeGraph.open()
>>> case = graph.case("lms-ivc-two-cases-c2")
>>> case.patient.age_years, case.patient.sex
(65, 'female')
>>> "Inferior Vena Cava Leiomyosarcoma" in [c.label for c in case.tumour.inferred_classes]
True

The same calls run against a SPARQL server: ``KnowledgeGraph.open(endpoint=URL)``.
"""

from kg.api.cases import (
    Case,
    Event,
    Finding,
    FollowUp,
    MarkerResult,
    MitoticCount,
    Patient,
    Procedure,
    Provenance,
    Site,
    Size,
    Term,
    Timing,
    Tumour,
    TumourClass,
)
from kg.api.graph import KnowledgeGraph
from kg.api.traversal import Edge, Node

__all__ = [
    "KnowledgeGraph",
    "Node",
    "Edge",
    "Case",
    "Patient",
    "Tumour",
    "TumourClass",
    "Site",
    "Size",
    "MitoticCount",
    "MarkerResult",
    "Event",
    "Procedure",
    "Timing",
    "Finding",
    "FollowUp",
    "Provenance",
    "Term",
]
