"""Synthetic cohorts drawn from a known survival ('vlmskg synth --five-year-survival')
recover it: the whole path from case files through records to Kaplan–Meier."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.analysis.records import extract_records
from kg.analysis.survival import analyse, kaplan_meier
from kg.cli import main
from kg.errors import InputError
from kg.namespaces import CASE
from kg.store.embedded import EmbeddedStore
from kg.synth import Hazard, ranked_sites, render_case, site_weights
from tests.test_analysis_records import ontology_store

N = 300


def cohort_records(hazard: Hazard, seed: int) -> list:
    sites = ranked_sites()
    weights = site_weights(sites)
    store = ontology_store()
    for number in range(1, N + 1):
        identifier, text = render_case(seed, number, sites, weights, hazard)
        store.load(text.encode(), format=ox.RdfFormat.TURTLE,
                   to_graph=ox.NamedNode(str(CASE) + identifier))
    return extract_records(EmbeddedStore.from_dataset(store))


@pytest.mark.parametrize(("five_year", "seed"), [(0.5, 11), (0.25, 20)])
def test_kaplan_meier_recovers_the_stated_five_year_survival(five_year: float,
                                                             seed: int) -> None:
    hazard = Hazard(five_year)
    records = cohort_records(hazard, seed)
    assert len(records) == N
    analysis = analyse(records, "overall", "surgery")
    group = analysis.groups[0]
    assert group.curve.n == N and not group.excluded
    five = group.curve.estimate(60)
    assert five.lower is not None and five.upper is not None
    assert five.lower <= hazard.survival(60) <= five.upper
    # each case's time is the drawn one (days converted with the ontology's factor)
    days, dead = hazard.draw(seed, 1)
    first = next(r for r in records if r.case_id.endswith("-c1"))
    assert first.os_surgery_months == pytest.approx(days * 0.0328542094, abs=1e-6)
    assert first.os_surgery_event is dead


def test_the_interval_covers_the_truth_about_95_times_in_100() -> None:
    # 200 cohorts of 200 patients drawn like the cases' outcomes: the 95 % interval at
    # 5 years holds the true survival in 93-98.5 % of them (binomial spread around 95 %)
    hazard = Hazard(0.4)
    covered = 0
    for seed in range(200):
        times, events = [], []
        for number in range(1, 201):
            days, dead = hazard.draw(1000 + seed, number)
            times.append(days / 30.4375)
            events.append(dead)
        estimate = kaplan_meier(times, events).estimate(60)
        covered += bool(estimate.lower is not None and estimate.upper is not None
                        and estimate.lower <= 0.4 <= estimate.upper)
    assert 186 <= covered <= 197


def test_without_a_hazard_the_case_is_unchanged() -> None:
    sites = ranked_sites()
    plain = render_case(3, 5, sites)
    assert render_case(3, 5, sites, None) == plain
    with_hazard = render_case(3, 5, sites, hazard=Hazard(0.5))
    assert with_hazard[0] == plain[0] and with_hazard[1] != plain[1]


def test_hazard_refuses_a_survival_outside_0_1() -> None:
    with pytest.raises(InputError, match="strictly between 0 and 1"):
        Hazard(1.2)


def test_synth_command_writes_the_hazard_into_the_manifest(tmp_path: Path) -> None:
    out = tmp_path / "cohort"
    assert main(["synth", "--cases", "3", "--seed", "2", "--out", str(out),
                 "--five-year-survival", "0.4", "--max-follow-up", "60"]) == 0
    manifest = json.loads((out / "synth.json").read_text())
    assert manifest["hazard"] == {"kind": "exponential", "five_year_survival": 0.4,
                                  "max_follow_up_months": 60.0}
    text = (out / "cases" / "synthetic-cohort-2-c1.ttl").read_text()
    days, dead = Hazard(0.4, 60).draw(2, 1)
    assert f'vlms:amount "{days}"^^xsd:decimal' in text
    assert ("PATO_0001422" if dead else "PATO_0001421") in text
