"""members.rules.MemberRules, as the importer uses it, agrees with members.services.validate_member: the
same rows pass, and a mutation of every rule is caught on the same field by both."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.exchange.importers.common import OrgDirectory, unit_codes
from dangjian.members.models import Member
from dangjian.members.rules import MemberRules
from dangjian.members.services import validate_member
from dangjian.orgs.services import org_dissolve, unit_create
from tests.fixtures import make_id_number

BIRTH = dt.date(1990, 3, 7)


@pytest.fixture
def setting(tree):
    unit_create(actor=None, parent=None, name="单位", code="U1", unit_type="company")
    orgs = OrgDirectory(actor=None, perm="members.change")
    return {"orgs": orgs, "units": unit_codes(), "tree": tree}


def _row(setting, **over):
    tree = setting["tree"]
    row = {"name": "张三", "gender": "M", "ethnicity": "汉族", "birth_date": BIRTH,
           "id_number": make_id_number(BIRTH, 11, gender="M"), "phone": "13800138000", "education": "bachelor",
           "job_title": "技术员", "unit_id": setting["units"]["U1"], "hire_date": dt.date(2012, 7, 1),
           "category": "full", "joined_on": dt.date(2015, 6, 30), "full_member_on": dt.date(2016, 6, 30),
           "org_id": tree["A1"].pk, "party_group_id": tree["A1G1"].pk, "status": "normal"}
    row.update(over)
    return row


def _both(setting, row):
    rules = MemberRules(today=timezone.localdate(), orgs=setting["orgs"].by_pk, unit_ids=set(setting["units"].values()))
    fast = {name for name, _code in rules.errors(dict(row))}
    slow = {e.field for e in validate_member(Member(**row))}
    return fast, slow


def test_valid_rows_pass_both(setting):
    for over in ({}, {"phone": "", "education": "", "unit_id": None, "party_group_id": None, "hire_date": None},
                 {"category": "probationary", "full_member_on": None}, {"status": "mobile", "ethnicity": "回族"}):
        assert _both(setting, _row(setting, **over)) == (set(), set()), over


FUTURE = timezone.localdate() + dt.timedelta(days=1)


@pytest.mark.parametrize(("over", "field", "_case"), [
    ({"name": ""}, "name", "name blank"),
    ({"name": "名" * 51}, "name", "name too long"),
    ({"gender": "X"}, "gender", "gender not a choice"),
    ({"gender": ""}, "gender", "gender blank"),
    ({"ethnicity": "火星族"}, "ethnicity", "ethnicity not in the list"),
    ({"birth_date": None}, "birth_date", "birth date missing"),
    ({"birth_date": dt.date(1990, 3, 8)}, "birth_date", "birth date differs from the ID"),
    ({"gender": "F"}, "gender", "sex differs from the ID"),
    ({"id_number": "110101199003070012"}, "id_number", "bad check digit"),
    ({"id_number": "99010119900307001X"}, "id_number", "bad province"),
    ({"id_number": "1101011990030700"}, "id_number", "too short"),
    ({"id_number": ""}, "id_number", "ID blank"),
    ({"phone": "12345"}, "phone", "phone format"),
    ({"education": "phd"}, "education", "education not a choice"),
    ({"job_title": "岗" * 101}, "job_title", "job title too long"),
    ({"unit_id": 999999}, "unit", "unknown unit"),
    ({"hire_date": FUTURE}, "hire_date", "future hire date"),
    ({"joined_on": FUTURE, "full_member_on": None, "category": "probationary"}, "joined_on", "future join"),
    ({"joined_on": None}, "joined_on", "joined missing"),
    ({"category": "associate"}, "category", "category not a choice"),
    ({"full_member_on": None}, "full_member_on", "full member without conversion date"),
    ({"category": "probationary"}, "full_member_on", "probationary with conversion date"),
    ({"full_member_on": dt.date(2014, 1, 1)}, "full_member_on", "conversion before joining"),
    ({"org_id": None}, "org", "no branch"),
    ({"status": "gone"}, "status", "status not a choice"),
])
def test_each_rule_caught_by_both(setting, over, field, _case):
    fast, slow = _both(setting, _row(setting, **over))
    assert field in fast
    assert field in slow
    assert fast == slow


def test_org_rules(setting):
    tree = setting["tree"]
    assert _both(setting, _row(setting, org_id=tree["A"].pk, party_group_id=None)) == ({"org"}, {"org"})
    assert _both(setting, _row(setting, org_id=tree["A2"].pk)) == ({"party_group"}, {"party_group"})
    assert _both(setting, _row(setting, party_group_id=tree["A2"].pk)) == ({"party_group"}, {"party_group"})
    org_dissolve(actor=None, org=tree["A2"], on=dt.date(2024, 1, 1))
    fresh = dict(setting, orgs=OrgDirectory(actor=None, perm="members.change"))
    assert _both(fresh, _row(fresh, org_id=tree["A2"].pk, party_group_id=None)) == ({"org"}, {"org"})
