"""Members of one branch, generated from the seed, the branch and the member's place in the
enterprise alone, so branches can be generated in any order or in parallel with the same result.

Names come from Faker's ``zh_CN`` person tables drawn with our own seeded generator (calling
``Faker.name()`` per row costs ~27 µs, more than everything else about a member). ID numbers are
valid GB 11643 numbers whose birth date and sex agree with the record (DOMAIN §9) and are unique by
construction: member *i* gets sequence code ``perm(i mod 500)`` (odd for men) and a birth date
``≡ i div 500 (mod K)``, K = ⌈members / 500⌉, so no two members share (birth date, sequence code).
The birth date moves by at most K/2 days for that (a day or two in a demo of a few thousand).
Party dates are consistent: joined at 18 or later, full members converted one year after joining
(DOMAIN §5), probationary members joined within the last year.
"""
from __future__ import annotations

import datetime as dt
import itertools
import random
from bisect import bisect
from dataclasses import dataclass
from typing import Any

from faker.providers.person.zh_CN import Provider as _NameTables
from faker.providers.phone_number.zh_CN import Provider as _PhoneTables

from dangjian.demo.data import ETHNIC_MINORITIES, JOB_TITLES, REGIONS
from dangjian.members.choices import Category, Education, Gender, MemberStatus
from dangjian.orgs.choices import Position

__all__ = [
    "BRANCH_POSITIONS",
    "COMMITTEE_POSITIONS",
    "MAX_MEMBERS",
    "BranchSpec",
    "PeopleGenerator",
    "branch_positions",
    "id_check_char",
]

MAX_MEMBERS = 2_000_000  # the birth-date shift (≤ K/2 days) must stay well inside the age ranges
_DAYS_18 = 6575          # 18 years hold 4 or 5 leap days: birth + 6575 days is on or after the 18th birthday

_LAST = list(_NameTables.last_names.keys())
_LAST_CUM = list(itertools.accumulate(_NameTables.last_names.values()))
_LAST_TOTAL = _LAST_CUM[-1]
_MALE = list(_NameTables.first_names_male)
_FEMALE = list(_NameTables.first_names_female)
_MALE_CHARS = sorted({c for n in _MALE for c in n})
_FEMALE_CHARS = sorted({c for n in _FEMALE for c in n})
_PHONE_PREFIXES = [str(p) for p in _PhoneTables.phonenumber_prefixes]
_ETHNIC = ["汉族"] + [name for name, _w in ETHNIC_MINORITIES]
_ETHNIC_CUM = list(itertools.accumulate([1000 - sum(w for _n, w in ETHNIC_MINORITIES)]  # 汉族 ≈ 93%
                                        + [w for _n, w in ETHNIC_MINORITIES]))
_EDU_YOUNG = ([Education.DOCTOR, Education.MASTER, Education.BACHELOR, Education.COLLEGE, Education.TECHNICAL,
               Education.HIGH_SCHOOL], [1, 22, 77, 92, 97, 100])
_EDU_MIDDLE = ([Education.DOCTOR, Education.MASTER, Education.BACHELOR, Education.COLLEGE, Education.TECHNICAL,
                Education.HIGH_SCHOOL, Education.MIDDLE_SCHOOL], [2, 12, 57, 85, 94, 99, 100])
_EDU_OLD = ([Education.MASTER, Education.BACHELOR, Education.COLLEGE, Education.TECHNICAL, Education.HIGH_SCHOOL,
             Education.MIDDLE_SCHOOL], [3, 28, 58, 78, 92, 100])
_MALE_SHARE = {"production": 0.76, "project": 0.82, "agency": 0.52, "retiree": 0.64, "joint": 0.55}
_ALL_CODES = [code for region in REGIONS for code in region.county_codes]
_MALE_V, _FEMALE_V = Gender.MALE.value, Gender.FEMALE.value
_FULL, _PROBATIONARY = Category.FULL.value, Category.PROBATIONARY.value
_NORMAL, _MOBILE, _LOST = MemberStatus.NORMAL.value, MemberStatus.MOBILE.value, MemberStatus.LOST.value

