"""A cBioPortal study folder: meta files, clinical patient and sample files, timelines.

Conventions (each column's description line says them too): day 0 and month 0 are the
**index operation** (case reports rarely date the diagnosis), months are
``days / 30.4375``; ``OS_STATUS`` is ``1:DECEASED`` or ``0:LIVING`` from the last follow-up;
``DFS_STATUS`` and ``DFS_MONTHS`` are the event-free time of ``vlmskg survival`` (first
recurrence, metastasis or death; cases it leaves out are ``[Not Available]``). Timeline
files hold only events the case times against the operation.

>>> study_files([], "vlms_kg")["meta_study.txt"].splitlines()[0]
'type_of_cancer: vlms'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from kg.exports.facts import CaseFacts

__all__ = ["study_files", "STUDY_ID", "CANCER_TYPE", "NOT_AVAILABLE", "DAYS_PER_MONTH",
           "valid_study_id"]

STUDY_ID = "vlms_kg"
CANCER_TYPE = "vlms"
NOT_AVAILABLE = "[Not Available]"
DAYS_PER_MONTH = 30.4375
_STUDY_ID = re.compile(r"^[a-z0-9_]+$")


def valid_study_id(identifier: str) -> bool:
    """cBioPortal's rule for study ids: lower-case letters, digits and ``_``.

    >>> valid_study_id("vlms_kg"), valid_study_id("vlms-kg")
    (True, False)
    """
    return bool(_STUDY_ID.match(identifier))


@dataclass(frozen=True)
class Column:
    """One clinical attribute: the four header lines and how to read it from a case."""

    id: str
    name: str
    description: str
    datatype: str  # STRING | NUMBER | BOOLEAN
    value: Callable[[CaseFacts], object]
    priority: int = 1


def _number(value: float | int | None) -> str:
    if value is None:
        return NOT_AVAILABLE
    return f"{value:g}" if isinstance(value, float) else str(value)


def _text(value: object) -> str:
    if value is None or value == "" or value == ():
        return NOT_AVAILABLE
    if isinstance(value, tuple):
        return "; ".join(str(getattr(v, "label", v)) for v in value)
    return str(getattr(value, "label", value)).replace("\t", " ")


def _os_status(f: CaseFacts) -> str:
    if f.overall.months is None:
        return NOT_AVAILABLE
    return "1:DECEASED" if f.overall.event else "0:LIVING"


def _dfs_status(f: CaseFacts) -> str:
    if f.event_free.months is None:
        return NOT_AVAILABLE
    return "1:Recurred/Progressed" if f.event_free.event else "0:DiseaseFree"


PATIENT_COLUMNS = (
    Column("PATIENT_ID", "Patient Identifier", "Case id in vlms-kg", "STRING", lambda f: f.id),
    Column("AGE", "Age", "Age at presentation as reported (years)", "NUMBER",
           lambda f: _number(f.record.age_years)),
    Column("SEX", "Sex", "Sex as reported", "STRING",
           lambda f: f.record.sex.title() if f.record.sex else NOT_AVAILABLE),
    Column("OS_STATUS", "Overall Survival Status", "Vital status at last follow-up", "STRING",
           _os_status),
    Column("OS_MONTHS", "Overall Survival (Months)",
           "Months from the index operation to last follow-up (30.4375 days a month)", "NUMBER",
           lambda f: _number(f.overall.months)),
    Column("DFS_STATUS", "Disease Free Status",
           "Recurrence, metastasis or death after the index operation (as vlmskg survival "
           "--endpoint event-free counts it)", "STRING", _dfs_status),
    Column("DFS_MONTHS", "Disease Free (Months)",
           "Months from the index operation to the first recurrence, metastasis or death, or "
           "to last follow-up", "NUMBER", lambda f: _number(f.event_free.months)),
    Column("PUBLICATION", "Publication", "vlms-kg publication id", "STRING",
           lambda f: f.record.publication),
    Column("CASE_NUMBER", "Case Number", "Number of the case in its publication", "NUMBER",
           lambda f: _number(f.record.case_number)),
    Column("DISEASE_STATUS", "Disease Status", "Disease status at last follow-up", "STRING",
           lambda f: _text(f.record.disease_status)),
)

SAMPLE_COLUMNS = (
    Column("PATIENT_ID", "Patient Identifier", "Case id in vlms-kg", "STRING", lambda f: f.id),
    Column("SAMPLE_ID", "Sample Identifier", "The primary tumour of the case", "STRING",
           lambda f: f"{f.id}-primary"),
    Column("CANCER_TYPE", "Cancer Type", "Cancer type", "STRING",
           lambda f: "Leiomyosarcoma"),
    Column("CANCER_TYPE_DETAILED", "Cancer Type Detailed", "Vascular leiomyosarcoma by vessel",
           "STRING", lambda f: _text(f.tumour_classes[-1] if f.tumour_classes else None)),
    Column("SAMPLE_TYPE", "Sample Type", "Primary tumour", "STRING", lambda f: "Primary"),
    Column("PRIMARY_SITE", "Primary Site", "Vessel of origin", "STRING",
           lambda f: _text(f.vessel)),
    Column("VESSEL_SIDE", "Vessel Side", "Laterality of the vessel of origin", "STRING",
           lambda f: _text(f.laterality)),
    Column("IVC_SEGMENT", "IVC Segment", "Inferior vena cava segments involved", "STRING",
           lambda f: _text(f.segments)),
    Column("TUMOR_GRADE", "Tumor Grade", "Grade as reported", "STRING",
           lambda f: _text(f.grade)),
    Column("TUMOR_SIZE_CM", "Tumor Size (cm)", "Largest dimension reported (cm)", "NUMBER",
           lambda f: _number(f.record.size_cm)),
    Column("MARGIN_STATUS", "Margin Status", "Resection margin (R0/R1/R2)", "STRING",
           lambda f: _text(f.margin)),
    Column("VASCULAR_MANAGEMENT", "Vascular Management",
           "How the vessel was managed (ligation, graft, patch, repair...)", "STRING",
           lambda f: _text(f.vessel_management)),
    Column("IHC", "Immunohistochemistry", "Marker results as reported", "STRING",
           lambda f: _text(tuple(f"{m.label} {r}" for m, r in f.markers))),
)


def _clinical(columns: Sequence[Column], cases: Iterable[CaseFacts]) -> str:
    header = ["#" + "\t".join(c.name for c in columns),
              "#" + "\t".join(c.description for c in columns),
              "#" + "\t".join(c.datatype for c in columns),
              "#" + "\t".join(str(c.priority) for c in columns),
              "\t".join(c.id for c in columns)]
    rows = ["\t".join(str(c.value(f)) for c in columns) for f in cases]
    return "\n".join(header + rows) + "\n"


def _meta(study: str, **fields: str) -> str:
    return "".join(f"{k}: {v}\n" for k, v in {"cancer_study_identifier": study,
                                              **fields}.items())


def _days(months: float) -> int:
    return round(months * DAYS_PER_MONTH)


def _timelines(cases: Sequence[CaseFacts]) -> dict[str, list[list[str]]]:
    """Rows by event type: ``PATIENT_ID START_DATE STOP_DATE EVENT_TYPE ...``."""
    surgery: list[list[str]] = []
    treatment: list[list[str]] = []
    status: list[list[str]] = []
    for f in cases:
        for p in f.procedures:
            if p.months is None:
                continue
            if p.kind == "surgery":
                surgery.append([f.id, str(_days(p.months)), "", "SURGERY", p.code.label,
                                "yes" if p.is_index else "no"])
            elif p.kind in ("systemic therapy", "radiation therapy"):
                kind = "Chemotherapy" if p.kind == "systemic therapy" else "Radiation Therapy"
                agent = "; ".join(a.label for a in p.agents) or p.code.label
                treatment.append([f.id, str(_days(p.months)), "", "TREATMENT", kind, agent])
        for m in f.metastases:
            if m.months is not None:
                status.append([f.id, str(_days(m.months)), "", "STATUS", "Metastasis",
                               m.site.label if m.site else NOT_AVAILABLE])
        for months in f.recurrences:
            if months is not None:
                status.append([f.id, str(_days(months)), "", "STATUS", "Recurrence",
                               NOT_AVAILABLE])
        if f.overall.months is not None:
            status.append([f.id, str(_days(f.overall.months)), "", "STATUS",
                           "Death" if f.overall.event else "Last follow-up, alive",
                           NOT_AVAILABLE])
    return {
        "surgery": [["PATIENT_ID", "START_DATE", "STOP_DATE", "EVENT_TYPE", "PROCEDURE",
                     "INDEX_OPERATION"], *surgery],
        "treatment": [["PATIENT_ID", "START_DATE", "STOP_DATE", "EVENT_TYPE",
                       "TREATMENT_TYPE", "AGENT"], *treatment],
        "status": [["PATIENT_ID", "START_DATE", "STOP_DATE", "EVENT_TYPE", "STATUS",
                    "SITE"], *status],
    }


def study_files(cases: Sequence[CaseFacts], study: str = STUDY_ID) -> dict[str, str]:
    """Every file of the study folder, by file name."""
    files = {
        "meta_study.txt": "type_of_cancer: " + CANCER_TYPE + "\n" + _meta(
            study, name="Vascular leiomyosarcoma: published case reports (vlms-kg)",
            description="Patients with leiomyosarcoma of a blood vessel as reported in the "
                        "literature, curated in vlms-kg. Day 0 is the index operation.",
            add_global_case_list="true"),
        "meta_cancer_type.txt": "genetic_alteration_type: CANCER_TYPE\ndatatype: CANCER_TYPE\n"
                                "data_filename: cancer_type.txt\n",
        "cancer_type.txt": f"{CANCER_TYPE}\tVascular leiomyosarcoma\tLightYellow\ttissue\n",
        "meta_clinical_patient.txt": _meta(study, genetic_alteration_type="CLINICAL",
                                           datatype="PATIENT_ATTRIBUTES",
                                           data_filename="data_clinical_patient.txt"),
        "data_clinical_patient.txt": _clinical(PATIENT_COLUMNS, cases),
        "meta_clinical_sample.txt": _meta(study, genetic_alteration_type="CLINICAL",
                                          datatype="SAMPLE_ATTRIBUTES",
                                          data_filename="data_clinical_sample.txt"),
        "data_clinical_sample.txt": _clinical(SAMPLE_COLUMNS, cases),
    }
    for kind, rows in _timelines(cases).items():
        files[f"meta_timeline_{kind}.txt"] = _meta(
            study, genetic_alteration_type="CLINICAL", datatype="TIMELINE",
            data_filename=f"data_timeline_{kind}.txt")
        files[f"data_timeline_{kind}.txt"] = "".join("\t".join(r) + "\n" for r in rows)
    return files
