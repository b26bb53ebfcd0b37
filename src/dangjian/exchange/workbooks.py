"""Downloadable .xlsx templates: the mapping's column titles (required ones in red with a note), an
example row (skipped by the importer), dropdowns (data validation lists) for every coded column — long
lists such as the 56 ethnicities sit on a hidden sheet —, column widths and a frozen header row."""
from __future__ import annotations

import datetime as dt
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from dangjian.core.spreadsheet import Cell, XlsxBook, XlsxSheet
from dangjian.exchange.choices import EXAMPLE_MARK
from dangjian.exchange.columns import Mapping, T

__all__ = ["CODES_SHEET", "DATA_SHEET", "TEMPLATE_ROWS", "write_template"]

DATA_SHEET = "数据"
CODES_SHEET = "代码表"
HELP_SHEET = "填写说明"
TEMPLATE_ROWS = 5000  # rows the dropdowns and date checks cover
_INLINE_LIMIT = 250   # Excel's limit for an inline list formula is 255 characters
_INLINE_OPTIONS = 20  # longer lists (56 ethnicities, branch codes) go to the hidden code sheet
HEADER_FILL = "FDE9E7"


def write_template(mapping: Mapping, out: IO[bytes], *, extra_lists: dict[str, list[str]] | None = None) -> None:
    """A template for *mapping*. *extra_lists*: dropdowns for fields without a code list (e.g. the
    actor's branch codes for ``org``), keyed by field name.

    Written by the one spreadsheet writer (a write-only workbook): column titles, code lists and org
    names a person typed can never become formulas."""
    extra_lists = extra_lists or {}
    columns = list(mapping.columns)
    last = TEMPLATE_ROWS + 1
    header: list[Cell] = []
    example: list[Any] = []
    formats: list[str | None] = []
    validations: list[DataValidation] = []
    code_lists: list[tuple[str, list[str]]] = []  # (title, options) of the hidden code sheet's columns
    for index, col in enumerate(columns, start=1):
        letter = get_column_letter(index)
        note = col.spec.help or ""
        if col.required or col.spec.required:
            note = _("必填") + ("；" + note if note else "")
        if col.spec.type in (T.DERIVED, T.NONE):
            note = _("导入时忽略") + ("；" + note if note else "")
        header.append(Cell(col.title, bold=True, color="B71C1C" if col.required or col.spec.required else "000000",
                           fill=HEADER_FILL, comment=note or None))
        options = col.options if col.spec.type in (T.CHOICE, T.LIST, T.BOOL) else extra_lists.get(col.field, [])
        number_format = None
        if options:
            inline = ",".join(options)
            if len(inline) <= _INLINE_LIMIT and len(options) <= _INLINE_OPTIONS and all("," not in o and '"' not in o for o in options):
                formula = f'"{inline}"'
            else:
                code_lists.append((col.title, list(options)))
                code_letter = get_column_letter(len(code_lists))
                formula = f"{quote_sheetname(CODES_SHEET)}!${code_letter}$2:${code_letter}${len(options) + 1}"
            dv = DataValidation(type="list", formula1=formula, allow_blank=True, showDropDown=False)
            dv.error = _("请从下拉列表中选择")
            dv.errorTitle = col.title
            dv.prompt = note or _("请从下拉列表中选择")
            dv.promptTitle = col.title
            dv.showErrorMessage = col.spec.type != T.TEXT and col.spec.type != T.IDENT
            dv.add(f"{letter}2:{letter}{last}")
            validations.append(dv)
        elif col.spec.type == T.DATE:
            dv = DataValidation(type="date", operator="between", formula1="DATE(1900,1,1)", formula2="TODAY()",
                                allow_blank=True)
            dv.error = _("请填写不晚于今天的日期，如 2020-01-01")
            dv.errorTitle = col.title
            dv.showErrorMessage = True
            dv.add(f"{letter}2:{letter}{last}")
            validations.append(dv)
            number_format = "yyyy-mm-dd"
        elif col.spec.type in (T.IDNUMBER, T.IDENT):
            number_format = "@"  # text: no scientific notation
        formats.append(number_format)
        example.append(_example(col, options))
    if example and columns:
        example[0] = f"{EXAMPLE_MARK}{example[0]}"
    book = XlsxBook()
    widths = {i: max(c.spec.width or 12, len(c.title) * 2 + 2) for i, c in enumerate(columns, start=1)}
    sheet = book.sheet(DATA_SHEET, widths=widths, freeze="A2")
    codes = book.sheet(CODES_SHEET, hidden=True)
    help_sheet = book.sheet(HELP_SHEET, widths={1: 20, 2: 12, 3: 40, 4: 60})
    sheet.append(header)
    if columns:
        sheet.append([Cell(value if value != "" else None, italic=True, color="808080", number_format=fmt)
                      for value, fmt in zip(example, formats, strict=True)])
    for dv in validations:
        sheet.add_validation(dv)
    if code_lists:
        codes.append([title for title, _options in code_lists])
        for n in range(max(len(options) for _title, options in code_lists)):
            codes.append([options[n] if n < len(options) else None for _title, options in code_lists])
    _help(help_sheet, mapping)
    book.save(out)


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


def _help(sheet: XlsxSheet, mapping: Mapping) -> None:
    sheet.append([Cell(t, bold=True) for t in (_("列名"), _("是否必填"), _("说明"), _("可选值"))])
    for col in mapping.columns:
        required = _("必填") if col.required or col.spec.required else ""
        if col.spec.type in (T.DERIVED, T.NONE):
            required = _("导入时忽略")
        sheet.append([col.title, required, col.spec.help, "、".join(col.options[:60])])
    sheet.append([])
    sheet.append([_("第 2 行以“%(m)s”开头的是示例行，导入时自动跳过，可保留或删除。") % {"m": EXAMPLE_MARK}])
    sheet.append([_("日期可写作 2020-01-01、2020/1/1 或 2020年1月1日；全角数字和首尾空格会自动规范。")])
