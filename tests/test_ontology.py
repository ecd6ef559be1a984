"""The ontology modules: syntax, documentation of every term, external-term provenance, the
closed vocabulary in kg.vocab, metadata, value sets, and classification by HermiT."""

from __future__ import annotations

import csv
import functools
from fractions import Fraction
from pathlib import Path

import owlready2
import pytest
from rdflib import Graph, Literal, Namespace, URIRef, namespace
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg.namespaces import OBO, ONTOLOGY_IRI
from kg.resources import ontology_dir, ontology_files
from kg.vocab import VLMS

DEFINITION = OBO["IAO_0000115"]
LOCAL = str(VLMS)
DECLARATIONS = {
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
    SKOS.ConceptScheme,
}
# Namespaces of the W3C and DCMI vocabularies the modules are written in: not external terms.
STANDARD = (str(RDF), str(RDFS), str(OWL), str(namespace.XSD), str(SKOS), str(DCTERMS))
MODULES = {
    "vlms",
    "external",
    "anatomy",
    "tumour",
    "procedure",
    "presentation",
    "outcome",
    "time",
    "provenance",
    "valuesets",
}
VALUE_SETS = [
    "SexValues",
    "LateralityValues",
    "PresenceValues",
    "MarkerValues",
    "MarkerResultValues",
    "MarginStatusValues",
    "IntentValues",
    "GradeValues",
    "GrowthPatternValues",
    "ComparatorValues",
    "TemporalRelationValues",
    "PrecisionValues",
    "TimeUnitValues",
    "VitalStatusValues",
    "DiseaseStatusValues",
    "DiagnosisStatusValues",
    "ProcedureResultValues",
    "RouteValues",
    "GraftMaterialValues",
    "DecisionTimingValues",
    "ManagementValues",
    "FrequencyQualifierValues",
    "FindingConcepts",
    "DrugValues",
]
# (unit, days per unit, months per unit): a year is 365.25 days, a month a twelfth of it.
UNITS = [
    (VLMS.Hour, Fraction(1, 24), Fraction(12, 24) / Fraction("365.25")),
    (OBO["UO_0000033"], Fraction(1), 12 / Fraction("365.25")),
    (OBO["UO_0000034"], Fraction(7), 7 * 12 / Fraction("365.25")),
    (OBO["UO_0000035"], Fraction("365.25") / 12, Fraction(1)),
    (OBO["UO_0000036"], Fraction("365.25"), Fraction(12)),
]


@functools.cache
def ontology() -> Graph:
    """All ontology modules in one graph (parsed once per test session)."""
    graph = Graph()
    for path in ontology_files():
        graph.parse(path, format="turtle")
    return graph


@functools.cache
def local_terms() -> tuple[URIRef, ...]:
    graph = ontology()
    declared = {
        s
        for s, kind in graph.subject_objects(RDF.type)
        if kind in DECLARATIONS and isinstance(s, URIRef) and str(s).startswith(LOCAL)
    }
    return tuple(sorted(declared))


@functools.cache
def external_iris() -> tuple[URIRef, ...]:
    """Every IRI the modules use that is neither local, a W3C/DCMI term, nor an ontology IRI."""
    graph = ontology()
    pointers = {RDFS.isDefinedBy, DCTERMS.license, OWL.versionIRI}
    found: set[URIRef] = set()
    for s, p, o in graph:
        terms = (s, p) if p in pointers else (s, p, o)
        found.update(t for t in terms if isinstance(t, URIRef))
    return tuple(
        sorted(
            t
            for t in found
            if not str(t).startswith("https://w3id.org/vlmskg/") and not str(t).startswith(STANDARD)
        )
    )


# CURIE prefixes of external-terms.tsv that are not OBO library ontologies.
NON_OBO_PREFIXES = {
    "hgnc": "https://identifiers.org/hgnc:",
    "bibo": "http://purl.org/ontology/bibo/",
    "fabio": "http://purl.org/spar/fabio/",
    "prism": "http://prismstandard.org/namespaces/basic/2.0/",
}


