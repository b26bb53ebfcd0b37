"""Generated members: valid, unique and consistent ID numbers and dates, the same whatever the order."""
import datetime as dt
import random

from dangjian.core.idcard import check_char, parse_id_number
from dangjian.demo.people import BranchSpec, PeopleGenerator, branch_positions, id_check_char
from dangjian.demo.plan import add_years
from dangjian.orgs.choices import Position

TODAY = dt.date(2025, 6, 1)


def _specs(count, size=40):
    kinds = ["agency", "production", "project", "retiree", "joint"]
    return [BranchSpec(idx=i, kind=kinds[i % 5], size=size, first=i * size, county_codes=("320102", "320505"),
                       org_pk=i + 1, unit_pks=(i + 1,), group_pks=()) for i in range(count)]


def test_table_driven_check_char_agrees_with_core():
    rng = random.Random(5)
    for _ in range(5000):
        body = "".join(rng.choice("0123456789") for _ in range(17))
        assert id_check_char(body) == check_char(body)


def test_id_numbers_valid_unique_and_consistent_with_birth_date_and_sex():
    people = PeopleGenerator(seed=1, today=TODAY, members=50 * 400)
    rows = [row for spec in _specs(50, 400) for row in people.branch_rows(spec)]
    ids = [r["id_number"] for r in rows]
    assert len(set(ids)) == len(ids) == 20000
    for r in rows:
        parsed = parse_id_number(r["id_number"], today=TODAY)
        assert parsed.birth_date == r["birth_date"] and parsed.gender == r["gender"]
        assert r["joined_on"] >= add_years(r["birth_date"], 18)
        if r["category"] == "full":
            assert r["full_member_on"].toordinal() - r["joined_on"].toordinal() in (365, 366)
            assert r["full_member_on"] <= TODAY
        else:
            assert r["full_member_on"] is None and 0 < (TODAY - r["joined_on"]).days < 365


def test_rows_do_not_depend_on_generation_order():
    specs = _specs(20)
    forward = {s.idx: PeopleGenerator(seed=9, today=TODAY, members=800).branch_rows(s) for s in specs}
    generator = PeopleGenerator(seed=9, today=TODAY, members=800)
    backward = {s.idx: generator.branch_rows(s) for s in reversed(specs)}
    assert forward == backward


def test_mostly_normal_mostly_han_some_mobile_lost_and_probationary():
    people = PeopleGenerator(seed=2, today=TODAY, members=8000)
    rows = [row for spec in _specs(200) for row in people.branch_rows(spec)]
    share = lambda key, value: sum(1 for r in rows if r[key] == value) / len(rows)  # noqa: E731
    assert share("status", "normal") > 0.95 and share("status", "mobile") > 0.01 and share("status", "lost") > 0.003
    assert 0.88 < share("ethnicity", "汉族") < 0.97
    assert 0.01 < share("category", "probationary") < 0.05


def test_branch_committee_positions_follow_domain_2():
    assert branch_positions(3) == (Position.SECRETARY,)
    assert branch_positions(6) == (Position.SECRETARY, Position.DEPUTY_SECRETARY)
    assert len(branch_positions(7)) == 3 and len(branch_positions(20)) == 4 and len(branch_positions(45)) == 5
