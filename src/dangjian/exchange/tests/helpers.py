"""Builders of import files for the exchange tests: rows → .csv / .xlsx bytes."""
from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from openpyxl import Workbook

from tests.fixtures import make_id_number

__all__ = ["MEMBER_HEADER", "csv_bytes", "member_row", "xlsx_bytes"]

MEMBER_HEADER = ["姓名", "性别", "民族", "出生日期", "公民身份号码", "手机号码", "学历", "人员类别", "入党日期", "转正日期",
                 "所在党支部代码", "党籍状态"]


def member_row(n: int, org: str = "A1", **over: Any) -> list[Any]:
    birth = dt.date(1985, 1, 1) + dt.timedelta(days=n * 11)
    gender = "男" if n % 2 else "女"
    row = {"姓名": f"导入党员{n}", "性别": gender, "民族": "汉族", "出生日期": birth.isoformat(),
           "公民身份号码": make_id_number(birth, 500 + n, gender="M" if n % 2 else "F"), "手机号码": f"139{n:08d}",
           "学历": "大学本科", "人员类别": "正式党员", "入党日期": "2010-07-01", "转正日期": "2011-07-01",
           "所在党支部代码": org, "党籍状态": "正常"}
    row.update(over)
    return [row[h] for h in MEMBER_HEADER]


def csv_bytes(header: list[str], rows: list[list[Any]], encoding: str = "utf-8-sig") -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode(encoding)


def xlsx_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