@functools.cache
def external_table() -> dict[str, dict[str, str]]:
    with (ontology_dir() / "external-terms.tsv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return {row["iri"]: row for row in rows}


def _short(term: URIRef) -> str:
    return str(term).rsplit("/", 1)[-1]


# --- syntax and layout ------------------------------------------------------------------------


def test_ontology_has_one_module_per_concern():
    assert {p.stem for p in ontology_files()} == MODULES


@pytest.mark.parametrize("path", ontology_files(), ids=lambda p: p.name)
def test_module_parses(path: Path):
    graph = Graph().parse(path, format="turtle")
    assert len(graph) > 0


# --- metadata ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("predicate", "expected"),
    [
        (RDF.type, OWL.Ontology),
        (OWL.versionIRI, URIRef("https://w3id.org/vlmskg/ontology/0.1.0")),
        (DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")),
        (DCTERMS.creator, Literal("vlms-kg founders")),
    ],
    ids=lambda v: _short(v) if isinstance(v, URIRef) else str(v),
)
def test_ontology_metadata_value(predicate, expected):
    assert (ONTOLOGY_IRI, predicate, expected) in ontology()


@pytest.mark.parametrize("predicate", [DCTERMS.title, DCTERMS.description], ids=_short)
def test_ontology_metadata_text(predicate):
    texts = [o for o in ontology().objects(ONTOLOGY_IRI, predicate) if isinstance(o, Literal)]
    assert len(texts) == 1 and texts[0].language == "en" and len(texts[0]) > 20


# --- every local term documented -----------------------------------------------------------


@pytest.mark.parametrize("term", local_terms(), ids=_short)
def test_local_term_has_one_english_label(term):
    labels = [o for o in ontology().objects(term, RDFS.label) if isinstance(o, Literal)]
    assert len(labels) == 1, f"{term} needs exactly one rdfs:label, has {labels}"
    assert labels[0].language == "en", f"{term}: label {labels[0]!r} must be tagged @en"


@pytest.mark.parametrize("term", local_terms(), ids=_short)
def test_local_term_has_one_english_definition(term):
    definitions = [o for o in ontology().objects(term, DEFINITION) if isinstance(o, Literal)]
    assert len(definitions) == 1, f"{term} needs exactly one obo:IAO_0000115 definition"
    assert definitions[0].language == "en" and len(definitions[0]) >= 20


@pytest.mark.parametrize("term", local_terms(), ids=_short)
def test_local_term_says_why_it_is_local(term):
    comments = list(ontology().objects(term, RDFS.comment))
    assert comments, f"{term} needs an rdfs:comment saying why no external term is used"


def test_every_local_iri_used_is_declared():
    graph = ontology()
    declared = set(local_terms())
    used = {
        t for triple in graph for t in triple if isinstance(t, URIRef) and str(t).startswith(LOCAL)
    }
    assert sorted(used - declared) == []


# --- kg.vocab --------------------------------------------------------------------------------


def test_vocab_lists_exactly_the_declared_local_terms():
    in_vocab = set(dir(VLMS))
    declared = set(local_terms())
    assert sorted(map(_short, declared - in_vocab)) == [], "add these to kg/vocab.py"
    assert sorted(map(_short, in_vocab - declared)) == [], "declare or remove these"


def test_vocab_rejects_a_misspelt_term():
    with pytest.raises(AttributeError):
        VLMS.InferiorVenaCavaLeiomyosarcomma  # noqa: B018


# --- external terms --------------------------------------------------------------------------


@pytest.mark.parametrize("iri", external_iris(), ids=_short)
def test_external_iri_is_listed_in_external_terms(iri):
    assert str(iri) in external_table(), f"{iri} is not in ontology/external-terms.tsv"


@pytest.mark.parametrize("iri", external_iris(), ids=_short)
def test_external_term_is_declared_with_label_and_source(iri):
    graph = ontology()
    assert list(graph.objects(iri, RDF.type)), f"{iri} is used but not declared"
    assert list(graph.objects(iri, RDFS.label)), f"{iri} has no rdfs:label"
    assert list(graph.objects(iri, RDFS.isDefinedBy)), f"{iri} has no rdfs:isDefinedBy"


@pytest.mark.parametrize("iri", sorted(external_table()), ids=lambda i: i.rsplit("/", 1)[-1])
def test_external_terms_row_is_used_and_consistent(iri):
    row = external_table()[iri]
    prefix, _, local = row["curie"].partition(":")
    expected = (
        f"{NON_OBO_PREFIXES[prefix]}{local}"
        if prefix in NON_OBO_PREFIXES
        else f"http://purl.obolibrary.org/obo/{prefix}_{local}"
    )
    assert iri == expected, f"curie {row['curie']} does not match iri {iri}"
    assert row["label"] and row["source"] and row["evidence"]
    assert "VERIFIED" in row["evidence"] or "search tool" in row["evidence"]
    assert URIRef(iri) in external_iris(), f"{iri} is listed but the ontology never uses it"
    labels = {str(o) for o in ontology().objects(URIRef(iri), RDFS.label)}
    assert row["label"] in labels, f"label {row['label']!r} differs from the ontology's {labels}"


# --- value sets ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", VALUE_SETS)
def test_value_set_is_a_scheme_with_members(name):
    graph = ontology()
    scheme = VLMS[name]
    assert (scheme, RDF.type, SKOS.ConceptScheme) in graph
    assert list(graph.subjects(SKOS.inScheme, scheme)), f"{name} has no member"


@functools.cache
def value_members() -> tuple[URIRef, ...]:
    """Local named individuals other than the value sets themselves: the value-set members."""
    graph = ontology()
    schemes = set(graph.subjects(RDF.type, SKOS.ConceptScheme))
    return tuple(
        t for t in local_terms() if (t, RDF.type, OWL.NamedIndividual) in graph and t not in schemes
    )


@pytest.mark.parametrize("term", value_members(), ids=_short)
def test_local_value_is_typed_and_in_a_scheme(term):
    graph = ontology()
    local_classes = [c for c in graph.objects(term, RDF.type) if str(c).startswith(LOCAL)]
    assert local_classes, f"{term} must be typed with its local value class"
    assert list(graph.objects(term, SKOS.inScheme)), f"{term} needs skos:inScheme"


@pytest.mark.parametrize(
    ("unit", "days", "months"), UNITS, ids=["hour", "day", "week", "month", "year"]
)
def test_time_unit_conversion_factors(unit, days, months):
    graph = ontology()
    assert (unit, SKOS.inScheme, VLMS.TimeUnitValues) in graph
    (days_value,) = graph.objects(unit, VLMS.daysPerUnit)
    (months_value,) = graph.objects(unit, VLMS.monthsPerUnit)
    assert float(days_value.toPython()) == pytest.approx(float(days), rel=1e-8)
    assert float(months_value.toPython()) == pytest.approx(float(months), rel=1e-8)


def test_part_of_is_transitive_with_inverse_has_part():
    graph = ontology()
    assert (OBO["BFO_0000050"], RDF.type, OWL.TransitiveProperty) in graph
    assert (OBO["BFO_0000050"], OWL.inverseOf, OBO["BFO_0000051"]) in graph


def _below_within(graph: Graph, link: URIRef, top: URIRef, steps: int) -> set[URIRef]:
    """The terms 1 to ``steps`` ``link`` steps (rdfs:subClassOf, rdfs:subPropertyOf) below
    ``top``."""
    level, found = {top}, set()
    for _ in range(steps):
        level = {narrow for broad in level for narrow in graph.subjects(link, broad)}
        found |= level
    return found


def test_sub_properties_of_involves_lie_within_two_steps():
    """queries/cases-involving-structure.rq follows rdfs:subPropertyOf two steps down from
    vlms:involves (Virtuoso 7.2 answers the path with '*' wrongly there)."""
    graph = ontology()
    below = set(graph.transitive_subjects(RDFS.subPropertyOf, VLMS.involves)) - {VLMS.involves}
    assert below == _below_within(graph, RDFS.subPropertyOf, VLMS.involves, 2)
    assert {VLMS.arisesFrom, VLMS.extendsInto} <= below


@pytest.mark.parametrize("root", [OBO["UBERON_0001981"], OBO["UBERON_0001072"],
                                  VLMS.IVCUpperSegment, VLMS.IVCMiddleSegment,
                                  VLMS.IVCLowerSegment])
def test_classes_below_the_cohort_roots_lie_within_four_steps(root: URIRef) -> None:
    """queries/cohort.rq follows rdfs:subClassOf at most four steps down from blood vessel,
    the IVC and its segments, and between two blood-vessel classes (Virtuoso 7.2 answers
    rdfs:subClassOf* wrongly there)."""
    graph = ontology()
    below = set(graph.transitive_subjects(RDFS.subClassOf, root)) - {root}
    assert below == _below_within(graph, RDFS.subClassOf, root, 4)
    for broad in below:
        assert set(graph.transitive_subjects(RDFS.subClassOf, broad)) - {broad} \
            == _below_within(graph, RDFS.subClassOf, broad, 4)
    if root == OBO["UBERON_0001981"]:
        assert {OBO["UBERON_0001072"], VLMS.CommonFemoralVein} <= below


@pytest.mark.parametrize(
    ("narrow", "broad"),
    [
        ("UBERON_0001072", "UBERON_0004087"),  # inferior vena cava ⊑ vena cava
        ("UBERON_0004087", "UBERON_0001638"),  # vena cava ⊑ vein
        ("UBERON_0001638", "UBERON_0001981"),  # vein ⊑ blood vessel
        ("UBERON_0001637", "UBERON_0001981"),  # artery ⊑ blood vessel
        ("UBERON_0001363", "UBERON_0007318"),  # great saphenous vein ⊑ saphenous vein
        ("UBERON_0001142", "UBERON_0001140"),  # left renal vein ⊑ renal vein
    ],
)
def test_external_anatomy_hierarchy(narrow, broad):
    assert (OBO[narrow], RDFS.subClassOf, OBO[broad]) in ontology()


# --- HermiT ----------------------------------------------------------------------------------

CASE = Namespace("https://w3id.org/vlmskg/case/test-c1/")


def _abox() -> Graph:
    """A patient with an IVC leiomyosarcoma arising from the wall of the middle segment and a
    second, femoral-vein tumour, plus a negative finding."""
    graph = Graph()
    part_of = OBO["BFO_0000050"]
    lms = OBO["NCIT_C3158"]

    def individual(node, *classes):
        graph.add((node, RDF.type, OWL.NamedIndividual))
        for cls in classes:
            graph.add((node, RDF.type, cls))

    individual(CASE.ivc, OBO["UBERON_0001072"])
    individual(CASE.ivcMiddle, VLMS.IVCMiddleSegment)
    graph.add((CASE.ivcMiddle, part_of, CASE.ivc))
    individual(CASE.ivcWall, OBO["UBERON_0035965"])
    graph.add((CASE.ivcWall, part_of, CASE.ivcMiddle))
    individual(CASE.ivcTumour, lms)
    graph.add((CASE.ivcTumour, VLMS.arisesFrom, CASE.ivcWall))

    individual(CASE.femoralVein, VLMS.CommonFemoralVein)
    graph.add((CASE.femoralVein, VLMS.laterality, VLMS.Left))
    individual(CASE.femoralWall, OBO["UBERON_0035965"])
    graph.add((CASE.femoralWall, part_of, CASE.femoralVein))
    individual(CASE.femoralTumour, lms)
    graph.add((CASE.femoralTumour, VLMS.arisesFrom, CASE.femoralWall))
    graph.add((CASE.femoralTumour, VLMS.growthPattern, VLMS.IntraluminalGrowth))

    individual(CASE.noPain, VLMS.Finding)
    graph.add((CASE.noPain, VLMS.concept, OBO["HP_0002027"]))
    graph.add((CASE.noPain, VLMS.presence, VLMS.Absent))
    return graph


def _reason(graph: Graph, folder: Path) -> owlready2.World:
    """Run HermiT over the ontology plus ``graph``; the world then holds the inferences."""
    merged = Graph()
    for path in ontology_files():
        merged.parse(path, format="turtle")
    merged += graph
    target = folder / "merged.nt"
    merged.serialize(target, format="nt", encoding="utf-8")
    world = owlready2.World()
    world.get_ontology(target.resolve().as_uri()).load()
    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    return world


def _inferred_types(world: owlready2.World, node: URIRef) -> set[URIRef]:
    entity = world.search_one(iri=str(node))
    assert entity is not None, f"{node} not loaded"
    return {URIRef(c.iri) for c in entity.INDIRECT_is_a if hasattr(c, "iri")}


@pytest.fixture(scope="module")
def classified(tmp_path_factory) -> owlready2.World:
    return _reason(_abox(), tmp_path_factory.mktemp("hermit"))


@pytest.mark.java
@pytest.mark.slow
def test_hermit_finds_the_ontology_consistent(tmp_path):
    world = _reason(Graph(), tmp_path)
    assert world.search_one(iri=str(VLMS.InferiorVenaCavaLeiomyosarcoma)) is not None


@pytest.mark.java
@pytest.mark.slow
@pytest.mark.parametrize(
    "cls",
    [
        VLMS.InferiorVenaCavaLeiomyosarcoma,
        VLMS.VenousLeiomyosarcoma,
        VLMS.VascularLeiomyosarcoma,
        VLMS.MiddleSegmentIVCLeiomyosarcoma,
        OBO["NCIT_C5372"],
    ],
    ids=_short,
)
def test_hermit_classifies_ivc_wall_tumour(classified, cls):
    assert cls in _inferred_types(classified, CASE.ivcTumour)


@pytest.mark.java
@pytest.mark.slow
@pytest.mark.parametrize(
    "cls",
    [
        VLMS.ArterialLeiomyosarcoma,
        VLMS.UpperSegmentIVCLeiomyosarcoma,
        VLMS.LowerSegmentIVCLeiomyosarcoma,
        VLMS.FemoralVeinLeiomyosarcoma,
    ],
    ids=_short,
)
def test_hermit_does_not_overclassify_ivc_wall_tumour(classified, cls):
    assert cls not in _inferred_types(classified, CASE.ivcTumour)


@pytest.mark.java
@pytest.mark.slow
def test_hermit_classifies_femoral_vein_tumour(classified):
    types = _inferred_types(classified, CASE.femoralTumour)
    assert VLMS.FemoralVeinLeiomyosarcoma in types
    assert VLMS.IntraluminalLeiomyosarcoma in types
    assert VLMS.InferiorVenaCavaLeiomyosarcoma not in types
    assert VLMS.MiddleSegmentIVCLeiomyosarcoma not in types


@pytest.mark.java
@pytest.mark.slow
def test_hermit_infers_negative_finding(classified):
    assert VLMS.NegativeFinding in _inferred_types(classified, CASE.noPain)


@pytest.mark.java
@pytest.mark.slow
def test_hermit_rejects_a_finding_both_present_and_absent(tmp_path):
    graph = _abox()
    graph.add((CASE.noPain, VLMS.presence, VLMS.Present))
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        _reason(graph, tmp_path)
