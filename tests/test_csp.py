"""Content-Security-Policy on every page (issue 7, defect 2), generated over the web authorization matrix.

For every page of ``tests/test_authz_web.MATRIX`` a permitted branch-A user (anonymous for the public
sign-in pages) makes the page's requests; every response carries the project's policy, whose
``script-src`` allows our origin only; every HTML response has no inline ``<script>`` (``json_script`` data
blocks of type ``application/json`` aside), no ``on*=`` handler, no ``style=`` attribute (style-src has no
'unsafe-inline' either), no ``javascript:`` URL and no htmx attribute that would need ``eval``. The API docs
page runs under the same policy; HSTS and the HTTPS redirect follow ``DANGJIAN_*`` settings.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from dangjian.core.security import DEFAULT_POLICY, build_policy
from tests.test_authz_web import MATRIX, _actor, _url, signin, world  # noqa: F401  (world is a fixture)

ROOT = Path(__file__).resolve().parent.parent
CSP = "Content-Security-Policy"


def directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


class InlineCode(HTMLParser):
    """Collects what a strict CSP would block (or what would need 'unsafe-inline'/'unsafe-eval')."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._script: tuple[str, dict] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name == "style":
                self.found.append(f"<{tag} style={value!r}>")
            if name.startswith(("hx-on", "data-hx-on")):
                self.found.append(f"<{tag} {name}=…> (htmx eval)")
            if name in ("hx-vals", "hx-vars", "data-hx-vals") and (value or "").lstrip().startswith("js:"):
                self.found.append(f"<{tag} {name}=js:…> (htmx eval)")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")
        if tag == "script" and not a.get("src") and a.get("type") != "application/json":
            self.found.append(f"inline <script {a}>")
        if tag == "style":
            self.found.append("inline <style>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def assert_strict(response, where: str) -> None:
    header = response.get(CSP)
    assert header == build_policy(DEFAULT_POLICY), (where, header)
    policy = directives(header)
    assert policy["script-src"] == ["'self'"], where
    assert not any("unsafe" in s for s in policy["script-src"] + policy["style-src"] + policy["default-src"])
    if response.get("Content-Type", "").startswith("text/html"):
        assert inline_code(response.content.decode()) == [], where


# --- the policy itself ------------------------------------------------------------------------------


def test_the_policy_is_strict():
    assert build_policy(DEFAULT_POLICY) == (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
    )


def test_the_checker_finds_inline_code():
    html = """<script>alert(1)</script><script type="application/json" id="d">{"a": "<b>"}</script>
    <script src="/static/x.js"></script><img src=x onerror="alert(1)"><div style="color:red"></div>
    <a href="javascript:alert(1)">x</a><div hx-vals='js:{q: 1}' hx-on:click="x()"></div><style>p{}</style>"""
    assert inline_code(html) == [
        "inline <script {}>", "<img onerror=…>", "<div style='color:red'>", "<a href=javascript:…>",
        "<div hx-vals=js:…> (htmx eval)", "<div hx-on:click=…> (htmx eval)", "inline <style>",
    ]


# --- every page of the web matrix -------------------------------------------------------------------


@pytest.fixture
def scanned_world(world):  # noqa: F811
    """The matrix's world with health findings, so the monitoring page draws its heat map."""
    from dangjian.health.services import findings_scan

    assert findings_scan().ok
    return world


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(MATRIX))
def test_every_page_carries_the_policy_and_no_inline_code(client, scanned_world, user_factory, key):
    # given: the page's permitted branch-A user; pages open to any signed-in user are seen by a committee
    # secretary, who has the most on them (the home page's chart, every menu)
    page, w = MATRIX[key], scanned_world
    if not page.public:
        spec = page.actor if page.actor[0] else ("committee_secretary", "A", "subtree")
        user = signin(client, _actor(user_factory, spec, w, "actor_a"))
        if key == "accounts:mfa_backup_codes":  # codes are printed for an account with an authenticator
            user.totpdevice_set.create(name="app", confirmed=True)
    url = _url(key, w, page.kwargs)
    for method in page.methods:
        # when
        if method == "get":
            response = client.get(url, page.query(w))
        else:
            response = client.post(url, page.post(w) if page.post else {})
            assert_strict(response, f"{method} {key}: {response.status_code}")
            if response.status_code == 302 and response["Location"].startswith("/"):
                response = client.get(response["Location"])
        # then
        assert_strict(response, f"{method} {key}: {response.status_code}")


