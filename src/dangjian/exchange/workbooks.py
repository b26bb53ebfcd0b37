"""Downloadable .xlsx templates: the mapping's column titles (required ones in red with a note), an
example row (skipped by the importer), dropdowns (data validation lists) for every coded column — long
lists such as the 56 ethnicities sit on a hidden sheet —, column widths and a frozen header row."""
from __future__ import annotations

import datetime as dt
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from dangjian.exchange.choices import EXAMPLE_MARK
from dangjian.exchange.columns import Mapping, T

__all__ = ["CODES_SHEET", "DATA_SHEET", "TEMPLATE_ROWS", "write_template"]

DATA_SHEET = "数据"
CODES_SHEET = "代码表"
HELP_SHEET = "填写说明"
TEMPLATE_ROWS = 5000  # rows the dropdowns and date checks cover
_INLINE_LIMIT = 250   # Excel's limit for an inline list formula is 255 characters
_INLINE_OPTIONS = 20  # longer lists (56 ethnicities, branch codes) go to the hidden code sheet
HEADER_FILL = PatternFill("solid", fgColor="FDE9E7")


def write_template(mapping: Mapping, out: IO[bytes], *, extra_lists: dict[str, list[str]] | None = None) -> None:
    """A template for *mapping*. *extra_lists*: dropdowns for fields without a code list (e.g. the
    actor's branch codes for ``org``), keyed by field name."""
    extra_lists = extra_lists or {}
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    codes = workbook.create_sheet(CODES_SHEET)
    help_sheet = workbook.create_sheet(HELP_SHEET)
    columns = list(mapping.columns)
    code_col = 0
    last = TEMPLATE_ROWS + 1
    example: list[Any] = []
    for index, col in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=col.title)
        cell.font = Font(bold=True, color="B71C1C" if col.required or col.spec.required else "000000")
        cell.fill = HEADER_FILL
        note = col.spec.help or ""
        if col.required or col.spec.required:
            note = _("必填") + ("；" + note if note else "")
        if col.spec.type in (T.DERIVED, T.NONE):
            note = _("导入时忽略") + ("；" + note if note else "")
        if note:
            cell.comment = Comment(note, "dangjian")
        sheet.column_dimensions[letter].width = max(col.spec.width or 12, len(col.title) * 2 + 2)
        options = col.options if col.spec.type in (T.CHOICE, T.LIST, T.BOOL) else extra_lists.get(col.field, [])
        if options:
            inline = ",".join(options)
            if len(inline) <= _INLINE_LIMIT and len(options) <= _INLINE_OPTIONS and all("," not in o and '"' not in o for o in options):
                formula = f'"{inline}"'
            else:
                code_col += 1
                code_letter = get_column_letter(code_col)
                codes.cell(row=1, column=code_col, value=col.title)
                for n, option in enumerate(options, start=2):
                    codes.cell(row=n, column=code_col, value=option)
                formula = f"{quote_sheetname(CODES_SHEET)}!${code_letter}$2:${code_letter}${len(options) + 1}"
            dv = DataValidation(type="list", formula1=formula, allow_blank=True, showDropDown=False)
            dv.error = _("请从下拉列表中选择")
            dv.errorTitle = col.title
            dv.prompt = note or _("请从下拉列表中选择")
            dv.promptTitle = col.title
            dv.showErrorMessage = col.spec.type != T.TEXT and col.spec.type != T.IDENT
            dv.add(f"{letter}2:{letter}{last}")
            sheet.add_data_validation(dv)
        elif col.spec.type == T.DATE:
            dv = DataValidation(type="date", operator="between", formula1="DATE(1900,1,1)", formula2="TODAY()",
                                allow_blank=True)
            dv.error = _("请填写不晚于今天的日期，如 2020-01-01")
            dv.errorTitle = col.title
            dv.showErrorMessage = True
            dv.add(f"{letter}2:{letter}{last}")
            sheet.add_data_validation(dv)
            for row in range(2, 3):
                sheet.cell(row=row, column=index).number_format = "yyyy-mm-dd"
        elif col.spec.type in (T.IDNUMBER, T.IDENT):
            for row in range(2, 3):
                sheet.cell(row=row, column=index).number_format = "@"  # text: no scientific notation
        example.append(_example(col, options))
    if example and columns:
        example[0] = f"{EXAMPLE_MARK}{example[0]}"
        for index, value in enumerate(example, start=1):
            cell = sheet.cell(row=2, column=index, value=value)
            cell.font = Font(italic=True, color="808080")
    sheet.freeze_panes = "A2"
    codes.sheet_state = "hidden"
    _help(help_sheet, mapping)
    workbook.save(out)


def _example(col, options: list[str]) -> Any:
    value = col.spec.example
    if col.spec.type == T.CHOICE and value and col.labels:
        # the example is written with the platform label; show this mapping's label for the same value
        value_code = next((v for v, label in col.spec.choices if label == value), None)
        return col.labels.get(value_code, value) if value_code else value
    if col.spec.type == T.DATE and value:
        return dt.date.fromisoformat(value)
    if col.spec.type in (T.DERIVED, T.NONE):
        return ""
    return value


def _help(sheet, mapping: Mapping) -> None:
    sheet.append([_("列名"), _("是否必填"), _("说明"), _("可选值")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for col in mapping.columns:
        required = _("必填") if col.required or col.spec.required else ""
        if col.spec.type in (T.DERIVED, T.NONE):
            required = _("导入时忽略")
        sheet.append([col.title, required, col.spec.help, "、".join(col.options[:60])])
    sheet.append([])
    sheet.append([_("第 2 行以“%(m)s”开头的是示例行，导入时自动跳过，可保留或删除。") % {"m": EXAMPLE_MARK}])
    sheet.append([_("日期可写作 2020-01-01、2020/1/1 或 2020年1月1日；全角数字和首尾空格会自动规范。")])
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 12
    sheet.column_dimensions["C"].width = 40
    sheet.column_dimensions["D"].width = 60
