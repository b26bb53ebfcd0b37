"""Transfers API: a transfer inside the group end to end, out of and into the group, the status machine
with its 422 rule errors, filters and keyset pages with a flat query count, and both ends' scopes."""
import datetime as dt

import pytest

from dangjian.members.models import Member
from dangjian.transfers.models import StatusChange, Transfer
from dangjian.transfers.tests.conftest import ISSUED
from tests.fixtures import audit_count, make_id_number

pytestmark = pytest.mark.django_db
LETTER = {"letter_no": "甲组转〔2024〕1号", "issued_on": "2024-03-01"}


def counts():
    return (Transfer.objects.count(), Member.objects.count(), StatusChange.objects.count(), audit_count())


def test_internal_transfer_through_the_api(tree, ma, sender, receiver, api_client):
    # given
    out, inn = api_client(sender), api_client(receiver)
    # when: A1 sends to B1 by code
    created = out.post("/transfers", {"member": ma.pk, "kind": "internal_out", "to_org": "B1", **LETTER})
    # then
    assert created.status_code == 201, created.content
    body = created.json()
    assert {k: body[k] for k in ("kind", "status", "due_on", "validity_days", "in_transit", "overdue")} == {
        "kind": "internal_out", "status": "sent", "due_on": "2024-05-30", "validity_days": 90, "in_transit": True,
        "overdue": True}  # today is long after 2024-05-30
    assert (body["from_org"]["code"], body["to_org"]["code"], body["member"]) == (
        "A1", "B1", {"id": ma.pk, "name": "甲一党员", "status": "normal"})
    # B1 sees it arriving and receives it
    arriving = inn.get("/transfers", org="B1", side="in").json()["items"]
    assert [t["id"] for t in arriving] == [body["id"]]
    received = inn.post(f"/transfers/{body['id']}/receive", {"received_on": "2024-03-15"})
    assert received.status_code == 200, received.content
    assert (received.json()["status"], received.json()["in_transit"]) == ("received", False)
    assert Member.objects.get(pk=ma.pk).org_id == tree["B1"].pk
    history = inn.get(f"/transfers/members/{ma.pk}").json()
    assert [(p["org"]["code"], p["valid_from"], p["valid_to"], p["transfer_id"]) for p in history["periods"]] == [
        ("A1", "2005-07-01", "2024-03-15", None), ("B1", "2024-03-15", None, body["id"])]


def test_receiving_after_the_validity_is_422_with_the_rule(ma, receiver, send, api_client):
    transfer = send(ma)
    client = api_client(receiver)
    before = counts()
    response = client.post(f"/transfers/{transfer.pk}/receive", {"received_on": "2024-05-31"})
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert (error["code"], error["field"], error["rule"]) == (
        "transfers.rule.letter_validity", "received_on", "letter_validity")
    assert error["citation"].startswith("DOMAIN §6")
    assert counts() == before


def test_initiate_refusals_name_their_fields(tree, ma, mb, sender, api_client, send):
    from dangjian.orgs.services import org_dissolve

    org_dissolve(actor=None, org=tree["A2"], on=dt.date(2024, 1, 5), reason="撤并")
    client = api_client(sender)
    before = counts()
    cases = [
        ({"member": ma.pk, "kind": "internal_out", "to_org": "A2", **LETTER}, [("transfers.org_dissolved", "to_org")]),
        ({"member": ma.pk, "kind": "internal_out", "to_org": "NOPE", **LETTER}, [("transfers.unknown_org", "to_org")]),
        ({"member": mb.pk, "kind": "internal_out", "to_org": "A2", **LETTER},
         [("transfers.unknown_member", "member")]),
        ({"member": ma.pk, "kind": "internal_out", "to_org": "B1", "validity_days": 0, **LETTER},
         [("validation.too_small", "validity_days")]),
    ]
    for body, expected in cases:
        response = client.post("/transfers", body)
        assert response.status_code == 422, body
        assert [(e["code"], e["field"]) for e in response.json()["errors"]] == expected
    assert counts() == before
    send(ma)
    response = client.post("/transfers", {"member": ma.pk, "kind": "internal_out", "to_org": "A2", **LETTER})
    assert sorted((e["code"], e["field"]) for e in response.json()["errors"]) == [
        ("transfers.in_transit", "member"), ("transfers.org_dissolved", "to_org")]


