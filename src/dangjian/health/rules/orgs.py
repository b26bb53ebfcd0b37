"""Organisation set-up and term rules (DOMAIN §2, §3), read from the org tree and the member register.

The member-count rules share two aggregates per scan (kept in ``ScanContext.cache``): the organisations
in scope (one query) and the member counts per organisation (one ``GROUP BY org_id`` over the register,
no join). A million members are read once per scan instead of once per rule; each rule then decides per
organisation in memory. The others are one or two aggregate queries each (``GROUP BY`` with a ``HAVING``
keeping only the organisations that break the rule). None issues a query per organisation.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Coalesce, Substr
from django.utils.translation import gettext_lazy as _

from dangjian.core.errors import FieldError
from dangjian.core.scoping import path_range_q
from dangjian.health.choices import COUNTED_STATUSES, RuleCode, Severity, SubjectType
from dangjian.health.errors import HealthError
from dangjian.health.rules.base import Param, RawFinding, Rule, ScanContext, register
from dangjian.members.choices import Category
from dangjian.members.models import CommitteeSeat, Member
from dangjian.orgs.choices import OrgStatus, OrgType, Position
from dangjian.orgs.models import CommitteeTerm, Organization
from dangjian.orgs.terms import TermStateCode, term_state

__all__ = [
    "BranchOversize",
    "CommitteeMissing",
    "CommitteeSize",
    "NoSecretary",
    "ShouldUpgrade",
    "TermExpired",
    "TermExpiring",
    "TooFewFullMembers",
]

# 党小组组长 is appointed by the branch and is not a seat of the committee
_COMMITTEE_SEAT = Q(seats__until__isnull=True) & ~Q(seats__position=Position.GROUP_LEADER)


@dataclass(frozen=True)
class OrgNode:
    pk: int
    path: str
    org_type: str
    active: bool
    established_on: Any = None


def org_nodes(ctx: ScanContext) -> list[OrgNode]:
    """Every organisation in the scan's scope (id, path, type, active), once per scan."""
    if "org_nodes" not in ctx.cache:
        rows = (Organization.objects.filter(ctx.scope.q("path", "pk")).order_by()
                .values_list("pk", "path", "org_type", "status", "established_on"))
        ctx.cache["org_nodes"] = [OrgNode(pk, path, t, status == OrgStatus.ACTIVE, established)
                                  for pk, path, t, status, established in rows.iterator(chunk_size=5000)]
    return ctx.cache["org_nodes"]


def member_stats(ctx: ScanContext) -> dict[int, tuple[int, int, int]]:
    """Members holding membership per organisation in scope: (all, full, probationary), once per scan."""
    if "member_stats" not in ctx.cache:
        rows = (Member.objects.filter(ctx.scope.q("org__path", "org_id"), status__in=COUNTED_STATUSES).order_by()
                .values("org_id").annotate(n=Count("pk"), full=Count("pk", filter=Q(category=Category.FULL)))
                .values_list("org_id", "n", "full"))
        ctx.cache["member_stats"] = {org_id: (n, full, n - full) for org_id, n, full in rows.iterator(chunk_size=5000)}
    return ctx.cache["member_stats"]


def orgs_with_current_term(ctx: ScanContext) -> set[int]:
    if "current_term_orgs" not in ctx.cache:
        ctx.cache["current_term_orgs"] = set(
            CommitteeTerm.objects.filter(ctx.scope.q("org__path", "org_id"), is_current=True).order_by()
            .values_list("org_id", flat=True))
    return ctx.cache["current_term_orgs"]


_NONE = (0, 0, 0)


def _branches(ctx: ScanContext) -> Iterator[tuple[OrgNode, tuple[int, int, int]]]:
    stats = member_stats(ctx)
    for node in org_nodes(ctx):
        if node.active and node.org_type == OrgType.BRANCH:
            yield node, stats.get(node.pk, _NONE)


