"""Elections (换届选举): the record of a committee election, its results per candidate and the approval
of the secretary and deputy by the higher organisation (DOMAIN §3). The new term and its seats live in
``orgs.CommitteeTerm`` and ``members.CommitteeSeat``; the election points at the term it created."""
from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TimeStampedModel
from dangjian.core.scoping import OrgScopedQuerySet
from dangjian.members.models import Member
from dangjian.orgs.choices import Position
from dangjian.orgs.models import CommitteeTerm, Organization

__all__ = ["ElectionRecord", "ElectionResult"]


class ElectionRecord(TimeStampedModel):
    """选举记录 (election record): the general meeting that elected an organisation's committee.

    ``entitled`` is the voter roll counted by the service on the day — full members only (DOMAIN §3
    "Who votes": probationary members excluded) — and ``attending`` those present with the right to
    vote (quorum: more than half, DOMAIN §3). ``term`` is the committee term the election created.
    The secretary and deputy are approved by the higher organisation (``approved_by``, date, document).
    """

    org = models.ForeignKey(Organization, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="elections")
    held_on = models.DateField(_("选举日期"))
    entitled = models.PositiveIntegerField(_("应到有选举权党员"))
    attending = models.PositiveIntegerField(_("实到有选举权党员"))
    term = models.OneToOneField(CommitteeTerm, verbose_name=_("新一届委员会"), on_delete=models.PROTECT,
                                related_name="election")
    previous_term = models.ForeignKey(CommitteeTerm, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="succeeded_by_elections")
    note = models.CharField(_("说明"), max_length=200, blank=True)
    approved_by = models.ForeignKey(Organization, verbose_name=_("批准的上级组织"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="approved_elections")
    approved_on = models.DateField(_("批准日期"), null=True, blank=True)
    approval_doc = models.CharField(_("批准文号"), max_length=100, blank=True)

    objects = OrgScopedQuerySet.as_manager()
    scope_path_lookup = "org__path"
    scope_org_lookup = "org_id"

    class Meta:
        verbose_name = _("选举记录")
        verbose_name_plural = _("选举记录")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(attending__lte=models.F("entitled")), name="election_attending_le_entitled"),
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.held_on} 选举"

    @property
    def is_approved(self) -> bool:
        return self.approved_on is not None


class ElectionResult(models.Model):
    """候选人得票 (result per candidate): votes received, whether elected, and the position taken in the
    new committee (书记, 副书记, 组织委员 … ; blank when not elected)."""

    election = models.ForeignKey(ElectionRecord, on_delete=models.CASCADE, related_name="results")
    member = models.ForeignKey(Member, verbose_name=_("候选人"), on_delete=models.PROTECT, related_name="election_results")
    votes = models.PositiveIntegerField(_("得票"))
    elected = models.BooleanField(_("当选"), default=False)
    position = models.CharField(_("职务"), max_length=20, choices=Position.choices, blank=True)

    objects = OrgScopedQuerySet.as_manager()
    scope_path_lookup = "election__org__path"
    scope_org_lookup = "election__org_id"

    class Meta:
        verbose_name = _("候选人得票")
        verbose_name_plural = _("候选人得票")
        ordering = ["-elected", "-votes", "id"]
        constraints = [models.UniqueConstraint(fields=["election", "member"], name="electionresult_one_per_member")]

    def __str__(self) -> str:
        return f"{self.member} {self.votes}"
