"""REST endpoints of the dues app (党费): the calculator, bills, arrears, collection rate, a member's dues,
and the writes staff and payment channels make (profile, payment, hardship relief, monthly bills).

Reads go through selectors, writes through services; each operation declares its permission. A member
or an org outside the caller's scope is "not found" (404 in the path, 422 "unknown" in the input),
exactly like a missing one. Money is a decimal string with two places.
"""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.utils import timezone
from ninja import P, PathEx, Query, Status

from dangjian.core.api import MAX_ID, SIGNED_IN, Router
from dangjian.core.pagination import keyset_page
from dangjian.dues.calc import arrears_rows, member_due
from dangjian.dues.choices import DuesPerm
from dangjian.dues.models import DuesBill, DuesPayment, DuesRelief
from dangjian.dues.rules import Calculation, calculate, rule_book_in_force
from dangjian.dues.schemas import (
    ArrearsFilters,
    ArrearsPageOut,
    BillFilters,
    BillPageOut,
    BillRunOut,
    BillsGenerateIn,
    CalculateQuery,
    CalculationOut,
    CollectionOut,
    CollectionQuery,
    MemberDuesOut,
    PaymentIn,
    PaymentOut,
    ProfileIn,
    ReliefIn,
    ReliefOut,
    RuleSetIn,
    RuleSetOut,
)
from dangjian.dues.selectors import (
    arrears_list,
    bill_list,
    collection_rate,
    dues_member_get,
    profile_of,
    rule_set_list,
)
from dangjian.dues.services import bills_generate, payment_record, profile_set, relief_approve, rule_set_add
from dangjian.orgs.api import org_ref_or_error

__all__ = ["router"]

router = Router(app="dues")

MemberId = PathEx[int, P(ge=1, le=MAX_ID, description="党员 id")]


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _org(org: Any) -> dict[str, Any]:
    return {"id": org.pk, "code": org.code, "name": org.name}


def _calculation(calc: Calculation) -> dict[str, Any]:
    return {**calc.as_dict(), "standard_amount": str(calc.standard_amount)}


def _bill(bill: DuesBill) -> dict[str, Any]:
    return {
        "id": bill.pk,
        "member": {"id": bill.member_id, "name": bill.member.name},
        "org": _org(bill.org),
        "period": bill.period,
        "category": bill.category,
        "base_amount": _str(bill.base_amount),
        "rate": None if bill.rate is None else str(bill.rate.normalize()),
        "standard_amount": str(bill.standard_amount),
        "capped": bill.capped,
        "relief_id": bill.relief_id,
        "amount_due": str(bill.amount_due),
        "paid_amount": str(bill.paid_amount),
        "status": bill.status,
        "paid_on": bill.paid_on,
        "rule_version": bill.rule_version,
    }


def _payment(payment: DuesPayment, member: Any) -> dict[str, Any]:
    periods = sorted(a.bill.period for a in payment.allocations.select_related("bill"))
    return {
        "id": payment.pk,
        "member": {"id": member.pk, "name": member.name},
        "amount": str(payment.amount),
        "voluntary_extra": str(payment.voluntary_extra),
        "is_large": payment.is_large,
        "channel": payment.channel,
        "reference": payment.reference,
        "paid_on": payment.paid_on,
        "periods": periods,
        "replayed": getattr(payment, "replayed", False),
    }


def _scope_org(actor: Any, ref: str | None, perm: str = DuesPerm.VIEW):
    return org_ref_or_error(actor=actor, ref=ref, field="org", perm=perm, by_id=True) if ref else None


def _split(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]


@router.get(
    "/calculate",
    perm=SIGNED_IN,
    response=CalculationOut,
    operation_id="dues_calculate",
    summary="党费计算器",
    description="""
        按 `on` 日（默认今天）施行的党费标准，计算人员类别 `category` 在月基数 `base` 下每月应交的党费。
        整个基数适用一个比例（不累进），每档上限含本数；按标准设置的精度舍入，并受每月上限约束（`capped`）。
        固定金额类别（农民、学生、下岗失业、低保）不需要 `base`。未知类别或无效基数返回 422 并指明字段。
        任何已登录用户都可以使用。
    """,
)
def dues_calculate(request, query: Query[CalculateQuery]):
    return _calculation(calculate(query.category, query.base, on=query.on))


