"""A case file describes its own case and nothing else: the checks no SHACL shape can make.

One plain data graph (what every SHACL engine sees) has no file names and no file
boundaries, so two rules are checked here, for both validators, and reported as results of
``vsh:CaseGraphShape`` (whose other half, "every case node lies under a vlms:Case", is
standard SHACL):

- the file describes the case node named after it, ``case:<file name>``;
- every node it says something about is that case node or one of its nodes
  (``case:<file name>/<name>``): a statement about an ontology term, a publication or
  another case would change what other files mean.

>>> import pyoxigraph as ox
>>> from pathlib import Path
>>> from kg.sources.files import Source
>>> source = Source.for_case(Path("data/cases/x-c1.ttl"))
>>> case = ox.NamedNode("https://w3id.org/vlmskg/case/x-c1")
>>> label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
>>> term = ox.NamedNode("http://purl.obolibrary.org/obo/UBERON_0001072")
>>> [r.focus for r in ownership_results(source, [ox.Quad(case, label, ox.Literal("x")),
...                                              ox.Quad(term, label, ox.Literal("vein"))])]
['http://purl.obolibrary.org/obo/UBERON_0001072']
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from kg.sources.files import Source
from kg.validation.report import SHAPES, ValidationResult, compact

__all__ = ["ownership_results"]

_SHAPE = SHAPES + "CaseGraphShape"


def ownership_results(source: Source, quads: Sequence[ox.Quad]) -> list[ValidationResult]:
    """Violations of the two rules by the case file ``source`` holding ``quads``; none for a
    publication file."""
    if source.case_id is None:
        return []
    case = source.graph
    subjects = sorted({q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)})
    if case not in subjects:
        described = [s for s in subjects if s.startswith(case.rsplit("/", 1)[0] + "/")]
        named = f" (it describes {compact(described[0])})" if described else ""
        return [_violation(source, case, f"The file does not describe {compact(case)}, the case "
                           f"node named after it{named}: rename the file after its case node "
                           "(<case-id>.ttl), or the case node after the file.")]
    return [_violation(source, s, f"The case file says something about {compact(s)}, which is "
                       f"not a node of its case: a case file describes only {compact(case)} and "
                       f"its nodes ({compact(case)}/<name>). Delete the statement, or make it "
                       "in the ontology (ontology/) if it is about a term.")
            for s in subjects if s != case and not s.startswith(case + "/")]


def _violation(source: Source, focus: str, message: str) -> ValidationResult:
    return ValidationResult(file=str(source.path), severity="Violation", focus=focus, path=None,
                            message=message, shape=_SHAPE, value=focus, case=source.case_id)
