"""The demo's meeting history: a year of organisational life per organisation, written in bulk.

For every active branch, party group and committee, the meetings its cadence rules ask for (DOMAIN §4,
the ``meetings.CadenceRule`` rows: 支部党员大会 and 党课 quarterly, 支委会, 党小组会 and 主题党日 monthly,
组织生活会 and 民主评议党员 yearly, 党委会 monthly) over the last twelve months, with the roll call
taken from the roll ``meetings.selectors.roll_for`` would give (present most, some on leave with a
reason, a few absent) and minutes. A realistic share of problems is planted: about one branch in eight
is *lax* and misses meetings (the last month's included, so the cadence rule reports it), a few left
last month's planned meeting unrecorded ("已召开未登记"), and some have a meeting planned in the
coming weeks.

The write is the meetings services' validation made bulk: every row is checked with the rules of
``meetings.services.meeting_create`` (kind allowed for the org type, the party group inside the
branch, end after start, a held meeting not in the future, attendance only from the roll, a reason for
every leave, text lengths), every 500th also with ``full_clean``; rows go in with explicit keys, one
statement per batch, one audit entry (``meetings.bulk_record``) per batch.
"""
from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.audit.choices import AuditAction
from dangjian.demo.writer import allocate_ids, insert_rows, stored_datetime
from dangjian.meetings.choices import AttendanceStatus, CadenceUnit, KindCode, MeetingStatus, RollSource
from dangjian.meetings.models import Attendance, CadenceRule, Meeting, MeetingKind
from dangjian.meetings.selectors.meetings import ROLL_EXCLUDED_STATUSES
from dangjian.members.choices import MemberStatus
from dangjian.members.models import CommitteeSeat, Member, MembershipPeriod
from dangjian.orgs.choices import OrgStatus, OrgType
from dangjian.orgs.models import Organization

__all__ = ["LAX_SHARE", "MeetingHistory", "write_meeting_history"]

LAX_SHARE = 0.12          # branches that miss meetings (the brief: about 10–15 %)
UNRECORDED_SHARE = 0.04   # branches that left last month's planned meeting unrecorded
UPCOMING_SHARE = 0.5      # branches with a meeting planned in the next weeks
HISTORY_MONTHS = 12
_TZ = ZoneInfo("Asia/Shanghai")
_MEETING_COLUMNS = ("id", "created_at", "updated_at", "org_id", "party_group_id", "kind_id", "series_id",
                    "occurrence_on", "topic", "agenda", "place", "online_url", "starts_at", "ends_at",
                    "meeting_date", "status", "minutes", "recorded_at", "cancel_reason", "checkin_code",
                    "checkin_issued_at")
_ATTENDANCE_COLUMNS = ("id", "meeting_id", "member_id", "status", "reason", "self_confirmed_at")

TOPICS: dict[str, tuple[str, ...]] = {
    KindCode.GENERAL_MEETING: ("传达学习上级党委会议精神", "研究发展党员工作", "讨论年度党建工作计划",
                               "通报支部工作情况", "学习贯彻党的二十大精神", "讨论确定入党积极分子"),
    KindCode.COMMITTEE_MEETING: ("研究本月支部工作安排", "研究党员教育管理工作", "研究党费收缴情况",
                                 "研究“三会一课”落实情况", "研究主题党日活动方案", "研究困难党员帮扶"),
    KindCode.GROUP_MEETING: ("学习党章党规", "交流岗位建功情况", "学习《习近平谈治国理政》",
                             "开展批评与自我批评", "讨论安全生产工作", "学习先进典型事迹"),
    KindCode.PARTY_LECTURE: ("书记讲党课：坚定理想信念", "党课：弘扬伟大建党精神", "党课：全面从严治党",
                             "党课：国有企业党的建设", "党课：党史学习教育"),
    KindCode.THEME_DAY: ("重温入党誓词", "参观红色教育基地", "志愿服务进社区", "安全生产主题党日",
                         "学习身边榜样", "“我为群众办实事”实践活动", "廉洁文化主题党日", "党员先锋岗评比"),
    KindCode.LIFE_MEETING: ("年度组织生活会", "专题组织生活会"),
    KindCode.APPRAISAL: ("年度民主评议党员",),
    KindCode.PARTY_COMMITTEE: ("研究“三重一大”事项", "研究党建工作责任制落实", "研究干部选拔任用",
                               "研究党风廉政建设", "研究基层党组织换届工作"),
}
PLACES = ("党员活动室", "会议室", "支部活动室", "职工之家", "党建活动中心", "三楼会议室")
LEAVE_REASONS = ("出差", "病假", "公休假", "外出培训", "值班", "事假", "现场抢修", "家中有事")
AGENDA = ("学习上级文件", "通报工作情况", "讨论研究", "布置下阶段工作")