@router.get(
    "/bills",
    perm=DuesPerm.VIEW,
    response=BillPageOut,
    operation_id="dues_bills_list",
    summary="党费账单",
    description="""
        您数据范围内的党费账单（以及您本人的账单），按 id 升序，键集分页（`cursor` + `limit`）。
        筛选：`org`（组织代码或 id，含下级组织）、`period`（YYYY-MM）、`status`、`member`（党员 id）。
        引用的组织不存在或不在范围内时返回 422。
    """,
)
def dues_bills_list(request, filters: Query[BillFilters]):
    actor = request.auth
    org = _scope_org(actor, filters.org)
    qs = bill_list(actor=actor, org=org, period=filters.period, status=filters.status, member_id=filters.member)
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": [_bill(b) for b in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/bills/generate",
    perm=DuesPerm.CHANGE,
    response=BillRunOut,
    operation_id="dues_bills_generate",
    summary="生成月度党费账单",
    description="""
        为 `org`（默认您管理范围内的全部组织）中每位应缴党员生成 `period` 月的账单：按该月 1 日施行的标准、
        党员的党费档案和有效的减免计算；预备党员从入党当月起缴纳。可重复执行：已有账单的党员不会重复生成，
        再次执行返回 `created: 0`。写入操作日志 `dues.bills_generate`。
    """,
)
def dues_bills_generate(request, payload: BillsGenerateIn):
    actor = request.auth
    org = _scope_org(actor, payload.org, DuesPerm.CHANGE)
    run = bills_generate(actor=actor, period=payload.period, org=org)
    return asdict(run)


@router.get(
    "/arrears",
    perm=DuesPerm.VIEW,
    response=ArrearsPageOut,
    operation_id="dues_arrears_list",
    summary="欠缴党费",
    description="""
        截至 `as_of`（默认今天）有未缴账单的党员：未缴月数、最早未缴月份及其距今整月数、欠缴金额和提醒级别
        （warn / severe / limit，阈值取自党费标准，limit 为党章第九条连续六个月期限）。按党员 id 键集分页；
        `min_level` 只列出至少达到该级别的党员。
    """,
)
def dues_arrears_list(request, filters: Query[ArrearsFilters]):
    actor = request.auth
    org = _scope_org(actor, filters.org)
    as_of = filters.as_of or timezone.localdate()
    book = rule_book_in_force(as_of)
    qs = arrears_list(actor=actor, org=org, as_of=as_of, min_level=filters.min_level, book=book)
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    rows = arrears_rows(page.items, as_of=as_of, book=book) if book else []
    items = [{
        "member": {"id": r.member.pk, "name": r.member.name},
        "org": _org(r.member.org),
        "unpaid_months": r.unpaid_months,
        "oldest_unpaid": r.oldest_unpaid,
        "age_months": r.age_months,
        "owed": str(r.owed),
        "level": r.level,
    } for r in rows]
    return {"items": items, "next_cursor": page.next_cursor}


@router.get(
    "/collection",
    perm=DuesPerm.VIEW,
    response=CollectionOut,
    operation_id="dues_collection",
    summary="党费收缴率",
    description="""
        `org`（含下级组织；默认您的全部数据范围）在 `period` 月的账单数、已缴清数、应交与已交金额和收缴率
        （已交 ÷ 应交）。一次聚合查询得出。
    """,
)
def dues_collection(request, query: Query[CollectionQuery]):
    actor = request.auth
    org = _scope_org(actor, query.org)
    rate = collection_rate(actor=actor, org=org, period=query.period)
    return {
        "org": _org(org) if org else None,
        "period": rate.period,
        "bills": rate.bills,
        "paid_bills": rate.paid_bills,
        "due": str(rate.due),
        "paid": str(rate.paid),
        "rate": _str(rate.rate),
    }


