"""Cell normalisation: full-width digits and stray spaces are normalised, not rejected; dates in the
forms people type; code lists."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dangjian.exchange.cells import (
    CellError,
    clean_ident,
    clean_text,
    clean_title,
    parse_bool,
    parse_date,
    parse_decimal,
)


@pytest.mark.parametrize(("raw", "expected", "_case"), [
    ("  张三 ", "张三", "ascii spaces"),
    ("\u3000张三\u3000", "张三", "full-width spaces"),
    ("\u00a0张三\u200b", "张三", "no-break and zero-width"),
    ("第１支部", "第1支部", "full-width digit inside text"),
    ("技术员（兼）", "技术员（兼）", "full-width brackets kept"),
    (None, "", "empty cell"),
    (12.0, "12", "integral float"),
])
def test_clean_text(raw, expected, _case):
    assert clean_text(raw) == expected


@pytest.mark.parametrize(("raw", "expected", "_case"), [
    ("１１０１０１ １９９００３０７００１Ｘ", "110101199003070011X".replace("0011X", "001X"), "full-width with inner space"),
    (" 138 0013 8000 ", "13800138000", "phone with spaces"),
    ("\t110101199003070011", "110101199003070011", "csv text guard"),
    (13800138000, "13800138000", "number cell"),
])
def test_clean_ident(raw, expected, _case):
    assert clean_ident(raw) == expected


def test_clean_title_ignores_spaces_and_required_mark():
    assert clean_title(" 公民 身份号码 *") == "公民身份号码"


@pytest.mark.parametrize(("raw", "_case"), [
    ("2020-01-01", "iso"), ("2020/1/1", "slashes"), ("2020.1.1", "dots"), ("2020年1月1日", "chinese"),
    ("２０２０年１月１日", "full-width digits"), (" 2020-01-01 ", "spaces"), ("20200101", "compact"),
    (dt.datetime(2020, 1, 1, 0, 0), "excel date cell"),  # noqa: DTZ001 - openpyxl gives naive datetimes
    (dt.date(2020, 1, 1), "date"), (43831, "excel serial"),
    ("2020-01-01 00:00:00", "datetime text"),
])
def test_parse_date_forms(raw, _case):
    assert parse_date(raw) == dt.date(2020, 1, 1)


@pytest.mark.parametrize("raw", ["2020-02-30", "昨天", "2020-13-01", "1/1/2020"])
def test_parse_date_rejects_with_a_code(raw):
    with pytest.raises(CellError) as exc:
        parse_date(raw)
    assert exc.value.code == "exchange.date_invalid"


def test_parse_date_blank():
    assert parse_date("") is None
    assert parse_date(None) is None
    assert parse_date("\u3000") is None


@pytest.mark.parametrize(("raw", "expected"), [("是", True), ("否", False), ("Y", True), ("0", False), ("", None)])
def test_parse_bool(raw, expected):
    assert parse_bool(raw) is expected


def test_parse_bool_rejects():
    with pytest.raises(CellError):
        parse_bool("也许")


@pytest.mark.parametrize(("raw", "expected"), [("6,500.00", Decimal("6500.00")), ("６５００元", Decimal("6500")),
                                               (6500.5, Decimal("6500.5")), ("", None)])
def test_parse_decimal(raw, expected):
    assert parse_decimal(raw) == expected


def test_parse_decimal_rejects():
    with pytest.raises(CellError) as exc:
        parse_decimal("六千")
    assert exc.value.code == "exchange.number_invalid"
