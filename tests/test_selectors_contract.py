"""Selectors are honest to their name (issue 8, point 7; STYLE §3): every public function of every app's
``selectors.py`` (or ``selectors/`` package) takes the acting user as a parameter named ``actor`` and
starts from a scoped queryset (``Model.objects.for_actor``, ``get_for_actor`` or, for data that belongs
to no organisation, ``core.scoping.platform_rows``). Calculations live in modules named for what they
are (``orgs/terms.py``, ``meetings/compliance.py``, ``transfers/deadlines.py``...), and reads that only
a service needs live beside that service.

The check reads the source (``ast``), so it also covers functions no test calls.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.http import Http404

SRC = Path(__file__).resolve().parent.parent / "src" / "dangjian"

# Public selectors allowed to take no ``actor``, with the reason. Keep it empty: a new entry needs a
# reason a reviewer accepts.
ALLOWED: dict[str, str] = {}


def selector_modules() -> list[Path]:
    return sorted([*SRC.glob("*/selectors.py"), *SRC.glob("*/selectors/*.py")])


def public_selectors(path: Path) -> list[tuple[str, list[str]]]:
    """(name, parameter names) of each public module-level function of *path*."""
    module = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in module.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_"):
            args = node.args
            out.append((node.name, [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]))
    return out


def dotted(path: Path, name: str) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join((*(p for p in parts if p != "__init__"), name))


def test_every_public_selector_takes_the_actor():
    modules = selector_modules()
    assert len(modules) >= 10  # every capability app has selectors: the glob found them
    missing = sorted(
        dotted(path, name)
        for path in modules
        for name, params in public_selectors(path)
        if "actor" not in params and dotted(path, name) not in ALLOWED
    )
    assert missing == [], f"public selectors without an `actor` parameter: {missing}"


def test_the_allow_list_names_only_existing_offenders():
    offenders = {
        dotted(path, name)
        for path in selector_modules()
        for name, params in public_selectors(path)
        if "actor" not in params
    }
    assert sorted(set(ALLOWED) - offenders) == []


# --- the patterns the selectors use, each once -------------------------------------------------------


@pytest.fixture
def people(tree, user_factory):
    """A secretary of branch A1 (subtree scope) and one of B1, plus a signed-in account with no role."""
    return {
        "a1": user_factory("sec_a1", "branch_secretary", tree["A1"]),
        "b1": user_factory("sec_b1", "branch_secretary", tree["B1"]),
        "plain": user_factory("plain"),
    }


def test_platform_rows_need_a_signed_in_actor_and_the_permission_somewhere(people):
    from django.contrib.auth.models import AnonymousUser

    from dangjian.accounts.models import Role
    from dangjian.core.scoping import SYSTEM, platform_rows

    every = Role.objects.count()
    assert every > 0
    assert platform_rows(Role.objects.all(), AnonymousUser()).count() == 0
    assert platform_rows(Role.objects.all(), None).count() == 0
    assert platform_rows(Role.objects.all(), people["plain"]).count() == every
    assert platform_rows(Role.objects.all(), people["plain"], "meetings.change").count() == 0
    assert platform_rows(Role.objects.all(), people["a1"], "meetings.change").count() == every
    assert platform_rows(Role.objects.all(), SYSTEM, "meetings.change").count() == every


def test_a_parent_is_reached_through_a_child_in_scope(tree, people):
    from dangjian.orgs.selectors import org_parent, org_parent_codes

    a1, b1 = tree["A1"], tree["B1"]
    assert org_parent(actor=people["a1"], org=a1) == tree["A"]  # A is above the secretary's scope
    assert org_parent(actor=people["b1"], org=a1) is None  # A1 is not theirs: nothing through it
    assert org_parent_codes(actor=people["a1"], orgs=[a1, b1]) == {a1.pk: "A", b1.pk: None}


def test_a_roll_is_read_through_its_org_else_only_ones_own_record(tree, people, member_factory):
    from dangjian.core.scoping import SYSTEM
    from dangjian.meetings.choices import ElectionsPerm, MeetingsPerm
    from dangjian.meetings.selectors import org_roll, voter_roll
    from dangjian.members.services import member_link_user

    mine = member_link_user(actor=None, member=member_factory("A1"), user=people["plain"])
    other = member_factory("A1")
    everyone = [mine.pk, other.pk]
    assert [m.pk for m in org_roll(actor=people["a1"], org=tree["A1"], perm=MeetingsPerm.CHANGE)] == everyone
    assert [m.pk for m in voter_roll(actor=SYSTEM, org=tree["A1"])] == everyone
    assert list(voter_roll(actor=people["b1"], org=tree["A1"], perm=ElectionsPerm.CHANGE)) == []
    # a member sees their own branch (``Organization.scope_self_q``); elsewhere only their own record
    assert [m.pk for m in org_roll(actor=people["plain"], org=tree["A1"])] == everyone
    assert [m.pk for m in org_roll(actor=people["plain"], org=tree["A"], perm=MeetingsPerm.CHANGE)] == [mine.pk]
    assert list(org_roll(actor=people["b1"], org=tree["A"], perm=MeetingsPerm.CHANGE)) == []


def test_a_members_history_needs_the_member_in_scope(tree, people, member_factory):
    from dangjian.transfers.selectors import member_history

    member = member_factory("A1")
    assert member_history(actor=people["a1"], member=member).member == member
    with pytest.raises(Http404):
        member_history(actor=people["b1"], member=member)


def test_personal_preferences_are_ones_own_except_for_the_system(people):
    from dangjian.core.scoping import SYSTEM
    from dangjian.integration.selectors import preferences_for

    ids = [people["a1"].pk, people["b1"].pk]
    assert set(preferences_for(actor=SYSTEM, user_ids=ids)) == set(ids)
    assert set(preferences_for(actor=people["a1"], user_ids=ids)) == {people["a1"].pk}
