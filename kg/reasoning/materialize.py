"""Classify every tumour at once: HermiT classifies the ontology once, SPARQL does the rest.

:mod:`kg.reasoning.hermit` gives the whole ABox to HermiT, which takes minutes past a few thousand
cases. Here HermiT sees only the TBox, once, and the instance types of the tumours are
then materialised with SPARQL over all case graphs in one pass per defined class:

1. every class that the ontology defines (``C owl:equivalentClass E``, or a general axiom
   ``E rdfs:subClassOf C``) is read as an expression of named classes,
   ``owl:intersectionOf``, ``owl:unionOf``, ``owl:someValuesFrom`` and ``owl:hasValue``;
2. each complex part of an expression gets a helper class ``≡`` that part, and HermiT
   classifies the ontology with the helpers: a named class under a helper (``IVCSegment ⊑
   ∃partOf.IVC``) makes its instances members of the part without any triple;
3. each defined class becomes one SPARQL pattern: named classes by their HermiT subclasses
   (and the domains and ranges that imply them), ``someValuesFrom`` by a property path that
   follows sub-properties, inverses and transitivity, unions and intersections as such;
4. a tumour's types are its asserted types, those implied by domains and ranges, and the
   defined classes it belongs to, closed upwards in HermiT's hierarchy — the same list that
   :func:`kg.reasoning.hermit.infer_tumour_types` gives (types the data does not assert, no
   ``owl:Thing``).

A construct outside this fragment (``owl:allValuesFrom``, cardinalities, ``owl:oneOf``,
``owl:complementOf``, property chains, keys, reflexive properties) raises
:class:`kg.errors.ReasonerError` when the classifier is built. The classifier checks no
consistency: that stays with HermiT (:mod:`kg.reasoning.hermit`) and the shapes.

>>> import json
>>> vein_tumour = "http://example.org/VeinTumour"  # ≡ ∃arisesFrom.Vein
>>> classifier = Classifier(supers={vein_tumour: {vein_tumour}}, declared={vein_tumour},
...     definitions={vein_tumour: ("some", str(VLMS.arisesFrom), ("named", "http://example.org/Vein"))},
...     properties={}, subject_types={}, object_types={})
>>> classifier = Classifier.from_json(json.loads(json.dumps(classifier.to_json())))
>>> store = ox.Store()
>>> store.load(b'''<https://w3id.org/vlmskg/case/x> <https://w3id.org/vlmskg/vocab/hasTumour>
...     <https://w3id.org/vlmskg/case/x/t> .
... <https://w3id.org/vlmskg/case/x/t> <https://w3id.org/vlmskg/vocab/arisesFrom>
...     <https://w3id.org/vlmskg/case/x/v> .
... <https://w3id.org/vlmskg/case/x/v> a <http://example.org/Vein> .''',
...     format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("https://w3id.org/vlmskg/case/x"))
>>> classifier.tumour_types(store)
{'https://w3id.org/vlmskg/case/x': [('https://w3id.org/vlmskg/case/x/t', 'http://example.org/VeinTumour')]}
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

import pyoxigraph as ox

from kg.errors import ReasonerError
from kg.namespaces import VLMS
from kg.reasoning.hermit import _run_hermit

__all__ = ["Classifier", "materialize_tumour_types"]

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_TYPE = _RDF + "type"
_THING = _OWL + "Thing"
_AUX = "urn:x-vlmskg:materialize:part/"
_UNSUPPORTED_AXIOMS = {
    _OWL + "propertyChainAxiom": "property chains",
    _OWL + "hasKey": "keys",
}
_UNSUPPORTED_KINDS = {_OWL + "ReflexiveProperty": "reflexive properties"}
_UNSUPPORTED_EXPRESSIONS = {
    _OWL + p: p for p in ("allValuesFrom", "complementOf", "oneOf", "cardinality",
                          "minCardinality", "maxCardinality", "qualifiedCardinality",
                          "minQualifiedCardinality", "maxQualifiedCardinality", "hasSelf")}
_TUMOURS = f"GRAPH ?g {{ ?case <{VLMS.hasTumour}> ?x }} FILTER (isIRI(?x))"

# --- class expressions ------------------------------------------------------------------------

Expr = tuple  # ("named", iri) | ("and", parts) | ("or", parts) | ("some", prop, expr)
#             | ("value", prop, term-in-N-Triples)


def _objects(store: ox.Store, subject: ox.NamedNode | ox.BlankNode, predicate: str) -> list:
    return [q.object for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None)]


def _one(store: ox.Store, node: ox.NamedNode | ox.BlankNode, predicate: str) -> Any:
    values = _objects(store, node, predicate)
    return values[0] if values else None


def _list(store: ox.Store, head: Any) -> list:
    items = []
    while isinstance(head, ox.BlankNode):
        items.append(_one(store, head, _RDF + "first"))
        head = _one(store, head, _RDF + "rest")
    return items


def _expression(store: ox.Store, node: Any, where: str) -> Expr:
    """The class expression rooted at ``node`` of the ontology ``store``."""
    if isinstance(node, ox.NamedNode):
        return ("named", node.value)
    if not isinstance(node, ox.BlankNode):
        raise ReasonerError(f"{where}: {node} is not a class expression")
    for predicate, name in _UNSUPPORTED_EXPRESSIONS.items():
        if _objects(store, node, predicate):
            raise ReasonerError(f"{where}: owl:{name} is not supported by the materialiser",
                                hint="classify with 'vlmskg reason' (HermiT) instead")
    for kind in ("intersectionOf", "unionOf"):
        head = _one(store, node, _OWL + kind)
        if head is not None:
            parts = tuple(_expression(store, p, where) for p in _list(store, head))
            return ("and" if kind == "intersectionOf" else "or", parts)
    prop = _one(store, node, _OWL + "onProperty")
    if not isinstance(prop, ox.NamedNode):
        raise ReasonerError(f"{where}: a restriction without a named property is not supported",
                            hint="classify with 'vlmskg reason' (HermiT) instead")
    filler = _one(store, node, _OWL + "someValuesFrom")
    if filler is not None:
        return ("some", prop.value, _expression(store, filler, where))
    value = _one(store, node, _OWL + "hasValue")
    if value is not None:
        return ("value", prop.value, str(value))
    raise ReasonerError(f"{where}: this class expression is not supported by the materialiser",
                        hint="classify with 'vlmskg reason' (HermiT) instead")


def _aux(expr: Expr) -> str:
    """The helper class that stands for a complex expression (a stable IRI)."""
    return _AUX + hashlib.sha256(repr(expr).encode()).hexdigest()[:16]


def _complex_parts(expr: Expr) -> Iterable[Expr]:
    if expr[0] == "named":
        return
    yield expr
    if expr[0] in ("and", "or"):
        for part in expr[1]:
            yield from _complex_parts(part)
    elif expr[0] == "some":
        yield from _complex_parts(expr[2])


class _Writer:
    """N-Triples for helper classes (fresh blank nodes for each expression)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.count = 0

    def blank(self) -> str:
        self.count += 1
        return f"_:part{self.count}"

    def triple(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"{s} <{p}> {o} .")

    def node(self, expr: Expr) -> str:
        if expr[0] == "named":
            return f"<{expr[1]}>"
        node = self.blank()
        if expr[0] in ("and", "or"):
            self.triple(node, _TYPE, f"<{_OWL}Class>")
            items = [self.node(part) for part in expr[1]]
            head = f"<{_RDF}nil>"
            for item in reversed(items):
                cell = self.blank()
                self.triple(cell, _RDF + "first", item)
                self.triple(cell, _RDF + "rest", head)
                head = cell
            self.triple(node, _OWL + ("intersectionOf" if expr[0] == "and" else "unionOf"), head)
        else:
            self.triple(node, _TYPE, f"<{_OWL}Restriction>")
            self.triple(node, _OWL + "onProperty", f"<{expr[1]}>")
            if expr[0] == "some":
                self.triple(node, _OWL + "someValuesFrom", self.node(expr[2]))
            else:
                self.triple(node, _OWL + "hasValue", expr[2])
        return node


