"""Session policies end to end: idle timeout, and the second factor forced by administrative roles."""
from __future__ import annotations

import time

import pytest
from django.conf import settings

from dangjian.accounts.services import mfa_confirm, mfa_start
from dangjian.accounts.tests.otp import totp_code
from dangjian.audit.choices import AuditAction
from dangjian.audit.models import AuditEntry

LAST_SEEN = "dangjian_last_seen"  # accounts.middleware._KEY


def age_session(client, seconds: int) -> None:
    session = client.session
    session[LAST_SEEN] = int(time.time()) - seconds
    session.save()


@pytest.fixture
def member_user(tree, user_factory):
    return user_factory("dangyuan", "member", tree["A1"], scope="self")


def test_idle_session_is_signed_out_and_sent_to_login(client, member_user):
    # given: a signed-in session that was last seen longer ago than the idle limit
    client.force_login(member_user)
    assert client.get("/").status_code == 200
    age_session(client, settings.SESSION_IDLE_SECONDS + 5)
    # when
    response = client.get("/")
    # then
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/&idle=1"
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action=AuditAction.LOGOUT, actor_id=member_user.pk).count() == 1
    assert "会话已过期" in client.get(response["Location"]).content.decode()
    assert client.get("/").status_code == 302


def test_activity_within_the_idle_limit_keeps_the_session(client, member_user):
    client.force_login(member_user)
    client.get("/")
    age_session(client, settings.SESSION_IDLE_SECONDS - 30)
    assert client.get("/").status_code == 200
    assert int(time.time()) - client.session[LAST_SEEN] < 5  # the request refreshed the timestamp
    assert AuditEntry.objects.filter(action=AuditAction.LOGOUT).count() == 0


def test_plain_member_is_not_forced_to_enrol(client, member_user):
    client.force_login(member_user)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("role", ["org_dept", "auditor", "committee_secretary"])
def test_role_requiring_mfa_without_device_is_sent_to_enrolment(client, tree, user_factory, role):
    user = user_factory("admin1", role, tree["A"])
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/mfa/setup/?forced=1"
    setup = client.get(response["Location"])
    assert setup.status_code == 200
    assert "您的角色要求启用双因素认证" in setup.content.decode()


def test_role_requiring_mfa_after_enrolment_reaches_pages(client, tree, user_factory):
    # given
    user = user_factory("admin1", "org_dept", tree["A"])
    client.force_login(user)
    device = mfa_start(user=user)
    client.get("/accounts/mfa/setup/?forced=1")
    # when: enrolment confirmed through the page
    response = client.post("/accounts/mfa/setup/?forced=1", {"token": totp_code(device)})
    # then: the session is verified
    assert response.status_code == 200
    assert len(response.context["codes"]) == 10
    assert client.get("/").status_code == 200


def test_role_requiring_mfa_with_device_is_sent_to_the_otp_step(client, tree, user_factory):
    # given: enrolled earlier; this session signed in without the second factor
    user = user_factory("auditor1", "auditor", tree["G"])
    device = mfa_start(user=user)
    mfa_confirm(actor=user, device=device, token=totp_code(device))
    client.force_login(user)
    # when
    response = client.get("/")
    # then
    assert response.status_code == 302
    assert response["Location"] == "/accounts/otp/?next=/"
    assert client.get("/accounts/mfa/setup/")["Location"].startswith("/accounts/otp/")  # no re-enrolment
    done = client.post(response["Location"], {"token": totp_code(device)})
    assert done.status_code == 302
    assert done["Location"] == "/"
    assert client.get("/").status_code == 200


def test_superuser_must_use_a_second_factor(client, db):
    from dangjian.accounts.services import user_create

    admin = user_create(actor=None, username="root", password=None, is_superuser=True)
    client.force_login(admin)
    assert client.get("/")["Location"] == "/accounts/mfa/setup/?forced=1"
