"""Compile a case sheet into the case's named graph, with the same model as a Turtle case.

The patient, the patient's own anatomy (the vessel of origin and its wall, segments, the
structures reached, with part-of and laterality), the tumour arising from the vessel wall,
findings with their presence, events on the relative timeline (positions and timings),
procedures typed with a role class and a technique class, vessel management, margins,
sizes, immunohistochemistry, the last follow-up, and ``source``/``note`` as
``vlms:sourceLocation``/``vlms:curationNote`` on the node each item compiles to.

Node IRIs come from the content (``<case>/operation``, ``<case>/ihcDesmin``,
``<case>/assessment9Months``…), so reordering or editing other items leaves them unchanged.

>>> from kg.resources import cases_dir
>>> sheet = {"publication": "lms-ivc-two-cases", "case number": 1,
...          "patient": {"age": 60, "sex": "female"},
...          "tumour": {"vessel": "IVC", "segment": ["middle"]},
...          "operations": [{"name": "en bloc resection", "margin": "R0"}],
...          "follow up": {"time": "30 months", "vital status": "alive"}}
>>> quads = compile_case(sheet, "lms-ivc-two-cases-c1")
>>> marg = [q for q in quads if q.predicate.value.endswith("marginStatus")][0]
>>> marg.subject.value, marg.object.value
('https://w3id.org/vlmskg/case/lms-ivc-two-cases-c1/operation', 'https://w3id.org/vlmskg/vocab/R0')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.namespaces import CASE, PUBLICATION
from kg.sheets.loader import FieldPath, SheetError, as_list, as_mapping, check_keys, load_sheet
from kg.sheets.terms import OBO, VLMS, Term, TermIndex, term_index
from kg.sheets.timing import UNIT_IRIS, TimeValue, parse_time

__all__ = ["compile_case", "compile_case_file", "CASE_KEYS", "SECTION_KEYS", "ITEM_KEYS"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_Object = ox.NamedNode | ox.BlankNode | ox.Literal
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_PART_OF = ox.NamedNode(OBO + "BFO_0000050")
_ADJACENT = ox.NamedNode(OBO + "RO_0002220")
_WALL = OBO + "UBERON_0035965"
_IVC = OBO + "UBERON_0001072"
_PROV = ("source", "note")

#: top-level keys of a case sheet.
CASE_KEYS = ("publication", "case number", "source", "note", "synthetic", "patient", "tumour",
             "presentation", "imaging", "initial diagnosis", "biopsy", "final diagnosis",
             "operations",
             "therapy", "events", "follow up")
#: keys of each mapping section.
SECTION_KEYS = {
    "patient": ("age", "sex", *_PROV),
    "tumour": ("vessel", "vessel certainty", "segment", "side", "growth", "extends into",
               "adjacent to", "size", "grade", "mitoses", "necrosis", "immunohistochemistry",
               "metastasis at presentation", *_PROV),
    "presentation": ("symptoms", "incidental", *_PROV),
    "initial diagnosis": ("diagnosis", "based on", "treated with", *_PROV),
    "biopsy": ("technique", "guided by", "result", "given", *_PROV),
    "final diagnosis": ("diagnosis", *_PROV),
    "follow up": ("time", "vital status", "disease status", "cause of death", *_PROV),
}
#: keys of the items of each list.
ITEM_KEYS = {
    "size": ("cm", "by", *_PROV),
    "mitoses": ("per 10 HPF", "comparator", *_PROV),
    "symptoms": ("symptom", "present", "duration", "site", "side", *_PROV),
    "imaging": ("modality", "finding", "site", "present", "cm", "time", *_PROV),
    "operations": ("name", "index", "intent", "result", "approach", "resected", "en bloc", "target",
                   "vascular management", "margin", "blood loss ml", "operating time min",
                   "complications", "time", *_PROV),
    "vascular management": ("kind", "material", "diameter mm", "vessel", "between",
                            "decision", "reason", *_PROV),
    "complications": ("complication", "present", "time", "management", *_PROV),
    "therapy": ("kind", "intent", "agents", "dose", "cycles", "given", "time", *_PROV),
    "events": ("kind", "site", "present", "time", "treatment", *_PROV),
    "time": ("time", "before", "after"),
}
_SEGMENTS = {"upper": "IVCUpperSegment", "middle": "IVCMiddleSegment",
             "lower": "IVCLowerSegment", "renal vein confluence": "RenalVeinConfluence"}
_MANAGEMENT = {"ligation": "VeinLigation", "graft": "GraftReplacement",
               "patch": "PatchRepair", "anastomosis": "Anastomosis",
               "reimplantation": "Anastomosis", "primary repair": OBO + "MAXO_0001301"}
_THERAPY = {"chemotherapy": ("SystemicTherapy", OBO + "MAXO_0000647"),
            "radiotherapy": ("RadiationTherapy", OBO + "MAXO_0000014")}
#: "therapy not given" concepts: (kind, intent) -> finding concept.
_NOT_GIVEN = {(None, "AdjuvantIntent"): OBO + "NCIT_C15675",
              ("chemotherapy", "AdjuvantIntent"): OBO + "NCIT_C15360",
              ("chemotherapy", None): OBO + "MAXO_0000647",
              ("radiotherapy", None): OBO + "MAXO_0000014"}
_METASTASIS_CONCEPTS = {OBO + "UBERON_0002048": OBO + "NCIT_C3577",
                        OBO + "UBERON_0002107": OBO + "NCIT_C4758"}
_METASTASIS = OBO + "NCIT_C19151"
_NECROSIS = OBO + "NCIT_C35957"
_EVENT_KINDS = ("metastasis", "local recurrence")
_ROLE_BY_TECHNIQUE = {OBO + "MAXO_0000647": "SystemicTherapy",
                      OBO + "MAXO_0000014": "RadiationTherapy",
                      OBO + "NCIT_C15262": "SystemicTherapy",  # immunotherapy
                      OBO + "MAXO_0000178": "AnticoagulantTherapy",
                      OBO + "OBI_0002564": "PathologyProcedure",
                      OBO + "NCIT_C23020": "PathologyProcedure"}


def _camel(words: str) -> str:
    parts = re.sub(r"[^A-Za-z0-9]+", " ", words).split()
    return "".join(p[:1].upper() + p[1:] for p in parts)


def _lower_camel(words: str) -> str:
    text = _camel(words)
    return text[:1].lower() + text[1:]


def _slug(term: Term) -> str:
    words = re.sub(r"\b(procedure|the|of)\b", " ", term.label.lower())
    return _camel(words) or _camel(term.curie)


@dataclass
class _Event:
    node: ox.NamedNode
    phase: int
    months: Decimal | None
    seq: int


@dataclass
class _Timed:
    """An event's timing as written, resolved against the sheet's reference events."""

    value: TimeValue | None
    relation: str
    reference: str
    field: FieldPath


class _Compiler:
    def __init__(self, case_id: str, index: TermIndex) -> None:
        self.case_id = case_id
        self.base = f"{CASE}{case_id}/"
        self.case = ox.NamedNode(f"{CASE}{case_id}")
        self.graph = ox.NamedNode(f"{CASE}{case_id}")
        self.index = index
        self.triples: list[tuple[ox.NamedNode, ox.NamedNode, _Object]] = []
        self.events: dict[str, _Event] = {}
        self.findings: list[ox.NamedNode] = []
        self.names: set[str] = set()
        self.anatomy: dict[tuple[str, str | None], ox.NamedNode] = {}
        self.seq = 0
        self.references: dict[str, ox.NamedNode] = {}
        self.pending: list[tuple[ox.NamedNode, _Timed]] = []
        self.months: dict[str, Decimal] = {}
        self.vessel: ox.NamedNode | None = None

    # --- low-level helpers -----------------------------------------------------------------
    def node(self, local: str, *, unique: bool = True) -> ox.NamedNode:
        name = local
        if unique:
            n = 2
            while name in self.names:
                name, n = f"{local}{n}", n + 1
            self.names.add(name)
        return ox.NamedNode(self.base + name)

    def add(self, s: ox.NamedNode, p: str, o: _Object | str) -> None:
        obj = ox.NamedNode(o) if isinstance(o, str) else o
        pred = ox.NamedNode(p if "://" in p else VLMS + p)
        self.triples.append((s, pred, obj))

    def typed(self, s: ox.NamedNode, *classes: str) -> None:
        for cls in classes:
            self.triples.append((s, _RDF_TYPE, ox.NamedNode(cls if "://" in cls else VLMS + cls)))

    def lit(self, s: ox.NamedNode, p: str, value: object, datatype: str = "string") -> None:
        if datatype == "string":
            obj = ox.Literal(str(value))
        elif datatype == "boolean":
            obj = ox.Literal("true" if value else "false", datatype=ox.NamedNode(_XSD + "boolean"))
        else:
            obj = ox.Literal(str(value), datatype=ox.NamedNode(_XSD + datatype))
        self.add(s, p, obj)

    def provenance(self, node: ox.NamedNode, item: Any, field: FieldPath) -> None:
        if isinstance(item, dict):
            if "source" in item:
                self.lit(node, "sourceLocation", _text(item["source"], (*field, "source")))
            if "note" in item:
                self.lit(node, "curationNote", _text(item["note"], (*field, "note")))

    def term(self, value: Any, kind: str, field: FieldPath) -> Term:
        return self.index.resolve(value, kind, field=field)

    def event(self, node: ox.NamedNode, phase: int, months: Decimal | None = None) -> None:
        self.seq += 1
        self.events[node.value] = _Event(node, phase, months, self.seq)

    def finding(self, local: str, cls: str, concept: str, present: bool | None,
                observed: ox.NamedNode | None = None) -> ox.NamedNode:
        node = self.node(local)
        self.typed(node, cls)
        self.add(node, "concept", concept)
        self.add(node, "presence", VLMS + ("Present" if present in (True, None) else "Absent"))
        if observed is not None:
            self.add(node, "observedIn", observed)
        self.findings.append(node)
        return node

    # --- anatomy ---------------------------------------------------------------------------
    def structure(self, term: Term, side: str | None = None) -> ox.NamedNode:
        """The patient's own individual of ``term`` (one per class and side)."""
        key = (term.iri, side)
        if side is None:
            sided = [k for k in self.anatomy if k[0] == term.iri]
            key = sided[0] if sided else key
        if key not in self.anatomy:
            words = f"{side or ''} {_slug(term)}"
            node = self.node(_lower_camel(words))
            self.typed(node, term.iri)
            label = f"the patient's {side + ' ' if side else ''}{term.label}"
            self.add(node, _LABEL.value, ox.Literal(label, language="en"))
            if side:
                self.add(node, "laterality", VLMS + side.capitalize())
            self.anatomy[key] = node
        return self.anatomy[key]

    def site(self, value: Any, field: FieldPath, side: str | None = None) -> ox.NamedNode:
        return self.structure(self.term(value, "anatomy", field), side)

    # --- timing ----------------------------------------------------------------------------
    def read_time(self, value: Any, field: FieldPath, default: str = "index") -> _Timed:
        if isinstance(value, dict):
            check_keys(value, ITEM_KEYS["time"], field)
            if "before" in value and "after" in value:
                raise SheetError("a time is either before or after its reference, not both",
                                 field=field, hint="keep one of 'before' and 'after'")
            relation = "Before" if "before" in value else "After"
            reference = _text(value.get("before", value.get("after", default)),
                              (*field, "before" if "before" in value else "after"))
            text = value.get("time")
            sub = (*field, "time")
        else:
            relation, reference, text, sub = "After", default, value, field
        parsed = None
        if text is not None:
            try:
                parsed = parse_time(text)
            except ValueError as err:
                raise SheetError(str(err), field=sub,
                                 hint='e.g. "9 months", "about 2 years", "more than 12 months"'
                                 ) from None
        return _Timed(parsed, relation, reference.strip().lower(), field)

    def timing(self, event: ox.NamedNode, timed: _Timed) -> None:
        self.pending.append((event, timed))

    def resolve_timings(self) -> None:
        for event, timed in self.pending:
            if timed.reference == "diagnosis" and "diagnosis" not in self.references:
                self.references["diagnosis"] = self.diagnosis_event()
            reference = self.references.get(timed.reference)
            if reference is None:
                names = sorted({k for k in self.references if ":" not in k} | {"diagnosis"})
                raise SheetError(f"unknown reference event '{timed.reference}'",
                                 field=timed.field,
                                 hint="count from one of: " + ", ".join(names))
            if reference == event:
                raise SheetError("an event cannot be timed from itself", field=timed.field,
                                 hint="count from the index operation, the presentation or "
                                      "the diagnosis")
            node = ox.NamedNode(event.value + "Timing")
            self.typed(node, "RelativeTiming")
            self.add(event, "hasTiming", node)
            self.add(node, "relativeTo", reference)
            self.add(node, "temporalRelation", VLMS + timed.relation)
            value = timed.value
            if value is not None:
                self.add(node, "timeUnit", UNIT_IRIS[value.unit])
                if value.amount is not None:
                    self.lit(node, "amount", value.amount, "decimal")
                    self.add(node, "precision", VLMS + value.precision)
                else:
                    self.lit(node, "amountMin", value.low, "decimal")
                    self.lit(node, "amountMax", value.high, "decimal")
                    self.lit(node, "statedForGroup", True, "boolean")

    def diagnosis_event(self) -> ox.NamedNode:
        """The diagnosis of the leiomyosarcoma, when a time counts from it but the sheet
        gives no biopsy result or final diagnosis."""
        node = self.node("diagnosis")
        self.typed(node, "DiagnosisEvent")
        self.add(node, "diagnosedAs", OBO + "NCIT_C3158")
        self.add(node, "diagnosisStatus", VLMS + "FinalDiagnosis")
        self.event(node, 55)
        return node

    def months_after_index(self, timed: _Timed | None) -> Decimal | None:
        """Months from the index operation, where the timing allows it."""
        if timed is None or timed.value is None or timed.value.months is None:
            return None
        base = self.months.get(timed.reference)
        if base is None:
            return None
        step = timed.value.months
        return base + step if timed.relation == "After" else base - step


