"""The dues calculator at every boundary of DOMAIN §1, against the seeded rule sets."""
import datetime as dt
from decimal import Decimal

import pytest

from dangjian.core.errors import DomainError
from dangjian.core.money import MoneyError, parse_money, round_money
from dangjian.dues.models import DuesRuleSet
from dangjian.dues.rules import calculate, compile_rule_set

pytestmark = pytest.mark.django_db

ON_2024 = dt.date(2024, 6, 1)


@pytest.mark.parametrize(
    ("_case", "category", "base", "amount", "rate"),
    [
        ("zero", "in_service", "0", "0.00", "0.005"),
        ("first_bracket_top", "in_service", "3000.00", "15.00", "0.005"),
        ("second_bracket_bottom", "in_service", "3000.01", "30.00", "0.01"),
        ("second_bracket_top", "in_service", "5000.00", "50.00", "0.01"),
        ("third_bracket_bottom", "in_service", "5000.01", "75.00", "0.015"),
        ("third_bracket_top", "in_service", "10000.00", "150.00", "0.015"),
        ("fourth_bracket_bottom", "in_service", "10000.01", "200.00", "0.02"),
        ("annual_salary_same_brackets", "annual_salary", "5000.01", "75.00", "0.015"),
        ("self_employed_same_brackets", "self_employed", "3000.01", "30.00", "0.01"),
        ("retired_lower_top", "retired", "5000.00", "25.00", "0.005"),
        ("retired_upper_bottom", "retired", "5000.01", "50.00", "0.01"),
    ],
)
def test_bracket_boundaries_whole_base_at_one_rate(_case, category, base, amount, rate):
    # when
    calc = calculate(category, base, on=ON_2024)
    # then
    assert calc.amount == Decimal(amount)
    assert str(calc.amount) == amount
    assert calc.rate.normalize() == Decimal(rate)
    assert (calc.rule_set_version, calc.capped) == ("2017", False)


def test_cap_limits_the_monthly_amount_to_1000():
    calc = calculate("in_service", "60000", on=ON_2024)
    assert (calc.amount, calc.capped, calc.standard_amount) == (Decimal("1000.00"), True, Decimal("1200.00"))


def test_cap_boundary_exactly_1000_is_not_capped():
    calc = calculate("in_service", "50000.00", on=ON_2024)
    assert (calc.amount, calc.capped) == (Decimal("1000.00"), False)
    over = calculate("in_service", "50000.50", on=ON_2024)
    assert (over.amount, over.capped) == (Decimal("1000.00"), True)


def test_2008_rules_had_no_cap():
    calc = calculate("in_service", "60000", on=dt.date(2016, 12, 31))
    assert (calc.amount, calc.capped, calc.rule_set_version) == (Decimal("1200.00"), False, "2008")


def test_rule_set_switches_on_its_first_day():
    assert calculate("in_service", "60000", on=dt.date(2017, 1, 1)).rule_set_version == "2017"


@pytest.mark.parametrize(
    ("_case", "category", "amount"),
    [
        ("farmer_default", "farmer", "0.50"),
        ("student", "student", "0.20"),
        ("unemployed", "unemployed", "0.20"),
        ("low_income", "low_income", "0.20"),
    ],
)
def test_fixed_amounts_ignore_the_base(_case, category, amount):
    calc = calculate(category, "8000", on=ON_2024)
    assert (calc.amount, calc.rate, calc.base) == (Decimal(amount), None, None)
    assert calculate(category, None, on=ON_2024).amount == Decimal(amount)


@pytest.mark.parametrize(
    ("_case", "step", "mode", "base", "amount"),
    [
        # 3333.33 × 1% = 33.3333
        ("cent_half_up", "0.01", "half_up", "3333.33", "33.33"),
        ("dime_half_up", "0.1", "half_up", "3333.33", "33.30"),
        ("yuan_half_up", "1", "half_up", "3333.33", "33.00"),
        # 3050 × 1% = 30.50: half goes up
        ("yuan_half_up_at_half", "1", "half_up", "3050.00", "31.00"),
        ("yuan_half_even_at_half", "1", "half_even", "3050.00", "30.00"),
        ("yuan_down", "1", "down", "3099.00", "30.00"),
        # 2999.99 × 0.5% = 14.99995 → 15.00 at the cent, half up
        ("cent_half_up_carry", "0.01", "half_up", "2999.99", "15.00"),
        ("cent_down", "0.01", "down", "2999.99", "14.99"),
    ],
)
def test_rounding_per_rule_set_setting(_case, step, mode, base, amount):
    # given
    rule_set = DuesRuleSet.objects.get(version="2017")
    rule_set.rounding_step = Decimal(step)
    rule_set.rounding_mode = mode
    # when
    calc = calculate("in_service", base, rule_set=compile_rule_set(rule_set))
    # then
    assert str(calc.amount) == amount


@pytest.mark.parametrize(
    ("_case", "category", "base", "expected"),
    [
        ("unknown_category", "soldier", "3000", {("dues.category_unknown", "category")}),
        ("non_numeric_base", "in_service", "abc", {("dues.base_invalid", "base")}),
        ("negative_base", "in_service", "-1", {("dues.base_negative", "base")}),
        ("three_decimals", "in_service", "1.005", {("dues.base_invalid", "base")}),
        ("missing_base", "in_service", "", {("dues.base_required", "base")}),
        ("both_bad", "x", "y", {("dues.category_unknown", "category"), ("dues.base_invalid", "base")}),
    ],
)
def test_bad_input_names_the_field(_case, category, base, expected):
    with pytest.raises(DomainError) as exc:
        calculate(category, base, on=ON_2024)
    assert {(e.code, e.field) for e in exc.value.errors} == expected


def test_no_rule_set_before_2008():
    with pytest.raises(DomainError) as exc:
        calculate("in_service", "3000", on=dt.date(2007, 12, 31))
    assert [(e.code, e.field) for e in exc.value.errors] == [("dues.no_rule_set", "on")]


@pytest.mark.parametrize(
    ("_case", "text", "value"),
    [
        ("fullwidth_and_separators", "１，０００.５", "1000.50"),
        ("yuan_sign_and_spaces", " ¥30 ", "30.00"),
        ("integer", 7, "7.00"),
    ],
)
def test_parse_money_normalises(_case, text, value):
    assert str(parse_money(text)) == value


@pytest.mark.parametrize(("_case", "value", "code"), [("float", 0.1, "invalid"), ("nan", "NaN", "invalid"),
                                                     ("inf", "Infinity", "invalid"), ("precision", "0.001",
                                                                                      "precision")])
def test_parse_money_refuses(_case, value, code):
    with pytest.raises(MoneyError) as exc:
        parse_money(value)
    assert exc.value.code == code


def test_round_money_steps():
    assert str(round_money(Decimal("14.99995"))) == "15.00"
    assert str(round_money(Decimal("33.35"), Decimal("0.1"))) == "33.40"


@pytest.mark.parametrize(("_case", "category", "base", "formula"), [
    ("rate", "in_service", "10000.01", "基数 10,000.01 元 × 2% = 200.00 元"),
    ("one and a half", "in_service", "6000", "基数 6,000.00 元 × 1.5% = 90.00 元"),
    ("cap", "in_service", "60000", "基数 60,000.00 元 × 2% = 1,200.00 元，按每月上限 1,000.00 元"),
    ("fixed", "student", None, "固定金额：每月 0.20 元"),
])
def test_the_formula_says_how_the_amount_came_about(_case, category, base, formula):
    assert calculate(category, base, on=dt.date(2024, 1, 1)).formula == formula
