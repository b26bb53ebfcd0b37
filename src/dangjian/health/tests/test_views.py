"""The health pages: the monitoring table (drill down, sort, colours, Excel, constant queries), the
findings list with acknowledging, the rules and their edit form (ranges refused at the field)."""
from __future__ import annotations

import io

import pytest
from django.urls import reverse

from dangjian.audit.models import AuditEntry
from dangjian.health.choices import RuleCode
from dangjian.health.models import Finding, RuleConfig
from dangjian.health.tests.fixtures import add_members

pytestmark = pytest.mark.django_db


def signin(client, user):
    from tests.test_authz_web import signin as _signin

    return _signin(client, user)


@pytest.fixture
def world(tree, health):
    """A1: 12 members (too many findings to ignore), A2: 2, B1: 60; scanned with every rule."""
    add_members(tree["A1"], 10)
    add_members(tree["A1"], 2, category="probationary")
    add_members(tree["A2"], 2)
    add_members(tree["B1"], 60)
    health.scan()
    return tree


def test_monitor_starts_at_the_actors_top_org_and_drills_down(world, client, user_factory):
    # given
    signin(client, user_factory("g", "org_dept", world["G"]))
    # when / then: the top org
    page = client.get(reverse("health:monitor")).content.decode()
    assert 'data-org="G"' in page and 'data-drill="G"' in page
    # its children, with their subtrees' members
    page = client.get(reverse("health:monitor"), {"org": "G"}).content.decode()
    assert 'data-org="A"' in page and 'data-org="B"' in page
    assert "14（12/2）" in page and "60（60/0）" in page
    assert "74（72/2）" in page  # the total row
    # one level further
    page = client.get(reverse("health:monitor"), {"org": "A"}).content.decode()
    assert 'data-org="A1"' in page and 'data-org="A2"' in page and 'data-org="B1"' not in page
    assert "集团党委" in page  # breadcrumb


def test_monitor_colours_and_sorting(world, client, user_factory):
    signin(client, user_factory("g", "org_dept", world["G"]))
    response = client.get(reverse("health:monitor"), {"org": "A", "sort": "-members"})
    rows = response.context["rows"]
    assert [row.org.code for row, _cells in rows] == ["A1", "A2"]
    # A2 has too few members, no secretary, no term: structure red (1 of 1 org)
    cells = {row.org.code: c for row, c in rows}
    assert (cells["A2"][1]["status"], cells["A2"][1]["text"]) == ("red", "1 个组织有问题")
    # A1 (10 full members) has no term, no secretary either: red too; its findings include a critical one
    assert cells["A1"][-1]["status"] in ("amber", "red")
    response = client.get(reverse("health:monitor"), {"org": "A", "sort": "members"})
    assert [row.org.code for row, _cells in response.context["rows"]] == ["A2", "A1"]


def test_monitor_escapes_org_names(tree, health, client, user_factory):
    from dangjian.orgs.services import org_create

    org_create(actor=None, parent=tree["A"], name="<b>坏</b>&支部", code="X&1", org_type="branch")
    health.scan()
    signin(client, user_factory("g", "org_dept", tree["G"]))
    page = client.get(reverse("health:monitor"), {"org": "A"}).content.decode()
    assert "&lt;b&gt;坏&lt;/b&gt;&amp;支部" in page and "<b>坏</b>" not in page
    assert 'data-org="X&amp;1"' in page


def test_monitor_out_of_scope_org_is_404(world, client, user_factory):
    signin(client, user_factory("a", "branch_secretary", world["A"]))
    assert client.get(reverse("health:monitor"), {"org": "B"}).status_code == 404
    page = client.get(reverse("health:monitor")).content.decode()
    assert 'data-org="A"' in page and 'data-org="B"' not in page


def test_monitor_heat_map_data(world, client, user_factory):
    signin(client, user_factory("g", "org_dept", world["G"]))
    chart = client.get(reverse("health:monitor"), {"org": "A"}).context["chart"]
    assert chart["orgs"] == ["甲一支部", "甲二支部"]
    assert RuleCode.TOO_FEW_FULL_MEMBERS in chart["codes"]
    x = chart["codes"].index(RuleCode.TOO_FEW_FULL_MEMBERS)
    assert [x, 1, 1] in chart["data"] and [x, 0, 0] in chart["data"]


