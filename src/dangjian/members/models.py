"""The member register (党员名册) and committee seats (委员职务)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.fields import CleanCharField, EncryptedTextField
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.models import TimeStampedModel
from dangjian.core.scoping import OrgScopedQuerySet
from dangjian.members.choices import Category, Education, Gender, MemberStatus
from dangjian.orgs.choices import Position
from dangjian.orgs.models import CommitteeTerm, EnterpriseUnit, Organization

__all__ = ["CommitteeSeat", "Member", "MembershipPeriod"]


class MemberQuerySet(OrgScopedQuerySet):
    pass


class Member(TimeStampedModel):
    """党员: one party member in the register, with personal, job and party fields.

    ID number and phone are encrypted at rest (SM4-GCM) with keyed blind indexes for exact search
    and uniqueness; they are displayed masked unless the viewer holds ``members.reveal``.
    """

    # personal
    name = CleanCharField(_("姓名"), max_length=50, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族")
    birth_date = models.DateField(_("出生日期"))
    id_number = EncryptedTextField(_("公民身份号码"))
    id_number_bidx = models.CharField(max_length=40, unique=True, editable=False)
    id_number_tail = models.CharField(max_length=4, editable=False, db_index=True)
    phone = EncryptedTextField(_("手机号码"), blank=True)
    phone_bidx = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices, blank=True)
    job_title = models.CharField(_("职务/岗位"), max_length=100, blank=True)
    unit = models.ForeignKey(EnterpriseUnit, verbose_name=_("工作单位"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="members")
    hire_date = models.DateField(_("参加工作日期"), null=True, blank=True)
    # party
    category = models.CharField(_("人员类别"), max_length=20, choices=Category.choices, default=Category.FULL)
    joined_on = models.DateField(_("入党日期"))
    full_member_on = models.DateField(_("转正日期"), null=True, blank=True)
    org = models.ForeignKey(Organization, verbose_name=_("所在党支部"), on_delete=models.PROTECT,
                            related_name="members")
    party_group = models.ForeignKey(Organization, verbose_name=_("所在党小组"), on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="group_members")
    status = models.CharField(_("党籍状态"), max_length=20, choices=MemberStatus.choices,
                              default=MemberStatus.NORMAL, db_index=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="member")

    objects = MemberQuerySet.as_manager()
    scope_path_lookup = "org__path"
    scope_org_lookup = "org_id"

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        indexes = [
            models.Index(fields=["org", "id"]),
            models.Index(fields=["status", "id"]),
            # Subtree counts: the scope filter also reads user_id (a member always sees their own
            # record), so with it in the index the count is answered from the index alone.
            models.Index(fields=["org", "user"], name="members_member_org_user"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_self_q(cls, actor):
        return Q(user=actor)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class MembershipPeriodQuerySet(OrgScopedQuerySet):
    def effective_on(self, day):
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gt=day))


class MembershipPeriod(models.Model):
    """组织关系隶属期间 (membership period): the branch a member's organisational relationship belonged
    to from ``valid_from`` (inclusive) until ``valid_to`` (exclusive); the open period (no ``valid_to``)
    is the current one and matches ``Member.org``. Written only by the members services
    (``member_create``, ``member_change_branch``, ``member_leave``); a member who left the register has
    no open period.

    ``transfer_ref`` is the id of the ``transfers.Transfer`` whose receipt opened the period. It is a
    plain number, not a foreign key: ``transfers`` sits above ``members`` (DESIGN layers).
    """

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="periods")
    org = models.ForeignKey(Organization, verbose_name=_("所在党支部"), on_delete=models.PROTECT,
                            related_name="membership_periods")
    valid_from = models.DateField(_("起始日期"))
    valid_to = models.DateField(_("终止日期"), null=True, blank=True)
    reason = models.CharField(_("变动原因"), max_length=200, blank=True)
    transfer_ref = models.PositiveBigIntegerField(_("组织关系转接编号"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipPeriodQuerySet.as_manager()
    scope_path_lookup = "org__path"
    scope_org_lookup = "org_id"

    class Meta:
        verbose_name = _("组织关系隶属期间")
        verbose_name_plural = _("组织关系隶属期间")
        ordering = ["member", "valid_from", "id"]
        indexes = [models.Index(fields=["member", "valid_from"])]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(valid_to__isnull=True),
                                    name="membershipperiod_one_open"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                                   name="membershipperiod_valid_range"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.org_id} {self.valid_from}–{self.valid_to or ''}"

    @classmethod
    def scope_self_q(cls, actor):
        return Q(member__user=actor)


class CommitteeSeat(TimeStampedModel):
    """委员职务: a member holding a position (书记, 副书记, 组织委员 ...) in a committee term."""

    term = models.ForeignKey(CommitteeTerm, on_delete=models.PROTECT, related_name="seats")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="seats")
    position = models.CharField(_("职务"), max_length=20, choices=Position.choices)
    since = models.DateField(_("任职日期"))
    until = models.DateField(_("离任日期"), null=True, blank=True)

    objects = OrgScopedQuerySet.as_manager()
    scope_path_lookup = "term__org__path"
    scope_org_lookup = "term__org_id"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["term", "position"],
                condition=Q(until__isnull=True) & Q(position__in=["secretary"]),
                name="committeeseat_one_secretary",
            )
        ]

    def __str__(self) -> str:
        return f"{self.term} {self.get_position_display()} {self.member}"

    @classmethod
    def scope_self_q(cls, actor):
        return Q(member__user=actor)
