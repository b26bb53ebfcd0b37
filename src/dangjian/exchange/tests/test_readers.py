"""Reading .csv (UTF-8 with or without BOM, GB18030) and .xlsx tables."""
from __future__ import annotations

import pytest

from dangjian.exchange.cells import CellError
from dangjian.exchange.readers import open_table
from dangjian.exchange.tests.helpers import csv_bytes, xlsx_bytes

HEADER = ["姓名", "民族"]
ROWS = [["张三", "汉族"], ["买买提", "维吾尔族"]]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_encodings(encoding):
    table = open_table(csv_bytes(HEADER, ROWS, encoding=encoding), "x.csv")
    assert table.format == "csv"
    assert table.encoding == encoding
    assert table.header == HEADER
    assert list(table.rows) == [(2, ["张三", "汉族"]), (3, ["买买提", "维吾尔族"])]
    assert table.total == 2


def test_xlsx_rows_are_numbered_as_excel_shows_them_and_blank_rows_skipped():
    data = xlsx_bytes(HEADER, [ROWS[0], [None, None], ROWS[1]])
    table = open_table(data, "x.xlsx")
    assert table.format == "xlsx"
    assert table.header == HEADER
    assert list(table.rows) == [(2, ["张三", "汉族"]), (4, ["买买提", "维吾尔族"])]


def test_header_after_blank_lines():
    table = open_table(b"\n\n" + csv_bytes(HEADER, ROWS, encoding="utf-8"), "x.csv")
    assert table.header_row == 3
    assert [n for n, _cells in table.rows] == [4, 5]


@pytest.mark.parametrize(("data", "code"), [
    (b"", "exchange.file_empty"),
    (b"\n\n\n", "exchange.file_empty"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "exchange.file_type"),
    (b"PK\x03\x04broken", "exchange.file_unreadable"),
])
def test_unreadable_files(data, code):
    with pytest.raises(CellError) as exc:
        open_table(data, "x")
    assert exc.value.code == code


def test_a_caption_row_above_the_titles_is_skipped():
    data = xlsx_bytes(["党员信息采集表", None], [[None, None], HEADER, *ROWS])
    table = open_table(data, "x.xlsx", titles=frozenset(HEADER))
    assert (table.header_row, table.header) == (3, HEADER)
    assert [n for n, _cells in table.rows] == [4, 5]


def test_without_a_recognisable_title_row_the_first_filled_row_is_the_header():
    data = csv_bytes(["甲", "乙"], ROWS, encoding="utf-8")
    table = open_table(data, "x.csv", titles=frozenset(HEADER))
    assert table.header == ["甲", "乙"]
    assert [n for n, _cells in table.rows] == [2, 3]