Progress = Callable[[str, int, int], None]


@dataclass
class MeetingHistory:
    meetings: int = 0
    held: int = 0
    planned: int = 0
    attendance: int = 0
    branches: int = 0
    lax_branches: int = 0
    unrecorded: int = 0
    audit_entries: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


@dataclass
class _Org:
    pk: int
    code: str
    org_type: str
    path: str
    depth: int
    roll: list[int] = field(default_factory=list)          # members on the org's roll, pk order
    committee: list[int] = field(default_factory=list)     # current committee seat holders on the roll
    groups: dict[int, list[int]] = field(default_factory=dict)  # party group pk → its members
    established_on: dt.date | None = None
    # members on the roll only since a day inside the history (joined, came to the org, took their seat):
    # left off the roll calls before it
    on_roll_from: dict[int, dt.date] = field(default_factory=dict)
    seat_from: dict[int, dt.date] = field(default_factory=dict)
    lost_on: dict[int, dt.date] = field(default_factory=dict)   # lost contact that day: absent from then on


def _months(today: dt.date) -> list[dt.date]:
    """First days of the last HISTORY_MONTHS months up to and including the current one."""
    first = today.replace(day=1)
    return [first - relativedelta(months=k) for k in range(HISTORY_MONTHS, -1, -1)]


def _moment(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=_TZ)


