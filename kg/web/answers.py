"""Answers of the stored questions, computed once and kept while the site runs.

The site serves a store that does not change while it runs, so a question's answer for
given values stays right. :class:`Answers` keeps answers (the most recently used, up to
:data:`MAX_KEPT_ROWS` rows in all) and computes each at most once at a time: a visitor who
asks what is being computed waits for that computation instead of starting another.
:meth:`Answers.warm` answers, in a background thread, every question that needs no value
from the visitor, so that at 10 000 cases the slowest of them (``cohort``: seconds) is
ready by the time someone asks.

>>> answers, calls = Answers(), []
>>> def compute() -> list[tuple[int]]:
...     calls.append(1)
...     return [(1,), (2,)]
>>> answers.get("q", {"x": "1"}, compute, wait=1.0)
[(1,), (2,)]
>>> answers.get("q", {"x": "1"}, compute, wait=1.0) and len(calls)
1
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from kg.errors import EndpointError

__all__ = ["Answers", "MAX_KEPT_ROWS"]

#: the most rows kept over all answers (the least recently used answers go first).
MAX_KEPT_ROWS = 500_000

_Key = tuple[str, tuple[tuple[str, str], ...]]
Rows = Sequence[Any]


class Answers:
    """Answers by question name and parameter values, computed once and kept."""

    def __init__(self, max_rows: int = MAX_KEPT_ROWS) -> None:
        self.max_rows = max_rows
        self._kept: OrderedDict[_Key, Rows] = OrderedDict()
        self._rows = 0
        self._running: dict[_Key, Future[Rows]] = {}
        self._lock = threading.Lock()

    def get(self, name: str, params: dict[str, str], compute: Callable[[], Rows], *,
            wait: float) -> Rows:
        """The kept answer; else the one being computed, awaited up to ``wait`` seconds
        (then :class:`kg.errors.EndpointError`); else ``compute()``, kept."""
        key = (name, tuple(sorted(params.items())))
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
            running = self._running.get(key)
            if running is None:
                mine: Future[Rows] = Future()
                self._running[key] = mine
        if running is not None:
            try:
                return running.result(timeout=wait)
            except FutureTimeout:
                raise EndpointError(
                    f"the answer is still being computed (more than {wait:g} s so far)",
                    endpoint=f"question {name}",
                    hint="try again in a minute: it is kept once computed") from None
            except Exception:  # noqa: BLE001 - that computation failed: this one tries again
                return self.get(name, params, compute, wait=wait)
        try:
            rows = compute()
        except BaseException as err:
            with self._lock:
                del self._running[key]
            mine.set_exception(err)
            raise
        with self._lock:
            del self._running[key]
            self._keep(key, rows)
        mine.set_result(rows)
        return rows

    def _keep(self, key: _Key, rows: Rows) -> None:
        if len(rows) > self.max_rows:
            return
        self._kept[key] = rows
        self._rows += len(rows)
        while self._rows > self.max_rows:
            _, dropped = self._kept.popitem(last=False)
            self._rows -= len(dropped)

    def warm(self, questions: Iterable[tuple[str, dict[str, str]]],
             compute: Callable[[str, dict[str, str]], Rows]) -> threading.Thread:
        """Start answering ``questions`` (name, parameter values) one after the other in a
        background thread, with ``compute``; the thread, already started. A question that
        fails is left to be asked (and its error shown) on its page."""
        def run() -> None:
            for name, params in questions:
                try:
                    self.get(name, params, functools.partial(compute, name, params),
                             wait=float("inf"))
                except Exception:  # noqa: BLE001,S112 - its page will show the error
                    continue

        thread = threading.Thread(target=run, name="vlmskg-answers", daemon=True)
        thread.start()
        return thread
