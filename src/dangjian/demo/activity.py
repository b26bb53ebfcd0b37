"""Activity history and planted problems for the demo enterprise, added after the base build so that the
monitoring table and the alerts show something real on first run (issue #4 §7).

In order, in one transaction (a failure leaves the base build as it was):

1. organisation problems, pipelines, transfers and lost contact through the services
   (:mod:`dangjian.demo.problems`) — first, so the meeting rolls and the bills see the final branches;
2. a year of meetings with attendance and minutes, in bulk (:mod:`dangjian.demo.history_meetings`);
3. dues profiles, twelve months of bills and most payments (:mod:`dangjian.demo.history_dues`);
4. a ``demo.activity`` audit entry with the seed and the counts.

Then, after commit, a full health scan (``health.services.findings_scan``) and the alerts it raises
delivered to the responsible roles' inboxes (``integration.services.alerts.findings_notify``, idempotent:
the worker's own run of it afterwards adds nothing). Deterministic for a seed and *today*: every random
choice is drawn from a generator keyed by the seed and an organisation code or who a member is (branch,
name, birth date), never a database key or a keyed hash, so a seed gives the same data on any installation.
Everything is O(members), streamed in batches, one audit entry per batch.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core.declarations import label as code_label
from dangjian.demo.history_dues import DuesHistory, write_dues_history
from dangjian.demo.history_meetings import MeetingHistory, write_meeting_history
from dangjian.demo.problems import Planted, plant_development, plant_org_problems, plant_transfers
from dangjian.orgs.models import Organization

__all__ = ["ActivityResult", "add_activity", "scan_and_alert"]

Progress = Callable[[str, int, int], None]

# The planted pipelines that are not a stage but a problem to find (demo.problems.plant_development).
PLANTED_PIPELINES = {"overdue_talk": "谈话逾期的申请人", "probation_over": "预备期满未转正"}


@dataclass
class ActivityResult:
    seed: int
    today: dt.date
    planted: Planted = field(default_factory=Planted)
    meetings: MeetingHistory = field(default_factory=MeetingHistory)
    dues: DuesHistory = field(default_factory=DuesHistory)
    findings: dict[str, int] = field(default_factory=dict)
    notifications: int = 0
    seconds: float = 0.0          # wall time, the scan included
    cpu_seconds: float = 0.0      # CPU time of this process (not the database server's)
    scan_seconds: float = 0.0

    @property
    def pipelines(self) -> int:
        return sum(self.planted.pipelines.values())

    def left_out_lines(self) -> list[str]:
        """The planted problems left out: nobody fitted (skipped), or a service refused one (a demo defect)."""
        lines = []
        for label, items in (("未预置（无符合条件的党员或组织）", self.planted.skipped),
                             ("预置被业务规则拒绝，已回滚", self.planted.refused)):
            if items:
                more = f" 等 {len(items)} 项" if len(items) > 5 else ""
                lines.append(f"{label}：" + "；".join(items[:5]) + more)
        return lines

    def summary_lines(self) -> list[str]:
        """What ``setup_demo`` prints: meeting kinds, pipeline stages and finding rules by their Chinese
        names from the label registry (issue 9 §3), never their codes."""
        m, d, p = self.meetings, self.dues, self.planted
        kinds = "、".join(f"{code_label('meeting_kind', k)} {v:,}" for k, v in sorted(m.by_kind.items()))
        findings = "，".join(f"{code_label('finding', code)} {n}" for code, n in sorted(self.findings.items()) if n)
        stages = "、".join(f"{code_label('stage', k, default=PLANTED_PIPELINES.get(k, k))} {v}"
                           for k, v in sorted(p.pipelines.items()))
        return [
            f"活动数据：会议 {m.meetings:,} 次（已召开 {m.held:,}，计划/未登记 {m.planned:,}；{kinds}），"
            f"出勤记录 {m.attendance:,} 条，{m.lax_branches} 个支部未按期开会",
            f"党费：档案 {d.profiles:,}，账单 {d.bills:,}（{d.periods[0] if d.periods else ''}–"
            f"{d.periods[-1] if d.periods else ''}），缴费 {d.payments:,} 笔，{d.members_in_arrears} 名党员欠缴 3 个月以上",
            f"发展党员程序 {self.pipelines}（{stages}），"
            f"转接中 {p.transfers_in_transit + p.transfers_overdue}（逾期 {p.transfers_overdue}），新增失联 {p.lost_contact}，"
            f"调整党员 {p.moved_members} 名（过小支部 {len(p.small_branches)}，超 50 人 {len(p.oversize_branches)}，"
            f"未设支委会 {len(p.without_committee)}）",
            *self.left_out_lines(),
            f"监测问题（按规则）：{findings or '无'}；站内通知 {self.notifications:,} 条"
            f"（{self.seconds:.1f} 秒，CPU {self.cpu_seconds:.1f} 秒，其中扫描 {self.scan_seconds:.1f} 秒）",
        ]


def add_activity(*, seed: int, today: dt.date | None = None, members: int | None = None, actor: Any = None,
                 batch_size: int = 20_000, progress: Progress | None = None, scan: bool = True) -> ActivityResult:
    """Adds the activity history and the planted problems to a freshly built demo enterprise, then (with
    *scan*) runs the health scan and delivers its alerts. Audit: the services' own entries, one entry per
    bulk batch (``meetings.bulk_record``, ``dues.profile_bulk_set``, ``dues.bills_generate``,
    ``dues.payment_bulk_record``) and ``demo.activity``."""
    today = today or timezone.localdate()
    started, cpu_started = time.perf_counter(), time.process_time()
    result = ActivityResult(seed=seed, today=today)
    root = Organization.objects.filter(depth=1).order_by("path").first()
    root_path = root.path if root else ""

    def audit(action: str, after: dict[str, Any]) -> None:
        record(actor=actor, action=action, org_path=root_path, after=after, reason=f"演示数据（种子 {seed}）")

    members = members if members is not None else 0
    with transaction.atomic(), _events_replaced_by_full_scan():
        plant_org_problems(actor=actor, seed=seed, today=today, planted=result.planted)
        plant_development(actor=actor, seed=seed, today=today, planted=result.planted)
        plant_transfers(actor=actor, seed=seed, today=today, members=members, planted=result.planted)
        result.meetings = write_meeting_history(seed=seed, today=today, audit=audit, batch_size=batch_size,
                                                progress=progress)
        result.dues = write_dues_history(seed=seed, today=today, audit=audit, batch_size=batch_size // 2,
                                         progress=progress)
        p = result.planted
        audit(AuditAction.DEMO_ACTIVITY, {
            "seed": seed, "today": today.isoformat(), "meetings": result.meetings.meetings,
            "attendance": result.meetings.attendance, "bills": result.dues.bills, "payments": result.dues.payments,
            "pipelines": p.pipelines, "moved_members": p.moved_members, "transfers": p.transfers_in_transit +
            p.transfers_overdue, "lost_contact": p.lost_contact, "skipped": p.skipped[:10],
            "refused": p.refused[:10],
        })
    result.seconds = time.perf_counter() - started
    result.cpu_seconds = time.process_time() - cpu_started
    if scan:
        scan_and_alert(result, today=today, progress=progress)
    return result


@contextlib.contextmanager
def _events_replaced_by_full_scan() -> Iterator[None]:
    """Drops the after-commit callbacks the services queue inside the block (``core.events``: health
    re-checks of the few orgs each write touched, one task per write). The full scan that follows covers
    them all; run one by one they cost a second each."""
    connection = transaction.get_connection()
    before = len(connection.run_on_commit)
    yield
    del connection.run_on_commit[before:]


def scan_and_alert(result: ActivityResult, *, today: dt.date, progress: Progress | None = None) -> None:
    """The full health scan (as the nightly job runs it) and the alerts of the findings it opened, into the
    inboxes of the rules' roles now rather than when the worker gets to them."""
    from dangjian.health.services import findings_scan
    from dangjian.integration.services.alerts import findings_notify

    started, cpu_started = time.perf_counter(), time.process_time()
    scan = findings_scan(today=today, progress=progress)
    result.findings = {run.code: run.produced for run in scan.runs}
    codes = [run.code for run in scan.runs]
    after: int | None = 0
    while after is not None:
        written, after = findings_notify(since=scan.started_at, rule_codes=codes, after=after)
        result.notifications += written
    result.scan_seconds = time.perf_counter() - started
    result.seconds += result.scan_seconds
    result.cpu_seconds += time.process_time() - cpu_started
