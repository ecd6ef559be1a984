"""A commented case-sheet skeleton for case N of a publication (``vlmskg new-case``).

Every field is there, commented out, with what it takes; the curator uncomments what the
source states and leaves the rest (left out = not reported).

>>> text = skeleton("lms-ivc-two-cases", 3)
>>> text.splitlines()[2:4]
['publication: lms-ivc-two-cases', 'case number: 3']
>>> from kg.sheets.loader import read_sheet_text
>>> read_sheet_text(text, file="x")
{'publication': 'lms-ivc-two-cases', 'case number': 3}
"""

from __future__ import annotations

__all__ = ["skeleton"]

_BODY = """\
# source: case report 1            # where in the publication this patient is described
# note: ...                        # curation note for the whole case, in your own words

# patient:
#   age: 60                        # years at presentation
#   sex: female                    # male | female

# tumour:
#   vessel: inferior vena cava     # vessel of origin (vlmskg terms WORD --kind vessel)
#   segment: [middle, lower]       # IVC only: upper | middle | lower | renal vein confluence
#   side: left                     # left | right, laterality of the vessel
#   growth: [intraluminal]         # intraluminal | extraluminal (one or both)
#   extends into: [right atrium]
#   adjacent to: [duodenum]        # in contact, infiltration not shown
#   size:                          # every size given, in cm, as printed
#     - {cm: [10, 8], by: MRI}     # by: the imaging modality, or pathology
#   grade: high                    # high | intermediate | low | FNCLCC grade 1/2/3
#   mitoses: {per 10 HPF: 12}      # or {per 10 HPF: 10, comparator: more than}
#   necrosis: present              # present | absent
#   immunohistochemistry:          # marker: positive | negative | focal | equivocal
#     desmin: positive
#   metastasis at presentation: no # yes | no | [liver, lung]

# presentation:
#   symptoms:                      # present symptoms, and stated absences
#     - abdominal pain
#     - {symptom: peripheral edema, duration: "3 months", site: lower limb, side: left}
#     - {symptom: fever, present: no}
#   incidental: yes                # found by chance (only if stated)

# imaging:                         # each study: modality, what it showed
#   - {modality: CT, finding: tumour mass, site: retroperitoneum}

# initial diagnosis:               # what it was first taken for
#   diagnosis: deep vein thrombosis
#   based on: [duplex ultrasonography]
#   treated with: [anticoagulant therapy]
# biopsy:
#   technique: core needle biopsy
#   guided by: CT
#   result: leiomyosarcoma
# final diagnosis: leiomyosarcoma  # what pathology of the resected tumour showed

# operations:                      # the first is the index operation, unless one has index: yes
#   - name: en bloc resection
#     intent: curative
#     approach: laparotomy
#     resected: [inferior vena cava]
#     en bloc: [right kidney]
#     vascular management:         # ligation | primary repair | patch | graft | anastomosis
#                                  #   | reimplantation
#       - {kind: graft, material: PTFE, decision: intraoperative, reason: ...}
#     margin: R0                   # R0 | R1 | R2
#     blood loss ml: 1200
#     operating time min: 300
#     complications:
#       - {complication: graft occlusion, time: "6 months"}

# therapy:                         # intent: neoadjuvant | adjuvant | for metastasis | palliative
#   - {kind: chemotherapy, intent: adjuvant, agents: [doxorubicin, ifosfamide], cycles: 6}
#   - {kind: radiotherapy, intent: adjuvant, given: no}

# events:                          # recurrence and metastasis; time after the index operation
#   - {kind: metastasis, site: lung, time: "9 months"}
#   - {kind: local recurrence, present: no}

# follow up:                       # the last follow-up
#   time: "30 months"              # or "about 2 years", "more than 12 months"; "12-30 months"
#                                  #   only for a value stated for a group (add a note)
#   vital status: alive            # alive | dead
#   disease status: no evidence of disease
"""


def skeleton(publication: str, number: int) -> str:
    """The skeleton sheet text for case ``number`` of ``publication``."""
    return (f"# Case sheet: case {number} of {publication}. Left out = not reported.\n"
            "# Uncomment what the source states; `vlmskg validate` checks the file.\n"
            f"publication: {publication}\ncase number: {number}\n\n" + _BODY)
