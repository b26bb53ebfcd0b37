"""Problems planted in the demo enterprise after the base build, each through the owning app's services
(the volumes are small: tens of rows), so every write is validated and audited like a user's:

- organisation set-up (DOMAIN §2): members moved (``members.services.member_change_branch``) so that a
  branch is left with fewer than three full members and a large one grows past fifty; a branch newly
  set up (``orgs.services.org_create``) with seven or more full members and no committee elected yet;
- member development (DOMAIN §5): pipelines at every stage for a share of branches
  (``development.services.applicant_create`` / ``step_record``), a few applicants never talked to
  (step overdue) and a couple of probationary members past their probation without conversion;
- transfers (DOMAIN §6): letters in transit, one or two past their validity
  (``transfers.services.transfer_initiate``), and a couple of members who lost contact
  (``member_status_change``).

Terms near or past their end come from the plan itself (about 12 % and 3 %).
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from faker.providers.person.zh_CN import Provider as _NameTables

from dangjian.core.errors import DomainError
from dangjian.demo.people import id_check_char
from dangjian.development.choices import StepCode
from dangjian.development.services import applicant_create, step_record
from dangjian.development.steps import STEPS
from dangjian.members.choices import Category, MemberStatus
from dangjian.members.models import CommitteeSeat, Member
from dangjian.members.services import member_change_branch, seat_end
from dangjian.orgs.choices import OrgStatus, OrgType, Position
from dangjian.orgs.models import Organization
from dangjian.orgs.services import org_create
from dangjian.transfers.choices import StatusTransition, TransferKind
from dangjian.transfers.services import member_status_change, transfer_initiate

__all__ = ["Planted", "plant_development", "plant_org_problems", "plant_transfers"]

S = StepCode
# Days from the application to each step on a calendar that meets every DOMAIN §5 minimum with a little
# room (the development tests' happy path): shifted so that the last step recorded lies in the past.
STEP_DAYS: dict[str, int] = {
    S.TALK: 14, S.ACTIVIST_CONFIRM: 31, S.ACTIVIST_RECORD: 35, S.CONTACTS: 36, S.ACTIVIST_EDUCATION: 214,
    S.CANDIDATE_CONFIRM: 398, S.CANDIDATE_RECORD: 400, S.INTRODUCERS: 401, S.POLITICAL_REVIEW: 405,
    S.TRAINING: 407, S.BRANCH_REVIEW: 415, S.PREREVIEW: 433, S.APPLICATION_FORM: 435, S.ADMISSION_MEETING: 445,
    S.COMMITTEE_TALK: 450, S.ADMISSION_APPROVAL: 471, S.ADMISSION_RECORD: 476, S.PLACEMENT: 477, S.OATH: 487,
    S.PROBATION_EDUCATION: 640,
}
# notices run two weeks or more: at least 5 working days whatever the weekday and holidays (rule public_notice)
NOTICE_DAYS = {S.CANDIDATE_CONFIRM: (378, 396), S.PREREVIEW: (416, 431)}
# stage of a planted pipeline → (last step recorded, days that step lies before today)
STAGES: dict[str, tuple[str | None, tuple[int, int]]] = {
    "overdue_talk": (None, (40, 80)),        # applied 40–80 days ago, nobody talked to them (1 month rule)
    "applicant": (S.TALK, (3, 20)),
    "activist": (S.CONTACTS, (10, 120)),
    "candidate": (S.BRANCH_REVIEW, (3, 15)),
    "probationary": (S.OATH, (20, 150)),
    "probation_over": (S.PROBATION_EDUCATION, (240, 270)),  # probation ended ~2 months ago, not converted
}
DEVELOPMENT_SHARE = 0.3   # branches with a pipeline


@dataclass
class Planted:
    moved_members: int = 0
    small_branches: list[str] = field(default_factory=list)
    oversize_branches: list[str] = field(default_factory=list)
    without_committee: list[str] = field(default_factory=list)
    pipelines: dict[str, int] = field(default_factory=dict)
    transfers_in_transit: int = 0
    transfers_overdue: int = 0
    lost_contact: int = 0
    skipped: list[str] = field(default_factory=list)


def _branches() -> list[Organization]:
    counted = Q(members__status__in=[MemberStatus.NORMAL, MemberStatus.MOBILE, MemberStatus.LOST])
    return list(Organization.objects.filter(org_type=OrgType.BRANCH, status=OrgStatus.ACTIVE)
                .annotate(n=Count("members", filter=counted),
                          full=Count("members", filter=counted & Q(members__category=Category.FULL)),
                          normal_full=Count("members", filter=Q(members__status=MemberStatus.NORMAL,
                                                                 members__category=Category.FULL)))
                .order_by("path"))


def _seat_holders(org_ids: list[int]) -> set[int]:
    return set(CommitteeSeat.objects.filter(until__isnull=True, member__org_id__in=org_ids)
               .values_list("member_id", flat=True))


def _keepers(branch: Organization) -> list[int]:
    """Full members of *branch*, the secretary first, then the other seat holders, then by pk."""
    order = {Position.SECRETARY: 0, Position.DEPUTY_SECRETARY: 1}
    rank = {m: order.get(p, 2) for m, p in CommitteeSeat.objects.filter(
        until__isnull=True, member__org=branch).values_list("member_id", "position")}
    full = Member.objects.filter(org=branch, status=MemberStatus.NORMAL, category=Category.FULL).order_by("pk")
    return sorted(full.values_list("pk", flat=True), key=lambda pk: (rank.get(pk, 3), pk))


def _movable(branch: Organization, keep: set[int]) -> list[Member]:
    """Full, normal members of *branch* who hold no seat and have no login (the demo accounts stay put), pk order."""
    return list(Member.objects.filter(org=branch, status=MemberStatus.NORMAL, category=Category.FULL,
                                      user__isnull=True).exclude(pk__in=keep).order_by("pk"))


def _move(actor: Any, members: list[Member], to: Organization, on: dt.date, planted: Planted, reason: str) -> None:
    for member in members:
        member_change_branch(actor=actor, member=member, new_org=to, on=on, reason=reason)
        planted.moved_members += 1


def plant_org_problems(*, actor: Any, seed: int, today: dt.date, planted: Planted) -> None:
    """Small and oversized branches (in pairs: members of a small branch merged into a large one) and a
    new branch without a committee."""
    rng = random.Random(f"dangjian-demo:{seed}:org-problems")
    branches = [b for b in _branches() if "离退休" not in b.name]
    if len(branches) < 4:
        planted.skipped.append("org problems: fewer than 4 branches")
        return
    seats = _seat_holders([b.pk for b in branches])
    on = today - dt.timedelta(days=35)
    used: set[int] = set()
    pairs = max(1, len(branches) // 60)
    by_size = sorted(branches, key=lambda b: (-b.n, b.path))
    for receiver in by_size[:pairs]:
        donors = [b for b in branches if 5 <= b.full <= 16 and b.full == b.normal_full and b.pk not in used
                  and b.pk != receiver.pk]
        if not donors:
            continue
        donor = min(donors, key=lambda b: (abs(receiver.n + b.full - 2 - 53), b.path))
        staying = _keepers(donor)[:2]
        moving = list(Member.objects.filter(org=donor, status=MemberStatus.NORMAL, category=Category.FULL,
                                            user__isnull=True).exclude(pk__in=staying).order_by("pk"))
        for seat in CommitteeSeat.objects.filter(member__in=moving, until__isnull=True).select_related("term__org"):
            seat_end(actor=actor, seat=seat, until=on)  # committee members moving away leave the committee
        _move(actor, moving, receiver, on, planted, "支部调整：人员并入（演示数据）")
        used |= {donor.pk, receiver.pk}
        planted.small_branches.append(donor.code)
        need = 51 + rng.randint(0, 3) - (receiver.n + len(moving))
        for extra in by_size:
            if need <= 0:
                break
            if extra.pk in used or extra.full < 14:
                continue
            more = _movable(extra, seats)[: min(need, extra.full - 10)]
            _move(actor, more, receiver, on, planted, "支部调整：人员并入（演示数据）")
            need -= len(more)
            used.add(extra.pk)
        if need <= 0:
            planted.oversize_branches.append(receiver.code)
    # a branch set up last month: 7+ full members, its committee not elected yet
    parent_branch = next((b for b in by_size if b.pk not in used and b.full >= 20), None)
    if parent_branch is None:
        planted.skipped.append("no branch large enough to split off a new branch")
        return
    parent = Organization.objects.get(path=parent_branch.path[:-Organization.steplen])
    new = org_create(actor=actor, parent=parent, reason="新设党支部（演示数据）", name=f"{parent_branch.name}（新设第二党支部）"[:100],
                     code=f"{parent_branch.code}N", org_type=OrgType.BRANCH, established_on=today - dt.timedelta(days=40),
                     approval_doc=f"党组〔{today.year}〕{rng.randint(10, 99)}号", approval_date=today - dt.timedelta(days=40),
                     region=parent_branch.region)
    movers = _movable(parent_branch, seats)[: 7 + rng.randint(1, 3)]
    _move(actor, movers, new, on + dt.timedelta(days=5), planted, "新设党支部，党员组织关系划入（演示数据）")
    planted.without_committee.append(new.code)


# --- development -------------------------------------------------------------------------------------

def _id_number(rng: random.Random, birth: dt.date, male: bool) -> str:
    area = rng.choice(("110105", "310104", "320102", "440305", "510107", "420102"))
    seq = rng.randrange(500) * 2 + (1 if male else 0)
    body = f"{area}{birth:%Y%m%d}{seq:03d}"
    return body + id_check_char(body)


def _step_data(code: str, applied: dt.date, full: list[int], entitled: int, approver: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if code == S.CONTACTS:
        data["contacts"] = full[:1]
    elif code == S.INTRODUCERS:
        data["introducers"] = full[1:3]
    elif code == S.POLITICAL_REVIEW:
        data.update(review_passed=True, conclusion="政治审查合格")
    elif code == S.TRAINING:
        data.update(training_days=3, class_hours=24)
    elif code == S.ADMISSION_MEETING:
        attending = entitled - max(1, entitled // 8)
        data.update(entitled=entitled, attending=attending, written_opinions=0, votes_for=attending,
                    votes_against=0, votes_abstain=0)
    elif code in (S.ADMISSION_APPROVAL,):
        data["approver"] = approver
    if code in NOTICE_DAYS:
        start, end = NOTICE_DAYS[code]
        data["notice_start"], data["notice_end"] = applied + dt.timedelta(days=start), applied + dt.timedelta(days=end)
    return data


def _pipeline(actor: Any, rng: random.Random, branch: Organization, stage: str, today: dt.date,
              full: list[int], approver: str) -> None:
    last, (low, high) = STAGES[stage]
    lag = rng.randint(low, high)
    applied = today - dt.timedelta(days=lag + (STEP_DAYS[last] if last else 0))
    male = rng.random() < 0.6
    birth = applied - dt.timedelta(days=rng.randint(22 * 365, 34 * 365))
    first = rng.choice(_NameTables.first_names_male if male else _NameTables.first_names_female)
    name = rng.choice(list(_NameTables.last_names)) + first
    fields = {"name": name, "gender": "M" if male else "F", "birth_date": birth, "org": branch,
              "phone": f"13{rng.randrange(10**9):09d}", "education": "bachelor", "job_title": "技术员"}
    pipeline = None
    for _attempt in range(5):  # an ID number already in the register: draw another
        try:
            pipeline = applicant_create(actor=actor, applied_on=applied, responsible="支部书记",
                                        id_number=_id_number(rng, birth, male), **fields)
            break
        except DomainError as exc:
            if not any(e.field == "id_number" for e in exc.errors):
                raise
    if pipeline is None or last is None:
        return
    for code, spec in STEPS.items():
        if code == S.APPLICATION:
            continue
        data = _step_data(code, applied, full, len(full), approver)
        step_record(actor=actor, pipeline=pipeline, code=code, on=applied + dt.timedelta(days=STEP_DAYS[code]),
                    responsible="支部书记", **data)
        if spec.code == last:
            break


def plant_development(*, actor: Any, seed: int, today: dt.date, planted: Planted) -> None:
    """One pipeline in about 30 % of the branches with enough full members for contacts, introducers
    and a valid admission vote; the first ones are the overdue cases."""
    rng = random.Random(f"dangjian-demo:{seed}:development")
    branches = [b for b in _branches() if b.full >= 5 and "离退休" not in b.name]
    chosen = [b for b in branches if rng.random() < DEVELOPMENT_SHARE] or branches[:1]
    forced = ["overdue_talk", "probation_over", "overdue_talk", "probation_over"]
    kinds = ["applicant", "applicant", "activist", "activist", "candidate", "probationary", "overdue_talk"]
    for n, branch in enumerate(chosen):
        stage = forced[n] if n < len(forced) else rng.choice(kinds)
        full = list(Member.objects.filter(org=branch, category=Category.FULL, status=MemberStatus.NORMAL)
                    .order_by("pk").values_list("pk", flat=True))
        parent = Organization.objects.filter(path=branch.path[:-Organization.steplen]).values_list("name", flat=True)
        try:
            _pipeline(actor, rng, branch, stage, today, full, (parent.first() or "上级党委")[:100])
        except DomainError as exc:
            planted.skipped.append(f"pipeline at {branch.code} ({stage}): {exc.errors[0].message}")
            continue
        planted.pipelines[stage] = planted.pipelines.get(stage, 0) + 1


# --- transfers and lost contact -----------------------------------------------------------------------

def plant_transfers(*, actor: Any, seed: int, today: dt.date, members: int, planted: Planted) -> None:
    rng = random.Random(f"dangjian-demo:{seed}:transfers")
    branches = [b for b in _branches() if b.n >= 8]
    if len(branches) < 2:
        return
    seats = _seat_holders([b.pk for b in branches])
    wanted = max(3, members // 600)
    overdue = 1 if members < 1000 else 2
    lost = max(2, members // 1500)
    picks = rng.sample(branches, min(len(branches), wanted + lost))
    for n, branch in enumerate(picks):
        member = (Member.objects.filter(org=branch, status=MemberStatus.NORMAL, user__isnull=True).exclude(pk__in=seats)
                  .order_by("-pk").first())
        if member is None:
            continue
        if n < wanted:
            to = rng.choice([b for b in branches if b.pk != branch.pk])
            days = rng.randint(100, 140) if n < overdue else rng.randint(3, 40)
            issued = today - dt.timedelta(days=days)
            transfer_initiate(actor=actor, member=member, kind=TransferKind.INTERNAL, to_org=to,
                              letter_no=f"组转〔{issued.year}〕{rng.randint(100, 999)}号", issued_on=issued,
                              notes="工作调动", reason="工作调动（演示数据）")
            if n < overdue:
                planted.transfers_overdue += 1
            else:
                planted.transfers_in_transit += 1
        else:
            member_status_change(actor=actor, member=member, transition=StatusTransition.LOSE_CONTACT,
                                 effective_on=today - dt.timedelta(days=rng.randint(60, 300)),
                                 reason="多次电话、走访均无法取得联系（演示数据）")
            planted.lost_contact += 1

