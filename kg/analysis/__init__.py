"""Pooled analysis of the cases: records, Table 1, Kaplan–Meier survival, the literature.

Takes a :class:`kg.store.Store` (or records already read) and gives plain data:

* :mod:`kg.analysis.records` — one flat :class:`CaseRecord` per case (the summary
  variables, and survival times with their censoring and exclusion reasons);
* :mod:`kg.analysis.cache` — :func:`load_records`, the per-case record cache the
  incremental build keeps;
* :mod:`kg.analysis.fields` — the variables by name, ``--where`` and ``--by``;
* :mod:`kg.analysis.summary` — Table 1 (:func:`summarise`);
* :mod:`kg.analysis.survival` — Kaplan–Meier, log-rank (:func:`analyse`);
* :mod:`kg.analysis.literature` — published pooled figures beside the graph's estimates;
* :mod:`kg.analysis.plots` and :mod:`kg.analysis.report` — figures (matplotlib, imported
  only when called) and the self-contained HTML report.

Importing this package does not import matplotlib (``tests/test_analysis_report.py``
checks it in a fresh interpreter).

>>> sorted(ENDPOINTS), ORIGINS
(['event-free', 'metastasis-free', 'overall'], ('surgery', 'diagnosis'))
"""

from kg.analysis.cache import load_records
from kg.analysis.fields import FIELDS, SelectionError, select
from kg.analysis.records import ENDPOINTS, ORIGINS, CaseRecord, SurvivalTime, extract_records
from kg.analysis.summary import Summary, summarise
from kg.analysis.survival import SurvivalAnalysis, analyse, kaplan_meier, logrank

__all__ = ["CaseRecord", "SurvivalTime", "ENDPOINTS", "ORIGINS", "FIELDS", "SelectionError",
           "extract_records", "load_records", "select", "summarise", "Summary", "analyse",
           "SurvivalAnalysis", "kaplan_meier", "logrank"]