def active_orgs(ctx: ScanContext, *org_types: str):
    """Active organisations of these types in the scan's scope (no ordering: for grouping)."""
    return Organization.objects.filter(ctx.scope.q("path", "pk"), status=OrgStatus.ACTIVE,
                                       org_type__in=org_types).order_by()


def current_terms(ctx: ScanContext):
    return CommitteeTerm.objects.filter(ctx.scope.q("org__path", "org_id"), is_current=True,
                                        org__status=OrgStatus.ACTIVE).order_by()


@register
class TooFewFullMembers(Rule):
    code = RuleCode.TOO_FEW_FULL_MEMBERS
    title = _("正式党员不足三人的党支部")
    citation = "DOMAIN §2 Duty to form a Party organization: Constitution art. 30; Branch Regs 2018 art. 4"
    basis = "《中国共产党章程》第三十条；《中国共产党支部工作条例（试行）》(2018) 第四条"
    description = _("党支部正式党员少于规定人数（预备党员不计），应与邻近单位成立联合党支部或调整设置。")
    params = (Param("min_full_members", _("最少正式党员"), 3, 1, 20, "人"),)
    notify_role = "org_dept"

    def evaluate(self, ctx: ScanContext, params: dict[str, Any]) -> Iterator[RawFinding]:
        least = params["min_full_members"]
        for node, (_n, full, _p) in _branches(ctx):
            if full < least:
                yield RawFinding(node.pk, f"正式党员 {full} 名，少于 {least} 名", full)


@register
class BranchOversize(Rule):
    code = RuleCode.BRANCH_OVERSIZE
    title = _("党员人数超过五十人的党支部")
    citation = "DOMAIN §2 Branch size: Branch Regs 2018 art. 4"
    basis = "《中国共产党支部工作条例（试行）》(2018) 第四条"
    description = _("党支部党员人数（含预备党员）一般不超过 50 人；超过时提示调整（不阻止登记）。")
    params = (Param("max_members", _("党支部最多党员"), 50, 10, 500, "人"),)
    notify_role = "org_dept"

    def evaluate(self, ctx: ScanContext, params: dict[str, Any]) -> Iterator[RawFinding]:
        most = params["max_members"]
        for node, (n, _f, _p) in _branches(ctx):
            if n > most:
                yield RawFinding(node.pk, f"党员 {n} 名，超过 {most} 名", n)


@register
class CommitteeMissing(Rule):
    code = RuleCode.COMMITTEE_MISSING
    title = _("应设委员会而无本届委员会")
    citation = "DOMAIN §2 Branch committee: Branch Regs 2018 art. 20"
    basis = "《中国共产党支部工作条例（试行）》(2018) 第二十条"
    description = _("正式党员达到规定人数的党支部应设立支部委员会；党总支、党委均应有本届委员会。无本届届次记录即报告。")
    params = (Param("min_full_members", _("设立支委会的正式党员人数"), 7, 3, 50, "人"),)

    def evaluate(self, ctx: ScanContext, params: dict[str, Any]) -> Iterator[RawFinding]:
        least = params["min_full_members"]
        with_term = orgs_with_current_term(ctx)
        for node, (_n, full, _p) in _branches(ctx):
            if full >= least and node.pk not in with_term:
                yield RawFinding(node.pk, f"正式党员 {full} 名（≥ {least} 名），未设立本届支部委员会", full)
        for node in org_nodes(ctx):
            if node.active and node.org_type in (OrgType.GENERAL_BRANCH, OrgType.COMMITTEE) and node.pk not in with_term:
                yield RawFinding(node.pk, f"{OrgType(node.org_type).label}无本届委员会（届次）记录")


