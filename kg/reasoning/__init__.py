"""Reasoning: the tumour types the ontology's defined classes imply.

``hermit`` runs HermiT (OWL 2 DL) over the ontology and cases; ``materialize`` evaluates the
classified defined classes over the data directly, for cohorts HermiT cannot hold. Both give
``rdf:type`` triples for the ``graph/inferred`` named graph.
"""
