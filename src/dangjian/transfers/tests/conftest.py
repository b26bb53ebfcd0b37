"""Fixtures of the transfers tests: members in branches A1 and B1, a sending and a receiving user,
and ``send(...)`` issuing a letter through the service. Dates are fixed in the past."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

ISSUED = dt.date(2024, 3, 1)
DUE = dt.date(2024, 5, 30)  # ISSUED + 90 days (DOMAIN §6 default, counted from the next day)


@pytest.fixture
def ma(member_factory):
    return member_factory("A1", name="甲一党员", party_group=None)


@pytest.fixture
def mb(member_factory):
    return member_factory("B1", name="乙一党员")


@pytest.fixture
def sender(tree, user_factory):
    """A1's party worker (transfers.change on A1 only)."""
    return user_factory("sender", "party_worker", tree["A1"], scope="org")


@pytest.fixture
def receiver(tree, user_factory):
    """B1's party worker (transfers.change on B1 only)."""
    return user_factory("receiver", "party_worker", tree["B1"], scope="org")


@pytest.fixture
def send(tree, sender):
    from dangjian.transfers.services import transfer_initiate

    def make(member, to: str | None = "B1", *, actor: Any = None, kind: str = "internal_out", **over: Any):
        fields = {"letter_no": "甲组转〔2024〕1号", "issued_on": ISSUED}
        if kind == "external_out":
            fields["outside_org_name"] = "中共某市某区某街道工作委员会"
            to = None
        fields.update(over)
        fields.setdefault("to_org", tree[to] if to else None)
        return transfer_initiate(actor=actor or sender, member=member, kind=kind, **fields)

    return make
