"""The register's rules exist once (members.rules): the service, the importer and the demo build all
see a change of a rule, and the old copies are gone."""
import datetime as dt
import importlib.util
import re

import pytest
from django.utils import timezone

from dangjian.demo import worker
from dangjian.exchange.columns import Mapping
from dangjian.exchange.importers.members import MemberImporter
from dangjian.members import rules
from dangjian.members.models import Member
from dangjian.members.services import validate_member
from dangjian.orgs.models import Organization
from dangjian.orgs.snapshots import OrgInfo
from tests.fixtures import make_id_number

pytestmark = pytest.mark.django_db

BIRTH = dt.date(1990, 3, 7)


def _row(tree):
    return {"name": "张三", "gender": "M", "ethnicity": "汉族", "birth_date": BIRTH,
            "id_number": make_id_number(BIRTH, 11, gender="M"), "phone": "13800138000", "education": "",
            "job_title": "", "unit_id": None, "hire_date": None, "category": "full", "joined_on": dt.date(2015, 6, 30),
            "full_member_on": dt.date(2016, 6, 30), "org_id": tree["A1"].pk, "party_group_id": None,
            "status": "normal"}


def _flagged_by_each(row):
    """The phone problems each caller finds in *row*: (service, importer, demo build)."""
    service = [e.code for e in validate_member(Member(**row)) if e.field == "phone"]
    importer = MemberImporter(actor=None, mapping=Mapping.standard("members"), mode="create")
    importer.start(10)
    imported = [c for f, c in importer.rules.errors(row) if f == "phone"]
    orgs = {o.pk: OrgInfo.of(o) for o in Organization.objects.all()}
    demo = worker.member_rules(today=timezone.localdate(), orgs=orgs, unit_ids=frozenset())
    built = [c for f, c in demo.errors(row) if f == "phone"]
    return service, imported, built


def test_a_changed_rule_is_seen_by_the_service_the_importer_and_the_demo_build(tree, monkeypatch):
    # given a valid row that all three accept
    row = _row(tree)
    assert _flagged_by_each(row) == ([], [], [])
    # when the one phone rule changes (only numbers starting with 9)
    monkeypatch.setattr(rules, "PHONE", re.compile(r"^9\d{10}$"))
    # then all three refuse the row's phone, with the same code
    assert _flagged_by_each(row) == (["members.phone_invalid"], ["phone_invalid"], ["phone_invalid"])


def test_the_callers_use_the_members_rules_and_the_copies_are_gone(tree):
    importer = MemberImporter(actor=None, mapping=Mapping.standard("members"), mode="create")
    importer.start(10)
    assert type(importer.rules) is rules.MemberRules
    demo = worker.member_rules(today=timezone.localdate(), orgs={}, unit_ids=frozenset())
    assert type(demo) is rules.MemberRules
    assert importlib.util.find_spec("dangjian.demo.rules") is None
    assert importlib.util.find_spec("dangjian.exchange.rules") is None
