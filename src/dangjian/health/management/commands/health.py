"""``dangjian health …``: organisation health monitoring from the command line.

- ``health scan [--org CODE] [--rule CODE …] [--today YYYY-MM-DD]``: runs the rules in the foreground
  over every org (or *CODE*'s subtree) with a progress bar, refreshes the monitoring rollups, and prints
  the counts per rule (reported, new, re-opened, resolved, seconds). Exit status 1 when a rule failed.
- ``health rules``: the rules with their codes, parameters and citations.

Runs as the system, with the CLI channel in the audit log (``health.scan``).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.health.rules import SYSTEM, OrgScope, get_rule
from dangjian.health.selectors import rule_settings
from dangjian.health.services import findings_scan
from dangjian.orgs.models import Organization


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today: 日期格式应为 YYYY-MM-DD（收到 {value!r}）")


class _Progress:
    """A rich progress bar over the rules (silent when the output is not a terminal)."""

    def __init__(self, stream: Any, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self._bar = None
        self._task = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(TextColumn("{task.description:<32}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=Console(file=getattr(self.stream, "_out", None)))
            self._bar.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self._bar is None:
            return
        if self._task is None:
            self._task = self._bar.add_task(stage, total=total)
        self._bar.update(self._task, completed=done, description=stage)


class Command(BaseCommand):
    help = "组织健康监测：扫描（scan）、规则列表（rules）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        scan = sub.add_parser("scan", help="按全部监测规则检查组织（前台运行，显示进度）")
        scan.add_argument("--org", default=None, help="组织代码：只检查该组织及其下级（默认全部）")
        scan.add_argument("--rule", action="append", default=None, help="只运行该规则（可重复）")
        scan.add_argument("--today", type=_date, default=None, help="按该日检查（默认今天）")
        sub.add_parser("rules", help="列出监测规则、参数和依据")

    def handle(self, *args, **options) -> None:
        getattr(self, "_" + options["action"])(options)

    def _scope(self, code: str | None) -> OrgScope:
        if not code:
            return OrgScope.everything()
        org = Organization.objects.filter(code=code).first()
        if org is None:
            raise CommandError(f"--org: 组织代码 {code!r} 不存在")
        return OrgScope.subtree(org.path)

    def _scan(self, options) -> None:
        codes = options["rule"]
        unknown = [c for c in codes or [] if get_rule(c) is None]
        if unknown:
            raise CommandError(f"--rule: 没有监测规则 {', '.join(unknown)}")
        scope = self._scope(options["org"])
        with _Progress(self.stdout, self.stdout.isatty()) as progress:
            result = findings_scan(scope=scope, codes=codes, today=options["today"], progress=progress)
        self.stdout.write(f"{'规则':<32} {'发现':>8} {'新增':>8} {'重现':>8} {'消除':>8} {'秒':>8}")
        for run in result.runs:
            note = f"  {run.skipped}" if run.skipped else (f"  错误：{run.error}" if run.error else "")
            self.stdout.write(f"{run.code:<32} {run.produced:>8} {run.new:>8} {run.reopened:>8} {run.resolved:>8} "
                              f"{run.seconds:>8.2f}{note}")
        totals = result.totals()
        self.stdout.write(f"{'合计':<32} {totals['produced']:>8} {totals['new']:>8} {totals['reopened']:>8} "
                          f"{totals['resolved']:>8} {result.seconds:>8.2f}")
        self.stdout.write(f"范围 {result.scope}；监测汇总更新 {result.rollups} 个组织")
        if not result.ok:
            raise CommandError("部分规则运行失败（见上）")

    def _rules(self, options) -> None:
        for s in rule_settings(actor=SYSTEM):
            state = "启用" if s.enabled else "停用"
            if not s.available:
                state += "（数据来源未安装）"
            self.stdout.write(f"{s.code}  {s.rule.title}  [{s.severity}, {state}, 通知 {s.notify_role}]")
            self.stdout.write(f"    参数 {s.params}；依据 {s.rule.citation}")