def _text(value: Any, field: FieldPath) -> str:
    if isinstance(value, (dict, list)) or value is None:
        raise SheetError(f"expected text, found {type(value).__name__}", field=field,
                         hint="write a single line of text (quote it if it holds ': ')")
    return str(value).strip()


def _bool(value: Any, field: FieldPath) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("yes", "no", "true", "false"):
        return value.strip().lower() in ("yes", "true")
    raise SheetError(f"expected yes or no, found {value!r}", field=field, hint="write yes or no")


def _number(value: Any, field: FieldPath, *, integer: bool = False,
            low: Decimal = Decimal(0), high: Decimal | None = None,
            strict_low: bool = False) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise SheetError(f"expected a number, found {value!r}", field=field,
                         hint="write a plain number, e.g. 60 or 7.5")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise SheetError(f"expected a number, found {value!r}", field=field,
                         hint="write a plain number (no units, no words); leave the field out "
                              "and add a note if the source gives no exact figure") from None
    if integer and number != number.to_integral_value():
        raise SheetError(f"expected a whole number, found {value!r}", field=field,
                         hint="write a whole number")
    if number < low or (strict_low and number == low) or (high is not None and number > high):
        bound = f"above {low}" if strict_low else f"at least {low}"
        span = f"{bound}" + (f" and at most {high}" if high is not None else "")
        raise SheetError(f"impossible value {value!r}", field=field,
                         hint=f"the value must be {span}")
    return number


