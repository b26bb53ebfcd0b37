"""Input and output schemas of the dues API (validation at the boundary, STYLE §11).

Money goes out as decimal strings with two places (``"50.00"``), never as JSON numbers. The schemas
check shape and length; the rules (brackets, amounts, periods, who approves relief) are the services'
and come back as 422 field errors of the same shape.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema
from pydantic import ConfigDict

from dangjian.core.api import MAX_ID, PageQuery
from dangjian.dues.choices import (
    AlertLevel,
    BaseMode,
    BillStatus,
    DuesCategory,
    PaymentChannel,
    ReliefKind,
    RoundingMode,
)

__all__ = [
    "ArrearsFilters",
    "ArrearsPageOut",
    "BillFilters",
    "BillPageOut",
    "BillRunOut",
    "BillsGenerateIn",
    "CalculateQuery",
    "CalculationOut",
    "CollectionOut",
    "CollectionQuery",
    "MemberDuesOut",
    "PaymentIn",
    "PaymentOut",
    "ProfileIn",
    "ReliefIn",
    "ReliefOut",
    "RuleSetIn",
    "RuleSetOut",
]

_AMOUNT = {"max_digits": 12, "decimal_places": 2}


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class DuesMemberRefOut(Schema):
    id: int
    name: str


class DuesOrgRefOut(Schema):
    id: int
    code: str
    name: str


class DuesRuleSetRefOut(Schema):
    name: str
    version: str


class CalculateQuery(Schema):
    category: str = Field(..., max_length=40, description="人员类别代码：" + ", ".join(DuesCategory.values))
    base: str | None = Field(None, max_length=40, description="月基数（元，最多两位小数）；固定金额类别可省略")
    on: dt.date | None = Field(None, description="按该日施行的党费标准计算（默认今天）")


class CalculationOut(Schema):
    amount: str = Field(..., description="每月应交，两位小数的十进制字符串", examples=["50.00"])
    rate: str | None = Field(..., description="比例（固定金额类别为 null）", examples=["0.01"])
    category: str
    base: str | None
    bracket: str = Field(..., description="适用档次")
    citation: str = Field(..., description="依据（DOMAIN §1 与文件条款）")
    rule_set: DuesRuleSetRefOut
    capped: bool = Field(..., description="是否按每月上限封顶")
    standard_amount: str = Field(..., description="封顶前按比例计算的金额")


class BillFilters(PageQuery):
    org: str | None = Field(None, max_length=40, description="组织代码或 id（含下级组织）")
    period: str | None = Field(None, max_length=7, description="月份 YYYY-MM")
    status: BillStatus | None = None
    member: int | None = Field(None, ge=1, le=MAX_ID, description="党员 id")


class BillOut(Schema):
    id: int
    member: DuesMemberRefOut
    org: DuesOrgRefOut
    period: str
    category: DuesCategory
    base_amount: str | None
    rate: str | None
    standard_amount: str
    capped: bool
    relief_id: int | None
    amount_due: str
    paid_amount: str
    status: BillStatus
    paid_on: dt.date | None
    rule_version: str


class BillPageOut(Schema):
    items: list[BillOut]
    next_cursor: str | None


class BillsGenerateIn(_Input):
    period: str = Field(..., max_length=7, description="月份 YYYY-MM（不能是未来月份）")
    org: str | None = Field(None, max_length=40, description="组织代码（默认：您管理范围内的全部组织）")


class BillRunOut(Schema):
    period: str
    created: int = Field(..., description="本次新生成的账单数（重复执行为 0）")
    without_profile: int = Field(..., description="尚无党费档案、未生成账单的党员数")
    bases_fixed: int = Field(..., description="本次按年度核定基数的档案数（2017 年通知方式）")
    rule_version: str


class ArrearsFilters(PageQuery):
    org: str | None = Field(None, max_length=40, description="组织代码或 id（含下级组织）")
    as_of: dt.date | None = Field(None, description="截至日期（默认今天）")
    min_level: AlertLevel | None = Field(None, description="只列出至少达到该提醒级别的党员")


class ArrearsItemOut(Schema):
    member: DuesMemberRefOut
    org: DuesOrgRefOut
    unpaid_months: int
    oldest_unpaid: str = Field(..., description="最早未缴月份 YYYY-MM")
    age_months: int = Field(..., description="最早未缴月份距截至月份的整月数")
    owed: str
    level: AlertLevel


class ArrearsPageOut(Schema):
    items: list[ArrearsItemOut]
    next_cursor: str | None


class CollectionQuery(Schema):
    period: str = Field(..., max_length=7, description="月份 YYYY-MM")
    org: str | None = Field(None, max_length=40, description="组织代码或 id（含下级组织；默认您的全部范围）")


class CollectionOut(Schema):
    org: DuesOrgRefOut | None
    period: str
    bills: int
    paid_bills: int = Field(..., description="已缴清或免交的账单数")
    due: str
    paid: str
    rate: str | None = Field(..., description="收缴率 0–1（四位小数）；无应交时为 null")


class DuesProfileOut(Schema):
    category: DuesCategory
    base_amount: str | None = Field(..., description="账单使用的核定基数")
    base_year: int | None
    declared_base: str | None = Field(..., description="最近申报的基数（年度核定方式下次年生效）")
    declared_on: dt.date | None


class DuesDueOut(Schema):
    on: dt.date
    amount: str
    calculation: CalculationOut
    relief_id: int | None


class MemberDuesOut(Schema):
    member: DuesMemberRefOut
    org: DuesOrgRefOut
    profile: DuesProfileOut | None
    due: DuesDueOut | None = Field(..., description="今天适用的每月应交（含减免）")


class ProfileIn(_Input):
    category: str = Field(..., max_length=40, description="人员类别代码")
    base: str | None = Field(None, max_length=40, description="月基数（元）")
    quarter_incomes: str | None = Field(None, max_length=100,
                                        description="个体及收入不固定：上一季度三个月的纯收入，逗号分隔，如 3000,4000,5000")
    on: dt.date | None = Field(None, description="申报日期（默认今天）")
    reason: str = Field("", max_length=500, description="记入操作日志")


class PaymentIn(_Input):
    amount: Decimal = Field(..., description="本次收到的总金额（元），须大于零", **_AMOUNT)
    voluntary_extra: Decimal = Field(Decimal("0"), description="其中自愿多交的部分（元）", **_AMOUNT)
    reference: str = Field("", max_length=100, description="缴费渠道的流水号（同一渠道内唯一，幂等键）；现金缴费可留空，"
                                                        "此时自动编号（XJ+日期-党员id-序号）")
    channel: PaymentChannel
    paid_on: dt.date
    periods: str | None = Field(None, max_length=200,
                                description="要结清的月份，逗号分隔，如 2024-01,2024-02（默认全部待缴，按月份先后）")
    note: str = Field("", max_length=200)


class PaymentOut(Schema):
    id: int
    member: DuesMemberRefOut
    amount: str
    voluntary_extra: str
    is_large: bool = Field(..., description="自愿多交达到大额党费标准（单独上缴）")
    channel: PaymentChannel
    reference: str
    paid_on: dt.date
    periods: list[str] = Field(..., description="本笔缴费结清或部分结清的月份")
    replayed: bool = Field(..., description="true：同一渠道和流水号此前已登记，返回的是原记录，未重复入账")


class ReliefIn(_Input):
    kind: ReliefKind
    amount: Decimal | None = Field(None, description="少交时每月应交（元）", **_AMOUNT)
    valid_from: dt.date
    valid_to: dt.date = Field(..., description="有效期最后一天（含）")
    approved_by: str = Field(..., max_length=40, description="批准的上一级党委的组织代码")
    approved_on: dt.date
    document: str = Field("", max_length=100, description="批复文号")
    reason: str = Field("", max_length=500)


class ReliefOut(Schema):
    id: int
    kind: ReliefKind
    amount: str
    valid_from: dt.date
    valid_to: dt.date
    approved_by: DuesOrgRefOut
    approved_on: dt.date
    document: str


_MONEY_TEXT = {"max_length": 40}


class BracketIn(_Input):
    category: str = Field(..., max_length=40, description="人员类别代码：" + ", ".join(DuesCategory.values))
    lower: str | None = Field(None, description="基数高于（元，不含）；最低一档留空", **_MONEY_TEXT)
    upper: str | None = Field(None, description="基数不超过（元，含）；最高一档留空", **_MONEY_TEXT)
    rate: str | None = Field(None, description="比例，小数形式（0.015 即 1.5%）；固定金额档留空", **_MONEY_TEXT)
    fixed_amount: str | None = Field(None, description="每月固定金额（元）；按比例档留空", **_MONEY_TEXT)
    fixed_min: str | None = Field(None, description="固定金额下限（元，可选，如农民 0.2）", **_MONEY_TEXT)
    fixed_max: str | None = Field(None, description="固定金额上限（元，可选，如农民 1.0）", **_MONEY_TEXT)
    citation: str = Field(..., max_length=300, description="依据")


class RuleSetIn(_Input):
    version: str = Field(..., max_length=20, description="版本号（唯一），如 2031")
    name: str = Field(..., max_length=200, description="文件名称")
    effective_from: dt.date = Field(..., description="施行日期：某月 1 日，晚于最新版本的施行日期；前一版本在前一天停止")
    citation: str = Field(..., max_length=2000, description="依据（文件名称、文号、条款）")
    base_mode: str = Field(..., max_length=10, description="基数核定方式：" + ", ".join(BaseMode.values))
    rounding_step: str = Field(..., description="计算精度（元）：0.01、0.1 或 1", **_MONEY_TEXT)
    rounding_mode: str = Field(..., max_length=10, description="舍入方式：" + ", ".join(RoundingMode.values))
    monthly_cap: str | None = Field(None, description="每月应交上限（元）；无上限留空", **_MONEY_TEXT)
    large_payment_threshold: str = Field(..., description="大额党费标准（元）", **_MONEY_TEXT)
    arrears_warn_months: int = Field(..., description="欠缴提醒（月）")
    arrears_severe_months: int = Field(..., description="欠缴严重提醒（月）")
    arrears_limit_months: int = Field(..., description="连续不缴期限（月）")
    brackets: list[BracketIn] = Field(..., max_length=60, description="每个人员类别的档次：按比例的各档首尾相接，"
                                                                     "或一行固定金额")
    reason: str = Field("", max_length=500, description="记入操作日志")


class BracketOut(Schema):
    category: str
    lower: str | None
    upper: str | None
    rate: str | None
    fixed_amount: str | None
    fixed_min: str | None
    fixed_max: str | None
    citation: str


class RuleSetOut(Schema):
    id: int
    version: str
    name: str
    effective_from: dt.date
    effective_to: dt.date | None = Field(..., description="停止日期（含当日）；现行版本为 null")
    citation: str
    base_mode: str
    rounding_step: str
    rounding_mode: str
    monthly_cap: str | None
    large_payment_threshold: str
    arrears_warn_months: int
    arrears_severe_months: int
    arrears_limit_months: int
    brackets: list[BracketOut]
