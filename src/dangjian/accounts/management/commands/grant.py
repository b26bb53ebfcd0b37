"""``dangjian grant USERNAME ROLE ORG_CODE --scope subtree``: give a role at an org."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from dangjian.accounts.choices import Scope
from dangjian.accounts.models import User
from dangjian.accounts.services import resolve_role, role_grant
from dangjian.core.errors import DomainError
from dangjian.core.scoping import SYSTEM
from dangjian.orgs.models import Organization


class Command(BaseCommand):
    help = "Grant a role (code or Chinese name) to a user at an organisation (by code) with a data scope."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", help="role code (e.g. branch_secretary) or name (e.g. 支部书记)")
        parser.add_argument("org_code", nargs="?", default=None, help="organisation code; omit with --scope all")
        parser.add_argument("--scope", default=Scope.SUBTREE, choices=Scope.values)

    def handle(self, *args, username, role, org_code, scope, **opts):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"unknown user: {username}")
        try:
            role_obj = resolve_role(role)
        except DomainError as exc:
            raise CommandError(str(exc.errors[0].message))
        org = None
        if org_code:
            org = Organization.objects.filter(code=org_code).first()
            if org is None:
                raise CommandError(f"unknown organisation code: {org_code}")
        try:
            assignment = role_grant(actor=SYSTEM, user=user, role=role_obj, org=org, scope=scope)
        except DomainError as exc:
            raise CommandError("; ".join(e.message for e in exc.errors))
        self.stdout.write(f"granted: {assignment}")
