"""The `dangjian grant` and `dangjian apitoken` commands."""
from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dangjian.accounts.credentials import token_lookup
from dangjian.accounts.models import RoleAssignment
from dangjian.audit.choices import AuditAction
from dangjian.audit.models import AuditEntry


def grants_of(user):
    return sorted(RoleAssignment.objects.filter(user=user).values_list("role__code", "org__code", "scope"),
                  key=str)


@pytest.mark.parametrize(
    ("role", "_case"), [("支部书记", "by Chinese name"), ("branch_secretary", "by code")]
)
def test_grant_role_at_org_with_subtree_scope(tree, user_factory, role, _case):
    # given
    user = user_factory("wang")
    out = StringIO()
    # when
    call_command("grant", "wang", role, "A1", "--scope", "subtree", stdout=out)
    # then
    assert grants_of(user) == [("branch_secretary", "A1", "subtree")]
    assert "granted" in out.getvalue()
    entry = AuditEntry.objects.get(action=AuditAction.ROLE_GRANTED)
    assert entry.after == {"role": "branch_secretary", "org": "A1", "scope": "subtree"}
    assert entry.org_path == tree["A1"].path
    assert entry.channel == "cli"


def test_grant_is_idempotent(tree, user_factory):
    user = user_factory("wang")
    call_command("grant", "wang", "党务工作者", "A2", "--scope", "org", stdout=StringIO())
    call_command("grant", "wang", "党务工作者", "A2", "--scope", "org", stdout=StringIO())
    assert grants_of(user) == [("party_worker", "A2", "org")]
    assert AuditEntry.objects.filter(action=AuditAction.ROLE_GRANTED).count() == 1


def test_grant_all_scope_needs_no_org(tree, user_factory):
    user = user_factory("shenji")
    call_command("grant", "shenji", "auditor", "--scope", "all", stdout=StringIO())
    assert grants_of(user) == [("auditor", None, "all")]


@pytest.mark.parametrize(
    ("args", "message", "_case"),
    [
        (["nobody", "支部书记", "A1"], "unknown user: nobody", "unknown user"),
        (["wang", "宣传部长", "A1"], "未知角色：宣传部长", "unknown role"),
        (["wang", "支部书记", "ZZ9"], "unknown organisation code: ZZ9", "unknown org"),
        (["wang", "支部书记"], "除“全部”外，授权须指定组织", "missing org for subtree"),
    ],
)
def test_grant_refuses_bad_input_clearly_and_changes_nothing(tree, user_factory, args, message, _case):
    user_factory("wang")
    with pytest.raises(CommandError) as exc:
        call_command("grant", *args, stdout=StringIO())
    assert message in str(exc.value)
    assert RoleAssignment.objects.count() == 0
    assert AuditEntry.objects.filter(action=AuditAction.ROLE_GRANTED).count() == 0


def test_apitoken_prints_a_working_token_as_last_word(user_factory):
    # given
    user = user_factory("erp")
    out = StringIO()
    # when
    call_command("apitoken", "erp", stdout=out)
    # then
    token = out.getvalue().split()[-1]
    assert token.startswith("djt_")
    assert token_lookup(token).user == user
    assert token_lookup(token + "x") is None
    entry = AuditEntry.objects.get(action=AuditAction.API_TOKEN_CREATED)
    assert (entry.target_id, entry.after["prefix"]) == (str(user.pk), token[:12])
    assert token not in str(entry.after)  # only the prefix is logged


def test_apitoken_unknown_user(db):
    with pytest.raises(CommandError, match="unknown user: ghost"):
        call_command("apitoken", "ghost", stdout=StringIO())
