"""Property: for random organisation trees and random grants, the scoped querysets return exactly
the rows inside the granted subtrees/orgs (plus the member's own record) — never one outside."""
import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.accounts.services import resolve_role, role_grant, user_create
from dangjian.members.models import Member
from dangjian.members.services import member_link_user, members_bulk_create
from dangjian.orgs.models import Organization
from dangjian.orgs.services import org_create
from tests.fixtures import make_id_number

# A tree as a list of parent indexes: node i's parent is parents[i] (< i), or None for a root.
trees = st.integers(min_value=1, max_value=14).flatmap(
    lambda n: st.tuples(*[st.none() if i == 0 else st.one_of(st.none(), st.integers(0, i - 1)) for i in range(n)])
)
grant = st.tuples(st.sampled_from(["subtree", "org", "self", "all"]), st.integers(0, 13))


@pytest.mark.django_db(transaction=False)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(parents=trees, grants=st.lists(grant, max_size=3), own=st.one_of(st.none(), st.integers(0, 13)))
def test_scoped_rows_are_exactly_the_granted_ones(parents, grants, own):
    with transaction.atomic():
        orgs: list[Organization] = []
        for i, parent in enumerate(parents):
            # committees everywhere so any parent is legal; members need branches: give each committee one
            p = orgs[parent] if parent is not None else None
            orgs.append(org_create(actor=None, parent=p, name=f"党委{i}", code=f"C{i}", org_type="committee"))
        branches = [org_create(actor=None, parent=o, name=f"支部{i}", code=f"B{i}", org_type="branch")
                    for i, o in enumerate(orgs)]
        rows = []
        for i, b in enumerate(branches):
            birth = dt.date(1970, 1, 1) + dt.timedelta(days=i * 101)
            rows.append({"name": f"党员{i}", "gender": "M", "birth_date": birth,
                         "id_number": make_id_number(birth, 2 * i + 1), "category": "probationary",
                         "joined_on": dt.date(2026, 1, 1), "org": b})
        members_bulk_create(actor=None, rows=rows)
        user = user_create(actor=None, username="u", password=None)
        role = resolve_role("party_worker")
        expected_orgs: set[int] = set()
        all_orgs = list(Organization.objects.all())
        for kind, idx in grants:
            target = orgs[idx % len(orgs)]
            role_grant(actor=None, user=user, role=role, org=None if kind == "all" else target, scope=kind)
            if kind == "all":
                expected_orgs |= {o.pk for o in all_orgs}
            elif kind == "subtree":
                expected_orgs |= {o.pk for o in all_orgs if o.path.startswith(target.path)}
            elif kind == "org":
                expected_orgs.add(target.pk)
        own_member = None
        if own is not None:
            own_member = Member.objects.get(org=branches[own % len(branches)])
            member_link_user(actor=None, member=own_member, user=user)
        user = type(user).objects.get(pk=user.pk)

        visible_orgs = set(Organization.objects.for_actor(user, "orgs.view").values_list("pk", flat=True))
        visible_members = set(Member.objects.for_actor(user, "members.view").values_list("pk", flat=True))
        changeable = set(Member.objects.for_actor(user, "members.change").values_list("pk", flat=True))

        expected_members = set(Member.objects.filter(org_id__in=expected_orgs).values_list("pk", flat=True))
        self_grant = any(kind == "self" for kind, _ in grants)
        own_org = {own_member.org_id} if own_member else set()
        own_ids = {own_member.pk} if own_member else set()
        assert visible_orgs == expected_orgs | own_org
        assert visible_members == expected_members | own_ids
        assert changeable == expected_members | (own_ids if self_grant else set())
        transaction.set_rollback(True)
