"""The web half of the generated authorization matrix (STYLE §6; DESIGN "Data scope").

Every URL pattern of the project's URLconf is walked (``get_resolver()``, recursively). Each page must
sit in ``MATRIX`` (how to reach it, which permission it declares, which branch-A actor holds that
permission and what a branch-B request looks like) or in ``EXEMPT`` with a written reason; a
meta-test fails otherwise, and also when an entry names a route that no longer exists. ``/api/`` is
the API matrix's business (``tests/test_authz_api.py``) and Django's own i18n/static routes are
skipped. For every page:

- anonymous → redirect to the sign-in page (a ``@public`` page answers itself);
- signed in without the declared permission → 403, recorded as ``accounts.access_denied``, nothing
  else written;
- a user scoped to branch A reading or posting to an object of branch B → 404 (or, for a list or a
  form that takes an org code, B's rows simply absent / refused), with no side effect: orgs and members
  unchanged, no audit entry other than ``accounts.access_denied``;
- a permitted branch-A user → 200 on reading, 200/302 on a valid post.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.audit.models import AuditEntry
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from tests.fixtures import db_state, make_id_number, signin

SKIP_PREFIXES = ("api/",)  # the REST API has its own matrix (tests/test_authz_api.py)
DENIED = "accounts.access_denied"
PROBE = "accounts.scope_probe"




# --- the world every case runs in -------------------------------------------------------------------


@dataclass
class World:
    """The fixture tree (G → A → A1 (A1G1), A2; G → B → B1) with one member in A1 and one in B1."""

    orgs: dict[str, Organization]
    a_member: Member
    b_member: Member

    def pk(self, code: str) -> dict[str, int]:
        return {"pk": self.orgs[code].pk}


@pytest.fixture
def world(tree, member_factory) -> World:
    return World(
        orgs=tree,
        a_member=member_factory("A1", name="甲支部党员"),
        b_member=member_factory("B1", name="乙支部党员"),
    )


state = db_state  # every row of every dangjian table but the denial and probe records


# --- the matrix -------------------------------------------------------------------------------------

Kw = Callable[[World], dict]
_none: Kw = lambda w: {}  # noqa: E731


@dataclass(frozen=True)
class Page:
    """How the matrix exercises one page.

    ``perm``: the permission the view declares (``None``: any signed-in user). ``actor``: the role, org
    code and scope of a branch-A user who holds it. ``kwargs``/``query``/``post`` build a permitted
    request on branch A; ``b_kwargs``/``b_query``/``b_post`` the same request aimed at branch B (None:
    the page has no branch-B form, ``cross`` says why). ``b_status``: the answer to the branch-B
    request; ``b_hidden``: B's data that must not appear in it.
    """

    perm: str | None
    actor: tuple[str, str | None, str] = ("party_worker", "A1", "org")
    methods: tuple[str, ...] = ("get",)
    public: bool = False
    kwargs: Kw = _none
    query: Kw = _none
    post: Kw | None = None
    ok: tuple[int, ...] = (200,)
    post_ok: tuple[int, ...] = (302,)
    b_kwargs: Kw | None = None
    b_query: Kw | None = None
    b_post: Kw | None = None
    b_status: int = 404
    b_hidden: Callable[[World], list[str]] | None = None
    cross: str = ""
    nogrant_status: int = 403
    nogrant_writes: str = ""  # why a no-grant request legitimately writes (state is then not compared)
    anon_status: int | None = None  # None: redirect to sign-in (or 200 when public)
    anon_location: str | None = None


COMMITTEE_A = ("committee_secretary", "A", "subtree")
BRANCH_SEC_A = ("branch_secretary", "A", "subtree")
WORKER_A1 = ("party_worker", "A1", "org")
AUDITOR_A = ("auditor", "A", "subtree")
PLAIN = ("", None, "")


def _b_names(w: World) -> list[str]:
    return ["乙公司党委", "乙一支部", w.b_member.name]


def _org_data(w: World, code: str, org_type: str) -> dict:
    return {"name": "名称已改", "code": code, "org_type": org_type, "reason": "matrix"}


def _member_data(w: World, org_code: str) -> dict:
    birth = timezone.localdate().replace(year=1991, month=3, day=9)
    return {
        "name": "矩阵党员", "gender": "M", "ethnicity": "汉族", "birth_date": birth.isoformat(),
        "id_number": make_id_number(birth, 77, gender="M"), "phone": "13911112222", "category": "full",
        "joined_on": "2015-07-01", "full_member_on": "2016-07-01", "org_code": org_code, "status": "normal",
    }


def _edit_member_data(w: World, member: Member) -> dict:
    return {
        "name": "改名党员", "gender": member.gender, "ethnicity": "汉族", "birth_date": member.birth_date.isoformat(),
        "id_number": "", "phone": "", "category": "full", "joined_on": "2005-07-01", "full_member_on": "2006-07-01",
        "org_code": member.org.code, "status": "normal",
    }


def _dues_rule_set_post(w: World) -> dict:
    """The add-version form as posted: the version in force, renamed 2031 (a fresh version every time)."""
    from dangjian.dues.models import DuesRuleSet
    from dangjian.dues.services.versions import rule_set_template

    data = rule_set_template(DuesRuleSet.objects.get(version="2017"))
    post = {k: "" if v is None else str(v) for k, v in data.items() if k != "brackets"}
    post.update(version="2031", name="矩阵", effective_from="2031-01-01", reason="matrix")
    rows = data["brackets"]
    post.update({"brackets-TOTAL_FORMS": str(len(rows)), "brackets-INITIAL_FORMS": str(len(rows)),
                 "brackets-MIN_NUM_FORMS": "0", "brackets-MAX_NUM_FORMS": "60"})
    for i, row in enumerate(rows):
        for key, value in row.items():
            name = "rate_percent" if key == "rate" else key
            if key == "rate" and value is not None:
                value = format((value * 100).normalize(), "f")
            post[f"brackets-{i}-{name}"] = "" if value is None else str(value)
    return post


def _dues_payment() -> dict:
    return {"amount": "10", "voluntary_extra": "10", "channel": "cash", "reference": "MATRIX-1",
            "paid_on": "2024-03-01"}


def _dev(w: World, code: str) -> int:
    from dangjian.development.tests.factories import world_pipeline

    return world_pipeline(w, code)


def _applicant_data(org_code: str) -> dict:
    birth = timezone.localdate().replace(year=1996, month=4, day=2)
    return {"name": "矩阵申请人", "id_number": make_id_number(birth, 81, gender="M", area="320102"), "gender": "",
            "birth_date": "", "ethnicity": "汉族", "phone": "", "education": "", "job_title": "", "unit_code": "",
            "org_code": org_code, "applied_on": "2024-01-05", "responsible": "", "document_ref": "", "reason": ""}


def _applicant_edit(org_code: str) -> dict:
    return {"name": "改名申请人", "id_number": "", "gender": "", "birth_date": "", "ethnicity": "汉族", "phone": "",
            "education": "", "job_title": "技术员", "unit_code": "", "org_code": org_code, "reason": "matrix"}


def _import_upload(org_code: str) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dangjian.exchange.tests.helpers import MEMBER_HEADER, csv_bytes, member_row

    data = csv_bytes(MEMBER_HEADER, [member_row(1, 所在党支部代码="")])
    return {"kind": "members", "mode": "create", "profile": "", "org_code": org_code,
            "file": SimpleUploadedFile("matrix.csv", data)}


def _import_job(owner: str) -> int:
    """An import job kept for *owner* (created when missing): jobs belong to whoever uploaded them."""
    from dangjian.accounts.models import User
    from dangjian.exchange.services import job_create

    # built without an audit entry, as the matrix builds its URLs after taking the "before" state
    user = User.objects.filter(username=owner).first() or User.objects.create_user(username=owner)
    return job_create(actor=user, kind="members", mode="create", file_name="matrix.csv", data=b"x").pk


def _exchange_profile(w: World, code: str) -> int:
    from dangjian.exchange.models import ExchangeProfile

    # a unit's own copy of the national mapping, built without an audit entry (see _import_job)
    national = ExchangeProfile.objects.get(code="national-members")
    profile, _ = ExchangeProfile.objects.get_or_create(
        code=f"matrix-{code.lower()}", defaults={"name": f"{code} 方案", "kind": national.kind,
                                                 "columns": national.columns, "org": w.orgs[code]})
    return profile.pk


def _exchange_profile_form(w: World, code: str) -> dict:
    from dangjian.exchange.models import ExchangeProfile

    profile = ExchangeProfile.objects.get(pk=_exchange_profile(w, code))
    data = {"name": "矩阵方案", "reason": "matrix"}
    for n, col in enumerate(profile.columns):
        data[f"title_{n}"] = col["title"]
        if col["required"]:
            data[f"required_{n}"] = "on"
    return data


def _mt():
    from dangjian.meetings.tests import factories

    return factories


def _meeting_post(w: World, code: str) -> dict:
    member = w.a_member if code == "A1" else w.b_member
    start = (timezone.localtime() - timezone.timedelta(hours=3)).replace(second=0, microsecond=0)
    return {"org": code, "kind": "theme_day", "topic": "矩阵会议", "held": "on",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timezone.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "roll": [member.pk], f"att_{member.pk}": "present"}


def _record_post(w: World, member: Member) -> dict:
    return {"starts_at": "2024-03-05T14:00", "ends_at": "2024-03-05T16:00", "minutes": "矩阵记录",
            "roll": [member.pk], f"att_{member.pk}": "present"}


def _series_post(code: str) -> dict:
    return {"org": code, "kind": "theme_day", "topic": "矩阵固定活动", "day_of_month": 10, "interval_months": 1,
            "start_time": "14:30", "duration_minutes": 90, "starts_on": "2024-01-01"}


def _election_post(w: World, code: str) -> dict:
    member = w.a_member if code == "A1" else w.b_member
    return {"org": code, "held_on": "2024-06-20", "attending": 1, f"votes_{member.pk}": 1,
            f"elected_{member.pk}": "on", f"position_{member.pk}": "secretary"}


def _upload() -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("矩阵.pdf", b"%PDF-1.4 matrix", content_type="application/pdf")}


def _b_meeting_rows(w: World) -> dict:
    """Makes branch B's meeting and series (no audit entry) before the request, for the list pages."""
    _mt().world_meeting(w, "B1")
    _mt().world_series(w, "B1")
    return {}


