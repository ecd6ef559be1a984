"""Human-readable labels: ``rdfs:label``, English preferred.

A node may carry several labels. The preferred one is English (``@en`` or a regional
``@en-GB``), then a label without a language tag, then any other; ties go to the
alphabetically first, so every backend shows the same label.

>>> from rdflib import Literal
>>> pick_label([Literal("Vena cava inferior", lang="de"), Literal("inferior vena cava", lang="en")])
'inferior vena cava'
>>> pick_label([Literal("IVC"), Literal("Vena cava inferior", lang="de")])
'IVC'
>>> pick_label([]) is None
True
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rdflib import Literal
from rdflib.term import Node

from kg.store.base import Row, Store

__all__ = ["pick_label", "labels_by_node", "fetch_label"]

_LABEL_OF = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?label WHERE { ?node rdfs:label ?label }
"""


def _rank(label: Literal) -> tuple[int, str]:
    language = (label.language or "").lower()
    if language == "en" or language.startswith("en-"):
        return (0, str(label))
    return (1 if not language else 2, str(label))


def pick_label(labels: Iterable[Node]) -> str | None:
    """The preferred label among ``labels`` (non-literals are ignored); ``None`` if none."""
    literals = [label for label in labels if isinstance(label, Literal)]
    return str(min(literals, key=_rank)) if literals else None


def labels_by_node(rows: Iterable[Row], node: str = "node", label: str = "label") -> dict[str, str]:
    """The preferred label of every node in query ``rows`` that bind ``node`` and ``label``."""
    found: dict[str, list[Node]] = defaultdict(list)
    for row in rows:
        if node in row and label in row:
            found[str(row[node])].append(row[label])
    return {key: text for key, values in found.items() if (text := pick_label(values))}


def fetch_label(store: Store, node: Node) -> str | None:
    """The preferred ``rdfs:label`` of ``node`` in any graph of ``store``."""
    return pick_label(row["label"] for row in store.select(_LABEL_OF, {"node": node}))
