"""Transfer selectors: in transit per org (the sending branch is responsible), overdue at the 90-day
boundary, visibility from both ends and not beyond, the header counts, and the member's outlook."""
import datetime as dt

import pytest

from dangjian.core.scoping import SYSTEM
from dangjian.transfers.selectors import (
    member_history,
    transfer_list,
    transfer_summary,
    transfers_in_transit,
    transfers_overdue,
)
from dangjian.transfers.services import contact_search_record, member_status_change, transfer_receive
from dangjian.transfers.tests.conftest import DUE

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def ids(qs):
    return sorted(qs.values_list("pk", flat=True))


@pytest.mark.parametrize(("_case", "today", "overdue"),
                         [("day_before_due", DUE - DAY, False), ("due_day", DUE, False), ("day_after_due", DUE + DAY, True)])
def test_overdue_only_after_the_last_valid_day(tree, ma, sender, send, _case, today, overdue):
    transfer = send(ma)
    assert ids(transfers_overdue(actor=sender, org=tree["A1"], today=today)) == ([transfer.pk] if overdue else [])
    assert ids(transfer_list(actor=sender, overdue=True, today=today)) == ([transfer.pk] if overdue else [])
    assert transfer_summary(actor=sender, org=tree["A1"], today=today)["overdue"] == int(overdue)


def test_in_transit_is_per_sending_org_until_received(tree, ma, member_factory, sender, receiver, send, user_factory):
    # given: two letters out of A1, one of them received by B1
    first = send(ma)
    second = send(member_factory("A1"))
    transfer_receive(actor=receiver, transfer=first, received_on=DUE)
    committee = user_factory("committee", "org_dept", tree["A"])
    # then: A (subtree) is still responsible for the second member only; B1 sent nothing
    assert ids(transfers_in_transit(actor=committee, org=tree["A"])) == [second.pk]
    assert ids(transfers_in_transit(actor=committee, org=tree["A2"])) == []
    assert ids(transfers_in_transit(actor=receiver, org=tree["B1"])) == []
    assert transfer_summary(actor=receiver, org=tree["B1"], today=DUE)["awaiting"] == 1
    assert transfer_summary(actor=sender, org=tree["A1"], today=DUE) == {"draft": 0, "in_transit": 1, "overdue": 0,
                                                                        "awaiting": 0}


def test_a_transfer_is_visible_from_both_ends_and_nowhere_else(tree, ma, sender, receiver, send, user_factory):
    transfer = send(ma)
    outsider = user_factory("outsider", "party_worker", tree["A2"], scope="org")
    everyone = user_factory("admin", "sysadmin", tree["G"], scope="all")
    assert (ids(transfer_list(actor=sender)), ids(transfer_list(actor=receiver)), ids(transfer_list(actor=outsider)),
            ids(transfer_list(actor=everyone))) == ([transfer.pk], [transfer.pk], [], [transfer.pk])
    assert ids(transfer_list(actor=receiver, org=tree["B1"], side="out")) == []
    assert ids(transfer_list(actor=receiver, org=tree["B1"], side="in")) == [transfer.pk]


def test_outlook_tells_when_suspension_and_removal_become_possible(ma, sender):
    member_status_change(actor=sender, member=ma, transition="lose_contact", effective_on=dt.date(2023, 8, 31))
    ma.refresh_from_db()
    outlook = member_history(actor=SYSTEM, member=ma).outlook
    assert (outlook.transitions, outlook.since, outlook.possible_on, outlook.searched) == (
        ["regain_contact", "suspend", "decease"], dt.date(2023, 8, 31), {"suspend": dt.date(2024, 2, 29)}, False)
    contact_search_record(actor=sender, member=ma, searched_on=dt.date(2023, 9, 1), method="电话")
    member_status_change(actor=sender, member=ma, transition="suspend", effective_on=dt.date(2024, 3, 1),
                         decision_doc="甲一支〔2024〕1号", decided_by="甲公司党委")
    ma.refresh_from_db()
    outlook = member_history(actor=SYSTEM, member=ma).outlook
    assert (outlook.transitions, outlook.possible_on, outlook.until) == (
        ["restore", "remove", "decease"], {"remove": dt.date(2026, 3, 1)}, {"restore": dt.date(2026, 3, 1)})