TRANSFERS_A = ("branch_secretary", "A", "subtree")  # both ends of an A1 → A2 transfer


def _tr(w: World, side: str) -> int:
    from dangjian.transfers.tests.factories import world_transfer

    return world_transfer(w, side)


def _tr_arrival(org_code: str) -> dict:
    birth = timezone.localdate().replace(year=1993, month=4, day=5)
    return {"to_org_code": org_code, "outside_org_name": "中共某高校委员会", "letter_no": "高组〔2024〕8号",
            "issued_on": "2024-02-01", "received_on": "2024-02-10", "name": "矩阵转入党员", "gender": "M",
            "ethnicity": "汉族", "birth_date": birth.isoformat(), "id_number": make_id_number(birth, 91, gender="M"),
            "category": "full", "joined_on": "2013-06-01", "full_member_on": "2014-06-01"}


_TR_LETTER = {"kind": "internal_out", "to_org_code": "B1", "letter_no": "矩阵〔2024〕3号", "issued_on": "2024-03-01"}


# integration: the inbox is always the caller's own; channels are org data (integration.configure)
INTEGRATION_A1 = ("branch_secretary", "A1", "subtree")
_CALLERS = ("actor_a", "nogrant", "lacking")  # the accounts the checks below sign in


def _my_notification(w: World) -> int:
    """A notification of the account the check signed in (made on first use, no audit entry); a missing id
    while no such account exists (the anonymous check)."""
    from dangjian.accounts.models import User
    from dangjian.integration.services import notify

    user = User.objects.filter(username__in=_CALLERS).order_by("-pk").first()
    if user is None:
        return 987_654_321
    mine = user.notifications.order_by("pk").first()
    return mine.pk if mine else notify(recipients=[user], title="矩阵通知", link="/").notifications.get().pk


def _others_notification(w: World) -> int:
    from dangjian.accounts.models import User
    from dangjian.integration.services import notify

    other, _ = User.objects.get_or_create(username="inbox_other")
    mine = other.notifications.order_by("pk").first()
    return mine.pk if mine else notify(recipients=[other], title="别人的通知").notifications.get().pk


def _channel(w: World, code: str) -> int:
    """A WeCom channel of *code* (made on first use through the ORM, so without an audit entry)."""
    from dangjian.integration.models import NotificationChannel

    channel, _ = NotificationChannel.objects.get_or_create(
        name=f"矩阵 {code}", defaults={"org": w.orgs[code], "kind": "wecom",
                                        "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=m"})
    return channel.pk


def _hook(w: World, code: str) -> int:
    """A webhook subscription of *code* (made on first use through the ORM, so without an audit entry)."""
    from dangjian.integration.models import WebhookSubscription

    sub, _ = WebhookSubscription.objects.get_or_create(
        name=f"矩阵订阅 {code}", defaults={"org": w.orgs[code], "url": "https://8.8.8.8/matrix-hook",
                                          "secret": "whsec_bWF0cml4", "event_types": ["cn.dangjian.dues.bills_generated"]})
    return sub.pk


def _hook_form(org_code: str) -> dict:
    return {"org_code": org_code, "name": "矩阵订阅", "url": "https://8.8.8.8/matrix-hook", "enabled": "on",
            "event_types": ["cn.dangjian.dues.bills_generated"]}


_HOOK_EDIT = {"name": "改名订阅", "url": "", "event_types": ["cn.dangjian.dues.bills_generated"], "enabled": "on"}


def _channel_form(org_code: str) -> dict:
    return {"org_code": org_code, "kind": "wecom", "name": "矩阵渠道", "min_severity": "warning", "enabled": "on",
            "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=matrix", "secret": "",
            "email_recipients": ""}


