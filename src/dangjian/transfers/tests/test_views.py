"""Transfers pages: the list highlights overdue letters, a transfer goes from the member page through
the initiate form to the receiving branch's receipt, refusals come back on their field (400) with
nothing written, the status form drives the machine, and the other side's pages are 404."""
import datetime as dt

import pytest
from django.urls import reverse

from dangjian.audit.models import AuditEntry
from dangjian.members.models import Member
from dangjian.transfers.models import StatusChange, Transfer
from tests.test_authz_web import signin

pytestmark = pytest.mark.django_db


def counts():
    return (Transfer.objects.count(), StatusChange.objects.count(),
            AuditEntry.objects.exclude(action__startswith="accounts.").count())


def test_list_highlights_overdue_letters_and_counts_them(client, tree, ma, member_factory, sender, send):
    # given: one letter long overdue, one draft
    overdue = send(ma)
    from dangjian.transfers.services import transfer_initiate

    draft = transfer_initiate(actor=sender, member=member_factory("A1", name="草稿党员"), kind="internal_out",
                              to_org=tree["A2"])
    signin(client, sender)
    # when
    response = client.get(reverse("transfers:list"))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<tr data-transfer="{overdue.pk}" class="table-danger">' in html
    assert f'<tr data-transfer="{draft.pk}">' in html
    assert 'data-count="overdue">1<' in html and 'data-count="draft">1<' in html
    assert "甲组转〔2024〕1号" in html


def test_list_filter_by_an_org_outside_the_scope_is_a_field_error(client, tree, ma, mb, sender, receiver, send):
    send(mb, "A2", actor=receiver)
    signin(client, sender)
    response = client.get(reverse("transfers:list"), {"org": "B1"})
    assert response.status_code == 400
    assert "乙一党员" not in response.content.decode()


def test_initiate_from_the_member_page_and_receive_at_the_other_branch(client, tree, ma, sender, receiver):
    # given
    signin(client, sender)
    page = client.get(reverse("transfers:member", args=[ma.pk]))
    assert reverse("transfers:create", args=[ma.pk]) in page.content.decode()
    # when: A1 sends
    response = client.post(reverse("transfers:create", args=[ma.pk]), {
        "kind": "internal_out", "to_org_code": "B1", "letter_no": "甲组转〔2024〕2号", "issued_on": "2024-03-01"})
    # then
    transfer = Transfer.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("transfers:detail", args=[transfer.pk])
    assert (transfer.status, transfer.due_on) == ("sent", dt.date(2024, 5, 30))
    # when: B1 receives
    client.logout()
    signin(client, receiver)
    detail = client.get(reverse("transfers:detail", args=[transfer.pk])).content.decode()
    assert 'data-action="receive"' in detail and 'data-action="cancel"' not in detail
    done = client.post(reverse("transfers:receive", args=[transfer.pk]), {"received_on": "2024-03-10"})
    # then
    assert done.status_code == 302
    assert Member.objects.get(pk=ma.pk).org_id == tree["B1"].pk


