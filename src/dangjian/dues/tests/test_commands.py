"""``dangjian dues …`` and the monthly task."""
import io

import pytest
from django.core.management import CommandError, call_command

from dangjian.audit.models import AuditEntry
from dangjian.dues.models import DuesBill
from dangjian.dues.tasks import generate_monthly_bills

pytestmark = pytest.mark.django_db


def _run(*args):
    out = io.StringIO()
    call_command("dues", *args, stdout=out)
    return out.getvalue().splitlines()


@pytest.mark.parametrize(
    ("_case", "args", "first"),
    [
        ("bracket_edge", ["--category", "in_service", "--base", "3000.01"], "30.00"),
        ("capped", ["--category", "in_service", "--base", "60000"], "1000.00"),
        ("fixed_without_base", ["--category", "student"], "0.20"),
        ("retired", ["--category", "retired", "--base", "5000"], "25.00"),
        ("old_rules", ["--category", "in_service", "--base", "60000", "--on", "2016-06-01"], "1200.00"),
    ],
)
def test_calc_prints_the_amount_on_the_first_line(_case, args, first):
    lines = _run("calc", *args)
    assert lines[0] == first
    assert len(lines) == 2


def test_calc_verbose_names_the_rule():
    lines = _run("calc", "--category", "in_service", "--base", "60000", "--verbose")
    assert lines[0] == "1000.00"
    assert "（2017）" in lines[1] and "已按每月上限" in lines[1]
    assert lines[2].startswith("比例 0.02；按标准 1200.00；依据 DOMAIN §1")


@pytest.mark.parametrize(
    ("_case", "args", "message"),
    [
        ("unknown_category", ["--category", "soldier", "--base", "1"], "category: 未知的人员类别"),
        ("bad_base", ["--category", "in_service", "--base", "abc"], "base: 基数不是有效的金额"),
        ("bad_date", ["--category", "in_service", "--base", "1", "--on", "2024-02-30"], "--on"),
    ],
)
def test_calc_bad_input_is_a_command_error(_case, args, message):
    with pytest.raises(CommandError) as exc:
        _run("calc", *args)
    assert message in str(exc.value)


def test_generate_is_idempotent(dues_member):
    dues_member("A1")
    assert _run("generate", "--period", "2024-03")[0].startswith("2024-03: 新生成 1 张账单")
    assert _run("generate", "--period", "2024-03", "--org", "A")[0].startswith("2024-03: 新生成 0 张账单")
    with pytest.raises(CommandError):
        _run("generate", "--period", "2024-03", "--org", "NOPE")


def test_monthly_task_generates_bills_with_the_task_channel(dues_member):
    dues_member("A1")
    result = generate_monthly_bills.call(period="2024-03")
    assert (result["created"], result["period"]) == (1, "2024-03")
    assert DuesBill.objects.count() == 1
    assert AuditEntry.objects.order_by("-seq").first().channel == "task"
    assert generate_monthly_bills.enqueue(period="2024-03").return_value["created"] == 0
