"""Fast validation: the SHACL shapes compiled into SPARQL queries run over every case at once.

:func:`compile_shapes` turns each constraint of ``ontology/shapes`` into one SPARQL SELECT
whose rows are the violations (focus node, value, and the variables of a message
template); :func:`validate_store` runs them once over a pyoxigraph store holding the
ontology, the publications and many case graphs, and gives the same
:class:`kg.validation.validate.ValidationResult` rows (and completeness) as pySHACL does case
by case in :mod:`kg.validation.validate`.

The subset of SHACL compiled: targets (``sh:targetClass``, ``sh:targetNode``,
``sh:targetObjectsOf``, ``sh:targetSubjectsOf``, SHACL-AF ``sh:SPARQLTarget``); property
paths (IRI, inverse, sequence, alternative, ``*``/``+``/``?``); ``sh:minCount``,
``sh:maxCount``, ``sh:datatype``, ``sh:nodeKind``, ``sh:class``, ``sh:in``, ``sh:hasValue``,
``sh:min/maxInclusive``, ``sh:min/maxExclusive``, ``sh:min/maxLength``, ``sh:pattern``,
``sh:languageIn``, ``sh:node``, ``sh:and``/``sh:or``/``sh:not``, ``sh:lessThan``,
``sh:lessThanOrEquals``, ``sh:qualifiedValueShape`` with ``sh:qualifiedMin/MaxCount``, and
``sh:sparql`` SELECT constraints with ``$this`` (and ``$PATH``). Any other SHACL term in a
shape raises :class:`kg.errors.InputError` when the shapes are compiled; nothing is skipped.

How the per-case semantics of :mod:`kg.validation.validate` are kept while running once:
pySHACL sees, for one case, that case's graph plus the ontology and the publications. Run over
the union of many case graphs, the queries give the same answer as long as no case graph mentions a
node of another case, or says anything about a node outside its own namespace (an ontology
term, a publication, another case). Such *leaking* case graphs — which break the shapes
anyway — are found first with one query, taken out of the union, and validated alone in a
store of their own (as are the publications, always). Results are attributed to the case
whose namespace holds the focus node (the graph holding it, for a blank node).

>>> from kg.resources import case_files
>>> report = validate_files_fast(case_files())
>>> report.conforms, sorted(report.completeness) == sorted(p.stem for p in case_files())
(True, True)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import pyoxigraph as ox
from rdflib import RDF, SH, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg import resources
from kg.errors import InputError
from kg.namespaces import CASE
from kg.sources.files import Source, parse_source
from kg.store.terms import to_rdflib
from kg.validation.graph import FileGraph, _suggestion
from kg.validation.hints import term_hint
from kg.validation.memo import PublicationMemo
from kg.validation.ownership import ownership_results
from kg.validation.report import ValidationReport, ValidationResult, compact_text
from kg.validation.schema import Schema, load_schema

__all__ = [
    "Check",
    "CompiledShapes",
    "compile_shapes",
    "shapes_for_project",
    "find_leaking_graphs",
    "validate_store",
    "load_units",
    "validate_files_fast",
]

_RDF_TYPE = str(RDF.type)
_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
#: where a compiled query needs the subclasses of a class: filled in per store (see _Run).
_SUBCLASSES = re.compile(r"⟦subclasses of <([^>]*)>⟧")
#: ``rdf:type/rdfs:subClassOf*`` in a shape's own SPARQL: oxigraph plans it badly when the class
#: is a variable (seconds per thousand cases), so it is read as ``rdf:type`` or ``rdf:type``
#: then a step in a helper graph holding the ``rdfs:subClassOf+`` pairs of the store.
_TYPE_STAR = re.compile(
    r"(?:\brdf:type|(?<![\w:?$])a|<http://www\.w3\.org/1999/02/22-rdf-syntax-ns#type>)\s*/\s*"
    r"(?:rdfs:subClassOf|<http://www\.w3\.org/2000/01/rdf-schema#subClassOf>)\*")
_CLOSURE_GRAPH = ox.NamedNode("urn:x-vlmskg:validation:class-closure")
_SUBCLASS_PLUS = ox.NamedNode("urn:x-vlmskg:validation:subClassOfPlus")
_TYPE_OR_SUPER = f"(<{_RDF_TYPE}>|<{_RDF_TYPE}>/<{_SUBCLASS_PLUS.value}>)"
_CLOSURE = f"SELECT ?c ?d WHERE {{ ?c <{_SUBCLASS}>+ ?d }}"
_VOCABULARY_SHAPE = "https://w3id.org/vlmskg/shapes/VocabularyShape"
_SEVERITY: dict[Node, str] = {SH.Violation: "Violation", SH.Warning: "Warning",
                              SH.Info: "Info"}
_NUMERIC = {f"http://www.w3.org/2001/XMLSchema#{t}" for t in (
    "integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong",
    "unsignedShort", "unsignedByte")}
_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
#: SHACL terms that carry no constraint (metadata, or handled where the shape is read).
_METADATA = {SH.name, SH.description, SH.order, SH.group, SH.defaultValue, SH.message,
             SH.severity, SH.deactivated, SH.declare, SH.prefixes}
_TARGETS = {SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf, SH.target}
_VALUE_PARAMETERS = {SH.datatype, SH.nodeKind, SH["class"], SH["in"], SH.hasValue,
                     SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive,
                     SH.minLength, SH.maxLength, SH.pattern, SH.flags, SH.languageIn, SH.node,
                     SH["or"], SH["and"], SH["not"]}
_PROPERTY_PARAMETERS = _VALUE_PARAMETERS | {
    SH.path, SH.minCount, SH.maxCount, SH.qualifiedValueShape, SH.qualifiedMinCount,
    SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint, SH.lessThan, SH.lessThanOrEquals,
    SH.property, SH.sparql}
_NODE_PARAMETERS = _VALUE_PARAMETERS | _TARGETS | {SH.property, SH.sparql}
_NODE_KINDS: dict[Node, str] = {
    SH.IRI: "isIRI({v})", SH.BlankNode: "isBlank({v})", SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "!isLiteral({v})", SH.BlankNodeOrLiteral: "!isIRI({v})",
    SH.IRIOrLiteral: "!isBlank({v})",
}
_COMPARISONS = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">",
                SH.maxExclusive: "<"}
_TEMPLATE = re.compile(r"\{[?$](\w+)\}")


@dataclass(frozen=True)
class Check:
    """One compiled constraint: a SELECT whose rows are the violations.

    Each row binds ``?this`` (the focus node) and, where the constraint reports one,
    ``?value``; a SPARQL constraint may also bind ``?path`` and the variables its message
    names. ``shape`` is the node shape reported as the source.
    """

    shape: str
    severity: str
    message: str
    path: str | None  #: the result path of a property shape, as kg.validation.validate writes it
    query: str
    focus: str = ""  #: the group pattern in ``query`` that binds ?this to the focus nodes
    value_is_focus: bool = False  #: a node-level constraint: the value is the focus node
    sparql: bool = False  #: a SPARQL constraint (message template, ``?path`` and ``?value``)


@dataclass(frozen=True)
class _Recommendation:
    """A recommended (Warning) property check, counted for completeness."""

    shape: str
    path: str | None
    focus: str  #: a group pattern binding ?this to the node shape's focus nodes


@dataclass(frozen=True)
class CompiledShapes:
    """The shapes as queries: every check, and the recommended checks for completeness."""

    checks: tuple[Check, ...]
    recommended: tuple[_Recommendation, ...]
    prefixes: dict[str, str] = field(default_factory=dict)
    #: focus patterns with a SPARQL target (a scan of the store): evaluated once per run
    scanned: frozenset[str] = frozenset()


class _Compiler:
    """Walks the shapes graph and writes the SPARQL of each constraint."""

    def __init__(self, shapes: Graph) -> None:
        self.g = shapes
        self.prefixes: dict[str, str] = {}
        self.scanned: set[str] = set()
        self.counter = 0
        self.where = str(resources.shapes_dir())

    # --- helpers ---------------------------------------------------------------------------

    @staticmethod
    def curie(term: Node) -> str:
        text = str(term)
        return "sh:" + text.removeprefix(str(SH)) if text.startswith(str(SH)) else term.n3()

    def fail(self, shape: Node, what: str) -> InputError:
        return InputError(f"shape {self.name(shape)}: {what}", file=self.where,
                          hint="the fast validator compiles only the SHACL subset listed in "
                               "kg/validation/compiled.py; use another construct, or extend "
                               "the compiler")

    def name(self, shape: Node) -> str:
        if isinstance(shape, URIRef):
            return str(shape)
        for subject, predicate in self.g.subject_predicates(shape):
            return f"[{predicate.n3()}] of {self.name(subject)}"
        return "[]"

    def var(self, stem: str) -> str:
        self.counter += 1
        return f"?{stem}{self.counter}"

    def one(self, shape: Node, predicate: URIRef) -> Node | None:
        values = list(self.g.objects(shape, predicate))
        if len(values) > 1:
            raise self.fail(shape, f"{self.curie(predicate)} is given {len(values)} times")
        return values[0] if values else None

    def items(self, shape: Node, predicate: URIRef) -> list[list[Node]]:
        return [list(Collection(self.g, head)) for head in self.g.objects(shape, predicate)]

    def term(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return f"<{node}>"
        if isinstance(node, Literal):
            return node.n3()
        raise InputError(f"a blank node {node} cannot be a constraint value", file=self.where,
                         hint="use an IRI or a literal")

    def check_terms(self, shape: Node, allowed: set[URIRef]) -> None:
        for predicate in set(self.g.predicates(shape, None)):
            if str(predicate).startswith(str(SH)) and predicate not in allowed | _METADATA:
                raise self.fail(shape, f"{self.curie(predicate)} is not supported by the fast "
                                      "validator")
        disjoint = self.one(shape, SH.qualifiedValueShapesDisjoint)
        if disjoint is not None and not (isinstance(disjoint, Literal)
                                         and disjoint.toPython() is False):
            raise self.fail(shape, "sh:qualifiedValueShapesDisjoint true is not supported")

    def severity(self, shape: Node) -> str:
        value = self.one(shape, SH.severity)
        return _SEVERITY.get(value, "Violation") if value is not None else "Violation"

    def message(self, shape: Node) -> str | None:
        messages = sorted(str(m) for m in self.g.objects(shape, SH.message))
        return messages[0] if messages else None

    def deactivated(self, shape: Node) -> bool:
        value = self.one(shape, SH.deactivated)
        return isinstance(value, Literal) and value.toPython() is True

    def declare_prefixes(self, node: Node) -> None:
        for source in self.g.objects(node, SH.prefixes):
            for declaration in self.g.objects(source, SH.declare):
                prefix = str(self.g.value(declaration, SH.prefix))
                namespace = str(self.g.value(declaration, SH.namespace))
                if self.prefixes.setdefault(prefix, namespace) != namespace:
                    raise self.fail(node, f"prefix {prefix!r} is declared for two namespaces")

    # --- paths -------------------------------------------------------------------------------

    def path(self, node: Node) -> str:
        """The SPARQL property path of a SHACL path."""
        if isinstance(node, URIRef):
            return f"<{node}>"
        if (node, RDF.first, None) in self.g:
            return "(" + "/".join(self.path(p) for p in Collection(self.g, node)) + ")"
        for predicate, template in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                                    (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
            inner = self.one(node, predicate)
            if inner is not None:
                text = self.path(inner)
                return "(" + template.format(text if text.startswith(("<", "(")) else
                                             f"({text})") + ")"
        alternatives = self.items(node, SH.alternativePath)
        if alternatives:
            return "(" + "|".join(self.path(p) for p in alternatives[0]) + ")"
        raise self.fail(node, "this sh:path form is not supported")

    def path_text(self, node: Node) -> str:
        """The result path as :mod:`kg.validation.validate` writes it: an IRI, or ``^`` and
        an IRI."""
        if isinstance(node, URIRef):
            return str(node)
        inverse = self.one(node, SH.inversePath)
        if isinstance(inverse, URIRef):
            return f"^{inverse}"
        return self.path(node)

    # --- conditions on one value ------------------------------------------------------------------

    def value_failure(self, shape: Node, v: str, stack: tuple[Node, ...]) -> str | None:
        """A SPARQL expression true when the term in ``v`` breaks a value-level constraint of
        ``shape`` (``None`` when the shape has none)."""
        fails = []
        for datatype in self.g.objects(shape, SH.datatype):
            fails.append(f"!({self.datatype_ok(str(datatype), v)})")
        for kind in self.g.objects(shape, SH.nodeKind):
            if kind not in _NODE_KINDS:
                raise self.fail(shape, f"unknown sh:nodeKind {kind}")
            fails.append(f"!({_NODE_KINDS[kind].format(v=v)})")
        for cls in self.g.objects(shape, SH["class"]):
            fails.append(f"NOT EXISTS {{ {v} <{_RDF_TYPE}> ?{v[1:]}type . "
                         f"VALUES ?{v[1:]}type {{ ⟦subclasses of {self.term(cls)}⟧ }} }}")
        for members in self.items(shape, SH["in"]):
            fails.append("!(" + " || ".join(f"sameTerm({v}, {self.term(m)})" for m in members)
                         + ")" if members else "true")
        for predicate, operator in _COMPARISONS.items():
            for bound in self.g.objects(shape, predicate):
                fails.append(f"!COALESCE({v} {operator} {self.term(bound)}, false)")
        for predicate, operator in ((SH.minLength, ">="), (SH.maxLength, "<=")):
            for bound in self.g.objects(shape, predicate):
                fails.append(f"(isBlank({v}) || !COALESCE(STRLEN(STR({v})) {operator} "
                             f"{int(str(bound))}, false))")
        for pattern in self.g.objects(shape, SH.pattern):
            flags = self.one(shape, SH.flags)
            extra = f", {Literal(str(flags)).n3()}" if flags is not None else ""
            fails.append(f"(isBlank({v}) || !COALESCE(REGEX(STR({v}), "
                         f"{Literal(str(pattern)).n3()}{extra}), false))")
        for languages in self.items(shape, SH.languageIn):
            tests = " || ".join(f"LANGMATCHES(LANG({v}), {Literal(str(t)).n3()})"
                                for t in languages)
            fails.append(f"!COALESCE({tests or 'false'}, false)")
        for node in self.g.objects(shape, SH.node):
            fails.append(f"!({self.conforms(node, v, stack)})")
        for members in self.items(shape, SH["or"]):
            fails.append("!(" + " || ".join(f"({self.conforms(m, v, stack)})" for m in members)
                         + ")")
        for members in self.items(shape, SH["and"]):
            fails.extend(f"!({self.conforms(m, v, stack)})" for m in members)
        for negated in self.g.objects(shape, SH["not"]):
            fails.append(f"({self.conforms(negated, v, stack)})")
        return " || ".join(f"({f})" for f in fails) if fails else None

    @staticmethod
    def datatype_ok(datatype: str, v: str) -> str:
        test = f"isLiteral({v}) && DATATYPE({v}) = <{datatype}>"
        if datatype in _NUMERIC:
            test += f" && isNumeric({v})"
        elif datatype == _BOOLEAN:
            test += f' && STR({v}) IN ("true", "false")'
        return test

    def conforms(self, shape: Node, v: str, stack: tuple[Node, ...]) -> str:
        """A SPARQL expression true when the term in ``v`` conforms to the shape ``shape``."""
        if shape in stack:
            raise self.fail(shape, "recursive shapes are not supported")
        stack = (*stack, shape)
        self.check_terms(shape, _PROPERTY_PARAMETERS if (shape, SH.path, None) in self.g
                         else _NODE_PARAMETERS - _TARGETS)
        if (shape, SH.sparql, None) in self.g:
            raise self.fail(shape, "sh:sparql inside sh:node, sh:or or a qualified shape is "
                                   "not supported")
        tests = []
        failure = None
        if (shape, SH.path, None) in self.g:
            tests += self.property_tests(shape, v, stack)
        else:
            failure = self.value_failure(shape, v, stack)
            for value in self.g.objects(shape, SH.hasValue):
                tests.append(f"sameTerm({v}, {self.term(value)})")
            for prop in self.g.objects(shape, SH.property):
                if not self.deactivated(prop):
                    tests += self.property_tests(prop, v, stack)
        if failure:
            tests.append(f"!({failure})")
        return " && ".join(f"({t})" for t in tests) if tests else "true"

    def property_tests(self, prop: Node, focus: str, stack: tuple[Node, ...]) -> list[str]:
        """Conditions (each true when met) of the property shape ``prop`` on ``focus``."""
        self.check_terms(prop, _PROPERTY_PARAMETERS)
        path = self.path(self.required_path(prop))
        tests = [f"!({c})" for c in self.count_failures(prop, focus, path, stack)]
        value = self.var("v")
        failure = self.value_failure(prop, value, stack)
        order = self.order_failure(prop, focus, value)
        failure = " || ".join(f"({f})" for f in (failure, order) if f)
        if failure:
            tests.append(f"NOT EXISTS {{ {focus} {path} {value} . FILTER ({failure}) }}")
        for nested in self.g.objects(prop, SH.property):
            tests.append(f"NOT EXISTS {{ {focus} {path} {value}x . "
                         f"FILTER (!({self.conforms(nested, value + 'x', stack)})) }}")
        return tests

    def required_path(self, prop: Node) -> Node:
        path = self.one(prop, SH.path)
        if path is None:
            raise self.fail(prop, "a property shape without sh:path")
        return path

    def count_failures(self, prop: Node, focus: str, path: str,
                       stack: tuple[Node, ...]) -> list[str]:
        """Expressions, each true when a cardinality-like constraint fails on ``focus``."""
        fails = []
        minimum, maximum = self.one(prop, SH.minCount), self.one(prop, SH.maxCount)
        if minimum is not None and int(str(minimum)) > 0:
            fails.append(f"!({self.at_least(focus, path, int(str(minimum)), None)})")
        if maximum is not None:
            fails.append(self.at_least(focus, path, int(str(maximum)) + 1, None))
        for value in self.g.objects(prop, SH.hasValue):
            fails.append(f"NOT EXISTS {{ {focus} {path} {self.term(value)} }}")
        qualified = self.one(prop, SH.qualifiedValueShape)
        if qualified is not None:
            low = self.one(prop, SH.qualifiedMinCount)
            high = self.one(prop, SH.qualifiedMaxCount)
            if low is None and high is None:
                raise self.fail(prop, "sh:qualifiedValueShape without a qualified count")
            if low is not None and int(str(low)) > 0:
                fails.append(f"!({self.at_least(focus, path, int(str(low)), qualified, stack)})")
            if high is not None:
                fails.append(self.at_least(focus, path, int(str(high)) + 1, qualified, stack))
        return fails

    def at_least(self, focus: str, path: str, n: int, qualified: Node | None,
                 stack: tuple[Node, ...] = ()) -> str:
        """EXISTS: ``focus`` has ``n`` distinct values on ``path`` (conforming to
        ``qualified`` when given)."""
        if n > 4:
            raise InputError(f"a count of {n} is not supported by the fast validator",
                             file=self.where, hint="use counts up to 3")
        values = [self.var("n") for _ in range(n)]
        parts = [f"{focus} {path} {v} ." for v in values]
        filters = [f"!sameTerm({a}, {b})" for i, a in enumerate(values) for b in values[i + 1:]]
        if qualified is not None:
            filters += [f"({self.conforms(qualified, v, stack)})" for v in values]
        where = " ".join(parts) + (f" FILTER ({' && '.join(filters)})" if filters else "")
        return f"EXISTS {{ {where} }}"

    def order_failure(self, prop: Node, focus: str, value: str) -> str | None:
        fails = []
        for predicate, operator in ((SH.lessThan, "<"), (SH.lessThanOrEquals, "<=")):
            for other in self.g.objects(prop, predicate):
                bound = self.var("w")
                fails.append(f"EXISTS {{ {focus} {self.path(other)} {bound} . "
                             f"FILTER (!COALESCE({value} {operator} {bound}, false)) }}")
        return " || ".join(fails) if fails else None

    # --- the reported shapes ---------------------------------------------------------------

    def focus(self, shape: Node) -> str | None:
        """A group pattern binding ``?this`` to the focus nodes of ``shape``, or ``None``
        when the shape has no target."""
        patterns = []
        for cls in self.g.objects(shape, SH.targetClass):
            patterns.append(f"?this <{_RDF_TYPE}> ?targetType . "
                            f"VALUES ?targetType {{ ⟦subclasses of {self.term(cls)}⟧ }}")
        for node in self.g.objects(shape, SH.targetNode):
            patterns.append(f"VALUES ?this {{ {self.term(node)} }}")
        for predicate in self.g.objects(shape, SH.targetObjectsOf):
            patterns.append(f"?targetSubject {self.term(predicate)} ?this .")
        for predicate in self.g.objects(shape, SH.targetSubjectsOf):
            patterns.append(f"?this {self.term(predicate)} ?targetObject .")
        for target in self.g.objects(shape, SH.target):
            select = self.one(target, SH.select)
            if (target, RDF.type, SH.SPARQLTarget) not in self.g or select is None:
                raise self.fail(shape, "only sh:SPARQLTarget targets with sh:select are supported")
            self.declare_prefixes(target)
            patterns.append("{ " + _shape_sparql(str(select)) + " }")
        if not patterns:
            return None
        union = " UNION ".join(f"{{ {p} }}" for p in patterns)
        focus = f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}"
        if (shape, SH.target, None) in self.g:
            self.scanned.add(focus)
        return focus

    def node_shape(self, shape: Node) -> Iterator[Check | _Recommendation]:
        focus = self.focus(shape)
        if focus is None or self.deactivated(shape):
            return
        if (shape, RDF.type, SH.PropertyShape) in self.g or (shape, SH.path, None) in self.g:
            raise self.fail(shape, "a targeted property shape is not supported; put it under "
                                   "a node shape with sh:property")
        self.check_terms(shape, _NODE_PARAMETERS)
        name, severity = str(shape), self.severity(shape)
        failure = self.value_failure(shape, "?this", (shape,))
        if (shape, SH.hasValue, None) in self.g:
            raise self.fail(shape, "sh:hasValue on a targeted node shape is not supported")
        if failure:
            message = self.message(shape)
            if message is None:
                raise self.fail(shape, "a node shape with node constraints needs sh:message")
            yield Check(name, severity, message, None,
                        f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER ({failure}) }}",
                        focus, value_is_focus=True)
        for prop in self.g.objects(shape, SH.property):
            if not self.deactivated(prop):
                yield from self.property_shape(shape, prop, focus)
        for constraint in self.g.objects(shape, SH.sparql):
            if not self.deactivated(constraint):
                yield self.sparql(shape, constraint, focus, None, None, severity)

    def property_shape(self, shape: Node, prop: Node,
                       focus: str) -> Iterator[Check | _Recommendation]:
        self.check_terms(prop, _PROPERTY_PARAMETERS)
        path_node = self.required_path(prop)
        path, text = self.path(path_node), self.path_text(path_node)
        severity, message = self.severity(prop), self.message(prop)
        if message is None:
            raise self.fail(prop, "a property shape without sh:message (the fast validator "
                                  "reports the shape's own message)")
        stack = (shape, prop)
        counts = self.count_failures(prop, "?this", path, stack)
        if counts:
            where = " || ".join(f"({c})" for c in counts)
            yield Check(str(shape), severity, message, text,
                        f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER ({where}) }}", focus)
        failure = self.value_failure(prop, "?value", stack)
        order = self.order_failure(prop, "?this", "?value")
        nested = [f"!({self.conforms(n, '?value', stack)})"
                  for n in self.g.objects(prop, SH.property)]
        where = " || ".join(f"({f})" for f in (failure, order, *nested) if f)
        if where:
            yield Check(str(shape), severity, message, text,
                        f"SELECT DISTINCT ?this ?value WHERE {{ {focus} ?this {path} ?value . "
                        f"FILTER ({where}) }}", focus)
        if severity == "Warning":
            yield _Recommendation(str(shape), text, focus)
        for constraint in self.g.objects(prop, SH.sparql):
            if not self.deactivated(constraint):
                yield self.sparql(shape, constraint, focus, path, text, severity)

    def sparql(self, shape: Node, constraint: Node, focus: str, path: str | None,
               path_text: str | None, severity: str) -> Check:
        select = self.one(constraint, SH.select)
        if select is None:
            raise self.fail(constraint, "only sh:select SPARQL constraints are supported")
        text = _shape_sparql(str(select))
        for forbidden in ("$shapesGraph", "$currentShape", "?failure"):
            if forbidden in text:
                raise self.fail(constraint, f"{forbidden} is not supported")
        if "$PATH" in text:
            if path is None:
                raise self.fail(constraint, "$PATH used in a constraint without a path")
            text = text.replace("$PATH", path)
        self.declare_prefixes(constraint)
        message = self.message(constraint) or self.message(shape)
        if message is None:
            raise self.fail(constraint, "a SPARQL constraint without sh:message")
        return Check(str(shape), severity, message, path_text, _inject_focus(text, focus),
                     focus, value_is_focus=path is None, sparql=True)


def _shape_sparql(query: str) -> str:
    """A shape's own query without PREFIX/BASE lines (prefixes are passed to the store
    separately), with ``rdf:type/rdfs:subClassOf*`` read through the class-closure graph."""
    text = re.sub(r"(?im)^\s*(PREFIX\s+[\w-]*:\s*<[^>]*>|BASE\s+<[^>]*>)\s*", "", query)
    return _TYPE_STAR.sub(_TYPE_OR_SUPER, text).strip()


def _inject_focus(select: str, focus: str) -> str:
    """``select`` with ``?this`` projected and bound to the focus nodes at the start of its
    WHERE group, which is how pre-binding ``$this`` behaves for the shapes' queries."""
    match = re.match(r"(?is)\s*SELECT\s+(DISTINCT\s+|REDUCED\s+)?(.*?)\s*(WHERE\s*)?\{", select)
    if match is None:
        raise InputError(f"cannot read the SPARQL constraint: {select[:80]}",
                         file=str(resources.shapes_dir()), hint="write it as SELECT … WHERE { … }")
    projection = match.group(2)
    if projection != "*" and not re.search(r"[?$]this\b", projection):
        projection = "?this " + projection
    return (f"SELECT DISTINCT {projection} WHERE {{ {focus} "
            + select[match.end():])