@register
class CommitteeSize(Rule):
    code = RuleCode.COMMITTEE_SIZE
    title = _("支部委员会人数不符合规定")
    citation = "DOMAIN §2 Branch committee (3–5 members, generally no more than 7): Branch Regs 2018 art. 20"
    basis = "《中国共产党支部工作条例（试行）》(2018) 第二十条（委员一般 3 至 5 人，最多不超过 7 人）"
    description = _("应设支委会的党支部，本届委员（不含党小组组长）一般 3–5 人、最多 7 人：少于下限或多于上限报告为警告，"
                    "介于常规上限与最多人数之间报告为提示。")
    params = (
        Param("min_seats", _("委员最少人数"), 3, 1, 15, "人"),
        Param("max_seats", _("委员常规最多人数"), 5, 1, 15, "人"),
        Param("hard_max_seats", _("委员最多人数"), 7, 1, 21, "人"),
        Param("applies_from_full_members", _("适用的正式党员人数"), 7, 3, 50, "人"),
    )

    def check_consistency(self, params: dict[str, Any]) -> list[FieldError]:
        if not params["min_seats"] <= params["max_seats"] <= params["hard_max_seats"]:
            return [FieldError(HealthError.PARAM_INCONSISTENT, "params.max_seats",
                               str(_("应满足 委员最少人数 ≤ 委员常规最多人数 ≤ 委员最多人数")))]
        return []

    def evaluate(self, ctx: ScanContext, params: dict[str, Any]) -> Iterator[RawFinding]:
        low, high, hard = params["min_seats"], params["max_seats"], params["hard_max_seats"]
        terms = (current_terms(ctx).filter(org__org_type=OrgType.BRANCH).values("pk", "org_id")
                 .annotate(n=Count("seats__member", filter=_COMMITTEE_SEAT, distinct=True))
                 .exclude(n__gte=low, n__lte=high))
        # only branches that must have a committee (DOMAIN §2: ≥ 7 full members); smaller branches
        # have a secretary and at most a deputy
        stats = member_stats(ctx)
        applies = params["applies_from_full_members"]
        for term_id, org_id, n in terms.values_list("pk", "org_id", "n").iterator(chunk_size=2000):
            if stats.get(org_id, _NONE)[1] < applies:
                continue
            if n < low:
                msg, severity = "本届支委会委员 %(n)s 名，少于 %(low)s 名", None
            elif n > hard:
                msg, severity = "本届支委会委员 %(n)s 名，超过最多 %(hard)s 名", None
            else:
                msg, severity = "本届支委会委员 %(n)s 名，多于一般 %(low)s–%(high)s 名", Severity.INFO
            yield RawFinding(org_id, msg % {"n": n, "low": low, "high": high, "hard": hard}, n,
                             SubjectType.TERM, term_id, severity=severity)