# GB 11643 check character, table-driven: the weighted sum of 17 digits split into address (6),
# birth date (8) and sequence (3) parts, each looked up once (core.idcard.check_char is the rule;
# tests/test_people.py checks both agree).
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def _weighted(digits: str, offset: int) -> int:
    return sum(int(d) * w for d, w in zip(digits, _WEIGHTS[offset:offset + len(digits)], strict=True))


_SEQ_SUM = [_weighted(f"{s:03d}", 14) for s in range(1000)]
_AREA_SUM: dict[str, int] = {}
_DATE_CACHE: dict[int, tuple[dt.date, str, int]] = {}


def id_check_char(body17: str) -> str:
    area, birth, seq = body17[:6], body17[6:14], int(body17[14:])
    area_sum = _AREA_SUM.get(area)
    if area_sum is None:
        area_sum = _AREA_SUM[area] = _weighted(area, 0)
    return _CHECK[(area_sum + _weighted(birth, 6) + _SEQ_SUM[seq]) % 11]


def _date(ordinal: int) -> tuple[dt.date, str, int]:
    """(date, "YYYYMMDD", weighted sum of those 8 digits), cached: a few tens of thousands of dates."""
    hit = _DATE_CACHE.get(ordinal)
    if hit is None:
        day = dt.date.fromordinal(ordinal)
        text = f"{day.year:04d}{day.month:02d}{day.day:02d}"
        hit = _DATE_CACHE[ordinal] = (day, text, _weighted(text, 6))
    return hit


COMMITTEE_POSITIONS = (Position.SECRETARY, Position.DEPUTY_SECRETARY, Position.ORGANIZATION, Position.PUBLICITY,
                       Position.DISCIPLINE)
# DOMAIN §2 "Branch committee": ≥ 7 full members → 3–5 committee members (secretary, organisation,
# publicity, discipline, a deputy if needed); fewer → a secretary and perhaps a deputy.
BRANCH_POSITIONS = {
    3: (Position.SECRETARY, Position.ORGANIZATION, Position.PUBLICITY),
    4: (Position.SECRETARY, Position.ORGANIZATION, Position.PUBLICITY, Position.DISCIPLINE),
    5: (Position.SECRETARY, Position.DEPUTY_SECRETARY, Position.ORGANIZATION, Position.PUBLICITY,
        Position.DISCIPLINE),
}


def branch_positions(full_members: int) -> tuple[str, ...]:
    if full_members < 7:
        return (Position.SECRETARY, Position.DEPUTY_SECRETARY) if full_members >= 5 else (Position.SECRETARY,)
    return BRANCH_POSITIONS[3 if full_members < 15 else 4 if full_members < 30 else 5]


@dataclass(frozen=True, slots=True)
class BranchSpec:
    """What member generation needs to know about a branch (small, picklable)."""

    idx: int
    kind: str
    size: int
    first: int                    # index of the branch's first member in the whole enterprise
    county_codes: tuple[str, ...]
    org_pk: int
    unit_pks: tuple[int, ...]
    group_pks: tuple[int, ...]


