"""A bad case sheet gets file, line, field and a fix; exit codes as for Turtle; no traceback;
nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.cli import main
from kg.errors import InputError
from kg.sheets.case import compile_case_file

GOOD = """\
publication: lms-ivc-two-cases
case number: 1
patient:
  age: 60
  sex: female
tumour:
  vessel: inferior vena cava
operations:
  - name: en bloc resection
    margin: R0
events:
  - {kind: metastasis, site: lung, time: "9 months"}
follow up:
  time: "30 months"
  vital status: alive
"""

#: name -> (replace this, with this, expected line, field, words of the message, words of the fix)
BAD = {
    "yaml-syntax": ("  sex: female\n", "  sex: [female\n", 6, None, "broken YAML", "indentation"),
    "duplicate-key": ("  sex: female\n", "  sex: female\n  age: 61\n", 6, "age",
                      "twice", "keep one"),
    "unknown-field": ("    margin: R0", "    margn: R0", 10, "operations[1].margn",
                      "unknown field 'margn'", "'margin'"),
    "unknown-term": ("vessel: inferior vena cava", "vessel: inferior vena cavva", 7,
                     "tumour.vessel", "unknown vessel 'inferior vena cavva'",
                     "'inferior vena cava'"),
    "term-of-wrong-kind": ("vessel: inferior vena cava", "vessel: lung", 7, "tumour.vessel",
                           "unknown vessel 'lung'", "not a vessel"),
    "wrong-type": ("  age: 60", "  age: sixty", 4, "patient.age", "expected a number",
                   "plain number"),
    "impossible-value": ("  age: 60", "  age: 160", 4, "patient.age", "impossible value",
                         "at most 120"),
    "bad-time": ('time: "9 months"', 'time: "soon"', 12, "events[1].time",
                 "cannot read 'soon' as a time", "9 months"),
    "time-before-reference": ('time: "9 months"}', 'time: {time: "9 months", before: index}}',
                              12, "events[1].time", "before the index operation",
                              "after the operation"),
    "event-after-follow-up": ('time: "30 months"', 'time: "3 months"', 14, "follow up.time",
                              "after the last follow-up", "latest time"),
    "wrong-case-number": ("case number: 1", "case number: 2", 2, "case number",
                          "describes 'lms-ivc-two-cases-c2'", "lms-ivc-two-cases-c2.yaml"),
    "comma-in-flow": ("site: lung,", "site: lung, found on CT,", 12, "events[1].found on CT",
                      "unknown field", "quotes"),
}


def _write(folder: Path, text: str) -> Path:
    path = folder / "lms-ivc-two-cases-c1.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_good_sheet_validates(tmp_path):
    from kg.resources import publications_dir
    from kg.validation.validate import validate_files

    path = _write(tmp_path, GOOD)
    report = validate_files([path], publications=[publications_dir() / "lms-ivc-two-cases.ttl"])
    assert report.errors == [] and report.conforms and report.exit_code == 0
    assert set(report.completeness) == {"lms-ivc-two-cases-c1"}


@pytest.mark.parametrize("name", BAD)
def test_bad_sheet_is_refused_with_line_field_and_fix(tmp_path, name):
    old, new, line, field, message, fix = BAD[name]
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(InputError) as caught:
        compile_case_file(path)
    assert caught.value.exit_code == 2
    err = str(caught.value)
    assert err.startswith(f"{path}:{line}:"), err
    if field:
        assert f"field '{field}'" in err, err
    assert message in err and "(fix: " in err and fix in err.split("(fix: ", 1)[1], err


@pytest.mark.parametrize("name", ["unknown-term", "yaml-syntax"])
def test_validate_prints_the_error_without_traceback_and_exits_2(tmp_path, capsys, name):
    old, new, line, _, message, _ = BAD[name]
    path = _write(tmp_path, GOOD.replace(old, new, 1))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and f"{path}:{line}:" in err and message in err


def test_build_refuses_a_bad_sheet_and_writes_nothing(tmp_path, capsys):
    cases = tmp_path / "cases"
    cases.mkdir()
    _write(cases, GOOD.replace("sex: female", "sex: femal"))
    out = tmp_path / "dist"
    assert main(["build", "--cases", str(cases), "--out", str(out), "--skip-reasoner"]) == 2
    err = capsys.readouterr().err
    assert "field 'patient.sex'" in err and "'female'" in err and "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())


def test_a_case_with_both_a_turtle_file_and_a_sheet_is_an_error(tmp_path, capsys):
    _write(tmp_path, GOOD)
    (tmp_path / "lms-ivc-two-cases-c1.ttl").write_text("", encoding="utf-8")
    assert main(["validate", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "two source files" in err and "keep one" in err


@pytest.mark.parametrize(("content", "words"), [
    (GOOD.replace("case number: 1\n", "").encode(), "no 'case number'"),
    (b"", "the file is empty"),
    (b"\xff\xfe\x00bad", "not UTF-8"),
    (b"- just\n- a list\n", "the sheet should be a mapping"),
])
def test_unreadable_or_incomplete_sheets(tmp_path, content, words):
    path = tmp_path / "lms-ivc-two-cases-c1.yaml"
    path.write_bytes(content)
    with pytest.raises(InputError, match=words):
        compile_case_file(path)
