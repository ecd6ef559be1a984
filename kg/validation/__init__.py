"""Validation: cases and publications against the SHACL shapes.

``validate`` checks files one case graph at a time with pySHACL (use
:func:`kg.validation.validate.validate_files`); ``compiled`` runs the same shapes compiled
to SPARQL over a whole store; ``report``, ``schema``, ``graph`` and ``completeness`` are the
result types, the ontology and shapes read once per run, one graph's check and its score;
``hints`` names the term to write where a file gives text for a coded value.
"""
