"""The default schedule (定时任务): what the workers run periodically, by task path.

Entries name a django-tasks task by its dotted path, so an app that is not installed yet (or renamed
its task) only makes its entry log "missing" and skip — the schedule never imports the apps. Missing
entries are added to the ``ScheduledJob`` table when a worker starts (``schedule_sync``); entries that
exist keep what an administrator set (``dangjian schedule``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["DEFAULT_SCHEDULE", "ScheduleEntry"]


@dataclass(frozen=True)
class ScheduleEntry:
    name: str
    task_path: str
    spec: str  # "every <n>[s|m|h|d]" or five cron fields, in the site's time zone
    description: str
    kwargs: dict[str, Any] = field(default_factory=dict)


DEFAULT_SCHEDULE: tuple[ScheduleEntry, ...] = (
    ScheduleEntry("health.scan_all", "dangjian.health.tasks.scan_all", "30 2 * * *",
                  "每晚 02:30 全量组织体检（health 规则），新发现的问题通知责任人"),
    ScheduleEntry("dues.monthly_bills", "dangjian.dues.tasks.generate_monthly_bills", "0 1 1 * *",
                  "每月 1 日 01:00 生成当月党费账单（可重复执行，已有账单不重复生成）"),
    ScheduleEntry("health.term_reminders", "dangjian.health.tasks.term_reminders", "0 8 * * *",
                  "每天 08:00 换届提醒（届满前 6/3/1 个月）"),
    ScheduleEntry("integration.retry_deliveries", "dangjian.integration.tasks.retry_deliveries", "every 60s",
                  "每分钟重新排队逾期未发送的通知（工作进程中断后的补发）"),
    ScheduleEntry("exchange.purge_import_files", "dangjian.exchange.tasks.purge_import_files", "30 3 * * *",
                  "每天 03:30 清除 30 天前导入任务的上传文件（含身份证号和手机号；导入报告保留）"),
)