def _item(value: Any, field: FieldPath, keys: Sequence[str], short: str) -> dict[str, Any]:
    """A list item: a mapping, or a bare value standing for its ``short`` key."""
    if isinstance(value, dict):
        return as_mapping(value, field, keys)
    return {short: value}


def compile_case(sheet: Any, case_id: str, index: TermIndex | None = None) -> list[ox.Quad]:
    """The quads of the case graph ``sheet`` describes; :class:`SheetError` naming the field."""
    return _compile(sheet, case_id, index or term_index())


def compile_case_file(path: Path | str) -> list[ox.Quad]:
    """Read and compile the case sheet at ``path`` (its case id is the file stem).

    Errors carry the file, the case, the field and (read back from the file) its line.
    """
    path = Path(path)
    data = load_sheet(path)
    try:
        return compile_case(data, path.stem)
    except SheetError as err:
        raise err.located(path) from None


def _compile(sheet: Any, case_id: str, index: TermIndex) -> list[ox.Quad]:
    c = _Compiler(case_id, index)
    top = as_mapping(sheet, (), CASE_KEYS)
    for required in ("publication", "case number"):
        if required not in top:
            raise SheetError(f"the sheet has no '{required}'", field=(),
                             hint=f"add a line '{required}: ...' at the top "
                                  "(vlmskg new-case writes a skeleton)")
    publication = _text(top["publication"], ("publication",))
    number = _number(top["case number"], ("case number",), integer=True,
                     low=Decimal(1))
    expected = f"{publication}-c{number}"
    if case_id != expected:
        raise SheetError(f"the file name says case '{case_id}' but the sheet describes "
                         f"'{expected}'", field=("case number",),
                         hint=f"name the file {expected}.yaml, or correct publication and "
                              "case number")
    case = c.case
    c.typed(case, "Case")
    if "synthetic" in top and _bool(top["synthetic"], ("synthetic",)):
        c.typed(case, "SyntheticCase")
    c.add(case, "reportedIn", ox.NamedNode(f"{PUBLICATION}{publication}"))
    c.lit(case, "caseNumberInSource", number, "integer")
    c.provenance(case, top, ())
    patient = c.node("patient")
    c.typed(patient, OBO + "NCBITaxon_9606")
    c.add(case, "hasPatient", patient)
    words = _patient(c, patient, top.get("patient"))
    tumour = c.node("tumour")
    c.typed(tumour, OBO + "NCIT_C3158")
    c.add(case, "hasTumour", tumour)
    vessel = _tumour(c, tumour, top.get("tumour", {}))
    c.add(case, _LABEL.value, ox.Literal(
        f"Leiomyosarcoma of the {vessel or 'vessel (origin not given)'}{words}", language="en"))
    _presentation(c, top.get("presentation"))
    imaging = _imaging(c, top.get("imaging"))
    _initial_diagnosis(c, top.get("initial diagnosis"), imaging)
    _biopsy(c, top.get("biopsy"))
    index_op = _operations(c, top.get("operations"), tumour)
    _final_diagnosis(c, top.get("final diagnosis"))
    _pathology_events(c)
    if index_op is not None:
        c.add(case, "indexSurgery", index_op)
        c.add(case, "referenceEvent", index_op)
    elif "presentation" in c.references:
        c.add(case, "referenceEvent", c.references["presentation"])
    _therapy(c, top.get("therapy"))
    _events(c, top.get("events"))
    _follow_up(c, top.get("follow up"), case)
    c.resolve_timings()
    _positions(c, case)
    for finding in c.findings:
        c.add(case, "hasFinding", finding)
    return [ox.Quad(s, p, o, c.graph) for s, p, o in c.triples]


def _patient(c: _Compiler, patient: ox.NamedNode, value: Any) -> str:
    if value is None:
        return ""
    data = as_mapping(value, ("patient",), SECTION_KEYS["patient"])
    words = ""
    sex = None
    if "sex" in data:
        sex = c.term(data["sex"], "sex", ("patient", "sex"))
        c.add(patient, "sex", sex.iri)
    if "age" in data:
        field = ("patient", "age")
        raw = data["age"]
        if isinstance(raw, str) and raw.strip().lower().startswith("about "):
            raw = raw.strip()[6:]
            c.lit(patient, "curationNote", "Age reported as approximate.")
        age = _number(raw, field, integer=True, high=Decimal(120))
        c.lit(patient, "ageYears", age, "integer")
        who = {"male": "man", "female": "woman"}.get(sex.label if sex else "", "patient")
        words = f", {who} aged {age}"
    c.provenance(patient, data, ("patient",))
    return words


def _sides(c: _Compiler, data: dict[str, Any], field: FieldPath) -> str | None:
    if "side" not in data:
        return None
    return c.term(data["side"], "laterality", (*field, "side")).label


