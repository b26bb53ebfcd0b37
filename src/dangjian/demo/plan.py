"""The shape of the demo enterprise, planned in memory before anything is written.

A plan holds organisations and enterprise units (tens of thousands at most, a few hundred bytes
each) with their materialised paths already computed, the size of every branch and the current
committee term of every committee, general branch and branch. Members are *not* planned: they are
generated branch by branch while writing (see :mod:`dangjian.demo.people`).

Shape (DOMAIN §2): 集团党委 → 总部机关党委 and the subsidiaries' 党委 (large subsidiaries have
second-level subsidiaries with their own 党委) → 党总支 → 党支部 (3–50 members; a few 联合党支部
covering 2–5 small units; 离退休党支部) → 党小组 in branches of 30 or more. Every organisation except
the party groups maps onto an enterprise unit (集团 → 公司 → 部门/项目).
"""
from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from dangjian.demo.data import (
    AGENCY_DEPARTMENTS,
    BUSINESS_LINES,
    GROUP_NAMES,
    ORDINALS,
    PRODUCTION_UNITS,
    PROJECT_KINDS,
    REGIONS,
    SMALL_UNITS,
    TEAMS,
    Region,
)
from dangjian.orgs.choices import ALLOWED_PARENTS, OrgType, UnitType
from dangjian.orgs.models import EnterpriseUnit, Organization

__all__ = [
    "DEFAULT_ORG_RATIO",
    "OrgNode",
    "Plan",
    "TermPlan",
    "UnitNode",
    "add_years",
    "credit_code",
    "groups_for",
    "plan_enterprise",
]

