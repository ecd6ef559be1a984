"""Bulk entry: a spreadsheet template (CSV or XLSX, one row per patient) and its import.

Row 1 holds the column names, row 2 says what each column takes (import skips it, and any
row whose first cell starts with ``#``). A filled row becomes a case sheet; lists are
separated by ``;``, sizes are written ``10 x 8``.

>>> row = {"publication": "p", "case number": "3", "age": "54", "sex": "female",
...        "vessel": "IVC", "segment": "middle; lower", "operation": "resection",
...        "margin": "R0", "vascular management": "graft: PTFE", "follow up time": "18 months",
...        "vital status": "alive"}
>>> sheet = row_to_sheet(row)
>>> sheet["tumour"], sheet["operations"][0]["vascular management"]
({'vessel': 'IVC', 'segment': ['middle', 'lower']}, [{'kind': 'graft', 'material': 'PTFE'}])
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.sheets.loader import SheetError

__all__ = ["COLUMNS", "row_to_sheet", "read_rows", "write_template"]

#: column name -> what it takes (the template's second row).
COLUMNS: dict[str, str] = {
    "publication": "publication id (required), e.g. lms-ivc-two-cases",
    "case number": "patient's number in the source (required), e.g. 1",
    "source": "where in the publication, e.g. case report 2",
    "age": "years at presentation, a number",
    "sex": "male | female",
    "vessel": "vessel of origin: label, synonym or CURIE (vlmskg terms WORD --kind vessel)",
    "side": "left | right (of the vessel)",
    "segment": "IVC only: upper; middle; lower; renal vein confluence",
    "growth": "intraluminal; extraluminal",
    "extends into": "structures reached, separated by ;",
    "size cm": "largest size as printed, e.g. 10 x 8",
    "size by": "pathology, or the imaging modality (CT, MRI...)",
    "grade": "high | intermediate | low (or FNCLCC grade 1/2/3)",
    "operation": "the index operation, e.g. en bloc resection",
    "approach": "laparotomy, sternotomy...",
    "vascular management": "ligation; primary repair; patch: MATERIAL; graft: MATERIAL",
    "margin": "R0 | R1 | R2",
    "blood loss ml": "a number",
    "operating time min": "a number",
    "adjuvant chemotherapy": "yes (given) | no (stated not given); blank: not reported",
    "adjuvant radiotherapy": "yes | no; blank: not reported",
    "metastasis site": "first metastasis site(s), separated by ;",
    "metastasis time": "time after the operation, e.g. 9 months",
    "local recurrence time": "time after the operation, or 'no' when stated absent",
    "follow up time": "last follow-up after the operation, e.g. about 2 years",
    "vital status": "alive | dead",
    "disease status": "no evidence of disease | stable disease | progressive disease",
    "note": "curation note for the whole case, in your own words",
}


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _number(value: str) -> Any:
    try:
        return int(value)
    except ValueError:
        try:
            return float(value)
        except ValueError:
            return value


def row_to_sheet(row: dict[str, str]) -> dict[str, Any]:
    """One filled row as a case sheet (blank cells are left out: not reported)."""
    cell = {k: (v or "").strip() for k, v in row.items() if k}
    sheet: dict[str, Any] = {"publication": cell.get("publication", ""),
                             "case number": _number(cell.get("case number", ""))}
    for key in ("source", "note"):
        if cell.get(key):
            sheet[key] = cell[key]
    patient = {k: _number(cell[k]) if k == "age" else cell[k] for k in ("age", "sex")
               if cell.get(k)}
    if patient:
        sheet["patient"] = patient
    tumour: dict[str, Any] = {}
    for key in ("vessel", "side", "grade"):
        if cell.get(key):
            tumour[key] = cell[key]
    for key in ("segment", "growth", "extends into"):
        if cell.get(key):
            tumour[key] = _split(cell[key])
    if cell.get("size cm"):
        dims = [_number(d.strip()) for d in cell["size cm"].lower().replace("×", "x").split("x")]
        tumour["size"] = [{"cm": dims, "by": cell.get("size by") or "pathology"}]
    if tumour:
        sheet["tumour"] = tumour
    if cell.get("operation"):
        operation: dict[str, Any] = {"name": cell["operation"]}
        if cell.get("approach"):
            operation["approach"] = cell["approach"]
        steps = []
        for part in _split(cell.get("vascular management", "")):
            kind, _, material = part.partition(":")
            steps.append({"kind": kind.strip(), "material": material.strip()} if material
                         else kind.strip())
        if steps:
            operation["vascular management"] = steps
        for key in ("margin",):
            if cell.get(key):
                operation[key] = cell[key]
        for key in ("blood loss ml", "operating time min"):
            if cell.get(key):
                operation[key] = _number(cell[key])
        sheet["operations"] = [operation]
    therapy = []
    for kind in ("chemotherapy", "radiotherapy"):
        answer = cell.get(f"adjuvant {kind}", "").lower()
        if answer in ("yes", "no"):
            item: dict[str, Any] = {"kind": kind, "intent": "adjuvant"}
            if answer == "no":
                item["given"] = "no"
            therapy.append(item)
        elif answer:
            therapy.append({"kind": kind, "intent": "adjuvant", "given": answer})
    if therapy:
        sheet["therapy"] = therapy
    events: list[dict[str, Any]] = []
    for site in _split(cell.get("metastasis site", "")):
        event: dict[str, Any] = {"kind": "metastasis", "site": site}
        if cell.get("metastasis time"):
            event["time"] = cell["metastasis time"]
        events.append(event)
    recurrence = cell.get("local recurrence time", "")
    if recurrence.lower() == "no":
        events.append({"kind": "local recurrence", "present": "no"})
    elif recurrence:
        events.append({"kind": "local recurrence", "time": recurrence})
    if events:
        sheet["events"] = events
    follow = {key: cell[col] for key, col in (("time", "follow up time"),
                                             ("vital status", "vital status"),
                                             ("disease status", "disease status")) if cell.get(col)}
    if follow:
        sheet["follow up"] = follow
    return sheet


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """``(row number, {column: cell})`` for each filled row of a CSV or XLSX file."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook
        try:
            sheet = load_workbook(path, read_only=True, data_only=True).active
        except Exception as err:  # openpyxl raises many kinds for a damaged file
            raise SheetError(f"cannot read the workbook: {err}", file=str(path),
                             hint="save it again as .xlsx, or export it as CSV") from err
        rows = [["" if v is None else str(v) for v in row]
                for row in sheet.iter_rows(values_only=True)]  # type: ignore[union-attr]
    else:
        try:
            rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        except (OSError, UnicodeDecodeError, csv.Error) as err:
            raise SheetError(f"cannot read the CSV file: {err}", file=str(path),
                             hint="save it as UTF-8 CSV") from err
    if not rows:
        raise SheetError("the file is empty", file=str(path),
                         hint="fill in the template from vlmskg sheets template")
    header = [h.strip() for h in rows[0]]
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        from kg.sheets.loader import nearest
        close = nearest(unknown[0], COLUMNS)
        raise SheetError(f"unknown column '{unknown[0]}'", file=str(path), line=1,
                         column=header.index(unknown[0]) + 1,
                         hint=f"did you mean {close[0]!r}?" if close else
                         "use the column names of vlmskg sheets template")
    for number, row in enumerate(rows[1:], start=2):
        first = row[0].strip() if row else ""
        if not any(c.strip() for c in row) or first.startswith(("#", "(")):
            continue
        yield number, dict(zip(header, row, strict=False))


def write_template(folder: Path) -> list[Path]:
    """Write ``case-sheet-template.csv`` and ``.xlsx`` into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    names = list(COLUMNS)
    helps = [f"({text})" for text in COLUMNS.values()]
    csv_path = folder / "case-sheet-template.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(names)
    writer.writerow(helps)
    tmp = csv_path.with_suffix(".csv.tmp")
    tmp.write_text(buffer.getvalue(), encoding="utf-8")
    tmp.replace(csv_path)
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "cases"
    sheet.append(names)
    sheet.append(helps)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[2]:
        cell.font = Font(italic=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 24
    sheet.freeze_panes = "A3"
    xlsx_path = folder / "case-sheet-template.xlsx"
    tmp_x = folder / "case-sheet-template.tmp.xlsx"
    book.save(tmp_x)
    tmp_x.replace(xlsx_path)
    return [csv_path, xlsx_path]