def test_the_receiving_branch_is_chosen_by_name_and_same_named_branches_by_path(client, tree, ma, sender):
    # given: two branches of the group share a name; the sender's scope is A1 only (issue 9, point 2)
    from dangjian.orgs.services import org_create

    org_create(actor=None, parent=tree["A"], name="热控班党支部", code="A3", org_type="branch")
    b2 = org_create(actor=None, parent=tree["B"], name="热控班党支部", code="B2", org_type="branch")
    signin(client, sender)
    url = reverse("transfers:create", args=[ma.pk])
    letter = {"kind": "internal_out", "letter_no": "甲组转〔2024〕5号", "issued_on": "2024-03-01"}
    # the form offers the picker over the group's branches
    html = client.get(url).content.decode()
    assert 'data-picker="/orgs/pick/" data-picker-params="purpose=transfers.destination"' in html
    assert "接收党支部" in html and "组织代码）" not in html
    # when: the shared name without choosing → the field lists both by their parent path, nothing written
    before = counts()
    response = client.post(url, {**letter, "to_org_code": "热控班党支部"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "有 2 个组织名为“热控班党支部”" in html and "集团党委 › 甲公司党委（A3）；集团党委 › 乙公司党委（B2）" in html
    assert counts() == before
    # when: the picker's value (the code of the one chosen) → sent there
    response = client.post(url, {**letter, "to_org_code": "B2"})
    assert response.status_code == 302
    assert Transfer.objects.get().to_org == b2


def test_a_unique_branch_name_is_accepted_without_the_picker(client, tree, ma, sender):
    signin(client, sender)
    response = client.post(reverse("transfers:create", args=[ma.pk]), {
        "kind": "internal_out", "to_org_code": "乙一支部", "letter_no": "甲组转〔2024〕6号", "issued_on": "2024-03-01"})
    assert response.status_code == 302
    assert Transfer.objects.get().to_org == tree["B1"]


def test_refusals_come_back_on_their_field_and_write_nothing(client, tree, ma, sender, receiver, send):
    from dangjian.orgs.services import org_dissolve

    org_dissolve(actor=None, org=tree["A2"], on=dt.date(2024, 1, 2), reason="撤并")
    signin(client, sender)
    before = counts()
    response = client.post(reverse("transfers:create", args=[ma.pk]), {
        "kind": "internal_out", "to_org_code": "A2", "letter_no": "x", "issued_on": "2024-03-01"})
    assert response.status_code == 400
    assert '<div class="invalid-feedback d-block" data-field-error="to_org_code">接收党组织“甲二支部”已撤销</div>' in (
        response.content.decode())
    assert counts() == before
    # a receipt after the validity, by the receiving branch
    transfer = send(ma)
    client.logout()
    signin(client, receiver)
    before = counts()
    late = client.post(reverse("transfers:receive", args=[transfer.pk]), {"received_on": "2024-05-31"})
    assert late.status_code == 400
    assert 'data-field-error="received_on">介绍信有效期至 2024-05-30，已过期' in late.content.decode()
    assert counts() == before


def test_the_other_side_and_outsiders_get_404(client, tree, ma, mb, sender, receiver, send, user_factory):
    transfer = send(ma)
    signin(client, user_factory("outsider", "party_worker", tree["A2"], scope="org"))
    assert client.get(reverse("transfers:detail", args=[transfer.pk])).status_code == 404
    client.logout()
    signin(client, sender)
    before = counts()
    assert client.post(reverse("transfers:receive", args=[transfer.pk]), {"received_on": "2024-03-10"}).status_code == 404
    assert client.get(reverse("transfers:create", args=[mb.pk])).status_code == 404
    assert client.post(reverse("transfers:status", args=[mb.pk]), {"transition": "lose_contact",
                                                                    "effective_on": "2024-01-01"}).status_code == 404
    assert counts() == before


def test_status_form_drives_the_machine_and_shows_when_suspension_becomes_possible(client, tree, ma, sender):
    signin(client, sender)
    url = reverse("transfers:status", args=[ma.pk])
    assert client.post(url, {"transition": "lose_contact", "effective_on": "2024-01-15"}).status_code == 302
    assert client.post(reverse("transfers:search", args=[ma.pk]), {"searched_on": "2024-02-01", "method": "电话"}
                       ).status_code == 302
    page = client.get(reverse("transfers:member", args=[ma.pk])).content.decode()
    assert "停止党籍：2024-07-15 起可办理" in page
    early = client.post(url, {"transition": "suspend", "effective_on": "2024-07-14", "decision_doc": "甲一支〔2024〕3号",
                              "decided_by": "甲公司党委"})
    assert early.status_code == 400
    assert "2024-07-15 起方可停止党籍" in early.content.decode()
    assert Member.objects.get(pk=ma.pk).status == "lost"


def test_external_arrival_form_registers_the_member(client, tree, receiver):
    from tests.fixtures import make_id_number

    signin(client, receiver)
    birth = dt.date(1990, 2, 2)
    response = client.post(reverse("transfers:external_in"), {
        "to_org_code": "B1", "outside_org_name": "中共某高校委员会", "letter_no": "高组〔2024〕1号",
        "issued_on": "2024-02-01", "received_on": "2024-02-05", "name": "转入党员", "gender": "F",
        "ethnicity": "汉族", "birth_date": birth.isoformat(), "id_number": make_id_number(birth, 8, gender="F"),
        "category": "full", "joined_on": "2012-06-01", "full_member_on": "2013-06-01"})
    assert response.status_code == 302
    assert Member.objects.get(name="转入党员").org_id == tree["B1"].pk


def test_rules_page_and_edit(client, tree, user_factory):
    admin = user_factory("admin", "sysadmin", tree["G"])
    signin(client, admin)
    assert "组织关系介绍信有效期" in client.get(reverse("transfers:rules")).content.decode()
    response = client.post(reverse("transfers:rule_edit", args=["letter_validity"]),
                           {"param_days": "60", "param_max_days": "180", "enabled": "on", "reason": "某省通知"})
    assert response.status_code == 302
    from dangjian.core.scoping import SYSTEM
    from dangjian.transfers.selectors import rule_list

    assert rule_list(actor=SYSTEM)[0].params == {"days": 60, "max_days": 180}


# --- where a transfer starts (issue 9, point 1) -----------------------------------------------------------


def test_secretary_starts_a_transfer_from_the_member_list_and_the_member_page(client, tree, ma, mb, user_factory):
    # given: A1's branch secretary (transfers.change on A1)
    signin(client, user_factory("sec_a1", "branch_secretary", tree["A1"], scope="org"))
    initiate = reverse("transfers:create", args=[ma.pk])
    status = reverse("transfers:member", args=[ma.pk]) + "#status"
    # when
    listing = client.get(reverse("members:list")).content.decode()
    page = client.get(reverse("members:detail", args=[ma.pk])).content.decode()
    transfers = client.get(reverse("transfers:list")).content.decode()
    # then: in the list's rows (table and phone cards) and on the member's page
    assert listing.count(f'href="{initiate}" data-row-action="initiate"') == 2
    assert listing.count(f'href="{status}" data-row-action="status"') == 2
    assert f'href="{initiate}" data-member-link="initiate"' in page
    assert f'href="{status}" data-member-link="status"' in page
    assert f'href="{reverse("transfers:member", args=[ma.pk])}" data-member-link="history"' in page
    assert f'href="{reverse("members:list")}" data-start-transfer' in transfers
    # and each leads to a working page with the form
    assert client.get(initiate).status_code == 200
    assert "data-status-form" in client.get(status.split("#")[0]).content.decode()


def test_no_transfer_actions_without_the_permission_for_that_member(client, tree, ma, member_factory,
                                                                   user_factory, send):
    # given: a committee secretary (transfers.view only) and a member with a transfer already open
    busy = member_factory("A1", name="转接中党员")
    send(busy)
    signin(client, user_factory("wyh", "committee_secretary", tree["A"]))
    # when
    listing = client.get(reverse("members:list")).content.decode()
    page = client.get(reverse("members:detail", args=[ma.pk])).content.decode()
    # then: the history is offered, no action
    assert "data-row-action" not in listing and "data-row-actions" not in listing
    assert 'data-member-link="initiate"' not in page and 'data-member-link="status"' not in page
    assert 'data-member-link="history"' in page
    assert "data-start-transfer" not in client.get(reverse("transfers:list")).content.decode()


def test_a_member_with_an_open_transfer_offers_only_the_status_change(client, tree, ma, sender, send):
    send(ma)
    signin(client, sender)
    listing = client.get(reverse("members:list")).content.decode()
    assert f'href="{reverse("transfers:create", args=[ma.pk])}"' not in listing
    assert f'href="{reverse("transfers:member", args=[ma.pk])}#status" data-row-action="status"' in listing


def test_plain_member_gets_no_transfer_actions(client, tree, ma, user_factory):
    # given
    from dangjian.members.services import member_link_user

    user = user_factory("dangyuan", "member", tree["A1"], scope="self")
    member_link_user(actor=None, member=ma, user=user)
    signin(client, user)
    # when
    listing = client.get(reverse("members:list")).content.decode()
    page = client.get(reverse("members:detail", args=[ma.pk])).content.decode()
    # then
    assert "data-row-action" not in listing
    assert "data-member-link=\"initiate\"" not in page and "data-member-link=\"status\"" not in page
    assert "/transfers/" not in page
