"""Synthetic cohorts: deterministic, marked synthetic, shaped like the curated cases, drawn
from the ranking the literature in the graph states, and kept out of data/."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import resources
from kg.cli import main
from kg.errors import InputError
from kg.namespaces import OBO, VLMS
from kg.synth import MANIFEST, ranked_sites, render_case, site_weights, write_cohort
from kg.validation.validate import validate_files

#: the ranking the femoral-vein report gives, most frequent first (IVC 1st, aorta 6th).
REPORTED_RANKING = [
    "UBERON_0001072",  # IVC
    "UBERON_0007318",  # saphenous
    "UBERON_0001361",  # femoral (vein)
    "UBERON_0002012",  # pulmonary (artery)
    "UBERON_0002060",  # femoral (artery)
    "UBERON_0000947",  # aorta
]


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_cohort(tmp_path_factory.mktemp("synth") / "cohort", 30, 5).root


def case_graph(path: Path) -> ox.Store:
    store = ox.Store()
    iri = f"https://w3id.org/vlmskg/case/{path.stem}"
    store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=iri + "/")
    return store


def test_sites_come_from_the_ranking_in_the_publications() -> None:
    assert [s.site for s in ranked_sites()] == [str(OBO[i]) for i in REPORTED_RANKING]


def test_weights_decrease_with_rank() -> None:
    weights = site_weights(ranked_sites())
    assert weights == sorted(weights, reverse=True)
    assert sum(weights) == pytest.approx(1.0)


def test_vessels_are_drawn_in_the_reported_frequency_order() -> None:
    sites = ranked_sites()
    drawn = Counter(re.search(r":vessel a obo:(\w+)", render_case(3, k, sites)[1]).group(1)
                    for k in range(1, 3001))
    counts = [drawn[i] for i in REPORTED_RANKING]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] / 3000 == pytest.approx(site_weights(sites)[0], abs=0.03)


def test_same_seed_gives_byte_identical_files(cohort: Path, tmp_path: Path) -> None:
    again = write_cohort(tmp_path / "again", 30, 5).root
    first = sorted(p.relative_to(cohort) for p in cohort.rglob("*") if p.is_file())
    second = sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert first == second
    assert all((cohort / p).read_bytes() == (again / p).read_bytes() for p in first)


def test_another_seed_gives_other_cases() -> None:
    sites = ranked_sites()
    assert render_case(1, 1, sites)[1] != render_case(2, 1, sites)[1]


def test_every_case_is_marked_synthetic_and_cites_the_cohort(cohort: Path) -> None:
    publication = "https://w3id.org/vlmskg/publication/synthetic-cohort-5"
    for path in sorted((cohort / "cases").glob("*.ttl")):
        store = case_graph(path)
        case = ox.NamedNode(f"https://w3id.org/vlmskg/case/{path.stem}")
        assert ox.Quad(case, ox.NamedNode(str(VLMS.reportedIn)),
                       ox.NamedNode(publication)) in store
        assert ox.Quad(case, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                       ox.NamedNode(str(VLMS.SyntheticCase))) in store
    assert (cohort / "publications" / "synthetic-cohort-5.ttl").is_file()
    assert (cohort / MANIFEST).is_file()


def test_cases_pass_the_shapes_with_pyshacl(cohort: Path) -> None:
    cases = sorted((cohort / "cases").glob("*.ttl"))[:15]
    publications = resources.publication_files() + sorted((cohort / "publications").glob("*.ttl"))
    report = validate_files(cases, publications)
    assert report.conforms, [r.message for r in report.violations]


def test_cases_use_the_properties_of_the_curated_cases(cohort: Path) -> None:
    """Every property a synthetic case uses also occurs in a hand-written (Turtle) case."""
    curated = {q.predicate.value for p in resources.case_files() if p.suffix == ".ttl"
               for q in case_graph(p)}
    used = {q.predicate.value for p in (cohort / "cases").glob("*.ttl") for q in case_graph(p)}
    assert used <= curated
    assert len(used) > 50


def test_ivc_cases_name_their_segments_and_others_do_not(cohort: Path) -> None:
    for path in (cohort / "cases").glob("*.ttl"):
        text = path.read_text()
        ivc = ":vessel a obo:UBERON_0001072" in text
        assert ivc == bool(re.search(r"vlms:involves :ivc(Upper|Middle|Lower)Segment", text))


def test_ages_and_timing_are_plausible(cohort: Path) -> None:
    for path in (cohort / "cases").glob("*.ttl"):
        text = path.read_text()
        assert 18 <= int(re.search(r'ageYears "(\d+)"', text).group(1)) <= 90
        follow_up = re.search(r':lastFollowUpTiming a vlms:RelativeTiming ;\n(?:.*\n)*?'
                              r'    vlms:amount "(\d+)"', text)
        assert 3 <= int(follow_up.group(1)) <= 180


def test_refuses_the_project_data_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="data/ folder"):
        write_cohort(resources.resource_root() / "data" / "synthetic", 2, 1)
    assert not (resources.resource_root() / "data" / "synthetic").exists()


def test_refuses_a_folder_holding_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="not empty"):
        write_cohort(tmp_path, 2, 1)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_rewriting_a_cohort_replaces_it(tmp_path: Path) -> None:
    write_cohort(tmp_path / "c", 5, 1)
    write_cohort(tmp_path / "c", 2, 1)
    assert len(list((tmp_path / "c" / "cases").glob("*.ttl"))) == 2


def test_command_writes_the_cohort(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["synth", "--cases", "4", "--seed", "9", "--out", str(tmp_path / "o")]) == 0
    assert len(list((tmp_path / "o" / "cases").glob("*.ttl"))) == 4
    assert "4 synthetic cases" in capsys.readouterr().out


def test_command_refuses_data_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    out = resources.resource_root() / "data" / "x"
    assert main(["synth", "--cases", "1", "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert "data/ folder" in error and "Traceback" not in error
