"""Check case files against the SHACL shapes (``ontology/shapes/``), one case at a time.

Each case is validated on its own data graph: its triples, the ontology (which gives the
class hierarchy and the value sets, so no inference is needed) and the publications it
names (so that its source resolves; the others would only be checked again for nothing).
The publications are validated too, each once.

A Violation keeps a case out of the graph; a Warning is a recommended field left empty,
and the share of recommended checks a case meets is its completeness (0–1). An unreadable
file is reported, not raised, and the other files are still validated.

>>> from kg.resources import case_files
>>> seeds = [p for p in case_files() if p.suffix == ".ttl"]  # the three hand-written cases
>>> report = validate_files(seeds)
>>> report.conforms, report.exit_code
(True, 0)
>>> sorted(report.completeness)
['lms-femoral-vein-c1', 'lms-ivc-two-cases-c1', 'lms-ivc-two-cases-c2']
>>> broken = validate_files([Path("no/such/case.ttl")])
>>> broken.exit_code, broken.errors[0].message
(2, 'cannot read: No such file or directory')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox

from kg import resources
from kg.errors import InputError
from kg.namespaces import PUBLICATION
from kg.progress import track
from kg.sources.files import Source, parse_source
from kg.validation.completeness import completeness
from kg.validation.graph import FileGraph, validate_graph
from kg.validation.memo import PublicationMemo
from kg.validation.ownership import ownership_results
from kg.validation.report import SEVERITIES, SHAPES, ValidationReport, ValidationResult, compact
from kg.validation.schema import load_schema

__all__ = ["SHAPES", "SEVERITIES", "ValidationResult", "ValidationReport", "validate_files",
           "compact"]


def _read(sources: Iterable[Source], errors: list[InputError]) -> list[FileGraph]:
    graphs = []
    for source in sources:
        try:
            graphs.append(FileGraph(source, parse_source(source)))
        except InputError as err:
            errors.append(err)
    return graphs


#: the results of each publication file, for the run of the process
_PUBLICATION_RESULTS = PublicationMemo()


def cited_publications(case: FileGraph, pubs: Sequence[FileGraph]) -> list[ox.Quad]:
    """The quads of the publications ``case`` names: all a case's shapes look at beyond
    its own file (a case naming no shipped publication gets none, and is told so)."""
    names = {term.value for q in case.quads for term in (q.subject, q.object)
             if isinstance(term, ox.NamedNode) and term.value.startswith(str(PUBLICATION))}
    return [q for pub in pubs if pub.iri in names or any(n.startswith(pub.iri + "/")
                                                          for n in names)
            for q in pub.quads]


def validate_files(paths: Sequence[Path],
                   publications: Sequence[Path] | None = None) -> ValidationReport:
    """Validate each case file in ``paths`` against the shapes.

    ``publications`` (default: the shipped ones) are loaded beside every case so that its
    source resolves, and are validated once each. A file that is missing, empty, binary or
    broken Turtle is reported in ``errors`` (file, line, column) and the others are still
    validated. Raises :class:`InputError` only when the ontology or shapes cannot be read.
    """
    schema = load_schema()
    report = ValidationReport()
    publication_paths = list(resources.publication_files() if publications is None
                             else publications)
    case_paths = list(dict.fromkeys(Path(p) for p in paths))
    report.files = [str(p) for p in case_paths + publication_paths]
    pubs = _read((Source.for_publication(p) for p in publication_paths), report.errors)
    cases = _read(track([Source.for_case(p) for p in case_paths], "reading case files"),
                  report.errors)
    for pub in track(pubs, "validating publications"):
        def alone(pub: FileGraph = pub) -> list[ValidationResult]:
            return validate_graph(schema, pub, context=[])[0]

        report.results += _PUBLICATION_RESULTS.results(schema, pub.source, alone)
    for case in track(cases, "validating cases (pySHACL)"):
        results, store = validate_graph(schema, case, cited_publications(case, pubs))
        results = sorted(results + ownership_results(case.source, case.quads),
                         key=ValidationResult.sort_key)
        report.results += results
        if case.source.case_id:
            report.completeness[case.source.case_id] = completeness(schema, case, store, results)
    return report