_CHANNEL_EDIT = {"name": "改名渠道", "webhook_url": "", "secret": "", "email_recipients": "", "min_severity": "info",
                 "enabled": "on"}


def _hf(w: World, code: str) -> int:
    from dangjian.health.tests.factories import world_finding

    return world_finding(w, code)


MATRIX: dict[str, Page] = {
    # orgs -------------------------------------------------------------------------------------------
    "orgs:tree": Page(
        "orgs.view", COMMITTEE_A, query=lambda w: {"q": "支部"}, b_query=lambda w: {"q": "乙"}, b_status=200,
        b_hidden=lambda w: ["乙公司党委", "乙一支部"], cross="search for B's names finds nothing",
    ),
    "orgs:lookup": Page(
        "orgs.view", COMMITTEE_A, query=lambda w: {"q": "A"}, b_query=lambda w: {"q": "B"}, b_status=200,
        b_hidden=lambda w: ['value="B"', 'value="B1"'], cross="B's codes are not offered",
    ),
    "orgs:pick": Page(
        "orgs.view", COMMITTEE_A, query=lambda w: {"q": "支部"}, b_query=lambda w: {"q": "乙"}, b_status=200,
        b_hidden=lambda w: ["乙公司党委", "乙一支部", '"B1"'], cross="the picker offers none of B's orgs",
    ),
    "orgs:chart": Page("orgs.view", COMMITTEE_A, b_query=lambda w: {"root": w.orgs["B"].pk}),
    "orgs:chart_data": Page("orgs.view", COMMITTEE_A, b_query=lambda w: {"root": w.orgs["B"].pk}),
    "orgs:detail": Page("orgs.view", COMMITTEE_A, kwargs=lambda w: w.pk("A1"), b_kwargs=lambda w: w.pk("B1")),
    "orgs:children": Page("orgs.view", COMMITTEE_A, kwargs=lambda w: w.pk("A"), b_kwargs=lambda w: w.pk("B")),
    "orgs:create": Page(
        "orgs.change", BRANCH_SEC_A, methods=("get", "post"), kwargs=lambda w: w.pk("A1"),
        post=lambda w: _org_data(w, "A1G9", "group"), b_kwargs=lambda w: w.pk("B1"),
        b_post=lambda w: _org_data(w, "B1G9", "group"),
    ),
    "orgs:edit": Page(
        "orgs.change", BRANCH_SEC_A, methods=("get", "post"), kwargs=lambda w: w.pk("A1"),
        post=lambda w: _org_data(w, "A1", "branch"), b_kwargs=lambda w: w.pk("B1"),
        b_post=lambda w: _org_data(w, "B1", "branch"),
    ),
    "orgs:move": Page(
        "orgs.change", BRANCH_SEC_A, methods=("get", "post"), kwargs=lambda w: w.pk("A2"),
        post=lambda w: {"parent_code": "A"}, b_kwargs=lambda w: w.pk("B1"), b_post=lambda w: {"parent_code": "A"},
    ),
    "orgs:dissolve": Page(
        "orgs.change", BRANCH_SEC_A, methods=("get", "post"), kwargs=lambda w: w.pk("A1G1"),
        post=lambda w: {"on": "2025-01-01", "reason": "matrix"}, b_kwargs=lambda w: w.pk("B1"),
        b_post=lambda w: {"on": "2025-01-01", "reason": "matrix"},
    ),
    # members ----------------------------------------------------------------------------------------
    "members:list": Page(
        "members.view", WORKER_A1, b_query=lambda w: {"org": "B1", "f": "1"}, b_status=200, b_hidden=_b_names,
        cross="filtering by B's code is a field error and lists nothing",
    ),
    "members:pick": Page(
        "members.view", WORKER_A1, query=lambda w: {"q": "党员"}, b_query=lambda w: {"q": "乙支部"}, b_status=200,
        b_hidden=lambda w: [w.b_member.name, "乙一支部"], cross="the picker offers none of B's members",
    ),
    "members:create": Page(
        "members.change", WORKER_A1, methods=("get", "post"), post=lambda w: _member_data(w, "A1"),
        b_post=lambda w: _member_data(w, "B1"), b_status=400,
        cross="a branch-B org code is refused at the field like an unknown one (400), nothing written",
    ),
    "members:detail": Page(
        None, WORKER_A1, kwargs=lambda w: {"pk": w.a_member.pk}, b_kwargs=lambda w: {"pk": w.b_member.pk},
        nogrant_status=404,
        cross="declared for any signed-in user: one's own record is always visible (STYLE §4); "
              "anyone else's needs members.view in scope, so without it the answer is 404",
    ),
    "members:edit": Page(
        "members.change", WORKER_A1, methods=("get", "post"), kwargs=lambda w: {"pk": w.a_member.pk},
        post=lambda w: _edit_member_data(w, w.a_member), b_kwargs=lambda w: {"pk": w.b_member.pk},
        b_post=lambda w: _edit_member_data(w, w.b_member),
    ),
    "members:reveal": Page(
        None, COMMITTEE_A, methods=("post",), kwargs=lambda w: {"pk": w.a_member.pk},
        post=lambda w: {"field": "id_number"}, post_ok=(200,), b_kwargs=lambda w: {"pk": w.b_member.pk},
        b_post=lambda w: {"field": "id_number"}, nogrant_status=404,
        cross="declared for any signed-in user (own record); can_reveal decides per member",
    ),
    # audit ------------------------------------------------------------------------------------------
    "audit:log": Page(
        "audit.view", AUDITOR_A, b_query=lambda w: {"action": "members.create"}, b_status=200,
        b_hidden=lambda w: [w.b_member.name, "乙公司党委"], cross="branch B's entries are not listed",
    ),
    # dues -------------------------------------------------------------------------------------------
    "dues:calculator": Page(
        None, WORKER_A1, query=lambda w: {"category": "in_service", "base": "5000"}, nogrant_status=200,
        cross="the dues rules are public regulations: the calculator is the same for every signed-in user",
    ),
    "dues:bills": Page("dues.view", WORKER_A1, b_query=lambda w: {"org": "B1"}),
    "dues:arrears": Page("dues.view", WORKER_A1, b_query=lambda w: {"org": "B1"}),
    "dues:export": Page(
        "dues.view", WORKER_A1, query=lambda w: {"month": "2024-03", "format": "csv"},
        b_query=lambda w: {"month": "2024-03", "format": "csv", "org": "B1"},
    ),
    "dues:member": Page(
        None, WORKER_A1, kwargs=lambda w: {"pk": w.a_member.pk}, b_kwargs=lambda w: {"pk": w.b_member.pk},
        nogrant_status=404,
        cross="declared for any signed-in user: one's own dues are always visible (STYLE §4); "
              "anyone else's need dues.view in scope, so without it the answer is 404",
    ),
    "dues:pay": Page(
        "dues.change", WORKER_A1, methods=("post",), kwargs=lambda w: {"pk": w.a_member.pk},
        post=lambda w: _dues_payment(), b_kwargs=lambda w: {"pk": w.b_member.pk}, b_post=lambda w: _dues_payment(),
    ),
    "dues:profile": Page(
        "dues.change", WORKER_A1, methods=("post",), kwargs=lambda w: {"pk": w.a_member.pk},
        post=lambda w: {"category": "in_service", "base": "5000"}, b_kwargs=lambda w: {"pk": w.b_member.pk},
        b_post=lambda w: {"category": "in_service", "base": "5000"},
    ),
    "dues:home": Page(
        "dues.view", WORKER_A1, ok=(302,),
        cross="a redirect to the bills (or to one's own dues) carrying no object of any branch",
    ),
    "dues:mine": Page(
        None, WORKER_A1, nogrant_status=200,
        cross="one's own dues, found through one's own account: there is no other branch's object to ask for",
    ),
    "dues:rule_sets": Page(
        "dues.configure", ("sysadmin", None, "all"),
        cross="the dues rules are platform-wide regulation data: only dues.configure sees the versions page",
    ),
    "dues:rule_set_add": Page(
        "dues.configure", ("sysadmin", None, "all"), methods=("get", "post"), post=_dues_rule_set_post,
        cross="platform-wide configuration: only a grant of dues.configure adds a version",
    ),
    # development (发展党员) ---------------------------------------------------------------------------
    "development:board": Page(
        "development.view", WORKER_A1, b_query=lambda w: (_dev(w, "B1"), {"org": "B1"})[1], b_status=200,
        b_hidden=lambda w: ["B1入党申请人"], cross="filtering by B's code is a field error and lists nothing",
    ),
    "development:create": Page(
        "development.change", WORKER_A1, methods=("get", "post"), post=lambda w: _applicant_data("A1"),
        b_post=lambda w: _applicant_data("B1"), b_status=400,
        cross="a branch-B org code is refused at the field like an unknown one (400), nothing written",
    ),
    "development:export": Page("development.view", WORKER_A1, b_query=lambda w: {"org": "B1"}),
    "development:rules": Page(
        "development.view", WORKER_A1, cross="the rules are platform-wide regulation data, the same for everyone",
    ),
    "development:rule_edit": Page(
        "development.configure", ("sysadmin", None, "all"), methods=("get", "post"),
        kwargs=lambda w: {"code": "public_notice"},
        post=lambda w: {"param_days": "5", "param_unit": "working", "param_steps": ["prereview"], "severity": "block",
                        "enabled": "on", "reason": "matrix"},
        cross="platform-wide configuration: only an all-scope grant of development.configure edits it",
    ),
    "development:detail": Page(
        "development.view", WORKER_A1, kwargs=lambda w: {"pk": _dev(w, "A1")},
        b_kwargs=lambda w: {"pk": _dev(w, "B1")},
    ),
    "development:edit": Page(
        "development.change", WORKER_A1, methods=("get", "post"), kwargs=lambda w: {"pk": _dev(w, "A1")},
        post=lambda w: _applicant_edit("A1"), b_kwargs=lambda w: {"pk": _dev(w, "B1")},
        b_post=lambda w: _applicant_edit("B1"),
    ),
    "development:close": Page(
        "development.change", WORKER_A1, methods=("get", "post"), kwargs=lambda w: {"pk": _dev(w, "A1")},
        post=lambda w: {"outcome": "withdrawn", "on": "2024-01-03", "reason": "matrix"},
        b_kwargs=lambda w: {"pk": _dev(w, "B1")},
        b_post=lambda w: {"outcome": "withdrawn", "on": "2024-01-03", "reason": "matrix"},
    ),
    "development:step": Page(
        "development.change", WORKER_A1, methods=("get", "post"),
        kwargs=lambda w: {"pk": _dev(w, "A1"), "code": "talk"}, post=lambda w: {"on": "2024-01-10"},
        b_kwargs=lambda w: {"pk": _dev(w, "B1"), "code": "talk"}, b_post=lambda w: {"on": "2024-01-10"},
    ),
    # exchange (数据交换) -----------------------------------------------------------------------------
    "exchange:index": Page("exchange.import", WORKER_A1, cross="the upload form and the actor's own jobs only"),
    "exchange:upload": Page(
        "exchange.import", WORKER_A1, methods=("post",), post=lambda w: _import_upload("A1"),
        b_post=lambda w: _import_upload("B1"), b_status=400,
        cross="a branch-B default org is refused at the field like an unknown one (400); no job is kept",
    ),
    "exchange:job": Page(
        "exchange.import", WORKER_A1, kwargs=lambda w: {"pk": _import_job("actor_a")},
        b_kwargs=lambda w: {"pk": _import_job("uploader_b")}, cross="a job belongs to whoever uploaded it",
    ),
    "exchange:job_progress": Page(
        "exchange.import", WORKER_A1, kwargs=lambda w: {"pk": _import_job("actor_a")},
        b_kwargs=lambda w: {"pk": _import_job("uploader_b")},
    ),
    "exchange:job_commit": Page(
        "exchange.import", WORKER_A1, methods=("post",), kwargs=lambda w: {"pk": _import_job("actor_a")},
        post=lambda w: {}, b_kwargs=lambda w: {"pk": _import_job("uploader_b")}, b_post=lambda w: {},
    ),
    "exchange:template": Page(
        "exchange.import", WORKER_A1, kwargs=lambda w: {"kind": "members"},
        cross="the template's branch dropdown lists only the actor's own branches (exchange/tests/test_views.py)",
    ),
    "exchange:export": Page("exchange.export", WORKER_A1, cross="the export forms only; the downloads are checked"),
    "exchange:export_members": Page(
        "exchange.export", WORKER_A1, query=lambda w: {"format": "csv"}, b_query=lambda w: {"org": "B1"},
    ),
    "exchange:export_orgs": Page(
        "exchange.export", WORKER_A1, query=lambda w: {"format": "csv"}, b_query=lambda w: {"org": "B"},
    ),
    "exchange:profile": Page(
        "exchange.import", WORKER_A1, methods=("get", "post"), kwargs=lambda w: {"pk": _exchange_profile(w, "A1")},
        post=lambda w: _exchange_profile_form(w, "A1"), b_kwargs=lambda w: {"pk": _exchange_profile(w, "B1")},
        b_post=lambda w: _exchange_profile_form(w, "B1"),
    ),
    "exchange:profile_copy": Page(
        "exchange.import", WORKER_A1, methods=("post",), kwargs=lambda w: {"pk": _exchange_profile(w, "A1")},
        post=lambda w: {"org_code": "A1"}, b_kwargs=lambda w: {"pk": _exchange_profile(w, "B1")},
        b_post=lambda w: {"org_code": "B1"},
    ),
    # meetings (组织生活) and elections ----------------------------------------------------------------
    "meetings:list": Page(
        "meetings.view", WORKER_A1, query=lambda w: {"month": "2024-03"}, b_kwargs=_b_meeting_rows,
        b_query=lambda w: {"org": "B1", "month": "2024-03"}, b_status=200, b_hidden=lambda w: ["B1会议"],
        cross="filtering by B's code is a field error and lists only A's meetings",
    ),
    "meetings:create": Page(
        "meetings.change", WORKER_A1, methods=("get", "post"), post=lambda w: _meeting_post(w, "A1"),
        b_post=lambda w: _meeting_post(w, "B1"), b_status=400,
        cross="a branch-B org code is refused at the field like an unknown one (400), nothing written",
    ),
    "meetings:mine": Page(None, WORKER_A1, nogrant_status=200,
                          cross="the signed-in member's own meetings, through their member record"),
    "meetings:calendar": Page(
        "meetings.view", WORKER_A1, query=lambda w: {"month": "2024-03"}, b_kwargs=_b_meeting_rows,
        b_query=lambda w: {"org": "B1", "month": "2024-03"}, b_status=200, b_hidden=lambda w: ["B1会议"],
        cross="B's code is a field error; B's meetings are not drawn",
    ),
    "meetings:compliance": Page(
        "meetings.view", WORKER_A1, b_kwargs=_b_meeting_rows, b_query=lambda w: {"org": "B1"}, b_status=200,
        b_hidden=lambda w: ["乙一支部"], cross="B's code is a field error; B is not listed",
    ),
    "meetings:rules": Page(
        "meetings.view", WORKER_A1, cross="the cadence rules are platform-wide regulation data, the same for everyone",
    ),
    "meetings:rule_edit": Page(
        "meetings.configure", ("sysadmin", None, "all"), methods=("get", "post"),
        kwargs=lambda w: {"code": "branch.party_lecture"},
        post=lambda w: {"param_unit": "quarter", "param_min_count": "1", "enabled": "on", "reason": "matrix"},
        cross="platform-wide configuration: only an all-scope grant of meetings.configure edits it",
    ),
    "meetings:series": Page(
        "meetings.view", WORKER_A1, b_kwargs=_b_meeting_rows, b_query=lambda w: {}, b_status=200,
        b_hidden=lambda w: ["B1固定活动"], cross="lists only the series in scope",
    ),
    "meetings:series_create": Page(
        "meetings.change", WORKER_A1, methods=("get", "post"), post=lambda w: _series_post("A1"),
        b_post=lambda w: _series_post("B1"), b_status=400,
        cross="a branch-B org code is refused at the field like an unknown one (400), nothing written",
    ),
    "meetings:series_generate": Page(
        "meetings.change", WORKER_A1, methods=("post",), kwargs=lambda w: {"pk": _mt().world_series(w, "A1")},
        post=lambda w: {"count": 2}, b_kwargs=lambda w: {"pk": _mt().world_series(w, "B1")},
        b_post=lambda w: {"count": 2},
    ),
    "meetings:detail": Page(
        None, WORKER_A1, kwargs=lambda w: {"pk": _mt().world_meeting(w, "A1")},
        b_kwargs=lambda w: {"pk": _mt().world_meeting(w, "B1")}, nogrant_status=404,
        cross="declared for any signed-in user: one's own meetings are always readable (STYLE §4, issue 9); "
              "anyone else's need meetings.view in scope, so without it the answer is 404",
    ),
    "meetings:edit": Page(
        "meetings.change", WORKER_A1, methods=("get", "post"), kwargs=lambda w: {"pk": _mt().world_meeting(w, "A1")},
        post=lambda w: {"topic": "改期", "starts_at": "2024-03-06T14:00", "ends_at": "2024-03-06T15:00"},
        b_kwargs=lambda w: {"pk": _mt().world_meeting(w, "B1")},
        b_post=lambda w: {"topic": "改期", "starts_at": "2024-03-06T14:00", "ends_at": "2024-03-06T15:00"},
    ),
    "meetings:record": Page(
        "meetings.change", WORKER_A1, methods=("get", "post"), kwargs=lambda w: {"pk": _mt().world_meeting(w, "A1")},
        post=lambda w: _record_post(w, w.a_member), b_kwargs=lambda w: {"pk": _mt().world_meeting(w, "B1")},
        b_post=lambda w: _record_post(w, w.b_member),
    ),
    "meetings:cancel": Page(
        "meetings.change", WORKER_A1, methods=("post",), kwargs=lambda w: {"pk": _mt().world_meeting(w, "A1")},
        post=lambda w: {"reason": "矩阵"}, b_kwargs=lambda w: {"pk": _mt().world_meeting(w, "B1")},
        b_post=lambda w: {"reason": "矩阵"},
    ),
    "meetings:minutes": Page(
        "meetings.change", WORKER_A1, methods=("post",), kwargs=lambda w: {"pk": _mt().world_meeting(w, "A1")},
        post=lambda w: {"minutes": "矩阵记录"}, b_kwargs=lambda w: {"pk": _mt().world_meeting(w, "B1")},
        b_post=lambda w: {"minutes": "矩阵记录"},
    ),
    "meetings:attachment_upload": Page(
        "meetings.change", WORKER_A1, methods=("post",), kwargs=lambda w: {"pk": _mt().world_meeting(w, "A1")},
        post=lambda w: _upload(), b_kwargs=lambda w: {"pk": _mt().world_meeting(w, "B1")},
        b_post=lambda w: _upload(),
    ),
    "meetings:attachment_download": Page(
        None, WORKER_A1, kwargs=lambda w: _mt().world_attachment(w, "A1"),
        b_kwargs=lambda w: _mt().world_attachment(w, "B1"), nogrant_status=404,
        cross="as the meeting: one's own meetings' files are always readable; others need meetings.view in scope",
    ),
    "meetings:followup_add": Page(
        "meetings.change", WORKER_A1, methods=("post",), kwargs=lambda w: {"pk": _mt().world_meeting(w, "A1")},
        post=lambda w: {"title": "矩阵事项", "owner": w.a_member.pk, "due_on": "2024-03-31"},
        b_kwargs=lambda w: {"pk": _mt().world_meeting(w, "B1")},
        b_post=lambda w: {"title": "矩阵事项", "owner": w.b_member.pk, "due_on": "2024-03-31"},
    ),
    "meetings:followup_done": Page(
        "meetings.change", WORKER_A1, methods=("post",), kwargs=lambda w: _mt().world_followup(w, "A1"),
        b_kwargs=lambda w: _mt().world_followup(w, "B1"), post=lambda w: {}, b_post=lambda w: {},
    ),
    "meetings:checkin_code": Page(
        "meetings.change", WORKER_A1, methods=("post",), kwargs=lambda w: {"pk": _mt().world_meeting(w, "A1")},
        post=lambda w: {}, b_kwargs=lambda w: {"pk": _mt().world_meeting(w, "B1")}, b_post=lambda w: {},
    ),
    "meetings:checkin": Page(
        None, WORKER_A1, methods=("get", "post"), kwargs=lambda w: {"pk": _mt().world_meeting(w, "A1")},
        post=lambda w: {"code": "000000"}, post_ok=(400,), b_kwargs=lambda w: {"pk": _mt().world_meeting(w, "B1")},
        b_post=lambda w: {"code": "000000"}, nogrant_status=404,
        cross="declared for any signed-in user: a member confirms their own attendance at a meeting they can see; "
              "the matrix's actor has no member record, so the code is refused at its field (400) — the success "
              "path is in meetings/tests/test_views.py",
    ),
    "meetings:elections": Page(
        "orgs.view", WORKER_A1, b_query=lambda w: {"org": "B1"}, b_status=200, b_hidden=lambda w: ["乙一支部"],
        cross="B's code is refused; B's terms and elections are not listed",
    ),
    "meetings:election_create": Page(
        "orgs.change", BRANCH_SEC_A, methods=("get", "post"), post=lambda w: _election_post(w, "A1"),
        b_post=lambda w: _election_post(w, "B1"), b_status=400,
        cross="a branch-B org code is refused at the field like an unknown one (400), nothing written",
    ),
    "meetings:election_detail": Page(
        "orgs.view", WORKER_A1, kwargs=lambda w: {"pk": _mt().world_election(w, "A1")},
        b_kwargs=lambda w: {"pk": _mt().world_election(w, "B1")},
    ),
    "meetings:election_approve": Page(
        "orgs.change", ("org_dept", "A", "subtree"), methods=("post",),
        kwargs=lambda w: {"pk": _mt().world_election(w, "A1")},
        post=lambda w: {"approved_by": "A", "approved_on": "2024-06-25", "approval_doc": "矩阵"},
        b_kwargs=lambda w: {"pk": _mt().world_election(w, "B1")},
        b_post=lambda w: {"approved_by": "B", "approved_on": "2024-06-25", "approval_doc": "矩阵"},
    ),
    "meetings:term_postpone": Page(
        "orgs.change", BRANCH_SEC_A, methods=("get", "post"), kwargs=lambda w: {"pk": _mt().world_term(w, "A1")},
        post=lambda w: {"until": "2025-01-15", "approved_by": "A", "approved_on": "2024-06-01", "approval_doc": "矩阵"},
        b_kwargs=lambda w: {"pk": _mt().world_term(w, "B1")},
        b_post=lambda w: {"until": "2025-01-15", "approved_by": "B", "approved_on": "2024-06-01",
                          "approval_doc": "矩阵"},
    ),
    # transfers (组织关系转接, 党籍状态) -----------------------------------------------------------------
    "transfers:list": Page(
        "transfers.view", TRANSFERS_A, b_query=lambda w: (_tr(w, "B"), {"org": "B1"})[1], b_status=400,
        b_hidden=lambda w: [w.b_member.name, f"矩阵转〔2024〕{w.b_member.pk}号"],
        cross="filtering by B's code is a field error (400) and lists nothing of B",
    ),
    "transfers:external_in": Page(
        "transfers.change", TRANSFERS_A, methods=("get", "post"), post=lambda w: _tr_arrival("A1"),
        b_post=lambda w: _tr_arrival("B1"), b_status=400,
        cross="a branch-B org code is refused at the field like an unknown one (400), nothing written",
    ),
    "transfers:rules": Page(
        "transfers.view", TRANSFERS_A, cross="the rules are platform-wide regulation data, the same for everyone",
    ),
    "transfers:rule_edit": Page(
        "transfers.configure", ("sysadmin", None, "all"), methods=("get", "post"),
        kwargs=lambda w: {"code": "letter_validity"},
        post=lambda w: {"param_days": "90", "param_max_days": "180", "enabled": "on", "reason": "matrix"},
        cross="platform-wide configuration: only an all-scope grant of transfers.configure edits it",
    ),
    "transfers:detail": Page(
        "transfers.view", TRANSFERS_A, kwargs=lambda w: {"pk": _tr(w, "A")}, b_kwargs=lambda w: {"pk": _tr(w, "B")},
    ),
    "transfers:receive": Page(
        "transfers.change", TRANSFERS_A, methods=("post",), kwargs=lambda w: {"pk": _tr(w, "A")},
        post=lambda w: {"received_on": "2024-03-05"}, b_kwargs=lambda w: {"pk": _tr(w, "B")},
        b_post=lambda w: {"received_on": "2024-03-05"},
    ),
    "transfers:return": Page(
        "transfers.change", TRANSFERS_A, methods=("post",), kwargs=lambda w: {"pk": _tr(w, "A")},
        post=lambda w: {"ret-on": "2024-03-05", "ret-reason": "matrix"}, b_kwargs=lambda w: {"pk": _tr(w, "B")},
        b_post=lambda w: {"ret-on": "2024-03-05", "ret-reason": "matrix"},
    ),
    "transfers:cancel": Page(
        "transfers.change", TRANSFERS_A, methods=("post",), kwargs=lambda w: {"pk": _tr(w, "A")},
        post=lambda w: {"can-on": "2024-03-05", "can-reason": "matrix"}, b_kwargs=lambda w: {"pk": _tr(w, "B")},
        b_post=lambda w: {"can-on": "2024-03-05", "can-reason": "matrix"},
    ),
    "transfers:letter": Page(
        "transfers.change", TRANSFERS_A, methods=("post",), kwargs=lambda w: {"pk": _tr(w, "A")},
        post=lambda w: {"letter_no": "矩阵〔2024〕2号", "issued_on": "2024-03-02"},
        b_kwargs=lambda w: {"pk": _tr(w, "B")}, b_post=lambda w: {"letter_no": "矩阵〔2024〕2号", "issued_on": "2024-03-02"},
    ),
    "transfers:member": Page(
        "transfers.view", TRANSFERS_A, kwargs=lambda w: {"pk": w.a_member.pk}, b_kwargs=lambda w: {"pk": w.b_member.pk},
    ),
    "transfers:create": Page(
        "transfers.change", TRANSFERS_A, methods=("get", "post"), kwargs=lambda w: {"pk": w.a_member.pk},
        post=lambda w: _TR_LETTER, b_kwargs=lambda w: {"pk": w.b_member.pk}, b_post=lambda w: _TR_LETTER,
    ),
    "transfers:status": Page(
        "transfers.change", TRANSFERS_A, methods=("post",), kwargs=lambda w: {"pk": w.a_member.pk},
        post=lambda w: {"transition": "lose_contact", "effective_on": "2024-03-01"},
        b_kwargs=lambda w: {"pk": w.b_member.pk},
        b_post=lambda w: {"transition": "lose_contact", "effective_on": "2024-03-01"},
    ),
    "transfers:search": Page(
        "transfers.change", TRANSFERS_A, methods=("post",), kwargs=lambda w: {"pk": w.a_member.pk},
        post=lambda w: {"searched_on": "2024-03-01", "method": "电话"}, post_ok=(400,),
        b_kwargs=lambda w: {"pk": w.b_member.pk}, b_post=lambda w: {"searched_on": "2024-03-01", "method": "电话"},
        cross="the world's A1 member is not lost: the permitted post passes the permission and scope checks and "
              "is refused by the service at the field (400); B's member is 404",
    ),
    # integration (通知) ------------------------------------------------------------------------------
    "integration:inbox": Page(None, PLAIN, nogrant_status=200,
                              cross="the user's own notifications only, whatever their roles"),
    "integration:read": Page(
        None, WORKER_A1, methods=("post",), kwargs=lambda w: {"pk": _my_notification(w)}, post=lambda w: {},
        b_kwargs=lambda w: {"pk": _others_notification(w)}, b_post=lambda w: {}, nogrant_status=302,
        nogrant_writes="any signed-in user marks their own notification read",
        cross="declared for any signed-in user: one's own notification is marked read; anyone else's is 404",
    ),
    "integration:read_all": Page(None, PLAIN, methods=("post",), nogrant_status=302,
                                 cross="marks only the user's own notifications"),
    "integration:preferences": Page(None, PLAIN, nogrant_status=200, cross="the user's own notification settings"),
    "integration:channels": Page("integration.configure", INTEGRATION_A1, b_query=lambda w: {"org": "B1"}),
    "integration:channel_create": Page(
        "integration.configure", INTEGRATION_A1, methods=("get", "post"), post=lambda w: _channel_form("A1"),
        b_post=lambda w: _channel_form("B1"), b_status=400,
        cross="a branch-B org code is refused at the field like an unknown one (400), nothing written",
    ),
    "integration:channel_edit": Page(
        "integration.configure", INTEGRATION_A1, methods=("get", "post"), kwargs=lambda w: {"pk": _channel(w, "A1")},
        post=lambda w: _CHANNEL_EDIT, b_kwargs=lambda w: {"pk": _channel(w, "B1")}, b_post=lambda w: _CHANNEL_EDIT,
    ),
    "integration:channel_test": Page(
        "integration.configure", INTEGRATION_A1, methods=("post",), kwargs=lambda w: {"pk": _channel(w, "A1")},
        post=lambda w: {}, b_kwargs=lambda w: {"pk": _channel(w, "B1")}, b_post=lambda w: {},
    ),
    "integration:channel_delete": Page(
        "integration.configure", INTEGRATION_A1, methods=("post",), kwargs=lambda w: {"pk": _channel(w, "A1")},
        post=lambda w: {}, b_kwargs=lambda w: {"pk": _channel(w, "B1")}, b_post=lambda w: {},
    ),
    "integration:webhooks": Page("integration.configure", INTEGRATION_A1, b_query=lambda w: {"org": "B1"}),
    "integration:webhook_create": Page(
        "integration.configure", INTEGRATION_A1, methods=("get", "post"), post=lambda w: _hook_form("A1"),
        post_ok=(200,), b_post=lambda w: _hook_form("B1"), b_status=400,
        cross="a branch-B org code is refused at the field like an unknown one (400), nothing written; success "
              "answers 200 with the secret shown once",
    ),
    "integration:webhook_edit": Page(
        "integration.configure", INTEGRATION_A1, methods=("get", "post"), kwargs=lambda w: {"pk": _hook(w, "A1")},
        post=lambda w: _HOOK_EDIT, b_kwargs=lambda w: {"pk": _hook(w, "B1")}, b_post=lambda w: _HOOK_EDIT,
    ),
    "integration:webhook_rotate": Page(
        "integration.configure", INTEGRATION_A1, methods=("post",), kwargs=lambda w: {"pk": _hook(w, "A1")},
        post=lambda w: {}, post_ok=(200,), b_kwargs=lambda w: {"pk": _hook(w, "B1")}, b_post=lambda w: {},
        cross="success answers 200 with the new secret shown once; B's subscription is 404",
    ),
    "integration:webhook_replay": Page(
        "integration.configure", INTEGRATION_A1, methods=("post",), kwargs=lambda w: {"pk": _hook(w, "A1")},
        post=lambda w: {}, b_kwargs=lambda w: {"pk": _hook(w, "B1")}, b_post=lambda w: {},
    ),
    "integration:schedule": Page(
        "integration.schedule", ("sysadmin", None, "all"),
        cross="the platform-wide schedule (task names and times): the system administrator's only (issue 9 §3)",
    ),
    # health (组织健康监测) -------------------------------------------------------------------------------
    "health:monitor": Page("health.view", COMMITTEE_A, b_query=lambda w: {"org": "B"}),
    "health:monitor_export": Page("health.view", COMMITTEE_A, b_query=lambda w: {"org": "B"}),
    "health:findings": Page(
        "health.view", WORKER_A1, query=lambda w: (_hf(w, "A1"), {})[1],
        b_query=lambda w: (_hf(w, "B1"), {"org": "B1"})[1], b_status=200,
        b_hidden=lambda w: ["乙一支部", f'data-finding="{_hf(w, "B1")}"'],
        cross="filtering by B's code is a field error and lists nothing of B",
    ),
    "health:acknowledge": Page(
        "health.acknowledge", BRANCH_SEC_A, methods=("post",), kwargs=lambda w: {"pk": _hf(w, "A1")},
        post=lambda w: {"note": "矩阵"}, b_kwargs=lambda w: {"pk": _hf(w, "B1")}, b_post=lambda w: {"note": "矩阵"},
    ),
    "health:rules": Page(
        "health.view", WORKER_A1, cross="the rules are platform-wide regulation data, the same for everyone",
    ),
    "health:rule_edit": Page(
        "health.configure", ("sysadmin", None, "all"), methods=("get", "post"),
        kwargs=lambda w: {"code": "org.branch_oversize"},
        post=lambda w: {"param_max_members": "40", "severity": "warning", "enabled": "on", "notify_role": "org_dept",
                        "reason": "matrix"},
        cross="platform-wide configuration: only a grant of health.configure edits it",
    ),
    # web and accounts (built by the accounts/home engineer; public or sign-in only) -----------------
    "web:home": Page(None, PLAIN, nogrant_status=200, cross="shows only the signed-in user's own scope"),
    "web:login": Page(None, PLAIN, public=True, nogrant_status=302, cross="sign-in form"),
    "accounts:login": Page(None, PLAIN, public=True, nogrant_status=302, cross="sign-in form"),
    "accounts:otp": Page(
        None, PLAIN, public=True, anon_status=302, anon_location="/accounts/login/", nogrant_status=302,
        cross="second sign-in step of the user's own pending login",
    ),
    "accounts:logout": Page(None, PLAIN, methods=("post",), nogrant_status=302, cross="the user's own session",
                            nogrant_writes="signing out is recorded (accounts.logout)"),
    "accounts:profile": Page(None, PLAIN, nogrant_status=200, cross="the user's own account"),
    "accounts:password_change": Page(None, PLAIN, nogrant_status=200, cross="the user's own account"),
    "accounts:mfa_setup": Page(None, PLAIN, nogrant_status=200, cross="the user's own account"),
    "accounts:mfa_backup_codes": Page(None, PLAIN, methods=("post",), nogrant_status=302,
                                      cross="the user's own account"),
}

