"""Synthetic cohorts: case files that pass the shapes, for load and performance tests.

A cohort is ``N`` case files plus one publication file that stands for the made-up
source; every case is typed ``vlms:SyntheticCase`` and ``vlms:reportedIn`` that
publication, ``https://w3id.org/vlmskg/publication/synthetic-cohort-<seed>``. Each case
follows the structure of the curated cases (patient, the patient's own anatomy, the
tumour with sizes, pathology, immunohistochemistry, work-up, the operation with its
vessel-management step, pathology, discharge, adjuvant therapy or its stated absence,
metastasis, last follow-up), with relative time only.

How values are drawn (modelling choices for test data, not findings about the disease):

* **Vessel of origin** — the ranks of a ``vlms:FrequencyRankingStatement`` read from the
  publications at run time (the statement with the most ranked sites); the site of rank
  ``r`` has weight ``r ** -ZIPF_EXPONENT`` (Zipf-like, exponent 1.5: with six ranks the
  first takes about 55 % of the cases, the last about 4 %).
* **IVC extent** — one to three contiguous segments, the middle segment most often.
* **Patient** — age normal(55, 12) rounded and clipped to 18–90; 65 % women.
* **Tumour** — largest dimension log-normal around 7 cm (clipped 1–30 cm); grade (or none
  given), growth pattern, a mitotic count in half the cases, immunohistochemistry in 60 %.
* **Procedures** — contrast CT always, MRI and biopsy sometimes; resection with an R0/R1/R2
  margin (70/22/8 %); one vessel-management step (ligation, graft, patch, or primary repair
  of a vein); adjuvant radiotherapy or chemotherapy, or an explicit absence of adjuvant
  therapy (50 %).
* **Outcome** — discharge 4–30 days after the operation; metastasis in 40 % (lung 70 %,
  else liver, sometimes both) found before the last follow-up; follow-up log-normal around
  24 months (clipped 3–180); vital status dead in 45 % of cases with metastasis, 8 %
  otherwise; local recurrence in 15 %.

Every case ``k`` is drawn from its own ``random.Random`` seeded by ``(seed, k)``, so the
same seed always gives byte-identical files and a case can be drawn alone.

>>> sites = ranked_sites()
>>> [(s.rank, s.curie) for s in sites][:2]
[(1, 'obo:UBERON_0001072'), (2, 'obo:UBERON_0007318')]
>>> round(site_weights(sites)[0], 2)
0.55
>>> case_id, text = render_case(7, 1, sites)
>>> case_id
'synthetic-cohort-7-c1'
>>> render_case(7, 1, sites) == (case_id, text)
True
>>> "a vlms:Case , vlms:SyntheticCase" in text
True
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pyoxigraph as ox

from kg import resources
from kg.errors import InputError, KGError
from kg.namespaces import CASE, OBO, PUBLICATION, VLMS
from kg.progress import track
from kg.sources.files import Source, load_sources

__all__ = [
    "ZIPF_EXPONENT",
    "MANIFEST",
    "VesselSite",
    "Cohort",
    "cohort_id",
    "ranked_sites",
    "site_weights",
    "render_case",
    "render_publication",
    "write_cohort",
    "Hazard",
]

#: exponent of the Zipf-like weights of the ranked vessels (weight of rank r: r ** -1.5).
ZIPF_EXPONENT = 1.5
#: the manifest written into a cohort folder (seed, number of cases); marks it as synthetic.
MANIFEST = "synth.json"

_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
_BLOOD_VESSEL = "UBERON_0001981"
_VEIN = "UBERON_0001638"
_IVC = OBO["UBERON_0001072"]
#: vessels of the lower limb (femoral vein, great saphenous vein, femoral artery): these get a
#: side and a hindlimb individual; any other ranked vessel is placed by its own class only.
_LIMB_VESSELS = {str(OBO[i]) for i in ("UBERON_0001361", "UBERON_0007318", "UBERON_0002060")}
#: presenting symptoms (HPO concepts of vlms:FindingConcepts) by body region, with weights.
_SYMPTOMS = {
    "abdomen": (("HP_0002027", 6), ("HP_0031500", 3), ("HP_0012398", 1)),
    "limb": (("HP_0012398", 6), ("HP_0012514", 4)),
    "other": (("HP_0012531", 1),),
}
_RANKING_QUERY = f"""
SELECT ?statement ?rank ?site ?label ?vein WHERE {{
  ?statement a <{VLMS.FrequencyRankingStatement}> ; <{VLMS.rankedSite}> ?ranked .
  ?ranked <{VLMS.rank}> ?rank ; <{VLMS.site}> ?site .
  OPTIONAL {{ ?site <http://www.w3.org/2000/01/rdf-schema#label> ?label }}
  FILTER EXISTS {{ ?site <{_SUBCLASS}>* <{OBO[_BLOOD_VESSEL]}> }}
  BIND (EXISTS {{ ?site <{_SUBCLASS}>* <{OBO[_VEIN]}> }} AS ?vein)
}}"""

_PREFIXES = """@prefix vlms: <https://w3id.org/vlmskg/vocab/> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


@dataclass(frozen=True)
class VesselSite:
    """One ranked vessel of a frequency-ranking statement (rank 1 = most frequent)."""

    rank: int
    site: str  #: the UBERON class IRI
    label: str
    vein: bool

    @property
    def curie(self) -> str:
        return "obo:" + self.site.removeprefix(str(OBO))

    @property
    def region(self) -> str:
        if self.site == str(_IVC) or self.site == str(OBO["UBERON_0000947"]):
            return "abdomen"
        return "limb" if self.site in _LIMB_VESSELS else "other"


@dataclass(frozen=True)
class Hazard:
    """Follow-up and death drawn from a stated hazard instead of the default outcome: death
    at an exponential time whose survival at 60 months is ``five_year_survival`` (rate
    ``-ln(p) / 60`` per month), censoring at a time uniform on (0, ``max_follow_up``]
    months; the last follow-up is the earlier of the two (dead when death comes first),
    written in days. Each case draws from its own stream, so the other values of the case
    are those of the same seed without a hazard.

    >>> Hazard(0.5).survival(60), round(Hazard(0.5).rate, 5)
    (0.5, 0.01155)
    """

    five_year_survival: float
    max_follow_up: float = 120.0

    def __post_init__(self) -> None:
        if not 0.0 < self.five_year_survival < 1.0:
            raise InputError(f"a five-year survival of {self.five_year_survival} is not a "
                             "probability strictly between 0 and 1",
                             hint="give e.g. --five-year-survival 0.5")
        if self.max_follow_up <= 0:
            raise InputError(f"a longest follow-up of {self.max_follow_up} months is not "
                             "positive", hint="give e.g. --max-follow-up 120")

    @property
    def rate(self) -> float:
        """Deaths per patient-month."""
        return -math.log(self.five_year_survival) / 60.0

    def survival(self, months: float) -> float:
        """The true survival at ``months``."""
        return round(math.exp(-self.rate * months), 12)

    def draw(self, seed: int, number: int) -> tuple[int, bool]:
        """Case ``number``'s last follow-up in days (at least 1) and whether it is a death."""
        rng = random.Random(f"vlmskg-synth-hazard:{seed}:{number}")
        death = rng.expovariate(self.rate)
        censoring = rng.uniform(0.0, self.max_follow_up)
        return max(1, round(min(death, censoring) * 30.4375)), death <= censoring


@dataclass(frozen=True)
class Cohort:
    """A written cohort: its folder, its case files and its publication file."""

    root: Path
    seed: int
    case_files: tuple[Path, ...]
    publication_file: Path

    @property
    def cases_dir(self) -> Path:
        return self.root / "cases"

    @property
    def publications_dir(self) -> Path:
        return self.root / "publications"


def cohort_id(seed: int) -> str:
    """The publication id of the cohort drawn with ``seed``.

    >>> cohort_id(42)
    'synthetic-cohort-42'
    """
    return f"synthetic-cohort-{seed}"


def ranked_sites(store: ox.Store | None = None) -> tuple[VesselSite, ...]:
    """The ranked vessels of the graph's frequency-ranking statement, by rank.

    ``store`` holds the ontology and the publications (default: the shipped ones). With
    several statements, the one ranking the most blood vessels is used (ties: the first
    by IRI). Raises :class:`KGError` when no statement ranks a blood vessel.
    """
    if store is None:
        sources = [Source.for_ontology(p) for p in resources.ontology_files()]
        sources += [Source.for_publication(p) for p in resources.publication_files()]
        store = load_sources(sources)
    rows = cast(ox.QuerySolutions, store.query(_RANKING_QUERY, use_default_graph_as_union=True))
    statements: dict[str, dict[int, VesselSite]] = {}
    for row in rows:
        rank = int(row["rank"].value)
        label = row["label"].value if row["label"] is not None else row["site"].value
        site = VesselSite(rank, row["site"].value, label, row["vein"].value == "true")
        statements.setdefault(row["statement"].value, {})[rank] = site
    if not statements:
        raise KGError("no vlms:FrequencyRankingStatement in the publications ranks a blood "
                      "vessel, so there is nothing to draw the vessel of origin from",
                      hint="add the ranking statement to data/publications/")
    best = min(statements, key=lambda s: (-len(statements[s]), s))
    return tuple(statements[best][rank] for rank in sorted(statements[best]))


def site_weights(sites: Sequence[VesselSite], exponent: float = ZIPF_EXPONENT) -> list[float]:
    """Zipf-like probabilities of ``sites``: rank ``r`` weighs ``r ** -exponent``."""
    raw = [site.rank ** -exponent for site in sites]
    total = sum(raw)
    return [w / total for w in raw]


# --- one case ----------------------------------------------------------------------------


def _pick(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _integer(value: int, kind: str = "integer") -> str:
    return f'"{value}"^^xsd:{kind}'


def _decimal(value: float) -> str:
    return f'"{value:.1f}"^^xsd:decimal'


class _CaseWriter:
    """Collects the Turtle blocks, events and findings of one case."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.events: list[str] = []
        self.findings: list[str] = []

    def node(self, name: str, types: str, *props: str) -> None:
        body = " ;\n    ".join(p for p in props if p)
        self.blocks.append(f":{name} a {types}" + (f" ;\n    {body}" if body else "") + " .")

    def event(self, name: str, types: str, position: int, *props: str) -> None:
        self.events.append(f":{name}")
        self.node(name, types, f"vlms:timelinePosition {_integer(position)}",
                  *props)

    def finding(self, name: str, types: str, concept: str, present: bool, *props: str) -> None:
        self.findings.append(f":{name}")
        self.node(name, types, f"vlms:concept {concept}",
                  f"vlms:presence vlms:{'Present' if present else 'Absent'}", *props)

    def timing(self, name: str, relative_to: str, amount: int | None = None,
               unit: str | None = None) -> str:
        props = [f"vlms:relativeTo :{relative_to}", "vlms:temporalRelation vlms:After"]
        if amount is not None and unit is not None:
            props += [f"vlms:amount {_integer(amount, 'decimal')}", f"vlms:timeUnit {unit}",
                      "vlms:precision vlms:Exact"]
        self.node(name, "vlms:RelativeTiming", *props)
        return f"vlms:hasTiming :{name}"

    def size(self, name: str, largest: float, rng: random.Random, measured_in: str,
             specimen: str = "") -> None:
        second = max(0.5, largest * rng.uniform(0.45, 0.95))
        props = [f"vlms:firstDimensionCm {_decimal(largest)}",
                 f"vlms:secondDimensionCm {_decimal(second)}"]
        if rng.random() < 0.4:
            third = max(0.5, largest * rng.uniform(0.3, 0.9))
            props.append(f"vlms:thirdDimensionCm {_decimal(third)}")
        props.append(f"vlms:measuredIn :{measured_in}")
        if specimen:
            props.append(f"vlms:specimen :{specimen}")
        self.node(name, "vlms:SizeMeasurement", *props)


def _anatomy(w: _CaseWriter, rng: random.Random, site: VesselSite) -> tuple[str, list[str]]:
    """The patient's vessel (with its wall, side, limb or IVC segments); returns the node the
    tumour arises from and the IVC segments it involves."""
    side = rng.choice(("Left", "Right")) if site.region == "limb" else ""
    lateral = f"vlms:laterality vlms:{side}" if side else ""
    where = f"{side.lower()} " if side else ""
    if side:
        w.node("leg", "obo:UBERON_0002103", f"rdfs:label \"the patient's {where}lower limb\"@en",
               lateral)
    w.node("vessel", site.curie, f"rdfs:label \"the patient's {where}{site.label}\"@en", lateral,
           "obo:BFO_0000050 :leg" if side else "")
    w.node("vesselWall", "obo:UBERON_0035965",
           f"rdfs:label \"wall of the patient's {where}{site.label}\"@en",
           "obo:BFO_0000050 :vessel")
    segments: list[str] = []
    if site.site == str(_IVC):
        extent = _pick(rng, (("Middle", 30), ("Lower", 20), ("Upper", 10), ("Middle Lower", 20),
                             ("Upper Middle", 12), ("Upper Middle Lower", 8)))
        for name in extent.split():
            w.node(f"ivc{name}Segment", f"vlms:IVC{name}Segment",
                   f"rdfs:label \"{name.lower()} segment of the patient's IVC\"@en",
                   "obo:BFO_0000050 :vessel")
            segments.append(f":ivc{name}Segment")
    origin = "vesselWall" if rng.random() < 0.8 else "vessel"
    return origin, segments


def _tumour(w: _CaseWriter, rng: random.Random, site: VesselSite, origin: str,
            segments: list[str], largest: float, ihc: bool, mitoses: bool) -> None:
    growth = _pick(rng, (("vlms:IntraluminalGrowth", 45), ("vlms:ExtraluminalGrowth", 30),
                         ("vlms:IntraluminalGrowth , vlms:ExtraluminalGrowth", 25)))
    grade = _pick(rng, (("obo:NCIT_C14158", 50), ("vlms:IntermediateGrade", 15),
                        ("vlms:LowGrade", 10), ("", 25)))
    markers = (":ihcDesmin , :ihcSmoothMuscleActin , :ihcCD34" if ihc else "")
    w.node("tumour", "obo:NCIT_C3158",
           f"rdfs:label \"leiomyosarcoma of the {site.label}\"@en",
           f"vlms:arisesFrom :{origin}",
           f"vlms:involves {' , '.join(segments)}" if segments else "",
           f"vlms:growthPattern {growth}",
           f"vlms:grade {grade}" if grade else "",
           "vlms:hasSizeMeasurement :sizeCt , :sizePathology",
           "vlms:hasMitoticCount :mitoticCount" if mitoses else "",
           f"vlms:hasImmunohistochemistryResult {markers}" if markers else "")
    if mitoses:
        w.node("mitoticCount", "vlms:MitoticCount",
               f"vlms:mitosesPer10HPF {_integer(rng.randint(1, 40), 'decimal')}",
               f"vlms:comparator vlms:{_pick(rng, (('EqualTo', 8), ('GreaterThan', 2)))}")
    if ihc:
        for name, marker, positive in (
                ("ihcDesmin", "obo:NCIT_C96450", 0.9),
                ("ihcSmoothMuscleActin", "vlms:AlphaSmoothMuscleActin", 0.95),
                ("ihcCD34", "obo:NCIT_C17280", 0.1)):
            result = "Positive" if rng.random() < positive else "Negative"
            w.node(name, "vlms:ImmunohistochemistryResult", f"vlms:marker {marker}",
                   f"vlms:markerResult vlms:{result}", "vlms:observedIn :immunohistochemistry",
                   "vlms:specimen :resectionSpecimen")


def _management(w: _CaseWriter, rng: random.Random, site: VesselSite) -> None:
    options = [("vlms:VeinLigation", 30), ("vlms:GraftReplacement", 45), ("vlms:PatchRepair", 15)]
    options += [("vlms:SurgicalProcedure , obo:MAXO_0001301", 10)] if site.vein else []
    technique = _pick(rng, options)
    graft = _pick(rng, (("vlms:PTFEGraft", 6), ("vlms:VenousAllograft", 2),
                        ("vlms:ArterialAllograft", 1), ("vlms:AorticAllograft", 1)))
    w.event("vesselManagement", technique, 4, "obo:BFO_0000050 :operation",
            "vlms:targetSite :vessel",
            f"vlms:graftMaterial {graft}" if technique == "vlms:GraftReplacement" else "",
            "vlms:decisionTiming vlms:IntraoperativeDecision" if rng.random() < 0.3 else "")


def render_case(seed: int, number: int, sites: Sequence[VesselSite],
                weights: Sequence[float] | None = None, hazard: Hazard | None = None
                ) -> tuple[str, str]:
    """Case number ``number`` of the cohort drawn with ``seed``: its id and its Turtle;
    with ``hazard``, its follow-up and vital status are drawn from it."""
    rng = random.Random(f"vlmskg-synth:{seed}:{number}")
    drawn = hazard.draw(seed, number) if hazard is not None else None
    site = rng.choices(list(sites), weights=list(weights or site_weights(sites)))[0]
    identifier = f"{cohort_id(seed)}-c{number}"
    w = _CaseWriter()

    age = min(90, max(18, round(rng.gauss(55, 12))))
    female = rng.random() < 0.65
    w.node("patient", "obo:NCBITaxon_9606", f"vlms:ageYears {_integer(age)}",
           f"vlms:sex obo:{'PATO_0000383' if female else 'PATO_0000384'}")
    origin, segments = _anatomy(w, rng, site)
    largest = min(30.0, max(1.0, rng.lognormvariate(1.95, 0.45)))
    ihc, mitoses, biopsy = rng.random() < 0.6, rng.random() < 0.5, rng.random() < 0.4
    _tumour(w, rng, site, origin, segments, largest, ihc, mitoses)
    diagnosis = "obo:NCIT_C5372" if site.site == str(_IVC) else "obo:NCIT_C5387"

    # presentation and work-up
    w.event("admission", "vlms:HospitalAdmission", 0)
    symptom = _pick(rng, _SYMPTOMS[site.region])
    w.finding("presentingSymptom", "vlms:PresentingSymptom", f"obo:{symptom}", True,
              "vlms:site :leg" if site.region == "limb" else "")
    w.event("ct", "vlms:ImagingProcedure , obo:MAXO_0000571", 1,
            "vlms:contrastEnhanced \"true\"^^xsd:boolean", "vlms:targetSite :vessel")
    w.size("sizeCt", largest, rng, "ct")
    w.finding("ctMass", "vlms:ImagingFinding", "vlms:TumourMass", True, "vlms:observedIn :ct",
              "vlms:site :vessel", "vlms:hasSizeMeasurement :sizeCt",
              f"vlms:suggestsDiagnosis {diagnosis}")
    basis = ":ct"
    if rng.random() < 0.5:
        w.event("mri", "vlms:ImagingProcedure , obo:MAXO_0000424", 1, "vlms:targetSite :vessel")
        basis += " , :mri"
    if biopsy:
        w.event("biopsy", "vlms:BiopsyProcedure , obo:MAXO_0001276", 2,
                "vlms:intent vlms:DiagnosticIntent", "vlms:targetSite :vessel")
        basis += " , :biopsy"
    w.event("presumptiveDiagnosis", "vlms:DiagnosisEvent", 3,
            f"vlms:diagnosedAs {'obo:NCIT_C9118' if biopsy else diagnosis}",
            "vlms:diagnosisStatus vlms:PresumptiveDiagnosis", f"vlms:basedOn {basis}")

    # the operation
    margin = _pick(rng, (("R0", 70), ("R1", 22), ("R2", 8)))
    w.event("operation", "vlms:SurgicalProcedure , obo:MAXO_0000448", 4,
            "vlms:intent vlms:CurativeIntent", "vlms:indication :presumptiveDiagnosis",
            "vlms:targetSite :vessel",
            f"vlms:resectedStructure {' , '.join(segments) if segments else ':vessel'}",
            f"vlms:enBloc \"{'true' if rng.random() < 0.7 else 'false'}\"^^xsd:boolean",
            f"vlms:marginStatus vlms:{margin}",
            f"vlms:bloodLossMl {_integer(rng.randrange(100, 3000, 25), 'decimal')}",
            f"vlms:operativeTimeMinutes {_integer(rng.randrange(90, 600, 15), 'decimal')}")
    _management(w, rng, site)
    w.node("resectionSpecimen", "vlms:Specimen", "vlms:obtainedBy :operation")

    # pathology
    w.event("pathology", "vlms:PathologyProcedure , obo:OBI_0002564", 5,
            "vlms:specimen :resectionSpecimen")
    w.size("sizePathology", max(1.0, largest * rng.uniform(0.8, 1.2)), rng, "pathology",
           "resectionSpecimen")
    w.finding("spindleCells", "vlms:HistologicFinding", "vlms:SpindleCells", True,
              "vlms:observedIn :pathology")
    if rng.random() < 0.6:
        w.finding("fascicularPattern", "vlms:HistologicFinding", "vlms:FascicularPattern", True,
                  "vlms:observedIn :pathology")
    if ihc:
        w.event("immunohistochemistry", "vlms:PathologyProcedure , obo:NCIT_C23020", 5,
                "vlms:specimen :resectionSpecimen")
    w.event("finalDiagnosis", "vlms:DiagnosisEvent", 5, f"vlms:diagnosedAs {diagnosis}",
            "vlms:diagnosisStatus vlms:FinalDiagnosis", "vlms:basedOn :pathology")

    # postoperative course
    complication = rng.random() < 0.15
    w.finding("majorComplication", "vlms:Complication", "vlms:MajorPostoperativeComplication",
              complication, "vlms:followsProcedure :operation",
              "vlms:management vlms:ConservativeManagement" if complication else "")
    discharge = rng.randint(4, 30)
    w.event("discharge", "vlms:HospitalDischarge", 6,
            w.timing("dischargeTiming", "operation",
                     min(discharge, drawn[0]) if drawn else discharge, "obo:UO_0000033"))
    adjuvant = _pick(rng, (("none", 50), ("radiotherapy", 25), ("chemotherapy", 25)))
    if adjuvant == "none":
        w.finding("noAdjuvantTherapy", "vlms:TreatmentFinding", "obo:NCIT_C15675", False,
                  "vlms:observedIn :discharge")
    else:
        radio = adjuvant == "radiotherapy"
        w.event("adjuvantTherapy",
                "vlms:RadiationTherapy , obo:MAXO_0000014" if radio
                else "vlms:SystemicTherapy , obo:MAXO_0000647", 7,
                "vlms:intent vlms:AdjuvantIntent",
                "" if radio else "vlms:agent obo:CHEBI_28748",
                "" if radio else "vlms:route vlms:Intravenous",
                w.timing("adjuvantTherapyTiming", "operation"))
        w.finding("adjuvantTherapyGiven", "vlms:TreatmentFinding", "obo:NCIT_C15675", True)

    # outcome
    follow_up = round(min(180.0, max(3.0, rng.lognormvariate(3.18, 0.7))))
    metastasis = rng.random() < 0.4
    position = 8
    if metastasis:
        share = rng.uniform(0.15, 0.9)
        found = max(1, round(follow_up * share))
        w.event("metastasisAssessment", "vlms:FollowUpAssessment", position,
                w.timing("metastasisAssessmentTiming", "operation",
                         *((max(1, round(drawn[0] * share)), "obo:UO_0000033") if drawn
                           else (found, "obo:UO_0000035"))))
        organs = _pick(rng, (("lung", 60), ("liver", 25), ("lung liver", 15)))
        for organ in organs.split():
            uberon, concept = (("UBERON_0002048", "NCIT_C3577") if organ == "lung"
                               else ("UBERON_0002107", "NCIT_C4758"))
            w.node(organ, f"obo:{uberon}", f"rdfs:label \"the patient's {organ}\"@en")
            w.finding(f"{organ}Metastasis", "vlms:Metastasis", f"obo:{concept}", True,
                      f"vlms:site :{organ}", "vlms:observedIn :metastasisAssessment")
        position += 1
    dead = rng.random() < (0.45 if metastasis else 0.08)
    if drawn:
        dead = drawn[1]
    recurrence = rng.random() < 0.15
    disease = ("ProgressiveDisease" if (metastasis or recurrence) and (dead or rng.random() < 0.5)
               else "StableDisease" if metastasis or recurrence else "NoEvidenceOfDisease")
    w.event("lastFollowUp", "vlms:LastFollowUp", position,
            w.timing("lastFollowUpTiming", "operation",
                     *((drawn[0], "obo:UO_0000033") if drawn else (follow_up, "obo:UO_0000035"))),
            f"vlms:vitalStatus obo:{'PATO_0001422' if dead else 'PATO_0001421'}",
            f"vlms:diseaseStatus vlms:{disease}")
    w.finding("localRecurrence", "vlms:Recurrence", "vlms:LocalRecurrence", recurrence,
              "vlms:observedIn :lastFollowUp", "vlms:site :vessel")
    if not metastasis:
        w.finding("noMetastasis", "vlms:Finding", "obo:NCIT_C19151", False,
                  "vlms:observedIn :lastFollowUp")

    iri = CASE[identifier]
    person = "woman" if female else "man"
    header = (
        f"# Synthetic case {identifier}: made up by 'vlmskg synth --seed {seed}' for load and\n"
        "# performance tests; it describes no real patient.\n\n"
        f"@prefix : <{iri}/> .\n{_PREFIXES}\n"
        f"<{iri}> a vlms:Case , vlms:SyntheticCase ;\n"
        f"    rdfs:label \"Synthetic case {number}: leiomyosarcoma of the {site.label}, "
        f"{person} aged {age}\"@en ;\n"
        f"    vlms:reportedIn <{PUBLICATION[cohort_id(seed)]}> ;\n"
        f"    vlms:caseNumberInSource {_integer(number)} ;\n"
        "    vlms:hasPatient :patient ;\n    vlms:hasTumour :tumour ;\n"
        "    vlms:referenceEvent :operation ;\n    vlms:indexSurgery :operation ;\n"
        "    vlms:lastFollowUp :lastFollowUp ;\n"
        f"    vlms:hasEvent {' , '.join(w.events)} ;\n"
        f"    vlms:hasFinding {' , '.join(w.findings)} .\n\n")
    return identifier, header + "\n\n".join(w.blocks) + "\n"


def render_publication(seed: int, cases: int) -> str:
    """The Turtle of the made-up publication that the cohort's cases are reported in.

    >>> "a obo:IAO_0000013" in render_publication(7, 10)
    True
    """
    iri = PUBLICATION[cohort_id(seed)]
    return (
        f"# Publication {cohort_id(seed)}: stands for the made-up source of a synthetic cohort;\n"
        "# it is not a real publication.\n\n"
        f"{_PREFIXES}\n"
        f"<{iri}> a obo:IAO_0000013 ;\n"
        f"    rdfs:label \"Synthetic cohort of {cases} made-up cases (seed {seed})\"@en ;\n"
        f"    vlms:sourceDocument \"vlmskg synth --seed {seed}\" ;\n"
        "    vlms:curationNote \"Generated for load and performance tests; no case of this "
        "cohort describes a real patient.\" .\n")


# --- the cohort folder ---------------------------------------------------------------------


def _check_destination(out: Path) -> None:
    data = (resources.resource_root() / "data").resolve()
    target = out.resolve()
    if target == data or target.is_relative_to(data):
        raise InputError("synthetic cases must never go into the project's data/ folder",
                         file=str(out), hint="give another folder with --out, e.g. /tmp/cohort")
    if target.exists() and not target.is_dir():
        raise InputError("not a folder", file=str(out), hint="give a folder with --out")
    if target.is_dir() and any(target.iterdir()) and not (target / MANIFEST).is_file():
        raise InputError("the folder is not empty and holds no earlier synthetic cohort",
                         file=str(out),
                         hint="give an empty or new folder; a folder written by 'vlmskg synth' "
                              "is replaced")


def _as_sheet(identifier: str, turtle: str) -> str:
    """The synthetic case ``turtle`` written as a case sheet (``vlmskg synth --format sheet``)."""
    from kg.sheets.writer import case_to_sheet, dump_sheet
    graph = ox.NamedNode(f"https://w3id.org/vlmskg/case/{identifier}")
    quads = [ox.Quad(t.subject, t.predicate, t.object, graph)
             for t in ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE)]
    return dump_sheet(case_to_sheet(quads, identifier),
                      header=f"Synthetic case {identifier}: made up by 'vlmskg synth'; it "
                             "describes no real patient.")


def write_cohort(out: Path | str, cases: int, seed: int, hazard: Hazard | None = None,
                 form: str = "turtle") -> Cohort:
    """Write ``cases`` synthetic case files into ``out/cases/`` and the cohort's publication
    into ``out/publications/``, with a manifest ``out/synth.json``; with ``hazard``, follow-up
    and deaths are drawn from it (:class:`Hazard`). ``form="sheet"`` writes each case as a
    case sheet (``.yaml``) instead of Turtle.

    The cohort is written into a staging folder and moved into place, so ``out`` is either
    the previous cohort or the new one, never a mix. Raises :class:`InputError` for an
    ``out`` inside the project's ``data/`` folder or holding other files, and for a number
    of cases below 1 or a negative seed.
    """
    out = Path(out)
    if cases < 1:
        raise InputError(f"cannot draw {cases} cases", hint="give --cases 1 or more")
    if seed < 0:
        raise InputError(f"the seed must be 0 or more, got {seed}", hint="give --seed 0 or more")
    _check_destination(out)
    sites = ranked_sites()
    weights = site_weights(sites)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".vlmskg-synth-", dir=out.parent))
    try:
        (staging / "cases").mkdir()
        (staging / "publications").mkdir()
        names = []
        for number in track(range(1, cases + 1), "drawing synthetic cases"):
            identifier, text = render_case(seed, number, sites, weights, hazard)
            suffix = ".yaml" if form == "sheet" else ".ttl"
            if form == "sheet":
                text = _as_sheet(identifier, text)
            (staging / "cases" / f"{identifier}{suffix}").write_text(text, encoding="utf-8")
            names.append(f"{identifier}{suffix}")
        publication = f"{cohort_id(seed)}.ttl"
        (staging / "publications" / publication).write_text(render_publication(seed, cases),
                                                              encoding="utf-8")
        manifest = {"generator": "vlmskg synth", "seed": seed, "cases": cases,
                    "publication": cohort_id(seed),
                    "sites": [{"rank": s.rank, "site": s.site, "weight": round(w, 6)}
                              for s, w in zip(sites, weights, strict=True)]}
        if hazard is not None:
            manifest["hazard"] = {"kind": "exponential",
                                  "five_year_survival": hazard.five_year_survival,
                                  "max_follow_up_months": hazard.max_follow_up}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=".vlmskg-synth-old-", dir=out.parent))
            os.replace(out, old / "cohort")
        os.replace(staging, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise InputError(f"cannot write the cohort: {err.strerror or err}", file=str(out),
                         hint="check free space and permissions") from err
    return Cohort(out, seed, tuple(out / "cases" / n for n in names),
                  out / "publications" / publication)

