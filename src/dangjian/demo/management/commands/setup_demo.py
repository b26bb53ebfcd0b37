"""``dangjian setup_demo`` (run by ``make run`` on every start): on an empty database, build the demo
enterprise and its logins and print them once; otherwise say so and leave everything as it is.

With ``--logins-file`` the logins are written to that file (mode 600) instead of the screen: ``make run``
has ``dangjian serve --banner`` print them, and delete the file, once the server listens and the worker
runs, so the passwords are the last thing on the screen (issue 9 §10)."""
from __future__ import annotations

import io
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from dangjian.core.declarations import label
from dangjian.core.errors import DomainError
from dangjian.demo.activity import add_activity, scan_and_alert
from dangjian.demo.builder import DEFAULT_SEED, DemoError, build_demo
from dangjian.demo.logins import create_demo_logins
from dangjian.demo.progress import BuildProgress
from dangjian.orgs.models import Organization


def _url() -> str:
    """Where ``dangjian serve`` will listen by default (DANGJIAN_BIND), for the plain command's last line."""
    bind = os.environ.get("DANGJIAN_BIND", "127.0.0.1:8000")
    host, _, port = bind.rpartition(":")
    return f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}"


class Command(BaseCommand):
    help = "Builds the demo data and logins if the database has no organisations yet (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=3000)
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--no-activity", action="store_true",
                            help="without the activity history, planted problems and first health scan")
        parser.add_argument("--logins-file", type=Path, default=None,
                            help="write the logins there (mode 600) for `dangjian serve --banner` instead of printing")

    def handle(self, *args, **opts):
        if Organization.objects.exists():
            self.stdout.write(f"演示数据已存在，跳过初始化（demo data already present; nothing changed）。"
                              f"如需重建：{self.reset_hint()}")
            return
        members = opts["members"]
        self.stdout.write(f"正在生成演示数据：约 {members:,} 名党员（种子 {opts['seed']}）…")
        try:
            with BuildProgress(members=members, stream=self.stdout, enabled=self.stdout.isatty()) as progress, \
                    transaction.atomic():
                result = build_demo(members=members, seed=opts["seed"], strict=True, progress=progress.update)
                logins = create_demo_logins()
                activity = None if opts["no_activity"] else add_activity(
                    seed=result.seed, today=result.today, members=result.members, scan=False)
            if activity is not None:  # after commit: the alerts reach the demo logins' inboxes
                scan_and_alert(activity, today=result.today)
        except (DemoError, DomainError) as exc:
            raise CommandError(str(exc))
        self.stdout.write(
            f"已生成：{result.group_name}，{result.orgs:,} 个党组织（{self.by_type(result.counts)}），"
            f"{result.members:,} 名党员，{result.units:,} 个企业单位，{result.terms:,} 个届次，"
            f"{result.seats:,} 个委员职务（{result.seconds:.1f} 秒）"
        )
        if activity is not None:
            for line in activity.summary_lines():
                self.stdout.write(line)
        logins_text = "\n".join([
            self.table(logins),
            "以上密码只显示这一次，请妥善保存（passwords are shown once and not stored in clear）。",
            "组织部、审计员、党委书记和 admin（超级用户）首次登录时须绑定 TOTP 双因素认证"
            "（用手机验证器扫描二维码）；支部书记和党员不强制。",
            "忘记密码或账号被锁定：dangjian changepassword 用户名 / dangjian unlock 用户名（见 README）。",
        ])
        path = opts["logins_file"]
        if path is None:
            self.stdout.write(logins_text)
            self.stdout.write(f"启动 dangjian serve 后打开 {_url()} 登录。")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(logins_text + "\n")
        self.stdout.write(f"演示账号和密码将在服务器启动后显示（暂存于 {path}，显示后即删除）。")

    @staticmethod
    def by_type(counts: dict[str, int]) -> str:
        return "、".join(f"{label('org_type', k)} {v:,}" for k, v in counts.items())

    @staticmethod
    def table(logins) -> str:
        from rich.console import Console
        from rich.table import Table

        table = Table(title="演示账号 demo logins", show_lines=False)
        for column in ("用户名", "密码", "角色", "组织", "数据范围", "关联党员", "双因素"):
            table.add_column(column, no_wrap=column in ("用户名", "密码"))
        for login in logins:
            table.add_row(login.username, login.password, login.role, login.org, login.scope, login.member or "—",
                          "须绑定" if login.mfa_required else "—")
        buffer = io.StringIO()
        Console(file=buffer, width=140, force_terminal=False, color_system=None).print(table)
        return buffer.getvalue().rstrip("\n")

    @staticmethod
    def reset_hint() -> str:
        if connection.vendor == "sqlite":
            name = settings.DATABASES["default"]["NAME"]
            return f"删除 {name}（默认 var/dangjian.sqlite3）后重新运行 make run。"
        return "清空数据库（例如 dropdb/createdb 后执行 dangjian migrate）后重新运行 make run。"
