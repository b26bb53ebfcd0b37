"""``dangjian import KIND FILE``: the web upload's engine from the command line.

    dangjian import members 党员.xlsx [--dry-run] [--mode create|upsert] [--org-code A1]
                                      [--profile national-members] [--as USERNAME]
    dangjian import orgs 组织.csv

Every row is checked first; the file is written in one transaction only when no row is rejected. Each
error is printed as ``第N行 [列名] 消息``; the exit status is 1 when any row is rejected (nothing is
written then), 0 otherwise. A rich progress bar shows the check and the write. Without ``--as`` the
import runs as the system (all organisations); with it, as that user within their scope.
"""
from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.core.context import Channel, RequestContext, use_context
from dangjian.exchange.choices import ImportKind, ImportMode
from dangjian.exchange.management.commands._common import actor_for, mapping_option, org_option
from dangjian.exchange.services import import_run

PHASES = {"validate": "校验", "write": "写入"}


class Command(BaseCommand):
    help = "从 Excel/CSV 导入党员、组织、入党申请人或党费基数（先全部校验，再在一个事务中写入）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=ImportKind.values, help="数据类别")
        parser.add_argument("file", help=".xlsx 或 .csv 文件")
        parser.add_argument("--dry-run", action="store_true", help="只校验并报告，不写入")
        parser.add_argument("--mode", choices=ImportMode.values, default=ImportMode.CREATE,
                            help="create：仅新增（默认）；upsert：按身份证号码/组织代码新增或更新")
        parser.add_argument("--org-code", default=None, help="未填组织的行归入该组织；填写了组织的行须在其之内")
        parser.add_argument("--profile", default=None, help="交换方案代码，如 national-members（默认标准模板）")
        parser.add_argument("--as", dest="as_user", default=None, help="以该用户的身份和数据范围导入")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        kind = options["kind"]
        actor = actor_for(options["as_user"])
        mapping = mapping_option(kind, options["profile"])
        default_org = org_option(options["org_code"], "--org-code")
        data = path.read_bytes()
        with use_context(RequestContext(channel=Channel.CLI)), self._progress(options["no_progress"]) as progress:
            report = import_run(actor=actor, kind=kind, data=data, file_name=path.name, mapping=mapping,
                                mode=options["mode"], dry_run=options["dry_run"], default_org=default_org,
                                progress=progress)
        for error in report.errors:
            self.stderr.write(error.line())
        will = "将" if options["dry_run"] else ""
        summary = (f"{ImportKind(kind).label}：数据 {report.rows} 行，{will}新增 {report.created}，{will}更新 {report.updated}，"
                   f"无变化 {report.unchanged}，错误 {report.error_count}")
        if not report.ok:
            self.stderr.write(summary + "；未写入任何数据")
            sys.exit(1)
        self.stdout.write(summary + ("（预检，未写入）" if options["dry_run"] else "；已导入"))

    def _progress(self, off: bool):
        import contextlib

        if off or not sys.stderr.isatty():
            return contextlib.nullcontext(None)
        return _RichProgress()


class _RichProgress:
    def __enter__(self):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            transient=True)
        self.bar.__enter__()
        self.tasks: dict[str, int] = {}
        return self.update

    def update(self, phase: str, processed: int, total: int) -> None:
        if phase not in self.tasks:
            self.tasks[phase] = self.bar.add_task(PHASES.get(phase, phase), total=total or None)
        self.bar.update(self.tasks[phase], completed=processed, total=max(total, processed) or None)

    def __exit__(self, *exc):
        return self.bar.__exit__(*exc)
