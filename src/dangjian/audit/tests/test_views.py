"""The operation log page: scoped to the auditor's subtree, filtered, keyset-paged newest first."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dangjian.audit.models import AuditEntry
from tests.fixtures import signin

pytestmark = pytest.mark.django_db




def seqs(html):
    return [int(s) for s in re.findall(r'data-seq="(\d+)"', html)]


@pytest.fixture
def auditor_a(client, tree, user_factory):
    """审计员 over 甲公司's subtree."""
    return signin(client, user_factory("auditor_a", "auditor", tree["A"]))


def in_scope_seqs(tree, auditor):
    """Entries recorded at A's subtree, plus the auditor's own (e.g. signing in), newest first."""
    return list(
        AuditEntry.objects.filter(Q(org_path__startswith=tree["A"].path) | Q(actor_id=auditor.pk))
        .order_by("-seq").values_list("seq", flat=True)
    )


def test_log_shows_entries_of_the_subtree_newest_first_with_all_columns(client, tree, member_factory, auditor_a):
    # given: the tree fixture wrote orgs.create entries for every org; members in A1 and B1
    a1_member = member_factory("A1", name="甲党员")
    member_factory("B1", name="乙党员")
    expected = in_scope_seqs(tree, auditor_a)
    # when
    response = client.get(reverse("audit:log"))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    # orgs.create for A, A1, A2, A1G1; the auditor's role grant at A; one member created in A1
    actions = sorted(AuditEntry.objects.filter(seq__in=expected, org_path__gt="").values_list("action", flat=True))
    assert actions == ["accounts.role_grant", "members.create", "orgs.create", "orgs.create", "orgs.create",
                       "orgs.create"]
    assert seqs(html) == expected
    assert "乙党员" not in html and "乙公司党委" not in html
    newest = html[html.index(f'data-seq="{expected[0]}"'):]
    assert "新增党员" in newest and "甲党员" in newest and "甲一支部" in newest
    # the target's type and the channel by their names; the type's code stays in an attribute (issue 9 §3)
    assert 'data-target-type="members.member">党员' in newest and f"#{a1_member.pk}" in newest
    entry = AuditEntry.objects.get(seq=expected[0])
    local = entry.created_at.astimezone(timezone.get_current_timezone())
    assert local.strftime("%Y-%m-%d %H:%M:%S") in newest
    assert entry.request_id in newest and entry.channel == "cli"  # the fixture wrote it outside a request
    assert "渠道: 命令行" in newest and "IP: —" in newest
    # before/after JSON is there, already masked
    assert a1_member.id_number_masked in newest and a1_member.id_number not in html


@pytest.fixture
def change_by_bsec(tree, user_factory):
    """A party group created by a branch secretary (so one entry carries a person's name)."""
    from dangjian.orgs.services import org_create

    bsec = user_factory("bsec_a1", "branch_secretary", tree["A1"])
    return org_create(actor=bsec, parent=tree["A1"], name="甲一第二党小组", code="A1G2", org_type="group")


def _yesterday():
    return (timezone.localdate() - dt.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("_case", "params", "expected_actions"),
    [
        ("action", {"action": "members.create"}, ["members.create"]),
        ("target_type", {"target_type": "orgs.organization"}, ["orgs.create"] * 5),
        ("actor_name", {"actor": "BSEC"}, ["orgs.create"]),
        ("actor_name_nobody", {"actor": "nobody"}, []),
        ("until_yesterday", {"date_to": "YESTERDAY"}, []),
        ("from_yesterday_and_action", {"date_from": "YESTERDAY", "action": "accounts.role_grant"},
         ["accounts.role_grant", "accounts.role_grant"]),
    ],
)
def test_log_filters(client, tree, member_factory, change_by_bsec, auditor_a, _case, params, expected_actions):
    # given
    member_factory("A1")
    params = {k: (_yesterday() if v == "YESTERDAY" else v) for k, v in params.items()}
    # when
    html = client.get(reverse("audit:log"), params).content.decode()
    # then
    assert re.findall(r'data-action="([^"]+)"', html) == expected_actions


def test_log_date_range_backwards_is_a_field_error(client, tree, auditor_a):
    html = client.get(reverse("audit:log"), {"date_from": "2025-02-01", "date_to": "2025-01-01"}).content.decode()
    assert 'data-field-error="date_to"' in html and "截止日期不能早于起始日期" in html
    assert seqs(html) == []


def _fill(tree, n):
    from dangjian.audit.services import record

    for i in range(n):
        record(actor=None, action="orgs.update", target=tree["A1"], org=tree["A1"], after={"i": i})


def test_log_keyset_pages_newest_first_forward_and_back(client, tree, auditor_a):
    # given
    _fill(tree, 120)
    expected = in_scope_seqs(tree, auditor_a)
    # when
    first = client.get(reverse("audit:log")).content.decode()
    next_url = re.search(r'href="(\?[^"]*)" rel="next"', first).group(1).replace("&amp;", "&")
    second = client.get(reverse("audit:log") + next_url).content.decode()
    prev_url = re.search(r'href="(\?[^"]*)" rel="prev"', second).group(1).replace("&amp;", "&")
    back = client.get(reverse("audit:log") + prev_url).content.decode()
    # then
    assert seqs(first) == expected[:50]
    assert seqs(second) == expected[50:100]
    assert seqs(back) == expected[:50]


def test_log_query_count_does_not_grow_with_rows(client, tree, auditor_a, django_assert_num_queries):
    # given
    url = reverse("audit:log")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        small_seqs = seqs(client.get(url).content.decode())
    # when
    _fill(tree, 40)
    # then
    with django_assert_num_queries(len(small)):
        html = client.get(url).content.decode()
    assert len(seqs(html)) == len(small_seqs) + 40


def test_log_needs_audit_view(client, tree, user_factory):
    signin(client, user_factory("sec_a", "committee_secretary", tree["A"]))
    before = AuditEntry.objects.count()
    assert client.get(reverse("audit:log")).status_code == 403
    assert list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))[before:] == [
        "accounts.access_denied"]