def _tumour(c: _Compiler, tumour: ox.NamedNode, value: Any) -> str | None:
    data = as_mapping(value, ("tumour",), SECTION_KEYS["tumour"])
    field: FieldPath = ("tumour",)
    c.provenance(tumour, data, field)
    vessel_name = None
    side = _sides(c, data, field)
    vessel = None
    if "vessel" in data:
        term = c.term(data["vessel"], "vessel", (*field, "vessel"))
        vessel = c.structure(term, side)
        c.vessel = vessel
        wall = c.node(vessel.value[len(c.base):] + "Wall")
        c.typed(wall, _WALL)
        c.add(wall, _LABEL.value, ox.Literal(f"wall of the patient's {term.label}", language="en"))
        c.add(wall, _PART_OF.value, vessel)
        c.add(tumour, "arisesFrom", wall)
        vessel_name = f"{side + ' ' if side else ''}{term.label}"
        c.add(tumour, _LABEL.value, ox.Literal(f"leiomyosarcoma of the {vessel_name}",
                                               language="en"))
        if "vessel certainty" in data:
            certainty = _text(data["vessel certainty"], (*field, "vessel certainty"))
            if certainty != "uncertain":
                raise SheetError(f"unknown vessel certainty '{certainty}'",
                                 field=(*field, "vessel certainty"),
                                 hint="write 'uncertain' (and a note), or leave it out")
            c.lit(tumour, "curationNote", "The source leaves the vessel of origin uncertain.")
    for n, word in enumerate(as_list(data.get("segment", []), (*field, "segment"))):
        key = str(word).strip().lower()
        if key not in _SEGMENTS:
            raise SheetError(f"unknown segment '{word}'", field=(*field, "segment", n),
                             hint="write upper, middle, lower or renal vein confluence")
        if vessel is None or c.index.get(_IVC) is None or not any(
                k[0] == _IVC for k in c.anatomy if c.anatomy[k] == vessel):
            raise SheetError("segments are recorded for the inferior vena cava only",
                             field=(*field, "segment"),
                             hint="set 'vessel: inferior vena cava', or leave segment out")
        segment_term = c.index.get(VLMS + _SEGMENTS[key])
        assert segment_term is not None
        segment = c.structure(segment_term)
        c.add(segment, _PART_OF.value, vessel)
        c.add(tumour, "involves", segment)
    for n, word in enumerate(as_list(data.get("growth", []), (*field, "growth"))):
        c.add(tumour, "growthPattern", c.term(word, "growth", (*field, "growth", n)).iri)
    for key, prop in (("extends into", "extendsInto"), ("adjacent to", _ADJACENT.value)):
        for n, word in enumerate(as_list(data.get(key, []), (*field, key))):
            c.add(tumour, prop, c.site(word, (*field, key, n)))
    if "grade" in data:
        c.add(tumour, "grade", c.term(data["grade"], "grade", (*field, "grade")).iri)
    for n, item in enumerate(as_list(data.get("size", []), (*field, "size"))):
        _size(c, tumour, item, (*field, "size", n))
    if "mitoses" in data:
        sub = (*field, "mitoses")
        mit = as_mapping(data["mitoses"], sub, ITEM_KEYS["mitoses"])
        node = c.node("mitoticCount")
        c.typed(node, "MitoticCount")
        if "per 10 HPF" not in mit:
            raise SheetError("a mitotic count needs 'per 10 HPF'", field=sub,
                             hint="write {per 10 HPF: 12}")
        c.lit(node, "mitosesPer10HPF", _number(mit["per 10 HPF"], (*sub, "per 10 HPF")),
              "decimal")
        if "comparator" in mit:
            c.add(node, "comparator",
                  c.term(mit["comparator"], "comparator", (*sub, "comparator")).iri)
        c.provenance(node, mit, sub)
        c.add(tumour, "hasMitoticCount", node)
    if "necrosis" in data:
        word = _text(data["necrosis"], (*field, "necrosis")).lower()
        if word not in ("present", "absent"):
            raise SheetError(f"necrosis is present or absent, not '{word}'",
                             field=(*field, "necrosis"), hint="write present or absent")
        c.finding("necrosis", "HistologicFinding", _NECROSIS, word == "present",
                  _pathology(c))
    if "immunohistochemistry" in data:
        sub = (*field, "immunohistochemistry")
        markers = as_mapping(data["immunohistochemistry"], sub,
                           list(data["immunohistochemistry"] or {}))
        ihc = _ihc(c)
        for name, result in markers.items():
            marker = c.term(name, "marker", (*sub, name))
            reading = c.term(result, "marker result", (*sub, name))
            node = c.node("ihc" + _slug(marker))
            c.typed(node, "ImmunohistochemistryResult")
            c.add(node, "marker", marker.iri)
            c.add(node, "markerResult", reading.iri)
            c.add(node, "observedIn", ihc)
            c.add(tumour, "hasImmunohistochemistryResult", node)
    if "metastasis at presentation" in data:
        _metastasis_at_presentation(c, data["metastasis at presentation"],
                                    (*field, "metastasis at presentation"))
    return vessel_name


def _size(c: _Compiler, tumour: ox.NamedNode, item: Any, field: FieldPath) -> None:
    data = as_mapping(item, field, ITEM_KEYS["size"])
    if "cm" not in data:
        raise SheetError("a size needs 'cm'", field=field, hint="write {cm: [10, 8], by: MRI}")
    dims = as_list(data["cm"], (*field, "cm"))
    if not 1 <= len(dims) <= 3:
        raise SheetError("a size has one to three dimensions", field=(*field, "cm"),
                         hint="write [10], [10, 8] or [10, 8, 6]")
    by = _text(data["by"], (*field, "by")) if "by" in data else None
    measured: ox.NamedNode | None = None
    if by is None:
        name = "size"
    elif by.lower() == "pathology":
        measured, name = _pathology(c), "sizePathology"
    else:
        modality = c.term(by, "modality", (*field, "by"))
        measured, name = _imaging_event(c, modality), "size" + _slug(modality)
    node = c.node(name)
    c.typed(node, "SizeMeasurement")
    for n, (prop, dim) in enumerate(zip(("firstDimensionCm", "secondDimensionCm",
                                         "thirdDimensionCm"), dims, strict=False)):
        c.lit(node, prop, _number(dim, (*field, "cm", n), strict_low=True), "decimal")
    if measured is not None:
        c.add(node, "measuredIn", measured)
    c.provenance(node, data, field)
    c.add(tumour, "hasSizeMeasurement", node)


def _pathology(c: _Compiler) -> ox.NamedNode:
    return _pathology_event(c, "pathology", "OBI_0002564")


def _ihc(c: _Compiler) -> ox.NamedNode:
    return _pathology_event(c, "immunohistochemistry", "NCIT_C23020")


