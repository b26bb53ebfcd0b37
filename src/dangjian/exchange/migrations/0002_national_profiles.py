"""Seeds the exchange format of the national member-management system (全国党员管理信息系统), DOMAIN §10:
the 26 basic items of the 2017 nationwide collection — 10 for the organisation and its unit, 16 per
member — as two editable column mappings (one per sheet the collection used: 党组织信息, 党员信息).

The counts are high confidence; the exact item names and code lists are not public (DOMAIN §10 marks
the member items low and the organisation items medium confidence), so each item below carries its
confidence and a unit edits the titles and code lists to match the template its organisation
department issues (``exchange.services.profile_update``)."""
from django.db import migrations

# (title, platform field, required, code list {label in the file: platform value}, confidence)
ORG_ITEMS = [
    ("党组织全称", "name", True, {}, "medium: 'full name as on the seal; without a seal 中共 + unit + org type'"),
    ("党组织代码", "code", True, {}, "low: the platform's own identifier; the national system assigns its own"),
    ("上级党组织代码", "parent_code", False, {}, "low: needed to place the org in the tree"),
    ("党组织书记", "secretary", False, {}, "medium: blank while vacant (export only)"),
    ("党组织联系人", "contact_person", False, {}, "medium"),
    ("联系电话", "contact_phone", False, {}, "medium: landline with area code"),
    ("党组织类别", "org_type", True,
     {"党委": "committee", "党总支": "general_branch", "党支部": "branch", "党小组": "group"},
     "medium (item) / low (code labels: the national category list was not confirmed)"),
    ("单位建立党组织情况", "unit_situation", False,
     {"与上级党组织所在单位相同": "same", "法人单位": "legal", "联合党支部": "joint"}, "medium"),
    ("单位名称", "unit_name", False, {}, "medium (export only: the mapped enterprise unit)"),
    ("单位类别", "unit_type", False, {}, "low (export only: the mapped unit's type)"),
]
MEMBER_ITEMS = [
    ("姓名", "name", True, {}, "low (all member items: DOMAIN §10 'probable')"),
    ("性别", "gender", True, {"男": "M", "女": "F"}, "low"),
    ("公民身份号码", "id_number", True, {}, "low"),
    ("民族", "ethnicity", False, {}, "low"),
    ("出生日期", "birth_date", False, {}, "low"),
    ("学历", "education", False, {}, "low: the platform's education labels until the national code list is known"),
    ("人员类别", "category", True, {"正式党员": "full", "预备党员": "probationary"}, "low"),
    ("工作岗位", "job_title", False, {}, "low: 'personnel category / post'"),
    ("入党时间", "joined_on", True, {}, "low"),
    ("转正时间", "full_member_on", False, {}, "low"),
    ("所在党支部", "org_name", True, {}, "low: the branch's full name"),
    ("联系电话", "phone", False, {}, "low: mobile phone"),
    ("家庭住址", "", False, {}, "low: not stored by the platform (kept blank on export, ignored on import)"),
    ("党籍状态", "status", False, {}, "low"),
    ("是否为失联党员", "is_lost", False, {"是": "true", "否": "false"}, "low: from 党籍状态 (export only)"),
    ("是否为流动党员", "is_mobile", False, {"是": "true", "否": "false"}, "low: from 党籍状态 (export only)"),
]
DESCRIPTION = ("全国党员管理信息系统基础信息采集项（2017 年全国集中采集，共 26 项：党组织 10 项、党员 16 项，DOMAIN §10）。"
               "项目名称与代码表按公开材料推定，请按本单位组织部门下发的模板核对修改列名和代码表。")


def _columns(items):
    return [{"title": t, "field": f, "required": r, "codes": c} for t, f, r, c, _confidence in items]


def seed(apps, schema_editor):
    Profile = apps.get_model("exchange", "ExchangeProfile")
    Profile.objects.update_or_create(code="national-orgs", defaults={
        "name": "全国党员管理信息系统 · 党组织（10 项）", "kind": "orgs", "columns": _columns(ORG_ITEMS),
        "description": DESCRIPTION})
    Profile.objects.update_or_create(code="national-members", defaults={
        "name": "全国党员管理信息系统 · 党员（16 项）", "kind": "members", "columns": _columns(MEMBER_ITEMS),
        "description": DESCRIPTION})


def unseed(apps, schema_editor):
    apps.get_model("exchange", "ExchangeProfile").objects.filter(code__in=["national-orgs", "national-members"],
                                                                 org__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("exchange", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
