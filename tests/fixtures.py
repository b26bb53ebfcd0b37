"""Shared fixtures: a small org tree and users with grants, all built through services."""
from __future__ import annotations

import datetime as dt

import pytest

from dangjian.core.idcard import check_char

__all__ = ["make_id_number"]


def make_id_number(birth: dt.date, seq: int = 123, *, gender: str = "M", area: str = "110101") -> str:
    """A valid 18-digit ID number for tests: *seq* odd for men, even for women."""
    s = seq % 1000
    if (s % 2 == 1) != (gender == "M"):
        s = (s + 1) % 1000
    body = f"{area}{birth:%Y%m%d}{s:03d}"
    return body + check_char(body)


@pytest.fixture
def tree(db):
    """Group committee → two subsidiary committees → branches (A1, A2 under A; B1 under B) → a group in A1."""
    from dangjian.orgs.services import org_create

    root = org_create(actor=None, parent=None, name="集团党委", code="G", org_type="committee")
    a = org_create(actor=None, parent=root, name="甲公司党委", code="A", org_type="committee")
    b = org_create(actor=None, parent=root, name="乙公司党委", code="B", org_type="committee")
    a1 = org_create(actor=None, parent=a, name="甲一支部", code="A1", org_type="branch")
    a2 = org_create(actor=None, parent=a, name="甲二支部", code="A2", org_type="branch")
    b1 = org_create(actor=None, parent=b, name="乙一支部", code="B1", org_type="branch")
    g1 = org_create(actor=None, parent=a1, name="甲一第一党小组", code="A1G1", org_type="group")
    from dangjian.orgs.models import Organization

    return {o.code: Organization.objects.get(pk=o.pk) for o in (root, a, b, a1, a2, b1, g1)}


@pytest.fixture
def member_factory(tree):
    from dangjian.members.services import member_create

    counter = {"n": 0}

    def make(org_code="A1", **overrides):
        counter["n"] += 1
        n = counter["n"]
        birth = dt.date(1980, 1, 1) + dt.timedelta(days=n * 37)
        gender = overrides.pop("gender", "M" if n % 2 else "F")
        fields = {
            "name": f"党员{n}",
            "gender": gender,
            "birth_date": birth,
            "id_number": make_id_number(birth, 100 + n, gender=gender),
            "phone": f"138{n:08d}",
            "category": "full",
            "joined_on": dt.date(2005, 7, 1),
            "full_member_on": dt.date(2006, 7, 1),
            "org": tree[org_code],
        }
        fields.update(overrides)
        return member_create(actor=None, **fields)

    return make


@pytest.fixture
def user_factory(db):
    from dangjian.accounts.services import resolve_role, role_grant, user_create

    def make(username, role=None, org=None, scope="subtree"):
        user = user_create(actor=None, username=username, password=None)
        if role:
            role_grant(actor=None, user=user, role=resolve_role(role), org=org, scope=scope)
        return user

    return make


def audit_count() -> int:
    """The audit entries a refused request must not add: all but the traces it leaves of an
    out-of-scope reach (``accounts.scope_probe``, issue 7) and of a denied permission."""
    from dangjian.audit.models import AuditEntry

    return AuditEntry.objects.exclude(action__in=("accounts.scope_probe", "accounts.access_denied")).count()


def probe_count() -> int:
    from dangjian.audit.models import AuditEntry

    return AuditEntry.objects.filter(action="accounts.scope_probe").count()


def db_state() -> dict[str, list]:
    """Every row of every dangjian table (so a new app is covered without touching the matrices), except
    the denied-access and out-of-scope audit entries, which the matrices check separately, and the audit
    chain's head row."""
    from django.apps import apps

    from dangjian.audit.models import AuditChainHead, AuditEntry

    state = {}
    for model in apps.get_models():
        if not model.__module__.startswith("dangjian.") or model is AuditChainHead:
            continue
        rows = model._default_manager.all()
        if model is AuditEntry:
            rows = rows.exclude(action__in=("accounts.access_denied", "accounts.scope_probe"))
        state[model._meta.label] = list(rows.order_by("pk").values_list())
    return state


def signin(client, user):
    """Signs *user* in with a verified second factor (roles that require MFA are otherwise sent to OTP)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    client.force_login(user)
    device, _ = StaticDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return user