def _pathology_event(c: _Compiler, name: str, code: str) -> ox.NamedNode:
    """The case's one pathology procedure ``name`` (of class ``code``), made at first use."""
    node = ox.NamedNode(c.base + name)
    if node.value not in c.events:
        c.names.add(name)
        c.typed(node, "PathologyProcedure", OBO + code)
        c.event(node, 75)
    return node


def _imaging_event(c: _Compiler, modality: Term, *, new: bool = False) -> ox.NamedNode:
    local = _lower_camel(_slug(modality))
    node = ox.NamedNode(c.base + local)
    if new or node.value not in c.events:
        node = c.node(local)
        c.typed(node, "ImagingProcedure", modality.iri)
        c.event(node, 30)
    return node


def _presentation_event(c: _Compiler) -> ox.NamedNode:
    if "presentation" not in c.references:
        node = c.node("presentation")
        c.typed(node, "Presentation")
        c.event(node, 20)
        c.references["presentation"] = node
    return c.references["presentation"]


def _metastasis_at_presentation(c: _Compiler, value: Any, field: FieldPath) -> None:
    seen = _presentation_event(c)
    if isinstance(value, (bool, str)) and not isinstance(value, str) or \
            (isinstance(value, str) and value.lower() in ("yes", "no", "true", "false")):
        present = _bool(value, field)
        c.finding("metastasisAtPresentation" if present else "noMetastasisAtPresentation",
                  "Finding", _METASTASIS, present, seen)
        return
    for n, word in enumerate(as_list(value, field)):
        site = c.site(word, (*field, n))
        term = c.term(word, "anatomy", (*field, n))
        node = c.finding("metastasisAtPresentation" + _slug(term), "Metastasis",
                         _METASTASIS_CONCEPTS.get(term.iri, _METASTASIS), True, seen)
        c.add(node, "site", site)


def _presentation(c: _Compiler, value: Any) -> None:
    if value is None:
        return
    field: FieldPath = ("presentation",)
    data = as_mapping(value, field, SECTION_KEYS["presentation"])
    presentation = _presentation_event(c)
    c.provenance(presentation, data, field)
    if "incidental" in data:
        c.lit(presentation, "incidentalDiscovery", _bool(data["incidental"],
                                                         (*field, "incidental")), "boolean")
    for n, item in enumerate(as_list(data.get("symptoms", []), (*field, "symptoms"))):
        sub = (*field, "symptoms", n)
        symptom = _item(item, sub, ITEM_KEYS["symptoms"], "symptom")
        if "symptom" not in symptom:
            raise SheetError("a symptom item needs 'symptom'", field=sub,
                             hint="write {symptom: abdominal pain}")
        concept = c.term(symptom["symptom"], "finding", (*sub, "symptom"))
        present = _bool(symptom.get("present", True), (*sub, "present"))
        node = c.finding("symptom" + _slug(concept), "PresentingSymptom", concept.iri, present)
        side = _sides(c, symptom, sub)
        if "site" in symptom:
            c.add(node, "site", c.site(symptom["site"], (*sub, "site"), side))
        elif side:
            c.add(node, "laterality", VLMS + side.capitalize())
        if "duration" in symptom:
            onset = c.node(node.value[len(c.base):] + "Onset")
            c.typed(onset, "SymptomOnset")
            timed = c.read_time({"time": symptom["duration"], "before": "presentation"},
                                (*sub, "duration"))
            c.timing(onset, timed)
            months = timed.value.months if timed.value else None
            c.event(onset, 10, -months if months is not None else None)
            c.add(node, "onset", onset)
        c.provenance(node, symptom, sub)


def _imaging(c: _Compiler, value: Any) -> dict[str, ox.NamedNode]:
    studies: dict[str, ox.NamedNode] = {}
    for n, item in enumerate(as_list(value or [], ("imaging",))):
        sub: FieldPath = ("imaging", n)
        data = _item(item, sub, ITEM_KEYS["imaging"], "modality")
        if "modality" not in data:
            raise SheetError("an imaging item needs 'modality'", field=sub,
                             hint="write {modality: CT, finding: tumour mass}")
        modality = c.term(data["modality"], "modality", (*sub, "modality"))
        key = modality.iri
        event = studies.get(key) or _imaging_event(c, modality)
        if key not in studies:
            c.seq += 1
            c.events[event.value].seq = c.seq
        studies[key] = event
        studies[normalize_word(data["modality"])] = event
        if "time" in data:
            c.timing(event, c.read_time(data["time"], (*sub, "time"), "presentation"))
        if "finding" in data:
            concept = c.term(data["finding"], "finding", (*sub, "finding"))
            present = _bool(data.get("present", True), (*sub, "present"))
            node = c.finding(event.value[len(c.base):] + "Finding" + _slug(concept),
                             "ImagingFinding", concept.iri, present, event)
            if "site" in data:
                c.add(node, "site", c.site(data["site"], (*sub, "site")))
            if "cm" in data:
                size = c.node(node.value[len(c.base):] + "Size")
                c.typed(size, "SizeMeasurement")
                dims = as_list(data["cm"], (*sub, "cm"))
                for m, (prop, dim) in enumerate(zip(("firstDimensionCm", "secondDimensionCm",
                                                     "thirdDimensionCm"), dims, strict=False)):
                    c.lit(size, prop, _number(dim, (*sub, "cm", m), strict_low=True), "decimal")
                c.add(size, "measuredIn", event)
                c.add(node, "hasSizeMeasurement", size)
            c.provenance(node, data, sub)
        else:
            c.provenance(event, data, sub)
    return studies


def normalize_word(value: Any) -> str:
    return " ".join(str(value).lower().split())


def _procedure(c: _Compiler, term: Term, local: str, phase: int) -> ox.NamedNode:
    node = c.node(local)
    therapy = next((role for role in ("SystemicTherapy", "RadiationTherapy")
                    if term.iri != VLMS + role and term.is_a(VLMS + role)), None)
    if therapy is not None:  # a kind of therapy (targeted therapy): queries ask for the role
        c.typed(node, therapy, term.iri)
    elif term.is_a(VLMS + "Procedure"):
        c.typed(node, term.iri)
    else:
        role = _ROLE_BY_TECHNIQUE.get(term.iri)
        if role is None:
            role = "ImagingProcedure" if term.iri in _imaging_iris(c) \
                else ("BiopsyProcedure" if "biops" in term.label.lower() else "SurgicalProcedure")
        c.typed(node, role, term.iri)
    c.event(node, phase)
    return node


def _imaging_iris(c: _Compiler) -> set[str]:
    return {t.iri for t in c.index.of_kind("modality")}


