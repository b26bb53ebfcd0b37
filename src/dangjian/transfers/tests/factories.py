"""Plain rows for tests that need a transfer to exist but not its history (STYLE §14: state with
invariants is built through services elsewhere). These rows write no audit entry and touch no member,
so the web authorization matrix can create them lazily without disturbing what it compares."""
from __future__ import annotations

import datetime as dt
from typing import Any

from dangjian.transfers.choices import TransferKind, TransferStatus
from dangjian.transfers.models import Transfer
from dangjian.transfers.rules import letter_due_on

__all__ = ["bare_transfer", "world_transfer"]

ISSUED = dt.date(2024, 3, 1)


def bare_transfer(member, *, kind: str, from_org=None, to_org=None, outside_org_name: str = "",
                  issued_on: dt.date = ISSUED) -> Transfer:
    """A letter in transit (转接中), valid 90 days."""
    return Transfer.objects.create(kind=kind, status=TransferStatus.SENT, member=member, from_org=from_org,
                                   to_org=to_org, outside_org_name=outside_org_name, letter_no=f"矩阵转〔2024〕{member.pk}号",
                                   issued_on=issued_on, validity_days=90, due_on=letter_due_on(issued_on, 90))


def world_transfer(world: Any, side: str) -> int:
    """The pk of a transfer of the authorization matrix's world, made once per world: ``"A"`` moves the
    A1 member to A2 (both ends inside 甲), ``"B"`` sends the B1 member out of the group (no end in 甲)."""
    cache = world.__dict__.setdefault("_transfers", {})
    if side not in cache:
        if side == "A":
            row = bare_transfer(world.a_member, kind=TransferKind.INTERNAL, from_org=world.orgs["A1"],
                                to_org=world.orgs["A2"])
        else:
            row = bare_transfer(world.b_member, kind=TransferKind.EXTERNAL_OUT, from_org=world.orgs["B1"],
                                outside_org_name="中共某街道工作委员会")
        cache[side] = row.pk
    return cache[side]