def compile_shapes(shapes: Graph) -> CompiledShapes:
    """Compile every targeted node shape of ``shapes`` (an rdflib graph).

    Raises :class:`InputError` naming the shape for a SHACL construct the compiler does
    not handle, and for a query the store cannot parse.
    """
    compiler = _Compiler(shapes)
    checks: list[Check] = []
    recommended: list[_Recommendation] = []
    nodes = sorted({s for s in shapes.subjects(RDF.type, SH.NodeShape)}
                   | {s for t in _TARGETS for s in shapes.subjects(t, None)}, key=str)
    for shape in nodes:
        for item in compiler.node_shape(shape):
            if isinstance(item, Check):
                checks.append(item)
            else:
                recommended.append(item)
    empty = ox.Store()
    for check in checks:
        try:
            empty.query(_SUBCLASSES.sub(r"<\1>", check.query), prefixes=compiler.prefixes,
                        use_default_graph_as_union=True)
        except SyntaxError as err:
            raise InputError(f"shape {check.shape}: the compiled query does not parse: {err}",
                             file=compiler.where, hint="check the shape's sh:select") from err
    return CompiledShapes(tuple(checks), tuple(recommended), dict(compiler.prefixes),
                          frozenset(compiler.scanned))


_COMPILED: dict[int, tuple[Schema, CompiledShapes]] = {}


