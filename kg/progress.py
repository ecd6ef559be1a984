"""Progress of long work: shown on a terminal, silent otherwise.

Library code says what it is doing with :func:`task` (a step, with a count when it knows
one) or :func:`track` (an iterable whose items are counted). Nothing is shown unless a
:class:`Reporter` is active: the ``vlmskg`` command activates one on standard error when
that is a terminal and ``--quiet`` is not given, so piped output and library use stay quiet.

>>> with task("parsing", total=3) as step:  # no reporter active: silent
...     step.advance(3)
>>> import io
>>> out = io.StringIO()
>>> with reporting(Reporter(out, live=False, clock=lambda: 0.0)):
...     for _ in track(["a.ttl", "b.ttl"], "validating case files"):
...         pass
...     with task("classifying the tumours"):
...         pass
>>> print(out.getvalue(), end="")
validating case files: 2/2 (0.0 s)
classifying the tumours: done (0.0 s)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TextIO, TypeVar

__all__ = ["Reporter", "Task", "task", "track", "reporting", "active"]

_T = TypeVar("_T")
_BAR = 24  #: width of the bar, in characters
_INTERVAL = 0.1  #: least time between two redraws of a live line, in seconds


class Reporter:
    """Writes the progress of tasks to ``stream``.

    ``live``: redraw one line per task in place (``\\r``) while it runs, with a bar when the
    total is known; else write one line when each task ends (for logs and tests).
    """

    def __init__(self, stream: TextIO, *, live: bool = True,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream, self.live, self.clock = stream, live, clock
        self._drawn = 0.0
        self._width = 0  #: length of the live line on screen, to blank it out

    @classmethod
    def for_terminal(cls, stream: TextIO | None = None, *, quiet: bool = False) -> Reporter | None:
        """A live reporter on ``stream`` (default: standard error) when it is a terminal and
        ``quiet`` is false; else ``None`` (nothing is shown)."""
        stream = stream if stream is not None else sys.stderr
        isatty = getattr(stream, "isatty", None)
        if quiet or not (callable(isatty) and isatty()):
            return None
        return cls(stream)

    def _line(self, step: Task, finished: bool) -> str:
        elapsed = f"({self.clock() - step.started:.1f} s)"
        if step.total is None:
            return f"{step.label}: {'done' if finished else '…'} {elapsed}"
        count = f"{step.done}/{step.total}"
        if finished or not self.live:
            return f"{step.label}: {count} {elapsed}"
        filled = _BAR * min(step.done, step.total) // max(step.total, 1)
        return f"{step.label} [{'#' * filled}{'.' * (_BAR - filled)}] {count} {elapsed}"

    def _write(self, text: str, end: str) -> None:
        try:
            if self.live:
                self.stream.write("\r" + text.ljust(self._width))
                self._width = 0 if end else len(text)
            else:
                self.stream.write(text)
            self.stream.write(end)
            self.stream.flush()
        except (OSError, ValueError):  # a closed terminal never stops the work
            pass

    def update(self, step: Task, force: bool = False) -> None:
        """Redraw ``step``'s line (live reporters only, at most every 0.1 s)."""
        now = self.clock()
        if self.live and (force or now - self._drawn >= _INTERVAL):
            self._drawn = now
            self._write(self._line(step, finished=False), end="")

    def finish(self, step: Task) -> None:
        """Write ``step``'s last line."""
        self._write(self._line(step, finished=True), end="\n")


class Task:
    """One step of long work, counted when its ``total`` is known."""

    def __init__(self, label: str, total: int | None, reporter: Reporter | None) -> None:
        self.label, self.total, self.reporter = label, total, reporter
        self.done = 0
        self.started = reporter.clock() if reporter else 0.0

    def advance(self, count: int = 1) -> None:
        """Count ``count`` more items done."""
        self.done += count
        if self.reporter is not None:
            self.reporter.update(self)


_ACTIVE: ContextVar[Reporter | None] = ContextVar("vlmskg_progress", default=None)


def active() -> Reporter | None:
    """The reporter that tasks write to now, if any."""
    return _ACTIVE.get()


@contextmanager
def reporting(reporter: Reporter | None) -> Iterator[Reporter | None]:
    """Make ``reporter`` (``None``: none) the one tasks write to inside the block."""
    token = _ACTIVE.set(reporter)
    try:
        yield reporter
    finally:
        _ACTIVE.reset(token)


@contextmanager
def task(label: str, total: int | None = None) -> Iterator[Task]:
    """A step of long work named ``label`` (``total`` items, when known); its line is
    written when it ends, even by an error, and only when a reporter is active."""
    reporter = active()
    step = Task(label, total, reporter)
    if reporter is not None:
        reporter.update(step, force=True)
    try:
        yield step
    finally:
        if reporter is not None:
            reporter.finish(step)


def track(items: Iterable[_T], label: str, total: int | None = None) -> Iterator[_T]:
    """Yield ``items``, counting each as done in a task named ``label`` (the total is
    ``len(items)`` when not given and the iterable has a length)."""
    if total is None and isinstance(items, Sized):
        total = len(items)
    with task(label, total) as step:
        for item in items:
            yield item
            step.advance()
