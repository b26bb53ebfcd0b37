"""GET /me, and bearer-token authentication end to end (tokens from accounts.services.apitoken_create)."""
import datetime as dt

import pytest
from django.utils import timezone

from dangjian.accounts.models import ApiToken
from dangjian.accounts.services import apitoken_create, apitoken_revoke
from dangjian.audit.models import AuditEntry
from dangjian.members.models import Member
from dangjian.members.services import member_link_user
from tests.fixtures import make_id_number

pytestmark = pytest.mark.django_db


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_me_lists_grants_with_scope_and_org_and_the_linked_member(tree, member_factory, user_factory, api_client):
    # given
    user = user_factory("li", "party_worker", tree["A1"], scope="org")
    from dangjian.accounts.services import resolve_role, role_grant

    role_grant(actor=None, user=user, role=resolve_role("member"), org=tree["A1"], scope="self")
    member = member_factory("A1")
    member_link_user(actor=None, member=member, user=user)
    # when
    body = api_client(user).get("/me").json()
    # then
    a1 = {"id": tree["A1"].pk, "code": "A1", "name": "甲一支部"}
    assert body["roles"] == [
        {"role": "party_worker", "role_name": "党务工作者", "scope": "org", "org": a1},
        {"role": "member", "role_name": "党员", "scope": "self", "org": a1},
    ]
    assert (body["id"], body["username"], body["member_id"], body["auth_via_token"]) == (user.pk, "li", member.pk, False)
    assert {"orgs.view", "members.view", "members.change"} <= set(body["permissions"])
    assert "members.reveal" not in body["permissions"]


def test_me_of_an_all_scope_grant_has_no_org(user_factory, api_client):
    admin = user_factory("admin", "sysadmin", None, scope="all")
    body = api_client(admin).get("/me").json()
    assert body["roles"] == [{"role": "sysadmin", "role_name": "系统管理员", "scope": "all", "org": None}]
    assert body["member_id"] is None


def test_bearer_token_reads_and_writes_end_to_end(tree, user_factory, api_client):
    # given: a token issued through the service, used without any session or CSRF token
    worker = user_factory("erp", "party_worker", tree["A1"], scope="org")
    _row, token = apitoken_create(actor=None, user=worker, name="ERP")
    client = api_client(csrf=True)
    birth = dt.date(1992, 8, 8)
    body = {"name": "钱进", "gender": "F", "birth_date": str(birth), "id_number": make_id_number(birth, 88, gender="F"),
            "joined_on": "2018-07-01", "full_member_on": "2019-07-01", "org": "A1"}
    audits = AuditEntry.objects.count()
    # when
    me = client.request("GET", "/me", headers=_bearer(token))
    created = client.request("POST", "/members", body, headers=_bearer(token))
    listed = client.request("GET", "/members", headers=_bearer(token))
    # then
    assert (me.status_code, me.json()["username"], me.json()["auth_via_token"]) == (200, "erp", True)
    assert created.status_code == 201, created.content
    assert [m["name"] for m in listed.json()["items"]] == ["钱进"]
    entry = AuditEntry.objects.get(seq=audits + 1)
    assert (entry.action, entry.actor_id, entry.channel) == ("members.create", worker.pk, "api")
    assert AuditEntry.objects.count() == audits + 1
    assert ApiToken.objects.get().last_used_at is not None


def test_bearer_token_still_needs_the_declared_permission(tree, user_factory, api_client):
    # given
    worker = user_factory("erp", "party_worker", tree["A1"], scope="org")
    _row, token = apitoken_create(actor=None, user=worker)
    denials = AuditEntry.objects.filter(action="accounts.access_denied").count()
    # when
    response = api_client().request("GET", "/audit", headers=_bearer(token))
    # then
    assert response.status_code == 403
    assert response.json()["code"] == "auth.permission_denied"
    assert AuditEntry.objects.filter(action="accounts.access_denied").count() == denials + 1


def _revoked(user):
    row, token = apitoken_create(actor=None, user=user)
    apitoken_revoke(actor=None, token=row)
    return token


def _expired(user):
    row, token = apitoken_create(actor=None, user=user)
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    return token


def _of_inactive_user(user):
    _row, token = apitoken_create(actor=None, user=user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    return token


@pytest.mark.parametrize(
    ("_case", "make_header"),
    [
        ("revoked", lambda u: _bearer(_revoked(u))),
        ("expired", lambda u: _bearer(_expired(u))),
        ("user_deactivated", lambda u: _bearer(_of_inactive_user(u))),
        ("unknown_token", lambda u: _bearer("djt_" + "x" * 43)),
        ("empty_token", lambda u: {"Authorization": "Bearer "}),
        ("other_scheme", lambda u: {"Authorization": "Basic ZXJwOnNlY3JldA=="}),
    ],
)
def test_unusable_tokens_are_401_and_write_nothing(tree, user_factory, api_client, _case, make_header):
    # given
    worker = user_factory("erp", "party_worker", tree["A1"], scope="org")
    headers = make_header(worker)
    counts = (Member.objects.count(), AuditEntry.objects.count())
    # when
    read = api_client().request("GET", "/members", headers=headers)
    write = api_client().request("PATCH", f"/orgs/{tree['A1'].pk}", {"name": "x"}, headers=headers)
    # then
    assert (read.status_code, write.status_code) == (401, 401)
    assert read.json()["code"] == "auth.unauthenticated"
    assert (Member.objects.count(), AuditEntry.objects.count()) == counts
