"""The fast rules and the services' own validation agree: on every generated row, and on a mutation
of every rule (the fast rules never accept what validate_member / full_clean reject)."""
import datetime as dt
from decimal import Decimal

import pytest

from dangjian.core.rowrules import FieldRules
from dangjian.demo.worker import member_rules
from dangjian.members.models import Member
from dangjian.members.services import validate_member
from dangjian.orgs.models import EnterpriseUnit, Organization
from dangjian.orgs.snapshots import OrgInfo

from .conftest import TODAY

_FIELDS = ("name", "gender", "ethnicity", "birth_date", "id_number", "phone", "education", "job_title", "unit_id",
           "hire_date", "category", "joined_on", "full_member_on", "org_id", "party_group_id", "status")


def _setup():
    orgs = {o.pk: OrgInfo.of(o) for o in Organization.objects.all()}
    return member_rules(today=TODAY, orgs=orgs, unit_ids=set(EnterpriseUnit.objects.values_list("pk", flat=True)))


def _row(member):
    return {name: getattr(member, name) for name in _FIELDS}


def _service_errors(row):
    member = Member(**row)
    try:
        return validate_member(member, today=TODAY)
    except Organization.DoesNotExist:  # validate_member reads member.org before full_clean's error counts
        return ["org: does not exist"]


@pytest.mark.django_db
def test_every_built_row_passes_both(small_demo):
    validator = _setup()
    for member in Member.objects.all():
        row = _row(member)
        assert validator.errors(row) == []
        assert _service_errors(row) == []


def _mutations(row, orgs):
    branch = Organization.objects.get(pk=row["org_id"])
    committee = Organization.objects.filter(org_type="committee").first()
    other_branch = Organization.objects.filter(org_type="branch").exclude(pk=branch.pk).first()
    group_elsewhere = Organization.objects.filter(org_type="group").exclude(path__startswith=branch.path).first()
    body = row["id_number"][:17]
    bad_check = body + ("0" if row["id_number"][17] != "0" else "1")
    future = TODAY + dt.timedelta(days=3)
    cases = {
        "name_blank": {"name": ""},
        "name_too_long": {"name": "张" * 51},
        "gender_choice": {"gender": "X"},
        "gender_mismatch": {"gender": "F" if row["gender"] == "M" else "M"},
        "ethnicity_unknown": {"ethnicity": "火星族"},
        "ethnicity_blank": {"ethnicity": ""},
        "birth_mismatch": {"birth_date": row["birth_date"] + dt.timedelta(days=1)},
        "birth_missing": {"birth_date": None},
        "id_checksum": {"id_number": bad_check},
        "id_length": {"id_number": body},
        "id_province": {"id_number": "99" + row["id_number"][2:]},
        "id_blank": {"id_number": ""},
        "phone_format": {"phone": "12345"},
        "phone_prefix": {"phone": "2" * 11},
        "education_choice": {"education": "phd"},
        "job_title_too_long": {"job_title": "工" * 101},
        "unit_missing": {"unit_id": 99_999_999},
        "hire_future": {"hire_date": future},
        "category_choice": {"category": "honorary"},
        "full_without_date": {"category": "full", "full_member_on": None},
        "probationary_with_date": {"category": "probationary", "full_member_on": row["joined_on"]},
        "full_before_joined": {"category": "full", "full_member_on": row["joined_on"] - dt.timedelta(days=1)},
        "joined_future": {"joined_on": future},
        "joined_missing": {"joined_on": None},
        "org_not_branch": {"org_id": committee.pk, "party_group_id": None},
        "org_missing": {"org_id": 99_999_999, "party_group_id": None},
        "group_not_group": {"party_group_id": other_branch.pk},
        "status_choice": {"status": "gone"},
    }
    if group_elsewhere is not None:
        cases["group_of_other_branch"] = {"party_group_id": group_elsewhere.pk}
    return cases


