"""Stored DOM XSS through the charts (issue 7, defect 1): every text a chart shows that a user can write
(org names, short names and codes; rule titles and member statuses are fixed data) carries a script
payload; every chart's tooltips are triggered on every data item, and labels drawn; no script runs, no
dialog opens, no element with an event-handler attribute appears and the page reports no CSP violation.

The last check matters once the CSP is in place: an injected handler would then be blocked, but the
browser still reports it as a violation, so the test keeps failing if a chart turned data into markup."""
from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PAYLOADS = {
    "A": {"name": "<b onmouseover=window.__xss=1>甲公司党委</b>"},
    "A1": {"name": "甲一<img src=x onerror=window.__xss=2>", "short_name": "<script>window.__xss=3</script>"},
    "A2": {"name": '"><svg onload=window.__xss=4>', "code": "A2<img src=x onerror=window.__xss=5>"},
    "B": {"name": "乙<iframe srcdoc='<script>parent.__xss=6</script>'>"},
}

# Tracks what the page does with the payloads: dialogs, CSP violations.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sample || ""));
});
"""

INJECTED = """() => ({
    xss: window.__xss === undefined ? null : window.__xss,
    handlers: [...document.querySelectorAll("*")].filter(
        (el) => [...el.attributes].some((a) => /^on/i.test(a.name))).map((el) => el.outerHTML.slice(0, 120)),
    planted: document.querySelectorAll('img[src="x"], iframe[srcdoc], svg[onload], b[onmouseover]').length,
    scripts: [...document.scripts].filter((s) => s.type !== "application/json" && s.textContent.includes("__xss")).length,
    violations: window.__violations,
})"""

SHOW_EVERY_TIP = """(id) => {
    const chart = echarts.getInstanceByDom(document.getElementById(id));
    const option = chart.getOption();
    let shown = 0;
    option.series.forEach((series, seriesIndex) => {
        const data = chart.getModel().getSeriesByIndex(seriesIndex).getData();
        for (let i = 0; i < data.count(); i++) {
            chart.dispatchAction({type: "showTip", seriesIndex, dataIndex: i});
            shown++;
        }
    });
    return shown;
}"""


@pytest.fixture
def planted(tree, member_factory):
    """The fixture tree, scanned for findings, with a script payload in every org text a chart shows."""
    from dangjian.health.services import findings_scan
    from dangjian.orgs.services import org_update

    for i in range(4):
        member_factory("A1", name=f"甲一党员{i}")
    member_factory("A2", name="甲二党员")
    member_factory("B1", name="乙一党员")
    assert findings_scan().ok
    for code, fields in PAYLOADS.items():
        org_update(actor=None, org=tree[code], reason="xss probe", **fields)
    return tree


def _watch(page: Any) -> list[str]:
    dialogs: list[str] = []

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.add_init_script(WATCH)
    return dialogs


def _hover_over(page: Any, selector: str) -> None:
    """Moves the real mouse across the chart in a grid, so hover tooltips and emphasis states render."""
    box = page.locator(selector).bounding_box()
    for fx in (0.2, 0.4, 0.6, 0.8):
        for fy in (0.1, 0.3, 0.5, 0.7, 0.9):
            page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
            page.wait_for_timeout(30)


def _assert_nothing_ran(page: Any, dialogs: list[str], where: str) -> None:
    page.wait_for_timeout(300)  # an injected <img src=x> has failed to load by now
    state = page.evaluate(INJECTED)
    assert state == {"xss": None, "handlers": [], "planted": 0, "scripts": 0, "violations": []}, where
    assert dialogs == [], where


def test_chart_tooltips_and_labels_never_run_org_names(page, live_server, login, account, planted):
    # given: the group's organisation department, signed in, watching for script and dialogs
    account("zuzhibu", role="branch_secretary", org=planted["G"])
    dialogs = _watch(page)
    login("zuzhibu", next_path="/health/monitor/?org=A")
    page.wait_for_url("**/health/monitor/?org=A")
    # when: the heat map of A's branches (y axis: the planted names) shows every tooltip and is hovered
    expect(page.locator("#health-heatmap[data-ready='1'] svg")).to_be_visible()
    assert page.evaluate(SHOW_EVERY_TIP, "health-heatmap") > 0
    _hover_over(page, "#health-heatmap")
    # then
    _assert_nothing_ran(page, dialogs, "health monitor heat map")

    # when: the org chart of the whole group (names, short names and codes in labels and tooltips)
    page.goto(f"/orgs/chart/?root={planted['G'].pk}")
    expect(page.locator("#org-chart[data-ready='1'] canvas")).to_have_count(1)
    assert page.evaluate(SHOW_EVERY_TIP, "org-chart") >= 5
    _hover_over(page, "#org-chart")
    # and a node is clicked: its name, type and code go to the "selected" panel
    point = page.evaluate(
        """(name) => {
            const chart = echarts.getInstanceByDom(document.getElementById('org-chart'));
            const data = chart.getModel().getSeriesByIndex(0).getData();
            for (let i = 0; i < data.count(); i++) {
                if (data.getRawDataItem(i).fullName === name) {
                    return data.getItemGraphicEl(i).transformCoordToGlobal(0, 0);
                }
            }
            return null;
        }""",
        PAYLOADS["A2"]["name"],
    )
    box = page.locator("#org-chart").bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    expect(page.locator("#chart-selected")).to_contain_text(PAYLOADS["A2"]["name"])
    expect(page.locator("#chart-selected")).to_contain_text(PAYLOADS["A2"]["code"])
    # then
    _assert_nothing_ran(page, dialogs, "org chart")

    # when: the home page's member-status chart (labels are the fixed status names)
    page.goto("/")
    page.wait_for_selector("#status-chart[data-ready='1'] svg")
    assert page.evaluate(SHOW_EVERY_TIP, "status-chart") > 0
    _hover_over(page, "#status-chart")
    # then
    _assert_nothing_ran(page, dialogs, "home status chart")
