"""vlms-kg: the open knowledge graph of vascular leiomyosarcoma.

>>> result = build_dataset(reason=False)
>>> sorted(result.completeness) == sorted(result.case_ids)
True
"""

from kg.build import BuildResult, build_dataset, write_outputs
from kg.errors import KGError

__all__ = ["BuildResult", "build_dataset", "write_outputs", "KGError"]
