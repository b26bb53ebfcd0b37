"""Meetings test fixtures (local plugin: the root conftest is shared)."""
from dangjian.meetings.tests.fixtures import at, branch, kinds, meeting_factory  # noqa: F401
