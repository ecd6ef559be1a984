"""The package's errors: one base, subclasses that carry where and how to fix.

The library raises these; the CLI prints them without a traceback and exits with
``exit_code``.

>>> err = InputError("unexpected end of file", file="data/cases/x.ttl", line=3, column=7,
...                  hint="close the statement with ' .'")
>>> print(err)
data/cases/x.ttl:3:7: unexpected end of file (fix: close the statement with ' .')
>>> err.exit_code
2
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "did_you_mean",
    "KGError",
    "InputError",
    "ValidationFailed",
    "ReasonerError",
    "BuildError",
    "QueryError",
    "UnknownQueryError",
    "ParameterError",
    "UnknownCaseError",
    "EndpointError",
]


class KGError(Exception):
    """Base of every vlms-kg error; ``hint`` says how to fix it."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def where(self) -> str:
        """A location prefix such as ``file:line:column: ``; empty when unknown."""
        return ""

    def __str__(self) -> str:
        text = f"{self.where()}{self.message}"
        return f"{text} (fix: {self.hint})" if self.hint else text


class InputError(KGError, ValueError):
    """An input file cannot be read: broken syntax, empty, binary, unknown case."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        case: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.file, self.line, self.column, self.case = file, line, column, case

    def where(self) -> str:
        parts = [str(p) for p in (self.file, self.line, self.column) if p is not None]
        prefix = ":".join(parts) + ": " if parts else ""
        return prefix + (f"case {self.case}: " if self.case else "")


class ValidationFailed(KGError):
    """One or more cases violate the shapes; ``results`` holds the report rows."""

    exit_code = 1

    def __init__(
        self, message: str, *, results: list | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.results = results or []


class ReasonerError(KGError):
    """The reasoner could not run, or found the ontology and data inconsistent."""


class BuildError(KGError):
    """The build could not complete; nothing was written."""


class QueryError(KGError):
    """A stored query could not be run."""


class UnknownQueryError(QueryError, KeyError):
    """No stored query has that name."""

    def __str__(self) -> str:  # KeyError would quote the message
        return KGError.__str__(self)


class ParameterError(QueryError, ValueError):
    """A query parameter is unknown, missing or of the wrong form."""


class UnknownCaseError(KGError, KeyError):
    """No case has that identifier."""

    def __str__(self) -> str:
        return KGError.__str__(self)


class EndpointError(KGError, ConnectionError):
    """A SPARQL endpoint is unreachable, refuses, or answers with an error."""

    exit_code = 3

    def __init__(self, message: str, *, endpoint: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.endpoint = endpoint

    def where(self) -> str:
        return f"{self.endpoint}: "


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`` Did you mean 'x'?`` naming the candidates closest to ``word`` (at most three),
    or an empty string when none is close.

    >>> did_you_mean("valdate", ["build", "validate", "query"])
    " Did you mean 'validate'?"
    >>> did_you_mean("cohrt", ["cohort", "cohort-size"])
    " Did you mean 'cohort' or 'cohort-size'?"
    >>> did_you_mean("zzz", ["build"])
    ''
    """
    close = difflib.get_close_matches(word, list(candidates), n=3, cutoff=0.6)
    if not close:
        return ""
    return " Did you mean " + " or ".join(repr(c) for c in close) + "?"