class _Writer:
    """Collects meeting and attendance rows, checks them, and writes them a batch at a time."""

    def __init__(self, *, kinds: dict[str, MeetingKind], audit: Callable[[str, dict], None], now: dt.datetime,
                 batch_size: int, result: MeetingHistory) -> None:
        self.kinds = kinds
        self.audit = audit
        self.now = now
        self.stored_now = stored_datetime(now)
        self.batch_size = batch_size
        self.result = result
        self.meetings: list[dict[str, Any]] = []
        self.attendance: list[list[tuple[int, str, str]]] = []
        self.rows = 0
        self.checked = 0

    def add(self, org: _Org, kind: MeetingKind, roll: list[int], start: dt.datetime, rng: random.Random, *,
            held: bool, party_group: int | None = None) -> None:
        roll = _roll_on(org, kind, roll, timezone.localdate(start))
        end = start + dt.timedelta(minutes=rng.choice((60, 90, 120)))
        topic = rng.choice(TOPICS.get(kind.code, (kind.name,)))
        row = {"org": org, "party_group_id": party_group, "kind": kind, "topic": topic,
               "agenda": list(rng.sample(AGENDA, 2)) if kind.code != KindCode.THEME_DAY else [],
               "place": rng.choice(PLACES), "starts_at": start, "ends_at": end,
               "status": MeetingStatus.HELD if held else MeetingStatus.PLANNED}
        marks: list[tuple[int, str, str]] = []
        if held:
            present = 0
            day = timezone.localdate(start)
            for member_id in roll:
                roll_die = rng.random()
                if member_id in org.lost_on and org.lost_on[member_id] <= day:
                    marks.append((member_id, AttendanceStatus.ABSENT, ""))
                elif roll_die < 0.88:
                    marks.append((member_id, AttendanceStatus.PRESENT, ""))
                    present += 1
                elif roll_die < 0.96:
                    marks.append((member_id, AttendanceStatus.LEAVE, rng.choice(LEAVE_REASONS)))
                else:
                    marks.append((member_id, AttendanceStatus.ABSENT, ""))
            leave = sum(1 for m in marks if m[1] == AttendanceStatus.LEAVE)
            row["minutes"] = (f"{start.astimezone(_TZ):%Y年%m月%d日}，{kind.name}在{row['place']}召开，主题：{topic}。"
                              f"应到 {len(roll)} 人，实到 {present} 人，请假 {leave} 人。会议" +
                              ("传达学习了上级有关文件精神，" if rng.random() < 0.5 else "听取了近期工作情况汇报，") +
                              "与会党员结合工作实际进行了交流发言，会议对下一步工作作了安排。")
            recorded = start + dt.timedelta(hours=rng.randint(2, 72))
            row["recorded_at"] = min(recorded, self.now)
        else:
            row["minutes"] = ""
            row["recorded_at"] = None
        self.check(row, set(roll), marks)
        self.meetings.append(row)
        self.attendance.append(marks)
        self.rows += 1 + len(marks)
        if self.rows >= self.batch_size:
            self.flush()

    def check(self, row: dict[str, Any], roll: set[int], marks: list[tuple[int, str, str]]) -> None:
        """The rules of ``meetings.services.meeting_create`` for one row (see the module docstring)."""
        org, kind = row["org"], row["kind"]
        problems = []
        if not kind.is_active or not kind.allows(org.org_type):
            problems.append(f"{kind.code} not held by {org.org_type}")
        if (kind.roll == RollSource.GROUP) != (row["party_group_id"] is not None):
            problems.append("party group required exactly for group meetings")
        if row["party_group_id"] is not None and row["party_group_id"] not in org.groups:
            problems.append("party group not in the branch")
        if row["ends_at"] <= row["starts_at"]:
            problems.append("end before start")
        if row["status"] == MeetingStatus.HELD and row["starts_at"] > self.now:
            problems.append("held meeting in the future")
        if len(row["topic"]) > 200 or len(row["place"]) > 200 or len(row["minutes"]) > 20_000:
            problems.append("text too long")
        seen: set[int] = set()
        for member_id, status, reason in marks:
            if member_id not in roll or member_id in seen:
                problems.append(f"member {member_id} not on the roll or twice")
            if status == AttendanceStatus.LEAVE and not reason:
                problems.append("leave without a reason")
            seen.add(member_id)
        if problems:
            raise ValueError(f"demo meeting of {org.code}: {'; '.join(problems)}")
        self.checked += 1
        if self.checked % 500 == 1:  # every 500th row also through the model's own validation
            meeting = Meeting(org_id=org.pk, party_group_id=row["party_group_id"], kind=kind, topic=row["topic"],
                              agenda=row["agenda"], place=row["place"], starts_at=row["starts_at"],
                              ends_at=row["ends_at"], meeting_date=timezone.localdate(row["starts_at"]),
                              status=row["status"], minutes=row["minutes"], recorded_at=row["recorded_at"])
            try:
                meeting.full_clean(exclude=["org", "party_group", "kind", "series"], validate_unique=False)
            except ValidationError as exc:
                raise ValueError(f"demo meeting of {org.code}: {exc.messages}") from exc

    def flush(self) -> None:
        if not self.meetings:
            return
        ids = allocate_ids(Meeting, len(self.meetings))
        now = self.stored_now
        rows = []
        for pk, m in zip(ids, self.meetings, strict=True):
            rows.append((pk, now, now, m["org"].pk, m["party_group_id"], m["kind"].pk, None, None, m["topic"],
                         json.dumps(m["agenda"], ensure_ascii=False), m["place"], "",
                         stored_datetime(m["starts_at"]), stored_datetime(m["ends_at"]),
                         timezone.localdate(m["starts_at"]), str(m["status"]), m["minutes"],
                         stored_datetime(m["recorded_at"]) if m["recorded_at"] else None, "", "", None))
            code = m["kind"].code
            self.result.by_kind[code] = self.result.by_kind.get(code, 0) + 1
            if m["status"] == MeetingStatus.HELD:
                self.result.held += 1
            else:
                self.result.planned += 1
        insert_rows(Meeting, _MEETING_COLUMNS, rows)
        marks = [(meeting_id, member_id, str(status), reason)
                 for meeting_id, meeting_marks in zip(ids, self.attendance, strict=True)
                 for member_id, status, reason in meeting_marks]
        attendance_ids = allocate_ids(Attendance, len(marks))
        insert_rows(Attendance, _ATTENDANCE_COLUMNS,
                    [(pk, *mark, None) for pk, mark in zip(attendance_ids, marks, strict=True)])
        self.result.meetings += len(ids)
        self.result.attendance += len(marks)
        self.audit(AuditAction.MEETINGS_BULK_RECORDED, {"count": len(ids), "attendance": len(marks),
                                            "first_id": ids[0], "last_id": ids[-1]})
        self.result.audit_entries += 1
        self.meetings, self.attendance, self.rows = [], [], 0


