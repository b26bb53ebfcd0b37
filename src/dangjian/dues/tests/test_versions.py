"""Adding a version of the dues rules as data (issue 8, point 5): checked, audited, all or nothing."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError
from dangjian.dues.models import DuesRuleSet
from dangjian.dues.rules import calculate
from dangjian.dues.services import bills_generate, rule_set_add, rule_set_update
from dangjian.dues.services.versions import rule_set_template
from tests.fixtures import db_state

pytestmark = pytest.mark.django_db

NEW_START = dt.date(2031, 1, 1)


def _errors(exc):
    return {(e.code, e.field) for e in exc.value.errors}


def _data(**changes):
    """The 2017 version as input, renamed 2031, with *changes* applied."""
    data = rule_set_template(DuesRuleSet.objects.get(version="2017"))
    data.update(version="2031", name="假设的 2031 年党费规定", effective_from=NEW_START)
    data.update(changes)
    return data


def _row(data, category, lower=None):
    return next(r for r in data["brackets"] if r["category"] == category and r["lower"] == lower)


def test_a_version_is_added_and_the_open_one_before_it_closes(user_factory):
    # given: the 2017 version as a template; the top in-service rate raised to 2.5%
    admin = user_factory("root", "sysadmin", None, scope="all")
    data = _data()
    _row(data, "in_service", Decimal("10000.00"))["rate"] = "0.025"
    seq = AuditEntry.objects.count()
    # when
    added = rule_set_add(actor=admin, data=data, reason="测试")
    # then
    assert (added.version, added.effective_from, added.effective_to) == ("2031", NEW_START, None)
    assert added.brackets.count() == 18
    assert DuesRuleSet.objects.get(version="2017").effective_to == dt.date(2030, 12, 31)
    entries = list(AuditEntry.objects.order_by("seq")[seq:].values_list("action", "target_id", "actor_id"))
    previous = DuesRuleSet.objects.get(version="2017")
    assert entries == [("dues.rule_set_add", str(added.pk), admin.pk), ("dues.rules_change", str(previous.pk), admin.pk)]
    add_entry = AuditEntry.objects.get(action="dues.rule_set_add")
    assert len(add_entry.after["brackets"]) == 18 and add_entry.reason == "测试"
    # the calculations use the version in force at the month in question
    assert calculate("in_service", "20000", on=dt.date(2030, 12, 31)).amount == Decimal("400.00")
    assert calculate("in_service", "20000", on=dt.date(2031, 1, 1)).amount == Decimal("500.00")
    assert calculate("in_service", "20000", on=dt.date(2031, 1, 1)).rule_set_version == "2031"


@pytest.mark.parametrize(("_case", "start", "code"), [
    ("same day as 2017", dt.date(2017, 1, 1), "dues.version_overlap"),
    ("inside the closed 2008 version", dt.date(2016, 6, 1), "dues.version_overlap"),
    ("before every version", dt.date(2001, 1, 1), "dues.version_overlap"),
    ("not the first of a month", dt.date(2031, 1, 15), "dues.effective_date_invalid"),
])
def test_an_overlapping_or_mid_month_date_is_a_field_error_and_changes_nothing(_case, start, code):
    # given
    before = db_state()
    # when
    with pytest.raises(DomainError) as exc:
        rule_set_add(actor=None, data=_data(effective_from=start))
    # then
    assert _errors(exc) == {(code, "effective_from")}
    assert db_state() == before


def test_a_gap_after_a_closed_version_is_refused():
    rule_set_update(actor=None, rule_set=DuesRuleSet.objects.get(version="2017"), effective_to=dt.date(2030, 12, 31))
    before = db_state()
    with pytest.raises(DomainError) as exc:
        rule_set_add(actor=None, data=_data(effective_from=dt.date(2031, 3, 1)))
    assert _errors(exc) == {("dues.version_gap", "effective_from")}
    assert db_state() == before
    # the day after the end is fine, and the closed version keeps its end
    rule_set_add(actor=None, data=_data())
    assert DuesRuleSet.objects.get(version="2017").effective_to == dt.date(2030, 12, 31)


def test_months_already_billed_cannot_get_new_rules(dues_member):
    dues_member("A1")
    bills_generate(actor=None, period="2024-03")
    before = db_state()
    with pytest.raises(DomainError) as exc:
        rule_set_add(actor=None, data=_data(effective_from=dt.date(2024, 2, 1)))
    assert _errors(exc) == {("dues.version_bills_issued", "effective_from")}
    assert db_state() == before
    assert "2024-03" in exc.value.errors[0].message


def test_every_problem_of_the_settings_and_brackets_comes_back_at_once():
    # given: a taken version code, bad settings, and brackets with a gap, a rate out of range, a fixed row
    # with a rate, a second fixed row, and the retired category left out
    data = _data(version="2017", name="", rounding_step="0.05", monthly_cap="-1", arrears_warn_months="6",
                 arrears_severe_months="5", arrears_limit_months="6", citation="")
    data["brackets"] = [r for r in data["brackets"] if r["category"] != "retired"]
    _row(data, "in_service", Decimal("3000.00"))["upper"] = Decimal("4000.00")  # gap 4000–5000
    _row(data, "annual_salary", Decimal("10000.00"))["rate"] = "1.5"
    _row(data, "student")["rate"] = "0.01"
    data["brackets"].append({**_row(data, "farmer"), "fixed_amount": "0.6"})
    index = {id(r): i for i, r in enumerate(data["brackets"])}
    gap_row = index[id(_row(data, "in_service", Decimal("5000.00")))]
    rate_row = index[id(_row(data, "annual_salary", Decimal("10000.00")))]
    student_row = index[id(_row(data, "student"))]
    second_farmer = len(data["brackets"]) - 1
    before = db_state()
    # when
    with pytest.raises(DomainError) as exc:
        rule_set_add(actor=None, data=data)
    # then: nothing written; the bracket checks across rows wait for the rows to be valid
    assert db_state() == before
    assert _errors(exc) == {
        ("dues.rule_set_invalid", "name"),
        ("dues.rule_set_invalid", "citation"),
        ("dues.rule_set_invalid", "rounding_step"),
        ("dues.rule_set_invalid", "monthly_cap"),
        ("dues.rule_set_invalid", "arrears_warn_months"),
        ("dues.version_taken", "version"),
        ("dues.bracket_invalid", f"brackets.{rate_row}.rate"),
        ("dues.bracket_invalid", f"brackets.{student_row}.rate"),
    }
    # when the rows themselves are fixed, the cross-row problems show
    _row(data, "annual_salary", Decimal("10000.00"))["rate"] = "0.02"
    _row(data, "student")["rate"] = None
    with pytest.raises(DomainError) as exc:
        rule_set_add(actor=None, data={**data, "version": "2031"})
    assert {(c, f) for c, f in _errors(exc) if f.startswith("brackets")} == {
        ("dues.category_missing", "brackets"),
        ("dues.brackets_not_contiguous", f"brackets.{gap_row}.lower"),
        ("dues.brackets_not_contiguous", f"brackets.{second_farmer}.category"),
    }
    messages = {e.field: e.message for e in exc.value.errors}
    assert messages["brackets"] == "以下人员类别没有档次：离退休"
    assert messages[f"brackets.{gap_row}.lower"].startswith(f"第 {gap_row + 1} 行：")
    assert db_state() == before


def test_bracket_rows_name_their_field():
    data = _data()
    data["brackets"][0].update(lower="abc", citation="")
    data["brackets"][1].update(upper=Decimal("2000.00"))  # below its lower bound 3000
    with pytest.raises(DomainError) as exc:
        rule_set_add(actor=None, data=data)
    assert _errors(exc) == {("dues.bracket_invalid", "brackets.0.lower"), ("dues.bracket_invalid", "brackets.0.citation"),
                            ("dues.bracket_invalid", "brackets.1.upper")}
    with pytest.raises(DomainError) as exc:
        rule_set_add(actor=None, data=_data(brackets=[]))
    assert _errors(exc) == {("dues.brackets_invalid", "brackets")}


def test_control_characters_in_the_texts_are_refused():
    data = _data(name="新\u202e规定")
    data["brackets"][2]["citation"] = "依据\x07"
    with pytest.raises(DomainError) as exc:
        rule_set_add(actor=None, data=data)
    assert _errors(exc) == {("validation.text_bidi", "name"), ("validation.text_control", "brackets.2.citation")}


def test_only_those_who_configure_dues_add_versions(tree, user_factory):
    secretary = user_factory("s", "org_dept", tree["G"], scope="subtree")  # dues.change over everything
    before = db_state()
    with pytest.raises(PermissionDenied):
        rule_set_add(actor=secretary, data=_data())
    assert db_state() == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_versions_added_at_once_cannot_both_start_after_2017():
    # given: two administrators each adding a version right after 2017 (different codes and months)
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("concurrent connections are a PostgreSQL test; the checks are covered sequentially above")
    bodies = [_data(version="2031", effective_from=dt.date(2031, 1, 1)),
              _data(version="2032", effective_from=dt.date(2031, 1, 1))]
    results: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def add(data) -> None:
        try:
            barrier.wait()
            results.append(rule_set_add(actor=None, data=data).version)
        except DomainError as exc:
            results.append(sorted((e.code, e.field) for e in exc.errors)[0][0])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add, args=(body,)) for body in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    # then: the lock makes the second one see the first and overlap it
    assert errors == []
    assert sorted(results, key=lambda r: r.startswith("dues.")) [1] == "dues.version_overlap"
    assert DuesRuleSet.objects.filter(version__in=["2031", "2032"]).count() == 1
    assert DuesRuleSet.objects.get(version="2017").effective_to == dt.date(2030, 12, 31)