GROUP_THRESHOLD_MIN = 20      # party groups only in larger branches (DOMAIN §2 sets no number)
MAX_BRANCH = 50               # DOMAIN §2 "generally no more than 50 members"
MIN_BRANCH = 3                # DOMAIN §2 "≥ 3 full members"
DEFAULT_ORG_RATIO = 0.06      # DESIGN "Scale": 60,000 organisations for 1,000,000 members
DEFAULT_MEAN_BRANCH = 26.0
NEAR_EXPIRY_DAYS = 182        # DOMAIN §3 reminder lead time "about 6 months"
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORGCODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def add_years(day: dt.date, years: int) -> dt.date:
    """``day + relativedelta(years=years)``: 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def credit_code(rng: random.Random, county_code: str) -> str:
    """A well-formed 统一社会信用代码 (GB 32100-2015) for an enterprise: 9 + 1 + county + org code + check."""
    body8 = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(body8, _ORGCODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    org_code = body8 + ("X" if check == 10 else "0" if check == 11 else str(check))
    body17 = "91" + county_code + org_code
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(body17, _USCC_WEIGHTS, strict=True))
    return body17 + _USCC_ALPHABET[(31 - total % 31) % 31]


@dataclass(slots=True)
class TermPlan:
    number: int
    start_date: dt.date
    term_years: int
    end_date: dt.date


@dataclass(slots=True)
class UnitNode:
    idx: int
    parent: int | None
    name: str
    unit_type: str
    path: str
    depth: int
    is_legal_entity: bool = False
    credit_code: str = ""
    numchild: int = 0
    pk: int | None = None

    @property
    def code(self) -> str:
        return f"U{self.idx + 1:07d}"


@dataclass(slots=True)
class OrgNode:
    idx: int
    parent: int | None
    org_type: str
    name: str
    kind: str                 # root, hq, committee, general, agency, production, project, retiree, joint, group
    path: str
    depth: int
    region: Region
    city: str
    is_joint: bool = False
    size: int = 0             # branches: number of members
    numchild: int = 0
    established_on: dt.date | None = None
    approval_doc: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    contact_phone: str = ""
    units: list[int] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)
    term: TermPlan | None = None
    pk: int | None = None

    @property
    def code(self) -> str:
        return f"D{self.idx + 1:07d}"

    @property
    def region_label(self) -> str:
        return self.region.province if self.city == self.region.short else f"{self.region.province}{self.city}市"


@dataclass
class Plan:
    seed: int
    members: int
    today: dt.date
    group_name: str
    short_name: str
    orgs: list[OrgNode]
    units: list[UnitNode]
    group_threshold: int = 0

    @property
    def branches(self) -> list[OrgNode]:
        return [o for o in self.orgs if o.org_type == OrgType.BRANCH]

    def counts(self) -> dict[str, int]:
        out = {t.value: 0 for t in OrgType}
        for org in self.orgs:
            out[org.org_type] += 1
        return out


class _Planner:
    def __init__(self, *, members: int, seed: int, mean_branch: float, today: dt.date,
                 term_years: dict[str, int]) -> None:
        self.n = members
        self.seed = seed
        self.rng = random.Random(f"dangjian-demo:{seed}:plan")        # the structure only
        self.decor = random.Random(f"dangjian-demo:{seed}:decor")     # dates, coordinates, phones
        self.today = today
        self.term_years = term_years
        self.mean_branch = min(max(mean_branch, 6.0), 42.0)
        # Beta(2, β) scaled onto [3, 50] has mean 3 + 47·2/(2+β).
        self.beta_b = 2.0 * (47.0 / (self.mean_branch - 3.0) - 1.0)
        self.orgs: list[OrgNode] = []
        self.units: list[UnitNode] = []
        self.group_name, self.short = self.rng.choice(GROUP_NAMES)
        self._doc_no = 0

    # -- building blocks -------------------------------------------------------------------------
    def org(self, parent: OrgNode | None, org_type: str, name: str, kind: str, *, region: Region, city: str,
            is_joint: bool = False, size: int = 0) -> OrgNode:
        parent_type = parent.org_type if parent else None
        if parent_type not in ALLOWED_PARENTS[org_type]:  # the same rule orgs.services enforces
            raise ValueError(f"{org_type} cannot sit under {parent_type}")
        if parent is None:
            depth, path = 1, Organization._get_path(None, 1, 1)
        else:
            parent.numchild += 1
            depth, path = parent.depth + 1, Organization._get_path(parent.path, parent.depth + 1, parent.numchild)
        node = OrgNode(idx=len(self.orgs), parent=parent.idx if parent else None, org_type=org_type, name=name,
                       kind=kind, path=path, depth=depth, region=region, city=city, is_joint=is_joint, size=size)
        rng = self.decor
        node.latitude = Decimal(f"{region.lat + rng.uniform(-0.4, 0.4):.6f}")
        node.longitude = Decimal(f"{region.lon + rng.uniform(-0.4, 0.4):.6f}")
        node.contact_phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
        self.orgs.append(node)
        self._plan_dates(node, parent)
        return node

    def unit(self, parent: UnitNode | None, name: str, unit_type: str, *, legal: bool = False,
             region: Region | None = None) -> UnitNode:
        if parent is None:
            depth, path = 1, EnterpriseUnit._get_path(None, 1, 1)
        else:
            parent.numchild += 1
            depth, path = parent.depth + 1, EnterpriseUnit._get_path(parent.path, parent.depth + 1, parent.numchild)
        code = credit_code(self.decor, self.decor.choice(region.county_codes)) if legal and region else ""
        node = UnitNode(idx=len(self.units), parent=parent.idx if parent else None, name=name, unit_type=unit_type,
                        path=path, depth=depth, is_legal_entity=legal, credit_code=code)
        self.units.append(node)
        return node

    def _plan_dates(self, node: OrgNode, parent: OrgNode | None) -> None:
        """Current committee term (DOMAIN §3) and, from it, the founding date and approval number.

        About 3% of terms have run out, about 12% end within six months, the rest later.
        """
        rng = self.decor
        if node.org_type == OrgType.GROUP:
            assert parent is not None
            node.established_on = parent.established_on
            return
        years = self.term_years[node.org_type]
        ordinal = self.today.toordinal()
        span = add_years(self.today, -years).toordinal()          # a term started on this day ends today
        roll = rng.random()
        if roll < 0.03:
            start = span - rng.randint(1, 330)                   # expired, up to 11 months overdue
        elif roll < 0.15:
            start = span + rng.randint(1, NEAR_EXPIRY_DAYS - 2)  # ends within six months
        else:
            start = rng.randint(span + NEAR_EXPIRY_DAYS + 2, ordinal - 30)
        start_date = dt.date.fromordinal(start)
        most = 3 if node.kind in ("joint", "project") else 7
        if parent is not None and parent.established_on is not None:  # founded after its parent
            most = max(1, min(most, 1 + (start_date - parent.established_on).days // (366 * years)))
        number = rng.randint(1, most)
        node.term = TermPlan(number=number, start_date=start_date, term_years=years,
                             end_date=add_years(start_date, years))
        founded = add_years(start_date, -years * (number - 1)) - dt.timedelta(days=rng.randint(0, 90))
        if parent is not None and parent.established_on is not None:
            founded = min(start_date, max(founded, parent.established_on + dt.timedelta(days=rng.randint(1, 60))))
        node.established_on = founded
        self._doc_no += 1
        issuer = "国资委党委" if parent is None else f"{self.short}党"
        node.approval_doc = f"{issuer}〔{founded.year}〕{(self._doc_no * 7) % 180 + 1}号"

    def branch_size(self, remaining: int, kind: str) -> int:
        rng = self.rng
        if kind == "joint":
            size = rng.randint(MIN_BRANCH, 12)
        elif kind == "retiree":
            size = rng.randint(15, MAX_BRANCH)
        else:
            size = MIN_BRANCH + round((MAX_BRANCH - MIN_BRANCH) * rng.betavariate(2.0, self.beta_b))
        size = max(MIN_BRANCH, min(size, MAX_BRANCH, remaining))
        if remaining - size < MIN_BRANCH:  # never leave a remainder too small to be a branch
            size = remaining if remaining <= MAX_BRANCH else remaining - MIN_BRANCH
        return size

    def branch(self, parent: OrgNode, unit_parent: UnitNode, name: str, unit_name: str, kind: str, size: int,
               *, unit_type: str = UnitType.DEPARTMENT) -> OrgNode:
        node = self.org(parent, OrgType.BRANCH, name, kind, region=parent.region, city=parent.city, size=size,
                        is_joint=kind == "joint")
        if kind == "joint":
            for i in range(self.rng.randint(2, 5)):  # DOMAIN §2: a joint branch covers at most 5 units
                small = SMALL_UNITS[(node.idx + i) % len(SMALL_UNITS)]
                legal = small.endswith("公司")
                unit = self.unit(unit_parent, f"{self.short}{parent.city}{ORDINALS[i]}{small}",
                                 UnitType.COMPANY if legal else UnitType.DEPARTMENT, legal=legal, region=parent.region)
                node.units.append(unit.idx)
        else:
            node.units.append(self.unit(unit_parent, unit_name, unit_type).idx)
        return node

    def add_groups(self, threshold: int) -> None:
        """党小组 in every branch of *threshold* members or more: two, three from 46 members."""
        for node in [o for o in self.orgs if o.org_type == OrgType.BRANCH and o.size >= threshold]:
            for i in range(groups_for(node.size, threshold)):
                group = self.org(node, OrgType.GROUP, f"{node.name.removesuffix('党支部')}{ORDINALS[i]}党小组",
                                 "group", region=node.region, city=node.city)
                node.groups.append(group.idx)

    # -- the enterprise --------------------------------------------------------------------------
    def build(self) -> Plan:
        rng = self.rng
        capital = REGIONS[0]
        root = self.org(None, OrgType.COMMITTEE, f"中共{self.group_name}委员会", "root", region=capital, city="北京")
        group_unit = self.unit(None, self.group_name, UnitType.GROUP, legal=True, region=capital)
        root.units.append(group_unit.idx)

        hq_budget = min(max(MIN_BRANCH, round(self.n * 0.03)), 1500)
        rest = self.n - hq_budget
        if rest < 2 * MIN_BRANCH:
            hq_budget, rest, subs = self.n, 0, 0
        else:
            subs = min(max(2, round(math.sqrt(self.n) / 18)), 60, max(1, rest // 40))
        hq = self.org(root, OrgType.COMMITTEE, f"中共{self.group_name}总部机关委员会", "hq", region=capital, city="北京")
        hq_unit = self.unit(group_unit, "集团总部", UnitType.DEPARTMENT)
        hq.units.append(hq_unit.idx)
        self._fill_agency(hq, hq_unit, hq_budget)

        if subs:
            budgets = _apportion(rest, [rng.gammavariate(1.6, 1.0) for _ in range(subs)], rng)
            pairs = rng.sample(range(len(REGIONS) * len(BUSINESS_LINES)), subs)
            split_at = min(3500, max(self.n // 5, 300))
            for budget, pair in zip(budgets, pairs, strict=True):
                region = REGIONS[pair % len(REGIONS)]
                business = BUSINESS_LINES[pair // len(REGIONS)]
                company = f"{self.short}{region.short}{business}有限公司"
                city = region.cities[0]
                sub = self.org(root, OrgType.COMMITTEE, f"中共{company}委员会", "committee", region=region, city=city)
                sub_unit = self.unit(group_unit, company, UnitType.COMPANY, legal=True, region=region)
                sub.units.append(sub_unit.idx)
                if budget > split_at:
                    own = min(max(MIN_BRANCH, round(budget * 0.06)), 300)
                    parts = max(2, min(25, budget // max(1, int(split_at * 0.7))))
                    self._fill_agency(sub, sub_unit, own)
                    for j, part in enumerate(_apportion(budget - own, [rng.gammavariate(2.0, 1.0)
                                                                          for _ in range(parts)], rng)):
                        city_j = region.cities[j % len(region.cities)]
                        suffix = "分公司" if j < len(region.cities) else f"{ORDINALS[(j // len(region.cities)) % 10]}分公司"
                        name = f"{self.short}{region.short}{business}{city_j}{suffix}"
                        third = self.org(sub, OrgType.COMMITTEE, f"中共{name}委员会", "committee", region=region,
                                         city=city_j)
                        third_unit = self.unit(sub_unit, name, UnitType.COMPANY, legal=True, region=region)
                        third.units.append(third_unit.idx)
                        self._fill_company(third, third_unit, part)
                else:
                    self._fill_company(sub, sub_unit, budget)
        return Plan(seed=self.seed, members=self.n, today=self.today, group_name=self.group_name,
                    short_name=self.short, orgs=self.orgs, units=self.units)

    def _fill_agency(self, committee: OrgNode, unit: UnitNode, budget: int) -> None:
        """Branches of the head office's departments (机关党支部), directly under the committee."""
        remaining = budget
        departments = self.rng.sample(AGENCY_DEPARTMENTS, len(AGENCY_DEPARTMENTS))
        i = 0
        while remaining:
            dept = departments[i % len(departments)]
            if i >= len(departments):
                dept = f"{dept}{ORDINALS[(i // len(departments)) % 10]}"
            size = self.branch_size(remaining, "agency")
            self.branch(committee, unit, f"{dept}党支部", dept, "agency", size)
            remaining -= size
            i += 1

    def _fill_company(self, committee: OrgNode, unit: UnitNode, budget: int) -> None:
        """A company's branches: head-office branches, retirees, perhaps a joint branch, then
        general branches (production or project) with 2–4 branches each and some direct branches."""
        rng = self.rng
        remaining = budget
        agency = 1 + (budget > 600) + (budget > 1500)
        departments = rng.sample(AGENCY_DEPARTMENTS, agency)
        for dept in departments:
            if not remaining:
                break
            size = self.branch_size(remaining, "agency")
            self.branch(committee, unit, f"{dept}党支部", dept, "agency", size)
            remaining -= size
        if remaining > 400 and rng.random() < 0.6:
            for i in range(1 + (budget > 2500)):
                size = self.branch_size(remaining, "retiree")
                label = "离退休党支部" if budget <= 2500 else f"离退休{ORDINALS[i]}党支部"
                self.branch(committee, unit, label, f"离退休管理中心{ORDINALS[i] if i else ''}", "retiree", size)
                remaining -= size
        if remaining > 250 and rng.random() < 0.4:
            size = self.branch_size(remaining, "joint")
            self.branch(committee, unit, f"{committee.city}片区联合党支部", "", "joint", size)
            remaining -= size
        used: dict[str, int] = {}
        while remaining:
            if remaining >= 60 and rng.random() < 0.8:
                project = rng.random() < 0.3
                if project:
                    base = f"{rng.choice(committee.region.cities)}{rng.choice(PROJECT_KINDS)}项目部"
                    unit_type = UnitType.PROJECT
                else:
                    base = rng.choice(PRODUCTION_UNITS)
                    unit_type = UnitType.DEPARTMENT
                used[base] = used.get(base, 0) + 1
                label = base if used[base] == 1 else f"{base}{ORDINALS[(used[base] - 1) % 10]}"
                general = self.org(committee, OrgType.GENERAL_BRANCH, f"{label}党总支", "general",
                                   region=committee.region, city=committee.city)
                general_unit = self.unit(unit, label, unit_type)
                general.units.append(general_unit.idx)
                teams = rng.sample(TEAMS, rng.randint(2, 5))
                for team in teams:
                    if not remaining:
                        break
                    size = self.branch_size(remaining, "project" if project else "production")
                    self.branch(general, general_unit, f"{team}党支部", team, "project" if project else "production",
                                size)
                    remaining -= size
            else:
                base = rng.choice(PRODUCTION_UNITS)
                used[base] = used.get(base, 0) + 1
                label = base if used[base] == 1 else f"{base}{ORDINALS[(used[base] - 1) % 10]}"
                size = self.branch_size(remaining, "production")
                self.branch(committee, unit, f"{label}党支部", label, "production", size)
                remaining -= size


