"""Fixtures of the demo tests: a small enterprise built once per test through the real builder."""
from __future__ import annotations

import datetime as dt

import pytest

TODAY = dt.date(2025, 6, 1)


@pytest.fixture
def small_demo(db):
    from dangjian.demo.builder import build_demo

    return build_demo(members=300, seed=7, today=TODAY, target_orgs=30)