EXEMPT: dict[str, str] = {
    "/healthz": "load-balancer health check: public by design, answers {status: ok} and reads no data",
}


# --- walking the URLconf ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or "/route" when unnamed
    route: str
    callback: Any = field(compare=False)


def _walk(patterns, prefix: str = "", namespace: str | None = None):
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p.url_patterns, route, ns)
        elif isinstance(p, URLPattern):
            yield p, route, namespace


def project_routes() -> dict[str, Route]:
    out: dict[str, Route] = {}
    for pattern, route, namespace in _walk(get_resolver().url_patterns):
        if route.startswith(SKIP_PREFIXES):
            continue
        callback = pattern.callback
        if getattr(callback, "__module__", "").startswith("django."):
            continue  # Django's own i18n (set_language) and static routes
        key = (f"{namespace}:{pattern.name}" if namespace else pattern.name) if pattern.name else "/" + route
        out[key] = Route(key, route, callback)
    return out


ROUTES = project_routes()


def _url(key: str, w: World, kwargs: Kw) -> str:
    return reverse(key, kwargs=kwargs(w))


def _actor(user_factory, spec: tuple, world: World, name: str):
    role, org_code, scope = spec
    if not role:
        return user_factory(name)
    return user_factory(name, role, world.orgs[org_code] if org_code else None, scope=scope)


