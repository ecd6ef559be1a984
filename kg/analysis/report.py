"""The self-contained HTML report: Table 1, the survival figures, the literature side by side
and the case table with citations, in one file that opens offline.

The page is rendered from the Jinja2 template shipped in the package
(``kg/analysis/templates/report.html.j2``, autoescaped); every figure is a PNG inlined as a
``data:`` URI and the styles are in the page, so nothing is fetched when it opens.

>>> from kg.store import open_store
>>> from kg.analysis.records import extract_records
>>> store = open_store()
>>> html = render_report(store, extract_records(store), figures=False)
>>> "<h2 id=\\"summary\\">" in html and "lms-ivc-two-cases-c1" in html
True
"""

from __future__ import annotations

import base64
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from kg.analysis.fields import SelectionError, select
from kg.analysis.literature import Comparison, compare_literature
from kg.analysis.records import CaseRecord
from kg.analysis.summary import summarise
from kg.analysis.survival import MILESTONES, SurvivalAnalysis, analyse
from kg.errors import InputError
from kg.store.base import Store

__all__ = ["REPORT_FILE", "SECTIONS", "Figure", "render_report", "write_report"]

#: the report's file name inside the output folder.
REPORT_FILE = "index.html"
#: the survival analyses of the report: title, endpoint, grouping field, extra condition.
SECTIONS: tuple[tuple[str, str, str | None, tuple[str, ...]], ...] = (
    ("Overall survival, all cases", "overall", None, ()),
    ("Overall survival by vessel group", "overall", "vessel-group", ()),
    ("Overall survival by IVC segment (IVC tumours)", "overall", "ivc-segment",
     ("vessel-group=inferior vena cava",)),
    ("Overall survival by resection margin", "overall", "margin", ()),
    ("Overall survival by vascular management", "overall", "management", ()),
    ("Event-free survival, all cases", "event-free", None, ()),
    ("Metastasis-free survival, all cases", "metastasis-free", None, ()),
)


@dataclass(frozen=True)
class Figure:
    """One survival section: its analysis and inlined image, or why there is none."""

    title: str
    analysis: SurvivalAnalysis | None
    image: str | None  #: a data: URI
    message: str | None


def _figures(records: Sequence[CaseRecord], draw: bool) -> list[Figure]:
    found = []
    for title, endpoint, by, where in SECTIONS:
        try:
            analysis = analyse(select(records, where), endpoint, "surgery", by)
        except SelectionError as err:
            found.append(Figure(title, None, None, str(err)))
            continue
        image = None
        if draw:
            from kg.analysis.plots import draw_survival

            data = base64.b64encode(draw_survival(analysis, "png", title)).decode("ascii")
            image = f"data:image/png;base64,{data}"
        found.append(Figure(title, analysis, image, None))
    return found


def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("kg.analysis", "templates"),
                              autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True)


def render_report(store: Store, records: Sequence[CaseRecord], figures: bool = True) -> str:
    """The report's HTML for ``records`` (the literature figures are read from ``store``);
    ``figures=False`` leaves the images out (faster, for tests of the text)."""
    if not records:
        raise SelectionError("no case to report on", hint="check the store holds cases")
    comparisons: list[Comparison] = compare_literature(store, records)
    template = _environment().get_template("report.html.j2")
    header, rows = summarise(records).rows()
    return template.render(
        n=len(records), synthetic=sum(1 for r in records if r.synthetic),
        summary_header=header, summary_rows=rows, figures=_figures(records, figures),
        milestones=MILESTONES, comparisons=comparisons,
        cases=sorted(records, key=lambda r: r.case_id))


def write_report(store: Store, records: Sequence[CaseRecord], out: Path | str) -> Path:
    """Write the report to ``out/index.html`` (the folder is created; the file is replaced
    only once it is complete) and return its path."""
    folder = Path(out)
    html = render_report(store, records)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".report-", suffix=".html", dir=folder)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(html)
        os.chmod(temporary, 0o644)  # readable like any other file (mkstemp makes it private)
        target = folder / REPORT_FILE
        os.replace(temporary, target)
    except OSError as err:
        raise InputError(f"cannot write the report: {err.strerror or err}", file=str(folder),
                         hint="give a folder you can write to with --out") from err
    return target