class PeopleGenerator:
    """Generates the member rows of a branch: dicts keyed by ``Member`` attribute names."""

    def __init__(self, *, seed: int, today: dt.date, members: int) -> None:
        if members > MAX_MEMBERS:
            raise ValueError(f"at most {MAX_MEMBERS:,} members")
        self.seed = seed
        self.today = today
        self._today_ord = today.toordinal()
        self._modulus = max(1, -(-members // 500))

    def branch_rows(self, spec: BranchSpec) -> list[dict[str, Any]]:
        rng = random.Random(f"dangjian-demo:{self.seed}:branch:{spec.idx}")
        rand, randint, choice = rng.random, rng.randint, rng.choice
        today_ord = self._today_ord
        modulus, half = self._modulus, self._modulus // 2
        latest_birth = today_ord - 366 - _DAYS_18
        kind = spec.kind
        retiree = kind == "retiree"
        titles = JOB_TITLES.get(kind, JOB_TITLES["production"])
        male_share = _MALE_SHARE.get(kind, 0.6)
        codes = spec.county_codes
        unit_pks, group_pks = spec.unit_pks, spec.group_pks
        rows: list[dict[str, Any]] = []
        for k in range(spec.size):
            index = spec.first + k
            male = rand() < male_share
            probationary = not retiree and rand() < 0.03
            if retiree:
                age = randint(61, 88)
            elif probationary:
                age = randint(22, 35)
            else:
                age = min(59, max(23, round(rng.triangular(22, 60, 36))))
            candidate = today_ord - int(age * 365.25) - randint(0, 364)
            shift = (index // 500 - candidate) % modulus
            birth_ord = candidate + (shift - modulus if shift > half else shift)
            if birth_ord > latest_birth:  # keep everyone old enough to have joined a year ago
                birth_ord -= modulus
            birth, birth_text, birth_sum = _date(birth_ord)
            seq = ((index % 500) * 211 + 89) % 500 * 2 + (1 if male else 0)
            area = choice(codes) if rand() < 0.8 else choice(_ALL_CODES)
            area_sum = _AREA_SUM.get(area)
            if area_sum is None:
                area_sum = _AREA_SUM[area] = _weighted(area, 0)
            id_number = f"{area}{birth_text}{seq:03d}{_CHECK[(area_sum + birth_sum + _SEQ_SUM[seq]) % 11]}"
            adult_ord = birth_ord + _DAYS_18
            if probationary:
                joined = dt.date.fromordinal(today_ord - randint(1, 364))
                full_on = None
            else:
                joined_ord = min(today_ord - 366, adult_ord + randint(400, 9000 if retiree else 6000))
                joined = dt.date.fromordinal(max(joined_ord, adult_ord))
                try:
                    full_on = joined.replace(year=joined.year + 1)
                except ValueError:  # 29 February
                    full_on = joined.replace(year=joined.year + 1, day=28)
            hire = dt.date.fromordinal(min(today_ord, adult_ord + randint(0, 2920)))
            edu_choices, edu_cum = _EDU_YOUNG if age < 35 else _EDU_MIDDLE if age < 50 else _EDU_OLD
            roll = rand()
            status = _NORMAL if roll >= 0.035 else _MOBILE if roll < 0.025 else _LOST
            last = _LAST[bisect(_LAST_CUM, rand() * _LAST_TOTAL)]
            if rand() < 0.45:
                chars = _MALE_CHARS if male else _FEMALE_CHARS
                name = last + choice(chars) + choice(chars)
            else:
                name = last + choice(_MALE if male else _FEMALE)
            rows.append({
                "name": name,
                "gender": _MALE_V if male else _FEMALE_V,
                "ethnicity": _ETHNIC[bisect(_ETHNIC_CUM, rand() * 1000)],
                "birth_date": birth,
                "id_number": id_number,
                "phone": "" if rand() < 0.01 else f"{choice(_PHONE_PREFIXES)}{randint(0, 99_999_999):08d}",
                "education": edu_choices[bisect(edu_cum, rand() * 100)].value,
                "job_title": choice(titles),
                "unit_id": unit_pks[0] if len(unit_pks) == 1 else choice(unit_pks),
                "hire_date": hire,
                "category": _PROBATIONARY if probationary else _FULL,
                "joined_on": joined,
                "full_member_on": full_on,
                "org_id": spec.org_pk,
                "party_group_id": group_pks[k % len(group_pks)] if group_pks else None,
                "status": status,
            })
        return rows
