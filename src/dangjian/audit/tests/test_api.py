"""The operation-log API: entries in the caller's scope, newest first by seq, filters, fixed query count."""
import datetime as dt
import itertools

import pytest
from django.db.models import Q
from django.utils import timezone

from dangjian.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

# Per request (see orgs/tests/test_api.py): 8 for auth and the session; then the page.
LIST_QUERIES = 5 + 1


@pytest.fixture
def auditor(tree, user_factory):
    return user_factory("auditor_a", "auditor", tree["A"])


def _seqs(response):
    assert response.status_code == 200, response.content
    return [item["seq"] for item in response.json()["items"]]


def _expected(*q, **filters):
    return list(AuditEntry.objects.filter(*q, **filters).order_by("-seq").values_list("seq", flat=True))


def test_lists_the_subtree_newest_first_and_nothing_else(tree, member_factory, auditor, api_client):
    # given: entries at A's orgs, at B's, and without an org (sign-ins, account changes)
    member_factory("A1")
    member_factory("B1")
    client = api_client(auditor)
    # when
    response = client.get("/audit")
    # then
    a_path = tree["A"].path
    in_scope = Q(org_path__startswith=a_path) | Q(actor_id=auditor.pk)
    assert _seqs(response) == _expected(in_scope)
    assert [i["action"] for i in response.json()["items"]] == [
        "accounts.login", "members.create", "accounts.role_grant",
        "orgs.create", "orgs.create", "orgs.create", "orgs.create",
    ]


def test_entry_fields(tree, auditor, api_client):
    entry = AuditEntry.objects.filter(org_path=tree["A1"].path).get()
    item = next(i for i in api_client(auditor).get("/audit").json()["items"] if i["seq"] == entry.seq)
    assert item == {
        "seq": entry.seq, "created_at": entry.created_at.isoformat(timespec="microseconds"),
        "actor_id": None, "actor_name": "system", "action": "orgs.create", "action_label": "创建组织",
        "target_type": "orgs.organization", "target_id": str(tree["A1"].pk), "target_repr": "甲一支部",
        "org_path": tree["A1"].path, "before": None, "after": entry.after, "reason": "", "request_id": entry.request_id, "ip": None,
        "channel": "cli", "algorithm": "sha256", "prev_hash": entry.prev_hash, "hash": entry.hash,
    }


@pytest.mark.parametrize(
    ("_case", "params", "filters"),
    [
        ("action", {"action": "members.create"}, {"action": "members.create"}),
        ("target_type", {"target_type": "members.member"}, {"target_type": "members.member"}),
        ("actor_name_fragment", {"actor": "syst"}, {"actor_name": "system"}),
    ],
)
def test_filters(tree, member_factory, _case, params, filters, api_client, user_factory):
    member_factory("A1")
    admin = user_factory("admin", "sysadmin", None, scope="all")
    response = api_client(admin).get("/audit", **params)
    assert _seqs(response) == _expected(**filters)
    assert _seqs(response)


def test_since_is_inclusive_until_exclusive_and_naive_times_are_beijing_time(tree, member_factory, user_factory,
                                                                           api_client):
    # given
    admin = user_factory("admin", "sysadmin", None, scope="all")
    client = api_client(admin)
    member_factory("A1")
    cut = AuditEntry.objects.order_by("-seq").first().created_at + dt.timedelta(microseconds=1)
    member_factory("A2")
    after_cut = _expected(created_at__gte=cut)
    before_cut = _expected(created_at__lt=cut)
    naive_local = timezone.localtime(cut).replace(tzinfo=None).isoformat()
    # when / then
    assert _seqs(client.get("/audit", since=cut.isoformat())) == after_cut
    assert _seqs(client.get("/audit", until=cut.isoformat())) == before_cut
    assert _seqs(client.get("/audit", since=naive_local)) == after_cut
    assert len(after_cut) == 1  # the member created in A2


def test_keyset_pages_by_seq_newest_first(tree, user_factory, api_client):
    admin = user_factory("admin", "sysadmin", None, scope="all")
    client = api_client(admin)
    first = client.get("/audit", limit=4).json()
    second = client.get("/audit", limit=4, cursor=first["next_cursor"]).json()
    seqs = [i["seq"] for i in first["items"] + second["items"]]
    assert seqs == _expected()[:8]


@pytest.mark.parametrize(
    ("_case", "params", "errors"),
    [
        ("unregistered_action", {"action": "members.delete"}, [("validation.invalid_choice", "action")]),
        ("bad_since", {"since": "yesterday"}, [("validation.invalid_datetime", "since")]),
        ("limit_zero", {"limit": "0"}, [("validation.too_small", "limit")]),
    ],
)
def test_bad_filters_are_422(tree, auditor, api_client, _case, params, errors):
    response = api_client(auditor).get("/audit", **params)
    assert response.status_code == 422
    assert [(e["code"], e["field"]) for e in response.json()["errors"]] == errors


def test_query_count_does_not_grow_with_rows(tree, member_factory, user_factory, api_client,
                                             django_assert_num_queries):
    # given: a user without MFA holding audit.view (a custom role), so the count has no OTP step
    from dangjian.accounts.models import Role
    from dangjian.accounts.services import role_grant

    reader = user_factory("log_reader")
    role = Role.objects.create(code="log_reader", name="日志查阅", permissions=["audit.view"], requires_mfa=False)
    role_grant(actor=None, user=reader, role=role, org=tree["G"], scope="subtree")
    client = api_client(reader)
    # when / then
    with django_assert_num_queries(LIST_QUERIES):
        small = client.get("/audit")
    for code in ("A1", "B1") * 10:
        member_factory(code)
    with django_assert_num_queries(LIST_QUERIES):
        large = client.get("/audit")
    assert len(large.json()["items"]) == len(small.json()["items"]) + 20


def test_a_client_can_recompute_every_hash_from_the_api_output(tree, member_factory, user_factory, api_client):
    # given
    from dangjian.audit.services import HASHED_FIELDS, entry_digest

    member_factory("A1")
    admin = user_factory("admin", "sysadmin", None, scope="all")
    # when
    items = api_client(admin).get("/audit", limit=200).json()["items"]
    # then
    assert len(items) == AuditEntry.objects.count()
    assert all(entry_digest({name: item[name] for name in HASHED_FIELDS}) == item["hash"] for item in items)
    assert all(newer["prev_hash"] == older["hash"] for newer, older in itertools.pairwise(items))
