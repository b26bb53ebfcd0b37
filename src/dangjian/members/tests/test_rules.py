"""The register's rules (members.rules): validate_member reports every rule with its code, field and
message exactly; the field rules on a dict give full_clean's codes; the ID number of a valid member is
stored normalised."""
import datetime as dt

import pytest

from dangjian.core.rowrules import FieldRules
from dangjian.members.models import Member
from dangjian.members.rules import EXCLUDED, MemberRules, Problem
from dangjian.members.services import validate_member
from dangjian.orgs.models import Organization
from dangjian.orgs.snapshots import OrgInfo
from tests.fixtures import make_id_number

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 1)
BIRTH = dt.date(1990, 5, 17)
ID = make_id_number(BIRTH, 11, gender="M")


def _fields(tree, **over):
    data = {"name": "张三", "gender": "M", "ethnicity": "汉族", "birth_date": BIRTH, "id_number": ID,
            "phone": "13900001111", "category": "full", "joined_on": dt.date(2015, 7, 1),
            "full_member_on": dt.date(2016, 7, 1), "org": tree["A1"], "status": "normal"}
    data.update({k: tree[v] if k in ("org", "party_group") and isinstance(v, str) else v for k, v in over.items()})
    return data


def _reported(tree, **over):
    return [(e.code, e.field, e.message) for e in validate_member(Member(**_fields(tree, **over)), today=TODAY)]


@pytest.mark.parametrize(("over", "expected"), [
    ({"birth_date": dt.date(1990, 5, 18)},
     [("members.birth_date_mismatch", "birth_date", "出生日期与身份证号码不符（身份证为 1990-05-17）")]),
    ({"gender": "F"}, [("members.gender_mismatch", "gender", "性别与身份证号码不符")]),
    ({"id_number": ID[:17] + ("0" if ID[17] != "0" else "1")},
     [("id_number.checksum", "id_number", "身份证号码校验位错误")]),
    ({"id_number": ID[:17]}, [("id_number.length", "id_number", "身份证号码应为 18 位")]),
    ({"id_number": "99" + ID[2:]}, [("id_number.province", "id_number", "身份证号码的省份代码无效")]),
    ({"phone": "12345"}, [("members.phone_invalid", "phone", "手机号码应为以 1 开头的 11 位数字")]),
    ({"ethnicity": "火星族"}, [("members.ethnicity_invalid", "ethnicity", "民族名称无效")]),
    ({"hire_date": dt.date(2025, 6, 2)}, [("members.date_in_future", "hire_date", "日期不能晚于今天")]),
    ({"full_member_on": None}, [("members.full_date_required", "full_member_on", "正式党员须填写转正日期")]),
    ({"category": "probationary"}, [("members.full_date_required", "full_member_on", "预备党员不应有转正日期")]),
    ({"full_member_on": dt.date(2015, 6, 30)},
     [("members.full_before_joined", "full_member_on", "转正日期不能早于入党日期")]),
    ({"org": "A"}, [("members.org_not_branch", "org", "党员只能编入党支部")]),
    ({"party_group": "A2"}, [("members.group_not_group", "party_group", "所选组织不是党小组")]),
    ({"org": "A2", "party_group": "A1G1"},
     [("members.group_not_in_branch", "party_group", "党小组“甲一第一党小组”不属于党支部“甲二支部”")]),
    ({"birth_date": dt.date(1990, 5, 18), "gender": "F", "phone": "2", "ethnicity": "无",
      "joined_on": dt.date(2025, 7, 1), "full_member_on": dt.date(2025, 6, 30)},
     [("members.birth_date_mismatch", "birth_date", "出生日期与身份证号码不符（身份证为 1990-05-17）"),
      ("members.gender_mismatch", "gender", "性别与身份证号码不符"),
      ("members.phone_invalid", "phone", "手机号码应为以 1 开头的 11 位数字"),
      ("members.ethnicity_invalid", "ethnicity", "民族名称无效"),
      ("members.date_in_future", "joined_on", "日期不能晚于今天"),
      ("members.date_in_future", "full_member_on", "日期不能晚于今天"),
      ("members.full_before_joined", "full_member_on", "转正日期不能早于入党日期")]),
])
def test_validate_member_reports_each_rule_with_its_code_field_and_message(tree, over, expected):
    assert _reported(tree, **over) == expected


def test_validate_member_reports_a_dissolved_branch(tree):
    Organization.objects.filter(pk=tree["A2"].pk).update(status="dissolved")
    assert _reported(tree, org=Organization.objects.get(pk=tree["A2"].pk)) == [
        ("members.org_dissolved", "org", "该党支部已撤销")]


def test_a_valid_member_passes_and_its_id_number_is_stored_normalised(tree):
    birth = dt.date(1949, 12, 31)
    member = Member(**_fields(tree, birth_date=birth, gender="F", id_number=" 11010519491231002x"))
    assert validate_member(member, today=TODAY) == []
    assert member.id_number == "11010519491231002X"


def test_field_rules_give_full_clean_codes_for_empty_values(tree):
    # given the field rules on the dict of a member's attribute values
    rules = FieldRules(Member, exclude=EXCLUDED, keys={"org_id": {tree["A1"].pk}})
    base = {k: v for k, v in _fields(tree).items() if k != "org"}
    base["org_id"] = tree["A1"].pk
    for over in ({"name": None}, {"name": ""}, {"org_id": None}, {"joined_on": None}, {"category": ""}):
        # when a required value is None or blank
        row = {**base, **over}
        member = Member(**row)
        # then both say the same: null for None in a not-nullable column, blank for ""
        assert [("members." + c, f) for f, c in rules.errors(row)] == [
            (e.code, e.field) for e in validate_member(member, today=TODAY)], over


def test_problem_error_codes():
    assert Problem("phone", "phone_invalid", "m").error_code == "members.phone_invalid"
    assert Problem("id_number", "id_number.checksum", "m").error_code == "id_number.checksum"


def test_member_rules_take_org_snapshots(tree):
    # given snapshots of the tree
    orgs = {o.pk: OrgInfo.of(o) for o in Organization.objects.all()}
    rules = MemberRules(today=TODAY, orgs=orgs, unit_ids=set())
    row = {"name": "张三", "gender": "M", "ethnicity": "汉族", "birth_date": BIRTH, "id_number": ID,
           "phone": "", "education": "", "job_title": "", "unit_id": None, "hire_date": None, "category": "full",
           "joined_on": dt.date(2015, 7, 1), "full_member_on": dt.date(2016, 7, 1), "org_id": tree["A2"].pk,
           "party_group_id": tree["A1G1"].pk, "status": "normal"}
    # when the group is not a child of the branch, then the rules say so
    assert rules.errors(row) == [("party_group", "group_not_in_branch")]
    assert rules.errors({**row, "org_id": tree["A1"].pk}) == []
