"""Triplestore backends behind one interface."""

from kg.store.base import Bindings, Row, Store

__all__ = ["Store", "Row", "Bindings"]
