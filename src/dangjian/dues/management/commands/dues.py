"""``dangjian dues …``: the dues calculator and the monthly jobs from the command line.

- ``dues calc --category CODE --base AMOUNT [--on YYYY-MM-DD] [--verbose]``: the first line is exactly
  the amount (``50.00``), the second the rule applied; ``--verbose`` adds the rate, the cap and the
  citation. Bad input: the error on stderr, exit status 1.
- ``dues generate --period YYYY-MM [--org CODE]``: issue the month's bills (idempotent).
- ``dues fix-bases --year YYYY [--org CODE]``: annual base fixing (2017 mode).

Writes run as the system (``core.scoping.SYSTEM``) with the CLI channel in the audit log.
"""
from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.core.errors import DomainError
from dangjian.core.scoping import SYSTEM
from dangjian.dues.choices import DuesCategory
from dangjian.dues.rules import calculate
from dangjian.dues.services import bases_fix_year, bills_generate
from dangjian.orgs.models import Organization


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--on: 日期格式应为 YYYY-MM-DD（收到 {value!r}）")


def _errors(exc: DomainError) -> CommandError:
    return CommandError("; ".join(f"{e.field or '-'}: {e.message} [{e.code}]" for e in exc.errors))


class Command(BaseCommand):
    help = "党费：计算器（calc）、生成月度账单（generate）、年度基数核定（fix-bases）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        calc = sub.add_parser("calc", help="按党费标准计算每月应交金额")
        calc.add_argument("--category", required=True, help="人员类别：" + ", ".join(DuesCategory.values))
        calc.add_argument("--base", default=None, help="月基数（元）；固定金额类别可省略")
        calc.add_argument("--on", type=_date, default=None, help="按该日施行的标准计算（默认今天）")
        calc.add_argument("--verbose", action="store_true", help="另外显示比例、上限与依据")
        gen = sub.add_parser("generate", help="生成某月党费账单（可重复执行）")
        gen.add_argument("--period", required=True, help="YYYY-MM")
        gen.add_argument("--org", default=None, help="组织代码（默认全部）")
        fix = sub.add_parser("fix-bases", help="年度党费基数核定（2017 年通知方式）")
        fix.add_argument("--year", type=int, required=True)
        fix.add_argument("--org", default=None, help="组织代码（默认全部）")

    def handle(self, *args, **options) -> None:
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(options)
        except DomainError as exc:
            raise _errors(exc)

    def _org(self, code: str | None) -> Organization | None:
        if not code:
            return None
        org = Organization.objects.filter(code=code).first()
        if org is None:
            raise CommandError(f"--org: 组织代码 {code!r} 不存在")
        return org

    def _calc(self, options) -> None:
        result = calculate(options["category"], options["base"], on=options["on"])
        self.stdout.write(str(result.amount))
        capped = "，已按每月上限" if result.capped else ""
        self.stdout.write(f"{result.rule_set_name}（{result.rule_set_version}）{DuesCategory(result.category).label}"
                          f" {result.bracket}{capped}")
        if options["verbose"]:
            rate = "固定金额" if result.rate is None else f"{result.rate.normalize()}"
            self.stdout.write(f"比例 {rate}；按标准 {result.standard_amount}；依据 {result.citation}")

    def _generate(self, options) -> None:
        run = bills_generate(actor=SYSTEM, period=options["period"], org=self._org(options["org"]))
        self.stdout.write(f"{run.period}: 新生成 {run.created} 张账单；无党费档案 {run.without_profile} 人；"
                          f"标准 {run.rule_version}")

    def _fix_bases(self, options) -> None:
        count = bases_fix_year(actor=SYSTEM, year=options["year"], org=self._org(options["org"]))
        self.stdout.write(f"{options['year']}: 核定 {count} 份党费档案")
