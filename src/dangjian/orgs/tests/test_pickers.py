"""The org picker (issue 9, point 2): its JSON source lists only what the actor may choose, tells
same-named branches apart by their parent path, puts an exact code first, and a group-wide purpose (the
receiving branch of a transfer) reaches beyond one's scope only for those who may start transfers. The
resolver takes a code or a unique name; a shared name is an error listing the candidates by path."""
from __future__ import annotations

import pytest
from django.urls import reverse

from dangjian.audit.models import AuditEntry
from dangjian.orgs.pickers import org_pick_resolve, org_pick_search
from dangjian.transfers.choices import DESTINATION_PURPOSE
from tests.fixtures import signin

pytestmark = pytest.mark.django_db

SAME = "热控班党支部"


@pytest.fixture
def twins(tree):
    """Two branches named 热控班党支部: A3 under 甲公司党委 and B2 under 乙公司党委."""
    from dangjian.orgs.services import org_create

    tree["A3"] = org_create(actor=None, parent=tree["A"], name=SAME, code="A3", org_type="branch")
    tree["B2"] = org_create(actor=None, parent=tree["B"], name=SAME, code="B2", org_type="branch")
    return tree


def _pick(client, **params):
    response = client.get(reverse("orgs:pick"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return [(i["value"], i["label"], i["path"]) for i in response.json()["items"]]


def test_same_named_branches_are_told_apart_by_their_parent_path(client, twins, user_factory):
    # given: the organisation department at the group committee
    signin(client, user_factory("dept", "org_dept", twins["G"]))
    # when
    items = _pick(client, q="热控")
    # then
    assert items == [("A3", SAME, "集团党委 › 甲公司党委"), ("B2", SAME, "集团党委 › 乙公司党委")]


def test_a_secretary_finds_only_the_orgs_of_their_scope(client, twins, user_factory):
    # given: a secretary of A's subtree
    signin(client, user_factory("sec_a", "branch_secretary", twins["A"]))
    # when
    by_name = _pick(client, q="支部")
    by_b_code = _pick(client, q="B1")
    twin = _pick(client, q=SAME)
    # then: A's branches only; the ancestors above the scope are left out of the path
    assert [v for v, _l, _p in by_name] == ["A1", "A2", "A3"]
    assert by_b_code == []
    assert twin == [("A3", SAME, "甲公司党委")]


def test_an_exact_code_comes_first_and_the_list_is_capped(client, tree, user_factory):
    from dangjian.orgs.services import org_create

    for n in range(25):
        org_create(actor=None, parent=tree["A"], name=f"甲A1分部{n:02d}支部", code=f"AX{n:02d}", org_type="branch")
    signin(client, user_factory("dept", "org_dept", tree["G"]))
    items = _pick(client, q="A1")
    assert items[0] == ("A1", "甲一支部", "集团党委 › 甲公司党委")
    assert len(items) == 20


@pytest.mark.parametrize(("_case", "params", "expected"), [
    ("types", {"type": "branch"}, ["A1", "A2"]),
    ("perm_narrower_than_orgs_view", {"perm": "dues.change"}, ["A1"]),
    ("unknown_perm_is_orgs_view", {"perm": "nope.nothing"}, ["A", "A1", "A1G1", "A2"]),
])
def test_type_and_permission_narrow_the_list(client, tree, user_factory, _case, params, expected):
    # given: orgs.view over A's subtree, dues.change only at A1 itself
    from dangjian.accounts.services import resolve_role, role_grant

    user = user_factory("mixed", "committee_secretary", tree["A"])
    role_grant(actor=None, user=user, role=resolve_role("party_worker"), org=tree["A1"], scope="org")
    signin(client, user)
    # when
    items = _pick(client, q="甲", **params)
    # then
    assert sorted(v for v, _l, _p in items) == expected


def test_the_receiving_branch_of_a_transfer_may_be_any_branch_of_the_group(client, twins, user_factory):
    # given: A1's party worker (transfers.change at A1 only) and A's committee secretary (no transfers.change)
    worker = user_factory("worker", "party_worker", twins["A1"], scope="org")
    viewer = user_factory("viewer", "committee_secretary", twins["A"])
    # when / then: the worker is offered every active branch of the group, with the whole path
    signin(client, worker)
    assert _pick(client, q=SAME, purpose=DESTINATION_PURPOSE) == [
        ("A3", SAME, "集团党委 › 甲公司党委"), ("B2", SAME, "集团党委 › 乙公司党委")]
    assert _pick(client, q="公司", purpose=DESTINATION_PURPOSE) == []  # committees are not branches
    # ... and without the purpose only their own scope
    assert _pick(client, q=SAME) == []
    signin(client, viewer)
    assert _pick(client, q=SAME, purpose=DESTINATION_PURPOSE) == []


def test_the_source_needs_orgs_view_and_a_signed_in_user(client, tree, user_factory):
    response = client.get(reverse("orgs:pick"), {"q": "甲"})
    assert response.status_code == 302
    signin(client, user_factory("nobody"))
    assert client.get(reverse("orgs:pick"), {"q": "甲"}).status_code == 403


def test_the_search_costs_a_fixed_number_of_queries(twins, user_factory, django_assert_max_num_queries):
    actor = user_factory("dept", "org_dept", twins["G"])
    org_pick_search(actor=actor, q="x")  # warm the grant cache
    with django_assert_max_num_queries(4):
        items = org_pick_search(actor=actor, q="支部")
    assert len(items) == 5


# --- resolving what was submitted ------------------------------------------------------------------


def test_a_code_or_a_unique_name_resolves(twins, user_factory):
    actor = user_factory("dept", "org_dept", twins["G"])
    assert org_pick_resolve(actor=actor, text=" A1 ") == (twins["A1"], None)
    assert org_pick_resolve(actor=actor, text="a1") == (twins["A1"], None)
    assert org_pick_resolve(actor=actor, text="乙一支部") == (twins["B1"], None)
    assert org_pick_resolve(actor=actor, text="") == (None, None)


def test_a_shared_name_is_an_error_listing_the_candidates_by_path(twins, user_factory):
    actor = user_factory("dept", "org_dept", twins["G"])
    org, error = org_pick_resolve(actor=actor, text=SAME)
    assert org is None
    assert error == ("有 2 个组织名为“热控班党支部”，请从列表中选择（按上级组织区分），或输入组织代码："
                     "集团党委 › 甲公司党委（A3）；集团党委 › 乙公司党委（B2）")
    # within A's scope the name is unique
    sec = user_factory("sec_a", "branch_secretary", twins["A"])
    assert org_pick_resolve(actor=sec, text=SAME) == (twins["A3"], None)


def test_an_org_outside_the_scope_is_not_found_like_a_missing_one_and_traced(twins, user_factory):
    sec = user_factory("sec_a", "branch_secretary", twins["A"])
    before = AuditEntry.objects.filter(action="accounts.scope_probe").count()
    assert org_pick_resolve(actor=sec, text="B1") == org_pick_resolve(actor=sec, text="NOPE")
    assert org_pick_resolve(actor=sec, text="B1")[1] == "未找到该组织代码，或该组织不在您的管理范围内"
    assert AuditEntry.objects.filter(action="accounts.scope_probe").count() == before + 1
