"""Existing databases migrate forward with their roles, grants and rule values intact (issue 8, "Bad
input"): the database is put back to the schema main had before the shared-kits work (PREVIOUS), a
site's own edits are written through that schema's historical models, then every later migration runs
and the edits must all still be there. Runs on SQLite and on PostgreSQL like the rest of the suite."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# The leaf migration of every app on main before issue 8's rule editing and dues versions landed.
PREVIOUS = [
    ("accounts", "0002_default_roles"),
    ("audit", "0001_initial"),
    ("development", "0003_role_permissions"),
    ("dues", "0004_bill_write_path"),
    ("exchange", "0004_encrypt_upload_files"),
    ("health", "0006_finding_indexes"),
    ("integration", "0002_role_permissions"),
    ("meetings", "0003_role_permissions"),
    ("members", "0005_member_members_member_org_user"),
    ("orgs", "0003_term_postponement"),
    ("transfers", "0004_statuschange_backfilled"),
]


def _site_edits(apps) -> dict:
    """What an administrator changed on a running site, written with the historical models; returns the
    values to find again after the upgrade."""
    Role = apps.get_model("accounts", "Role")
    secretary = Role.objects.get(code="branch_secretary")
    secretary.permissions = sorted(set(secretary.permissions) - {"exchange.import"})
    secretary.requires_mfa = True
    secretary.save()
    Role.objects.create(code="site_auditor", name="本单位审计", permissions=["audit.view", "members.view"])

    DevelopmentRule = apps.get_model("development", "DevelopmentRule")
    dev = DevelopmentRule.objects.order_by("id").first()
    dev_params = {**dev.params, **{k: v + 1 for k, v in dev.params.items() if isinstance(v, int)}}
    dev.params, dev.enabled = dev_params, False
    dev.save()

    TransferRule = apps.get_model("transfers", "TransferRule")
    tr = TransferRule.objects.order_by("id").first()
    tr_params = {**tr.params, **{k: v + 1 for k, v in tr.params.items() if isinstance(v, int)}}
    tr.params = tr_params
    tr.save()

    RuleConfig = apps.get_model("health", "RuleConfig")
    hc = RuleConfig.objects.order_by("code").first()
    hc.enabled, hc.notify_role = False, "org_dept"
    hc.save()

    CadenceRule = apps.get_model("meetings", "CadenceRule")
    cadence = CadenceRule.objects.select_related("kind").order_by("id").first()
    cadence.min_count = cadence.min_count + 2
    cadence.save()

    DuesRuleSet = apps.get_model("dues", "DuesRuleSet")
    dues = DuesRuleSet.objects.order_by("-effective_from").first()
    dues.large_payment_threshold = Decimal("1234.00")
    dues.save()
    return {
        "secretary": (sorted(secretary.permissions), True),
        "dev": (dev.code, dev_params, False),
        "transfer": (tr.code, tr_params),
        "health": (hc.code, False, "org_dept"),
        "cadence": (cadence.org_type, cadence.kind.code, cadence.min_count),
        "dues": (dues.version, Decimal("1234.00"), dues.effective_from),
        "ruleset_count": DuesRuleSet.objects.count(),
    }


def test_site_edits_survive_every_later_migration():
    executor = MigrationExecutor(connection)
    executor.migrate(PREVIOUS)
    executor.loader.build_graph()
    edits = _site_edits(executor.loader.project_state(PREVIOUS).apps)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    # a fresh executor reads what is applied now (the one that migrated keeps its loader's old view)
    after = MigrationExecutor(connection)
    assert after.migration_plan(after.loader.graph.leaf_nodes()) == []

    from dangjian.accounts.models import Role
    from dangjian.development.models import DevelopmentRule
    from dangjian.dues.models import DuesRuleSet
    from dangjian.health.models import RuleConfig
    from dangjian.meetings.models import CadenceRule
    from dangjian.transfers.models import TransferRule

    secretary = Role.objects.get(code="branch_secretary")
    assert (sorted(secretary.permissions), secretary.requires_mfa) == edits["secretary"]
    assert Role.objects.get(code="site_auditor").permissions == ["audit.view", "members.view"]
    code, params, enabled = edits["dev"]
    dev = DevelopmentRule.objects.get(code=code)
    assert (dev.params, dev.enabled) == (params, enabled)
    code, params = edits["transfer"]
    assert TransferRule.objects.get(code=code).params == params
    code, enabled, role = edits["health"]
    hc = RuleConfig.objects.get(code=code)
    assert (hc.enabled, hc.notify_role) == (enabled, role)
    org_type, kind, min_count = edits["cadence"]
    assert CadenceRule.objects.get(org_type=org_type, kind__code=kind).min_count == min_count
    version, threshold, effective_from = edits["dues"]
    dues = DuesRuleSet.objects.get(version=version)
    assert (dues.large_payment_threshold, dues.effective_from) == (threshold, effective_from)
    assert DuesRuleSet.objects.count() == edits["ruleset_count"]
    assert isinstance(effective_from, dt.date)