def _apportion(total: int, weights: list[float], rng: random.Random, minimum: int = 40) -> list[int]:
    """Split *total* in proportion to *weights* (largest remainder), each part ≥ min(minimum, total//n)."""
    n = len(weights)
    floor = min(minimum, total // n)
    spare = total - floor * n
    scale = sum(weights)
    raw = [spare * w / scale for w in weights]
    parts = [floor + int(r) for r in raw]
    order = sorted(range(n), key=lambda i: (int(raw[i]) - raw[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def groups_for(size: int, threshold: int) -> int:
    return 0 if size < threshold else 2 if size < 46 else 3


def plan_enterprise(*, members: int, seed: int, today: dt.date, term_years: dict[str, int],
                    target_orgs: int | None = None, orgs_per_branch: float | None = None) -> Plan:
    """Plans an enterprise of *members* members and about *target_orgs* organisations — or
    *orgs_per_branch* organisations of all kinds per branch — by default :data:`DEFAULT_ORG_RATIO` of
    the members (the DESIGN "Scale" proportion, about 1.55 organisations per branch).

    The structure (committees, general branches, branch sizes) does not depend on the target; the
    target only sets from which branch size on branches are split into party groups.
    """
    if members < MIN_BRANCH:
        raise ValueError(f"at least {MIN_BRANCH} members are needed")
    planner = _Planner(members=members, seed=seed, mean_branch=DEFAULT_MEAN_BRANCH, today=today,
                       term_years=term_years)
    plan = planner.build()
    sizes = [o.size for o in plan.orgs if o.org_type == OrgType.BRANCH]
    base = len(plan.orgs)
    if target_orgs is not None:
        target = target_orgs
    elif orgs_per_branch is not None:
        target = round(orgs_per_branch * len(sizes))
    else:
        target = round(members * DEFAULT_ORG_RATIO)
    threshold = min(range(GROUP_THRESHOLD_MIN, MAX_BRANCH + 2),
                    key=lambda t: (abs(base + sum(groups_for(s, t) for s in sizes) - target), -t))
    planner.add_groups(threshold)
    plan.group_threshold = threshold
    return plan
