"""Which term to write where a case file gives text: ``vlms:sex "female"`` instead of
``vlms:sex obo:PATO_0000383``.

A coded value is a term (an IRI), never a string; the shapes reject the string, and
:func:`term_hint` adds to their message the term the text most likely means, read from the
value set the property's shape allows (``sh:in``, or ``sh:node`` with a ``skos:inScheme``
check) and matched against the members' labels and local names.

>>> from kg.validation.schema import load_schema
>>> schema = load_schema()
>>> term_hint(schema, SHAPES + "PatientShape", VLMS + "sex", "female")
' The value "female" is text: write the term itself, obo:PATO_0000383 (female), without quotes.'
>>> term_hint(schema, SHAPES + "ProcedureShape", VLMS + "marginStatus", "R0")
' The value "R0" is text: write the term itself, vlms:R0 (R0), without quotes.'
>>> term_hint(schema, SHAPES + "PatientShape", VLMS + "ageYears", "seventy")
''
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import SH, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.namespaces import VLMS as _VLMS
from kg.validation.report import SHAPES, compact
from kg.validation.schema import Schema

__all__ = ["term_hint", "SHAPES", "VLMS"]

VLMS = str(_VLMS)
_IN_SCHEME = URIRef("http://www.w3.org/2004/02/skos/core#inScheme")
_LABELS = {"http://www.w3.org/2000/01/rdf-schema#label",
           "http://www.w3.org/2004/02/skos/core#prefLabel",
           "http://www.w3.org/2004/02/skos/core#altLabel"}


@dataclass(frozen=True)
class _Index:
    """Per schema: the members of each value set and every term's labels."""

    members: dict[str, tuple[str, ...]]  #: scheme IRI → member IRIs
    labels: dict[str, tuple[str, ...]]  #: term IRI → labels


_INDEXES: dict[int, tuple[Schema, _Index]] = {}


def _index(schema: Schema) -> _Index:
    kept = _INDEXES.get(id(schema))
    if kept is not None and kept[0] is schema:
        return kept[1]
    members: dict[str, list[str]] = {}
    labels: dict[str, list[str]] = {}
    for quad in schema.ontology:
        subject, predicate, obj = quad.subject, quad.predicate.value, quad.object
        if not isinstance(subject, ox.NamedNode) or isinstance(obj, ox.Triple):
            continue
        if predicate == str(_IN_SCHEME):
            members.setdefault(obj.value, []).append(subject.value)
        elif predicate in _LABELS:
            labels.setdefault(subject.value, []).append(obj.value)
    index = _Index({k: tuple(sorted(set(v))) for k, v in members.items()},
                   {k: tuple(v) for k, v in labels.items()})
    _INDEXES.clear()
    _INDEXES[id(schema)] = (schema, index)
    return index


def _allowed(schema: Schema, shape: str, path: str) -> tuple[bool, set[str]]:
    """Whether the property shapes of ``shape`` on ``path`` want terms, and which."""
    graph, index = schema.shapes, _index(schema)
    wants_term, allowed = False, set()
    for prop in graph.objects(URIRef(shape), SH.property):
        if graph.value(prop, SH.path) != URIRef(path):
            continue
        for head in graph.objects(prop, SH["in"]):
            wants_term = True
            allowed |= {str(m) for m in Collection(graph, head) if isinstance(m, URIRef)}
        for node in graph.objects(prop, SH.node):
            wants_term = True
            allowed |= _schemes_of(schema, node, index)
        wants_term |= any(True for _ in graph.objects(prop, SH["class"]))
        wants_term |= (prop, SH.nodeKind, SH.IRI) in graph
    return wants_term, allowed


def _schemes_of(schema: Schema, node: Node, index: _Index) -> set[str]:
    graph = schema.shapes
    found: set[str] = set()
    for prop in graph.objects(node, SH.property):
        if graph.value(prop, SH.path) == _IN_SCHEME:
            for scheme in graph.objects(prop, SH.hasValue):
                found |= set(index.members.get(str(scheme), ()))
    return found


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _local(iri: str) -> str:
    return re.split(r"[/#]", iri)[-1]


def _best(text: str, allowed: set[str], index: _Index) -> list[str]:
    """The allowed terms ``text`` most likely names: by label or local name, exactly, then
    as a word of it, then by spelling."""
    wanted = _words(text)
    names = {term: {_words(_local(term)), *(_words(label) for label in index.labels.get(term, ()))}
             for term in sorted(allowed)}
    exact = [term for term, forms in names.items() if wanted in forms]
    if exact:
        return exact
    partial = [term for term, forms in names.items()
               if wanted and any(f" {wanted} " in f" {form} " for form in forms)]
    if partial:
        return partial
    by_form = {form: term for term, forms in names.items() for form in forms if form}
    close = difflib.get_close_matches(wanted, list(by_form), n=3, cutoff=0.6)
    return list(dict.fromkeys(by_form[form] for form in close))


def term_hint(schema: Schema, shape: str, path: str | None, text: str) -> str:
    """For the text ``text`` given as the value of ``path`` where the node shape ``shape``
    wants a term: a sentence naming the term to write (or saying that a term is wanted);
    an empty string where the property takes text."""
    if path is None or path.startswith("^"):
        return ""
    wants_term, allowed = _allowed(schema, shape, path)
    if not wants_term:
        return ""
    index = _index(schema)
    best = _best(text, allowed, index)[:3]
    start = f' The value "{text[:40]}" is text:'
    if not best:
        return f"{start} write a term (an IRI such as vlms:Name or obo:PREFIX_0000000), " \
               "without quotes."
    named = " or ".join(f"{compact(t)} ({index.labels.get(t, (_local(t),))[0]})" for t in best)
    return f"{start} write the term itself, {named}, without quotes."
