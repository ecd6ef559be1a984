"""vlms-kg: the open knowledge graph of vascular leiomyosarcoma.

>>> result = build_dataset(reason=False)
>>> sorted(result.completeness) == sorted(result.case_ids)
True
"""

from kg.api import KnowledgeGraph
from kg.building.pipeline import BuildResult, build_dataset, write_outputs
from kg.errors import KGError
from kg.queries.run import run_query

__all__ = ["BuildResult", "KnowledgeGraph", "KGError", "build_dataset", "run_query",
           "write_outputs"]