def test_external_out_and_in_through_the_api(tree, ma, sender, receiver, api_client):
    # out: letter to an outside organisation, then the receipt slip
    out = api_client(sender)
    created = out.post("/transfers", {"member": ma.pk, "kind": "external_out", "outside_org_name": "中共某区委组织部",
                                      **LETTER}).json()
    assert (created["to_org"], created["outside_org_name"]) == (None, "中共某区委组织部")
    done = out.post(f"/transfers/{created['id']}/receive", {"received_on": "2024-03-20"}).json()
    assert (done["status"], done["member"]["status"]) == ("received", "left")
    # in: a member arriving from outside
    birth = dt.date(1991, 1, 9)
    person = {"name": "转入党员", "gender": "M", "birth_date": str(birth), "id_number": make_id_number(birth, 9),
              "joined_on": "2013-06-01", "full_member_on": "2014-06-01"}
    body = {"to_org": "B1", "outside_org_name": "中共某高校委员会", "letter_no": "高组〔2024〕5号",
            "issued_on": "2024-02-01", "received_on": "2024-02-10", "member": person}
    arrived = api_client(receiver).post("/transfers/external-in", body)
    assert arrived.status_code == 201, arrived.content
    assert (arrived.json()["kind"], arrived.json()["status"], arrived.json()["to_org"]["code"]) == (
        "external_in", "received", "B1")
    bad = api_client(receiver).post("/transfers/external-in", {**body, "member": {**person, "gender": "F"}})
    assert [(e["code"], e["field"]) for e in bad.json()["errors"]] == [("members.gender_mismatch", "member.gender")]


def test_status_machine_through_the_api_with_possible_on(ma, sender, api_client):
    client = api_client(sender)
    lost = client.post(f"/transfers/members/{ma.pk}/status", {"transition": "lose_contact",
                                                              "effective_on": "2024-01-15"})
    assert lost.status_code == 201, lost.content
    assert client.post(f"/transfers/members/{ma.pk}/searches", {"searched_on": "2024-02-01", "method": "电话"}
                       ).status_code == 201
    early = client.post(f"/transfers/members/{ma.pk}/status", {
        "transition": "suspend", "effective_on": "2024-07-14", "decision_doc": "甲一支〔2024〕3号", "decided_by": "甲公司党委"})
    assert early.status_code == 422
    (error,) = early.json()["errors"]
    assert (error["code"], error["field"], error["possible_on"]) == (
        "transfers.rule.lost_contact_suspension", "effective_on", "2024-07-15")
    history = client.get(f"/transfers/members/{ma.pk}").json()
    assert history["outlook"] == {"transitions": ["regain_contact", "suspend", "decease"], "since": "2024-01-15",
                                  "possible_on": {"suspend": "2024-07-15"}, "until": {}, "searched": True}
    illegal = client.post(f"/transfers/members/{ma.pk}/status", {"transition": "remove", "effective_on": "2024-08-01",
                                                                 "decision_doc": "x", "decided_by": "y"})
    assert [(e["code"], e["field"]) for e in illegal.json()["errors"]] == [("transfers.status_transition", "transition")]


def test_both_ends_see_a_transfer_and_only_their_side_acts(tree, ma, sender, receiver, send, api_client,
                                                           user_factory):
    transfer = send(ma)
    outsider = api_client(user_factory("outsider", "party_worker", tree["A2"], scope="org"))
    out, inn = api_client(sender), api_client(receiver)
    assert out.get(f"/transfers/{transfer.pk}").status_code == 200
    assert inn.get(f"/transfers/{transfer.pk}").status_code == 200
    before = counts()
    assert outsider.get(f"/transfers/{transfer.pk}").status_code == 404
    assert out.post(f"/transfers/{transfer.pk}/receive", {"received_on": "2024-03-05"}).status_code == 404
    assert inn.post(f"/transfers/{transfer.pk}/cancel", {"on": "2024-03-05", "reason": "x"}).status_code == 404
    assert counts() == before


def test_list_filters_pages_and_query_count(tree, member_factory, sender, send, api_client,
                                            django_assert_num_queries):
    # given: five letters out of A1, one of them received
    members = [member_factory("A1") for _ in range(5)]
    transfers = [send(m) for m in members]
    from dangjian.transfers.services import transfer_receive

    transfer_receive(actor=None, transfer=transfers[0], received_on=ISSUED)
    client = api_client(sender)
    # when
    first = client.get("/transfers", limit=2, in_transit="true")
    second = client.get("/transfers", limit=2, in_transit="true", cursor=first.json()["next_cursor"])
    # then
    assert [t["id"] for t in first.json()["items"]] == [t.pk for t in transfers[1:3]]
    assert [t["id"] for t in second.json()["items"]] == [t.pk for t in transfers[3:5]]
    assert [t["id"] for t in client.get("/transfers", status="received").json()["items"]] == [transfers[0].pk]
    assert len(client.get("/transfers", overdue="true", org="A1", side="out").json()["items"]) == 4
    # per request: 5 for the session, the user, the second factor and the grants; then one page with its joins
    with django_assert_num_queries(5 + 1):
        small = client.get("/transfers", limit=2)
    with django_assert_num_queries(5 + 1):
        large = client.get("/transfers", limit=5)
    assert (len(small.json()["items"]), len(large.json()["items"])) == (2, 5)
