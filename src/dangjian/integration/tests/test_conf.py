"""Configuration (STYLE §12): channel kinds are off unless switched on; switched on but incomplete fails
at start-up with the variable to set."""
from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from dangjian.integration import conf


def test_every_kind_is_off_by_default(settings, monkeypatch):
    for name in ("DANGJIAN_EMAIL_ENABLED", "DANGJIAN_WECOM_ENABLED", "DANGJIAN_DINGTALK_ENABLED"):
        monkeypatch.delenv(name, raising=False)
    assert [conf.kind_enabled(k) for k in ("email", "wecom", "dingtalk")] == [False, False, False]
    assert conf.webhook_hosts() == ("qyapi.weixin.qq.com", "oapi.dingtalk.com")
    conf.check()


def test_the_environment_switches_a_kind_on(monkeypatch):
    monkeypatch.setenv("DANGJIAN_WECOM_ENABLED", "1")
    monkeypatch.setenv("DANGJIAN_WEBHOOK_HOSTS", "qyapi.weixin.qq.com, wecom.intra.example.com")
    assert conf.kind_enabled("wecom") is True
    assert conf.webhook_hosts() == ("qyapi.weixin.qq.com", "wecom.intra.example.com")


@pytest.mark.parametrize(
    ("_case", "env", "message"),
    [
        ("email_without_sender", {"DANGJIAN_EMAIL_ENABLED": "1"}, "DANGJIAN_EMAIL_FROM"),
        ("email_smtp_without_host", {"DANGJIAN_EMAIL_ENABLED": "1", "DANGJIAN_EMAIL_FROM": "a@example.com",
                                     "_backend": "django.core.mail.backends.smtp.EmailBackend"}, "DANGJIAN_SMTP_HOST"),
        ("robot_without_hosts", {"DANGJIAN_WECOM_ENABLED": "1", "DANGJIAN_WEBHOOK_HOSTS": ""},
         "DANGJIAN_WEBHOOK_HOSTS"),
        ("bad_flag", {"DANGJIAN_DINGTALK_ENABLED": "maybe"}, "boolean"),
        ("bad_number", {"DANGJIAN_NOTIFY_MAX_ATTEMPTS": "0"}, "at least 1"),
    ],
)
def test_switched_on_but_incomplete_fails_fast(settings, monkeypatch, _case, env, message):
    env = dict(env)
    backend = env.pop("_backend", None)
    if backend:
        settings.EMAIL_BACKEND = backend
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        conf.check()


def test_smtp_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("DANGJIAN_SMTP_HOST", "smtp.example.com")
    monkeypatch.setenv("DANGJIAN_SMTP_PORT", "465")
    monkeypatch.setenv("DANGJIAN_SMTP_SSL", "1")
    monkeypatch.setenv("DANGJIAN_NOTIFY_TIMEOUT_SECONDS", "7")
    kwargs = conf.email_connection_kwargs()
    assert (kwargs["host"], kwargs["port"], kwargs["use_ssl"], kwargs["use_tls"], kwargs["timeout"]) == (
        "smtp.example.com", 465, True, False, 7)