@register
class ShouldUpgrade(Rule):
    code = RuleCode.SHOULD_UPGRADE
    title = _("党员人数达到党总支或党委设置标准")
    citation = "DOMAIN §2 General branch / Grassroots Party committee in SOEs: SOE Regs 2019 art. 4"
    basis = "《中国共产党国有企业基层组织工作条例（试行）》(2019) 第四条"
    description = _("党支部党员 50 人以上的，一般设立党总支；党支部或党总支（含下级）党员 100 人以上的，一般设立党委。"
                    "人数不足而因工作需要设立的，经上级批准可以例外，故默认为提示。")
    params = (
        Param("general_branch_from", _("设立党总支的党员人数"), 50, 10, 500, "人"),
        Param("committee_from", _("设立党委的党员人数"), 100, 20, 2000, "人"),
    )
    severity = Severity.INFO
    notify_role = "org_dept"

    def check_consistency(self, params: dict[str, Any]) -> list[FieldError]:
        if params["general_branch_from"] >= params["committee_from"]:
            return [FieldError(HealthError.PARAM_INCONSISTENT, "params.committee_from",
                               str(_("设立党委的人数应大于设立党总支的人数")))]
        return []

    def evaluate(self, ctx: ScanContext, params: dict[str, Any]) -> Iterator[RawFinding]:
        gb_from, committee_from = params["general_branch_from"], params["committee_from"]
        for node, (n, _f, _p) in _branches(ctx):
            if n < gb_from:
                continue
            org_id = node.pk
            if n >= committee_from:
                msg, target = "党支部党员 %(n)s 名（≥ %(m)s 名），一般应设立党委", OrgType.COMMITTEE
            else:
                msg, target = "党支部党员 %(n)s 名（≥ %(m)s 名），一般应设立党总支", OrgType.GENERAL_BRANCH
            yield RawFinding(org_id, msg % {"n": n, "m": committee_from if n >= committee_from else gb_from}, n,
                             details={"suggested_type": str(target)})
        # general branches count their whole subtree: members sit in the branches below them
        if ctx.scope.is_all:
            yield from self._general_from_stats(ctx, committee_from)
            return
        general = list(active_orgs(ctx, OrgType.GENERAL_BRANCH).values_list("pk", "path"))
        by_depth: dict[int, dict[str, int]] = {}
        for org_id, path in general:
            by_depth.setdefault(len(path), {})[path] = org_id
        for width, paths in sorted(by_depth.items()):  # a few orgs (a re-check) or one subtree
            within = Q(pk__in=[])
            for path in paths:
                within |= path_range_q("org__path", path)
            members = Member.objects.filter(within, status__in=COUNTED_STATUSES).order_by()
            rows = (members.annotate(prefix=Substr("org__path", 1, width)).values("prefix")
                    .annotate(n=Count("pk")).filter(n__gte=committee_from).values_list("prefix", "n"))
            for prefix, n in rows:
                if prefix in paths:
                    yield self._general(paths[prefix], n, committee_from)

    @staticmethod
    def _general(org_id: int, n: int, committee_from: int) -> RawFinding:
        return RawFinding(org_id, f"党总支（含下级）党员 {n} 名（≥ {committee_from} 名），一般应设立党委",
                          n, details={"suggested_type": str(OrgType.COMMITTEE)})

    def _general_from_stats(self, ctx: ScanContext, committee_from: int) -> Iterator[RawFinding]:
        """Every org's members added to the general branches above it (the whole tree is in scope)."""
        step = Organization.steplen
        general = {n.path: n.pk for n in org_nodes(ctx) if n.active and n.org_type == OrgType.GENERAL_BRANCH}
        if not general:
            return
        totals: dict[int, int] = dict.fromkeys(general.values(), 0)
        stats = member_stats(ctx)
        for node in org_nodes(ctx):
            n = stats.get(node.pk, _NONE)[0]
            if not n:
                continue
            for end in range(step, len(node.path) + 1, step):
                gb = general.get(node.path[:end])
                if gb is not None:
                    totals[gb] += n
        for org_id, n in totals.items():
            if n >= committee_from:
                yield self._general(org_id, n, committee_from)

@dataclass(frozen=True)
class _TermDates:
    """What ``orgs.terms.term_state`` reads of a term, without a model instance per row."""

    pk: int
    org_id: int
    number: int
    end_date: Any
    postponed_until: Any

    @property
    def effective_end(self):
        return self.postponed_until or self.end_date


