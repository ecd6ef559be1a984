"""Queries: the stored SPARQL questions in ``queries/`` and running them.

``catalogue`` reads each ``.rq`` file and its grlc-style header; ``run`` binds parameters
as RDF terms and returns typed rows. Use :func:`run_query`.
"""

from kg.queries.run import run_query

__all__ = ["run_query"]
