"""The Content-Security-Policy in a real browser (issue 7, defect 2): the main pages load, draw their charts,
run htmx and submit forms under the policy, and the browser reports no violation on any of them
(``securitypolicyviolation`` events, CSP console errors). The API docs page (Swagger UI) works under the same
policy: an operation is tried out and a schema expanded."""
from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_assets_loaded

pytestmark = pytest.mark.browser

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(location.pathname + ": " + e.violatedDirective + " " + e.blockedURI + " "
                           + (e.sample || "") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


def _watch(page: Any) -> list[str]:
    """Records CSP complaints on the console; the init script records violation events per page."""
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}")
            if "Content Security Policy" in m.text or "Content-Security-Policy" in m.text else None)
    page.add_init_script(WATCH)
    return console


def _violations(page: Any) -> list[str]:
    return page.evaluate("window.__violations || []")


@pytest.fixture
def world(tree, member_factory):
    from dangjian.health.services import findings_scan

    for i in range(4):
        member_factory("A1", name=f"甲一党员{i}")
    member_factory("A2", name="甲二党员")
    member_factory("B1", name="乙一党员")
    assert findings_scan().ok
    return tree


@pytest.fixture
def admin(account, world):
    """A system administrator (every permission, second factor enrolled) and the device to sign in with."""
    from dangjian.accounts.services import mfa_confirm, mfa_start
    from dangjian.accounts.tests.otp import totp_code

    user = account("guanli", role="sysadmin", scope="all")
    device = mfa_start(user=user)
    mfa_confirm(actor=user, device=device, token=totp_code(device))
    device.refresh_from_db()
    return user, device


PAGES = [
    # path, a selector that shows the page (and its scripts) worked
    ("/", "#status-chart[data-ready='1'] svg"),
    ("/orgs/", "#org-tree"),
    ("/orgs/chart/", "#org-chart[data-ready='1'] canvas"),
    ("/health/monitor/?org=A", "#health-heatmap[data-ready='1'] svg"),
    ("/health/findings/", "main"),
    ("/health/rules/", "main"),
    ("/members/", "main"),
    ("/members/new/", "#id_org_code"),
    ("/development/", "main"),
    ("/transfers/", "main"),
    ("/exchange/", "main"),
    ("/meetings/", "main"),
    ("/meetings/mine/", "main"),
    ("/meetings/calendar/", "main"),
    ("/meetings/series/new/", "main"),
    ("/meetings/elections/new/", "main"),
    ("/meetings/compliance/", "main"),
    ("/meetings/rules/", "[data-rule='branch.party_lecture']"),
    ("/meetings/rules/branch.party_lecture/", "#id_param_min_count"),
    ("/development/rules/public_notice/", "#id_param_steps"),
    ("/transfers/external-in/", "main"),
    ("/notifications/preferences/", "main"),
    ("/notifications/channels/new/", "main"),
    ("/meetings/new/", "#id_held"),
    ("/dues/bills/", "main"),
    ("/dues/arrears/", "main"),
    ("/dues/calculator/", "main"),
    ("/audit/", "main"),
    ("/notifications/", "main"),
    ("/notifications/channels/", "main"),
    ("/notifications/webhooks/", "main"),
    ("/notifications/webhooks/new/", "[data-event-types]"),
    ("/accounts/profile/", "main"),
    ("/accounts/mfa/setup/", "main"),
]


def test_main_pages_work_under_the_policy(page, live_server, login, admin, screenshot):
    # given
    _user, device = admin
    console = _watch(page)
    login("guanli", device=device)
    # when / then: every page loads its assets and reports no violation
    visited = []
    for path, ready in PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        csp = response.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "unsafe" not in csp, (path, csp)
        assert_assets_loaded(page)
        expect(page.locator(ready).first).to_be_attached()
        page.wait_for_timeout(100)
        visited.append(path)
        assert _violations(page) == [], path
    assert console == []
    assert len(visited) == len(PAGES)


