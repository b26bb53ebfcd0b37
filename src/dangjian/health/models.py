"""Organisation health monitoring (组织健康监测): rule settings, findings and the monitoring rollup."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import OrgScopedQuerySet
from dangjian.health.choices import FindingState, RollupKind, Severity, SubjectType
from dangjian.orgs.models import Organization

__all__ = ["Finding", "OrgRollup", "RuleConfig", "ScanRun"]


class RuleConfig(models.Model):
    """监测规则设置 (rule setting): an administrator's values for one rule of the registry — parameters
    (validated against the rule's parameter schema, ranges included), severity, whether it runs and which
    role is notified. Seeded with the regulation defaults; a rule without a row runs on its defaults."""

    code = models.CharField(_("规则代码"), max_length=60, unique=True)
    params = models.JSONField(_("参数"), default=dict)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices)
    enabled = models.BooleanField(_("启用"), default=True)
    notify_role = models.CharField(_("通知角色"), max_length=40)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("监测规则设置")
        verbose_name_plural = _("监测规则设置")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class FindingQuerySet(OrgScopedQuerySet):
    pass


class Finding(models.Model):
    """监测问题 (finding): what one rule found at one organisation, optionally about one subject (a
    member, a term, a meeting kind, a pipeline, a transfer).

    The natural key ``(rule, org, subject_type, subject_id)`` is unique, so a scan upserts: a problem
    seen again keeps its row (``first_seen``, state) and moves ``last_seen``; a problem no longer seen is
    ``resolved``; one that comes back after being resolved is re-opened with a new ``first_seen``.
    ``subject_id`` is 0 when the finding is about the organisation itself (not NULL: NULLs never conflict).
    """

    rule = models.CharField(_("规则"), max_length=60)
    org = models.ForeignKey(Organization, verbose_name=_("组织"), on_delete=models.CASCADE,
                            related_name="health_findings")
    subject_type = models.CharField(_("对象类型"), max_length=20, choices=SubjectType.choices, blank=True,
                                    default=SubjectType.NONE)
    subject_id = models.PositiveBigIntegerField(_("对象编号"), default=0)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices)
    state = models.CharField(_("状态"), max_length=15, choices=FindingState.choices, default=FindingState.OPEN)
    measured = models.DecimalField(_("测量值"), max_digits=14, decimal_places=2, null=True, blank=True)
    message = models.CharField(_("说明"), max_length=300)
    details = models.JSONField(_("明细"), default=dict, blank=True)
    first_seen = models.DateTimeField(_("首次发现"))
    last_seen = models.DateTimeField(_("最近发现"))
    resolved_at = models.DateTimeField(_("消除时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认人"), on_delete=models.SET_NULL,
                                        null=True, blank=True, related_name="+")
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_note = models.CharField(_("确认说明"), max_length=200, blank=True)
    # hash of (severity, measured, message, details): a scan rewrites a row only when it changed
    digest = models.CharField(max_length=16, blank=True, default="", editable=False)

    objects = FindingQuerySet.as_manager()
    scope_path_lookup = "org__path"
    scope_org_lookup = "org_id"

    class Meta:
        verbose_name = _("监测问题")
        verbose_name_plural = _("监测问题")
        constraints = [
            models.UniqueConstraint(fields=["rule", "org", "subject_type", "subject_id"], name="finding_natural_key"),
        ]
        # last_seen is in no index: a scan moves it on every finding still present, and on PostgreSQL
        # an update touching no indexed column can stay on its page (HOT; the table keeps 20 % free)
        indexes = [
            models.Index(fields=["rule", "state"]),
            models.Index(fields=["org", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.rule} @ {self.org_id}: {self.message}"

    @property
    def is_open(self) -> bool:
        return self.state != FindingState.RESOLVED


class OrgRollupQuerySet(OrgScopedQuerySet):
    pass


class OrgRollup(models.Model):
    """监测汇总 (monitoring rollup): the indicators of one organisation, either its own (``own``) or summed
    over its whole subtree (``subtree``), as of ``computed_at``. Refreshed by every scan — the nightly full
    scan rebuilds all rows, an event-driven re-check the affected orgs and their ancestors — so the
    monitoring table of any org (the root of a 60,000-org tree included) reads only its children's rows.
    """

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="health_rollups")
    kind = models.CharField(max_length=10, choices=RollupKind.choices)
    computed_at = models.DateTimeField()
    orgs_active = models.PositiveIntegerField(default=0)
    branches = models.PositiveIntegerField(default=0)
    members_total = models.PositiveIntegerField(default=0)
    members_full = models.PositiveIntegerField(default=0)
    members_probationary = models.PositiveIntegerField(default=0)
    pipelines_open = models.PositiveIntegerField(default=0)
    dues_period = models.CharField(max_length=7, blank=True)
    dues_bills = models.PositiveIntegerField(default=0)
    dues_settled = models.PositiveIntegerField(default=0)
    dues_due = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    dues_paid = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    findings_info = models.PositiveIntegerField(default=0)
    findings_warning = models.PositiveIntegerField(default=0)
    findings_critical = models.PositiveIntegerField(default=0)
    orgs_with_structure_findings = models.PositiveIntegerField(default=0)
    # {rule code: open findings}
    by_rule = models.JSONField(default=dict)
    # {org type: active orgs} — the orgs a meeting kind's cadence applies to are those of its types
    org_types = models.JSONField(default=dict)
    # {meeting kind code: orgs with an open cadence shortfall of that kind} (kinds without one left out)
    cadence = models.JSONField(default=dict)
    # hash of the values: a refresh rewrites a row only when it changed (``computed_at`` is then when the
    # values last changed; the last scan's time is ``ScanRun``)
    digest = models.CharField(max_length=16, blank=True, default="", editable=False)

    objects = OrgRollupQuerySet.as_manager()
    scope_path_lookup = "org__path"
    scope_org_lookup = "org_id"

    class Meta:
        verbose_name = _("监测汇总")
        verbose_name_plural = _("监测汇总")
        constraints = [models.UniqueConstraint(fields=["org", "kind"], name="orgrollup_org_kind")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.kind} @ {self.computed_at:%Y-%m-%d %H:%M}"


class ScanRun(models.Model):
    """监测扫描记录 (scan run): one full or subtree scan (the nightly job, ``dangjian health scan``) with its
    counts per rule. Re-checks of a few orgs after a domain event are not recorded here."""

    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"))
    scope = models.CharField(_("范围"), max_length=200)
    ok = models.BooleanField(_("全部规则成功"), default=True)
    result = models.JSONField(_("结果"), default=dict)

    class Meta:
        verbose_name = _("监测扫描记录")
        verbose_name_plural = _("监测扫描记录")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["scope", "started_at"])]

    def __str__(self) -> str:
        return f"{self.scope} @ {self.started_at:%Y-%m-%d %H:%M}"
