"""Shared fixtures: the built graph (tests/fixtures/graph.py) and a real oxigraph
server on 127.0.0.1 (tests/fixtures/server.py)."""

pytest_plugins = ["tests.fixtures.graph", "tests.fixtures.server"]
