"""Browser tests: headless Debian Chromium driven by Playwright for Python, against pytest-django's
``live_server``.

- Chromium is the system one (``$DANGJIAN_CHROMIUM``, else ``/usr/bin/chromium`` or ``chromium`` on
  PATH); Playwright's own browser download is never used. Without one the tests skip with the reason
  (``scripts/test.sh`` runs ``pytest -m browser`` only when Chromium exists and fails under CI).
- Static files: ``live_server`` serves ``/static/`` through Django's staticfiles finders, i.e. straight
  from ``node_modules`` (``STATICFILES_DIRS``) and the apps' ``static/`` folders, so no
  ``collectstatic`` is needed. :func:`assert_assets_loaded` checks that Bootstrap's CSS and JS really
  applied, and every ``/static/`` response with an error status fails the test.
- Requests to any other host are aborted (no CDN, no network) and fail the test too.
- Each test gets a fresh database (``transactional_db``) with the migrations' seed data (roles, term
  policies …) restored through ``django_db_serialized_rollback``.
- On failure a full-page screenshot and the page's HTML go to ``test-artifacts/``.
"""
from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
HERE = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
PASSWORD = "Hongqi-Piaopiao-2024"


def chromium_path() -> str | None:
    configured = os.environ.get("DANGJIAN_CHROMIUM")
    for candidate in (configured, "/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    # Every test under tests/browser is a browser test, marked or not (so `-m "not browser"` skips it).
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = chromium_path()
    if path is None:
        pytest.skip("no Chromium: install Debian's `chromium` and `fonts-wqy-microhei`, or set DANGJIAN_CHROMIUM")
    return path


@pytest.fixture(scope="session")
def browser(chromium_executable: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a thread
    # with a running loop unless told otherwise. Tests and the live server stay synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    before = _connection_objects()
    playwright = sync_playwright().start()
    _carry_serialized_contents(before)
    try:
        browser = playwright.chromium.launch(executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _connection_objects() -> dict[str, Any]:
    from django.db import connections

    return {alias: connections[alias] for alias in connections}


def _carry_serialized_contents(before: dict[str, Any]) -> None:
    """Once Playwright's loop runs in this thread, Django's per-thread connection storage (asgiref
    ``Local``) switches to context-variable storage, so the test thread gets *new* connection objects.
    When the test databases were set up earlier in the session (non-browser tests ran first), the
    snapshot that ``django_db_serialized_rollback`` restores from lives on the old objects only;
    without this the seed data (roles …) would be gone after the first browser test's flush."""
    from django.db import connections

    for alias, old in before.items():
        new = connections[alias]
        contents = getattr(old, "_test_serialized_contents", None)
        if new is not old and contents is not None and not hasattr(new, "_test_serialized_contents"):
            new._test_serialized_contents = contents


def _artifact_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1])[:120]


@pytest.fixture
def page(request: Any, browser: Any, live_server: Any, django_db_serialized_rollback: None) -> Iterator[Any]:
    """A fresh desktop-sized page whose base URL is the live server; fails on broken static files or
    requests that leave the live server."""
    # Reduced motion: charts skip their animation, so screenshots show the finished state.
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", reduced_motion="reduce")
    context.set_default_timeout(15_000)
    problems: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            problems.append(f"request left the live server: {route.request.url}")
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
            if "/static/" in r.url and r.status >= 400 else None)
    page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))
    page.problems = problems
    yield page
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = _artifact_name(request.node.nodeid)
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}-failure.png"), full_page=True)
            (ARTIFACTS / f"{name}-failure.html").write_text(page.content(), encoding="utf-8")
        except Exception as exc:  # the page may be gone; the test's own failure is what matters
            print(f"could not save failure artifacts: {exc}")
    context.close()
    if not failed:
        assert problems == [], problems


@pytest.fixture
def screenshot(page: Any) -> Callable[[str], Path]:
    """Saves a full-page screenshot of the current page as ``test-artifacts/<name>.png``."""

    def take(name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def assert_assets_loaded(page: Any) -> None:
    """Bootstrap's stylesheet applied (the navbar is a flex box, the brand colour is ours) and its
    JavaScript and htmx are present."""
    state = page.evaluate(
        """() => {
            const nav = document.querySelector("nav.navbar");
            return {
                display: nav && getComputedStyle(nav).display,
                background: nav && getComputedStyle(nav).backgroundColor,
                bootstrapJs: typeof window.bootstrap === "object" && typeof window.bootstrap.Collapse === "function",
                htmx: typeof window.htmx === "object",
                sheets: [...document.styleSheets].filter(s => s.href).map(s => s.cssRules.length > 0),
            };
        }"""
    )
    assert state["display"] == "flex", state
    assert state["background"] == "rgb(183, 28, 28)", state  # .bg-party from web/app.css
    assert state["bootstrapJs"] and state["htmx"], state
    assert state["sheets"] and all(state["sheets"]), state


def totp_from_secret(secret_base32: str) -> str:
    """What an authenticator app shows now for the Base32 secret printed on the enrolment page."""
    from base64 import b32decode

    from django_otp.oath import totp

    secret = secret_base32.replace(" ", "").upper()
    return f"{totp(b32decode(secret + '=' * (-len(secret) % 8))):06d}"


@pytest.fixture
def login(page: Any) -> Callable[..., None]:
    """Signs in through the form: password, then (when *device* is given) the one-time code."""
    from dangjian.accounts.tests.otp import totp_code

    def sign_in(username: str, password: str = PASSWORD, *, device: Any = None, next_path: str = "") -> None:
        page.goto("/accounts/login/" + (f"?next={next_path}" if next_path else ""))
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("main form button[type=submit]")
        if device is not None:
            page.wait_for_url("**/accounts/otp/")
            page.fill("#id_token", totp_code(device))
            page.click("main form button[type=submit]")
        page.wait_for_load_state("load")

    return sign_in


@pytest.fixture
def account(db: None) -> Callable[..., Any]:
    """Makes a sign-in account with a password (through services), optionally with a role."""
    from dangjian.accounts.services import resolve_role, role_grant, user_create

    def make(username: str, *, role: str | None = None, org: Any = None, scope: str = "subtree",
             display_name: str = "") -> Any:
        user = user_create(actor=None, username=username, password=PASSWORD, display_name=display_name)
        if role:
            role_grant(actor=None, user=user, role=resolve_role(role), org=org, scope=scope)
        return user

    return make
