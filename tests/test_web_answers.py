"""The stored questions' answers the site keeps: computed once, awaited rather than computed
twice, a slow computation reported as such, a failed one tried again, the least recently
used dropped beyond the row budget; and, on the shipped graph, the answers computed at start
are the endpoint's and are served without asking it again."""

from __future__ import annotations

import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import EndpointError
from kg.queries.run import run_query
from kg.store.remote import RemoteStore
from kg.web import app as app_module
from kg.web.answers import Answers
from kg.web.app import create_app
from kg.web.endpoint import QueryServer
from kg.web.server import open_site


def test_an_answer_being_computed_is_awaited_not_computed_again() -> None:
    answers, started, release, calls = Answers(), threading.Event(), threading.Event(), []

    def slow() -> list[tuple[int]]:
        calls.append("slow")
        started.set()
        release.wait(5)
        return [(1,)]

    worker = threading.Thread(target=answers.get, args=("q", {}, slow), kwargs={"wait": 5})
    worker.start()
    started.wait(5)
    with pytest.raises(EndpointError, match="still being computed"):
        answers.get("q", {}, lambda: [(2,)], wait=0.05)
    release.set()
    assert answers.get("q", {}, lambda: [(2,)], wait=5) == [(1,)]
    worker.join()
    assert calls == ["slow"]


def test_a_failed_computation_is_not_kept() -> None:
    answers = Answers()

    def failing() -> list[tuple[int]]:
        raise EndpointError("the query ran longer than the time limit", endpoint="x")

    with pytest.raises(EndpointError, match="time limit"):
        answers.get("q", {"a": "1"}, failing, wait=1)
    assert answers.get("q", {"a": "1"}, lambda: [(3,)], wait=1) == [(3,)]


def test_parameters_make_distinct_answers_and_the_budget_drops_the_oldest() -> None:
    answers = Answers(max_rows=3)
    answers.get("q", {"a": "1"}, lambda: [(1,), (1,)], wait=1)
    answers.get("q", {"a": "2"}, lambda: [(2,), (2,)], wait=1)  # 4 rows: the first goes
    assert answers.get("q", {"a": "2"}, lambda: [], wait=1) == [(2,), (2,)]
    assert answers.get("q", {"a": "1"}, lambda: [(9,)], wait=1) == [(9,)]
    too_big = [(0,)] * 4
    assert answers.get("big", {}, lambda: too_big, wait=1) is too_big
    assert answers.get("big", {}, lambda: [], wait=1) == []  # never kept


@pytest.mark.server
def test_answers_computed_at_start_are_the_endpoints_and_served_without_it(
        dataset: ox.Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "store"
    store = ox.Store(str(folder))
    store.bulk_extend(dataset)
    store.flush()
    del store
    site = open_site(folder)
    site.warm_answers().join(timeout=120)
    with QueryServer(folder, timeout=30) as endpoint:
        remote = RemoteStore(endpoint.query_url, timeout=30)
        served = run_query("cohort", remote)
        assert site.answers.get("cohort", {}, lambda: [], wait=1) == served
        assert len(served) == len(site.records)
        monkeypatch.setattr(app_module, "run_query", _not_again)
        page = create_app(site, endpoint).test_client().get("/questions/cohort?run=1")
        text = page.get_data(as_text=True)
        assert page.status_code == 200, text
        assert f"{len(served)} rows" in text and "lms-ivc-two-cases-c1" in text


def _not_again(*args: object, **kwargs: object) -> list[object]:
    raise AssertionError("the answer should have been kept")