def test_htmx_and_form_behaviours_work_under_the_policy(page, live_server, login, account, world):
    # given: a branch secretary of the group (no second factor for that role)
    account("zhishu", role="branch_secretary", org=world["G"])
    console = _watch(page)
    login("zhishu")
    # when: the org picker of the member form searches as the user types (ui/picker.js, fetch)
    page.goto("/members/new/")
    with page.expect_response(lambda r: "/orgs/pick/" in r.url and "q=A1" in r.url and "type=branch" in r.url):
        page.fill("#id_org_code", "A1")
    # then: the suggestions arrive, name and parent path
    expect(page.locator("#id_org_code_list [role=option]")).to_have_count(1)
    expect(page.locator("#id_org_code_list [role=option]")).to_contain_text("甲一支部")
    assert _violations(page) == []

    # when: the tree expands a node (htmx swap)
    page.goto("/orgs/")
    with page.expect_response(lambda r: f"/orgs/{world['G'].pk}/children/" in r.url):
        page.locator('#org-tree > li[data-org-code="G"] summary').first.click()
    expect(page.locator('li[data-org-code="A"]')).to_be_visible()
    assert _violations(page) == []

    # when: the meeting form's "held" switch hides the roll call (was an onchange handler)
    page.goto("/meetings/new/")
    form = page.locator("#id_held").locator("xpath=ancestor::form")
    held = page.locator("#id_held").is_checked()
    page.locator("#id_held").click()
    expect(form).to_have_class(re.compile("held-off") if held else re.compile("^(?!.*held-off)"))
    assert _violations(page) == []

    # when: the org chart's root select submits its form on change (was onchange="this.form.submit()")
    page.goto("/orgs/chart/")
    expect(page.locator("#org-chart[data-ready='1'] canvas")).to_have_count(1)
    # then: the chart's layout buttons re-render it without violations
    page.locator("[data-layout=LR]").click()
    page.wait_for_timeout(300)
    assert _violations(page) == []

    # when: a notification channel is deleted, the browser asks first (was onsubmit="return confirm(…)")
    from dangjian.integration.models import NotificationChannel

    channel = NotificationChannel.objects.create(
        name="测试渠道", org=world["G"], kind="wecom",
        webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=t")
    page.goto(f"/notifications/channels/{channel.pk}/")
    dialogs: list[str] = []

    def answer(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss() if len(dialogs) == 1 else dialog.accept()

    page.on("dialog", answer)
    delete = page.locator(f"form[action$='/channels/{channel.pk}/delete/'] button[type=submit]")
    delete.click()  # dismissed: nothing happens
    page.wait_for_timeout(300)
    assert NotificationChannel.objects.filter(pk=channel.pk).exists()
    with page.expect_navigation():
        delete.click()  # accepted: deleted
    assert dialogs == ["确定删除该通知渠道？", "确定删除该通知渠道？"]
    assert not NotificationChannel.objects.filter(pk=channel.pk).exists()
    assert _violations(page) == []
    assert console == []


def test_api_docs_work_under_the_policy(page, live_server, login, account, world):
    account("zhishu", role="branch_secretary", org=world["G"])
    console = _watch(page)
    login("zhishu")
    response = page.goto("/api/v1/docs")
    assert response.status == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe" not in csp
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("dangjian")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    # an operation expands, is tried out against the live server and its answer highlighted; the schemas
    # section expands a model (Swagger UI's own rendering and styling)
    get = page.locator(".swagger-ui .opblock-get").first
    get.locator(".opblock-summary").click()
    get.locator("button.try-out__btn").click()
    with page.expect_response(lambda r: "/api/v1/" in r.url and r.request.method == "GET"):
        get.locator("button.execute").click()
    expect(get.locator(".responses-wrapper .live-responses-table")).to_be_visible()
    models = page.locator(".swagger-ui section.models")
    models.scroll_into_view_if_needed()
    models.locator(".json-schema-2020-12-expand-deep-button").first.click()
    page.wait_for_timeout(300)
    assert _violations(page) == []
    assert console == []
