"""Integration test fixtures (local plugin: the root conftest is shared)."""
from dangjian.integration.tests.fixtures import channels_on, closed_url, robot_server  # noqa: F401
