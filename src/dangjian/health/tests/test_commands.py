"""``dangjian health scan`` and ``dangjian health rules``."""
from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from dangjian.audit.models import AuditEntry
from dangjian.health.choices import RuleCode
from dangjian.health.models import Finding
from dangjian.health.rules import all_rules

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("health", *args, stdout=out)
    return out.getvalue()


def test_scan_prints_the_counts_per_rule(tree):
    out = _run("scan", "--today", "2025-06-15")
    lines = out.splitlines()
    assert lines[0].split() == ["规则", "发现", "新增", "重现", "消除", "秒"]
    rows = {line.split()[0]: line.split()[1:5] for line in lines[1:-2]}
    assert list(rows) == [r.code for r in all_rules()]
    assert rows[RuleCode.TOO_FEW_FULL_MEMBERS] == ["3", "3", "0", "0"]  # A1, A2, B1 have nobody
    assert lines[-1] == "范围 all；监测汇总更新 7 个组织"
    # again: nothing new
    rows = {line.split()[0]: line.split()[1:5] for line in _run("scan").splitlines()[1:-2]}
    assert rows[RuleCode.TOO_FEW_FULL_MEMBERS] == ["3", "0", "0", "0"]
    entry = AuditEntry.objects.filter(action="health.scan").order_by("seq").last()
    assert entry.channel == "cli" and entry.actor_id is None


def test_scan_one_subtree_and_one_rule(tree):
    out = _run("scan", "--org", "B", "--rule", RuleCode.TOO_FEW_FULL_MEMBERS)
    assert out.splitlines()[1].split()[:3] == [RuleCode.TOO_FEW_FULL_MEMBERS, "1", "1"]
    assert list(Finding.objects.values_list("org__code", flat=True)) == ["B1"]
    assert out.splitlines()[-1] == f"范围 subtree {tree['B'].path}；监测汇总更新 3 个组织"


@pytest.mark.parametrize(("args", "message"), [
    pytest.param(("scan", "--org", "NOPE"), "--org: 组织代码 'NOPE' 不存在", id="org"),
    pytest.param(("scan", "--rule", "org.nope"), "--rule: 没有监测规则 org.nope", id="rule"),
])
def test_bad_arguments(tree, args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)
    assert not Finding.objects.exists()


def test_rules_lists_codes_params_and_citations(db):
    out = _run("rules")
    assert "org.term_expiring  委员会任期即将届满  [warning, 启用, 通知 branch_secretary]" in out
    assert "参数 {'offsets_months': [6, 3, 1]}；依据 DOMAIN §3" in out