MISSING_ID = 987_654_321


def _missing(kwargs: dict) -> dict:
    """The same URL arguments with every object id replaced by one that does not exist."""
    return {k: MISSING_ID if isinstance(v, int) else v for k, v in kwargs.items()}


def _request(client, method: str, url: str, query: dict | None = None, data: dict | None = None):
    if method == "get":
        return client.get(url, query or {})
    return client.post(url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""), data or {})


def _lacking_role(perm: str) -> Role | None:
    """The default role with the most permissions that still lacks *perm* (None when every role has it)."""
    candidates = [r for r in Role.objects.all() if perm not in (r.permissions or [])]
    return max(candidates, key=lambda r: (len(r.permissions or []), r.code)) if candidates else None


# --- meta-tests -------------------------------------------------------------------------------------


def test_every_route_is_in_the_matrix_or_exempt():
    missing = sorted(set(ROUTES) - set(MATRIX) - set(EXEMPT))
    stale = sorted((set(MATRIX) | set(EXEMPT)) - set(ROUTES))
    assert missing == [], f"add these routes to MATRIX or EXEMPT (with a reason): {missing}"
    assert stale == [], f"these MATRIX/EXEMPT entries name no route: {stale}"
    assert all(reason.strip() for reason in EXEMPT.values())


@pytest.mark.parametrize("key", sorted(MATRIX))
def test_every_page_declares_its_permission(key):
    view = ROUTES[key].callback
    page = MATRIX[key]
    if page.public:
        assert getattr(view, "dangjian_public", ""), f"{key} is public in the matrix but not marked @public"
    else:
        assert hasattr(view, "dangjian_perm"), f"{key} must use @require_perm"
        assert view.dangjian_perm == page.perm


