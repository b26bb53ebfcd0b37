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

Each plant picks only members for whom its event is valid on its date (issue #18): in the register and
at their branch by then (``joined_on`` and the start of the open membership period), a status the
state machine lets the move start from, no later status change or open transfer, a full member by the
day they are named contact or introducer, a branch set up by then; a seat is ended only after it began.
When nobody fits, the plant is left out and listed in :attr:`Planted.skipped`. A service that still
refuses (a demo defect: the choice missed one of its rules) rolls back that plant alone, which is listed
in :attr:`Planted.refused`: the build never aborts, and the demo's seed-sweep test requires it empty.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from faker.providers.person.zh_CN import Provider as _NameTables

from dangjian.core.errors import DomainError
from dangjian.demo.people import id_check_char
from dangjian.development.choices import StepCode
from dangjian.development.models import Pipeline, StepPerson
from dangjian.development.services import applicant_create, step_record
from dangjian.development.steps import STEPS
from dangjian.members.choices import Category, MemberStatus
from dangjian.members.models import CommitteeSeat, Member, MembershipPeriod
from dangjian.members.services import member_change_branch, seat_end
from dangjian.orgs.choices import OrgStatus, OrgType, Position
from dangjian.orgs.models import Organization
from dangjian.orgs.services import org_create
from dangjian.transfers.choices import OPEN_STATUSES, TRANSITIONS, StatusTransition, TransferKind
from dangjian.transfers.models import StatusChange, Transfer
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
    skipped: list[str] = field(default_factory=list)   # no member or branch fitted: plant left out
    refused: list[str] = field(default_factory=list)   # a service refused the plant: rolled back (a demo defect)


def _refusal(what: str, exc: DomainError) -> str:
    first = exc.errors[0]
    return f"{what}: {first.field}: {first.message}" if first.field else f"{what}: {first.message}"


def _established_by(org: Organization, day: dt.date) -> bool:
    return org.established_on is None or org.established_on <= day


def _at_branch_since(members: list[Member] | list[int]) -> dict[int, dt.date]:
    """The day each member has belonged to their current branch: the start of the open membership
    period, else (members written in bulk have no period yet) the day they joined."""
    pks = [m if isinstance(m, int) else m.pk for m in members]
    since = dict(Member.objects.filter(pk__in=pks).values_list("pk", "joined_on"))
    for pk, start in MembershipPeriod.objects.filter(member_id__in=pks, valid_to__isnull=True) \
            .values_list("member_id", "valid_from"):
        since[pk] = max(since[pk], start)
    return since


def _branches() -> list[Organization]:
    counted = Q(members__status__in=[MemberStatus.NORMAL, MemberStatus.MOBILE, MemberStatus.LOST])
    return list(Organization.objects.filter(org_type=OrgType.BRANCH, status=OrgStatus.ACTIVE)
                .annotate(n=Count("members", filter=counted),
                          full=Count("members", filter=counted & Q(members__category=Category.FULL)),
                          normal_full=Count("members", filter=Q(members__status=MemberStatus.NORMAL,
                                                                 members__category=Category.FULL)))
                .order_by("path"))


def _seated():
    """Members holding a seat now, as a subquery (a set of keys would be one parameter per seat)."""
    return CommitteeSeat.objects.filter(until__isnull=True).values("member_id")


def _keepers(branch: Organization) -> list[int]:
    """Full members of *branch*, the secretary first, then the other seat holders, then by pk."""
    order = {Position.SECRETARY: 0, Position.DEPUTY_SECRETARY: 1}
    rank = {m: order.get(p, 2) for m, p in CommitteeSeat.objects.filter(
        until__isnull=True, member__org=branch).values_list("member_id", "position")}
    full = Member.objects.filter(org=branch, status=MemberStatus.NORMAL, category=Category.FULL).order_by("pk")
    return sorted(full.values_list("pk", flat=True), key=lambda pk: (rank.get(pk, 3), pk))


def _movable(branch: Organization, on: dt.date) -> list[Member]:
    """Full, normal members of *branch* who hold no seat, have no login (the demo accounts stay put) and
    have been at the branch by *on*, pk order."""
    members = list(Member.objects.filter(org=branch, status=MemberStatus.NORMAL, category=Category.FULL,
                                         user__isnull=True).exclude(pk__in=_seated()).order_by("pk"))
    since = _at_branch_since(members)
    return [m for m in members if since[m.pk] <= on]


def _move(actor: Any, members: list[Member], to: Organization, on: dt.date, reason: str) -> int:
    for member in members:
        member_change_branch(actor=actor, member=member, new_org=to, on=on, reason=reason)
    return len(members)


def plant_org_problems(*, actor: Any, seed: int, today: dt.date, planted: Planted) -> None:
    """Small and oversized branches (in pairs: members of a small branch merged into a large one) and a
    new branch without a committee."""
    rng = random.Random(f"dangjian-demo:{seed}:org-problems")
    branches = [b for b in _branches() if "离退休" not in b.name]
    if len(branches) < 4:
        planted.skipped.append("org problems: fewer than 4 branches")
        return
    on = today - dt.timedelta(days=35)
    used: set[int] = set()
    pairs = max(1, len(branches) // 60)
    by_size = sorted(branches, key=lambda b: (-b.n, b.path))
    for receiver in by_size[:pairs]:
        donors = [b for b in branches if 5 <= b.full <= 16 and b.full == b.normal_full and b.pk not in used
                  and b.pk != receiver.pk]
        if not donors:
            planted.skipped.append(f"small branch: no donor for {receiver.code}")
            continue
        donor = min(donors, key=lambda b: (abs(receiver.n + b.full - 2 - 53), b.path))
        # the secretary and one more stay; so does anyone who took a seat or came to the branch after the move
        staying = set(_keepers(donor)[:2]) | set(CommitteeSeat.objects.filter(
            member__org=donor, until__isnull=True, since__gt=on).values_list("member_id", flat=True))
        candidates = list(Member.objects.filter(org=donor, status=MemberStatus.NORMAL, category=Category.FULL,
                                                user__isnull=True).exclude(pk__in=staying).order_by("pk"))
        since = _at_branch_since(candidates)
        moving = [m for m in candidates if since[m.pk] <= on]
        need = 51 + rng.randint(0, 3) - (receiver.n + len(moving))
        try:
            with transaction.atomic():
                for seat in (CommitteeSeat.objects.filter(member__in=moving, until__isnull=True)
                             .select_related("term__org")):
                    seat_end(actor=actor, seat=seat, until=on)  # committee members moving away leave the committee
                moved = _move(actor, moving, receiver, on, "支部调整：人员并入（演示数据）")
                extras: list[int] = []
                for extra in by_size:
                    if need <= 0:
                        break
                    if extra.pk in used or extra.pk in (donor.pk, receiver.pk) or extra.full < 14:
                        continue
                    more = _movable(extra, on)[: min(need, extra.full - 10)]
                    moved += _move(actor, more, receiver, on, "支部调整：人员并入（演示数据）")
                    need -= len(more)
                    extras.append(extra.pk)
        except DomainError as exc:
            planted.refused.append(_refusal(f"merge of {donor.code} into {receiver.code}", exc))
            continue
        planted.moved_members += moved
        used |= {donor.pk, receiver.pk, *extras}
        if donor.full - len(moving) < 3:
            planted.small_branches.append(donor.code)
        else:
            planted.skipped.append(f"small branch: {donor.code} keeps {donor.full - len(moving)} full members")
        if need <= 0:
            planted.oversize_branches.append(receiver.code)
    # a branch set up last month: 7+ full members, its committee not elected yet
    parent_branch = next((b for b in by_size if b.pk not in used and b.full >= 20), None)
    if parent_branch is None:
        planted.skipped.append("new branch: no branch large enough to split off")
        return
    parent = Organization.objects.get(path=parent_branch.path[:-Organization.steplen])
    established, moved_on = today - dt.timedelta(days=40), on + dt.timedelta(days=5)
    movers = _movable(parent_branch, moved_on)[: 7 + rng.randint(1, 3)]
    if len(movers) < 7:
        planted.skipped.append(f"new branch: fewer than 7 movable full members in {parent_branch.code}")
        return
    try:
        with transaction.atomic():
            new = org_create(actor=actor, parent=parent, reason="新设党支部（演示数据）",
                             name=f"{parent_branch.name}（新设第二党支部）"[:100], code=f"{parent_branch.code}N",
                             org_type=OrgType.BRANCH, established_on=established,
                             approval_doc=f"党组〔{today.year}〕{rng.randint(10, 99)}号", approval_date=established,
                             region=parent_branch.region)
            moved = _move(actor, movers, new, moved_on, "新设党支部，党员组织关系划入（演示数据）")
    except DomainError as exc:
        planted.refused.append(_refusal(f"new branch under {parent.code}", exc))
        return
    planted.moved_members += moved
    planted.without_committee.append(new.code)


# --- development -------------------------------------------------------------------------------------

def _id_number(rng: random.Random, birth: dt.date, male: bool) -> str:
    area = rng.choice(("110105", "310104", "320102", "440305", "510107", "420102"))
    seq = rng.randrange(500) * 2 + (1 if male else 0)
    body = f"{area}{birth:%Y%m%d}{seq:03d}"
    return body + id_check_char(body)


@dataclass(frozen=True)
class _FullMember:
    pk: int
    since: dt.date      # at the branch since (joined or came)
    full_on: dt.date    # a full member since


def _full_by(people: list[_FullMember], day: dt.date) -> list[int]:
    """Full members of the branch on *day* (there, and full by then), pk order."""
    return [p.pk for p in people if p.since <= day and p.full_on <= day]


def _step_data(code: str, applied: dt.date, on: dt.date, people: list[_FullMember], approver: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    full = _full_by(people, on)
    if code == S.CONTACTS:
        data["contacts"] = full[:1]
    elif code == S.INTRODUCERS:
        data["introducers"] = full[1:3] if len(full) >= 3 else full[:2]
    elif code == S.POLITICAL_REVIEW:
        data.update(review_passed=True, conclusion="政治审查合格")
    elif code == S.TRAINING:
        data.update(training_days=3, class_hours=24)
    elif code == S.ADMISSION_MEETING:
        entitled = len(full)
        attending = entitled - max(1, entitled // 8)
        data.update(entitled=entitled, attending=attending, written_opinions=0, votes_for=attending,
                    votes_against=0, votes_abstain=0)
    elif code in (S.ADMISSION_APPROVAL,):
        data["approver"] = approver
    if code in NOTICE_DAYS:
        start, end = NOTICE_DAYS[code]
        data["notice_start"], data["notice_end"] = applied + dt.timedelta(days=start), applied + dt.timedelta(days=end)
    return data


def _steps_until(last: str | None) -> list[str]:
    if last is None:
        return []
    codes = [code for code in STEPS if code != S.APPLICATION]
    return codes[: codes.index(last) + 1]


def _unfit(branch: Organization, applied: dt.date, steps: list[str], people: list[_FullMember]) -> str | None:
    """Why the branch cannot hold this pipeline on these dates (DOMAIN §5: contacts and introducers are
    full members of the branch on the day they are named; a valid admission vote needs five), or None."""
    if not _established_by(branch, applied):
        return f"branch set up on {branch.established_on}, after the application"
    needs = {S.CONTACTS: 1, S.INTRODUCERS: 2, S.ADMISSION_MEETING: 5}
    for code in steps:
        if code in needs:
            on = applied + dt.timedelta(days=STEP_DAYS[code])
            if len(_full_by(people, on)) < needs[code]:
                return f"fewer than {needs[code]} full members on {on} for {code}"
    return None


def _pipeline(actor: Any, rng: random.Random, candidates: list[Organization], stage: str, today: dt.date,
              approver: dict[int, str]) -> tuple[Organization | None, str | None]:
    """Plants one pipeline at *stage* in the first of *candidates* (the branch drawn first, then
    substitutes) that can hold it on its dates; returns that branch, or None and why none could."""
    last, (low, high) = STAGES[stage]
    lag = rng.randint(low, high)
    applied = today - dt.timedelta(days=lag + (STEP_DAYS[last] if last else 0))
    male = rng.random() < 0.6
    birth = applied - dt.timedelta(days=rng.randint(22 * 365, 34 * 365))
    first = rng.choice(_NameTables.first_names_male if male else _NameTables.first_names_female)
    name = rng.choice(list(_NameTables.last_names)) + first
    steps = _steps_until(last)
    branch, people, unfit = None, [], None
    for candidate in candidates:
        people = _full_members(candidate)
        why = _unfit(candidate, applied, steps, people)
        if why is None:
            branch = candidate
            break
        unfit = unfit or f"{candidate.code}: {why}"
    if branch is None:
        return None, unfit or "no branch"
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
    if pipeline is None:
        return None, f"{branch.code}: no free ID number in five draws"
    for code in steps:
        on = applied + dt.timedelta(days=STEP_DAYS[code])
        step_record(actor=actor, pipeline=pipeline, code=code, on=on, responsible="支部书记",
                    **_step_data(code, applied, on, people, approver[branch.pk]))
    return branch, None


def _full_members(branch: Organization) -> list[_FullMember]:
    rows = list(Member.objects.filter(org=branch, category=Category.FULL, status=MemberStatus.NORMAL)
                .order_by("pk").values_list("pk", "joined_on", "full_member_on"))
    since = _at_branch_since([pk for pk, _joined, _full in rows])
    return [_FullMember(pk, since[pk], full_on or joined) for pk, joined, full_on in rows]


def plant_development(*, actor: Any, seed: int, today: dt.date, planted: Planted) -> None:
    """One pipeline in about 30 % of the branches with enough full members for contacts, introducers
    and a valid admission vote; the first ones are the overdue cases. A branch that cannot hold the
    pipeline drawn for it on its dates (set up later, too few full members by then) hands it to the next
    branch without one that can. A pipeline is written whole or not at all."""
    rng = random.Random(f"dangjian-demo:{seed}:development")
    branches = [b for b in _branches() if b.full >= 5 and "离退休" not in b.name]
    chosen = [b for b in branches if rng.random() < DEVELOPMENT_SHARE] or branches[:1]
    forced = ["overdue_talk", "probation_over", "overdue_talk", "probation_over"]
    kinds = ["applicant", "applicant", "activist", "activist", "candidate", "probationary", "overdue_talk"]
    parents = dict(Organization.objects.filter(path__in={b.path[:-Organization.steplen] for b in branches})
                   .values_list("path", "name"))
    approver = {b.pk: (parents.get(b.path[:-Organization.steplen]) or "上级党委")[:100] for b in branches}
    taken = {b.pk for b in chosen}
    for n, drawn in enumerate(chosen):
        stage = forced[n] if n < len(forced) else rng.choice(kinds)
        at = branches.index(drawn)
        substitutes = [b for b in branches[at + 1:] + branches[:at] if b.pk not in taken]
        try:
            with transaction.atomic():
                branch, unfit = _pipeline(actor, rng, [drawn, *substitutes], stage, today, approver)
        except DomainError as exc:
            planted.refused.append(_refusal(f"pipeline at {drawn.code} ({stage})", exc))
            continue
        if branch is None:
            planted.skipped.append(f"pipeline ({stage}): no branch fits, e.g. {unfit}")
            continue
        taken.add(branch.pk)
        planted.pipelines[stage] = planted.pipelines.get(stage, 0) + 1


# --- transfers and lost contact -----------------------------------------------------------------------

def _member_for(branch: Organization, on: dt.date, transition: str | None) -> Member | None:
    """The member of *branch* (newest first) for whom a transfer letter issued on *on* (*transition*
    None) or the status move *transition* effective on *on* is valid: in the register and at the branch
    by *on*, a status the move may start from (正常 for a transfer: 流动 members transfer on return),
    nothing recorded after *on* that the move would precede (a status change, a step naming them), no
    open transfer, no seat, no login, not a member the development plants admitted."""
    statuses = [MemberStatus.NORMAL]
    if transition is not None:
        statuses = [s for s in TRANSITIONS[transition][0] if s == MemberStatus.NORMAL]
    candidates = (Member.objects.filter(org=branch, status__in=statuses, user__isnull=True, joined_on__lte=on)
                  .exclude(pk__in=_seated())
                  .exclude(pk__in=MembershipPeriod.objects.filter(valid_to__isnull=True, valid_from__gt=on)
                           .values("member_id"))
                  .exclude(pk__in=StatusChange.objects.filter(effective_on__gt=on).values("member_id"))
                  .exclude(pk__in=Transfer.objects.filter(status__in=OPEN_STATUSES).values("member_id"))
                  .exclude(pk__in=StepPerson.objects.filter(step__on__gt=on).values("member_id"))
                  .exclude(pk__in=Pipeline.objects.filter(member__isnull=False).values("member_id")))
    return candidates.order_by("-pk").first()


def plant_transfers(*, actor: Any, seed: int, today: dt.date, members: int, planted: Planted) -> None:
    """Letters in transit (a few past their validity) and members who lost contact, each on a member
    for whom it is valid on its date (see :func:`_member_for`)."""
    rng = random.Random(f"dangjian-demo:{seed}:transfers")
    branches = [b for b in _branches() if b.n >= 8]
    if len(branches) < 2:
        planted.skipped.append("transfers: fewer than 2 branches with 8 members")
        return
    wanted = max(3, members // 600)
    overdue = 1 if members < 1000 else 2
    lost = max(2, members // 1500)
    if len(branches) < wanted + lost:  # one event per branch: share the few branches out
        planted.skipped.append(f"transfers: {len(branches)} branches with 8 members or more for {wanted} letters "
                               f"and {lost} lost contacts")
        lost = max(1, min(lost, len(branches) // 2))
        wanted = len(branches) - lost
    picks = rng.sample(branches, wanted + lost)
    picked = {b.pk for b in picks}
    spare = [b for b in branches if b.pk not in picked]   # path order: stand-ins for a branch where nobody fits

    def fitting(branch: Organization, on: dt.date, transition: str | None) -> tuple[Organization, Member | None]:
        """The member of *branch* for the event, else of the first of up to ten spare branches that has one."""
        for candidate in [branch, *spare[:10]]:
            member = _member_for(candidate, on, transition) if _established_by(candidate, on) else None
            if member is not None:
                if candidate is not branch:
                    spare.remove(candidate)
                return candidate, member
        return branch, None

    for n, branch in enumerate(picks):
        if n < wanted:
            days = rng.randint(100, 140) if n < overdue else rng.randint(3, 40)
            issued = today - dt.timedelta(days=days)
            letter = f"组转〔{issued.year}〕{rng.randint(100, 999)}号"
            destinations = [b for b in branches if _established_by(b, issued)]
            to = rng.choice(destinations) if len(destinations) > 1 else None
            branch, member = fitting(branch, issued, None) if to is not None else (branch, None)
            if member is not None and to.pk == branch.pk:
                to = next(b for b in destinations if b.pk != branch.pk)
            if member is None:
                planted.skipped.append(f"transfer from {branch.code}: no member there (nor in spare branches) "
                                       f"by {issued}")
                continue
            try:
                transfer_initiate(actor=actor, member=member, kind=TransferKind.INTERNAL, to_org=to,
                                  letter_no=letter, issued_on=issued, notes="工作调动", reason="工作调动（演示数据）")
            except DomainError as exc:
                planted.refused.append(_refusal(f"transfer from {branch.code}", exc))
                continue
            if n < overdue:
                planted.transfers_overdue += 1
            else:
                planted.transfers_in_transit += 1
        else:
            lost_on = today - dt.timedelta(days=rng.randint(60, 300))
            branch, member = fitting(branch, lost_on, StatusTransition.LOSE_CONTACT)
            if member is None:
                planted.skipped.append(f"lost contact in {branch.code}: no member there (nor in spare branches) "
                                       f"by {lost_on}")
                continue
            try:
                member_status_change(actor=actor, member=member, transition=StatusTransition.LOSE_CONTACT,
                                     effective_on=lost_on, reason="多次电话、走访均无法取得联系（演示数据）")
            except DomainError as exc:
                planted.refused.append(_refusal(f"lost contact in {branch.code}", exc))
                continue
            planted.lost_contact += 1
