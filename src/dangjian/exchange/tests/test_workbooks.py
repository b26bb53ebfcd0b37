"""Templates: titles, an example row the importer skips, dropdowns for every coded field (long lists on a
hidden sheet), widths and a frozen header — opened with openpyxl as Excel would."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from dangjian.exchange.columns import Mapping
from dangjian.exchange.models import ExchangeProfile
from dangjian.exchange.services import import_run
from dangjian.exchange.workbooks import write_template
from dangjian.members.choices import ETHNICITIES, MemberStatus


def _template(mapping, **kw):
    out = io.BytesIO()
    write_template(mapping, out, **kw)
    return out.getvalue()


def _validations(sheet):
    """{column title: formula} of the list validations on the data sheet."""
    titles = {c.column_letter: c.value for c in sheet[1]}
    out = {}
    for dv in sheet.data_validations.dataValidation:
        letter = str(dv.sqref).split(":")[0].rstrip("0123456789")
        out[titles[letter]] = (dv.type, dv.formula1)
    return out


def test_member_template_has_dropdowns_for_every_coded_field():
    wb = load_workbook(io.BytesIO(_template(Mapping.standard("members"))))
    sheet = wb["数据"]
    assert [c.value for c in sheet[1]][:5] == ["姓名", "性别", "民族", "出生日期", "公民身份号码"]
    dvs = _validations(sheet)
    assert dvs["性别"] == ("list", '"男,女"')
    assert dvs["学历"] == ("list", '"博士研究生,硕士研究生,大学本科,大学专科,中专,高中,初中及以下"')
    assert dvs["人员类别"] == ("list", '"正式党员,预备党员"')
    assert dvs["党籍状态"] == ("list", '"{}"'.format(",".join(str(label) for label in MemberStatus.labels)))
    assert dvs["党籍状态"][1].startswith('"正常,流动,失联,停止党籍,出党,去世')
    assert dvs["入党日期"][0] == "date"
    # 56 ethnicities are too long for an inline list: they sit on the hidden code sheet
    kind, formula = dvs["民族"]
    assert kind == "list" and formula == "'代码表'!$A$2:$A$57"
    codes = wb["代码表"]
    assert codes.sheet_state == "hidden"
    assert [c.value for c in codes["A"]][1:] == list(ETHNICITIES)
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["E"].width >= 20
    assert sheet["A2"].value.startswith("【示例】")
    assert sheet["A1"].comment is not None and "必填" in sheet["A1"].comment.text
    assert "填写说明" in wb.sheetnames


@pytest.mark.django_db
def test_org_template_and_national_template_use_their_own_labels():
    wb = load_workbook(io.BytesIO(_template(Mapping.standard("orgs"))))
    assert _validations(wb["数据"])["组织类别"] == ("list", '"党委,党总支,党支部,党小组"')
    assert _validations(wb["数据"])["联合党支部"] == ("list", '"是,否"')
    profile = ExchangeProfile.objects.get(code="national-orgs")
    wb = load_workbook(io.BytesIO(_template(Mapping("orgs", profile.columns, name=profile.name))))
    sheet = wb["数据"]
    assert [c.value for c in sheet[1]] == [c["title"] for c in profile.columns]
    assert len(profile.columns) == 10
    assert _validations(sheet)["单位建立党组织情况"] == ("list", '"与上级党组织所在单位相同,法人单位,联合党支部"')


@pytest.mark.django_db
def test_the_blank_template_imports_as_an_empty_file_not_as_its_example(tree):
    report = import_run(actor=None, kind="members", data=_template(Mapping.standard("members")), file_name="t.xlsx")
    assert [e.code for e in report.errors] == ["exchange.file_empty"]
