"""Seed the dues rule sets of DOMAIN §1 as editable data: 2008 (Dues Rules 2008) and 2017 (Dues Notice 2017).

Dates are at year granularity (the 2008 rules applied until the 2017 notice); administrators can
correct them. Every value carries its citation.
"""
import datetime as dt
from decimal import Decimal as D

from django.db import migrations

RATE_BRACKETS = [  # (lower exclusive, upper inclusive, rate) — DOMAIN §1 "In-service rate brackets"
    (None, D("3000.00"), D("0.0050")),
    (D("3000.00"), D("5000.00"), D("0.0100")),
    (D("5000.00"), D("10000.00"), D("0.0150")),
    (D("10000.00"), None, D("0.0200")),
]
RETIRED_BRACKETS = [  # DOMAIN §1 "Retirees"
    (None, D("5000.00"), D("0.0050")),
    (D("5000.00"), None, D("0.0100")),
]
CITE = {
    "in_service": "DOMAIN §1 in-service rate brackets (whole base at one rate, upper bound in the lower bracket); "
                  "Dues Rules 2008 art. 2",
    "annual_salary": "DOMAIN §1 annual-salary members: pay received that month, in-service brackets; "
                     "Dues Rules 2008 art. 3; Dues Notice 2017 §1(4)",
    "self_employed": "DOMAIN §1 self-employed: previous quarter's average monthly net income, in-service brackets; "
                     "Dues Rules 2008 art. 4",
    "retired": "DOMAIN §1 retirees: total retirement pay or pension; Dues Rules 2008 art. 5",
    "farmer": "DOMAIN §1 fixed amounts: farmers 0.2–1.0 yuan a month, the province sets the amount; "
              "Dues Rules 2008 art. 6",
    "student": "DOMAIN §1 fixed amounts: students 0.2 yuan a month; Dues Rules 2008 art. 6",
    "unemployed": "DOMAIN §1 fixed amounts: laid-off or unemployed 0.2 yuan a month; Dues Rules 2008 art. 6",
    "low_income": "DOMAIN §1 fixed amounts: relief, disability/bereavement pensions, 低保: 0.2 yuan a month; "
                  "Dues Rules 2008 art. 6",
}
FIXED = {  # category: (default amount, min, max)
    "farmer": (D("0.50"), D("0.20"), D("1.00")),
    "student": (D("0.20"), None, None),
    "unemployed": (D("0.20"), None, None),
    "low_income": (D("0.20"), None, None),
}
COMMON = {
    "rounding_step": D("0.01"),  # DOMAIN §1 "Rounding": no national rule; default 0.01 yuan half up
    "rounding_mode": "half_up",
    "large_payment_threshold": D("1000.00"),  # DOMAIN §1 "Voluntary extra": single payment ≥ 1000 yuan
    "arrears_warn_months": 3,  # alerts before the 6-month rule (DOMAIN §1 "Non-payment for 6 months")
    "arrears_severe_months": 5,
    "arrears_limit_months": 6,  # Constitution art. 9; Dues Rules 2008 art. 12 (number inferred)
}
RULE_SETS = [
    {
        "version": "2008",
        "name": "中共中央组织部《关于中国共产党党费收缴、使用和管理的规定》",
        "effective_from": dt.date(2008, 1, 1),
        "effective_to": dt.date(2016, 12, 31),
        "citation": "Dues Rules 2008 (中组发〔2008〕3号) arts. 1–12; DOMAIN §1. Base follows pay changes from the "
                    "month the new pay starts (art. 10); no monthly cap.",
        "base_mode": "monthly",
        "monthly_cap": None,
    },
    {
        "version": "2017",
        "name": "中组部办公厅《关于进一步规范党费工作的通知》",
        "effective_from": dt.date(2017, 1, 1),
        "effective_to": None,
        "citation": "Dues Notice 2017 (组电明字〔2017〕5号) §1 over Dues Rules 2008; DOMAIN §1. Base fixed once a "
                    "year at the start of the year (§1(1)); monthly amount at most 1000 yuan (§1(1)).",
        "base_mode": "annual",
        "monthly_cap": D("1000.00"),  # DOMAIN §1 "Monthly cap"
    },
]


def seed(apps, schema_editor):
    RuleSet = apps.get_model("dues", "DuesRuleSet")
    Bracket = apps.get_model("dues", "DuesBracket")
    for data in RULE_SETS:
        rule_set, created = RuleSet.objects.get_or_create(version=data["version"], defaults={**COMMON, **data})
        if not created:
            continue
        rows = []
        for category in ("in_service", "annual_salary", "self_employed"):
            rows += [Bracket(rule_set=rule_set, category=category, lower=lo, upper=hi, rate=rate,
                             citation=CITE[category]) for lo, hi, rate in RATE_BRACKETS]
        rows += [Bracket(rule_set=rule_set, category="retired", lower=lo, upper=hi, rate=rate,
                         citation=CITE["retired"]) for lo, hi, rate in RETIRED_BRACKETS]
        rows += [Bracket(rule_set=rule_set, category=category, fixed_amount=amount, fixed_min=lo, fixed_max=hi,
                         citation=CITE[category]) for category, (amount, lo, hi) in FIXED.items()]
        Bracket.objects.bulk_create(rows)


def unseed(apps, schema_editor):
    RuleSet = apps.get_model("dues", "DuesRuleSet")
    RuleSet.objects.filter(version__in=[d["version"] for d in RULE_SETS]).delete()


class Migration(migrations.Migration):
    dependencies = [("dues", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
