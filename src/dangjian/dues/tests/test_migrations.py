"""The seeded rule data and the role permissions added by the dues migrations."""
import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from dangjian.accounts.models import Role
from dangjian.dues.models import DuesBracket, DuesRuleSet

pytestmark = pytest.mark.django_db


def test_seeded_rule_sets_cite_domain_1_and_differ_where_2017_changed_2008():
    # then: two versions, every bracket cited, 2017 adds the cap and the annual base
    sets = {rs.version: rs for rs in DuesRuleSet.objects.all()}
    assert set(sets) == {"2008", "2017"}
    assert (sets["2008"].monthly_cap, sets["2008"].base_mode) == (None, "monthly")
    assert (sets["2017"].monthly_cap, sets["2017"].base_mode) == (Decimal("1000.00"), "annual")
    assert (sets["2017"].arrears_warn_months, sets["2017"].arrears_severe_months,
            sets["2017"].arrears_limit_months) == (3, 5, 6)
    assert DuesBracket.objects.count() == 2 * (4 * 3 + 2 + 4)
    assert all("DOMAIN §1" in b.citation for b in DuesBracket.objects.all())
    farmer = DuesBracket.objects.get(rule_set=sets["2017"], category="farmer")
    assert (farmer.fixed_amount, farmer.fixed_min, farmer.fixed_max) == (Decimal("0.50"), Decimal("0.20"),
                                                                         Decimal("1.00"))


def test_role_permission_migration_adds_dues_perms_to_existing_roles_once():
    # given: a role as it was before the dues app existed
    migration = importlib.import_module("dangjian.dues.migrations.0003_role_permissions")
    worker = Role.objects.get(code="party_worker")
    worker.permissions = ["orgs.view", "members.view", "members.change"]
    worker.save(update_fields=["permissions"])
    # when: applied twice
    migration.Migration.operations[0].code(apps, None)
    migration.Migration.operations[0].code(apps, None)
    # then
    worker.refresh_from_db()
    assert worker.permissions == ["dues.change", "dues.view", "members.change", "members.view", "orgs.view"]
    assert "dues.change" not in Role.objects.get(code="member").permissions
