"""``dangjian unlock USERNAME``: lift an account's lockout after failed sign-ins, audited (issue 9 §10).

A locked account unlocks by itself after ``DANGJIAN_LOCKOUT_MINUTES``; this is for an administrator who
cannot wait, typically together with ``dangjian changepassword USERNAME``."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from dangjian.accounts.models import User
from dangjian.accounts.services import user_unlock
from dangjian.core.scoping import SYSTEM


class Command(BaseCommand):
    help = "Lift the lockout of an account after failed sign-ins (recorded in the audit log)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reason", default="命令行解除锁定", help="recorded with the audit entry")

    def handle(self, *args, username, reason, **opts):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"unknown user: {username}")
        cleared = user_unlock(actor=SYSTEM, user=user, reason=reason)
        if cleared:
            self.stdout.write(f"{username}: 已解除锁定，清除 {cleared} 条失败登录记录（unlocked）。")
        else:
            self.stdout.write(f"{username}: 没有失败登录记录，账号未被锁定（not locked）。")
