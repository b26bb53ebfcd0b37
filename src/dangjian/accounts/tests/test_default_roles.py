"""The default roles come from accounts.choices.ROLES and the grants each app declares
(DEFAULT_GRANTS in <app>/declarations.py); the data migrations seed exactly those (issue 8)."""
from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from dangjian.accounts.choices import ALL_PERMISSIONS, DEFAULT_ROLES, ROLES
from dangjian.accounts.models import Role

pytestmark = pytest.mark.django_db

TEST_ONLY = "declapp."  # tests/declapp, installed by the test settings only

# The roles as accounts.choices listed them by hand before the apps declared their grants (issue 8),
# with the permissions added since (meetings.configure: the cadence rules, issue 8 point 5).
BEFORE = {
    "sysadmin": ("系统管理员", True, {
        "accounts.manage", "audit.view", "development.change", "development.configure", "development.view",
        "dues.change", "dues.configure", "dues.view", "exchange.export", "exchange.import", "health.acknowledge", "health.configure",
        "health.view", "integration.configure", "meetings.change", "meetings.configure", "meetings.view",
        "members.change", "members.reveal", "members.view", "orgs.change", "orgs.view", "transfers.change",
        "transfers.configure", "transfers.view",
        "integration.schedule"}),  # added with the schedule page's own permission (issue 9 §3)
    "org_dept": ("组织部", True, {
        "accounts.manage", "development.change", "development.view", "dues.change", "dues.view",
        "exchange.export", "exchange.import", "health.acknowledge", "health.view", "integration.configure",
        "meetings.change", "meetings.view", "members.change", "members.reveal", "members.view", "orgs.change",
        "orgs.view", "transfers.change", "transfers.view"}),
    "committee_secretary": ("党委书记", True, {
        "development.view", "dues.view", "exchange.export", "health.acknowledge", "health.view", "meetings.view",
        "members.reveal", "members.view", "orgs.view", "transfers.view"}),
    "branch_secretary": ("支部书记", False, {
        "development.change", "development.view", "dues.change", "dues.view", "exchange.export",
        "exchange.import", "health.acknowledge", "health.view", "integration.configure", "meetings.change",
        "meetings.view", "members.change", "members.view", "orgs.change", "orgs.view", "transfers.change",
        "transfers.view"}),
    "party_worker": ("党务工作者", False, {
        "development.change", "development.view", "dues.change", "dues.view", "exchange.export",
        "exchange.import", "health.view", "meetings.change", "meetings.view", "members.change", "members.view",
        "orgs.view", "transfers.change", "transfers.view"}),
    "auditor": ("审计员", True, {"audit.view", "orgs.view"}),
    "member": ("党员", False, {"dues.view", "meetings.view", "members.view", "orgs.view"}),
}

# The apps whose permissions came after accounts' seeding migration: each adds them to existing roles
# (an app that brought a permission later adds it in a further migration, listed after the first).
GRANT_MIGRATIONS = {
    "development": "dangjian.development.migrations.0003_role_permissions",
    "dues": ("dangjian.dues.migrations.0003_role_permissions", "dangjian.dues.migrations.0005_configure_permission"),
    "exchange": "dangjian.exchange.migrations.0003_role_permissions",
    "health": "dangjian.health.migrations.0003_role_permissions",
    "integration": ("dangjian.integration.migrations.0002_role_permissions",
                    "dangjian.integration.migrations.0003_schedule_permission"),
    "meetings": ("dangjian.meetings.migrations.0003_role_permissions",
                 "dangjian.meetings.migrations.0004_configure_permission"),
    "transfers": "dangjian.transfers.migrations.0003_role_permissions",
}


def _rows() -> dict[str, tuple[str, bool, set[str]]]:
    return {r.code: (r.name, r.requires_mfa, set(r.permissions)) for r in Role.objects.all()}


def _without_test_app(roles: dict) -> dict:
    return {code: (name, mfa, {p for p in perms if not p.startswith(TEST_ONLY)})
            for code, (name, mfa, perms) in roles.items()}


def test_the_migrated_roles_are_the_declared_defaults():
    # then: a new database (the test database is migrated from scratch) holds exactly the declared roles
    assert _rows() == {code: (name, mfa, set(perms)) for code, (name, perms, mfa) in DEFAULT_ROLES.items()}
    assert all(perms == sorted(perms) for _name, perms, _mfa in DEFAULT_ROLES.values())
    assert DEFAULT_ROLES["sysadmin"][1] == sorted(ALL_PERMISSIONS)


def test_the_declared_defaults_are_the_roles_as_listed_by_hand_before():
    declared = {code: (name, mfa, set(perms)) for code, (name, perms, mfa) in DEFAULT_ROLES.items()}
    assert _without_test_app(declared) == BEFORE
    assert list(DEFAULT_ROLES) == list(ROLES) == list(BEFORE)


def test_an_existing_database_gets_the_same_roles_from_the_apps_grant_migrations():
    # given: the roles as they were before any of these apps existed
    prefixes = tuple(f"{app}." for app in GRANT_MIGRATIONS)
    for role in Role.objects.all():
        role.permissions = [p for p in role.permissions if not p.startswith(prefixes)]
        role.save(update_fields=["permissions"])
    # when: each app's migration runs (twice: it must only ever add)
    for paths in GRANT_MIGRATIONS.values():
        for path in (paths,) if isinstance(paths, str) else paths:
            operation = importlib.import_module(path).Migration.operations[0]
            operation.code(apps, None)
            operation.code(apps, None)
    # then
    assert _without_test_app(_rows()) == BEFORE


def test_every_app_with_permissions_after_accounts_has_a_grant_migration():
    # A new app's permissions reach existing databases only through its own grant migration
    # (accounts.migration_ops.grant_role_permissions); a new database gets them from DEFAULT_ROLES.
    early = {"orgs", "members", "audit", "accounts"}  # in accounts' own seeding migration since 0002
    apps_with_permissions = {code.split(".")[0] for code in ALL_PERMISSIONS} - {TEST_ONLY.rstrip(".")}
    assert apps_with_permissions - early == set(GRANT_MIGRATIONS)
