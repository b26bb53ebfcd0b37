"""Org pages: the lazy tree and its search, an org's page, the change forms and the org chart."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dangjian.audit.models import AuditEntry
from dangjian.orgs.models import Organization
from tests.fixtures import audit_count, signin

pytestmark = pytest.mark.django_db




def counts():
    return Organization.objects.count(), audit_count()


def snapshot(org):
    org = Organization.objects.get(pk=org.pk)
    return org.name, org.code, org.org_type, org.path, org.status


@pytest.fixture
def secretary_a(client, tree, user_factory):
    """党委书记 of 甲公司 (orgs.view + members.view over A's subtree)."""
    return signin(client, user_factory("sec_a", "committee_secretary", tree["A"]))


@pytest.fixture
def org_dept(client, tree, user_factory):
    """组织部 at the group committee: may change every org under G."""
    return signin(client, user_factory("zzb", "org_dept", tree["G"]))


@pytest.fixture
def branch_sec_a(client, tree, user_factory):
    """支部书记 with orgs.change over 甲公司's subtree (not 乙)."""
    return signin(client, user_factory("bsec_a", "branch_secretary", tree["A"]))


# --- tree -------------------------------------------------------------------------------------------


def test_tree_shows_the_actors_top_org_with_type_badge_and_member_count(client, tree, member_factory, secretary_a):
    # given
    member_factory("A1")
    member_factory("A2")
    member_factory("B1")
    # when
    response = client.get(reverse("orgs:tree"))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-org-code="A"' in html
    assert "甲公司党委" in html
    assert "乙公司党委" not in html and "集团党委" not in html
    assert "org-type-committee" in html
    assert '<i class="bi bi-people"></i> 2</span>' in html
    assert reverse("orgs:children", args=[tree["A"].pk]) in html


def test_children_partial_lists_children_with_subtree_member_counts(client, tree, member_factory, secretary_a):
    # given
    member_factory("A1")
    member_factory("A1")
    member_factory("A1", status="deceased")
    member_factory("A2")
    # when
    response = client.get(reverse("orgs:children", args=[tree["A"].pk]), HTTP_HX_REQUEST="true")
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.index('data-org-code="A1"') < html.index('data-org-code="A2"')
    a1 = html[html.index('data-org-code="A1"'): html.index('data-org-code="A2"')]
    a2 = html[html.index('data-org-code="A2"'):]
    assert '<i class="bi bi-people"></i> 2</span>' in a1  # the deceased member is not counted
    assert '<i class="bi bi-people"></i> 1</span>' in a2
    assert "<details" in a1 and "<details" not in a2  # A1 has a party group below it; A2 is a leaf


def test_children_of_another_branch_is_not_found(client, tree, secretary_a):
    response = client.get(reverse("orgs:children", args=[tree["B"].pk]))
    assert response.status_code == 404


def test_children_partial_query_count_does_not_grow_with_children(client, tree, member_factory, secretary_a,
                                                                  django_assert_num_queries):
    # given: two children with members
    from dangjian.orgs.services import org_create

    member_factory("A1")
    member_factory("A2")
    url = reverse("orgs:children", args=[tree["A"].pk])
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    # when: five more children, each with members
    for n in range(5):
        org = org_create(actor=None, parent=tree["A"], name=f"甲新支部{n}", code=f"AN{n}", org_type="branch")
        member_factory(org=org)
        member_factory(org=org)
    # then
    with django_assert_num_queries(len(small)):
        response = client.get(url)
    assert response.content.decode().count('class="tree-item"') == 7


def test_search_finds_a_branch_with_its_ancestor_path(client, tree, secretary_a):
    response = client.get(reverse("orgs:tree"), {"q": "甲一"})
    html = response.content.decode()
    results = html[html.index("data-search-results"):]
    assert response.status_code == 200
    assert "甲一支部" in results and "甲一第一党小组" in results
    assert results.count('class="list-group-item"') == 2
    # the path shows the visible ancestors only (集团党委 is outside A's scope)
    assert "甲公司党委" in results and "集团党委" not in results


def test_search_by_code_over_htmx_returns_only_the_results(client, tree, secretary_a):
    response = client.get(reverse("orgs:tree"), {"q": "A2"}, HTTP_HX_REQUEST="true",
                          HTTP_HX_TARGET="org-search-results")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="org-tree"' not in html
    assert "甲二支部" in html and html.count('class="list-group-item"') == 1


def test_search_does_not_find_another_branch(client, tree, secretary_a):
    response = client.get(reverse("orgs:tree"), {"q": "乙"})
    assert "乙一支部" not in response.content.decode()
    assert "没有找到匹配的组织" in response.content.decode()


# --- detail -----------------------------------------------------------------------------------------


def _term(org, *, days_left):
    from dangjian.orgs.services import term_create

    end = timezone.localdate() + dt.timedelta(days=days_left)
    return term_create(actor=None, org=org, start_date=end - relativedelta(years=3), term_years=3)


@pytest.mark.parametrize(
    ("_case", "days_left", "level", "text"),
    [
        ("far", 400, "ok", "距届满 400 天"),
        ("under_six_months", 120, "due", "距届满 120 天"),
        ("expired", -10, "expired", "已届满 10 天，应按期换届"),
    ],
)
def test_detail_shows_term_status(client, tree, secretary_a, _case, days_left, level, text):
    # given
    _term(tree["A1"], days_left=days_left)
    # when
    html = client.get(reverse("orgs:detail", args=[tree["A1"].pk])).content.decode()
    # then
    assert f'data-term-status="{level}"' in html
    assert text in html


def test_detail_shows_fields_breadcrumb_seats_units_children_and_members(client, tree, member_factory, secretary_a):
    # given
    from dangjian.members.services import seat_assign
    from dangjian.orgs.services import org_unit_map, org_update, unit_create

    org_update(actor=None, org=tree["A1"], approval_doc="甲党发〔2020〕3号", established_on=dt.date(2020, 3, 1))
    secretary = member_factory("A1", name="李书记")
    member_factory("A1", name="王党员")
    term = _term(tree["A1"], days_left=500)
    seat_assign(actor=None, term=term, member=secretary, position="secretary", since=term.start_date)
    unit = unit_create(actor=None, parent=None, name="甲公司一车间", code="U-A1", unit_type="department")
    org_unit_map(actor=None, org=tree["A1"], unit=unit, valid_from=dt.date(2020, 3, 1))
    # when
    response = client.get(reverse("orgs:detail", args=[tree["A1"].pk]))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    crumbs = html[html.index("data-breadcrumb"): html.index("</ol>")]
    assert "甲公司党委" in crumbs and "集团党委" not in crumbs
    assert "甲党发〔2020〕3号" in html and "2020-03-01" in html
    seats = html[html.index("data-seats"):]
    assert "书记" in seats and "李书记" in seats
    assert "甲公司一车间" in html and "U-A1" in html
    subs = html[html.index("data-subs"):]
    assert "甲一第一党小组" in subs
    members = html[html.index("data-members"):]
    assert "李书记" in members and "王党员" in members
    assert "?org=A1&amp;subtree=1&amp;f=1" in html
    assert reverse("orgs:edit", args=[tree["A1"].pk]) not in html  # a committee secretary cannot change orgs


def test_detail_of_another_branch_is_not_found(client, tree, secretary_a):
    assert client.get(reverse("orgs:detail", args=[tree["B1"].pk])).status_code == 404


# --- create / edit / move / dissolve ---------------------------------------------------------------


def _org_post(**over):
    data = {"name": "甲三支部", "code": "A3", "org_type": "branch", "established_on": "2024-05-04", "reason": "新设"}
    data.update(over)
    return data


def test_create_under_a_parent_records_the_org_and_audit(client, tree, branch_sec_a):
    # when
    response = client.post(reverse("orgs:create", args=[tree["A"].pk]), _org_post())
    # then
    org = Organization.objects.get(code="A3")
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:detail", args=[org.pk])
    assert (org.name, org.org_type, org.depth, org.path[:8]) == ("甲三支部", "branch", 3, tree["A"].path)
    assert org.established_on == dt.date(2024, 5, 4)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.actor_id, entry.target_id, entry.reason, entry.channel) == (
        "orgs.create", branch_sec_a.pk, str(org.pk), "新设", "web")