# --- the four checks --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(MATRIX))
def test_anonymous_is_sent_to_sign_in(client, world, key):
    page = MATRIX[key]
    url = _url(key, world, page.kwargs)
    for method in page.methods:
        response = _request(client, method, url, page.query(world), page.post(world) if page.post else None)
        if page.anon_status is not None:
            assert response.status_code == page.anon_status, method
            if page.anon_location:
                assert response["Location"] == page.anon_location
        elif page.public:
            assert response.status_code == 200, method
        else:
            assert response.status_code == 302, method
            assert response["Location"].startswith(reverse("web:login") + "?next="), response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(k for k, p in MATRIX.items() if not p.public))
def test_signed_in_without_the_permission(client, world, user_factory, key):
    # given: a user holding no grant at all (perm None pages), or the richest role lacking the perm
    page = MATRIX[key]
    role = _lacking_role(page.perm) if page.perm else None
    if role is None:
        user = signin(client, user_factory("nogrant"))
    else:
        user = signin(client, user_factory("lacking", role.code, world.orgs["G"], scope="subtree"))
    # (the world's objects a URL or a form names are built before the snapshot)
    requests = [(method, _url(key, world, page.kwargs), page.query(world), page.post(world) if page.post else None)
                for method in page.methods]
    before, denials = state(), AuditEntry.objects.filter(action=DENIED).count()
    # when
    statuses = [_request(client, *request).status_code for request in requests]
    # then
    expected = 403 if page.perm is not None else page.nogrant_status
    assert set(statuses) == {expected}, (key, statuses)
    if not page.nogrant_writes:
        assert state() == before
    new_denials = AuditEntry.objects.filter(action=DENIED).count() - denials
    if page.perm is not None:
        assert new_denials == len(page.methods)
        assert AuditEntry.objects.filter(action=DENIED).order_by("-seq").first().actor_id == user.pk


