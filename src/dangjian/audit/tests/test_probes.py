"""Out-of-scope reaches leave a trace for the auditor (issue 7, defect 9), rate-limited per actor."""
import pytest
from django.http import Http404

from dangjian.audit.choices import AuditAction
from dangjian.audit.models import AuditEntry
from dangjian.audit.selectors import audit_list
from dangjian.members.selectors import member_get

pytestmark = pytest.mark.django_db


def _probes():
    return list(AuditEntry.objects.filter(action=AuditAction.SCOPE_PROBE).order_by("seq")
                .values_list("actor_id", "target_type", "target_id", "org_path", "after"))


def test_reaching_for_another_branchs_member_is_not_found_and_traced_in_that_branch(tree, member_factory,
                                                                                     user_factory):
    # given
    mb = member_factory("B1")
    worker = user_factory("a1_worker", "party_worker", tree["A1"], scope="org")
    # when
    with pytest.raises(Http404):
        member_get(actor=worker, pk=mb.pk)
    # then
    assert _probes() == [(worker.pk, "members.member", str(mb.pk), tree["B1"].path, {"perm": "members.view"})]


def test_a_missing_object_leaves_no_trace(tree, user_factory):
    worker = user_factory("a1_worker", "party_worker", tree["A1"], scope="org")
    with pytest.raises(Http404):
        member_get(actor=worker, pk=987654321)
    with pytest.raises(Http404):
        member_get(actor=worker, pk="not-a-number")
    assert _probes() == []


def test_an_object_in_scope_leaves_no_trace(tree, member_factory, user_factory):
    ma = member_factory("A1")
    worker = user_factory("a1_worker", "party_worker", tree["A1"], scope="org")
    assert member_get(actor=worker, pk=ma.pk) == ma
    assert _probes() == []


def test_probes_are_rate_limited_per_actor(tree, member_factory, user_factory, settings):
    # given: a limit of 3 per window, and five other-branch members
    settings.AUDIT_PROBES_PER_WINDOW = 3
    targets = [member_factory("B1") for _ in range(5)]
    worker = user_factory("a1_worker", "party_worker", tree["A1"], scope="org")
    other = user_factory("a2_worker", "party_worker", tree["A2"], scope="org")
    # when: the same member reached three times, then all five
    for member in [targets[0], targets[0], targets[0], *targets]:
        with pytest.raises(Http404):
            member_get(actor=worker, pk=member.pk)
    with pytest.raises(Http404):
        member_get(actor=other, pk=targets[4].pk)
    # then: each object once, three entries at most, the last one saying that more were not recorded;
    # another actor has a budget of their own
    assert [(actor, target_id, after) for actor, _t, target_id, _p, after in _probes()] == [
        (worker.pk, str(targets[0].pk), {"perm": "members.view"}),
        (worker.pk, str(targets[1].pk), {"perm": "members.view"}),
        (worker.pk, str(targets[2].pk), {"perm": "members.view", "more_not_recorded": True}),
        (other.pk, str(targets[4].pk), {"perm": "members.view"}),
    ]


def test_the_auditor_of_the_probed_branch_sees_the_trace_and_the_other_branchs_does_not(tree, member_factory,
                                                                                          user_factory):
    # given
    mb = member_factory("B1")
    worker = user_factory("a1_worker", "party_worker", tree["A1"], scope="org")
    with pytest.raises(Http404):
        member_get(actor=worker, pk=mb.pk)
    b_auditor = user_factory("b_auditor", "auditor", tree["B"], scope="subtree")
    a_auditor = user_factory("a_auditor", "auditor", tree["A"], scope="subtree")
    # when
    seen_by_b = audit_list(actor=b_auditor).filter(action=AuditAction.SCOPE_PROBE).count()
    seen_by_a = audit_list(actor=a_auditor).filter(action=AuditAction.SCOPE_PROBE).count()
    # then
    assert (seen_by_b, seen_by_a) == (1, 0)
