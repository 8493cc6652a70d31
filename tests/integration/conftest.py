"""Fixtures of the integration tests: the whole system in-process (``stand``)."""

from tests.support.lifecycle import stand

__all__ = ["stand"]
