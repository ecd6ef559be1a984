"""Classify tumours with HermiT (through owlready2) and return their inferred types.

The ontology defines tumour classes (``vlms:InferiorVenaCavaLeiomyosarcoma``, …) that the
data never asserts; HermiT derives them from where each tumour arises and what it
involves. Every call uses a fresh ``owlready2.World``, so calls do not leak state into
each other and one case can be classified at a time.

>>> def ntriples(turtle: str) -> bytes:
...     prefixes = ("@prefix v: <https://w3id.org/vlmskg/vocab/> . "
...                 "@prefix c: <https://w3id.org/vlmskg/case/> . "
...                 "@prefix x: <https://w3id.org/vlmskg/case/x/> . "
...                 "@prefix owl: <http://www.w3.org/2002/07/owl#> . "
...                 "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . ")
...     return ox.serialize(ox.parse(prefixes + turtle, format=ox.RdfFormat.TURTLE),
...                         format=ox.RdfFormat.N_TRIPLES)
>>> tbox = ntriples("v:Tumour a owl:Class ; rdfs:subClassOf v:Growth . v:Growth a owl:Class .")
>>> abox = ntriples("c:x v:hasTumour x:t . x:t a v:Tumour .")
>>> infer_tumour_types(tbox, abox)
[('https://w3id.org/vlmskg/case/x/t', 'https://w3id.org/vlmskg/vocab/Growth')]
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import cast

import owlready2
import pyoxigraph as ox

from kg.errors import ReasonerError
from kg.namespaces import ONTOLOGY_GRAPH, VLMS, case_iri

__all__ = ["JAVA_HINT", "graph_ntriples", "java_available", "infer_tumour_types",
           "infer_case_types", "reason_store"]

JAVA_HINT = "install a Java runtime (apt-get install default-jre-headless)"

_OWL_IMPORTS = "http://www.w3.org/2002/07/owl#imports"
_INPUT_ONTOLOGY = "https://w3id.org/vlmskg/graph/reasoner-input"
_INFERENCES_ONTOLOGY = "http://inferrences/"  # where owlready2 puts HermiT's conclusions

_TYPES_QUERY = f"""
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT DISTINCT ?tumour ?class WHERE {{
  ?case <{VLMS.hasTumour}> ?tumour .
  FILTER(isIRI(?tumour))
  ?tumour rdf:type/(rdfs:subClassOf|owl:equivalentClass|^owl:equivalentClass)* ?class .
  ?class a owl:Class .
  FILTER(isIRI(?class) && ?class != owl:Thing)
  FILTER NOT EXISTS {{ GRAPH <urn:x-vlmskg:asserted> {{ ?tumour rdf:type ?class }} }}
}}
"""


def java_available() -> bool:
    """Whether the Java runtime HermiT needs is on the ``PATH``."""
    return shutil.which(owlready2.JAVA_EXE) is not None


def _without_imports(ntriples: bytes) -> bytes:
    """Drop ``owl:imports`` lines so owlready2 never tries to fetch a module from the web."""
    return b"\n".join(line for line in ntriples.splitlines()
                      if _OWL_IMPORTS.encode() not in line) + b"\n"


def _remove_hermit_input(err: BaseException) -> None:
    """Delete the input file owlready2 leaves behind when HermiT fails; its path is the
    last argument of the failed command, which ``err`` carries as its context."""
    failed = err.__context__
    if isinstance(failed, subprocess.CalledProcessError) and isinstance(failed.cmd, list):
        argument = str(failed.cmd[-1])
        if argument.startswith("file:///"):
            Path(argument.removeprefix("file:///")).unlink(missing_ok=True)


def _run_hermit(ntriples: bytes) -> bytes | None:
    """HermiT's conclusions as N-Triples, or ``None`` when the input is inconsistent."""
    if not java_available():
        raise ReasonerError("HermiT needs Java, and no 'java' command was found", hint=JAVA_HINT)
    world = owlready2.World()
    try:
        onto = world.get_ontology(_INPUT_ONTOLOGY)
        onto.load(fileobj=io.BytesIO(_without_imports(ntriples)), format="ntriples")
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as err:
            _remove_hermit_input(err)
            return None
        except owlready2.OwlReadyJavaError as err:
            _remove_hermit_input(err)
            said = str(err).strip().splitlines()
            raise ReasonerError(f"HermiT failed: {' '.join(said[-3:])[:500]}",
                                hint="check that the ontology is OWL 2 DL (every term declared, "
                                     "no property used both as object and datatype property)"
                                ) from err
        except FileNotFoundError as err:
            raise ReasonerError("HermiT could not start Java", hint=JAVA_HINT) from err
        buffer = io.BytesIO()
        world.get_ontology(_INFERENCES_ONTOLOGY).save(buffer, format="ntriples")
        return buffer.getvalue()
    finally:
        world.close()


