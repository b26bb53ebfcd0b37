"""Meetings of every kind (三会一课, 主题党日, 组织生活会, 民主评议 …), their roll call, minutes,
attachments and follow-ups; recurring series; and the required frequencies as data (DOMAIN §4)."""
from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TimeStampedModel
from dangjian.core.scoping import OrgScopedQuerySet
from dangjian.meetings.choices import AttendanceStatus, CadenceUnit, MeetingStatus, RollSource
from dangjian.members.models import CommitteeSeat, Member
from dangjian.orgs.choices import OrgType
from dangjian.orgs.models import Organization

__all__ = [
    "Attendance",
    "CadenceRule",
    "FollowUp",
    "Meeting",
    "MeetingAttachment",
    "MeetingKind",
    "MeetingSeries",
]


class MeetingKind(models.Model):
    """会议类型 (meeting kind): 支部党员大会, 支委会, 党小组会, 党课, 主题党日, 组织生活会, 民主评议党员,
    谈心谈话, 党委会 — seeded data an administrator may extend. ``roll`` says whose attendance the kind
    takes (the org's members, the party group's, or the committee's); ``org_types`` which organisations
    hold it."""

    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    roll = models.CharField(_("参会范围"), max_length=20, choices=RollSource.choices, default=RollSource.ORG)
    org_types = models.JSONField(_("适用组织类别"), default=list)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("会议类型")
        verbose_name_plural = _("会议类型")
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.name

    def allows(self, org_type: str) -> bool:
        return org_type in (self.org_types or [])