CROSS = sorted(k for k, p in MATRIX.items() if p.b_kwargs or p.b_query or p.b_post)


def test_every_page_either_checks_branch_b_or_says_why_not():
    assert [k for k, p in MATRIX.items() if k not in CROSS and not p.cross] == []


@pytest.mark.django_db
@pytest.mark.parametrize("key", CROSS)
def test_branch_a_cannot_read_or_change_branch_b(client, world, user_factory, key):
    # given
    page = MATRIX[key]
    actor = signin(client, _actor(user_factory, page.actor, world, "actor_a"))
    kwargs = (page.b_kwargs or page.kwargs)(world)  # once: some build their object on each call
    url = reverse(key, kwargs=kwargs)
    query = (page.b_query or page.query)(world)
    data = (page.b_post or page.post)(world) if (page.b_post or page.post) else None
    before = state()
    own_path = world.orgs[page.actor[1]].path if page.actor[1] else None
    # when / then
    for method in page.methods:
        if method == "get" and (page.b_kwargs or page.b_query):
            response = client.get(url, query)
        elif method == "post" and (page.b_kwargs or page.b_post):
            response = client.post(url, data)
        else:
            continue  # e.g. the blank create form is the same for everyone
        assert response.status_code == page.b_status, (method, response.status_code)
        if page.b_status == 404 and page.b_kwargs:
            # the same answer as for an object that does not exist (no way to tell "not yours" from "none")
            missing = reverse(key, kwargs=_missing(kwargs))
            other = client.get(missing, query) if method == "get" else client.post(missing, data)
            assert (other.status_code, other.content) == (response.status_code, response.content), method
        if page.b_hidden:
            html = response.content.decode()
            leaked = [s for s in page.b_hidden(world) if s in html]
            assert leaked == [], (method, leaked)
        assert state() == before, method
        # a "not found" for B's object leaves the auditor a trace of the reach (issue 7, defect 9); the
        # same object again within the window is traced once
        traces = list(AuditEntry.objects.filter(action=PROBE).values_list("actor_id", "org_path"))
        assert {a for a, _ in traces} <= {actor.pk}, traces
        assert own_path is None or not any(p.startswith(own_path) for _, p in traces if p), traces
        if response.status_code == 404:
            assert traces, (method, "no trace of an out-of-scope reach")


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(k for k, p in MATRIX.items() if p.actor[0]))
def test_permitted_branch_a_user(client, world, user_factory, key):
    page = MATRIX[key]
    signin(client, _actor(user_factory, page.actor, world, "actor_a"))
    url = _url(key, world, page.kwargs)
    for method in page.methods:
        if method == "get":
            response = client.get(url, page.query(world))
            assert response.status_code in page.ok, (method, response.status_code)
        else:
            response = client.post(url, page.post(world))
            assert response.status_code in page.post_ok, (method, response.status_code,
                                                          response.content.decode()[:2000])