def _initial_diagnosis(c: _Compiler, value: Any, studies: dict[str, ox.NamedNode]) -> None:
    if value is None:
        return
    field: FieldPath = ("initial diagnosis",)
    data = _item(value, field, SECTION_KEYS["initial diagnosis"], "diagnosis")
    if "diagnosis" not in data:
        raise SheetError("an initial diagnosis needs 'diagnosis'", field=field,
                         hint="write diagnosis: deep vein thrombosis")
    node = c.node("initialDiagnosis")
    c.typed(node, "DiagnosisEvent")
    c.add(node, "diagnosedAs", c.term(data["diagnosis"], "diagnosis", (*field, "diagnosis")).iri)
    c.add(node, "diagnosisStatus", VLMS + "InitialMisdiagnosis")
    c.event(node, 40)
    for n, word in enumerate(as_list(data.get("based on", []), (*field, "based on"))):
        modality = c.term(word, "modality", (*field, "based on", n))
        c.add(node, "basedOn", studies.get(modality.iri) or _imaging_event(c, modality))
    for n, word in enumerate(as_list(data.get("treated with", []), (*field, "treated with"))):
        term = c.term(word, "procedure", (*field, "treated with", n))
        step = _procedure(c, term, "initialTreatment" + _slug(term), 41)
        c.add(step, "indication", node)
    c.provenance(node, data, field)


def _biopsy(c: _Compiler, value: Any) -> None:
    if value is None:
        return
    field: FieldPath = ("biopsy",)
    data = as_mapping(value, field, SECTION_KEYS["biopsy"])
    if not _bool(data.get("given", True), (*field, "given")):
        extra = set(data) - {"given", *_PROV}
        if extra:
            raise SheetError("a biopsy that was not done has no details",
                             field=(*field, sorted(extra)[0]),
                             hint="remove the details or 'given: no'")
        raise SheetError("'biopsy: {given: no}' has no concept in the value sets yet",
                         field=(*field, "given"), hint="leave biopsy out and add a note")
    term = c.term(data.get("technique", "biopsy"), "procedure", (*field, "technique"))
    node = c.node("biopsy")
    if term.is_a(VLMS + "Procedure"):
        c.typed(node, term.iri)
    else:
        c.typed(node, "BiopsyProcedure", term.iri)
    c.add(node, "intent", VLMS + "DiagnosticIntent")
    c.event(node, 50)
    c.references["biopsy"] = node
    if "guided by" in data:
        modality = c.term(data["guided by"], "modality", (*field, "guided by"))
        guide = c.node("biopsyGuidance")
        c.typed(guide, "ImagingProcedure", modality.iri)
        c.add(guide, _PART_OF.value, node)
        c.event(guide, 50)
    if "result" in data:
        result = c.node("biopsyDiagnosis")
        c.typed(result, "DiagnosisEvent")
        c.add(result, "diagnosedAs", c.term(data["result"], "diagnosis", (*field, "result")).iri)
        c.add(result, "diagnosisStatus", VLMS + "PresumptiveDiagnosis")
        c.add(result, "basedOn", node)
        c.event(result, 51)
        c.references.setdefault("diagnosis", result)
    c.provenance(node, data, field)


def _final_diagnosis(c: _Compiler, value: Any) -> None:
    """The diagnosis the pathology of the resected tumour gave."""
    if value is None:
        return
    field: FieldPath = ("final diagnosis",)
    data = _item(value, field, SECTION_KEYS["final diagnosis"], "diagnosis")
    node = c.node("finalDiagnosis")
    c.typed(node, "DiagnosisEvent")
    diagnosis = c.term(data.get("diagnosis"), "diagnosis", (*field, "diagnosis"))
    c.add(node, "diagnosedAs", diagnosis.iri)
    c.add(node, "diagnosisStatus", VLMS + "FinalDiagnosis")
    c.add(node, "basedOn", _pathology(c))
    if c.base + "immunohistochemistry" in c.events:
        c.add(node, "basedOn", _ihc(c))
    c.event(node, 76)
    c.references["diagnosis"] = node
    c.provenance(node, data, field)


def _operations(c: _Compiler, value: Any, tumour: ox.NamedNode) -> ox.NamedNode | None:
    items = [(n, as_mapping(item, ("operations", n), ITEM_KEYS["operations"]))
             for n, item in enumerate(as_list(value or [], ("operations",)))]
    marked = [n for n, item in items if "index" in item
              and _bool(item["index"], ("operations", n, "index"))]
    if len(marked) > 1:
        raise SheetError("more than one operation is marked 'index: yes'",
                         field=("operations", marked[1], "index"),
                         hint="mark only the principal tumour operation")
    index_n = marked[0] if marked else (items[0][0] if items else None)
    names: dict[int, ox.NamedNode] = {}
    for n, data in items:
        field: FieldPath = ("operations", n)
        if "name" not in data:
            raise SheetError("an operation needs 'name'", field=field,
                             hint="write name: en bloc resection")
        term = c.term(data["name"], "procedure", (*field, "name"))
        local = "operation" if n == index_n else "operation" + _slug(term)
        node = c.node(local)
        names[n] = node
        c.typed(node, "SurgicalProcedure", term.iri)
        phase = 70 if n == index_n else (60 if index_n is not None and n < index_n else 80)
        c.event(node, phase, Decimal(0) if n == index_n else None)
        c.references[normalize_word(data["name"])] = node
        c.references[normalize_word(term.label)] = node
        if n == index_n:
            c.references["index"] = node
            c.references["index operation"] = node
            c.months["index"] = Decimal(0)
    for n, data in items:
        _operation(c, names[n], data, ("operations", n), tumour, n == index_n)
    return names[index_n] if index_n is not None else None