def shapes_for_project() -> tuple[Schema, CompiledShapes]:
    """The project's ontology and shapes (read as :mod:`kg.validation.validate` reads them),
    compiled once per version of the files."""
    schema = load_schema()
    if id(schema) not in _COMPILED:
        _COMPILED.clear()
        _COMPILED[id(schema)] = (schema, compile_shapes(schema.shapes))
    return _COMPILED[id(schema)]


# --- running the checks ------------------------------------------------------------------

_LEAKS = f"""
SELECT DISTINCT ?g WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER (STRSTARTS(STR(?g), "{CASE}"))
  FILTER ((isIRI(?s) && ?s != ?g && !STRSTARTS(STR(?s), CONCAT(STR(?g), "/")))
          || (isIRI(?o) && ?o != ?g && STRSTARTS(STR(?o), "{CASE}")
              && !STRSTARTS(STR(?o), CONCAT(STR(?g), "/"))))
}}"""
_GRAPH_OF_CASE_NODE = (f'IRI(CONCAT("{CASE}", STRBEFORE(CONCAT(STRAFTER(STR(?this), "{CASE}"), '
                       '"/"), "/")))')


def find_leaking_graphs(store: ox.Store) -> set[str]:
    """Case graphs of ``store`` that mention another case's node, or say something about a
    node outside their own namespace."""
    rows = cast(ox.QuerySolutions, store.query(_LEAKS))
    return {row["g"].value for row in rows}


