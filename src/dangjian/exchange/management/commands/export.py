"""``dangjian export KIND FILE``: the member or organisation list to .xlsx or .csv (by extension).

    dangjian export members 党员.xlsx [--org A] [--status normal] [--category full] [--profile national-members]
                                      [--unmasked --as USERNAME]
    dangjian export orgs 组织.csv [--org A]

ID numbers and phones are masked; ``--unmasked`` needs ``--as`` a user, and only the members that user
may reveal (``members.reveal`` in scope) go out unmasked. Every export is recorded in the audit log.
"""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.core.context import Channel, RequestContext, use_context
from dangjian.exchange.choices import ImportKind
from dangjian.exchange.management.commands._common import actor_for, mapping_option, org_option
from dangjian.exchange.services import export_members, export_orgs


class Command(BaseCommand):
    help = "导出党员名册或党组织到 .xlsx / .csv（按数据范围；身份证号和手机号默认脱敏）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=[ImportKind.MEMBERS, ImportKind.ORGS])
        parser.add_argument("file", help="输出文件，.xlsx 或 .csv")
        parser.add_argument("--org", default=None, help="组织代码（含下级组织）")
        parser.add_argument("--status", default=None)
        parser.add_argument("--category", default=None)
        parser.add_argument("--profile", default=None, help="交换方案代码，如 national-members")
        parser.add_argument("--unmasked", action="store_true", help="导出完整身份证号和手机号（须同时用 --as）")
        parser.add_argument("--as", dest="as_user", default=None, help="以该用户的身份和数据范围导出")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in ("xlsx", "csv"):
            raise CommandError("输出文件须以 .xlsx 或 .csv 结尾")
        if options["unmasked"] and not options["as_user"]:
            raise CommandError("--unmasked 须与 --as 用户名 一起使用（按该用户的查看权限导出完整信息并记入操作日志）")
        kind = options["kind"]
        actor = actor_for(options["as_user"])
        org = org_option(options["org"])
        if org is not None and actor is not None:
            from dangjian.orgs.selectors import org_can

            if not org_can(actor=actor, org=org, perm="members.view" if kind == ImportKind.MEMBERS else "orgs.view"):
                raise CommandError(f"--org: 组织 {org.code!r} 不在该用户的数据范围内")
        mapping = mapping_option(kind, options["profile"])
        with use_context(RequestContext(channel=Channel.CLI)), path.open("wb") as out:
            if kind == ImportKind.MEMBERS:
                counts = export_members(actor=actor, out=out, fmt=fmt, mapping=mapping, unmasked=options["unmasked"],
                                        org=org, status=options["status"], category=options["category"])
                self.stdout.write(f"已导出 {counts['count']} 名党员到 {path}（完整信息 {counts['revealed']} 名）")
            else:
                counts = export_orgs(actor=actor, out=out, fmt=fmt, mapping=mapping, subtree_of=org,
                                     status=options["status"])
                self.stdout.write(f"已导出 {counts['count']} 个组织到 {path}")