def _roll_on(org: _Org, kind: MeetingKind, roll: list[int], day: dt.date) -> list[int]:
    """*roll* as it stood on *day*: without those who joined, came to the org or (a committee's roll)
    took their seat after it (issue #18: nobody attends a meeting before they belong)."""
    late = org.seat_from if kind.roll == RollSource.COMMITTEE and roll is org.committee else {}
    if not org.on_roll_from and not late:
        return roll
    return [m for m in roll if org.on_roll_from.get(m, day) <= day and late.get(m, day) <= day]


def _load_orgs(orgs: list[Organization], history_from: dt.date) -> list[_Org]:
    """The rolls of a chunk of organisations: five queries for the chunk (members, membership periods,
    lost contact, groups, seats)."""
    out = {o.pk: _Org(o.pk, o.code, o.org_type, o.path, o.depth, established_on=o.established_on) for o in orgs}
    ids = list(out)
    members = (Member.objects.filter(org_id__in=ids).exclude(status__in=ROLL_EXCLUDED_STATUSES)
               .order_by("pk").values_list("pk", "org_id", "party_group_id", "joined_on"))
    by_group: dict[int, list[int]] = {}
    for pk, org_id, group_id, joined in members.iterator(chunk_size=5000):
        out[org_id].roll.append(pk)
        if joined > history_from:
            out[org_id].on_roll_from[pk] = joined
        if group_id is not None:
            by_group.setdefault(group_id, []).append(pk)
    for pk, org_id, came in (MembershipPeriod.objects.filter(org_id__in=ids, valid_to__isnull=True,
                                                             valid_from__gt=history_from)
                             .values_list("member_id", "org_id", "valid_from")):
        out[org_id].on_roll_from[pk] = max(came, out[org_id].on_roll_from.get(pk, came))
    for pk, org_id, lost in (Member.objects.filter(org_id__in=ids, status=MemberStatus.LOST,
                                                   status_changes__to_status=MemberStatus.LOST)
                             .values_list("pk", "org_id", "status_changes__effective_on")):
        out[org_id].lost_on[pk] = min(lost, out[org_id].lost_on.get(pk, lost))
    groups = (Organization.objects.filter(org_type=OrgType.GROUP, status=OrgStatus.ACTIVE, pk__in=sorted(by_group))
              .values_list("pk", "path"))
    by_path = {o.path: o.pk for o in orgs}
    for group_pk, path in groups:
        parent = by_path.get(path[:-Organization.steplen])
        if parent is not None:
            out[parent].groups[group_pk] = by_group.get(group_pk, [])
    on_roll = {pk for o in out.values() for pk in o.roll}
    seats = (CommitteeSeat.objects.filter(term__org_id__in=ids, term__is_current=True, until__isnull=True)
             .order_by("member_id", "since").values_list("term__org_id", "member_id", "since", "member__joined_on"))
    for org_id, member_id, since, joined in seats:
        # roll_for: the committee's members who are still on a roll; a committee above the branches has
        # members of its own branches on it
        org = out[org_id]
        if member_id in org.seat_from or (org.committee and org.committee[-1] == member_id):
            continue  # a second seat of the same member: the first one counts
        if member_id in on_roll or org.org_type != OrgType.BRANCH:
            org.committee.append(member_id)
            since = max(since, joined)  # a seat the register dates before joining counts from joining
            if since > history_from:
                org.seat_from[member_id] = since
    return [out[o.pk] for o in orgs]