def _case_of(node: ox.NamedNode | ox.BlankNode | ox.Literal, store: ox.Store) -> str | None:
    """The case graph a focus node belongs to when case graphs do not leak."""
    if isinstance(node, ox.NamedNode):
        if not node.value.startswith(str(CASE)):
            return None
        return str(CASE) + node.value.removeprefix(str(CASE)).split("/", 1)[0]
    if isinstance(node, ox.BlankNode):
        for quad in store.quads_for_pattern(node, None, None):
            if isinstance(quad.graph_name, ox.NamedNode):
                return quad.graph_name.value
    return None


def _describe(store: ox.Store, node: ox.NamedNode | ox.BlankNode | ox.Literal,
              graph: ox.NamedNode, seen: frozenset = frozenset()) -> str:
    """A stable name for a node, as :meth:`kg.validation.validate.FileGraph.describe` gives it."""
    if isinstance(node, ox.Literal):
        return str(to_rdflib(node))  # the lexical form pySHACL reports (rdflib normalises it)
    if not isinstance(node, ox.BlankNode):
        return node.value
    incoming = sorted(((q.subject, q.predicate) for q in
                       store.quads_for_pattern(None, None, node, graph)),
                      key=lambda sp: (isinstance(sp[0], ox.BlankNode), str(sp[0]), str(sp[1])))
    for subject, predicate in incoming:
        if isinstance(subject, ox.NamedNode):
            return f"<{subject.value}> <{predicate.value}> []"
        if isinstance(subject, ox.BlankNode) and subject not in seen:
            return f"{_describe(store, subject, graph, seen | {node})} <{predicate.value}> []"
    return "[]"