def _operation(c: _Compiler, node: ox.NamedNode, data: dict[str, Any], field: FieldPath,
               tumour: ox.NamedNode, is_index: bool) -> None:
    local = node.value[len(c.base):]
    if "intent" in data:
        c.add(node, "intent", c.term(data["intent"], "intent", (*field, "intent")).iri)
    if "result" in data:
        word = _text(data["result"], (*field, "result")).lower()
        if word not in ("successful", "unsuccessful"):
            raise SheetError(f"unknown result '{word}'", field=(*field, "result"),
                             hint="write successful or unsuccessful (and a note)")
        c.add(node, "procedureResult", VLMS + word.capitalize())
    for n, word in enumerate(as_list(data.get("approach", []), (*field, "approach"))):
        term = c.term(word, "procedure", (*field, "approach", n))
        step = c.node(local + _slug(term))
        c.typed(step, "SurgicalProcedure", term.iri)
        c.add(step, _PART_OF.value, node)
        c.event(step, c.events[node.value].phase)
    for n, word in enumerate(as_list(data.get("resected", []), (*field, "resected"))):
        c.add(node, "resectedStructure", c.site(word, (*field, "resected", n)))
    for n, word in enumerate(as_list(data.get("en bloc", []), (*field, "en bloc"))):
        organ = c.term(word, "anatomy", (*field, "en bloc", n))
        step = c.node(local + "EnBloc" + _slug(organ))
        c.typed(step, "SurgicalProcedure", OBO + "MAXO_0000448")
        c.add(step, _PART_OF.value, node)
        c.add(step, "resectedStructure", c.structure(organ))
        c.lit(step, "enBloc", True, "boolean")
        c.event(step, c.events[node.value].phase)
    if "target" in data:
        c.add(node, "targetSite", c.site(data["target"], (*field, "target")))
    for n, item in enumerate(as_list(data.get("vascular management", []),
                                   (*field, "vascular management"))):
        _vessel_management(c, node, item, (*field, "vascular management", n))
    if "margin" in data:
        c.add(node, "marginStatus", c.term(data["margin"], "margin", (*field, "margin")).iri)
    if "blood loss ml" in data:
        c.lit(node, "bloodLossMl", _number(data["blood loss ml"], (*field, "blood loss ml"),
                                           high=Decimal(50000)), "decimal")
    if "operating time min" in data:
        c.lit(node, "operativeTimeMinutes",
              _number(data["operating time min"], (*field, "operating time min"),
                      strict_low=True, high=Decimal(2880)), "decimal")
    if "time" in data:
        if is_index and not isinstance(data["time"], dict):
            raise SheetError("the index operation cannot be timed from itself",
                             field=(*field, "time"),
                             hint="write {time: \"2 weeks\", after: diagnosis}")
        timed = c.read_time(data["time"], (*field, "time"))
        c.timing(node, timed)
        c.events[node.value].months = c.months_after_index(timed)
    for n, item in enumerate(as_list(data.get("complications", []), (*field, "complications"))):
        _complication(c, node, item, (*field, "complications", n))
    c.provenance(node, data, field)


def _vessel_management(c: _Compiler, operation: ox.NamedNode, item: Any,
                       field: FieldPath) -> None:
    data = _item(item, field, ITEM_KEYS["vascular management"], "kind")
    kind = _text(data.get("kind", ""), (*field, "kind")).lower()
    if kind not in _MANAGEMENT:
        raise SheetError(f"unknown vascular management '{kind}'", field=(*field, "kind"),
                         hint="write one of: " + ", ".join(_MANAGEMENT))
    cls = _MANAGEMENT[kind]
    node = c.node(operation.value[len(c.base):] + _camel(kind))
    if cls.startswith(OBO):
        c.typed(node, "SurgicalProcedure", cls)
    else:
        c.typed(node, cls)
    c.add(node, _PART_OF.value, operation)
    c.event(node, c.events[operation.value].phase)
    vessel = c.vessel
    target = c.site(data["vessel"], (*field, "vessel")) if "vessel" in data else vessel
    if kind == "reimplantation":
        c.lit(node, "description", "reimplantation")
        if "vessel" not in data:
            raise SheetError("a reimplantation names the vessel reimplanted",
                             field=field,
                             hint="write {kind: reimplantation, vessel: left renal vein}")
        assert target is not None
        c.add(node, "anastomosisBetween", target)
        if vessel is not None:
            c.add(node, "anastomosisBetween", vessel)
    elif target is not None and kind != "anastomosis":
        c.add(node, "targetSite", target)
    if "between" in data:
        ends = as_list(data["between"], (*field, "between"))
        for n, word in enumerate(ends):
            c.add(node, "anastomosisBetween", c.site(word, (*field, "between", n)))
    if "material" in data:
        if kind not in ("graft", "patch"):
            raise SheetError("only a graft or a patch has a material", field=(*field, "material"),
                             hint="remove 'material' or change the kind")
        c.add(node, "graftMaterial",
              c.term(data["material"], "graft material", (*field, "material")).iri)
    if "diameter mm" in data:
        mm = _number(data["diameter mm"], (*field, "diameter mm"), strict_low=True)
        c.lit(node, "description", f"graft diameter {mm} mm")
    if "decision" in data:
        c.add(node, "decisionTiming",
              c.term(data["decision"], "decision", (*field, "decision")).iri)
    if "reason" in data:
        c.lit(node, "decisionReason", _text(data["reason"], (*field, "reason")))
    c.provenance(node, data, field)


def _assessment(c: _Compiler, timed: _Timed | None, field: FieldPath) -> ox.NamedNode:
    """The follow-up visit at the time ``timed`` (shared by findings made at that time)."""
    if timed is None or timed.value is None:
        return _last_follow_up_node(c)
    from kg.sheets.timing import format_time
    words = format_time(timed.value)
    if timed.reference != "index" or timed.relation != "After":
        words += f" {timed.relation} {timed.reference}"
    local = "assessment" + _camel(words)
    node = ox.NamedNode(c.base + local)
    if node.value not in c.events:
        c.names.add(local)
        c.typed(node, "FollowUpAssessment")
        c.timing(node, timed)
        months = c.months_after_index(timed)
        if months is not None and months < 0:
            raise SheetError("the time lies before the index operation it counts from",
                             field=timed.field,
                             hint="give the time after the operation, or name another "
                                  "reference with {time: ..., after: ...}")
        c.event(node, 80, months)
    return node


def _last_follow_up_node(c: _Compiler) -> ox.NamedNode:
    node = ox.NamedNode(c.base + "lastFollowUp")
    if node.value not in c.events:
        c.names.add("lastFollowUp")
        c.typed(node, "LastFollowUp")
        c.event(node, 90)
    return node


def _complication(c: _Compiler, operation: ox.NamedNode, item: Any, field: FieldPath) -> None:
    data = _item(item, field, ITEM_KEYS["complications"], "complication")
    if "complication" not in data:
        raise SheetError("a complication item needs 'complication'", field=field,
                         hint="write {complication: graft occlusion}")
    concept = c.term(data["complication"], "finding", (*field, "complication"))
    present = _bool(data.get("present", True), (*field, "present"))
    seen = None
    if "time" in data:
        seen = _assessment(c, c.read_time(data["time"], (*field, "time")), (*field, "time"))
    node = c.finding(operation.value[len(c.base):] + "Complication" + _slug(concept),
                     "Complication", concept.iri, present, seen)
    c.add(node, "followsProcedure", operation)
    if "management" in data:
        c.add(node, "management",
              c.term(data["management"], "management", (*field, "management")).iri)
    c.provenance(node, data, field)


def _pathology_events(c: _Compiler) -> None:
    for local in ("pathology", "immunohistochemistry"):
        event = c.events.get(c.base + local)
        if event is not None:
            event.months = Decimal(0) if "index" in c.references else None


