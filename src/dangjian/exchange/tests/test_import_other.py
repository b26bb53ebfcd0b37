"""Organisation, applicant and dues-base imports: the owning apps' services decide each row; every
row's errors are found; nothing is written unless all rows pass."""
from __future__ import annotations

import datetime as dt

import pytest

from dangjian.audit.models import AuditEntry
from dangjian.development.models import Applicant, Pipeline
from dangjian.dues.models import DuesProfile
from dangjian.exchange.services import import_run
from dangjian.exchange.tests.helpers import csv_bytes, xlsx_bytes
from dangjian.orgs.models import Organization
from tests.fixtures import make_id_number

pytestmark = pytest.mark.django_db

ORG_HEADER = ["组织代码", "组织名称", "组织类别", "上级组织代码", "成立日期", "批准文号", "联合党支部"]


def _errors(report):
    return [(e.row, e.column, e.code) for e in report.errors]


def _orgs(tree=None):
    return list(Organization.objects.order_by("pk").values_list("code", "path", "name"))


def test_orgs_children_listed_before_their_parents_are_created_in_tree_order(tree):
    rows = [["C1G1", "丙一党小组", "党小组", "C1", "", "", ""],
            ["C1", "丙一支部", "党支部", "C", "2020/5/4", "丙党发〔2020〕1号", "否"],
            ["C", "丙公司党委", "党委", "G", "2019年3月1日", "", ""]]
    before = AuditEntry.objects.count()
    report = import_run(actor=None, kind="orgs", data=xlsx_bytes(ORG_HEADER, rows), file_name="orgs.xlsx",
                        dry_run=False)
    assert report.ok, report.errors
    assert report.created == 3
    c, c1, g1 = (Organization.objects.get(code=code) for code in ("C", "C1", "C1G1"))
    assert c1.path.startswith(c.path) and g1.path.startswith(c1.path) and c.path.startswith(tree["G"].path)
    assert (c1.established_on, c1.approval_doc, c.established_on) == (dt.date(2020, 5, 4), "丙党发〔2020〕1号",
                                                                       dt.date(2019, 3, 1))
    actions = list(AuditEntry.objects.order_by("seq")[before:].values_list("action", flat=True))
    assert actions == ["orgs.create"] * 3 + ["exchange.import"]


def test_orgs_every_error_and_nothing_written(tree):
    rows = [["C", "丙公司党委", "党委", "G", "", "", ""],            # row 2 fine (but rolled back)
            ["C1", "丙一支部", "党支部", "ZZ", "", "", ""],           # row 3 unknown parent
            ["C2", "", "党支部", "C", "", "", ""],                  # row 4 name missing
            ["C3", "丙三党小组", "党小组", "C", "", "", ""],          # row 5 a group under a committee
            ["C", "重复", "党委", "G", "", "", ""],                 # row 6 duplicate code in the file
            ["A1", "甲一支部", "党支部", "A", "", "", ""],           # row 7 already exists (create mode)
            ["C4", "丙四支部", "支部", "C", "", "", "也许"],         # row 8 bad type, bad flag
            ["C5", "丙五支部", "", "C", "", "", ""]]                # row 9 no type
    before = (_orgs(), AuditEntry.objects.count())
    for dry_run in (True, False):
        report = import_run(actor=None, kind="orgs", data=csv_bytes(ORG_HEADER, rows), file_name="o.csv",
                            dry_run=dry_run)
        assert _errors(report) == [
            (3, "上级组织代码", "exchange.org_unknown"),
            (4, "组织名称", "orgs.blank"),
            (5, "上级组织代码", "orgs.parent_not_allowed"),
            (6, "组织代码", "exchange.duplicate_in_file"),
            (7, "组织代码", "exchange.duplicate_in_register"),
            (8, "组织类别", "exchange.code_unknown"),
            (8, "联合党支部", "exchange.bool_invalid"),
            (9, "组织类别", "exchange.required"),
        ]
        assert (_orgs(), AuditEntry.objects.count()) == before


def test_orgs_upsert_updates_and_refuses_a_moved_parent(tree):
    rows = [["A1", "甲一支部（新）", "党支部", "A", "", "", "否"], ["A2", "甲二支部", "党支部", "A", "", "", "否"]]
    report = import_run(actor=None, kind="orgs", data=csv_bytes(ORG_HEADER, rows), file_name="o.csv", mode="upsert",
                        dry_run=False)
    assert report.ok, report.errors
    assert (report.updated, report.unchanged) == (1, 1)
    assert Organization.objects.get(code="A1").name == "甲一支部（新）"
    report = import_run(actor=None, kind="orgs", data=csv_bytes(ORG_HEADER, [["A2", "甲二支部", "党支部", "B", "", "", ""]]),
                        file_name="o.csv", mode="upsert")
    assert _errors(report) == [(2, "上级组织代码", "exchange.parent_change")]


