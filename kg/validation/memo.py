"""Results of a publication file, kept for the run of the process.

The same publications are validated beside every set of cases, and their results depend
only on the file and the shapes; each validator keeps its own memo, so that the two engines
are still compared on their own results.

>>> from pathlib import Path
>>> from kg.resources import publication_files
>>> from kg.sources.files import Source
>>> memo, calls = PublicationMemo(), []
>>> source = Source.for_publication(publication_files()[0])
>>> for _ in range(2):
...     _ = memo.results(object, source, lambda: calls.append(1) or [])
>>> len(calls)
1
"""

from __future__ import annotations

from collections.abc import Callable

from kg.sources.files import Source
from kg.validation.report import ValidationResult

__all__ = ["PublicationMemo"]


class PublicationMemo:
    """Results by file (path, modification time, size) and shapes (the schema object)."""

    def __init__(self) -> None:
        self._schema: object = None
        self._results: dict[tuple[str, int, int], list[ValidationResult]] = {}

    def results(self, schema: object, source: Source,
                compute: Callable[[], list[ValidationResult]]) -> list[ValidationResult]:
        """The results of ``source``: computed once per version of the file and the shapes."""
        try:
            stat = source.path.stat()
        except OSError:
            return compute()
        if schema is not self._schema:  # the ontology or the shapes changed
            self._schema, self._results = schema, {}
        key = (str(source.path.resolve()), stat.st_mtime_ns, stat.st_size)
        if key not in self._results:
            self._results[key] = compute()
        return list(self._results[key])
