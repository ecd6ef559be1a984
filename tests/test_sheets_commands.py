"""The curator commands: sheets template/import/show, new-case, terms."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kg.cli import main
from kg.sheets.case import compile_case_file
from kg.sheets.loader import load_sheet
from kg.sheets.spreadsheet import COLUMNS

SHEETS = Path(__file__).parent / "data" / "sheets"


def test_terms_finds_a_synonym_with_curie_and_value_to_write(capsys):
    assert main(["terms", "IVC", "--kind", "vessel"]) == 0
    out = capsys.readouterr().out
    assert "write:      inferior vena cava" in out and "UBERON:0001072" in out


def test_terms_gives_the_nearest_for_an_unknown_word(capsys):
    assert main(["terms", "desmn", "--kind", "marker"]) == 1
    out = capsys.readouterr().out
    assert "no term is called 'desmn'" in out and "NCIT:C96450" in out


def test_new_case_writes_a_skeleton_that_compiles_and_refuses_to_overwrite(tmp_path, capsys):
    assert main(["new-case", "smith-2020-ivc", "2", "--out", str(tmp_path)]) == 0
    path = tmp_path / "smith-2020-ivc-c2.yaml"
    text = path.read_text()
    assert "# tumour:" in text and "#   vessel: inferior vena cava" in text
    quads = compile_case_file(path)
    assert any(q.predicate.value.endswith("caseNumberInSource") and q.object.value == "2"
               for q in quads)
    assert main(["new-case", "smith-2020-ivc", "2", "--out", str(tmp_path)]) == 2
    assert "already has a file" in capsys.readouterr().err


def test_template_has_one_header_that_explains_each_column(tmp_path):
    assert main(["sheets", "template", "--out", str(tmp_path)]) == 0
    rows = list(csv.reader((tmp_path / "case-sheet-template.csv").open()))
    assert rows[0] == list(COLUMNS) and all(h.startswith("(") for h in rows[1])
    book = load_workbook(tmp_path / "case-sheet-template.xlsx")
    values = [[c.value for c in row] for row in book.active.iter_rows()]
    assert values[0] == list(COLUMNS) and values[1][list(COLUMNS).index("age")].startswith("(years")


def _fill(folder: Path, rows: list[dict[str, str]]) -> Path:
    path = folder / "filled.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerow({c: f"({t})" for c, t in COLUMNS.items()})
        writer.writerows(rows)
    return path


C1_ROW = {"publication": "lms-ivc-two-cases", "case number": "1", "age": "60", "sex": "female",
          "vessel": "inferior vena cava", "segment": "middle; renal vein confluence; lower",
          "growth": "extraluminal", "size cm": "10 x 8", "size by": "MRI", "grade": "high",
          "operation": "en bloc resection", "approach": "laparotomy",
          "vascular management": "ligation", "margin": "R0", "blood loss ml": "300",
          "operating time min": "150", "metastasis site": "lung", "metastasis time": "9 months",
          "local recurrence time": "no", "follow up time": "30 months", "vital status": "alive",
          "disease status": "stable disease"}


def test_import_turns_rows_into_sheets_that_compile(tmp_path):
    out = tmp_path / "cases"
    assert main(["sheets", "import", str(_fill(tmp_path, [C1_ROW])), "--out", str(out)]) == 0
    path = out / "lms-ivc-two-cases-c1.yaml"
    sheet = load_sheet(path)
    assert sheet["tumour"]["segment"] == ["middle", "renal vein confluence", "lower"]
    assert sheet["operations"][0]["vascular management"] == ["ligation"]
    assert sheet["events"] == [{"kind": "metastasis", "site": "lung", "time": "9 months"},
                               {"kind": "local recurrence", "present": False}] or \
        sheet["events"][1]["present"] in ("no", False)
    assert compile_case_file(path)


def test_import_error_names_row_and_column_and_writes_nothing(tmp_path, capsys):
    bad = dict(C1_ROW, **{"case number": "2", "margin": "R4"})
    out = tmp_path / "cases"
    path = _fill(tmp_path, [dict(C1_ROW), bad])
    assert main(["sheets", "import", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "row 4, column 'margin'" in err and f"{path}:4:" in err and "R0" in err
    assert not out.exists()


@pytest.mark.parametrize("case_id", ["lms-ivc-two-cases-c1", "lms-femoral-vein-c1"])
def test_show_prints_a_turtle_case_as_a_sheet(case_id, capsys):
    assert main(["sheets", "show", case_id]) == 0
    out = capsys.readouterr().out
    shown = load_sheet_text(out)
    assert shown["publication"] == case_id.rsplit("-c", 1)[0]
    assert shown["operations"][-1]["margin"] == "R0"


def test_show_prints_a_sheet_case(capsys):
    assert main(["sheets", "show", "lms-ivc-two-cases-c2", "--cases", str(SHEETS)]) == 0
    out = capsys.readouterr().out
    assert "material: aortic allograft" in out and "time: 2 years" in out


def test_show_unknown_case_suggests_the_nearest(capsys):
    assert main(["sheets", "show", "lms-ivc-two-case-c1"]) == 1
    assert "lms-ivc-two-cases-c1" in capsys.readouterr().err


def load_sheet_text(text: str) -> dict:
    from kg.sheets.loader import read_sheet_text
    return read_sheet_text(text, file="stdout")


def test_import_reads_a_filled_xlsx_template(tmp_path):
    assert main(["sheets", "template", "--out", str(tmp_path)]) == 0
    path = tmp_path / "case-sheet-template.xlsx"
    book = load_workbook(path)
    book.active.append([C1_ROW.get(column, "") for column in COLUMNS])
    book.save(path)
    out = tmp_path / "cases"
    assert main(["sheets", "import", str(path), "--out", str(out)]) == 0
    sheet = load_sheet(out / "lms-ivc-two-cases-c1.yaml")
    assert (sheet["patient"], sheet["tumour"]["size"]) == (
        {"age": 60, "sex": "female"}, [{"cm": [10, 8], "by": "MRI"}])
    assert sheet["follow up"] == {"time": "30 months", "vital status": "alive",
                                  "disease status": "stable disease"}