@register
class TermExpiring(Rule):
    code = RuleCode.TERM_EXPIRING
    title = _("委员会任期即将届满")
    citation = "DOMAIN §3 Reminder lead time (6/3/1 months): Branch Regs 2018 ch. 6"
    basis = "《中国共产党支部工作条例（试行）》(2018) 第六章（届满前提醒）"
    description = _("本届委员会距届满（或经批准的延期换届日期）不足设定的提醒月数时报告；测量值为已到达的最小提醒月数。")
    params = (Param("offsets_months", _("提前提醒（月）"), (6, 3, 1), 1, 24, "个月", many=True),)

    def evaluate(self, ctx: ScanContext, params: dict[str, Any]) -> Iterator[RawFinding]:
        offsets = tuple(sorted(set(params["offsets_months"]), reverse=True))
        # a loose window in SQL (month ends differ by a few days); term_state decides exactly
        horizon = ctx.today + relativedelta(months=max(offsets) + 1)
        terms = (current_terms(ctx).annotate(effective=Coalesce("postponed_until", "end_date"))
                 .filter(effective__gte=ctx.today, effective__lte=horizon)
                 .values_list("pk", "org_id", "number", "end_date", "postponed_until"))
        states: dict[tuple, Any] = {}  # many terms share an end date: one term_state per distinct dates
        for pk, org_id, number, end_date, postponed_until in terms.iterator(chunk_size=2000):
            term = _TermDates(pk, org_id, number, end_date, postponed_until)
            state = states.get((end_date, postponed_until))
            if state is None:
                state = states[(end_date, postponed_until)] = term_state(term, ctx.today, offsets)
            if state.reminder_months is None or state.status not in (TermStateCode.EXPIRING, TermStateCode.POSTPONED):
                continue
            postponed = "（经批准延期）" if term.postponed_until else ""
            # the measured value is the reminder stage reached (6, 3, 1 months), not the days left: the
            # finding then changes three times before the end instead of every night
            yield RawFinding(
                term.org_id,
                f"第{term.number}届任期将于 {state.effective_end.isoformat()} 届满{postponed}"
                f"（已进入届满前 {state.reminder_months} 个月提醒期）",
                state.reminder_months, SubjectType.TERM, term.pk,
                details={"reminder_months": state.reminder_months, "effective_end": state.effective_end.isoformat()},
            )


@register
class TermExpired(Rule):
    code = RuleCode.TERM_EXPIRED
    title = _("委员会任期届满未换届")
    citation = "DOMAIN §3 On-time elections: Election Regs 2020 art. 3; Term Opinion 2018 §2"
    basis = "《中国共产党基层组织选举工作条例》(2020) 第三条；《关于党的基层组织任期的意见》(2018)"
    description = _("本届委员会已过届满日期（或经批准的延期换届日期）仍未换届。")
    params = (Param("grace_days", _("宽限（天）"), 0, 0, 365, "天"),)
    severity = Severity.CRITICAL
    notify_role = "org_dept"

    def evaluate(self, ctx: ScanContext, params: dict[str, Any]) -> Iterator[RawFinding]:
        last_ok = ctx.today - relativedelta(days=params["grace_days"])
        terms = (current_terms(ctx).annotate(effective=Coalesce("postponed_until", "end_date"))
                 .filter(effective__lt=last_ok).values_list("pk", "org_id", "number", "effective", "postponed_until"))
        for term_id, org_id, number, effective, postponed in terms.iterator(chunk_size=2000):
            overdue = (ctx.today - effective).days
            what = "延期换届期限" if postponed else "任期"
            yield RawFinding(org_id, f"第{number}届{what}已于 {effective.isoformat()} 届满，逾期 {overdue} 天未换届",
                             overdue, SubjectType.TERM, term_id, details={"effective_end": effective.isoformat()})


@register
class NoSecretary(Rule):
    code = RuleCode.NO_SECRETARY
    title = _("无书记")
    citation = "DOMAIN §2 Branch committee (a secretary, a deputy if needed): Branch Regs 2018 art. 20"
    basis = "《中国共产党支部工作条例（试行）》(2018) 第二十条"
    description = _("党支部、党总支、党委本届委员会中没有在任书记（含尚无本届届次记录的）。")
    notify_role = "org_dept"

    def evaluate(self, ctx: ScanContext, params: dict[str, Any]) -> Iterator[RawFinding]:
        secretary = CommitteeSeat.objects.filter(term__org=OuterRef("pk"), term__is_current=True,
                                                 position=Position.SECRETARY, until__isnull=True)
        orgs = (active_orgs(ctx, OrgType.BRANCH, OrgType.GENERAL_BRANCH, OrgType.COMMITTEE)
                .filter(~Exists(secretary)).values_list("pk", flat=True))
        for org_id in orgs.iterator(chunk_size=2000):
            yield RawFinding(org_id, "本届委员会无在任书记")
