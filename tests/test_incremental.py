"""The incremental build: work done after each kind of change, and what the store holds."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import resources
from kg.building.incremental import CACHE_FILE, build_store
from kg.errors import InputError, ValidationFailed
from kg.namespaces import INFERRED_GRAPH
from kg.synth import write_cohort

pytestmark = pytest.mark.java

SEED = 4
CASE = "https://w3id.org/vlmskg/case/"


@pytest.fixture()
def sources(tmp_path: Path) -> tuple[Path, list[Path]]:
    """A folder with the three hand-written (Turtle) cases, six synthetic ones and the
    synthetic cohort's publication."""
    cohort = write_cohort(tmp_path / "cohort", 6, SEED)
    cases = tmp_path / "cases"
    cases.mkdir()
    turtle = [p for p in resources.case_files() if p.suffix == ".ttl"]
    for path in [*turtle, *cohort.case_files]:
        shutil.copy(path, cases / path.name)
    return cases, [cohort.publication_file]


def select(store_path: Path, query: str) -> list[dict[str, str]]:
    store = ox.Store.read_only(str(store_path))
    rows = store.query(query, use_default_graph_as_union=True)
    names = [v.value for v in rows.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in rows]


def age(store_path: Path, case: str) -> int:
    rows = select(store_path, f"""SELECT ?age WHERE {{ GRAPH <{CASE}{case}> {{
        <{CASE}{case}> <https://w3id.org/vlmskg/vocab/hasPatient> ?p .
        ?p <https://w3id.org/vlmskg/vocab/ageYears> ?age }} }}""")
    return int(rows[0]["age"])


def inferred(store_path: Path, case: str) -> set[str]:
    rows = select(store_path, f"""SELECT ?c WHERE {{ GRAPH <{INFERRED_GRAPH}> {{
        <{CASE}{case}/tumour> a ?c }} }}""")
    return {r["c"] for r in rows}


def set_age(case_file: Path, years: int) -> None:
    text = case_file.read_text(encoding="utf-8")
    case_file.write_text(re.sub(r'ageYears "\d+"', f'ageYears "{years}"', text, count=1),
                         encoding="utf-8")


def test_first_build_does_everything(sources: tuple[Path, list[Path]], tmp_path: Path) -> None:
    cases, pubs = sources
    stats = build_store(tmp_path / "store", cases, publications=pubs)
    assert stats.full and stats.validated == 9 and stats.classified == 9
    assert (tmp_path / "store" / CACHE_FILE).is_file()
    assert age(tmp_path / "store", "lms-femoral-vein-c1") == 72  # the reported age
    assert "https://w3id.org/vlmskg/vocab/FemoralVeinLeiomyosarcoma" in inferred(
        tmp_path / "store", "lms-femoral-vein-c1")


def test_nothing_changed_reads_nothing(sources: tuple[Path, list[Path]], tmp_path: Path) -> None:
    cases, pubs = sources
    build_store(tmp_path / "store", cases, publications=pubs)
    stats = build_store(tmp_path / "store", cases, publications=pubs)
    assert not stats.full
    assert (stats.parsed, stats.validated, stats.classified, stats.unchanged) == (0, 0, 0, 9)


def test_editing_one_age_redoes_only_that_case(sources: tuple[Path, list[Path]],
                                               tmp_path: Path) -> None:
    cases, pubs = sources
    store = tmp_path / "store"
    build_store(store, cases, publications=pubs)
    other = age(store, "lms-ivc-two-cases-c1")
    types = inferred(store, "lms-ivc-two-cases-c2")
    set_age(cases / "lms-ivc-two-cases-c2.ttl", 66)
    stats = build_store(store, cases, publications=pubs)
    assert not stats.full
    assert (stats.parsed, stats.validated, stats.classified) == (1, 1, 1)
    assert age(store, "lms-ivc-two-cases-c2") == 66
    assert age(store, "lms-ivc-two-cases-c1") == other == 60
    assert inferred(store, "lms-ivc-two-cases-c2") == types  # replaced, not duplicated or lost


