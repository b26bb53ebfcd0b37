"""Health test fixtures (local plugin: the root conftest is shared)."""
from dangjian.health.tests.fixtures import health  # noqa: F401
