"""Member import: every error listed with its row and column and nothing written; normalisation;
encodings; duplicates; scope; one audit entry per committed import; upsert semantics."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.audit.models import AuditEntry
from dangjian.exchange.columns import Mapping
from dangjian.exchange.models import ExchangeProfile
from dangjian.exchange.services import import_run
from dangjian.exchange.tests.helpers import MEMBER_HEADER, csv_bytes, member_row, xlsx_bytes
from dangjian.members.models import Member
from tests.fixtures import make_id_number

pytestmark = pytest.mark.django_db


def _state():
    return Member.objects.count(), AuditEntry.objects.count()


def _errors(report):
    return [(e.row, e.column, e.code) for e in report.errors]


def test_a_file_with_errors_lists_every_error_and_writes_nothing(tree, member_factory):
    # given: one member already in the register and a file with one good row and six bad ones
    existing = member_factory("A1")
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    rows = [
        member_row(1),                                                        # row 2: fine
        member_row(2, 公民身份号码="110101199001010010"),                         # row 3: bad check digit
        member_row(3, 所在党支部代码="ZZ"),                                         # row 4: unknown org
        member_row(4, 公民身份号码=member_row(1)[4], 出生日期=member_row(1)[3], 性别="男"),  # row 5: duplicate of row 2
        member_row(5, 入党日期=future, 转正日期=""),                                 # row 6: future date (+ conversion)
        member_row(6, 公民身份号码=existing.id_number),                             # row 7: already registered
        member_row(7, 所在党支部代码="B1", 性别="未知"),                             # row 8: two problems
    ]
    before = _state()
    # when
    for dry_run in (True, False):
        report = import_run(actor=None, kind="members", data=xlsx_bytes(MEMBER_HEADER, rows), file_name="x.xlsx",
                            dry_run=dry_run)
        # then
        assert not report.ok and not report.committed
        assert _errors(report) == [
            (3, "公民身份号码", "id_number.checksum"),
            (4, "所在党支部代码", "exchange.org_unknown"),
            (5, "公民身份号码", "exchange.duplicate_in_file"),
            (6, "入党日期", "exchange.date_in_future"),
            (6, "转正日期", "members.full_date_required"),
            (7, "公民身份号码", "exchange.duplicate_in_register"),
            (8, "性别", "exchange.code_unknown"),
        ]
        assert report.rows == 7
        assert all(e.message for e in report.errors)
        assert _state() == before


def test_errors_of_many_rows_are_all_reported_across_batches(tree):
    rows = [member_row(i, 手机号码="123") for i in range(1, 1006)]
    report = import_run(actor=None, kind="members", data=csv_bytes(MEMBER_HEADER, rows), file_name="x.csv")
    assert report.error_count == 1005
    assert {e.code for e in report.errors} == {"members.phone_invalid"}
    assert report.errors[-1].row == 1006


def test_full_width_digits_and_stray_spaces_are_normalised_not_rejected(tree):
    # given: full-width digits in the ID and phone, full-width and ASCII spaces everywhere
    row = member_row(1)
    wide = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
    row[0] = "\u3000" + row[0] + " "
    row[4] = " " + row[4].translate(wide) + "\u3000"
    row[5] = "１３９ ０００ ０００ ０１"
    row[3] = "１９８５年１月１２日"
    row[7] = " 正式党员 "
    row[10] = " A1\u3000"
    # when
    report = import_run(actor=None, kind="members", data=csv_bytes(MEMBER_HEADER, [row]), file_name="x.csv",
                        dry_run=False)
    # then
    assert report.ok, report.errors
    member = Member.objects.get()
    assert member.name == "导入党员1"
    assert member.id_number == member_row(1)[4]
    assert member.phone == "13900000001"
    assert member.birth_date == dt.date(1985, 1, 12)


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8", "utf-8-sig"])
def test_csv_encodings_import(tree, encoding):
    rows = [member_row(1, 姓名="欧阳䶮"), member_row(2, 姓名="王秀英")]
    report = import_run(actor=None, kind="members", data=csv_bytes(MEMBER_HEADER, rows, encoding=encoding),
                        file_name="x.csv", dry_run=False)
    assert report.ok, report.errors
    assert report.encoding == encoding
    assert sorted(Member.objects.values_list("name", flat=True)) == sorted(["欧阳䶮", "王秀英"])


def test_commit_writes_all_rows_with_one_audit_entry(tree):
    rows = [member_row(i) for i in range(1, 31)]
    before = AuditEntry.objects.count()
    report = import_run(actor=None, kind="members", data=xlsx_bytes(MEMBER_HEADER, rows), file_name="党员.xlsx",
                        dry_run=False)
    assert report.ok and report.committed
    assert (report.rows, report.created, report.updated, report.unchanged) == (30, 30, 0, 0)
    assert Member.objects.count() == 30
    entries = list(AuditEntry.objects.order_by("seq")[before:])
    assert [e.action for e in entries] == ["exchange.import"]
    assert entries[0].after["created"] == 30
    assert entries[0].after["kind"] == "members"
    assert entries[0].after["file"] == "党员.xlsx"
    member = Member.objects.get(name="导入党员3")
    assert (member.org_id, member.category, member.status, member.education) == (tree["A1"].pk, "full", "normal",
                                                                                   "bachelor")
    assert member.id_number_tail == member.id_number[-4:]


def test_birth_date_and_sex_default_from_the_id_number(tree):
    header = ["姓名", "公民身份号码", "人员类别", "入党日期", "所在党支部代码"]
    birth = dt.date(1992, 2, 29)
    report = import_run(actor=None, kind="members", data=csv_bytes(header, [["李四", make_id_number(birth, 40, gender="F"),
                                                                              "预备党员", "2024-01-05", "A1"]]),
                        file_name="x.csv", dry_run=False)
    assert report.ok, report.errors
    member = Member.objects.get()
    assert (member.birth_date, member.gender, member.ethnicity, member.status) == (birth, "F", "汉族", "normal")


def test_missing_required_columns_are_reported_once(tree):
    report = import_run(actor=None, kind="members", data=csv_bytes(["姓名", "民族"], [["张三", "汉族"]]), file_name="x.csv")
    assert [(e.row, e.column, e.code) for e in report.errors] == [
        (None, "公民身份号码", "exchange.column_missing"), (None, "人员类别", "exchange.column_missing"),
        (None, "入党日期", "exchange.column_missing"), (None, "所在党支部代码", "exchange.column_missing"),
    ]


def test_example_row_of_the_template_is_skipped(tree):
    rows = [["【示例】张三", *member_row(9)[1:]], member_row(1)]
    report = import_run(actor=None, kind="members", data=csv_bytes(MEMBER_HEADER, rows), file_name="x.csv")
    assert report.ok and report.rows == 1


def test_scope_a_branch_worker_cannot_import_into_another_branch(tree, user_factory):
    worker = user_factory("w", "party_worker", tree["A1"], scope="org")
    before = _state()
    report = import_run(actor=worker, kind="members", data=csv_bytes(MEMBER_HEADER, [member_row(1, 所在党支部代码="B1"),
                                                                                       member_row(2)]),
                        file_name="x.csv", dry_run=False)
    assert _errors(report) == [(2, "所在党支部代码", "exchange.org_unknown")]
    assert _state() == before
    report = import_run(actor=worker, kind="members", data=csv_bytes(MEMBER_HEADER, [member_row(2)]),
                        file_name="x.csv", dry_run=False)
    assert report.ok and Member.objects.get().org_id == tree["A1"].pk
    assert AuditEntry.objects.order_by("-seq").first().actor_id == worker.pk


def test_default_org_fills_blank_branches_and_bounds_the_others(tree):
    rows = [member_row(1, 所在党支部代码=""), member_row(2, 所在党支部代码="A1"), member_row(3, 所在党支部代码="B1")]
    report = import_run(actor=None, kind="members", data=csv_bytes(MEMBER_HEADER, rows), file_name="x.csv",
                        default_org=tree["A"])
    assert _errors(report) == [(2, "所在党支部代码", "members.org_not_branch"), (4, "所在党支部代码", "exchange.org_outside")]
    report = import_run(actor=None, kind="members", data=csv_bytes(MEMBER_HEADER, rows[:2]), file_name="x.csv",
                        default_org=tree["A1"], dry_run=False)
    assert report.ok and set(Member.objects.values_list("org_id", flat=True)) == {tree["A1"].pk}


def test_upsert_updates_only_what_differs(tree, member_factory):
    first = member_row(1)
    import_run(actor=None, kind="members", data=csv_bytes(MEMBER_HEADER, [first, member_row(2)]), file_name="x.csv",
               dry_run=False)
    changed = member_row(1, 手机号码="13700000000", 所在党支部代码="A2")
    data = csv_bytes(MEMBER_HEADER, [changed, member_row(2), member_row(3)])
    # create mode: existing people are errors
    report = import_run(actor=None, kind="members", data=data, file_name="x.csv")
    assert [e.code for e in report.errors] == ["exchange.duplicate_in_register"] * 2
    # upsert: one update, one unchanged, one new
    before = AuditEntry.objects.count()
    report = import_run(actor=None, kind="members", data=data, file_name="x.csv", mode="upsert", dry_run=False)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    member = Member.objects.get(name="导入党员1")
    assert (member.phone, member.org_id) == ("13700000000", tree["A2"].pk)
    assert sorted(AuditEntry.objects.order_by("seq")[before:].values_list("action", flat=True)) == [
        "exchange.import", "members.update"]


def test_upsert_refuses_a_person_registered_outside_the_scope(tree, member_factory, user_factory):
    other = member_factory("B1")
    worker = user_factory("w", "party_worker", tree["A1"], scope="org")
    row = member_row(1, 公民身份号码=other.id_number, 姓名=other.name, 性别="男" if other.gender == "M" else "女",
                     出生日期=other.birth_date.isoformat())
    report = import_run(actor=worker, kind="members", data=csv_bytes(MEMBER_HEADER, [row]), file_name="x.csv",
                        mode="upsert", dry_run=False)
    assert _errors(report) == [(2, "公民身份号码", "exchange.duplicate_in_register")]
    assert Member.objects.get(pk=other.pk).org_id == tree["B1"].pk


def test_national_profile_reads_its_own_titles_and_branch_names(tree):
    profile = ExchangeProfile.objects.get(code="national-members")
    assert len(profile.columns) == 16
    mapping = Mapping("members", profile.columns, name=profile.name)
    header = ["姓名", "性别", "公民身份号码", "民族", "出生日期", "学历", "人员类别", "工作岗位", "入党时间", "转正时间",
              "所在党支部", "联系电话", "家庭住址", "党籍状态", "是否为失联党员", "是否为流动党员"]
    birth = dt.date(1988, 8, 8)
    row = ["赵六", "男", make_id_number(birth, 31, gender="M"), "汉族", birth.isoformat(), "大学本科", "正式党员", "工程师",
           "2012-06-01", "2013-06-01", "甲一支部", "13511112222", "北京市东城区", "正常", "否", "否"]
    report = import_run(actor=None, kind="members", data=xlsx_bytes(header, [row]), file_name="national.xlsx",
                        mapping=mapping, dry_run=False)
    assert report.ok, report.errors
    member = Member.objects.get()
    assert (member.org_id, member.job_title, member.phone) == (tree["A1"].pk, "工程师", "13511112222")


def test_progress_is_reported_per_phase(tree):
    events = []
    rows = [member_row(i) for i in range(1, 1201)]
    report = import_run(actor=None, kind="members", data=csv_bytes(MEMBER_HEADER, rows), file_name="x.csv",
                        dry_run=False, progress=lambda phase, done, total: events.append((phase, done, total)))
    assert report.ok and report.created == 1200
    assert events[0] == ("validate", 0, 1200)
    assert ("validate", 1000, 1200) in events
    assert ("validate", 1200, 1200) in events
    assert events[-1] == ("write", 1200, 1200)


def test_a_template_with_a_caption_row_reports_rows_as_excel_numbers_them(tree):
    header = [*MEMBER_HEADER]
    caption = ["某某公司党员信息采集表"] + [None] * (len(header) - 1)
    data = xlsx_bytes(caption, [header, member_row(1), member_row(2, 手机号码="1")])
    report = import_run(actor=None, kind="members", data=data, file_name="x.xlsx")
    assert _errors(report) == [(4, "手机号码", "members.phone_invalid")]