def test_deleted_case_leaves_the_store(sources: tuple[Path, list[Path]], tmp_path: Path) -> None:
    cases, pubs = sources
    store = tmp_path / "store"
    build_store(store, cases, publications=pubs)
    gone = f"synthetic-cohort-{SEED}-c2"
    assert inferred(store, gone)
    (cases / f"{gone}.ttl").unlink()
    stats = build_store(store, cases, publications=pubs)
    assert (stats.removed, stats.parsed) == (1, 0)
    assert not select(store, f"SELECT ?s WHERE {{ GRAPH <{CASE}{gone}> {{ ?s ?p ?o }} }}")
    assert not inferred(store, gone)


def test_new_case_is_added(sources: tuple[Path, list[Path]], tmp_path: Path) -> None:
    cases, pubs = sources
    store = tmp_path / "store"
    moved = cases / f"synthetic-cohort-{SEED}-c6.ttl"
    kept = tmp_path / moved.name
    moved.rename(kept)
    build_store(store, cases, publications=pubs)
    kept.rename(moved)
    stats = build_store(store, cases, publications=pubs)
    assert (stats.parsed, stats.validated, stats.unchanged) == (1, 1, 8)
    assert inferred(store, f"synthetic-cohort-{SEED}-c6")


def test_a_broken_edit_changes_nothing(sources: tuple[Path, list[Path]], tmp_path: Path) -> None:
    cases, pubs = sources
    store = tmp_path / "store"
    build_store(store, cases, publications=pubs)
    set_age(cases / "lms-femoral-vein-c1.ttl", 150)
    with pytest.raises(ValidationFailed, match="the store was not changed"):
        build_store(store, cases, publications=pubs)
    assert age(store, "lms-femoral-vein-c1") == 72
    set_age(cases / "lms-femoral-vein-c1.ttl", 73)
    assert build_store(store, cases, publications=pubs).parsed == 1  # retried, not skipped
    assert age(store, "lms-femoral-vein-c1") == 73


def test_failed_full_build_keeps_the_previous_store(sources: tuple[Path, list[Path]],
                                                    tmp_path: Path) -> None:
    cases, pubs = sources
    store = tmp_path / "store"
    build_store(store, cases, publications=pubs)
    set_age(cases / "lms-femoral-vein-c1.ttl", 150)
    with pytest.raises(ValidationFailed):
        build_store(store, cases, publications=pubs, full=True)
    assert age(store, "lms-femoral-vein-c1") == 72
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases", "cohort", "store"]


def test_changed_ontology_rebuilds_everything(sources: tuple[Path, list[Path]], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    cases, pubs = sources
    store = tmp_path / "store"
    build_store(store, cases, publications=pubs)
    copies = tmp_path / "ontology"
    copies.mkdir()
    for path in resources.ontology_files():
        shutil.copy(path, copies / path.name)
    with open(copies / "vlms.ttl", "a", encoding="utf-8") as handle:
        handle.write("\n# an edited comment changes the file's hash\n")
    monkeypatch.setattr(resources, "ontology_files", lambda: sorted(copies.glob("*.ttl")))
    stats = build_store(store, cases, publications=pubs)
    assert stats.full and stats.validated == 9


def test_moved_case_files_are_recognised_by_content(sources: tuple[Path, list[Path]],
                                                    tmp_path: Path) -> None:
    cases, pubs = sources
    store = tmp_path / "store"
    build_store(store, cases, publications=pubs)
    moved = cases.rename(tmp_path / "moved")
    stats = build_store(store, moved, publications=pubs)
    assert (stats.parsed, stats.removed, stats.unchanged) == (0, 0, 9)
    assert age(store, "lms-femoral-vein-c1") == 72


def test_two_files_for_one_case_are_refused(sources: tuple[Path, list[Path]],
                                            tmp_path: Path) -> None:
    cases, pubs = sources
    twin = tmp_path / "twin"
    twin.mkdir()
    shutil.copy(cases / "lms-femoral-vein-c1.ttl", twin / "lms-femoral-vein-c1.ttl")
    with pytest.raises(InputError, match="a second file for this case"):
        build_store(tmp_path / "store", [*cases.glob("*.ttl"), *twin.glob("*.ttl")],
                    publications=pubs)
    assert not (tmp_path / "store").exists()
