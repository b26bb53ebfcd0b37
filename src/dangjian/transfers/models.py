"""Organisation-relationship transfers (组织关系转接), status changes of the member status machine,
searches for lost members, and the DOMAIN §6 rules as data."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TimeStampedModel
from dangjian.core.scoping import OrgScopedQuerySet, ScopeKind, path_range_q, resolver
from dangjian.members.choices import MemberStatus
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.transfers.choices import OPEN_STATUSES, StatusTransition, TransferKind, TransferStatus

__all__ = ["ContactSearch", "StatusChange", "Transfer", "TransferRule"]


class TransferRule(models.Model):
    """组织关系转接规则: one rule of DOMAIN §6 (letter validity, mobile-member limit, lost-contact and
    suspension periods) with its parameters and citation. Seeded with the defaults by a data
    migration; an administrator may change them (``transfers.configure``)."""

    code = models.CharField(_("规则代码"), max_length=60, unique=True)
    title = models.CharField(_("规则"), max_length=200)
    params = models.JSONField(_("参数"), default=dict)
    citation = models.CharField(_("依据"), max_length=300)
    confidence = models.CharField(_("可信度"), max_length=20, default="high")
    enabled = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("组织关系转接规则")
        verbose_name_plural = _("组织关系转接规则")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"


class TransferQuerySet(OrgScopedQuerySet):
    """A transfer concerns two organisations: it is visible from the sending **and** the receiving end
    (either side's grant, one filter OR'ed over both paths). Each action then requires its own side:
    the sending branch initiates, issues and cancels; the receiving branch receives or returns."""

    def for_actor(self, actor: Any, perm: str) -> TransferQuerySet:
        if actor is None or not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", True):
            return self.none()
        q = Q(pk__in=[])
        for grant in resolver().grants(actor, perm):
            if grant.kind == ScopeKind.ALL:
                return self.all()
            if grant.kind == ScopeKind.SUBTREE and grant.org_path:
                q |= path_range_q("from_org__path", grant.org_path) | path_range_q("to_org__path", grant.org_path)
            elif grant.kind == ScopeKind.ORG and grant.org_id is not None:
                q |= Q(from_org_id=grant.org_id) | Q(to_org_id=grant.org_id)
            elif grant.kind == ScopeKind.SELF:
                q |= Transfer.scope_self_q(actor)
        if perm.endswith(".view"):
            q |= Transfer.scope_self_q(actor)
        return self.filter(q)


class Transfer(TimeStampedModel):
    """组织关系转接: moving a member's organisational relationship with an introduction letter (介绍信) —
    inside the group (系统内: from one branch to another, both act), out of the group (转出到系统外:
    the receipt slip comes back to the sending branch) or into it (从系统外转入: the receiving branch
    registers the arriving member).

    The sending branch stays responsible until the member is received (DOMAIN §6); the letter is valid
    through ``due_on`` (``issued_on`` + ``validity_days``, rule ``letter_validity``).
    """

    kind = models.CharField(_("转接类型"), max_length=20, choices=TransferKind.choices)
    status = models.CharField(_("状态"), max_length=20, choices=TransferStatus.choices, default=TransferStatus.DRAFT,
                              db_index=True)
    member = models.ForeignKey(Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="transfers")
    from_org = models.ForeignKey(Organization, verbose_name=_("转出党组织"), on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="transfers_out")
    to_org = models.ForeignKey(Organization, verbose_name=_("接收党组织"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="transfers_in")
    outside_org_name = models.CharField(_("系统外党组织"), max_length=200, blank=True)
    letter_no = models.CharField(_("介绍信编号"), max_length=100, blank=True)
    issued_on = models.DateField(_("开具日期"), null=True, blank=True)
    validity_days = models.PositiveSmallIntegerField(_("有效期（天）"), null=True, blank=True)
    due_on = models.DateField(_("有效期至"), null=True, blank=True)
    received_on = models.DateField(_("接收日期"), null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接收经办人"), on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    closed_on = models.DateField(_("退回/撤销日期"), null=True, blank=True)
    closed_reason = models.TextField(_("退回/撤销原因"), blank=True)
    notes = models.TextField(_("备注"), blank=True)
    initiated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")

    objects = TransferQuerySet.as_manager()
    scope_path_lookup = "from_org__path"
    scope_org_lookup = "from_org_id"

    class Meta:
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        indexes = [
            models.Index(fields=["status", "due_on", "id"]),
            models.Index(fields=["from_org", "status"]),
            models.Index(fields=["to_org", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(status__in=list(OPEN_STATUSES)),
                                    name="transfer_one_open_per_member"),
            models.CheckConstraint(
                condition=(Q(kind=TransferKind.INTERNAL, from_org__isnull=False, to_org__isnull=False)
                           | Q(kind=TransferKind.EXTERNAL_OUT, from_org__isnull=False, to_org__isnull=True)
                           | Q(kind=TransferKind.EXTERNAL_IN, from_org__isnull=True, to_org__isnull=False)),
                name="transfer_ends_match_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member}（{self.get_kind_display()}，{self.get_status_display()}）"

    @classmethod
    def scope_self_q(cls, actor):
        return Q(member__user=actor)

    @property
    def from_name(self) -> str:
        return self.from_org.name if self.from_org_id else self.outside_org_name

    @property
    def to_name(self) -> str:
        return self.to_org.name if self.to_org_id else self.outside_org_name


class StatusChange(models.Model):
    """党籍状态变更: one move of the DOMAIN §6 state machine (外出流动, 流动返回, 失去联系, 恢复联系,
    停止党籍, 恢复党籍, 除名, 去世), with its effective date and — for the decisions of the Party
    organisation (停止党籍, 恢复党籍, 除名) — the decision document and who approved it. For 外出流动:
    destination, expected return and the mobile-member certificate (流动党员活动证). For 失去联系
    ``effective_on`` is the day contact was lost, from which the 6 months run. A member's changes are
    chronological: each starts no earlier than the previous one."""

    member = models.ForeignKey(Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="status_changes")
    org = models.ForeignKey(Organization, verbose_name=_("所在党支部"), on_delete=models.PROTECT,
                            related_name="member_status_changes")
    transition = models.CharField(_("变更事项"), max_length=20, choices=StatusTransition.choices)
    from_status = models.CharField(_("原状态"), max_length=20, choices=MemberStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=20, choices=MemberStatus.choices)
    effective_on = models.DateField(_("生效日期"))
    decision_doc = models.CharField(_("决定文号"), max_length=100, blank=True)
    decided_by = models.CharField(_("批准组织/批准人"), max_length=100, blank=True)
    reason = models.TextField(_("原因"), blank=True)
    destination = models.CharField(_("外出去向"), max_length=200, blank=True)
    expected_return = models.DateField(_("预计返回日期"), null=True, blank=True)
    certificate_no = models.CharField(_("流动党员活动证编号"), max_length=50, blank=True)
    # 补录: records a status the register already holds (set by an import or an edit before the state
    # machine existed), so later moves have their start date; the time rules are not re-checked.
    backfilled = models.BooleanField(_("补录"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedQuerySet.as_manager()
    scope_path_lookup = "org__path"
    scope_org_lookup = "org_id"

    class Meta:
        verbose_name = _("党籍状态变更")
        verbose_name_plural = _("党籍状态变更")
        ordering = ["member", "effective_on", "id"]
        indexes = [models.Index(fields=["member", "effective_on", "id"])]

    def __str__(self) -> str:
        return f"{self.member} {self.get_transition_display()} {self.effective_on}"

    @classmethod
    def scope_self_q(cls, actor):
        return Q(member__user=actor)


class ContactSearch(models.Model):
    """查找失联党员记录: the Party organisation's search for a member it lost contact with — the
    condition, besides 6 months, for suspending the membership (DOMAIN §6), and continued while
    suspended."""

    member = models.ForeignKey(Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="contact_searches")
    org = models.ForeignKey(Organization, verbose_name=_("所在党支部"), on_delete=models.PROTECT,
                            related_name="contact_searches")
    searched_on = models.DateField(_("查找日期"))
    method = models.CharField(_("查找方式"), max_length=200)
    result = models.TextField(_("查找结果"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedQuerySet.as_manager()
    scope_path_lookup = "org__path"
    scope_org_lookup = "org_id"

    class Meta:
        verbose_name = _("查找失联党员记录")
        verbose_name_plural = _("查找失联党员记录")
        ordering = ["member", "searched_on", "id"]

    def __str__(self) -> str:
        return f"{self.member} {self.searched_on}"

    @classmethod
    def scope_self_q(cls, actor):
        return Q(member__user=actor)
