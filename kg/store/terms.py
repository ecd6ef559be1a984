"""RDF terms across the backends: pyoxigraph ⇄ rdflib, SPARQL JSON results, SPARQL text.

Every conversion between term models lives here, so both stores return the same rdflib
terms for the same data.

>>> import pyoxigraph as ox
>>> to_rdflib(ox.Literal("72", datatype=ox.NamedNode(_XSD + "integer")))
rdflib.term.Literal('72', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
>>> to_oxigraph(Literal("left", lang="en"))
<Literal value=left language=en>
>>> from_sparql_json({"type": "literal", "value": "male"})
rdflib.term.Literal('male')
>>> print(sparql_term(Literal('say "hi"\\n')))
"say \\"hi\\"\\n"
>>> to_python(ox.Literal("4.0", datatype=ox.NamedNode(_XSD + "decimal")))
Decimal('4.0')
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.errors import ParameterError

__all__ = ["to_rdflib", "to_oxigraph", "to_python", "literal_value", "from_sparql_json",
           "sparql_term", "check_iri"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = _XSD + "string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
# Characters the SPARQL IRIREF production excludes, plus a required scheme.
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_IRI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_LANGUAGE_TAG = re.compile(r"[A-Za-z]+(-[A-Za-z0-9]+)*")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}
_INTEGERS = frozenset(_XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort",
    "unsignedByte"))
_FLOATS = frozenset((_XSD + "double", _XSD + "float"))


def _literal(lexical: str, language: str | None, datatype: str | None) -> Literal:
    """The rdflib literal for a lexical form; ``xsd:string`` becomes a plain literal."""
    if language:
        return Literal(lexical, lang=language)
    if datatype in (None, _XSD_STRING, _RDF_LANG_STRING):
        return Literal(lexical)
    return Literal(lexical, datatype=URIRef(datatype))


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    """The rdflib term for a pyoxigraph term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        return _literal(term.value, term.language, term.datatype.value)
    raise TypeError(f"unsupported RDF term: {term!r}")


def literal_value(lexical: str, datatype: str | None) -> Any:
    """The Python value of a literal: ``int`` for ``xsd:integer`` and its subtypes,
    ``Decimal`` for ``xsd:decimal``, ``float`` for ``xsd:double``/``xsd:float``, ``bool``
    for ``xsd:boolean``, else the lexical form (also when it is not a valid value).

    >>> literal_value("72", _XSD + "positiveInteger"), literal_value("seventy", _XSD + "integer")
    (72, 'seventy')
    """
    try:
        if datatype in _INTEGERS:
            return int(lexical)
        if datatype == _XSD + "decimal":
            return Decimal(lexical)
        if datatype in _FLOATS:
            return float(lexical)
    except (ValueError, InvalidOperation):
        return lexical
    if datatype == _XSD + "boolean":
        return lexical in ("true", "1")
    return lexical


def to_python(term: Node | ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Any:
    """An rdflib or pyoxigraph term as a Python value: IRIs as ``str``, blank nodes as
    ``"_:<id>"``, literals by :func:`literal_value`, ``None`` for an unbound variable."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal):
        return literal_value(term.value, term.datatype.value)
    if isinstance(term, ox.BlankNode | BNode):
        return f"_:{term if isinstance(term, BNode) else term.value}"
    if isinstance(term, Literal):
        return literal_value(str(term), None if term.datatype is None else str(term.datatype))
    return str(term)


def to_oxigraph(node: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term for an rdflib term; :class:`ParameterError` if it is not valid RDF."""
    try:
        if isinstance(node, URIRef):
            return ox.NamedNode(str(node))
        if isinstance(node, BNode):
            return ox.BlankNode(str(node))
        if isinstance(node, Literal):
            if node.language:
                return ox.Literal(str(node), language=node.language)
            if node.datatype is not None:
                return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
            return ox.Literal(str(node))
    except ValueError as err:
        raise ParameterError(f"not a valid RDF term: {node!r} ({err})",
                             hint="give an absolute IRI or a well-formed literal") from err
    raise ParameterError(f"not an RDF term: {node!r}", hint="give an IRI or a literal")


def from_sparql_json(value: Mapping[str, str]) -> Node:
    """The rdflib term for one binding of SPARQL 1.1 JSON results, written as the embedded
    store writes it: an integer of any integer type as ``xsd:integer`` (Oxigraph keeps only
    that type; Virtuoso answers ``COUNT`` with ``xsd:int``), a boolean as ``true``/``false``
    (Virtuoso answers ``1``/``0``).

    >>> from_sparql_json({"type": "typed-literal", "value": "1", "datatype": _XSD + "boolean"})
    rdflib.term.Literal('true', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#boolean'))
    >>> from_sparql_json({"type": "literal", "value": "7", "datatype": _XSD + "int"}).datatype
    rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer')
    """
    kind = value.get("type")
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    if kind in ("literal", "typed-literal"):
        lexical, datatype = value["value"], value.get("datatype")
        if datatype == _XSD + "boolean" and lexical in ("1", "0"):
            lexical = "true" if lexical == "1" else "false"
        elif datatype in _INTEGERS and re.fullmatch(r"[+-]?[0-9]+", lexical):
            lexical, datatype = str(int(lexical)), _XSD + "integer"
        return _literal(lexical, value.get("xml:lang"), datatype)
    raise ValueError(f"unsupported term in SPARQL JSON results: {dict(value)!r}")


def check_iri(iri: str) -> str:
    """``iri`` if it is absolute and free of characters illegal in an IRI, else
    :class:`ParameterError`.

    >>> check_iri("https://w3id.org/vlmskg/case/x")
    'https://w3id.org/vlmskg/case/x'
    >>> check_iri("http://x/> } ; DROP ALL ; <")
    Traceback (most recent call last):
    ...
    kg.errors.ParameterError: IRI 'http://x/> } ; DROP ALL ; <' contains ...
    """
    bad = _IRI_FORBIDDEN.search(iri)
    if bad:
        raise ParameterError(f"IRI {iri!r} contains {bad.group()!r}, not allowed in an IRI",
                             hint="percent-encode the character or give another IRI")
    if not _IRI_SCHEME.match(iri):
        raise ParameterError(f"IRI {iri!r} is not absolute",
                             hint="give a full IRI such as https://w3id.org/vlmskg/case/<id>")
    return iri


def sparql_term(node: Node) -> str:
    """``node`` written as SPARQL text, safe to put in a query.

    IRIs are checked (:func:`check_iri`); literal text is escaped per the SPARQL grammar;
    blank nodes cannot be bound (SPARQL has no syntax for an existing blank node).
    """
    if isinstance(node, URIRef):
        return f"<{check_iri(str(node))}>"
    if isinstance(node, Literal):
        text = '"' + re.sub(r'[\\"\n\r]', lambda m: _ESCAPES[m.group()], str(node)) + '"'
        if node.language:
            if not _LANGUAGE_TAG.fullmatch(node.language):
                raise ParameterError(f"bad language tag {node.language!r}",
                                     hint="give a BCP 47 tag such as en")
            return f"{text}@{node.language}"
        if node.datatype is not None:
            return f"{text}^^<{check_iri(str(node.datatype))}>"
        return text
    if isinstance(node, BNode):
        raise ParameterError(f"a blank node ({node.n3()}) cannot be bound",
                             hint="bind an IRI or a literal")
    raise ParameterError(f"not an RDF term: {node!r}", hint="bind an IRI or a literal")