def _inferred_types(asserted: bytes, inferred: bytes) -> list[tuple[str, str]]:
    store = ox.Store()
    for name, body in (("asserted", asserted), ("inferred", inferred)):
        store.load(body, format=ox.RdfFormat.N_TRIPLES,
                   to_graph=ox.NamedNode(f"urn:x-vlmskg:{name}"))
    rows = cast(ox.QuerySolutions, store.query(_TYPES_QUERY, use_default_graph_as_union=True))
    return sorted((row["tumour"].value, row["class"].value) for row in rows)


def _classify(asserted: bytes) -> list[tuple[str, str]] | None:
    """Inferred tumour types, or ``None`` when HermiT finds the input inconsistent."""
    inferred = _run_hermit(asserted)
    return None if inferred is None else _inferred_types(asserted, inferred)


def infer_tumour_types(ontology_ntriples: bytes, case_ntriples: bytes) -> list[tuple[str, str]]:
    """``(tumour IRI, class IRI)`` for every type HermiT entails and the data does not assert.

    Tumours are the objects of ``vlms:hasTumour``. The types include every named
    superclass (not ``owl:Thing``). Raises :class:`ReasonerError` when Java is missing,
    when HermiT fails, or when ontology and data are inconsistent.
    """
    return infer_case_types(ontology_ntriples, {"": case_ntriples})


def infer_case_types(ontology_ntriples: bytes,
                     cases: Mapping[str, bytes]) -> list[tuple[str, str]]:
    """Like :func:`infer_tumour_types` over many cases (keyed by case id) in one HermiT run.

    When the whole is inconsistent, each case is checked alone so that the error
    names the cases at fault, or the ontology when it is inconsistent by itself.
    """
    types = _classify(ontology_ntriples + b"\n" + b"\n".join(cases.values()))
    if types is not None:
        return types
    at_fault = [case for case, body in cases.items()
                if case and _classify(ontology_ntriples + b"\n" + body) is None]
    if at_fault:
        where = "case " + ", ".join(at_fault)
    elif _run_hermit(ontology_ntriples) is None:
        where = "the ontology by itself"
    else:
        where = "the case data"
    raise ReasonerError(f"HermiT reports 'Inconsistent ontology': {where} contradicts the ontology",
                        hint="look for an individual typed with two disjoint classes, or a value "
                             "outside a property's range, then run 'vlmskg reason' again")


def graph_ntriples(store: ox.Store, graph: str) -> bytes:
    """The named graph ``graph`` of ``store`` as N-Triples (the reasoners' input)."""
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph)) or b""


def reason_store(store: ox.Store, case_ids: Iterable[str]) -> list[tuple[str, str]]:
    """Classify the tumours of the given case graphs of ``store`` against its ontology graph."""
    return infer_case_types(graph_ntriples(store, str(ONTOLOGY_GRAPH)),
                            {case: graph_ntriples(store, str(case_iri(case)))
                             for case in case_ids})
