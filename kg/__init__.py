"""vlms-kg: the open knowledge graph of vascular leiomyosarcoma.

>>> from kg.resources import case_files
>>> seeds = [p for p in case_files() if p.suffix == ".ttl"]  # the three hand-written cases
>>> result = build_dataset(seeds, reason=False)
>>> result.case_ids
('lms-femoral-vein-c1', 'lms-ivc-two-cases-c1', 'lms-ivc-two-cases-c2')
>>> sorted(result.completeness) == sorted(result.case_ids)
True
"""

from kg.api import KnowledgeGraph
from kg.building.pipeline import BuildResult, build_dataset, write_outputs
from kg.errors import KGError
from kg.queries.run import run_query

__all__ = ["BuildResult", "KnowledgeGraph", "KGError", "build_dataset", "run_query",
           "write_outputs"]