@pytest.mark.django_db
def test_every_rule_is_caught_by_both_sides(small_demo):
    validator = _setup()
    member = Member.objects.filter(category="full", party_group__isnull=True).first()
    row = _row(member)
    for case, change in _mutations(row, validator.orgs).items():
        mutated = {**row, **change}
        fast = validator.errors(mutated)
        service = _service_errors(mutated)
        assert fast, f"{case}: the fast rules accepted it"
        assert service, f"{case}: validate_member accepted it"
        assert {f for f, _c in fast} >= {e.field for e in service if getattr(e, "field", None)}, case


@pytest.mark.django_db
def test_member_in_dissolved_branch_is_refused_by_both(small_demo):
    member = Member.objects.first()
    Organization.objects.filter(pk=member.org_id).update(status="dissolved")
    validator = _setup()
    row = _row(member)
    assert ("org", "org_dissolved") in validator.errors(row)
    assert any(e.code == "members.org_dissolved" for e in _service_errors(row))


@pytest.mark.django_db
def test_fast_rules_are_stricter_only_on_unnormalised_input(small_demo):
    # validate_member normalises a lower-case check "x" itself; bulk rows must arrive normalised.
    validator = _setup()
    row = _row(Member.objects.first())
    row["id_number"] = row["id_number"][:17] + "x"
    assert ("id_number", "normalized") in validator.errors(row) or validator.errors(row)


@pytest.mark.django_db
def test_field_rules_agree_with_full_clean_for_organisations(small_demo):
    rules = FieldRules(Organization)
    org = Organization.objects.filter(org_type="branch").first()
    row = {f.attname: getattr(org, f.attname) for f in Organization._meta.concrete_fields
           if not f.primary_key and f.name not in ("created_at", "updated_at")}
    assert rules.errors(row) == []
    org.full_clean(validate_unique=False)
    for case, change in {
        "name_blank": {"name": ""},
        "name_too_long": {"name": "党" * 201},
        "type_choice": {"org_type": "cell"},
        "status_choice": {"status": "sleeping"},
        "latitude_digits": {"latitude": Decimal("1234.5")},
        "latitude_places": {"latitude": Decimal("1.1234567")},
        "depth_negative": {"depth": -1},
        "code_too_long": {"code": "D" * 41},
    }.items():
        mutated = {**row, **change}
        assert rules.errors(mutated), case
        with pytest.raises(Exception):  # noqa: B017 - django ValidationError, any field
            Organization(**mutated).full_clean(validate_unique=False)


def test_fast_id_number_check_agrees_with_core_idcard():
    import random

    from dangjian.core.idcard import IdNumberCache as _IdNumbers
    from dangjian.core.idcard import IdNumberError, check_char, parse_id_number

    def reference(value):
        try:
            parsed = parse_id_number(value, today=TODAY)
        except IdNumberError as exc:
            return exc.code, None, None
        return ("normalized" if parsed.value != value else None), parsed.birth_date, parsed.gender

    rng = random.Random(3)
    fast = _IdNumbers(TODAY)
    samples = []
    for _ in range(4000):
        area = rng.choice(["110101", "320505", "990101", "650102", "710000", "000000"])
        year = rng.choice([1899, 1900, 1950, 1988, 2000, 2024, 2025, 2026])
        birth = f"{year}{rng.randint(0, 13):02d}{rng.randint(0, 32):02d}"
        body = f"{area}{birth}{rng.randint(0, 999):03d}"
        good = body + check_char(body)
        samples += [good, body + rng.choice("0123456789Xx"), good.lower(), " " + good, good[:17],
                    good + "1", good.replace("1", "１", 1), good[:5] + "A" + good[6:]]
    samples += ["", "X" * 18, "1" * 18, "11010519491231002X", "11010519491231002x", "110105194912310021"]
    for value in samples:
        assert fast.parse(value) == reference(value), value
