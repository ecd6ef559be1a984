"""The shipped graph is saved in the cache folder and read back by later runs, and a damaged
or unwritable cache never gives a wrong or partial graph."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.building.pipeline import BuildResult
from kg.queries.run import run_query
from kg.store import open_store
from kg.store.shipped import (
    CACHE_ENV,
    cached_path,
    forget_loaded,
    load_cached,
    save_cached,
    shipped_dataset,
)

FEMORAL_AGE = '<https://w3id.org/vlmskg/vocab/ageYears> "72"'  # the femoral-vein case: 72 years


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache folder of its own; the graph kept in memory is forgotten before and
    after, so that no other test sees what this one put in the cache."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    forget_loaded()
    yield tmp_path / "cache"
    forget_loaded()


SEEDS = ("lms-femoral-vein-c1", "lms-ivc-two-cases-c1", "lms-ivc-two-cases-c2")


def _ages() -> dict[str, int]:
    """The ages of the three seed cases, as the shipped graph answers them (the curated
    cohort's cases are there too, and are not what these tests change)."""
    with open_store() as store:
        return {row.caseId: row.age for row in run_query("cohort", store)
                if row.caseId in SEEDS}


def test_the_shipped_graph_is_read_from_the_cache(cache: Path, built: BuildResult) -> None:
    path = cached_path()
    save_cached(built.store, path)
    text = path.read_text(encoding="utf-8")
    assert text.count(FEMORAL_AGE) == 1
    # a changed cache file changes the answers: the graph came from the file, not a new build
    path.write_text(text.replace(FEMORAL_AGE, FEMORAL_AGE.replace("72", "73")), encoding="utf-8")
    assert _ages() == {"lms-femoral-vein-c1": 73, "lms-ivc-two-cases-c1": 60,
                       "lms-ivc-two-cases-c2": 65}


def test_a_truncated_cache_file_is_built_again(cache: Path, built: BuildResult) -> None:
    path = cached_path()
    save_cached(built.store, path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-40]), encoding="utf-8")  # cut off, as by a full disk
    assert load_cached(path) is None
    assert _ages() == {"lms-femoral-vein-c1": 72, "lms-ivc-two-cases-c1": 60,
                       "lms-ivc-two-cases-c2": 65}
    restored = load_cached(path)
    assert restored is not None and len(restored) == len(built.store)
    assert len(shipped_dataset()) == len(built.store)


@pytest.mark.parametrize("content", [
    b"",
    b"<a:s> <a:p> <a:o> .\n",  # no closing count
    b"<a:s> <a:p> <a:o> .\n# vlms-kg shipped graph, quads: 2\n",  # a quad missing
    b"<a:s> <a:p> broken\n# vlms-kg shipped graph, quads: 1\n",
    b"\xff\xfe\n",
])
def test_an_incomplete_or_broken_file_is_not_used(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "shipped.nq"
    path.write_bytes(content)
    assert load_cached(path) is None


def test_a_complete_file_is_read_back(tmp_path: Path) -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("a:s"), ox.NamedNode("a:p"), ox.Literal("72"),
                      ox.NamedNode("a:g")))
    save_cached(store, tmp_path / "sub" / "shipped.nq")
    read = load_cached(tmp_path / "sub" / "shipped.nq")
    assert read is not None and list(read) == list(store)
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["shipped.nq"]  # no leftovers


def test_an_unwritable_cache_folder_is_skipped(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    save_cached(ox.Store(), blocker / "shipped.nq")  # no error: the cache is only skipped
    assert blocker.read_text(encoding="utf-8").startswith("a file")