class CadenceRule(models.Model):
    """组织生活频次要求 (cadence rule): an org type must hold at least ``min_count`` meetings of a kind
    per month, quarter or year. Seeded from DOMAIN §4 with the citation and its confidence; the
    disputed and low-confidence ones (党课 quarterly, 党委会 monthly) are configurable like the rest."""

    org_type = models.CharField(_("组织类别"), max_length=20, choices=OrgType.choices)
    kind = models.ForeignKey(MeetingKind, verbose_name=_("会议类型"), on_delete=models.PROTECT,
                             related_name="cadence_rules")
    unit = models.CharField(_("周期"), max_length=10, choices=CadenceUnit.choices)
    min_count = models.PositiveSmallIntegerField(_("最少次数"), default=1)
    citation = models.CharField(_("依据"), max_length=300)
    confidence = models.CharField(_("可信度"), max_length=20, default="high")
    enabled = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("组织生活频次要求")
        verbose_name_plural = _("组织生活频次要求")
        ordering = ["org_type", "kind__sort"]
        constraints = [
            models.UniqueConstraint(fields=["org_type", "kind"], name="cadencerule_org_type_kind"),
            models.CheckConstraint(condition=Q(min_count__gte=1), name="cadencerule_min_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_org_type_display()} {self.kind} {self.get_unit_display()} ≥ {self.min_count}"


class MeetingSeries(TimeStampedModel):
    """固定活动日 (recurring series): e.g. the monthly 主题党日 on a fixed day. Occurrences are generated
    a few at a time as planned meetings, idempotently (one per series and date)."""

    org = models.ForeignKey(Organization, verbose_name=_("党组织"), on_delete=models.PROTECT,
                            related_name="meeting_series")
    party_group = models.ForeignKey(Organization, verbose_name=_("党小组"), on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="group_meeting_series")
    kind = models.ForeignKey(MeetingKind, verbose_name=_("会议类型"), on_delete=models.PROTECT, related_name="series")
    topic = models.CharField(_("主题"), max_length=200)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    online_url = models.URLField(_("线上会议链接"), max_length=500, blank=True)
    day_of_month = models.PositiveSmallIntegerField(_("每月几日"))
    interval_months = models.PositiveSmallIntegerField(_("间隔（月）"), default=1)
    start_time = models.TimeField(_("开始时间"))
    duration_minutes = models.PositiveSmallIntegerField(_("时长（分钟）"), default=90)
    starts_on = models.DateField(_("起始日期"))
    until = models.DateField(_("截止日期"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = OrgScopedQuerySet.as_manager()
    scope_path_lookup = "org__path"
    scope_org_lookup = "org_id"

    class Meta:
        verbose_name = _("固定活动")
        verbose_name_plural = _("固定活动")

    def __str__(self) -> str:
        return f"{self.org} {self.kind} {self.topic}"


class MeetingQuerySet(OrgScopedQuerySet):
    pass


class Meeting(TimeStampedModel):
    """会议/活动 (meeting): one meeting of an organisation — planned, held or cancelled — with its topic,
    agenda, time and place or online link, roll call, minutes, attachments and follow-up actions.

    ``org`` is the organisation that holds it (a branch, general branch or committee); a 党小组会 also
    names its ``party_group`` (a group of that branch), which is the org its cadence counts for.
    ``meeting_date`` is the start's calendar day in Asia/Shanghai, kept by the services, so cadence
    windows are plain date ranges. Only a meeting recorded as held counts toward the cadence.
    """

    org = models.ForeignKey(Organization, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="meetings")
    party_group = models.ForeignKey(Organization, verbose_name=_("党小组"), on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="group_meetings")
    kind = models.ForeignKey(MeetingKind, verbose_name=_("会议类型"), on_delete=models.PROTECT, related_name="meetings")
    series = models.ForeignKey(MeetingSeries, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings")
    occurrence_on = models.DateField(null=True, blank=True, editable=False)
    topic = models.CharField(_("主题"), max_length=200)
    agenda = models.JSONField(_("议程"), default=list, blank=True)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    online_url = models.URLField(_("线上会议链接"), max_length=500, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    meeting_date = models.DateField(_("会议日期"), editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    minutes = models.TextField(_("会议记录"), blank=True)
    recorded_at = models.DateTimeField(_("登记时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    checkin_code = models.CharField(_("签到码"), max_length=12, blank=True)
    checkin_issued_at = models.DateTimeField(null=True, blank=True)

    objects = MeetingQuerySet.as_manager()
    scope_path_lookup = "org__path"
    scope_org_lookup = "org_id"

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        indexes = [
            models.Index(fields=["org", "meeting_date"]),
            models.Index(fields=["party_group", "meeting_date"]),
            models.Index(fields=["meeting_date", "id"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_end_after_start"),
            models.UniqueConstraint(fields=["series", "occurrence_on"], condition=Q(series__isnull=False),
                                    name="meeting_one_per_series_date"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_date} {self.kind} {self.topic}"

    @classmethod
    def scope_self_q(cls, actor):
        # A member always sees the meetings of their own branch, of the committees they sit on, and those
        # they are on the recorded roll of (STYLE §4: one's own records are always visible).
        seats = CommitteeSeat.objects.filter(member__user=actor, until__isnull=True, term__is_current=True)
        return (
            Q(org_id__in=Member.objects.filter(user=actor).values("org_id"))
            | Q(org_id__in=seats.values("term__org_id"))
            | Q(pk__in=Attendance.objects.filter(member__user=actor).values("meeting_id"))
        )

    @property
    def subject_id(self) -> int:
        """The org whose cadence this meeting counts for."""
        return self.party_group_id or self.org_id

    @property
    def is_held(self) -> bool:
        return self.status == MeetingStatus.HELD


class Attendance(models.Model):
    """出勤 (attendance): one member on a meeting's roll — present, on leave (with the reason) or absent.
    ``self_confirmed_at`` is set when the member confirmed with the meeting's one-time code."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="attendances")
    status = models.CharField(_("出勤"), max_length=10, choices=AttendanceStatus.choices)
    reason = models.CharField(_("请假事由"), max_length=200, blank=True)
    self_confirmed_at = models.DateTimeField(_("本人签到时间"), null=True, blank=True)

    objects = OrgScopedQuerySet.as_manager()
    scope_path_lookup = "meeting__org__path"
    scope_org_lookup = "meeting__org_id"

    class Meta:
        verbose_name = _("出勤")
        verbose_name_plural = _("出勤")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_one_per_member")]

    def __str__(self) -> str:
        return f"{self.member} {self.get_status_display()}"

    @classmethod
    def scope_self_q(cls, actor):
        return Q(member__user=actor)


def attachment_path(instance: MeetingAttachment, filename: str) -> str:
    # the stored name is ours (meeting id + a random token); the original name is kept in ``name``
    import secrets

    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"meetings/{instance.meeting_id}/{secrets.token_hex(8)}.{ext}"


class MeetingAttachment(models.Model):
    """会议附件 (attachment): a file of a meeting (sign-in sheet, slides, photos), kept in Django storage;
    size and type limited by settings (default 20 MB; pdf, docx, xlsx, jpg, png)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    content_type = models.CharField(max_length=100)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedQuerySet.as_manager()
    scope_path_lookup = "meeting__org__path"
    scope_org_lookup = "meeting__org_id"

    class Meta:
        verbose_name = _("会议附件")
        verbose_name_plural = _("会议附件")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_self_q(cls, actor):
        # the files of the meetings that are the member's own (issue 9, point 5: what they may read of a
        # past meeting includes its attachments)
        return Q(meeting_id__in=Meeting.objects.filter(Meeting.scope_self_q(actor)).values("pk"))


class FollowUp(TimeStampedModel):
    """会议决定事项 (follow-up action): what the meeting decided, who (a member) sees it done, by when."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="followups")
    title = models.CharField(_("事项"), max_length=200)
    owner = models.ForeignKey(Member, verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="followups")
    due_on = models.DateField(_("完成期限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    objects = OrgScopedQuerySet.as_manager()
    scope_path_lookup = "meeting__org__path"
    scope_org_lookup = "meeting__org_id"

    class Meta:
        verbose_name = _("会议决定事项")
        verbose_name_plural = _("会议决定事项")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_self_q(cls, actor):
        return Q(owner__user=actor)