def _plan_org(org: _Org, rules: dict[str, list[CadenceRule]], kinds: dict[str, MeetingKind], today: dt.date,
              now: dt.datetime, seed: int, writer: _Writer, result: MeetingHistory) -> None:
    rng = random.Random(f"dangjian-demo:{seed}:meetings:{org.code}")
    months = _months(today)
    last_month = months[-2]
    lax = org.org_type == OrgType.BRANCH and rng.random() < LAX_SHARE
    branch = org.org_type == OrgType.BRANCH
    # the third branch always, so even a small demo shows the case
    unrecorded = branch and not lax and (rng.random() < UNRECORDED_SHARE or result.branches == 2)
    result.branches += branch
    result.lax_branches += lax
    offset = rng.randrange(3)  # which month of each quarter the quarterly meetings fall in

    def when(month: dt.date, low: int = 3, high: int = 26) -> dt.datetime:
        day = month.replace(day=rng.randint(low, high))
        return _moment(day, rng.choice((9, 10, 14, 15, 16)), rng.choice((0, 30)))

    def skipped(month: dt.date) -> bool:
        if not lax:
            return rng.random() < 0.01
        return rng.random() < (0.6 if month == last_month else 0.25)

    def roll_of(kind: MeetingKind) -> list[int]:
        if kind.roll == RollSource.COMMITTEE and org.committee:
            return org.committee
        return org.roll

    for rule in rules.get(org.org_type, []):
        kind = rule.kind
        if kind.roll == RollSource.GROUP:
            continue  # planned for the groups below
        for month in months:
            if rule.unit == CadenceUnit.QUARTER and (month.month - 1) % 3 != offset:
                continue
            if rule.unit == CadenceUnit.YEAR and month.month != 12:
                continue  # 组织生活会 and 民主评议 at the year's end
            start = when(month)
            if start >= now or _before(org, start):
                continue
            if skipped(month):
                continue
            held = not (unrecorded and month == last_month and kind.code == KindCode.THEME_DAY)
            result.unrecorded += not held
            writer.add(org, kind, roll_of(kind), start, rng, held=held)
    group_rule = next((r for r in rules.get(OrgType.GROUP, []) if r.kind.roll == RollSource.GROUP), None)
    if group_rule is not None and org.org_type == OrgType.BRANCH:
        for group_pk, group_roll in sorted(org.groups.items()):
            for month in months:
                start = when(month)
                if start < now and not _before(org, start) and group_roll and not skipped(month):
                    writer.add(org, group_rule.kind, group_roll, start, rng, held=True, party_group=group_pk)
    theme = kinds.get(KindCode.THEME_DAY)
    if org.org_type == OrgType.BRANCH and theme is not None and rng.random() < UPCOMING_SHARE:
        day = today + dt.timedelta(days=rng.randint(3, 20))
        writer.add(org, theme, org.roll, _moment(day, 15, 0), rng, held=False)


def _before(org: _Org, start: dt.datetime) -> bool:
    """A meeting before the organisation was set up."""
    return org.established_on is not None and timezone.localdate(start) < org.established_on


def _chunks(batch_orgs: int) -> Iterator[list[Organization]]:
    orgs = (Organization.objects.filter(status=OrgStatus.ACTIVE,
                                        org_type__in=[OrgType.BRANCH, OrgType.COMMITTEE])
            .order_by("path").only("pk", "path", "depth", "org_type", "code", "established_on"))
    chunk: list[Organization] = []
    for org in orgs.iterator(chunk_size=2000):
        chunk.append(org)
        if len(chunk) >= batch_orgs:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def write_meeting_history(*, seed: int, today: dt.date, audit: Callable[[str, dict], None],
                          batch_size: int = 20_000, now: dt.datetime | None = None,
                          progress: Progress | None = None) -> MeetingHistory:
    """Writes the meeting history of every active branch (and its party groups) and committee, streamed
    a few hundred organisations at a time. Deterministic for *seed* and *today*."""
    now = now or timezone.now()
    if today < timezone.localdate(now):
        # history relative to a past day: nothing after the end of that day is "held"
        now = min(now, _moment(today, 23, 59))
    result = MeetingHistory()
    kinds = {k.code: k for k in MeetingKind.objects.filter(is_active=True)}
    rules: dict[str, list[CadenceRule]] = {}
    for rule in CadenceRule.objects.filter(enabled=True, kind__is_active=True).select_related("kind") \
            .order_by("org_type", "kind__sort", "pk"):
        rules.setdefault(rule.org_type, []).append(rule)
    writer = _Writer(kinds=kinds, audit=audit, now=now, batch_size=batch_size, result=result)
    total = Organization.objects.filter(status=OrgStatus.ACTIVE,
                                        org_type__in=[OrgType.BRANCH, OrgType.COMMITTEE]).count()
    done = 0
    history_from = _months(today)[0]
    for chunk in _chunks(500):
        for org in _load_orgs(chunk, history_from):
            _plan_org(org, rules, kinds, today, now, seed, writer, result)
        done += len(chunk)
        if progress:
            progress("meetings", done, total)
    writer.flush()
    return result