def test_monitor_export_is_the_same_table_in_excel(world, client, user_factory):
    from openpyxl import load_workbook

    signin(client, user_factory("g", "org_dept", world["G"]))
    response = client.get(reverse("health:monitor_export"), {"org": "G"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "组织" and rows[0][-1] == "组织代码"
    assert [(r[0], r[1], r[-1]) for r in rows[1:4]] == [
        ("甲公司党委", "14（12/2）", "A"), ("乙公司党委", "60（60/0）", "B"), ("合计：集团党委", "74（72/2）", "G")]


def test_monitor_query_count_does_not_grow_with_the_tree(tree, health, client, user_factory):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dangjian.orgs.services import org_create

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("health:monitor"), {"org": "G"})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    signin(client, user_factory("g", "org_dept", tree["G"]))
    health.scan()
    client.get(reverse("health:monitor"), {"org": "G"})
    small = queries()
    for i in range(5):
        branch = org_create(actor=None, parent=tree["A"], name=f"新支部{i}", code=f"N{i}", org_type="branch")
        add_members(branch, 3)
    org_create(actor=None, parent=tree["G"], name="丙公司党委", code="C", org_type="committee")
    health.scan()
    assert queries() == small
    # the page's own reads: the org, the children, their rollup rows, the cadence kinds (the rest is
    # the session, the user, the second factor, the grants and the navigation)
    assert small <= MONITOR_QUERIES


MONITOR_QUERIES = 10


def test_findings_page_filters_and_acknowledges(world, client, user_factory):
    # given
    user = signin(client, user_factory("a1", "branch_secretary", world["A1"], scope="org"))
    finding = Finding.objects.get(rule=RuleCode.NO_SECRETARY, org=world["A1"])
    # when
    page = client.get(reverse("health:findings"), {"rule": RuleCode.NO_SECRETARY}).content.decode()
    # then
    assert f'data-finding="{finding.pk}"' in page and "本届委员会无在任书记" in page
    assert page.count("data-finding=") == 1  # A1 only
    assert "data-ack" in page
    here = reverse("health:findings") + "?rule=" + RuleCode.NO_SECRETARY
    response = client.post(reverse("health:acknowledge", args=[finding.pk]), {"note": "本月补选", "next": here})
    assert response.status_code == 302 and response["Location"] == here
    finding.refresh_from_db()
    assert (finding.state, finding.acknowledged_by_id, finding.acknowledged_note) == ("acknowledged", user.pk, "本月补选")
    assert AuditEntry.objects.filter(action="health.finding_acknowledge").count() == 1


def test_findings_page_refuses_a_foreign_org_at_the_field(world, client, user_factory):
    signin(client, user_factory("a", "branch_secretary", world["A"]))
    response = client.get(reverse("health:findings"), {"org": "B1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-field-error="org"' in page and "乙一支部" not in page


def test_acknowledge_elsewhere_is_404_with_nothing_written(world, client, user_factory):
    signin(client, user_factory("a", "branch_secretary", world["A"]))
    foreign = Finding.objects.filter(org=world["B1"]).first()
    assert client.post(reverse("health:acknowledge", args=[foreign.pk])).status_code == 404
    foreign.refresh_from_db()
    assert foreign.state == "open"
    assert not AuditEntry.objects.filter(action="health.finding_acknowledge").exists()


def test_rules_page_and_edit(tree, client, user_factory):
    signin(client, user_factory("admin", "sysadmin", tree["G"]))
    page = client.get(reverse("health:rules")).content.decode()
    assert f'data-rule="{RuleCode.TERM_EXPIRING}"' in page and "DOMAIN §3" in page
    url = reverse("health:rule_edit", args=[RuleCode.TERM_EXPIRING])
    form = client.get(url).context["form"]
    assert form.initial["param_offsets_months"] == "6, 3, 1"
    data = {"param_offsets_months": "6，3，2，1", "severity": "warning", "enabled": "on",
            "notify_role": "branch_secretary", "reason": "集团通知"}
    assert client.post(url, data).status_code == 302
    assert RuleConfig.objects.get(code=RuleCode.TERM_EXPIRING).params == {"offsets_months": [6, 3, 2, 1]}


@pytest.mark.parametrize(("code", "field", "value"), [
    pytest.param(RuleCode.TERM_EXPIRING, "param_offsets_months", "30", id="list_out_of_range"),
    pytest.param(RuleCode.BRANCH_OVERSIZE, "param_max_members", "5", id="below_min"),
    pytest.param(RuleCode.BRANCH_OVERSIZE, "param_max_members", "abc", id="not_a_number"),
])
def test_rule_edit_refuses_out_of_range_at_the_field(tree, client, user_factory, code, field, value):
    signin(client, user_factory("admin", "sysadmin", tree["G"]))
    before = list(RuleConfig.objects.order_by("pk").values_list("params", flat=True))
    url = reverse("health:rule_edit", args=[code])
    data = {"severity": "warning", "enabled": "on", "notify_role": "org_dept", "reason": "x", field: value}
    response = client.post(url, data)
    assert response.status_code == 400
    assert f'data-field-error="{field}"' in response.content.decode()
    assert list(RuleConfig.objects.order_by("pk").values_list("params", flat=True)) == before


def test_unknown_rule_page_is_404(tree, client, user_factory):
    signin(client, user_factory("admin", "sysadmin", tree["G"]))
    assert client.get(reverse("health:rule_edit", args=["org.nope"])).status_code == 404


def test_monitor_cells_carry_their_column_names_for_the_phone_cards(world, client, user_factory):
    # given
    signin(client, user_factory("g", "org_dept", world["G"]))
    # when
    response = client.get(reverse("health:monitor"), {"org": "A", "sort": "-members"})
    page = response.content.decode()
    # then: every value cell names its column (a phone shows the rows as cards of labelled values)
    labels = [str(col["label"]) for col in response.context["columns"][1:]]
    row = page.split('<tr data-org="A1">', 1)[1].split("</tr>", 1)[0]
    assert [cell.split('"', 1)[0] for cell in row.split('data-label="')[1:]] == labels
    # and sorting, whose column heads a phone hides, is a menu with the current order chosen
    assert 'data-monitor-sort' in page
    assert '<option value="-members" selected>' in page