# --- the classifier ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Property:
    """What the ontology says about one property."""

    expressions: tuple[tuple[str, bool], ...]  #: (property, inverted) ⊑ this property
    transitive: bool


@lru_cache(maxsize=2)
def _classify_tbox(ntriples: bytes) -> bytes | None:
    """HermiT's conclusions on an ontology, kept for the run of the process: each build
    classifies the same ontology, and HermiT takes seconds to start."""
    return _run_hermit(ntriples)


class Classifier:
    """The ontology, classified by HermiT once, ready to type tumours with SPARQL."""

    def __init__(self, supers: Mapping[str, Iterable[str]], declared: Iterable[str],
                 definitions: Mapping[str, Expr], properties: Mapping[str, _Property],
                 subject_types: Mapping[str, Iterable[str]],
                 object_types: Mapping[str, Iterable[str]]) -> None:
        self.supers = {c: frozenset(s) for c, s in supers.items()}  #: class → superclasses
        self.declared = frozenset(declared)  #: classes the ontology declares
        self.definitions = dict(definitions)  #: defined class → its expression
        self.properties = dict(properties)
        self.subject_types = {p: frozenset(t) for p, t in subject_types.items()}  #: domains
        self.object_types = {p: frozenset(t) for p, t in object_types.items()}  #: ranges
        self.subs: dict[str, set[str]] = {}
        for cls, ups in self.supers.items():
            for up in ups:
                self.subs.setdefault(up, set()).add(cls)
        self.counter = 0
        self.queries = {cls: self._query(cls) for cls in sorted(self.definitions)}

    # --- building from the ontology ----------------------------------------------------------

    @classmethod
    def from_ontology(cls, ontology_ntriples: bytes) -> Classifier:
        """Classify the ontology (N-Triples) with HermiT and prepare the queries.

        Raises :class:`ReasonerError` when Java is missing, HermiT fails or finds the
        ontology inconsistent, or the ontology uses a construct outside the fragment.
        """
        store = ox.Store()
        store.load(ontology_ntriples, format=ox.RdfFormat.N_TRIPLES)
        for predicate, name in _UNSUPPORTED_AXIOMS.items():
            if next(store.quads_for_pattern(None, ox.NamedNode(predicate), None), None):
                raise ReasonerError(f"the ontology uses {name}, which the materialiser does "
                                    "not support", hint="classify with 'vlmskg reason' instead")
        for kind, name in _UNSUPPORTED_KINDS.items():
            if next(store.quads_for_pattern(None, ox.NamedNode(_TYPE), ox.NamedNode(kind)), None):
                raise ReasonerError(f"the ontology uses {name}, which the materialiser does "
                                    "not support", hint="classify with 'vlmskg reason' instead")
        definitions = _definitions(store)
        writer = _Writer()
        parts = {p for expr in definitions.values() for p in _complex_parts(expr)}
        for part in sorted(parts, key=repr):
            writer.triple(f"<{_aux(part)}>", _TYPE, f"<{_OWL}Class>")
            writer.triple(f"<{_aux(part)}>", _OWL + "equivalentClass", writer.node(part))
        inferred = _classify_tbox(ontology_ntriples + b"\n" + "\n".join(writer.lines).encode())
        if inferred is None:
            raise ReasonerError("HermiT finds the ontology inconsistent",
                                hint="run 'vlmskg reason' to see why")
        store.load(inferred, format=ox.RdfFormat.N_TRIPLES)
        supers = _hierarchy(store)
        declared = {q.subject.value for q in store.quads_for_pattern(
            None, ox.NamedNode(_TYPE), ox.NamedNode(_OWL + "Class"))
            if isinstance(q.subject, ox.NamedNode) and not q.subject.value.startswith(_AUX)}
        properties, subject_types, object_types = _properties(store)
        return cls(supers, declared, definitions, properties, subject_types, object_types)

    def to_json(self) -> dict[str, Any]:
        """Everything the classifier needs, as JSON-ready data (HermiT need not run again)."""
        return {
            "supers": {c: sorted(s) for c, s in sorted(self.supers.items())},
            "declared": sorted(self.declared),
            "definitions": {c: _to_json(e) for c, e in sorted(self.definitions.items())},
            "properties": {p: {"expressions": [list(e) for e in v.expressions],
                               "transitive": v.transitive}
                           for p, v in sorted(self.properties.items())},
            "subject_types": {p: sorted(t) for p, t in sorted(self.subject_types.items())},
            "object_types": {p: sorted(t) for p, t in sorted(self.object_types.items())},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Classifier:
        """The classifier :meth:`to_json` saved."""
        properties = {p: _Property(tuple((e[0], bool(e[1])) for e in v["expressions"]),
                                   bool(v["transitive"])) for p, v in data["properties"].items()}
        return cls(data["supers"], data["declared"],
                   {c: _from_json(e) for c, e in data["definitions"].items()}, properties,
                   data["subject_types"], data["object_types"])

    # --- SPARQL ---------------------------------------------------------------------------------

    def _var(self) -> str:
        self.counter += 1
        return f"?v{self.counter}"

    def _path(self, prop: str) -> str:
        info = self.properties.get(prop, _Property(((prop, False),), False))
        steps = sorted(f"^<{p}>" if inverted else f"<{p}>" for p, inverted in info.expressions)
        path = "|".join(steps)
        return f"({path})+" if info.transitive else f"({path})"

    def _named(self, cls: str, v: str, stack: tuple[str, ...]) -> list[list[str]]:
        """Membership of ``v`` in the named class ``cls``, as alternative lists of patterns:
        typed with a subclass, implied by a domain or range, or (for a class of the
        ontology) a member of a defined subclass its typed route does not already cover."""
        if cls == _THING:
            return [[]]
        subs = {cls} | self.subs.get(cls, set())
        branches = []
        typed = sorted(c for c in subs if not c.startswith(_AUX))
        if typed:
            t = self._var()
            branches.append([f"{v} <{_TYPE}> {t} . VALUES {t} {{ "
                             f"{' '.join(f'<{c}>' for c in typed)} }}"])
        subjects = sorted(p for p, types in self.subject_types.items() if types & subs)
        objects = sorted(p for p, types in self.object_types.items() if types & subs)
        if subjects:
            p, o = self._var(), self._var()
            branches.append([f"{v} {p} {o} . VALUES {p} {{ "
                             f"{' '.join(f'<{x}>' for x in subjects)} }}"])
        if objects:
            p, o = self._var(), self._var()
            branches.append([f"{o} {p} {v} . VALUES {p} {{ "
                             f"{' '.join(f'<{x}>' for x in objects)} }}"])
        inline = [] if cls.startswith(_AUX) else sorted(subs & set(self.definitions))
        for defined in inline:
            if not self._absorbed(defined, subs):
                if defined in stack:
                    raise ReasonerError(f"the definition of {defined} depends on itself",
                                        hint="classify with 'vlmskg reason' (HermiT) instead")
                branches += self._branches(self.definitions[defined], v, (*stack, defined))
        return branches

    def _absorbed(self, defined: str, subs: set[str]) -> bool:
        """True when every member of ``defined`` is already typed with a class of ``subs``
        through a conjunct of its definition (so its definition adds no member)."""
        expr = self.definitions[defined]
        conjuncts = expr[1] if expr[0] == "and" else (expr,)
        return any(c[0] == "named" and c[1] in subs and c[1] not in self.definitions
                   for c in conjuncts)

    def _branches(self, expr: Expr, v: str, stack: tuple[str, ...]) -> list[list[str]]:
        """The individuals in ``v`` that belong to ``expr``, as alternative lists of triple
        patterns (a union of conjunctive queries: oxigraph plans each as one join starting
        from the bound variable, which a nested UNION would not allow)."""
        kind = expr[0]
        if kind == "named":
            return self._named(expr[1], v, stack)
        if kind == "and":
            branches: list[list[str]] = [[]]
            for part in expr[1]:
                branches = [b + more for b in branches for more in self._branches(part, v, stack)]
        elif kind == "or":
            branches = [b for part in expr[1] for b in self._branches(part, v, stack)]
        elif kind == "some":
            path, y = self._path(expr[1]), self._var()
            branches = [[f"{v} {path} {y} ."] + b for b in self._branches(expr[2], y, stack)]
            if self.properties.get(expr[1], _Property((), False)).transitive:
                z = self._var()  # a chain ending in an individual typed ⊑ the restriction
                branches += [[f"{v} {path} {z} ."] + b
                             for b in self._named(_aux(expr), z, stack)]
        else:
            branches = [[f"{v} {self._path(expr[1])} {expr[2]} ."]]
        return branches + self._named(_aux(expr), v, stack)

    def _query(self, cls: str) -> str:
        branches = self._branches(self.definitions[cls], "?x", (cls,))
        union = " UNION ".join(f"{{ {_TUMOURS} {' '.join(b)} }}" for b in branches)
        return f"SELECT DISTINCT ?g ?x WHERE {{ {union} }}"

    # --- classifying ----------------------------------------------------------------------------

    def tumour_types(self, store: ox.Store) -> dict[str, list[tuple[str, str]]]:
        """Case graph → sorted ``(tumour IRI, class IRI)`` for every type entailed for a
        tumour (an object of ``vlms:hasTumour``) and not asserted, as
        :func:`kg.reasoning.hermit.infer_tumour_types` lists them.

        ``store`` holds the case graphs and, for individuals the ontology types, the
        ontology; queries see the union of its graphs.
        """
        graph_of: dict[str, str] = {}
        types: dict[str, set[str]] = {}
        asserted: dict[str, set[str]] = {}
        rows = self._select(store, f"SELECT ?g ?x ?t WHERE {{ {_TUMOURS} "
                                   f"OPTIONAL {{ ?x <{_TYPE}> ?t }} }}")
        for row in rows:
            tumour = row["x"].value
            graph_of[tumour] = row["g"].value
            types.setdefault(tumour, set())
            if isinstance(row["t"], ox.NamedNode):
                asserted.setdefault(tumour, set()).add(row["t"].value)
                types[tumour].add(row["t"].value)
        for side, mapping in (("?x ?p ?o", self.subject_types), ("?s ?p ?x", self.object_types)):
            if not mapping:
                continue
            listed = ", ".join(f"<{p}>" for p in sorted(mapping))
            for row in self._select(store, f"SELECT DISTINCT ?x ?p WHERE {{ {_TUMOURS} "
                                           f"{side} . FILTER (?p IN ({listed})) }}"):
                types[row["x"].value] |= mapping[row["p"].value]
        for cls, query in self.queries.items():
            for row in self._select(store, query):
                types[row["x"].value].add(cls)
        result: dict[str, list[tuple[str, str]]] = {}
        for tumour, found in types.items():
            closed = set().union(*(self.supers.get(t, {t}) for t in found)) if found else set()
            inferred = (closed & self.declared) - asserted.get(tumour, set()) - {_THING}
            result.setdefault(graph_of[tumour], []).extend((tumour, c) for c in inferred)
        return {g: sorted(pairs) for g, pairs in sorted(result.items())}

    @staticmethod
    def _select(store: ox.Store, query: str) -> ox.QuerySolutions:
        return cast(ox.QuerySolutions, store.query(query, use_default_graph_as_union=True))


def _to_json(expr: Expr) -> list:
    if expr[0] in ("and", "or"):
        return [expr[0], [_to_json(p) for p in expr[1]]]
    if expr[0] == "some":
        return ["some", expr[1], _to_json(expr[2])]
    return list(expr)


def _from_json(data: list) -> Expr:
    if data[0] in ("and", "or"):
        return (data[0], tuple(_from_json(p) for p in data[1]))
    if data[0] == "some":
        return ("some", data[1], _from_json(data[2]))
    return tuple(data)


def _definitions(store: ox.Store) -> dict[str, Expr]:
    """Named class → the expression that suffices for membership (equivalence or GCI)."""
    found: dict[str, list[Expr]] = {}
    for q in store.quads_for_pattern(None, ox.NamedNode(_OWL + "equivalentClass"), None):
        for named, other in ((q.subject, q.object), (q.object, q.subject)):
            if isinstance(named, ox.NamedNode) and isinstance(other, ox.BlankNode):
                found.setdefault(named.value, []).append(
                    _expression(store, other, f"the definition of {named.value}"))
    for q in store.quads_for_pattern(None, ox.NamedNode(_RDFS + "subClassOf"), None):
        if isinstance(q.subject, ox.BlankNode) and isinstance(q.object, ox.NamedNode):
            found.setdefault(q.object.value, []).append(
                _expression(store, q.subject, f"a general axiom on {q.object.value}"))
    return {c: exprs[0] if len(exprs) == 1 else ("or", tuple(exprs))
            for c, exprs in found.items()}


def _hierarchy(store: ox.Store) -> dict[str, set[str]]:
    """Named class → all its named superclasses (itself included), from the asserted and
    the HermiT-inferred subclass and equivalence axioms between named classes."""
    edges: dict[str, set[str]] = {}
    for predicate, both in ((_RDFS + "subClassOf", False), (_OWL + "equivalentClass", True)):
        for q in store.quads_for_pattern(None, ox.NamedNode(predicate), None):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
                edges.setdefault(q.subject.value, set()).add(q.object.value)
                if both:
                    edges.setdefault(q.object.value, set()).add(q.subject.value)
    classes = set(edges) | {c for ups in edges.values() for c in ups}
    supers = {}
    for cls in classes:
        seen, todo = {cls}, [cls]
        while todo:
            for up in edges.get(todo.pop(), ()):
                if up not in seen:
                    seen.add(up)
                    todo.append(up)
        supers[cls] = seen
    return supers


def _properties(store: ox.Store) -> tuple[dict[str, _Property], dict[str, set[str]],
                                          dict[str, set[str]]]:
    """Each property's sub-property expressions and transitivity, and the classes that its
    subjects (domains) and objects (ranges) belong to."""
    def named(predicate: str) -> list[tuple[str, str]]:
        return [(q.subject.value, q.object.value)
                for q in store.quads_for_pattern(None, ox.NamedNode(predicate), None)
                if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode)]

    up: dict[tuple[str, bool], set[tuple[str, bool]]] = {}

    def link(a: tuple[str, bool], b: tuple[str, bool]) -> None:
        up.setdefault(a, set()).add(b)
        up.setdefault((a[0], not a[1]), set()).add((b[0], not b[1]))

    for sub, sup in named(_RDFS + "subPropertyOf"):
        link((sub, False), (sup, False))
    for a, b in named(_OWL + "equivalentProperty"):
        link((a, False), (b, False))
        link((b, False), (a, False))
    for a, b in named(_OWL + "inverseOf"):
        link((a, False), (b, True))
        link((b, True), (a, False))
    kinds = {kind: {q.subject.value for q in store.quads_for_pattern(
        None, ox.NamedNode(_TYPE), ox.NamedNode(_OWL + kind))
        if isinstance(q.subject, ox.NamedNode)}
        for kind in ("TransitiveProperty", "SymmetricProperty", "ObjectProperty",
                     "DatatypeProperty")}
    for p in kinds["SymmetricProperty"]:
        link((p, False), (p, True))
    names = kinds["ObjectProperty"] | kinds["DatatypeProperty"] | {p for p, _ in up}

    def closure(start: tuple[str, bool]) -> set[tuple[str, bool]]:
        seen, todo = {start}, [start]
        while todo:
            for nxt in up.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    expressions = [(q, inverted) for q in sorted(names) for inverted in (False, True)]
    closures = {e: closure(e) for e in expressions}
    supers = {p: closures[(p, False)] for p in names}

    def equivalent(a: tuple[str, bool], b: tuple[str, bool]) -> bool:
        return b in closures[a] and a in closures[b]

    properties = {}
    for p in names:
        below = tuple(e for e in expressions if (p, False) in closures[e])
        transitive = any(equivalent((p, False), (q, inverted))
                         for q in kinds["TransitiveProperty"] & names for inverted in (False, True))
        properties[p] = _Property(below, transitive)
    domains: dict[str, set[str]] = {}
    for s, o in named(_RDFS + "domain"):
        domains.setdefault(s, set()).add(o)
    ranges: dict[str, set[str]] = {}
    for s, o in named(_RDFS + "range"):
        ranges.setdefault(s, set()).add(o)
    subject_types: dict[str, set[str]] = {}
    object_types: dict[str, set[str]] = {}
    for p in names:
        for q, inverted in supers[p]:
            subject_types.setdefault(p, set()).update(ranges.get(q, ()) if inverted
                                                      else domains.get(q, ()))
            object_types.setdefault(p, set()).update(domains.get(q, ()) if inverted
                                                     else ranges.get(q, ()))
    return (properties, {p: t for p, t in subject_types.items() if t},
            {p: t for p, t in object_types.items() if t and p not in kinds["DatatypeProperty"]})


def materialize_tumour_types(ontology_ntriples: bytes,
                             case_ntriples: bytes) -> list[tuple[str, str]]:
    """Like :func:`kg.reasoning.hermit.infer_tumour_types`: ``(tumour, class)`` for every type
    entailed and not asserted, with HermiT classifying the ontology only."""
    classifier = Classifier.from_ontology(ontology_ntriples)
    store = ox.Store()
    store.load(ontology_ntriples, format=ox.RdfFormat.N_TRIPLES,
               to_graph=ox.NamedNode("urn:x-vlmskg:ontology"))
    store.load(case_ntriples, format=ox.RdfFormat.N_TRIPLES,
               to_graph=ox.NamedNode("urn:x-vlmskg:case"))
    return sorted(pair for pairs in classifier.tumour_types(store).values() for pair in pairs)