@pytest.mark.django_db
def test_error_pages_and_api_responses_carry_the_policy(client, user_factory):
    signin(client, user_factory("plain"))
    for response in (client.get("/no-such-page/"), client.get("/api/v1/orgs/987654321"), client.get("/healthz")):
        assert response[CSP] == build_policy(DEFAULT_POLICY), response.status_code


# --- the API docs page ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_docs_page_runs_under_the_same_policy(client, user_factory):
    # Swagger UI (ninja's bundled copy) loads from our origin and starts from a static init file
    signin(client, user_factory("plain"))
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response[CSP] == build_policy(DEFAULT_POLICY)
    html = response.content.decode()
    assert inline_code(html) == []
    assert 'src="/static/ninja/swagger-ui-bundle.js"' in html


# --- HTTPS settings ---------------------------------------------------------------------------------


def _settings_from_env(env: dict[str, str]) -> dict:
    code = (
        "import json, dangjian.settings as s; print(json.dumps({k: getattr(s, k) for k in ("
        "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', "
        "'SECURE_PROXY_SSL_HEADER', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE')}))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("DANGJIAN_")}
    out = subprocess.run([sys.executable, "-c", code], env={**base, "PYTHONPATH": str(ROOT / "src"), **env},
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_https_settings_are_off_by_default_and_follow_the_environment():
    assert _settings_from_env({"DANGJIAN_DEBUG": "1"}) == {
        "SECURE_SSL_REDIRECT": False, "SECURE_HSTS_SECONDS": 0, "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False, "SECURE_PROXY_SSL_HEADER": None, "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
    }
    assert _settings_from_env({
        "DANGJIAN_DEBUG": "1", "DANGJIAN_SSL_REDIRECT": "1", "DANGJIAN_HSTS_SECONDS": "31536000",
        "DANGJIAN_HSTS_INCLUDE_SUBDOMAINS": "1", "DANGJIAN_HSTS_PRELOAD": "1", "DANGJIAN_PROXY_SSL_HEADER": "1",
    }) == {
        "SECURE_SSL_REDIRECT": True, "SECURE_HSTS_SECONDS": 31536000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True, "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True,
    }
    # secure cookies can be chosen on their own (e.g. TLS without the redirect)
    assert _settings_from_env({"DANGJIAN_DEBUG": "1", "DANGJIAN_SECURE_COOKIES": "1"})["SESSION_COOKIE_SECURE"] is True


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000,
                   SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_behind_a_tls_proxy_plain_http_is_redirected_and_https_gets_hsts(client):
    # plain HTTP (no forwarded proto): redirected to https, except the load balancer's probe
    response = client.get(reverse("web:login"))
    assert response.status_code == 301
    assert response["Location"] == "https://testserver" + reverse("web:login")
    assert client.get("/healthz").status_code == 200
    # through the proxy over HTTPS: served, with HSTS and the CSP
    response = client.get(reverse("web:login"), headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    assert response[CSP] == build_policy(DEFAULT_POLICY)


@pytest.mark.django_db
@override_settings(SECURE_CSP_REPORT_ONLY={"default-src": ["'self'"], "report-uri": ["/csp-report"]})
def test_a_report_only_policy_can_be_added_beside_the_enforced_one(client):
    response = client.get(reverse("web:login"))
    assert response[CSP] == build_policy(DEFAULT_POLICY)
    assert response["Content-Security-Policy-Report-Only"] == "default-src 'self'; report-uri /csp-report"
