"""The planned enterprise: sizes, shape and terms follow DOMAIN §2–§3, the same seed gives the same plan."""
import datetime as dt

import pytest

from dangjian.demo.plan import MAX_BRANCH, MIN_BRANCH, add_years, credit_code, plan_enterprise
from dangjian.orgs.choices import ALLOWED_PARENTS, OrgType

TODAY = dt.date(2025, 6, 1)
YEARS = {"committee": 5, "general_branch": 3, "branch": 3}


def _plan(members, seed=1, target=None):
    return plan_enterprise(members=members, seed=seed, today=TODAY, term_years=YEARS, target_orgs=target)


@pytest.mark.parametrize("members", [3, 4, 10, 57, 300, 3000, 20000])
def test_branch_sizes_add_up_and_stay_within_3_to_50(members):
    plan = _plan(members)
    sizes = [b.size for b in plan.branches]
    assert sum(sizes) == members
    assert min(sizes) >= MIN_BRANCH and max(sizes) <= MAX_BRANCH


def test_every_parent_type_is_allowed_and_paths_are_treebeard_paths():
    plan = _plan(20000)
    for node in plan.orgs:
        parent = plan.orgs[node.parent] if node.parent is not None else None
        assert (parent.org_type if parent else None) in ALLOWED_PARENTS[node.org_type]
        assert len(node.path) == 4 * node.depth
        if parent is not None:
            assert node.path.startswith(parent.path)
    children = {}
    for node in plan.orgs:
        children[node.parent] = children.get(node.parent, 0) + 1
    assert all(node.numchild == children.get(node.idx, 0) for node in plan.orgs)
    assert len({node.path for node in plan.orgs}) == len(plan.orgs)


def test_large_plan_is_six_levels_deep_with_every_kind_of_org_and_about_six_percent_orgs():
    plan = _plan(100_000)
    counts = plan.counts()
    assert max(node.depth for node in plan.orgs) == 6
    assert all(counts[t] > 0 for t in OrgType.values)
    assert abs(len(plan.orgs) - 6000) < 300
    assert any(b.is_joint for b in plan.branches)
    assert all(2 <= len(plan.orgs[b.idx].units) <= 5 for b in plan.branches if b.is_joint)


def test_target_org_count_is_met_approximately():
    assert abs(len(_plan(20000, target=1500).orgs) - 1500) < 100


def test_terms_some_near_expiry_some_expired():
    plan = _plan(20000)
    terms = [node.term for node in plan.orgs if node.org_type != OrgType.GROUP]
    assert all(t is not None and t.end_date == add_years(t.start_date, t.term_years) for t in terms)
    days = [(t.end_date - TODAY).days for t in terms]
    near = sum(1 for d in days if 0 <= d < 183) / len(days)
    expired = sum(1 for d in days if d < 0) / len(days)
    assert 0.07 < near < 0.2
    assert 0.01 < expired < 0.06
    assert all(t.start_date <= TODAY for t in terms)


def test_same_seed_same_plan_other_seed_other_plan():
    def shape(plan):
        return [(n.name, n.path, n.size, n.term and n.term.start_date) for n in plan.orgs]

    assert shape(_plan(5000, seed=3)) == shape(_plan(5000, seed=3))
    assert shape(_plan(5000, seed=3)) != shape(_plan(5000, seed=4))


def test_credit_codes_are_well_formed():
    import random

    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    rng = random.Random(1)
    for _ in range(200):
        code = credit_code(rng, "110101")
        assert len(code) == 18 and code[:8] == "91110101"
        total = sum(alphabet.index(c) * w for c, w in zip(code[:17], weights, strict=True))
        assert alphabet[(31 - total % 31) % 31] == code[17]


def test_orgs_per_branch_sets_the_density():
    sparse = plan_enterprise(members=20000, seed=1, today=TODAY, term_years=YEARS, orgs_per_branch=1.3)
    dense = plan_enterprise(members=20000, seed=1, today=TODAY, term_years=YEARS, orgs_per_branch=2.0)
    for plan, ratio in ((sparse, 1.3), (dense, 2.0)):
        assert abs(len(plan.orgs) / len(plan.branches) - ratio) < 0.05
    assert [b.size for b in sparse.branches] == [b.size for b in dense.branches]