@router.get(
    "/members/{member_id}",
    perm=DuesPerm.VIEW,
    response=MemberDuesOut,
    operation_id="dues_member_get",
    summary="党员党费档案",
    description="""
        一名党员的党费档案（类别、核定基数与年度、最近申报基数）和今天适用的每月应交（含有效减免）。
        本人的记录始终可见；不在您数据范围内的党员与不存在的一样返回 404。
    """,
)
def dues_member(request, member_id: MemberId):
    member = dues_member_get(actor=request.auth, pk=member_id)
    return _member_dues(request.auth, member)


def _member_dues(actor: Any, member: Any) -> dict[str, Any]:
    profile = profile_of(actor=actor, member=member)
    due = member_due(member=member, profile=profile) if profile is not None else None
    return {
        "member": {"id": member.pk, "name": member.name},
        "org": _org(member.org),
        "profile": None if profile is None else {
            "category": profile.category,
            "base_amount": _str(profile.base_amount),
            "base_year": profile.base_year,
            "declared_base": _str(profile.declared_base),
            "declared_on": profile.declared_on,
        },
        "due": None if due is None else {
            "on": due.on,
            "amount": str(due.amount),
            "calculation": _calculation(due.calculation),
            "relief_id": due.relief.pk if due.relief else None,
        },
    }


@router.post(
    "/members/{member_id}/profile",
    perm=DuesPerm.CHANGE,
    response=MemberDuesOut,
    operation_id="dues_profile_set",
    summary="设置党费类别与基数",
    description="""
        设置党员的人员类别并申报月基数（个体及收入不固定者可给出上一季度三个月纯收入 `quarter_incomes`，
        取平均）。按年度核定（2017 年通知，默认）时，年内调资在下一年度核定时生效；类别变化和年薪制、
        个体类别立即生效。按月（2008 年规定）时立即生效。写入操作日志 `dues.profile_set`。
    """,
)
def dues_profile_set(request, payload: ProfileIn, member_id: MemberId):
    actor = request.auth
    member = dues_member_get(actor=actor, pk=member_id, perm=DuesPerm.CHANGE)
    profile_set(actor=actor, member=member, category=payload.category, base=payload.base,
                quarter_incomes=_split(payload.quarter_incomes), on=payload.on, reason=payload.reason)
    return _member_dues(actor, member)


@router.post(
    "/members/{member_id}/payments",
    perm=DuesPerm.CHANGE,
    response=PaymentOut,
    status=201,
    operation_id="dues_payment_record",
    summary="登记党费缴纳",
    description="""
        登记一笔党费（工作人员录入或缴费渠道推送）：按月份先后结清待缴账单（或 `periods` 指定的月份），
        `voluntary_extra` 为其中自愿多交部分，达到大额党费标准时 `is_large: true`。以渠道 `channel` 加流水号
        `reference` 幂等：同一笔重复提交返回原记录（`replayed: true`），不重复入账；同一流水号用于不同党员或金额
        返回 422。金额为负、为零或不是数字时返回 422 并指明字段，不写入任何数据。写入操作日志 `dues.payment_record`。
    """,
)
def dues_payment_record(request, payload: PaymentIn, member_id: MemberId):
    actor = request.auth
    member = dues_member_get(actor=actor, pk=member_id, perm=DuesPerm.CHANGE)
    payment = payment_record(actor=actor, member=member, amount=payload.amount, reference=payload.reference,
                             channel=payload.channel, paid_on=payload.paid_on, periods=_split(payload.periods),
                             voluntary_extra=payload.voluntary_extra, note=payload.note)
    return Status(201, _payment(payment, member))


