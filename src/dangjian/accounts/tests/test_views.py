"""Sign-in (password → second factor), lockout, MFA enrolment, backup codes, sign-out, my account."""
from __future__ import annotations

import io
from base64 import b32encode

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils.html import escape
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.accounts.services import mfa_confirm, mfa_start, user_create
from dangjian.accounts.tests.otp import totp_code
from dangjian.audit.choices import AuditAction
from dangjian.audit.models import AuditEntry

PASSWORD = "Hongqi-Piaopiao-2024"
LOGIN = "/accounts/login/"
OTP = "/accounts/otp/"


def audit_count(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


@pytest.fixture
def account(db):
    return user_create(actor=None, username="zhangsan", password=PASSWORD, display_name="张三")


@pytest.fixture
def enrolled(account):
    """*account* with a confirmed authenticator; returns (user, device, backup codes)."""
    device = mfa_start(user=account)
    codes = mfa_confirm(actor=account, device=device, token=totp_code(device))
    device.refresh_from_db()
    return account, device, codes


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


# --- password step ---------------------------------------------------------------------------------


def test_login_page_renders_in_chinese(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert "登录智慧党建平台" in response.content.decode()
    assert 'name="username"' in response.content.decode()


def test_login_success_is_audited_and_signs_in(client, account):
    # when
    response = client.post(LOGIN, {"username": "zhangsan", "password": PASSWORD})
    # then
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) == str(account.pk)
    assert audit_count(AuditAction.LOGIN_SUCCEEDED) == 1
    assert audit_count(AuditAction.LOGIN_FAILED) == 0
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_SUCCEEDED)
    assert (entry.actor_id, entry.actor_name, entry.channel) == (account.pk, "zhangsan", "web")


def test_login_failure_is_audited_and_does_not_sign_in(client, account):
    response = client.post(LOGIN, {"username": "zhangsan", "password": "wrong-password"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert signed_in_user_id(client) is None
    assert audit_count(AuditAction.LOGIN_FAILED) == 1
    assert audit_count(AuditAction.LOGIN_SUCCEEDED) == 0
    assert AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED).after == {"username": "zhangsan"}


def test_account_is_locked_after_five_failures_even_with_the_right_password(client, account):
    # given: four failures still show the form
    for _ in range(4):
        assert client.post(LOGIN, {"username": "zhangsan", "password": "nope-nope-nope"}).status_code == 200
    # when: the fifth failure locks
    fifth = client.post(LOGIN, {"username": "zhangsan", "password": "nope-nope-nope"})
    after = client.post(LOGIN, {"username": "zhangsan", "password": PASSWORD})
    # then
    assert fifth.status_code == 429
    assert "账号已锁定" in fifth.content.decode()
    assert after.status_code == 429
    assert "15 分钟" in after.content.decode()
    assert signed_in_user_id(client) is None
    assert audit_count(AuditAction.LOGIN_FAILED) == 6
    assert audit_count(AuditAction.LOGIN_SUCCEEDED) == 0


def test_login_page_states_the_lockout_the_settings_apply(client, db, settings):
    # given: a site that locks after 3 failures for 30 minutes
    settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME = 3, 0.5
    # when / then: the page says so (not a fixed "5"), and who can help
    html = client.get(LOGIN).content.decode()
    assert "连续 3 次输入错误后，账号将被锁定 30 分钟" in html and "请联系系统管理员" in html


def test_unlock_command_lifts_a_lockout_and_is_audited(client, account):
    # given: a locked account
    for _ in range(5):
        client.post(LOGIN, {"username": "zhangsan", "password": "nope-nope-nope"})
    assert client.post(LOGIN, {"username": "zhangsan", "password": PASSWORD}).status_code == 429
    out = io.StringIO()
    # when
    call_command("unlock", "zhangsan", "--reason", "本人电话确认", stdout=out)
    # then: the right password signs in again, and the unlock is in the log
    assert "已解除锁定" in out.getvalue()
    assert client.post(LOGIN, {"username": "zhangsan", "password": PASSWORD}).status_code == 302
    entry = AuditEntry.objects.get(action=AuditAction.USER_UNLOCKED)
    assert (entry.target_id, entry.reason, entry.channel) == (str(account.pk), "本人电话确认", "cli")
    assert entry.after["attempts_cleared"] >= 1


def test_unlock_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="unknown user: nobody"):
        call_command("unlock", "nobody", stdout=io.StringIO())
    assert not AuditEntry.objects.filter(action=AuditAction.USER_UNLOCKED).exists()