def _format(message: str, row: ox.QuerySolution, names: Sequence[str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        term = row[name] if name in names else None
        return match.group(0) if term is None else str(to_rdflib(term))

    return _TEMPLATE.sub(replace, message)


class _Run:
    """One evaluation of the checks over a store, for a set of units.

    While it runs, the store holds a helper graph with the ``rdfs:subClassOf+`` pairs of
    its classes; :meth:`close` removes it.
    """

    def __init__(self, store: ox.Store, units: dict[str, Source], schema: Schema,
                 compiled: CompiledShapes, own: dict[str, set] | None = None,
                 workers: int = 1) -> None:
        self.store, self.units, self.schema, self.compiled = store, units, schema, compiled
        self.own = own  #: exact own nodes per graph (single-unit stores), else None
        self.workers = workers
        self.focus_cache: dict[str, str | None] = {}
        pairs = [(row["c"], row["d"]) for row in
                 cast(ox.QuerySolutions, store.query(_CLOSURE, use_default_graph_as_union=True))]
        store.extend(ox.Quad(c, _SUBCLASS_PLUS, d, _CLOSURE_GRAPH) for c, d in pairs)
        self.subclasses: dict[str, set[str]] = {}
        for c, d in pairs:
            if isinstance(c, ox.NamedNode) and isinstance(d, ox.NamedNode):
                self.subclasses.setdefault(d.value, set()).add(c.value)

    def close(self) -> None:
        self.store.remove_graph(_CLOSURE_GRAPH)

    def __enter__(self) -> _Run:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fill(self, query: str) -> str:
        """``query`` with each class's subclasses (and itself) written in."""
        def classes(match: re.Match[str]) -> str:
            cls = match.group(1)
            return " ".join(f"<{c}>" for c in sorted({cls} | self.subclasses.get(cls, set())))

        return _SUBCLASSES.sub(classes, query)

    def select(self, query: str) -> ox.QuerySolutions:
        return cast(ox.QuerySolutions, self.store.query(
            self.fill(query), prefixes=self.compiled.prefixes, use_default_graph_as_union=True))

    def graph_of(self, node: ox.NamedNode | ox.BlankNode | ox.Literal) -> str | None:
        if self.own is not None:
            return next((g for g, nodes in self.own.items() if node in nodes), None)
        graph = _case_of(node, self.store)
        return graph if graph in self.units else None

    def focus_values(self, focus: str) -> str | None:
        """For a focus pattern that scans the store: its nodes of the units being validated
        as a VALUES block (``""`` when there are none); ``None`` when it is left as it is."""
        if focus not in self.compiled.scanned:
            return None
        if focus not in self.focus_cache:
            nodes = [row["this"] for row in self.select(f"SELECT ?this WHERE {{ {focus} }}")]
            if any(not isinstance(n, ox.NamedNode) for n in nodes):
                self.focus_cache[focus] = None
            else:
                own = sorted(n.value for n in nodes if self.graph_of(n) is not None)
                self.focus_cache[focus] = ("VALUES ?this { " + " ".join(f"<{n}>" for n in own)
                                           + " }") if own else ""
        return self.focus_cache[focus]

    def rows(self, query: str, focus: str) -> ox.QuerySolutions | None:
        """The solutions of a check or count query (``None`` when its focus is empty)."""
        values = self.focus_values(focus)
        if values == "":
            return None
        return self.select(query if values is None else query.replace(focus, values))

    def results(self) -> list[ValidationResult]:
        for focus in self.compiled.scanned:
            self.focus_values(focus)

        def run(check: Check) -> list[ValidationResult]:
            solutions = self.rows(check.query, check.focus)
            if solutions is None:
                return []
            names = [v.value for v in solutions.variables]
            rows = list(solutions)
            del solutions  # pyoxigraph solutions must be dropped on the thread that made them
            return [r for r in (self.result(check, row, names) for row in rows) if r]

        with ThreadPoolExecutor(self.workers) as pool:
            return list({r for found in pool.map(run, self.compiled.checks) for r in found})

    def result(self, check: Check, row: ox.QuerySolution,
               names: Sequence[str]) -> ValidationResult | None:
        focus = row["this"]
        graph = self.graph_of(focus) if focus is not None else None
        if graph is None:
            return None
        node = ox.NamedNode(graph)
        value = row["value"] if "value" in names else None
        if value is None and check.value_is_focus:
            value = focus
        path = check.path
        if check.sparql and "path" in names and row["path"] is not None:
            path = row["path"].value
        message = _format(check.message, row, names) if check.sparql else check.message
        message = compact_text(message)
        source = self.units[graph]
        described = None if value is None else _describe(self.store, value, node)
        if check.shape == _VOCABULARY_SHAPE:
            message += _suggestion(self.schema, self.unit(source), path, described)
        elif isinstance(value, ox.Literal):
            message += term_hint(self.schema, check.shape, path, value.value)
        return ValidationResult(
            file=str(source.path), severity=check.severity,
            focus=_describe(self.store, focus, node),
            path=path, message=message, shape=check.shape, value=described, case=source.case_id)

    def unit(self, source: Source) -> FileGraph:
        quads = list(self.store.quads_for_pattern(None, None, None, ox.NamedNode(source.graph)))
        return FileGraph(source, quads)

    def applicable(self) -> dict[str, int]:
        """Graph → how many recommended checks apply to its nodes."""
        counts: dict[str, int] = {}
        for check in self.compiled.recommended:
            if self.own is not None:
                rows = self.rows(f"SELECT DISTINCT ?this WHERE {{ {check.focus} }}", check.focus)
                for row in rows or ():
                    graph = self.graph_of(row["this"])
                    if graph is not None:
                        counts[graph] = counts.get(graph, 0) + 1
                continue
            query = f"""SELECT ?g (COUNT(DISTINCT ?this) AS ?n) WHERE {{
                {{ {check.focus} FILTER (isIRI(?this)) BIND ({_GRAPH_OF_CASE_NODE} AS ?g) }}
                UNION {{ {check.focus} FILTER (isBlank(?this)) GRAPH ?g {{ ?this ?p ?o }} }}
            }} GROUP BY ?g"""
            for row in self.rows(query, check.focus) or ():
                graph = row["g"].value
                if graph in self.units:
                    counts[graph] = counts.get(graph, 0) + int(row["n"].value)
        return counts


def _completeness(compiled: CompiledShapes, applicable: dict[str, int],
                  results: Iterable[ValidationResult],
                  units: dict[str, Source]) -> dict[str, float]:
    missing: dict[str, set[tuple[str, str, str | None]]] = {}
    for r in results:
        if r.severity == "Warning":
            graph = str(CASE[r.case]) if r.case else None
            if graph is not None:
                missing.setdefault(graph, set()).add((r.focus, r.shape, r.path))
    scores = {}
    for graph, source in units.items():
        if source.case_id is None:
            continue
        total = applicable.get(graph, 0)
        gaps = missing.get(graph, set())
        unmet = sum(1 for check in compiled.recommended for (_, shape, path) in gaps
                    if (shape, path) == (check.shape, check.path))
        scores[source.case_id] = round((total - unmet) / total, 3) if total else 1.0
    return scores


def _own_nodes(quads: Sequence[ox.Quad], graph: str) -> set:
    """The nodes a graph describes, as :meth:`kg.validation.graph.FileGraph.nodes` counts
    them."""
    own: set = {ox.NamedNode(graph)}
    for q in quads:
        own.add(q.subject)
        if isinstance(q.object, ox.NamedNode) and q.object.value.startswith(graph + "/"):
            own.add(q.object)
    return own


def _alone(schema: Schema, compiled: CompiledShapes, source: Source, quads: list[ox.Quad],
           context: Sequence[ox.Quad]) -> tuple[list[ValidationResult], dict[str, float]]:
    """Validate one unit in a store of its own: the ontology, ``context`` and its quads."""
    store = ox.Store()
    store.extend(schema.ontology)
    store.extend(context)
    store.extend(quads)
    units = {source.graph: source}
    own = {source.graph: _own_nodes(quads, source.graph)}
    with _Run(store, units, schema, compiled, own) as run:
        results = run.results() + ownership_results(source, quads)
        return results, _completeness(compiled, run.applicable(), results, units)


#: the results of each publication file, for the run of the process
_PUBLICATION_RESULTS = PublicationMemo()


def validate_store(store: ox.Store, cases: Sequence[Source],
                   publications: Sequence[Source] = (), *,
                   shapes: tuple[Schema, CompiledShapes] | None = None,
                   workers: int = 2, check_publications: bool = True) -> ValidationReport:
    """Validate the case (and publication) graphs of ``store`` in one pass.

    ``store`` holds the ontology graph, the publication graphs and the case graphs, and
    nothing else (no shapes, no inferred triples), as the data graph pySHACL sees in
    :mod:`kg.validation.validate`. ``workers`` queries run at the same time (pyoxigraph releases the
    GIL while it evaluates). Leaking case graphs are taken out of ``store`` while the others
    are checked, and put back afterwards. Returns a report with the results (publications
    first, then cases, each sorted as :func:`kg.validation.validate.validate_files` sorts them) and
    each case's completeness. With ``check_publications=False`` the publications serve
    only as the cases' context (validate them once, not with every batch of cases).
    """
    schema, compiled = shapes or shapes_for_project()
    report = ValidationReport(files=[str(s.path) for s in (*cases, *publications)
                                     if check_publications or s.case_id])
    context = [q for p in publications
               for q in store.quads_for_pattern(None, None, None, ox.NamedNode(p.graph))]
    by_graph: dict[str, list[ValidationResult]] = {}
    for pub in publications if check_publications else ():
        quads = [q for q in context if q.graph_name == ox.NamedNode(pub.graph)]
        def alone(pub: Source = pub, quads: list[ox.Quad] = quads) -> list[ValidationResult]:
            return _alone(schema, compiled, pub, quads, [])[0]

        by_graph[pub.graph] = _PUBLICATION_RESULTS.results(schema, pub, alone)
    case_units = {s.graph: s for s in cases}
    leaking = sorted(find_leaking_graphs(store) & set(case_units))
    taken = {g: list(store.quads_for_pattern(None, None, None, ox.NamedNode(g))) for g in leaking}
    try:
        for graph in leaking:
            store.remove_graph(ox.NamedNode(graph))
        rest = {g: s for g, s in case_units.items() if g not in taken}
        with _Run(store, rest, schema, compiled, workers=workers) as run:
            results = run.results()
            report.completeness.update(_completeness(compiled, run.applicable(), results, rest))
        for r in results:
            if r.case:
                by_graph.setdefault(str(CASE[r.case]), []).append(r)
    finally:
        for quads in taken.values():
            store.extend(quads)
    for graph, quads in taken.items():
        results, scores = _alone(schema, compiled, case_units[graph], quads, context)
        by_graph[graph] = results
        report.completeness.update(scores)
    for source in (*publications, *cases):
        report.results.extend(sorted(by_graph.get(source.graph, []), key=ValidationResult.sort_key))
    return report


def load_units(store: ox.Store, sources: Iterable[Source]) -> tuple[list[Source], list[InputError]]:
    """Load each source file into its named graph of ``store`` (a sheet as
    :func:`kg.sources.files.parse_source` compiles it); return the sources loaded and an
    :class:`InputError` (as :func:`kg.sources.files.parse_source` words it) per unreadable
    file."""
    loaded, errors = [], []
    for source in sources:
        if source.path.suffix != ".ttl":  # a sheet: compiled by the reader
            try:
                store.extend(parse_source(source))
                loaded.append(source)
            except InputError as err:
                errors.append(err)
            continue
        try:
            data = source.path.read_bytes()
            if not data.strip():
                raise ValueError("empty")
            data.decode("utf-8")
            store.load(data, format=ox.RdfFormat.TURTLE, base_iri=source.graph + "/",
                       to_graph=ox.NamedNode(source.graph))
            loaded.append(source)
        except (OSError, ValueError, SyntaxError):
            try:
                parse_source(source)
            except InputError as err:
                errors.append(err)
    return loaded, errors


def validate_files_fast(paths: Sequence[Path],
                        publications: Sequence[Path] | None = None) -> ValidationReport:
    """Like :func:`kg.validation.validate.validate_files`, with every case checked in one pass."""
    schema, compiled = shapes_for_project()
    pub_paths = list(resources.publication_files() if publications is None else publications)
    case_paths = list(dict.fromkeys(Path(p) for p in paths))
    store = ox.Store()
    store.extend(schema.ontology)
    pubs, errors = load_units(store, [Source.for_publication(p) for p in pub_paths])
    cases, case_errors = load_units(store, [Source.for_case(p) for p in case_paths])
    report = validate_store(store, cases, pubs, shapes=(schema, compiled))
    report.errors = errors + case_errors
    report.files = [str(p) for p in case_paths + pub_paths]
    return report