@router.post(
    "/members/{member_id}/reliefs",
    perm=DuesPerm.CHANGE,
    response=ReliefOut,
    status=201,
    operation_id="dues_relief_approve",
    summary="登记党费减免",
    description="""
        登记上一级党委批准的党费减免：`kind` 为 reduce（少交，`amount` 为每月应交）或 waive（免交），有效期
        `valid_from`–`valid_to`（两端含）。`approved_by` 须是该党员所在支部的上一级党委（组织代码），且在您的
        管理范围内；与已有减免有效期重叠时返回 422。写入操作日志 `dues.relief_approve`。
    """,
)
def dues_relief_approve(request, payload: ReliefIn, member_id: MemberId):
    actor = request.auth
    member = dues_member_get(actor=actor, pk=member_id, perm=DuesPerm.CHANGE)
    approver = org_ref_or_error(actor=actor, ref=payload.approved_by, field="approved_by", perm=DuesPerm.CHANGE)
    relief: DuesRelief = relief_approve(
        actor=actor, member=member, kind=payload.kind, amount=payload.amount, valid_from=payload.valid_from,
        valid_to=payload.valid_to, approved_by=approver, approved_on=payload.approved_on,
        document=payload.document, reason=payload.reason,
    )
    return Status(201, {
        "id": relief.pk, "kind": relief.kind, "amount": str(relief.amount), "valid_from": relief.valid_from,
        "valid_to": relief.valid_to, "approved_by": _org(approver), "approved_on": relief.approved_on,
        "document": relief.document,
    })


def _rule_set(rule_set: Any) -> dict[str, Any]:
    return {
        "id": rule_set.pk, "version": rule_set.version, "name": rule_set.name,
        "effective_from": rule_set.effective_from, "effective_to": rule_set.effective_to,
        "citation": rule_set.citation, "base_mode": rule_set.base_mode, "rounding_step": str(rule_set.rounding_step),
        "rounding_mode": rule_set.rounding_mode, "monthly_cap": _str(rule_set.monthly_cap),
        "large_payment_threshold": str(rule_set.large_payment_threshold),
        "arrears_warn_months": rule_set.arrears_warn_months,
        "arrears_severe_months": rule_set.arrears_severe_months,
        "arrears_limit_months": rule_set.arrears_limit_months,
        "brackets": [{
            "category": b.category, "lower": _str(b.lower), "upper": _str(b.upper),
            "rate": None if b.rate is None else str(b.rate.normalize()), "fixed_amount": _str(b.fixed_amount),
            "fixed_min": _str(b.fixed_min), "fixed_max": _str(b.fixed_max), "citation": b.citation,
        } for b in sorted(rule_set.brackets.all(), key=lambda b: (b.category, b.lower is not None, b.lower or 0))],
    }


@router.get(
    "/rule-sets",
    perm=SIGNED_IN,
    response=list[RuleSetOut],
    operation_id="dues_rule_sets_list",
    summary="党费标准各版本",
    description="""
        党费标准的全部版本（新的在前）：施行期、基数核定方式、精度与舍入、每月上限、大额党费标准、欠缴提醒月数，
        以及每个人员类别的档次（比例为小数，如 0.015 即 1.5%）。党费标准是公开的规定，任何已登录用户都可以读取。
    """,
)
def dues_rule_sets_list(request):
    return [_rule_set(r) for r in rule_set_list(actor=request.auth)]


@router.post(
    "/rule-sets",
    perm=DuesPerm.CONFIGURE,
    response=RuleSetOut,
    status=201,
    operation_id="dues_rule_set_add",
    summary="新增党费标准版本",
    description="""
        新增一个党费标准版本（无需数据库迁移）：施行日期为某月 1 日，且晚于最新版本的施行日期，不能与其他版本的
        施行期重叠、不能留下没有标准的月份、不能早于已生成账单的月份；前一个未设停止日期的版本在新版本施行前一天
        停止。每个人员类别须有档次：按比例的各档从空下限起首尾相接（上一档的上限即下一档的下限，上限含本数）到空上限，
        比例大于 0 小于 1；或一行固定金额。所有问题一次返回 422，档次的字段写作 `brackets.<序号>.<字段>`（序号从 0 起），
        不写入任何数据。已生成的账单保持原金额。权限 `dues.configure`；写入操作日志 `dues.rule_set_add`。
    """,
)
def dues_rule_set_add(request, payload: RuleSetIn):
    data = payload.model_dump()
    reason = data.pop("reason")
    rule_set = rule_set_add(actor=request.auth, data=data, reason=reason)
    return Status(201, _rule_set(rule_set))
