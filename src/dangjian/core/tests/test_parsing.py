"""User-supplied numbers (issue 7, defect 6): ASCII digits only, bounded; money has a range."""
from __future__ import annotations

from decimal import Decimal

import pytest

from dangjian.core.idcard import IdNumberError, parse_id_number
from dangjian.core.money import MoneyError, parse_money
from dangjian.core.parsing import MAX_ID, is_ascii_digits, parse_id, parse_int


@pytest.mark.parametrize(("_case", "raw", "expected"), [
    ("plain", "42", 42),
    ("spaces", " 42 ", 42),
    ("int", 7, 7),
    ("largest id", str(MAX_ID), MAX_ID),
    ("superscript three", "³", None),
    ("circled one", "①", None),
    ("arabic-indic digits", "٣", None),
    ("full-width digits", "１２", None),
    ("one past bigint", str(MAX_ID + 1), None),
    ("4301 digits", "9" * 4301, None),
    ("zero", "0", None),
    ("negative", "-3", None),
    ("exponent", "1e3", None),
    ("bool", True, None),
    ("float", 1.0, None),
    ("none", None, None),
])
def test_parse_id_accepts_only_ascii_digits_in_range(_case, raw, expected):
    assert parse_id(raw) == expected


def test_parse_int_bounds_and_sign():
    assert (parse_int("-5"), parse_int("+5"), parse_int("5", maximum=4), parse_int("3", minimum=4)) == (-5, 5, None,
                                                                                                      None)
    assert (is_ascii_digits("123"), is_ascii_digits("1²"), is_ascii_digits(""), is_ascii_digits(12)) == (
        True, False, False, False)


@pytest.mark.parametrize(("_case", "raw", "code"), [
    ("1e26", "1e26", "range"),
    ("1e30", "1e30", "range"),
    ("huge exponent", "1e999999999", "range"),
    ("negative huge exponent", "-1e999999999", "range"),
    ("tiny exponent", "1e-999999999", "precision"),
    ("one past the maximum", "10000000000", "range"),
    ("5000 digits", "1" * 5000, "range"),
    ("int too big", 10**30, "range"),
    ("decimal too big", Decimal("1e30"), "range"),
    ("nan", "NaN", "invalid"),
    ("signalling nan", "sNaN", "invalid"),
    ("infinity", "Infinity", "invalid"),
    ("minus inf", "-inf", "invalid"),
])
def test_parse_money_refuses_out_of_range_and_non_finite_with_a_code(_case, raw, code):
    with pytest.raises(MoneyError) as info:
        parse_money(raw)
    assert info.value.code == code


def test_parse_money_keeps_the_largest_storable_amount():
    assert parse_money("9999999999.99") == Decimal("9999999999.99")
    assert parse_money("-9999999999.99") == Decimal("-9999999999.99")


def test_id_number_with_a_superscript_digit_is_a_charset_error_not_a_crash():
    # given: a valid number with its 15th digit replaced by a superscript (isdigit() is true for it)
    raw = "11010519491231002X"
    bad = raw[:14] + "²" + raw[15:]
    # when / then
    with pytest.raises(IdNumberError) as info:
        parse_id_number(bad)
    assert info.value.code == "id_number.charset"
