"""The one permission rule: grants become a path-range filter; out of scope is "not found"."""
import pytest
from django.http import Http404

from dangjian.core.scoping import get_for_actor, next_prefix
from dangjian.members.models import Member
from dangjian.orgs.models import Organization


def test_next_prefix_orders_after_every_descendant():
    assert next_prefix("0001") == "0002"
    assert next_prefix("0009") == "000:"
    assert "00090001" < next_prefix("0009") and "000A" > next_prefix("0009")


@pytest.mark.django_db
def test_subtree_grant_sees_only_its_subtree(tree, member_factory, user_factory):
    # given
    in_a = [member_factory("A1"), member_factory("A2")]
    member_factory("B1")
    secretary = user_factory("sec_a", "committee_secretary", tree["A"])
    # when
    visible = set(Member.objects.for_actor(secretary, "members.view").values_list("pk", flat=True))
    orgs = set(Organization.objects.for_actor(secretary, "orgs.view").values_list("code", flat=True))
    # then
    assert visible == {m.pk for m in in_a}
    assert orgs == {"A", "A1", "A2", "A1G1"}


@pytest.mark.django_db
def test_org_scope_is_that_org_only_and_other_branch_is_not_found(tree, member_factory, user_factory):
    a1_member = member_factory("A1")
    b1_member = member_factory("B1")
    worker = user_factory("worker", "party_worker", tree["A1"], scope="org")
    assert list(Member.objects.for_actor(worker, "members.change")) == [a1_member]
    with pytest.raises(Http404):
        get_for_actor(Member.objects.all(), worker, "members.view", pk=b1_member.pk)


@pytest.mark.django_db
def test_member_always_sees_own_record_even_without_grant(tree, member_factory, user_factory):
    from dangjian.members.services import member_link_user

    me = member_factory("B1")
    member_factory("B1")
    user = user_factory("plain")
    member_link_user(actor=None, member=me, user=user)
    assert list(Member.objects.for_actor(user, "members.view")) == [me]
    assert list(Member.objects.for_actor(user, "members.change")) == []


@pytest.mark.django_db
def test_anonymous_and_no_grant_see_nothing(tree, member_factory, user_factory):
    from django.contrib.auth.models import AnonymousUser

    member_factory("A1")
    nobody = user_factory("nobody")
    assert Member.objects.for_actor(AnonymousUser(), "members.view").count() == 0
    assert Member.objects.for_actor(nobody, "members.view").count() == 0
    assert Member.objects.for_actor(None, "members.view").count() == 0


@pytest.mark.django_db
def test_self_scope_on_orgs_returns_each_org_once(tree, member_factory, user_factory):
    from dangjian.members.services import member_link_user

    me = member_factory("A1")
    member_factory("A1")
    member_factory("A1")
    user = user_factory("m", "member", tree["A1"], scope="self")
    member_link_user(actor=None, member=me, user=user)
    assert list(Organization.objects.for_actor(user, "orgs.view").values_list("code", flat=True)) == ["A1"]


@pytest.mark.django_db
def test_org_scope_on_audit_entries_matches_exact_path(tree, user_factory):
    from dangjian.audit.models import AuditEntry

    auditor = user_factory("aud", "auditor", tree["A"], scope="org")
    paths = set(AuditEntry.objects.for_actor(auditor, "audit.view").values_list("org_path", flat=True))
    assert paths == {tree["A"].path}
