"""API test fixtures (a pytest plugin, registered in the root conftest): call /api/v1 as a user."""
from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

__all__ = ["API", "ApiClient"]

API = "/api/v1"


class ApiClient:
    """A Django test client bound to one caller; paths are relative to /api/v1, bodies are JSON."""

    def __init__(self, client: Client, headers: dict[str, str] | None = None):
        self.client = client
        self.headers = dict(headers or {})

    def request(self, method: str, path: str, body: Any = None, *, params: dict | None = None,
                raw: str | bytes | None = None, headers: dict[str, str] | None = None):
        url = API + path
        all_headers = {**self.headers, **(headers or {})}
        if method == "GET":
            return self.client.get(url, data=params or {}, headers=all_headers)
        data = raw if raw is not None else ("" if body is None else json.dumps(body, default=str))
        return self.client.generic(method, url, data=data, content_type="application/json", headers=all_headers)

    def get(self, path: str, **params: Any):
        return self.request("GET", path, params={k: v for k, v in params.items() if v is not None})

    def post(self, path: str, body: Any = None, **kwargs: Any):
        return self.request("POST", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any):
        return self.request("PATCH", path, body, **kwargs)


def login_session(client: Client, user: Any, *, verified: bool = True) -> Client:
    """Signs *user* in on *client*; with *verified*, as having passed the second factor (a confirmed
    TOTP device recorded in the session, as ``django_otp.login`` does after the code step)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    if verified:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="test", confirmed=True
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def api_client(db):
    """``api_client(user)`` → ApiClient signed in with the session (MFA passed);
    ``api_client(user, token=True)`` → with an ``Authorization: Bearer`` token; ``api_client()`` → anonymous.
    ``lang="en"`` sends ``Accept-Language``; ``csrf=True`` enforces CSRF checks like a browser."""

    def make(user: Any = None, *, token: bool = False, verified: bool = True, lang: str | None = None,
             csrf: bool = False) -> ApiClient:
        client = Client(enforce_csrf_checks=csrf)
        headers: dict[str, str] = {}
        if lang:
            headers["Accept-Language"] = lang
        if user is not None and token:
            from dangjian.accounts.services import apitoken_create

            _row, plaintext = apitoken_create(actor=None, user=user, name="test")
            headers["Authorization"] = f"Bearer {plaintext}"
        elif user is not None:
            login_session(client, user, verified=verified)
        return ApiClient(client, headers)

    return make
