"""The member picker (issue 9): its JSON source lists only members in the actor's scope (for the form's
permission), by name fragment or the ID number's last 4, each with their branch and masked ID; the
resolver takes the id the picker submits or a unique name, and lists namesakes by branch."""
from __future__ import annotations

import pytest
from django.urls import reverse

from dangjian.members.pickers import member_pick_resolve
from tests.fixtures import signin

pytestmark = pytest.mark.django_db


def _pick(client, **params):
    response = client.get(reverse("members:pick"), params)
    assert response.status_code == 200
    return response.json()["items"]


def test_a_branch_worker_finds_only_their_branch_s_members(client, tree, member_factory, user_factory):
    # given: namesakes in A1, A2 and B1
    a1 = member_factory("A1", name="张伟")
    member_factory("A2", name="张伟")
    member_factory("B1", name="张伟")
    signin(client, user_factory("worker", "party_worker", tree["A1"], scope="org"))
    # when
    items = _pick(client, q="张")
    # then
    assert [(i["value"], i["label"], i["path"]) for i in items] == [(str(a1.pk), "张伟", "甲一支部")]
    assert items[0]["hint"] == a1.id_number_masked and "*" in items[0]["hint"]


def test_namesakes_are_told_apart_by_branch_and_the_id_tail_finds_one(client, tree, member_factory, user_factory):
    a1 = member_factory("A1", name="张伟")
    a2 = member_factory("A2", name="张伟")
    signin(client, user_factory("dept", "org_dept", tree["G"]))
    items = _pick(client, q="张伟")
    assert [(i["value"], i["path"]) for i in items] == [
        (str(a1.pk), "集团党委 › 甲公司党委 › 甲一支部"), (str(a2.pk), "集团党委 › 甲公司党委 › 甲二支部")]
    assert [i["value"] for i in _pick(client, q=a2.id_number[-4:])] == [str(a2.pk)]


def test_resolving_an_id_a_unique_name_or_namesakes(tree, member_factory, user_factory):
    a1 = member_factory("A1", name="张伟")
    a2 = member_factory("A2", name="张伟")
    b1 = member_factory("B1", name="李娜")
    sec = user_factory("sec_a", "branch_secretary", tree["A"])
    assert member_pick_resolve(actor=sec, text=str(a2.pk)) == (a2, None)
    member, error = member_pick_resolve(actor=sec, text="张伟")
    assert member is None and error.startswith("有 2 名党员名为“张伟”，请从列表中选择：甲公司党委 › 甲一支部（")
    # B's member: by id or by name, as unknown as a missing one
    missing = (None, "未找到该党员，或该党员不在您的管理范围内")
    assert member_pick_resolve(actor=sec, text=str(b1.pk)) == missing
    assert member_pick_resolve(actor=sec, text="李娜") == missing
    assert member_pick_resolve(actor=sec, text=str(a1.pk), perm="members.change") == (a1, None)


def test_the_source_needs_members_view(client, tree, user_factory):
    signin(client, user_factory("auditor", "auditor", tree["G"]))
    assert client.get(reverse("members:pick"), {"q": "张"}).status_code == 403
