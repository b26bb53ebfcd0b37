"""Party dues (党费): versioned rules, member profiles, hardship relief, monthly bills and payments.

The numbers of DOMAIN §1 (brackets, rates, fixed amounts, the monthly cap, the large-payment
threshold, arrears alert months) are rows of :class:`DuesRuleSet` / :class:`DuesBracket`, seeded by
a data migration with their citations and editable through services. Code never repeats them.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.fields import CleanCharField
from dangjian.core.models import TimeStampedModel
from dangjian.core.scoping import OrgScopedQuerySet
from dangjian.dues.choices import BaseMode, BillStatus, DuesCategory, PaymentChannel, ReliefKind, RoundingMode
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

__all__ = ["DuesAllocation", "DuesBill", "DuesBracket", "DuesPayment", "DuesProfile", "DuesRelief", "DuesRuleSet"]

MONEY = {"max_digits": 12, "decimal_places": 2}


class DuesRuleSetQuerySet(models.QuerySet):
    def in_force(self, on: dt.date) -> DuesRuleSetQuerySet:
        """Rule sets in force on *on* (``effective_to`` is the last day in force); newest first."""
        return self.filter(Q(effective_from__lte=on), Q(effective_to__isnull=True) | Q(effective_to__gte=on)).order_by(
            "-effective_from"
        )


class DuesRuleSet(TimeStampedModel):
    """党费收缴标准 (dues rule set): one version of the national rules with its period of force.

    Seeded: "2008" (Dues Rules 2008, base follows pay changes, no cap) and "2017" (Dues Notice 2017:
    base fixed once a year, 1,000-yuan monthly cap). Rule sets are public: every signed-in user may
    read them (the calculator); only a system-wide ``dues.change`` grant may change them.
    """

    name = models.CharField(_("名称"), max_length=200)
    version = models.CharField(_("版本"), max_length=20, unique=True)
    effective_from = models.DateField(_("施行日期"))
    effective_to = models.DateField(_("停止日期（含当日）"), null=True, blank=True)
    citation = models.TextField(_("依据"))
    base_mode = models.CharField(_("基数核定方式"), max_length=10, choices=BaseMode.choices)
    rounding_step = models.DecimalField(_("计算精度（元）"), max_digits=5, decimal_places=2)
    rounding_mode = models.CharField(_("舍入方式"), max_length=10, choices=RoundingMode.choices)
    monthly_cap = models.DecimalField(_("每月应交上限"), null=True, blank=True, **MONEY)
    large_payment_threshold = models.DecimalField(_("大额党费标准"), **MONEY)
    arrears_warn_months = models.PositiveSmallIntegerField(_("欠缴提醒（月）"))
    arrears_severe_months = models.PositiveSmallIntegerField(_("欠缴严重提醒（月）"))
    arrears_limit_months = models.PositiveSmallIntegerField(_("连续不缴期限（月）"))

    objects = DuesRuleSetQuerySet.as_manager()

    class Meta:
        verbose_name = _("党费标准")
        verbose_name_plural = _("党费标准")
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="duesruleset_valid_range",
            ),
            models.CheckConstraint(condition=Q(rounding_step__gt=0), name="duesruleset_rounding_step_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.version}）"


class DuesBracket(models.Model):
    """党费档次 (bracket): for one category, either a rate on the whole base within (lower, upper],
    or a fixed monthly amount (farmers, students, the unemployed, members on 低保).

    ``lower`` is exclusive and ``upper`` inclusive: an upper bound belongs to the lower bracket
    (DOMAIN §1 "How the bracket applies"). Missing bounds are open.
    """

    rule_set = models.ForeignKey(DuesRuleSet, on_delete=models.CASCADE, related_name="brackets")
    category = models.CharField(_("人员类别"), max_length=20, choices=DuesCategory.choices)
    lower = models.DecimalField(_("基数高于"), null=True, blank=True, **MONEY)
    upper = models.DecimalField(_("基数不超过"), null=True, blank=True, **MONEY)
    rate = models.DecimalField(_("比例"), max_digits=7, decimal_places=4, null=True, blank=True)
    fixed_amount = models.DecimalField(_("固定金额"), null=True, blank=True, **MONEY)
    fixed_min = models.DecimalField(_("固定金额下限"), null=True, blank=True, **MONEY)
    fixed_max = models.DecimalField(_("固定金额上限"), null=True, blank=True, **MONEY)
    citation = models.CharField(_("依据"), max_length=300)

    class Meta:
        verbose_name = _("党费档次")
        verbose_name_plural = _("党费档次")
        ordering = ["rule_set", "category", "lower"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(rate__isnull=False) & Q(fixed_amount__isnull=True))
                | (Q(rate__isnull=True) & Q(fixed_amount__isnull=False)),
                name="duesbracket_rate_xor_fixed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.label}"

    @property
    def label(self) -> str:
        if self.fixed_amount is not None:
            return _("每月 %(amount)s 元") % {"amount": self.fixed_amount}
        low = _("%(lower)s 元 < ") % {"lower": self.lower} if self.lower is not None else ""
        high = _(" ≤ %(upper)s 元") % {"upper": self.upper} if self.upper is not None else ""
        percent = format(self.rate * 100, "f").rstrip("0").rstrip(".")
        return _("%(low)s基数%(high)s：%(percent)s%%") % {"low": low, "high": high, "percent": percent}


class MemberBoundQuerySet(OrgScopedQuerySet):
    pass


class DuesProfile(TimeStampedModel):
    """党费档案 (dues profile): a member's category and monthly base.

    ``declared_base`` is the latest reported income (after-tax pay, pension, previous-quarter average);
    ``base_amount`` is the base bills use. In the 2017 annual mode the base is fixed for
    ``base_year`` and a pay change waits for the next year's fixing; in the 2008 monthly mode it
    moves at once (DOMAIN §1 "Salary change"). ``previous_base`` keeps the prior year's base so a
    late bill for that year still uses it. Fixed-amount categories carry no base.
    """

    member = models.OneToOneField(Member, on_delete=models.PROTECT, related_name="dues_profile")
    category = models.CharField(_("人员类别"), max_length=20, choices=DuesCategory.choices)
    declared_base = models.DecimalField(_("申报基数"), null=True, blank=True, **MONEY)
    declared_on = models.DateField(_("申报日期"), null=True, blank=True)
    base_amount = models.DecimalField(_("核定基数"), null=True, blank=True, **MONEY)
    base_year = models.PositiveSmallIntegerField(_("核定年度"), null=True, blank=True)
    previous_base = models.DecimalField(_("上年核定基数"), null=True, blank=True, **MONEY)

    objects = MemberBoundQuerySet.as_manager()
    scope_path_lookup = "member__org__path"
    scope_org_lookup = "member__org_id"

    class Meta:
        verbose_name = _("党费档案")
        verbose_name_plural = _("党费档案")

    def __str__(self) -> str:
        return f"{self.member} {self.get_category_display()}"

    @classmethod
    def scope_self_q(cls, actor):
        return Q(member__user=actor)


class DuesRelief(TimeStampedModel):
    """党费减免 (hardship relief): the member applies, the branch studies it, the next-higher Party
    committee approves; within ``valid_from``–``valid_to`` (both inclusive) the member pays
    ``amount`` a month (reduce) or nothing (waive). DOMAIN §1, Dues Rules 2008 art. 7.
    """

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_reliefs")
    kind = models.CharField(_("减免方式"), max_length=10, choices=ReliefKind.choices)
    amount = models.DecimalField(_("减免后每月应交"), **MONEY)
    valid_from = models.DateField(_("有效期自"))
    valid_to = models.DateField(_("有效期至（含）"))
    approved_by = models.ForeignKey(Organization, verbose_name=_("批准组织"), on_delete=models.PROTECT,
                                    related_name="+")
    approved_on = models.DateField(_("批准日期"))
    document = models.CharField(_("批复文号"), max_length=100, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)

    objects = MemberBoundQuerySet.as_manager()
    scope_path_lookup = "member__org__path"
    scope_org_lookup = "member__org_id"

    class Meta:
        verbose_name = _("党费减免")
        verbose_name_plural = _("党费减免")
        ordering = ["member", "valid_from"]
        indexes = [models.Index(fields=["valid_from", "valid_to"])]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=models.F("valid_from")), name="duesrelief_valid_range"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="duesrelief_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.get_kind_display()} {self.valid_from}–{self.valid_to}"

    @classmethod
    def scope_self_q(cls, actor):
        return Q(member__user=actor)

    def covers(self, on: dt.date) -> bool:
        return self.revoked_on is None and self.valid_from <= on <= self.valid_to


class DuesBill(models.Model):
    """党费账单 (monthly bill): what a member owes for one month ``YYYY-MM``, computed once from the
    rule set in force on the first day of that month and kept as issued (rule version included).

    ``org`` is the branch that collects it: the member's branch when the bill was issued.

    Only ``member`` has a database foreign-key constraint. ``org``, ``relief`` and ``rule_set`` are copied
    by :func:`~dangjian.dues.services.bills_generate` from rows it reads in the same transaction, and
    none of those rows is ever deleted (orgs are dissolved, rule sets and reliefs are protected); their
    per-row constraint triggers were 60% of the database time of a million-bill run (bench/dues_bench.py),
    and single-column indexes on them would only slow that write down.
    """

    # no single-column indexes: (member, period) and (org, period) below cover the lookups
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_bills", db_index=False)
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", db_constraint=False,
                            db_index=False)
    period = models.CharField(_("所属月份"), max_length=7)
    category = models.CharField(_("人员类别"), max_length=20, choices=DuesCategory.choices)
    base_amount = models.DecimalField(_("基数"), null=True, blank=True, **MONEY)
    rate = models.DecimalField(_("比例"), max_digits=7, decimal_places=4, null=True, blank=True)
    standard_amount = models.DecimalField(_("按标准应交"), **MONEY)
    capped = models.BooleanField(_("按上限"), default=False)
    relief = models.ForeignKey(DuesRelief, on_delete=models.PROTECT, null=True, blank=True, related_name="bills",
                               db_constraint=False, db_index=False)
    amount_due = models.DecimalField(_("应交金额"), **MONEY)
    paid_amount = models.DecimalField(_("已交金额"), default=0, **MONEY)
    status = models.CharField(_("状态"), max_length=10, choices=BillStatus.choices, default=BillStatus.UNPAID)
    paid_on = models.DateField(_("缴清日期"), null=True, blank=True)
    rule_set = models.ForeignKey(DuesRuleSet, on_delete=models.PROTECT, related_name="+", db_constraint=False,
                                 db_index=False)
    rule_version = models.CharField(_("标准版本"), max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MemberBoundQuerySet.as_manager()
    scope_path_lookup = "org__path"
    scope_org_lookup = "org_id"

    class Meta:
        verbose_name = _("党费账单")
        verbose_name_plural = _("党费账单")
        constraints = [
            models.UniqueConstraint(fields=["member", "period"], name="duesbill_member_period"),
            models.CheckConstraint(condition=Q(amount_due__gte=0), name="duesbill_amount_due_not_negative"),
            models.CheckConstraint(condition=Q(paid_amount__gte=0), name="duesbill_paid_not_negative"),
        ]
        # Few indexes on purpose: a million bills a month are written in one go. (member, period) serves
        # idempotency and the arrears join; (org, period) the lists and the collection rate.
        indexes = [models.Index(fields=["org", "period"])]

    def __str__(self) -> str:
        return f"{self.member} {self.period} {self.amount_due}"

    @classmethod
    def scope_self_q(cls, actor):
        return Q(member__user=actor)

    @property
    def outstanding(self):
        return self.amount_due - self.paid_amount


class DuesPayment(models.Model):
    """党费缴纳记录 (payment): money received from a member through a channel, identified by the
    channel's reference (so a payment posted twice is recorded once). ``voluntary_extra`` is the part
    given beyond the bills; a voluntary payment at or above the rule set's large-payment threshold is
    ``is_large`` and remitted separately (DOMAIN §1 "Voluntary extra").
    """

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_payments")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("缴费渠道"), max_length=20, choices=PaymentChannel.choices)
    reference = CleanCharField(_("流水号"), max_length=100)
    amount = models.DecimalField(_("缴纳金额"), **MONEY)
    voluntary_extra = models.DecimalField(_("自愿多交"), default=0, **MONEY)
    is_large = models.BooleanField(_("大额党费"), default=False)
    paid_on = models.DateField(_("缴纳日期"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MemberBoundQuerySet.as_manager()
    scope_path_lookup = "org__path"
    scope_org_lookup = "org_id"

    class Meta:
        verbose_name = _("党费缴纳记录")
        verbose_name_plural = _("党费缴纳记录")
        constraints = [
            models.UniqueConstraint(fields=["channel", "reference"], name="duespayment_channel_reference"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="duespayment_amount_positive"),
            models.CheckConstraint(condition=Q(voluntary_extra__gte=0), name="duespayment_extra_not_negative"),
        ]
        indexes = [models.Index(fields=["org", "paid_on"]), models.Index(fields=["member", "paid_on"])]

    def __str__(self) -> str:
        return f"{self.member} {self.amount} ({self.get_channel_display()} {self.reference})"

    @classmethod
    def scope_self_q(cls, actor):
        return Q(member__user=actor)


class DuesAllocation(models.Model):
    """缴费分配: the part of a payment applied to one bill (a payment settles bills oldest first)."""

    payment = models.ForeignKey(DuesPayment, on_delete=models.PROTECT, related_name="allocations")
    bill = models.ForeignKey(DuesBill, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(_("金额"), **MONEY)

    objects = MemberBoundQuerySet.as_manager()
    scope_path_lookup = "payment__org__path"
    scope_org_lookup = "payment__org_id"

    class Meta:
        verbose_name = _("缴费分配")
        verbose_name_plural = _("缴费分配")
        constraints = [
            models.UniqueConstraint(fields=["payment", "bill"], name="duesallocation_payment_bill"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="duesallocation_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.bill_id}: {self.amount}"

    @classmethod
    def scope_self_q(cls, actor):
        return Q(payment__member__user=actor)
