"""Organisation tree (组织树), enterprise units, their mapping, committee terms (届次)."""
from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from dangjian.core.fields import CleanCharField
from dangjian.core.models import TimeStampedModel
from dangjian.core.scoping import OrgScopedQuerySet
from dangjian.orgs.choices import OrgStatus, OrgType, UnitType

__all__ = ["CommitteeTerm", "EnterpriseUnit", "OrgUnitMapping", "Organization", "TermPolicy"]


class OrganizationQuerySet(MP_NodeQuerySet, OrgScopedQuerySet):
    pass


class OrganizationManager(MP_NodeManager):
    def get_queryset(self):
        return OrganizationQuerySet(self.model).order_by("path")

    def for_actor(self, actor, perm):
        return self.get_queryset().for_actor(actor, perm)


class Organization(MP_Node, TimeStampedModel):
    """党组织: a party committee (党委), general branch (党总支), branch (党支部) or party group (党小组).

    Stored as a materialised-path tree, so a subtree is one indexed range on ``path``.
    """

    steplen = 4
    path = models.CharField(max_length=255, unique=True)  # collation "C" on PostgreSQL (migration)

    name = CleanCharField(_("名称"), max_length=200)
    short_name = CleanCharField(_("简称"), max_length=100, blank=True)
    code = CleanCharField(_("组织代码"), max_length=40, unique=True)
    org_type = models.CharField(_("组织类别"), max_length=20, choices=OrgType.choices, db_index=True)
    is_joint = models.BooleanField(_("联合党支部"), default=False)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    approval_doc = models.CharField(_("批准文号"), max_length=100, blank=True)
    approval_date = models.DateField(_("批准日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=OrgStatus.choices, default=OrgStatus.ACTIVE)
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    region = models.CharField(_("所在地区"), max_length=100, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    objects = OrganizationManager()

    scope_path_lookup = "path"
    scope_org_lookup = "pk"

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_self_q(cls, actor):
        # "self" scope: the organisation the actor's own member record belongs to. A subquery, not a
        # join over ``members``, so rows are never duplicated (the register sits above this app).
        member_model = cls._meta.get_field("members").related_model
        return Q(pk__in=member_model.objects.filter(user=actor).values("org_id"))

    @property
    def is_active(self) -> bool:
        return self.status == OrgStatus.ACTIVE


class TermPolicy(models.Model):
    """任期规则: default term length per org type (DOMAIN §3), editable by an administrator."""

    org_type = models.CharField(max_length=20, choices=OrgType.choices, unique=True)
    term_years = models.PositiveSmallIntegerField()
    citation = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"{self.get_org_type_display()}: {self.term_years}"


class EnterpriseUnit(MP_Node, TimeStampedModel):
    """企业单位: the enterprise's own structure (group, companies, departments, projects)."""

    steplen = 4
    path = models.CharField(max_length=255, unique=True)
    name = CleanCharField(_("单位名称"), max_length=200)
    code = CleanCharField(_("单位代码"), max_length=40, unique=True)
    unit_type = models.CharField(_("单位类型"), max_length=20, choices=UnitType.choices)
    is_legal_entity = models.BooleanField(_("独立法人"), default=False)
    credit_code = CleanCharField(_("统一社会信用代码"), max_length=18, blank=True)

    class Meta:
        verbose_name = _("企业单位")
        verbose_name_plural = _("企业单位")

    def __str__(self) -> str:
        return self.name


class OrgUnitMappingQuerySet(OrgScopedQuerySet):
    def effective_on(self, day: dt.date):
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gt=day))


class OrgUnitMapping(TimeStampedModel):
    """组织与单位的对应: effective-dated; one org may cover several units (a joint branch several firms)."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="unit_mappings")
    unit = models.ForeignKey(EnterpriseUnit, on_delete=models.PROTECT, related_name="org_mappings")
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)

    objects = OrgUnitMappingQuerySet.as_manager()
    scope_path_lookup = "org__path"
    scope_org_lookup = "org_id"

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="orgunitmapping_valid_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.org} ↔ {self.unit}"


class CommitteeTerm(TimeStampedModel):
    """届次: one elected term of an organisation's committee, with start, length and end (DOMAIN §3)."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="terms")
    number = models.PositiveSmallIntegerField(_("届次"))
    start_date = models.DateField(_("选举日期"))
    term_years = models.PositiveSmallIntegerField(_("任期（年）"))
    end_date = models.DateField(_("届满日期"))
    is_current = models.BooleanField(_("本届"), default=True)
    # 延期换届 (DOMAIN §3 "On-time elections"): approved by the higher organisation, generally ≤ 1 year.
    # Written only by ``orgs.services.term_postpone``.
    postponed_until = models.DateField(_("延期换届至"), null=True, blank=True)
    postponement_approved_by = models.ForeignKey(
        Organization, verbose_name=_("批准延期的上级组织"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="approved_term_postponements",
    )
    postponement_approved_on = models.DateField(_("批准延期日期"), null=True, blank=True)
    postponement_doc = models.CharField(_("批准延期文号"), max_length=100, blank=True)
    postponement_reason = models.CharField(_("延期原因"), max_length=200, blank=True)

    objects = OrgScopedQuerySet.as_manager()
    scope_path_lookup = "org__path"
    scope_org_lookup = "org_id"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="committeeterm_org_number"),
            models.UniqueConstraint(fields=["org"], condition=Q(is_current=True), name="committeeterm_one_current"),
            models.CheckConstraint(
                condition=Q(postponed_until__isnull=True) | Q(postponed_until__gt=models.F("end_date")),
                name="committeeterm_postponed_after_end",
            ),
        ]
        ordering = ["org", "-number"]

    def __str__(self) -> str:
        return _("%(org)s 第%(number)s届") % {"org": self.org, "number": self.number}

    def days_left(self, today: dt.date) -> int:
        return (self.end_date - today).days

    @property
    def effective_end(self) -> dt.date:
        """The day the term must be re-elected by: the approved postponement when there is one."""
        return self.postponed_until or self.end_date
