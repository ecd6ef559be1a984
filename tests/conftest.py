"""Shared fixtures: the built graph (tests/fixtures/graph.py) and a real oxigraph
server on 127.0.0.1 (tests/fixtures/server.py)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.store.shipped import CACHE_ENV

pytest_plugins = ["tests.fixtures.graph", "tests.fixtures.server"]


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A cache folder of the test session's own, so that tests neither read nor fill the
    user's cache of the shipped graph."""
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(folder))
        yield folder