def test_orgs_scope_a_branch_secretary_cannot_add_under_another_committee(tree, user_factory):
    secretary = user_factory("s", "branch_secretary", tree["A"], scope="subtree")
    rows = [["A9", "甲九支部", "党支部", "A", "", "", ""], ["B9", "乙九支部", "党支部", "B", "", "", ""]]
    before = _orgs()
    report = import_run(actor=secretary, kind="orgs", data=csv_bytes(ORG_HEADER, rows), file_name="o.csv",
                        dry_run=False)
    assert _errors(report) == [(3, "上级组织代码", "exchange.org_unknown")]
    assert _orgs() == before


APPLICANT_HEADER = ["姓名", "公民身份号码", "民族", "手机号码", "所在党支部代码", "递交入党申请书日期"]


def test_applicants_are_received_through_the_development_service(tree, member_factory):
    member = member_factory("A1")
    adult = make_id_number(dt.date(1998, 5, 6), 20, gender="F", area="320102")
    minor = make_id_number(dt.date(2008, 5, 6), 22, gender="F", area="320102")
    rows = [["王五", adult, "汉族", "13812345678", "A1", "2024-03-01"],
            ["未成年", minor, "汉族", "", "A1", "2024-03-01"],
            ["已是党员", member.id_number, "汉族", "", "A1", "2024-03-01"],
            ["外支部", make_id_number(dt.date(1997, 1, 2), 24, gender="F"), "汉族", "", "B9", "2024-03-01"]]
    report = import_run(actor=None, kind="applicants", data=csv_bytes(APPLICANT_HEADER, rows), file_name="a.csv",
                        dry_run=False)
    assert _errors(report) == [(3, "递交入党申请书日期", "development.rule.min_age"),
                               (4, "公民身份号码", "development.already_member"),
                               (5, "所在党支部代码", "exchange.org_unknown")]
    assert Applicant.objects.count() == 0
    report = import_run(actor=None, kind="applicants", data=csv_bytes(APPLICANT_HEADER, rows[:1]), file_name="a.csv",
                        dry_run=False)
    assert report.ok, report.errors
    pipeline = Pipeline.objects.select_related("applicant").get()
    assert (pipeline.applicant.name, pipeline.applicant.gender, pipeline.applied_on) == ("王五", "F",
                                                                                          dt.date(2024, 3, 1))


DUES_HEADER = ["公民身份号码", "姓名", "党费类别", "月缴费基数（元）", "申报日期"]


def test_dues_bases_set_profiles_through_the_dues_service(tree, member_factory):
    a, b = member_factory("A1"), member_factory("A1")
    rows = [[a.id_number, a.name, "在职", "6,500.00", "2024-01-15"],
            [b.id_number, "别人", "在职", "3000", "2024-01-15"],
            [make_id_number(dt.date(1970, 1, 1), 3), "", "离退休", "4000", "2024-01-15"],
            [a.id_number, a.name, "学生", "", "2024-01-15"]]
    report = import_run(actor=None, kind="dues_bases", data=csv_bytes(DUES_HEADER, rows), file_name="d.csv",
                        dry_run=False)
    assert _errors(report) == [(3, "姓名", "exchange.name_mismatch"), (4, "公民身份号码", "exchange.person_unknown"),
                               (5, "公民身份号码", "exchange.duplicate_in_file")]
    assert DuesProfile.objects.count() == 0
    report = import_run(actor=None, kind="dues_bases", data=csv_bytes(DUES_HEADER, rows[:1]), file_name="d.csv",
                        dry_run=False)
    assert report.ok, report.errors
    profile = DuesProfile.objects.get(member=a)
    assert (profile.category, str(profile.base_amount)) == ("in_service", "6500.00")


@pytest.mark.parametrize("kind", ["members", "orgs", "applicants", "dues_bases"])
@pytest.mark.parametrize("garbage", ["", "？？？", "２０２０-13-45", "=SUM(A1)", "1e309", "  \u3000 ", "X" * 300])
def test_garbage_in_every_cell_is_reported_never_raised(tree, member_factory, kind, garbage):
    from dangjian.exchange.columns import Mapping

    member_factory("A1")
    titles = [c.title for c in Mapping.standard(kind).columns]
    rows = [[garbage] * len(titles), ["A1"] * len(titles), [12345] * len(titles)]
    before = (_orgs(), Applicant.objects.count(), DuesProfile.objects.count(), AuditEntry.objects.count())
    report = import_run(actor=None, kind=kind, data=xlsx_bytes(titles, rows), file_name="g.xlsx", dry_run=False)
    assert not report.ok
    assert all(e.message for e in report.errors)
    assert (_orgs(), Applicant.objects.count(), DuesProfile.objects.count(), AuditEntry.objects.count()) == before
