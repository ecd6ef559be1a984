"""Place a case's events in time from its relative timings, in months from one event.

A case states time as ``vlms:RelativeTiming`` links: *event E is* ``amount`` ``unit``
*after (before, at the same time as) event R*, with a precision. Each link is an edge
``E = R + d`` (``d`` in months: the amount times the unit's ``vlms:monthsPerUnit``; negative
for *before*; 0 for *same time*). :func:`offsets` walks these edges both ways from a time
zero and gives every reachable event its offset and the precision of that offset:

* a chain of exact links is exact; one approximate link makes it approximate;
* *at least* read forwards is *at least*, read backwards (``R = E − d``) *at most*, and
  the other way round; a chain of lower bounds is a lower bound, of upper bounds an upper
  bound; a lower and an upper bound together bound nothing (the event is left unplaced);
* a link stated only as a range (``amountMin``/``amountMax``: a value given for a group of
  patients) places nothing: a group's range is not a patient's time;
* a link without an amount (*after*, order only) places nothing either.

Where two chains reach an event, the most precise one wins (exact, then bounded, then
approximate), then the shortest.

>>> links = [Link("fu", "op", 30.0, "exact"), Link("met", "op", 9.0, "exact"),
...          Link("op", "dx", 0.5, "at least")]
>>> placed = offsets(links, "op")
>>> placed["fu"], placed["dx"]
(Offset(months=30.0, precision='exact'), Offset(months=-0.5, precision='at most'))
>>> offsets(links, "dx")["fu"]
Offset(months=30.5, precision='at least')
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["PRECISIONS", "Link", "Offset", "offsets", "combine", "RANGE"]

#: the precisions of a time, as the records spell them.
PRECISIONS = ("exact", "approximate", "at least", "at most")
#: the precision of a link stated only as a group's range.
RANGE = "range"
_RANK = {"exact": 0, "at least": 1, "at most": 1, "approximate": 2}
_FLIP = {"at least": "at most", "at most": "at least"}


@dataclass(frozen=True)
class Link:
    """``event`` lies ``months`` after ``reference`` (negative: before), with a precision
    (one of :data:`PRECISIONS`, or :data:`RANGE` for a group's range)."""

    event: str
    reference: str
    months: float
    precision: str


@dataclass(frozen=True)
class Offset:
    """Months from time zero (negative: before it) and how precise that is."""

    months: float
    precision: str


def combine(first: str, second: str) -> str | None:
    """The precision of a sum of two offsets; ``None`` when the sum is bounded neither way.

    >>> combine("exact", "at least"), combine("at least", "approximate")
    ('at least', 'approximate')
    >>> combine("at least", "at most") is None
    True
    """
    if first == "exact":
        return second
    if second == "exact" or first == second:
        return first
    if "approximate" in (first, second):
        return "approximate"
    return None


def offsets(links: Iterable[Link], origin: str) -> dict[str, Offset]:
    """Every event reachable from ``origin`` through links with an amount, with its offset
    in months from ``origin`` (which gets ``Offset(0.0, "exact")``)."""
    edges: dict[str, list[tuple[str, float, str]]] = defaultdict(list)
    for link in links:
        if link.precision == RANGE:
            continue
        edges[link.reference].append((link.event, link.months, link.precision))
        edges[link.event].append((link.reference, -link.months,
                                  _FLIP.get(link.precision, link.precision)))
    placed: dict[str, Offset] = {}
    queue: list[tuple[int, int, str, float, str]] = [(0, 0, origin, 0.0, "exact")]
    while queue:
        rank, hops, node, months, precision = heapq.heappop(queue)
        if node in placed:
            continue
        placed[node] = Offset(round(months, 6), precision)
        for target, step, step_precision in edges.get(node, ()):
            if target in placed:
                continue
            joined = combine(precision, step_precision)
            if joined is not None:
                heapq.heappush(queue, (max(rank, _RANK[joined]), hops + 1, target,
                                       months + step, joined))
    return placed
