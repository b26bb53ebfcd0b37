"""Demo logins: an administrator and one account per everyday role, each granted at a sensible
organisation of the demo enterprise and linked to a member record, all through the services."""
from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from django.db import transaction

from dangjian.accounts.choices import Scope
from dangjian.accounts.services import resolve_role, role_grant, user_create
from dangjian.members.choices import Category, MemberStatus
from dangjian.members.models import CommitteeSeat, Member
from dangjian.members.services import member_link_user
from dangjian.orgs.choices import OrgType, Position
from dangjian.orgs.models import Organization

__all__ = ["DemoLogin", "create_demo_logins", "generate_password"]

_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str            # the role's Chinese name
    org: str
    scope: str           # the scope's Chinese label
    password: str
    mfa_required: bool
    member: str = ""     # the linked member's name


def generate_password() -> str:
    """14 characters from letters and digits, with at least one of each kind (passes the validators)."""
    while True:
        value = "".join(secrets.choice(_ALPHABET) for _ in range(14))
        if any(c.islower() for c in value) and any(c.isupper() for c in value) and any(c.isdigit() for c in value):
            return value


def _secretary(org: Organization) -> Member | None:
    seat = (CommitteeSeat.objects.filter(term__org=org, term__is_current=True, position=Position.SECRETARY,
                                         until__isnull=True).select_related("member").first())
    return seat.member if seat else None


def _plain_member(org: Organization, taken: set[int]) -> Member | None:
    """A full member in good standing of *org* without a committee seat, not yet linked."""
    return (Member.objects.filter(org=org, category=Category.FULL, status=MemberStatus.NORMAL, user__isnull=True,
                                  seats__isnull=True).exclude(pk__in=taken).order_by("pk").first())


@transaction.atomic
def create_demo_logins(*, actor=None) -> list[DemoLogin]:
    """Creates the demo accounts (passwords generated; returned once, never stored in clear)."""
    root = Organization.objects.get(depth=1)
    children = list(Organization.objects.filter(depth=2, org_type=OrgType.COMMITTEE).order_by("path"))
    head_office = children[0]
    subsidiary = next((c for c in children[1:] if Organization.objects.filter(
        path__startswith=c.path, org_type=OrgType.GENERAL_BRANCH).exists()), children[-1])
    hq_branches = list(Organization.objects.filter(path__startswith=head_office.path, org_type=OrgType.BRANCH)
                       .order_by("path"))

    def hq_branch(keyword: str) -> Organization:
        return next((b for b in hq_branches if keyword in b.name), hq_branches[0])

    taken: set[int] = set()

    def take(member: Member | None) -> Member | None:
        if member is not None:
            taken.add(member.pk)
        return member

    committee_secretary = take(_secretary(subsidiary))
    # A branch of the same subsidiary, preferably under a general branch, whose secretary is free.
    branches = sorted(Organization.objects.filter(path__startswith=subsidiary.path, org_type=OrgType.BRANCH,
                                                  is_joint=False), key=lambda b: (-b.depth, b.path))
    branch, branch_secretary = branches[0], None
    for candidate in branches:
        secretary = _secretary(candidate)
        if secretary is not None and secretary.pk not in taken and candidate.members.count() >= 7:
            branch, branch_secretary = candidate, secretary
            break
    take(branch_secretary)
    plan = [
        # username, role code, org, scope, member record to link
        ("admin", "sysadmin", None, Scope.ALL, None),
        ("zuzhibu", "org_dept", root, Scope.SUBTREE, take(_plain_member(hq_branch("党群"), taken))),
        ("shenji", "auditor", root, Scope.SUBTREE, take(_plain_member(hq_branch("审计"), taken))),
        ("dangwei", "committee_secretary", subsidiary, Scope.SUBTREE, committee_secretary),
        ("zhibu", "branch_secretary", branch, Scope.ORG, branch_secretary),
        ("dangyuan", "member", branch, Scope.SELF, take(_plain_member(branch, taken))),
    ]
    logins: list[DemoLogin] = []
    for username, role_code, org, scope, member in plan:
        role = resolve_role(role_code)
        password = generate_password()
        display = "系统管理员" if username == "admin" else (member.name if member else role.name)
        user = user_create(actor=actor, username=username, password=password, display_name=display,
                           is_superuser=username == "admin")
        role_grant(actor=actor, user=user, role=role, org=org, scope=scope)
        if member is not None:
            member_link_user(actor=actor, member=member, user=user)
        logins.append(DemoLogin(username=username, role=role.name, org=org.name if org else "全部",
                                scope=str(Scope(scope).label), password=password,
                                mfa_required=role.requires_mfa or username == "admin",
                                member=member.name if member else ""))
    return logins
