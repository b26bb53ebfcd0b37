"""Dues test fixtures (local plugin: the root conftest is shared)."""
from dangjian.dues.tests.fixtures import dues_member  # noqa: F401