def _therapy(c: _Compiler, value: Any) -> None:
    for n, item in enumerate(as_list(value or [], ("therapy",))):
        field: FieldPath = ("therapy", n)
        data = as_mapping(item, field, ITEM_KEYS["therapy"])
        kind = _text(data["kind"], (*field, "kind")).lower() if "kind" in data else None
        technique = None
        if kind is not None and kind not in _THERAPY:
            technique = c.term(data["kind"], "procedure", (*field, "kind"))
        intent = c.term(data["intent"], "intent", (*field, "intent")) if "intent" in data \
            else None
        intent_name = intent.iri[len(VLMS):] if intent else None
        if not _bool(data.get("given", True), (*field, "given")):
            concept = _NOT_GIVEN.get((kind, intent_name)) or _NOT_GIVEN.get((kind, None))
            if concept is None:
                raise SheetError("say which therapy was not given", field=field,
                                 hint="write {kind: chemotherapy, intent: adjuvant, given: no}, "
                                      "or {intent: adjuvant, given: no} for no adjuvant "
                                      "therapy at all")
            stated = intent if (kind, intent_name) in _NOT_GIVEN else None
            name = "no" + _camel(f"{stated.label if stated else ''} {kind or 'therapy'}")
            node = c.finding(name, "TreatmentFinding", concept, False)
            c.provenance(node, data, field)
            continue
        if kind is None:
            raise SheetError("a therapy given needs 'kind'", field=field,
                             hint="write kind: chemotherapy or kind: radiotherapy")
        words = f"{kind} {intent.label.replace(' intent', '') if intent else ''}"
        if technique is None:
            node = c.node(_lower_camel(words))
            c.typed(node, *_THERAPY[kind])
        else:
            words = f"{_slug(technique)} {intent.label.replace(' intent', '') if intent else ''}"
            node = _procedure(c, technique, _lower_camel(words), 80)
            del c.events[node.value]
        if intent:
            c.add(node, "intent", intent.iri)
        for m, word in enumerate(as_list(data.get("agents", []), (*field, "agents"))):
            c.add(node, "agent", c.term(word, "drug", (*field, "agents", m)).iri)
        details = []
        if "dose" in data:
            details.append(f"dose: {_text(data['dose'], (*field, 'dose'))}")
        if "cycles" in data:
            cycles = _number(data["cycles"], (*field, "cycles"), integer=True, strict_low=True)
            details.append(f"cycles: {cycles}")
        if details:
            c.lit(node, "description", "; ".join(details))
        months = None
        if "time" in data:
            timed = c.read_time(data["time"], (*field, "time"))
            c.timing(node, timed)
            months = c.months_after_index(timed)
        phase = 65 if intent_name == "NeoadjuvantIntent" else 80
        c.event(node, phase, months if months is not None
                else (Decimal(0) if phase == 80 else None))
        if intent_name == "ForMetastasisIntent" and months is None:
            c.events[node.value].phase = 85
        c.provenance(node, data, field)


def _events(c: _Compiler, value: Any) -> None:
    for n, item in enumerate(as_list(value or [], ("events",))):
        field: FieldPath = ("events", n)
        data = as_mapping(item, field, ITEM_KEYS["events"])
        kind = _text(data.get("kind", ""), (*field, "kind")).lower()
        if kind not in _EVENT_KINDS:
            raise SheetError(f"unknown event kind '{kind}'", field=(*field, "kind"),
                             hint="write metastasis or local recurrence")
        present = _bool(data.get("present", True), (*field, "present"))
        timed = c.read_time(data["time"], (*field, "time")) if "time" in data else None
        seen = _assessment(c, timed, field)
        if kind == "metastasis":
            site = None
            if "site" in data:
                term = c.term(data["site"], "anatomy", (*field, "site"))
                site = c.structure(term)
                concept = _METASTASIS_CONCEPTS.get(term.iri, _METASTASIS)
                name = "metastasis" + _slug(term)
            elif present:
                raise SheetError("a metastasis needs its site", field=field,
                                 hint="add site: (e.g. lung, liver)")
            else:
                concept, name = _METASTASIS, "noMetastasis"
            node = c.finding(name if present else name.replace("metastasis", "noMetastasis", 1)
                             if site else name,
                             "Metastasis" if site else "Finding", concept, present, seen)
            if site is not None:
                c.add(node, "site", site)
        else:
            node = c.finding("localRecurrence" if present else "noLocalRecurrence",
                             "Recurrence", VLMS + "LocalRecurrence", present, seen)
            if "site" in data:
                c.add(node, "site", c.site(data["site"], (*field, "site")))
        for m, word in enumerate(as_list(data.get("treatment", []), (*field, "treatment"))):
            term = c.term(word, "procedure", (*field, "treatment", m))
            step = _procedure(c, term, node.value[len(c.base):] + "Treatment" + _slug(term), 85)
            if kind == "metastasis":
                c.add(step, "intent", VLMS + "ForMetastasisIntent")
            event = c.events[step.value]
            event.months = c.events[seen.value].months
            if c.events[seen.value].phase != 90:
                c.references["event:" + seen.value] = seen
                c.timing(step, _Timed(None, "After", "event:" + seen.value, (*field, "treatment")))
        c.provenance(node, data, field)


def _follow_up(c: _Compiler, value: Any, case: ox.NamedNode) -> None:
    if value is None:
        return
    field: FieldPath = ("follow up",)
    data = as_mapping(value, field, SECTION_KEYS["follow up"])
    node = _last_follow_up_node(c)
    c.add(case, "lastFollowUp", node)
    if "time" in data:
        timed = c.read_time(data["time"], (*field, "time"))
        c.timing(node, timed)
        months = c.months_after_index(timed)
        if months is not None and months < 0:
            raise SheetError("the last follow-up lies before the index operation it counts "
                             "from", field=(*field, "time"),
                             hint="give the time after the operation")
        if months is not None:
            for event in c.events.values():
                if event.months is not None and event.months > months and event.phase >= 80:
                    raise SheetError(
                        f"an event at {event.months} months lies after the last follow-up "
                        f"({months} months)", field=(*field, "time"),
                        hint="the last follow-up is the latest time the source reports; "
                             "correct one of the two times")
    if "vital status" in data:
        c.add(node, "vitalStatus",
              c.term(data["vital status"], "vital status", (*field, "vital status")).iri)
    if "disease status" in data:
        c.add(node, "diseaseStatus",
              c.term(data["disease status"], "disease status", (*field, "disease status")).iri)
    if "cause of death" in data:
        c.lit(node, "description", f"cause of death: "
              f"{_text(data['cause of death'], (*field, 'cause of death'))}")
    c.provenance(node, data, field)


def _positions(c: _Compiler, case: ox.NamedNode) -> None:
    """Timeline positions, one per event: by phase of care (work-up, operation, after it,
    last follow-up), then months after the index operation, then the sheet's order."""
    def key(event: _Event) -> tuple[int, Decimal, int, int]:
        bucket = event.phase if event.phase < 80 or event.phase == 90 else 80
        return bucket, event.months or Decimal(0), event.phase, event.seq

    for position, event in enumerate(sorted(c.events.values(), key=key)):
        c.lit(event.node, "timelinePosition", position, "integer")
        c.add(case, "hasEvent", event.node)
