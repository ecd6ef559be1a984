"""vlmskg summary / survival / report and their Python API: results, formats, every bad
filter and empty selection with a clear message, the record cache of the build, and the
self-contained report."""

from __future__ import annotations

import csv
import gc
import io
import json
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kg import resources
from kg.analysis import cache
from kg.analysis.fields import SelectionError
from kg.analysis.records import CaseRecord
from kg.api import KnowledgeGraph
from kg.building.incremental import build_store
from kg.cli import main
from kg.exports import facts as facts_module
from kg.store.embedded import EmbeddedStore
from tests.test_analysis_records import NAMED_CASES, named_store


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk store holding the ontology, the three named cases and their publications."""
    path = tmp_path_factory.mktemp("analysis") / "store"
    disk = EmbeddedStore(path)
    disk.dataset.extend(named_store().dataset)
    disk.close()
    del disk
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- summary ---------------------------------------------------------------------------


def test_summary_table(store_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "summary", "--store", str(store_path))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split("|")[2].strip() == "all (n=3)"
    age = lines.index(next(line for line in lines if line.startswith("Age, years")))
    # ages 60, 65 and 72: median 65, quartiles 62.5 and 68.5 (linear), range 60-72
    assert "3 / 3" in lines[age]
    assert "65 (62.5-68.5)" in lines[age + 1] and "60-72" in lines[age + 2]
    margin = next(line for line in lines if line.startswith("Resection margin"))
    assert "3 / 3" in margin


def test_summary_by_and_csv(store_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "summary", "--store", str(store_path), "--by", "vessel-group",
                       "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["variable", "value", "all (n=3)", "inferior vena cava (n=2)",
                       "other vein (n=1)"]
    sex = rows.index(["Sex", "known", "3 / 3", "2 / 2", "1 / 1"])
    assert rows[sex + 1] == ["", "female", "2 (67%)", "2 (100%)", "0"]


def test_summary_json_where(store_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "summary", "--store", str(store_path), "--where",
                       "vessel-group=inferior vena cava", "--where", "age<65", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["n"] == 1
    follow_up = next(v for v in data["variables"] if v["field"] == "follow-up")
    assert follow_up["cells"]["all"]["median"] == 30.0


@pytest.mark.parametrize(("argv", "message"), [
    (["--where", "vesel=inferior vena cava"],
     "unknown field 'vesel' (fix: use one of: vessel, vessel-group"),
    (["--where", "margin=R3"], "unknown margin value 'R3' (fix: valid values: R0, R1, R2"),
    (["--where", "sex=femal"], "unknown sex value 'femal' (fix: valid values: female, male"),
    (["--where", "margin>1"], "margin is not a number; > compares numbers only"),
    (["--where", "age>=sixty"], "age>= needs one number, got 'sixty'"),
    (["--where", "margin"], "cannot read the condition 'margin'"),
    (["--by", "age"], "age is a number and cannot group cases (fix: group by age-band"),
    (["--by", "vesselgroup"], "unknown field 'vesselgroup' (fix: use one of: vessel-group"),
    (["--where", "margin=R2"], "no case to summarise: the selection is empty"),
    (["--where", "age>90"], "no case to summarise: the selection is empty"),
])
def test_summary_bad_selection(store_path: Path, capsys: pytest.CaptureFixture[str],
                               argv: list[str], message: str) -> None:
    code, out, err = run(capsys, "summary", "--store", str(store_path), *argv)
    assert code == 1 and out == ""
    assert err.startswith("vlmskg summary: error: ") and message in err
    assert "Traceback" not in err


# --- survival --------------------------------------------------------------------------


def test_survival_event_free_by_vessel_group(store_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "survival", "--store", str(store_path), "--endpoint",
                       "event-free", "--by", "vessel-group", "--format", "json")
    assert code == 0
    data = json.loads(out)
    ivc = next(g for g in data["groups"] if g["group"] == "inferior vena cava")
    # metastases at 6 (c2) and 9 (c1) months: S = 1/2 after 6, 0 after 9; median 6
    assert [(s["months"], s["survival"]) for s in ivc["curve"]] == [(6.0, 0.5), (9.0, 0.0)]
    assert ivc["median_months"] == 6.0
    femoral = next(g for g in data["groups"] if g["group"] == "other vein")
    assert (femoral["analysed"], femoral["events"]) == (1, 0)
    # log-rank: at 6, n=3 (2 IVC), E_IVC = 2/3; at 9, n=2 (1 IVC; the femoral case is
    # censored at 7? no: at 7 it leaves, so n=1 at 9) E_IVC = 1; O - E = 2 - 5/3 = 1/3;
    # V = 1*2/2 * (2/3)(1/3) + 0 = 2/9; chi2 = (1/9) / (2/9) = 0.5
    assert data["logrank"]["chi_squared"] == pytest.approx(0.5)


def test_survival_table_text(store_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "survival", "--store", str(store_path))
    assert code == 0
    assert out.startswith("overall survival from the index operation\n")
    row = next(line for line in out.splitlines() if line.startswith("all "))
    cells = [c.strip() for c in row.split("|")]
    # three cases, no death: censored at 7, 24 and 30 months; 1-year survival 100 %
    assert cells[1:4] == ["3", "3", "0"] and cells[4] == "not reached"
    assert cells[5] == "100% (100-100)" and cells[6] == "not reached by follow-up"


def test_survival_with_no_usable_time(store_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "survival", "--store", str(store_path), "--origin", "diagnosis")
    assert code == 1
    assert ("none of the 3 selected cases has a usable overall time from the diagnosis: "
            "last follow-up not placed in time from the diagnosis (3)") in err


def test_survival_empty_selection(store_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "survival", "--store", str(store_path), "--where",
                       "vital-status=dead")
    assert code == 1 and "no case to analyse: the selection is empty" in err


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_survival_plot(store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                       suffix: str) -> None:
    target = tmp_path / f"km.{suffix}"
    code, _, _ = run(capsys, "survival", "--store", str(store_path), "--by", "vessel-group",
                     "--plot", str(target))
    assert code == 0
    data = target.read_bytes()
    assert data.startswith(b"\x89PNG" if suffix == "png" else b"<?xml")
    if suffix == "svg":
        text = data.decode()
        assert "Number at risk" in text and "inferior vena cava (n=2, events=0)" in text


def test_survival_plot_bad_suffix(store_path: Path, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "survival", "--store", str(store_path), "--plot",
                       str(tmp_path / "km.jpg"))
    assert code == 2 and "name the file .png or .svg" in err
    assert not (tmp_path / "km.jpg").exists()


# --- the Python API gives the same results ----------------------------------------------


def test_api_matches_the_command(store_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "survival", "--store", str(store_path), "--endpoint", "event-free",
                    "--format", "json")
    with KnowledgeGraph.open(store=store_path) as graph:
        analysis = graph.survival("event-free")
        assert analysis.as_dict() == json.loads(out)
        table = graph.summary(by="sex")
        assert table.columns == {"all": 3, "female": 2, "male": 1}
        rows = graph.records(["case=lms-femoral-vein-c1"])
        assert rows[0]["vessel"] == "left common femoral vein"
        with pytest.raises(SelectionError, match="unknown field 'vesel'"):
            graph.summary(where=["vesel=IVC"])


# --- the record and export-fact caches kept by the build ------------------------------------


def test_build_keeps_the_record_and_export_caches(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    files = {p.stem: p for p in resources.case_files()}
    cases = tmp_path / "cases"
    cases.mkdir()
    for case in NAMED_CASES:
        shutil.copy(files[case], cases / files[case].name)
    store = tmp_path / "store"
    build_store(store, cases, reason=False)
    gathered = _opened(store, facts_module.gather_facts)  # from the store's triples
    monkeypatch.setattr(cache.RECORDS, "extract", _no_extraction)
    monkeypatch.setattr(facts_module.FACTS, "extract", _no_extraction)
    records = _cached(store)
    assert records["lms-ivc-two-cases-c1"].age_years == 60
    facts = {f.id: f for f in _opened(store, facts_module.load_facts)}
    assert list(facts.values()) == gathered
    c1 = facts["lms-ivc-two-cases-c1"]
    assert (c1.record.age_years, c1.vessel.curie, c1.margin.label) == (60, "UBERON:0001072", "R0")
    # a corrected case: the incremental build replaces its record and facts, and only theirs
    monkeypatch.undo()
    c1_file = cases / files["lms-ivc-two-cases-c1"].name
    text = c1_file.read_text()
    assert text.count('"60"^^xsd:integer') == 1
    c1_file.write_text(text.replace('"60"^^xsd:integer', '"61"^^xsd:integer'))
    (cases / files["lms-femoral-vein-c1"].name).unlink()
    stats = build_store(store, cases, reason=False)
    if not stats.full:  # (a full build only if the ontology or a publication changed meanwhile)
        assert (stats.parsed, stats.removed) == (1, 1)
    monkeypatch.setattr(cache.RECORDS, "extract", _no_extraction)
    monkeypatch.setattr(facts_module.FACTS, "extract", _no_extraction)
    records = _cached(store)
    assert sorted(records) == ["lms-ivc-two-cases-c1", "lms-ivc-two-cases-c2"]
    assert records["lms-ivc-two-cases-c1"].age_years == 61
    facts = {f.id: f for f in _opened(store, facts_module.load_facts)}
    assert sorted(facts) == ["lms-ivc-two-cases-c1", "lms-ivc-two-cases-c2"]
    assert facts["lms-ivc-two-cases-c1"].record.age_years == 61
    assert facts["lms-ivc-two-cases-c2"] == next(  # untouched
        f for f in gathered if f.id == "lms-ivc-two-cases-c2")
    # facts made by other code are not trusted: gathered again from the store, and saved
    with sqlite3.connect(store / cache.CACHE_FILE) as db:
        db.execute("UPDATE meta SET value = 'older code' WHERE key = 'export-facts'")
    with pytest.raises(AssertionError, match="should have come from the cache"):
        _opened(store, facts_module.load_facts)
    monkeypatch.undo()
    assert _opened(store, facts_module.load_facts)[0].record.age_years == 61
    with sqlite3.connect(store / cache.CACHE_FILE) as db:
        assert facts_module.FACTS.cached(db) is not None


def _cached(path: Path) -> dict[str, CaseRecord]:
    """The records of the store at ``path``."""
    return {r.case_id: r for r in _opened(path, cache.load_records)}


def _opened(path: Path, read: Callable[[EmbeddedStore], list[Any]]) -> list[Any]:
    """What ``read`` gives of the store at ``path``; the store is closed (and its lock
    released) on return."""
    opened = EmbeddedStore(path)
    try:
        return read(opened)
    finally:
        opened.close()
        del opened
        gc.collect()


def _no_extraction(*args: object, **kwargs: object) -> list[object]:
    raise AssertionError("the records and facts should have come from the cache")


# --- the report ------------------------------------------------------------------------------


def test_report_is_one_offline_file(store_path: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report"
    code, printed, _ = run(capsys, "report", "--store", str(store_path), "--out", str(out))
    assert code == 0 and printed == f"wrote {out / 'index.html'} (3 cases)\n"
    assert [p.name for p in out.iterdir()] == ["index.html"]
    html = (out / "index.html").read_text(encoding="utf-8")
    images = re.findall(r'<img src="([^"]+)"', html)
    assert len(images) >= 5 and all(i.startswith("data:image/png;base64,") for i in images)
    # nothing to fetch: no external script, style sheet, image or frame
    assert not re.search(r'<(script|link|iframe)\b', html)
    assert not re.search(r'(src|href)="(https?:)?//', html)
    for case in NAMED_CASES:
        assert f"<td>{case}</td>" in html
    assert "Overall survival by vessel group" in html and "Overall survival by IVC segment" in html
    # the letter's five-year figure beside the graph's (no IVC case followed to 60 months)
    assert "49.4%" in html and "no case followed to 60 months" in html


def test_report_empty_selection(store_path: Path, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "report", "--store", str(store_path), "--out",
                       str(tmp_path / "r"), "--where", "sex=male", "--where", "age<50")
    assert code == 1 and "no case to report on: the selection is empty" in err
    assert not (tmp_path / "r").exists()


def test_importing_the_analysis_does_not_import_matplotlib() -> None:
    code = ("import sys, kg.analysis, kg.analysis.report, kg.api; "
            "print('matplotlib' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"
