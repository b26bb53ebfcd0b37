"""CLI: `dangjian import` (exit status 1 and `第N行 [列名] 消息` per rejected row, nothing written),
`dangjian export` (masked unless --unmasked --as), `dangjian template`."""
from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from dangjian.audit.models import AuditEntry
from dangjian.exchange.tests.helpers import MEMBER_HEADER, csv_bytes, member_row, xlsx_bytes
from dangjian.members.models import Member

pytestmark = pytest.mark.django_db


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_import_with_errors_exits_1_prints_each_error_and_writes_nothing(tmp_path, tree):
    path = tmp_path / "党员.xlsx"
    path.write_bytes(xlsx_bytes(MEMBER_HEADER, [member_row(1), member_row(2, 手机号码="12"),
                                                member_row(3, 所在党支部代码="ZZ")]))
    before = (Member.objects.count(), AuditEntry.objects.count())
    code, _out, err = _run("import", "members", str(path), "--no-progress")
    assert code == 1
    lines = err.strip().splitlines()
    assert lines[0] == "第3行 [手机号码] 手机号码应为以 1 开头的 11 位数字"
    assert lines[1] == "第4行 [所在党支部代码] 未找到组织代码“ZZ”，或该组织不在您的管理范围内"
    assert "错误 2" in lines[2] and "未写入任何数据" in lines[2]
    assert (Member.objects.count(), AuditEntry.objects.count()) == before


def test_import_dry_run_then_commit(tmp_path, tree):
    path = tmp_path / "m.csv"
    path.write_bytes(csv_bytes(MEMBER_HEADER, [member_row(1), member_row(2)], encoding="gb18030"))
    code, out, _err = _run("import", "members", str(path), "--dry-run", "--no-progress")
    assert (code, Member.objects.count()) == (0, 0)
    assert "预检" in out
    code, out, _err = _run("import", "members", str(path), "--no-progress")
    assert (code, Member.objects.count()) == (0, 2)
    assert "新增 2" in out
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.channel) == ("exchange.import", "cli")
    # the same file again: create mode refuses, upsert finds nothing to change
    assert _run("import", "members", str(path), "--no-progress")[0] == 1
    code, out, _err = _run("import", "members", str(path), "--mode", "upsert", "--no-progress")
    assert code == 0 and "无变化 2" in out


def test_import_org_code_and_as_user(tmp_path, tree, user_factory):
    user_factory("w", "party_worker", tree["A1"], scope="org")
    path = tmp_path / "m.csv"
    path.write_bytes(csv_bytes(MEMBER_HEADER, [member_row(1, 所在党支部代码=""), member_row(2, 所在党支部代码="")]))
    assert _run("import", "members", str(path), "--as", "w", "--org-code", "B1", "--no-progress")[0] == 1
    code, _out, _err = _run("import", "members", str(path), "--as", "w", "--org-code", "A1", "--no-progress")
    assert code == 0
    assert set(Member.objects.values_list("org__code", flat=True)) == {"A1"}


def test_import_orgs(tmp_path, tree):
    path = tmp_path / "o.csv"
    path.write_bytes(csv_bytes(["组织代码", "组织名称", "组织类别", "上级组织代码"], [["A9", "甲九支部", "党支部", "A"]]))
    code, out, _err = _run("import", "orgs", str(path), "--no-progress")
    assert code == 0 and "新增 1" in out


def test_import_refuses_a_missing_file_and_unknown_options(tmp_path, tree):
    with pytest.raises(CommandError):
        call_command("import", "members", str(tmp_path / "none.csv"))
    path = tmp_path / "m.csv"
    path.write_bytes(b"x")
    with pytest.raises(CommandError):
        call_command("import", "members", str(path), "--profile", "nope")
    with pytest.raises(CommandError):
        call_command("import", "members", str(path), "--org-code", "nope")


def test_export_masked_and_unmasked(tmp_path, tree, member_factory, user_factory):
    member = member_factory("A1")
    path = tmp_path / "out.xlsx"
    code, out, _err = _run("export", "members", str(path), "--org", "A")
    assert code == 0 and "已导出 1 名党员" in out
    values = [c for row in load_workbook(path).worksheets[0].iter_rows(values_only=True) for c in row]
    assert member.id_number_masked in values and member.id_number not in values
    with pytest.raises(CommandError):
        call_command("export", "members", str(path), "--unmasked")
    user_factory("s", "committee_secretary", tree["A"], scope="subtree")
    code, out, _err = _run("export", "members", str(path), "--unmasked", "--as", "s")
    values = [c for row in load_workbook(path).worksheets[0].iter_rows(values_only=True) for c in row]
    assert member.id_number in values
    assert "完整信息 1 名" in out
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.after["revealed"], entry.actor_name) == ("exchange.export", 1, "s")


def test_template_command(tmp_path, db):
    path = tmp_path / "t.xlsx"
    code, out, _err = _run("template", "members", str(path), "--profile", "national-members")
    assert code == 0 and "16 列" in out
    assert load_workbook(path)["数据"]["C1"].value == "公民身份号码"