def test_create_offers_only_types_allowed_under_the_parent(client, tree, branch_sec_a):
    html = client.get(reverse("orgs:create", args=[tree["A1"].pk])).content.decode()
    assert '<option value="group"' in html
    assert '<option value="branch"' not in html and '<option value="committee"' not in html


@pytest.mark.parametrize(
    ("_case", "over", "field", "message"),
    [
        ("code_taken", {"code": "A1"}, "code", "组织代码“A1”已被使用"),
        ("type_not_allowed", {"org_type": "group"}, "org_type", "选择一个有效的选项"),
        ("name_missing", {"name": ""}, "name", "这个字段是必填项"),
        ("bad_date", {"established_on": "2024-13-01"}, "established_on", "输入一个有效的日期"),
    ],
)
def test_create_with_bad_input_shows_the_error_at_the_field_and_writes_nothing(client, tree, branch_sec_a,
                                                                              _case, over, field, message):
    # given
    before = counts()
    # when
    response = client.post(reverse("orgs:create", args=[tree["A"].pk]), _org_post(**over))
    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert f'data-field-error="{field}"' in html
    error = html[html.index(f'data-field-error="{field}"'):]
    assert message in error[: error.index("</div>")]
    assert counts() == before


def test_edit_changes_fields_and_a_type_conflict_is_shown_at_the_type_field(client, tree, branch_sec_a):
    url = reverse("orgs:edit", args=[tree["A1"].pk])
    form = client.get(url).content.decode()
    assert 'value="甲一支部"' in form
    # when: a branch that has a party group cannot become a committee
    before, before_snapshot = counts(), snapshot(tree["A1"])
    bad = client.post(url, _org_post(name="甲一支部", code="A1", org_type="committee"))
    # then
    assert bad.status_code == 400
    assert 'data-field-error="org_type"' in bad.content.decode()
    assert "该组织下设有党小组，不能改为党委" in bad.content.decode()
    assert counts() == before and snapshot(tree["A1"]) == before_snapshot
    # when: a plain rename
    good = client.post(url, _org_post(name="甲一生产支部", code="A1"))
    assert good.status_code == 302
    assert Organization.objects.get(pk=tree["A1"].pk).name == "甲一生产支部"
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.before["name"], entry.after["name"]) == ("orgs.update", "甲一支部", "甲一生产支部")


