"""The one spreadsheet writer: OWASP's formula triggers neutralised, values otherwise typed."""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from dangjian.core.spreadsheet import CSV, XLSX, Cell, TableWriter, csv_lines, neutralise, restore

TRIGGERING = ["=1+1", "+1", "-1+1", "@SUM(1)", "\t=1", "\r=1", "\n=1", "＝1+1", "＋1", "－1", "＠A"]


@pytest.mark.parametrize("text", TRIGGERING)
def test_neutralise_quotes_every_trigger_and_restore_undoes_it(text):
    assert neutralise(text) == "'" + text
    assert restore(neutralise(text)) == text


@pytest.mark.parametrize("text", ["张三", "'quoted", "1-2", "a=b", "", "'", "'a"])
def test_harmless_text_is_left_alone(text):
    assert neutralise(text) == text
    assert restore(text) == text


def _table(fmt: str, rows: list[list]) -> bytes:
    out = io.BytesIO()
    writer = TableWriter(out, fmt, ["a", "b", "c", "d", "e"], text_columns={4})
    for row in rows:
        writer.append(row)
    writer.close()
    return out.getvalue()


ROW = ['=HYPERLINK("http://x","y")', Decimal("-1.50"), dt.date(2024, 4, 1), Cell("-x", bold=True), "110101"]


def test_xlsx_keeps_numbers_and_dates_typed_and_text_never_a_formula():
    sheet = load_workbook(io.BytesIO(_table(XLSX, [ROW]))).active
    a, b, c, d, e = sheet[2]
    assert (a.value, a.data_type, a.quotePrefix) == ('=HYPERLINK("http://x","y")', "s", True)
    assert (b.value, b.data_type) == (-1.5, "n")
    assert (c.value.date(), c.is_date) == (dt.date(2024, 4, 1), True)
    assert (d.value, d.data_type, d.quotePrefix, d.font.b) == ("-x", "s", True, True)
    assert (e.value, e.quotePrefix) == ("110101", False)


def test_csv_quotes_text_only_and_keeps_digit_strings_text_for_excel():
    rows = list(csv.reader(io.StringIO(_table(CSV, [ROW, [None, 3, None, "", "12"]]).decode("utf-8-sig"))))
    assert rows[1] == ["'=HYPERLINK(\"http://x\",\"y\")", "-1.50", "2024-04-01", "'-x", "\t110101"]
    assert rows[2] == ["", "3", "", "", "\t12"]


def test_csv_lines_stream_with_a_bom():
    lines = list(csv_lines(["名称"], [["+1"], ["ok"]]))
    assert lines == ["\ufeff", "名称\r\n", "'+1\r\n", "ok\r\n"]