def test_lockout_is_per_account_not_per_client(client, account, db):
    # given
    other = user_create(actor=None, username="lisi", password=PASSWORD)
    for _ in range(5):
        client.post(LOGIN, {"username": "zhangsan", "password": "nope-nope-nope"})
    # when: the same client signs in as another account
    response = client.post(LOGIN, {"username": "lisi", "password": PASSWORD})
    # then
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(other.pk)


@pytest.mark.parametrize(
    ("next_url", "expected", "_case"),
    [
        ("/orgs/", "/orgs/", "local path is honoured"),
        ("https://evil.example.com/", "/", "other host is ignored"),
        ("//evil.example.com/x", "/", "scheme-relative other host is ignored"),
    ],
)
def test_next_is_honoured_only_when_safe(client, account, next_url, expected, _case):
    response = client.post(f"{LOGIN}?next={next_url}", {"username": "zhangsan", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == expected


def test_idle_flag_shows_session_expired(client, db):
    response = client.get(f"{LOGIN}?next=/&idle=1")
    assert "会话已过期" in response.content.decode()
    assert "会话已过期" not in client.get(LOGIN).content.decode()


def test_anonymous_is_sent_to_login_with_next(client, db):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/profile/"


# --- second factor ---------------------------------------------------------------------------------


def test_user_with_device_is_not_signed_in_until_the_otp_step(client, enrolled):
    user, device, _codes = enrolled
    # when: the password is right
    response = client.post(f"{LOGIN}?next=/accounts/profile/", {"username": "zhangsan", "password": PASSWORD})
    # then: the OTP step, and no session yet
    assert response.status_code == 302
    assert response["Location"] == OTP
    assert signed_in_user_id(client) is None
    assert client.get("/").status_code == 302
    assert audit_count(AuditAction.LOGIN_SUCCEEDED) == 0
    # when: the code is right
    page = client.get(OTP)
    assert "双因素验证" in page.content.decode()
    response = client.post(OTP, {"token": totp_code(device)})
    # then: signed in, verified, sent on to next
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    assert signed_in_user_id(client) == str(user.pk)
    assert client.get("/accounts/profile/").status_code == 200
    assert audit_count(AuditAction.LOGIN_SUCCEEDED) == 1
    assert audit_count(AuditAction.OTP_FAILED) == 0


def test_wrong_otp_is_audited_and_does_not_sign_in(client, enrolled):
    user, _device, _codes = enrolled
    client.post(LOGIN, {"username": "zhangsan", "password": PASSWORD})
    response = client.post(OTP, {"token": "000000"})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert signed_in_user_id(client) is None
    assert audit_count(AuditAction.OTP_FAILED) == 1
    entry = AuditEntry.objects.get(action=AuditAction.OTP_FAILED)
    assert (entry.actor_id, entry.after) == (user.pk, {"kind": "totp"})
    assert audit_count(AuditAction.LOGIN_SUCCEEDED) == 0


def test_otp_step_without_password_step_goes_back_to_login(client, enrolled):
    response = client.post(OTP, {"token": "123456"})
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert audit_count(AuditAction.OTP_FAILED) == 0


def test_too_many_wrong_codes_restart_the_sign_in(client, enrolled):
    client.post(LOGIN, {"username": "zhangsan", "password": PASSWORD})
    for _ in range(4):
        assert client.post(OTP, {"token": "nonsense"}).status_code == 200
    response = client.post(OTP, {"token": "nonsense"})
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert client.get(OTP)["Location"] == LOGIN
    assert audit_count(AuditAction.OTP_FAILED) == 5


def test_backup_code_signs_in_once_only(client, enrolled):
    # given
    user, _device, codes = enrolled
    code = codes[0]
    # when: first use
    client.post(LOGIN, {"username": "zhangsan", "password": PASSWORD})
    first = client.post(OTP, {"token": code.upper()})
    # then
    assert first.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)
    assert StaticToken.objects.filter(device__user=user).count() == 9
    assert audit_count(AuditAction.MFA_BACKUP_CODE_USED) == 1
    assert AuditEntry.objects.get(action=AuditAction.MFA_BACKUP_CODE_USED).after == {"remaining": 9}
    # when: second use of the same code, in a new sign-in
    client.post("/accounts/logout/")
    client.post(LOGIN, {"username": "zhangsan", "password": PASSWORD})
    second = client.post(OTP, {"token": code})
    # then
    assert second.status_code == 200
    assert signed_in_user_id(client) is None
    assert audit_count(AuditAction.OTP_FAILED) == 1
    assert AuditEntry.objects.get(action=AuditAction.OTP_FAILED).after == {"kind": "backup"}


# --- enrolment and backup codes --------------------------------------------------------------------


def test_mfa_setup_enrols_and_shows_backup_codes_once(client, account):
    # given
    client.force_login(account)
    page = client.get("/accounts/mfa/setup/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html
    device = TOTPDevice.objects.get(user=account, confirmed=False)
    assert page.context["secret"].replace(" ", "") in html.replace(" ", "")
    # a reload keeps the same secret (the app may already have scanned it)
    assert client.get("/accounts/mfa/setup/").context["secret"] == page.context["secret"]
    # when
    response = client.post("/accounts/mfa/setup/", {"token": totp_code(device)})
    # then
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10
    assert all(code in response.content.decode() for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert audit_count(AuditAction.MFA_ENROLLED) == 1
    assert audit_count(AuditAction.MFA_BACKUP_CODES) == 1
    # the session counts as verified right away; the profile never shows the codes
    profile = client.get("/accounts/profile/").content.decode()
    assert "已启用" in profile
    assert not any(code in profile for code in codes)


def test_mfa_setup_wrong_code_keeps_enrolment_open(client, account):
    client.force_login(account)
    client.get("/accounts/mfa/setup/")
    response = client.post("/accounts/mfa/setup/", {"token": "000000"})
    assert response.status_code == 200
    assert "验证码不正确或已过期" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=account, confirmed=True).exists()
    assert audit_count(AuditAction.MFA_ENROLLED) == 0


def test_forced_setup_names_the_role_that_requires_mfa(client, tree, user_factory):
    user = user_factory("zuzhibu", "org_dept", tree["A"])
    client.force_login(user)
    html = client.get("/accounts/mfa/setup/?forced=1").content.decode()
    assert "您的角色要求启用双因素认证" in html
    assert "组织部" in html


def test_enrolment_on_the_phone_offers_an_otpauth_link_and_the_key_in_groups_of_four(client, account):
    # given (issue 9, point 9: the phone that holds the authenticator cannot scan its own screen)
    client.force_login(account)
    # when
    response = client.get("/accounts/mfa/setup/")
    # then
    html = response.content.decode()
    device = TOTPDevice.objects.get(user=account, confirmed=False)
    link = f'href="{escape(device.config_url)}" data-testid="otpauth-link"'
    assert link in html and device.config_url.startswith("otpauth://totp/")
    assert "在身份验证器中打开" in html
    groups = response.context["secret"].split(" ")
    assert "".join(groups) == b32encode(device.bin_key).decode().rstrip("=")
    assert {len(g) for g in groups[:-1]} == {4} and 1 <= len(groups[-1]) <= 4
    assert f'data-testid="secret">{response.context["secret"]}</code>' in html


def test_the_menu_is_hidden_until_a_required_second_factor_is_enrolled(client, tree, user_factory):
    # given: a role that requires MFA, not yet enrolled
    user = user_factory("zuzhibu", "org_dept", tree["A"])
    client.force_login(user)
    # when
    html = client.get("/accounts/mfa/setup/?forced=1").content.decode()
    # then: no menu to wander off into (each entry would only lead back here); signing out stays
    assert 'class="navbar-nav me-auto"' in html
    menu = html[html.index('class="navbar-nav me-auto"'):]
    menu = menu[:menu.index("</ul>")]
    assert "dropdown" not in menu and "href=" not in menu
    assert reverse("accounts:logout") in html
    # and once enrolled and verified, the menu is back
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/accounts/mfa/setup/?forced=1", {"token": totp_code(device)})
    assert response.status_code == 200
    assert "/members/" in client.get("/").content.decode()


def test_backup_codes_regenerate_is_post_only_and_replaces_old_codes(client, enrolled):
    # given: signed in through both steps
    user, device, old_codes = enrolled
    client.post(LOGIN, {"username": "zhangsan", "password": PASSWORD})
    client.post(OTP, {"token": totp_code(device)})
    # when
    get = client.get("/accounts/mfa/backup-codes/")
    post = client.post("/accounts/mfa/backup-codes/")
    # then
    assert get.status_code == 405
    assert post.status_code == 200
    new_codes = post.context["codes"]
    assert len(new_codes) == 10
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert stored == set(new_codes)
    assert not stored & set(old_codes)
    assert audit_count(AuditAction.MFA_BACKUP_CODES) == 2  # enrolment + regeneration


def test_backup_codes_need_an_enrolled_authenticator(client, account):
    client.force_login(account)
    response = client.post("/accounts/mfa/backup-codes/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    assert not StaticToken.objects.exists()
    assert audit_count(AuditAction.MFA_BACKUP_CODES) == 0


# --- sign-out, profile, password -------------------------------------------------------------------


def test_logout_is_post_only_and_audited(client, account):
    client.force_login(account)
    assert client.get("/accounts/logout/").status_code == 405
    assert signed_in_user_id(client) == str(account.pk)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert signed_in_user_id(client) is None
    assert audit_count(AuditAction.LOGOUT) == 1


def test_profile_shows_own_roles_mfa_status_and_member_record(client, tree, member_factory, user_factory):
    from dangjian.members.services import member_link_user

    # given
    user = user_factory("sec_a1", "branch_secretary", tree["A1"])
    other = user_factory("worker_b1", "party_worker", tree["B1"])
    member_link_user(actor=None, member=member_factory("A1", name="王红"), user=user)
    client.force_login(user)
    # when
    response = client.get(reverse("accounts:profile"))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert [(a.role.code, a.org.code, a.scope) for a in response.context["assignments"]] == [
        ("branch_secretary", "A1", "subtree")
    ]
    assert "支部书记" in html and "甲一支部" in html and "本组织及下级" in html
    assert "党务工作者" not in html and other.username not in html
    assert "王红" in html
    assert "未启用" in html


def test_profile_of_user_whose_role_requires_mfa_goes_to_setup(client, tree, user_factory):
    user = user_factory("auditor1", "auditor", tree["G"])
    client.force_login(user)
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/mfa/setup/?forced=1"


def test_password_change(client, account):
    client.force_login(account)
    wrong = client.post("/accounts/password/", {"old_password": "not-it-at-all", "new_password1": "Xinmima-2025-abc",
                                                "new_password2": "Xinmima-2025-abc"})
    assert "原密码不正确" in wrong.content.decode()
    weak = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "1234567890123",
                                               "new_password2": "1234567890123"})
    assert weak.status_code == 200
    assert audit_count(AuditAction.USER_PASSWORD_SET) == 0
    ok = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "Xinmima-2025-abc",
                                             "new_password2": "Xinmima-2025-abc"})
    assert ok.status_code == 302
    account.refresh_from_db()
    assert account.check_password("Xinmima-2025-abc")
    assert signed_in_user_id(client) == str(account.pk)  # this session stays signed in
    assert audit_count(AuditAction.USER_PASSWORD_SET) == 1
