"""The fields each kind of record can exchange, and column mappings built from them.

A :class:`FieldSpec` says what a platform field is (its type, its code list, its standard column
title); a :class:`Mapping` is one concrete layout — the platform's standard template or an
:class:`~dangjian.exchange.models.ExchangeProfile` such as the national system's — binding column
titles (and code-list labels) to those fields. Import, export and templates all use a Mapping, so the
same titles and labels go out and come back in.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.http import Http404
from django.utils.translation import gettext as _

from dangjian.dues.choices import DuesCategory
from dangjian.exchange.cells import clean_title
from dangjian.exchange.choices import ImportKind
from dangjian.members.choices import ETHNICITIES, Category, Education, Gender, MemberStatus
from dangjian.orgs.choices import OrgType

if TYPE_CHECKING:
    from dangjian.exchange.models import ExchangeProfile

__all__ = ["FIELDS", "Column", "FieldSpec", "Mapping", "T", "mapping_for", "standard_columns"]


class T:
    """Field types: how a cell is read and written."""

    TEXT = "text"          # trimmed text
    IDENT = "ident"        # an identifier (code, phone): no inner spaces, full-width letters to ASCII
    IDNUMBER = "idnumber"  # citizen ID number (GB 11643)
    DATE = "date"
    CHOICE = "choice"      # a code list: label in the file ↔ platform value
    LIST = "list"          # a fixed list of values stored as written (ethnicity)
    BOOL = "bool"          # 是 / 否
    DECIMAL = "decimal"
    DERIVED = "derived"    # written on export, ignored on import (e.g. the org's name beside its code)
    NONE = "none"          # a column the platform does not store (kept blank on export, ignored on import)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    title: str
    type: str
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()   # (value, label) for CHOICE / LIST
    width: int = 14
    example: Any = ""
    help: str = ""


def _choices(text_choices) -> tuple[tuple[str, str], ...]:
    return tuple((str(value), str(label)) for value, label in text_choices.choices)


_ETHNICITIES = tuple((e, e) for e in ETHNICITIES)
_YES_NO = (("true", "是"), ("false", "否"))
# DOMAIN §10 "Organisation items": 单位建立党组织情况.
UNIT_SITUATIONS = (("same", "与上级党组织所在单位相同"), ("legal", "法人单位"), ("joint", "联合党支部"))


def _fields(*specs: FieldSpec) -> dict[str, FieldSpec]:
    return {s.name: s for s in specs}


FIELDS: dict[str, dict[str, FieldSpec]] = {
    ImportKind.MEMBERS: _fields(
        FieldSpec("name", "姓名", T.TEXT, True, width=10, example="张三"),
        FieldSpec("gender", "性别", T.CHOICE, choices=_choices(Gender), width=6, example="男",
                  help="留空时取身份证号码中的性别"),
        FieldSpec("ethnicity", "民族", T.LIST, choices=_ETHNICITIES, width=10, example="汉族", help="留空为汉族"),
        FieldSpec("birth_date", "出生日期", T.DATE, width=12, example="1990-03-07", help="留空时取身份证号码中的日期"),
        FieldSpec("id_number", "公民身份号码", T.IDNUMBER, True, width=21, example="110101199003070011"),
        FieldSpec("phone", "手机号码", T.IDENT, width=14, example="13800138000"),
        FieldSpec("education", "学历", T.CHOICE, choices=_choices(Education), width=12, example="大学本科"),
        FieldSpec("job_title", "职务/岗位", T.TEXT, width=18, example="技术员"),
        FieldSpec("unit", "工作单位代码", T.IDENT, width=14, help="企业单位代码（可留空）"),
        FieldSpec("hire_date", "参加工作日期", T.DATE, width=12, example="2012-07-01"),
        FieldSpec("category", "人员类别", T.CHOICE, True, choices=_choices(Category), width=10, example="正式党员"),
        FieldSpec("joined_on", "入党日期", T.DATE, True, width=12, example="2015-06-30"),
        FieldSpec("full_member_on", "转正日期", T.DATE, width=12, example="2016-06-30", help="正式党员必填"),
        FieldSpec("org", "所在党支部代码", T.IDENT, True, width=14, example="A1", help="党支部的组织代码"),
        FieldSpec("org_name", "所在党支部", T.TEXT, width=24, help="党支部全称（与组织代码二选一）"),
        FieldSpec("party_group", "所在党小组代码", T.IDENT, width=14, help="该党支部下党小组的组织代码"),
        FieldSpec("status", "党籍状态", T.CHOICE, choices=_choices(MemberStatus), width=10, example="正常",
                  help="留空为正常"),
        FieldSpec("org_label", "所在党支部名称", T.DERIVED, width=24, help="导出时附带，导入时忽略"),
        FieldSpec("is_lost", "是否失联党员", T.DERIVED, choices=_YES_NO, width=8, help="由党籍状态得出"),
        FieldSpec("is_mobile", "是否流动党员", T.DERIVED, choices=_YES_NO, width=8, help="由党籍状态得出"),
    ),
    ImportKind.ORGS: _fields(
        FieldSpec("code", "组织代码", T.IDENT, True, width=14, example="A9"),
        FieldSpec("name", "组织名称", T.TEXT, True, width=28, example="中共某某公司第九支部委员会"),
        FieldSpec("short_name", "简称", T.TEXT, width=14, example="第九支部"),
        FieldSpec("org_type", "组织类别", T.CHOICE, True, choices=_choices(OrgType), width=10, example="党支部"),
        FieldSpec("parent_code", "上级组织代码", T.IDENT, width=14, example="A", help="顶层组织留空"),
        FieldSpec("is_joint", "联合党支部", T.BOOL, choices=_YES_NO, width=10, example="否"),
        FieldSpec("established_on", "成立日期", T.DATE, width=12, example="2018-05-04"),
        FieldSpec("approval_doc", "批准文号", T.TEXT, width=18, example="某党发〔2018〕12号"),
        FieldSpec("approval_date", "批准日期", T.DATE, width=12, example="2018-04-28"),
        FieldSpec("contact_person", "联系人", T.TEXT, width=10, example="李四"),
        FieldSpec("contact_phone", "联系电话", T.TEXT, width=16, example="010-66668888"),
        FieldSpec("region", "所在地区", T.TEXT, width=14),
        FieldSpec("unit_situation", "单位建立党组织情况", T.CHOICE, choices=UNIT_SITUATIONS, width=20,
                  help="选“联合党支部”即为联合党支部；导出时按关联单位得出"),
        FieldSpec("secretary", "党组织书记", T.DERIVED, width=10, help="现任书记（空缺时为空），导入时忽略"),
        FieldSpec("unit_name", "单位名称", T.DERIVED, width=24, help="关联的企业单位，导入时忽略"),
        FieldSpec("unit_type", "单位类别", T.DERIVED, width=10, help="关联企业单位的类型，导入时忽略"),
        FieldSpec("parent_name", "上级组织名称", T.DERIVED, width=24, help="导出时附带，导入时忽略"),
    ),
    ImportKind.APPLICANTS: _fields(
        FieldSpec("name", "姓名", T.TEXT, True, width=10, example="王五"),
        FieldSpec("gender", "性别", T.CHOICE, choices=_choices(Gender), width=6, example="女",
                  help="留空时取身份证号码中的性别"),
        FieldSpec("ethnicity", "民族", T.LIST, choices=_ETHNICITIES, width=10, example="汉族"),
        FieldSpec("birth_date", "出生日期", T.DATE, width=12, help="留空时取身份证号码中的日期"),
        FieldSpec("id_number", "公民身份号码", T.IDNUMBER, True, width=21, example="110101199805060024"),
        FieldSpec("phone", "手机号码", T.IDENT, width=14),
        FieldSpec("education", "学历", T.CHOICE, choices=_choices(Education), width=12, example="大学本科"),
        FieldSpec("job_title", "职务/岗位", T.TEXT, width=18),
        FieldSpec("unit", "工作单位代码", T.IDENT, width=14),
        FieldSpec("org", "所在党支部代码", T.IDENT, True, width=14, example="A1"),
        FieldSpec("applied_on", "递交入党申请书日期", T.DATE, True, width=14, example="2024-03-01"),
    ),
    ImportKind.DUES_BASES: _fields(
        FieldSpec("id_number", "公民身份号码", T.IDNUMBER, True, width=21, example="110101199003070011"),
        FieldSpec("name", "姓名", T.TEXT, width=10, example="张三", help="填写时须与党员名册一致"),
        FieldSpec("category", "党费类别", T.CHOICE, True, choices=_choices(DuesCategory), width=16, example="在职"),
        FieldSpec("base", "月缴费基数（元）", T.DECIMAL, width=14, example="6500.00", help="固定金额类别可留空"),
        FieldSpec("on", "申报日期", T.DATE, width=12, help="留空为今天"),
    ),
}

# The platform's standard template of each kind: every field in registry order.
_STANDARD_ORDER = {
    ImportKind.MEMBERS: ("name", "gender", "ethnicity", "birth_date", "id_number", "phone", "education", "job_title",
                         "unit", "hire_date", "category", "joined_on", "full_member_on", "org", "party_group",
                         "status", "org_label"),
    ImportKind.ORGS: ("code", "name", "short_name", "org_type", "parent_code", "is_joint", "established_on",
                      "approval_doc", "approval_date", "contact_person", "contact_phone", "region", "parent_name"),
    ImportKind.APPLICANTS: ("name", "gender", "ethnicity", "birth_date", "id_number", "phone", "education",
                            "job_title", "unit", "org", "applied_on"),
    ImportKind.DUES_BASES: ("id_number", "name", "category", "base", "on"),
}


def standard_columns(kind: str) -> list[dict[str, Any]]:
    fields = FIELDS[kind]
    return [{"title": fields[n].title, "field": n, "required": fields[n].required, "codes": {}}
            for n in _STANDARD_ORDER[kind]]


@dataclass
class Column:
    """One column of a mapping: its title, the field it carries, and its code list both ways."""

    title: str
    spec: FieldSpec
    required: bool
    codes: dict[str, str] = field(default_factory=dict)    # cleaned label → value (import)
    labels: dict[str, str] = field(default_factory=dict)   # value → label (export, templates)

    @property
    def field(self) -> str:
        return self.spec.name

    @property
    def options(self) -> list[str]:
        """The labels a dropdown offers (one per value, in the code list's order)."""
        return list(self.labels.values())


_NONE_SPEC = FieldSpec("", "", T.NONE)


class Mapping:
    """A concrete column layout for *kind*: from a profile's ``columns`` or the standard template."""

    def __init__(self, kind: str, columns: list[dict[str, Any]], *, name: str = "") -> None:
        self.kind = kind
        self.name = name or _("标准模板")
        registry = FIELDS[kind]
        self.columns: list[Column] = []
        for raw in columns:
            spec = registry.get(raw.get("field") or "", _NONE_SPEC)
            col = Column(title=str(raw["title"]).strip(), spec=spec, required=bool(raw.get("required")))
            custom = {str(k).strip(): str(v) for k, v in (raw.get("codes") or {}).items()}
            if spec.choices:
                # in the field's own order (a JSON object's key order is not kept by PostgreSQL's jsonb)
                order = {val: n for n, (val, _lbl) in enumerate(spec.choices)}
                pairs = sorted(custom.items(), key=lambda kv: order.get(kv[1], len(order))) \
                    or [(lbl, val) for val, lbl in spec.choices]
                for label, value in pairs:
                    col.codes.setdefault(clean_title(label), value)
                    col.labels.setdefault(value, label)
                # the platform's own labels and values are always understood on import
                for value, label in spec.choices:
                    col.codes.setdefault(clean_title(label), value)
                    col.codes.setdefault(clean_title(value).lower(), value)
                    col.labels.setdefault(value, label)
            self.columns.append(col)

    @classmethod
    def standard(cls, kind: str) -> Mapping:
        return cls(kind, standard_columns(kind))

    def by_field(self) -> dict[str, Column]:
        return {c.field: c for c in self.columns if c.field}

    def title_of(self, field_name: str) -> str:
        col = self.by_field().get(field_name)
        return col.title if col else ""


def mapping_for(kind: str, profile: ExchangeProfile | None) -> Mapping:
    """The column mapping of *kind*: the standard one, or a saved profile's (read in scope by the caller,
    ``exchange.selectors.profile_get``); a profile of another kind is "not found"."""
    if profile is None:
        return Mapping.standard(kind)
    if profile.kind != kind:
        raise Http404("profile of another kind")
    return Mapping(kind, profile.columns, name=profile.name)