def test_move_by_code_moves_the_subtree(client, tree, org_dept):
    # when
    response = client.post(reverse("orgs:move", args=[tree["A1"].pk]), {"parent_code": "B", "reason": "划转"})
    # then
    moved = Organization.objects.get(pk=tree["A1"].pk)
    group = Organization.objects.get(pk=tree["A1G1"].pk)
    assert response.status_code == 302
    assert moved.path.startswith(tree["B"].path) and group.path.startswith(moved.path)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.before["parent"], entry.after["parent"]) == ("orgs.move", "A", "B")


@pytest.mark.parametrize(
    ("_case", "code", "message"),
    [
        ("unknown_code", "NOPE", "未找到该组织代码，或该组织不在您的管理范围内"),
        ("out_of_scope", "B", "未找到该组织代码，或该组织不在您的管理范围内"),
        ("into_itself", "A1G1", "不能把组织移到它自己或它的下级组织之下"),
        ("not_allowed", "A2", "党支部不能设在党支部之下"),
    ],
)
def test_move_with_bad_parent_shows_the_error_and_moves_nothing(client, tree, branch_sec_a, _case, code, message):
    before, before_snapshot = counts(), snapshot(tree["A1"])
    response = client.post(reverse("orgs:move", args=[tree["A1"].pk]), {"parent_code": code})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-field-error="parent_code"' in html and message in html
    assert counts() == before and snapshot(tree["A1"]) == before_snapshot


def test_dissolve_refuses_an_org_with_members_and_dissolves_an_empty_one(client, tree, member_factory, branch_sec_a):
    # given
    member_factory("A2")
    before, before_snapshot = counts(), snapshot(tree["A2"])
    # when
    refused = client.post(reverse("orgs:dissolve", args=[tree["A2"].pk]), {"on": "2025-01-02", "reason": "合并"})
    # then
    assert refused.status_code == 400
    assert "该组织还有党员，不能撤销" in refused.content.decode()
    assert counts() == before and snapshot(tree["A2"]) == before_snapshot
    # when: the empty party group
    done = client.post(reverse("orgs:dissolve", args=[tree["A1G1"].pk]), {"on": "2025-01-02", "reason": "合并"})
    group = Organization.objects.get(pk=tree["A1G1"].pk)
    assert done.status_code == 302
    assert (group.status, group.dissolved_on) == ("dissolved", dt.date(2025, 1, 2))
    assert AuditEntry.objects.order_by("-seq").first().action == "orgs.dissolve"


def test_change_pages_need_orgs_change_and_scope(client, tree, secretary_a):
    # a committee secretary holds no orgs.change at all → 403
    assert client.get(reverse("orgs:edit", args=[tree["A1"].pk])).status_code == 403


def test_change_pages_of_another_branch_are_not_found_and_change_nothing(client, tree, branch_sec_a):
    before, before_snapshot = counts(), snapshot(tree["B1"])
    assert client.get(reverse("orgs:edit", args=[tree["B1"].pk])).status_code == 404
    assert client.post(reverse("orgs:edit", args=[tree["B1"].pk]), _org_post(code="B1")).status_code == 404
    assert client.post(reverse("orgs:dissolve", args=[tree["B1"].pk]), {"on": "2025-01-01", "reason": "x"}
                       ).status_code == 404
    assert counts() == before and snapshot(tree["B1"]) == before_snapshot


# --- chart ------------------------------------------------------------------------------------------


def test_chart_page_points_at_the_data_of_the_actors_top_org(client, tree, secretary_a):
    html = client.get(reverse("orgs:chart")).content.decode()
    assert f'data-url="{reverse("orgs:chart_data")}"' in html
    assert f'data-root="{tree["A"].pk}"' in html
    assert "vendor/echarts/echarts.min.js" in html


def test_chart_data_is_the_subtree_to_the_requested_depth_with_lazy_nodes(client, tree, org_dept):
    # when
    response = client.get(reverse("orgs:chart_data"), {"root": tree["G"].pk, "levels": 2})
    # then
    data = json.loads(response.content)
    root = data["root"]

    def names(node):
        return [c["name"] for c in node["children"]]

    assert response.status_code == 200
    assert root["name"] == "集团党委" and root["typeLabel"] == "党委"
    assert names(root) == ["甲公司党委", "乙公司党委"]
    a1, a2 = root["children"][0]["children"]
    assert (a1["code"], a1.get("lazy"), a1["children"]) == ("A1", True, [])
    assert (a2["code"], a2.get("lazy")) == ("A2", None)
    assert data["truncated"] is False


def test_chart_data_of_another_branch_is_not_found(client, tree, secretary_a):
    assert client.get(reverse("orgs:chart_data"), {"root": tree["B"].pk}).status_code == 404
    assert client.get(reverse("orgs:chart_data"), {"root": "x"}).status_code == 404


def test_lookup_lists_codes_of_visible_orgs_and_groups_of_a_branch(client, tree, secretary_a):
    found = client.get(reverse("orgs:lookup"), {"q": "支部", "type": "branch"}).content.decode()
    assert 'value="A1"' in found and 'value="A2"' in found and 'value="B1"' not in found
    groups = client.get(reverse("orgs:lookup"), {"parent": "A1", "type": "group"}).content.decode()
    assert groups.strip().startswith('<option value="A1G1">')
    assert client.get(reverse("orgs:lookup"), {"parent": "B1"}).content.decode().strip() == ""


def test_pages_switch_to_english(client, tree, member_factory, secretary_a):
    # given: the language chosen with the navbar's switch (a cookie)
    _term(tree["A1"], days_left=-3)
    client.cookies["django_language"] = "en"
    # when
    tree_page = client.get(reverse("orgs:tree")).content.decode()
    detail = client.get(reverse("orgs:detail", args=[tree["A1"].pk])).content.decode()
    # then
    assert "Search by name or org code" in tree_page and "按名称或组织代码搜索" not in tree_page
    assert "Party committee" in tree_page
    assert "Ended 3 days ago: the election is overdue" in detail
    assert "Committee term" in detail and "委员会届次" not in detail


def test_tree_counts_members_of_top_orgs_at_different_depths(client, tree, member_factory, user_factory):
    # given: grants at a committee (depth 2) and at another company's branch (depth 3)
    from dangjian.accounts.services import resolve_role, role_grant

    user = user_factory("two_places", "committee_secretary", tree["A"])
    role_grant(actor=None, user=user, role=resolve_role("committee_secretary"), org=tree["B1"], scope="subtree")
    signin(client, user)
    member_factory("A1")
    member_factory("A2")
    member_factory("B1")
    # when
    html = client.get(reverse("orgs:tree")).content.decode()
    # then
    a = html[html.index('data-org-code="A"'): html.index('data-org-code="B1"')]
    b1 = html[html.index('data-org-code="B1"'):]
    assert '<i class="bi bi-people"></i> 2</span>' in a
    assert '<i class="bi bi-people"></i> 1</span>' in b1
