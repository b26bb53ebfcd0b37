"""Member pages: the register list (filters, search, keyset pages), a member's page with masked and
audited-revealed ID/phone, and the create / edit forms with per-field errors."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.audit.models import AuditEntry
from dangjian.members.models import Member
from tests.fixtures import audit_count, make_id_number, probe_count, signin

pytestmark = pytest.mark.django_db




def counts():
    return Member.objects.count(), audit_count()


def table_names(html):
    """Names in the desktop table, in order."""
    table = html[html.index("data-member-table"): html.index("</table>")]
    return re.findall(r'<td><a href="/members/\d+/">([^<]+)</a></td>', table)


@pytest.fixture
def worker_a1(client, tree, user_factory):
    """党务工作者 at branch A1, scope "org": members.view/change there only, no reveal."""
    return signin(client, user_factory("pw_a1", "party_worker", tree["A1"], scope="org"))


@pytest.fixture
def secretary_a(client, tree, user_factory):
    """党委书记 of 甲公司: members.view and members.reveal over A's subtree."""
    return signin(client, user_factory("sec_a", "committee_secretary", tree["A"]))


# --- list -------------------------------------------------------------------------------------------


def test_list_shows_members_in_scope_with_masked_id_as_table_and_cards(client, tree, member_factory, secretary_a):
    # given
    zhang = member_factory("A1", name="张三")
    member_factory("A2", name="李四")
    member_factory("B1", name="王五")
    # when
    response = client.get(reverse("members:list"))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert table_names(html) == ["张三", "李四"]
    cards = html[html.index("data-member-cards"):]
    assert "张三" in cards and "李四" in cards
    assert "王五" not in html
    assert zhang.id_number_masked in html and zhang.id_number not in html


@pytest.mark.parametrize(
    ("_case", "params", "expected"),
    [
        ("org_with_subtree_default", {"org": "A"}, ["甲一", "甲一预备", "甲二"]),
        ("org_without_subtree", {"org": "A", "f": "1"}, []),
        ("branch_only", {"org": "A1", "f": "1"}, ["甲一", "甲一预备"]),
        ("status", {"status": "mobile"}, ["甲二"]),
        ("category", {"category": "probationary"}, ["甲一预备"]),
        ("name_fragment", {"q": "预备"}, ["甲一预备"]),
    ],
)
def test_list_filters(client, tree, member_factory, secretary_a, _case, params, expected):
    # given
    member_factory("A1", name="甲一")
    member_factory("A1", name="甲一预备", category="probationary", full_member_on=None)
    member_factory("A2", name="甲二", status="mobile")
    # when
    html = client.get(reverse("members:list"), params).content.decode()
    # then
    assert (table_names(html) if "data-member-table" in html else []) == expected


def test_search_by_full_id_last_four_and_phone(client, tree, member_factory, secretary_a):
    # given
    target = member_factory("A1", name="目标")
    member_factory("A1", name="其他")
    # when / then
    for q in (target.id_number, target.id_number[-4:], target.phone):
        html = client.get(reverse("members:list"), {"q": q}).content.decode()
        assert table_names(html) == ["目标"], q


def test_unknown_or_out_of_scope_org_code_is_a_field_error_and_lists_nothing(client, tree, member_factory,
                                                                              secretary_a):
    member_factory("A1")
    for code in ("NOPE", "B1"):
        html = client.get(reverse("members:list"), {"org": code, "f": "1"}).content.decode()
        assert 'data-field-error="org"' in html
        assert "data-member-table" not in html and "data-empty" in html


def test_keyset_pages_forward_and_back(client, tree, member_factory, secretary_a):
    # given: 30 members, 25 a page
    made = [member_factory("A1", name=f"成员{n:02d}") for n in range(30)]
    # when
    first = client.get(reverse("members:list")).content.decode()
    next_url = re.search(r'href="(\?[^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = client.get(reverse("members:list") + next_url).content.decode()
    prev_url = re.search(r'href="(\?[^"]+)" rel="prev"', second).group(1).replace("&amp;", "&")
    back = client.get(reverse("members:list") + prev_url).content.decode()
    # then
    assert table_names(first) == [m.name for m in made[:25]]
    assert table_names(second) == [m.name for m in made[25:]]
    assert 'rel="next"' not in second
    assert table_names(back) == table_names(first)


def test_list_query_count_does_not_grow_with_rows(client, tree, member_factory, secretary_a,
                                                  django_assert_num_queries):
    # given
    for _ in range(3):
        member_factory("A1")
    url = reverse("members:list")
    client.get(url, {"org": "A"})
    with CaptureQueriesContext(connection) as small:
        client.get(url, {"org": "A"})
    # when
    for _ in range(20):
        member_factory("A2")
    # then
    with django_assert_num_queries(len(small)):
        html = client.get(url, {"org": "A"}).content.decode()
    assert len(table_names(html)) == 23


def test_list_needs_members_view(client, tree, user_factory):
    signin(client, user_factory("auditor_a", "auditor", tree["A"]))
    before = AuditEntry.objects.count()
    assert client.get(reverse("members:list")).status_code == 403
    assert list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))[before:] == [
        "accounts.access_denied"]


# --- detail and reveal -----------------------------------------------------------------------------


def test_detail_masks_id_and_phone_and_offers_reveal_to_a_permitted_user(client, tree, member_factory, secretary_a):
    member = member_factory("A1", name="张三", job_title="技术员")
    html = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert f'data-masked="id_number">{member.id_number_masked}<' in html
    assert f'data-masked="phone">{member.phone_masked}<' in html
    assert member.id_number not in html and member.phone not in html
    assert 'data-reveal="id_number"' in html and 'data-reveal="phone"' in html
    assert "技术员" in html and "甲一支部" in html


def test_reveal_over_htmx_shows_the_value_and_records_who_saw_it(client, tree, member_factory, secretary_a):
    # given
    member = member_factory("A1")
    before = AuditEntry.objects.count()
    # when
    response = client.post(reverse("members:reveal", args=[member.pk]), {"field": "id_number"},
                           HTTP_HX_REQUEST="true")
    # then
    assert response.status_code == 200
    assert f'data-revealed="id_number">{member.id_number}<' in response.content.decode()
    entries = list(AuditEntry.objects.order_by("seq")[before:])
    assert [(e.action, e.actor_id, e.target_id, e.after) for e in entries] == [
        ("members.reveal", secretary_a.pk, str(member.pk), {"field": "id_number"})]
    assert member.id_number not in str(entries[0].after) + str(entries[0].before)


def test_reveal_is_refused_without_members_reveal(client, tree, member_factory, worker_a1):
    # given
    member = member_factory("A1")
    page = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    before = AuditEntry.objects.count()
    # when
    response = client.post(reverse("members:reveal", args=[member.pk]), {"field": "phone"})
    # then
    assert "data-reveal=" not in page
    assert response.status_code == 403
    assert member.phone not in response.content.decode()
    assert list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))[before:] == [
        "accounts.access_denied"]


def test_reveal_of_another_branch_is_not_found_and_not_recorded(client, tree, member_factory, secretary_a):
    member = member_factory("B1")
    before, probes = audit_count(), probe_count()
    assert client.post(reverse("members:reveal", args=[member.pk]), {"field": "id_number"}).status_code == 404
    assert (audit_count(), probe_count()) == (before, probes + 1)  # nothing revealed; the reach is traced


def test_a_member_sees_and_may_reveal_their_own_record_without_any_grant(client, tree, member_factory, user_factory):
    # given
    from dangjian.members.services import member_link_user

    me = member_factory("B1", name="本人")
    other = member_factory("B1", name="别人")
    user = user_factory("plain")
    member_link_user(actor=None, member=me, user=user)
    signin(client, user)
    # when
    own = client.get(reverse("members:detail", args=[me.pk]))
    revealed = client.post(reverse("members:reveal", args=[me.pk]), {"field": "phone"}, HTTP_HX_REQUEST="true")
    # then
    assert own.status_code == 200 and 'data-reveal="phone"' in own.content.decode()
    assert me.phone in revealed.content.decode()
    assert client.get(reverse("members:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("members:list")).status_code == 403


# --- create / edit ----------------------------------------------------------------------------------

BIRTH = dt.date(1990, 5, 17)
ID_NUMBER = make_id_number(BIRTH, 11, gender="M")


def _post(**over):
    data = {
        "name": "赵六", "gender": "M", "ethnicity": "汉族", "birth_date": BIRTH.isoformat(), "id_number": ID_NUMBER,
        "phone": "13900001111", "category": "full", "joined_on": "2015-07-01", "full_member_on": "2016-07-01",
        "org_code": "A1", "party_group_code": "A1G1", "unit_code": "", "reason": "",
    }
    data.update(over)
    return data


def test_create_registers_the_member_and_audits_masked(client, tree, worker_a1):
    # when
    response = client.post(reverse("members:create"), _post())
    # then
    member = Member.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("members:detail", args=[member.pk])
    assert (member.name, member.id_number, member.org_id, member.party_group_id) == (
        "赵六", ID_NUMBER, tree["A1"].pk, tree["A1G1"].pk)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.actor_id, entry.after["id_number"]) == (
        "members.create", worker_a1.pk, member.id_number_masked)


@pytest.fixture
def other_group(tree):
    from dangjian.orgs.services import org_create

    return org_create(actor=None, parent=tree["A2"], name="甲二第一党小组", code="A2G1", org_type="group")


@pytest.mark.parametrize(
    ("_case", "over", "field", "message"),
    [
        ("invalid_id_number", {"id_number": ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")}, "id_number",
         "校验"),
        ("birth_date_contradicts_id", {"birth_date": "1990-05-18"}, "birth_date", "出生日期与身份证号码不符"),
        ("duplicate_id_number", {}, "id_number", "该身份证号码已登记在党员名册中"),
        ("group_of_another_branch", {"party_group_code": "A2G1"}, "party_group_code", "不属于党支部"),
        ("unknown_org_code", {"org_code": "NOPE"}, "org_code", "未找到该组织代码"),
        ("org_out_of_scope", {"org_code": "B1"}, "org_code", "未找到该组织代码"),
        ("unknown_group_code", {"party_group_code": "NOPE"}, "party_group_code", "未找到该党小组代码"),
        ("bad_date", {"joined_on": "2015-02-30"}, "joined_on", "输入一个有效的日期"),
    ],
)
def test_create_with_bad_input_shows_the_error_at_the_field_and_writes_nothing(
    client, tree, member_factory, user_factory, other_group, _case, over, field, message
):
    # given: the worker may change both branches of 甲 (so a group of the other branch is reachable)
    signin(client, user_factory("pw_a", "party_worker", tree["A"]))
    if _case == "duplicate_id_number":
        member_factory("A2", id_number=ID_NUMBER, birth_date=BIRTH, gender="M")
    before = counts()
    # when
    response = client.post(reverse("members:create"), _post(**over))
    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert f'data-field-error="{field}"' in html, html[html.find("invalid-feedback") - 200:][:600]
    error = html[html.index(f'data-field-error="{field}"'):]
    assert message in error[: error.index("</div>")]
    assert counts() == before


def test_edit_keeps_a_blank_id_number_and_changes_the_rest(client, tree, member_factory, worker_a1):
    # given
    member = member_factory("A1", name="钱七")
    original_id = member.id_number
    url = reverse("members:edit", args=[member.pk])
    form = client.get(url).content.decode()
    data = _post(name="钱七", id_number="", phone="13700002222", birth_date=member.birth_date.isoformat(),
                 gender=member.gender, party_group_code="", status="normal")
    # when
    response = client.post(url, data)
    # then
    member.refresh_from_db()
    assert member.id_number_masked in form and original_id not in form
    assert response.status_code == 302
    assert (member.id_number, member.phone, member.party_group_id) == (original_id, "13700002222", None)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.after["phone"]) == ("members.update", "137****2222")


def test_edit_of_another_branch_is_not_found_and_changes_nothing(client, tree, member_factory, worker_a1):
    member = member_factory("A2", name="孙八")
    before = counts()
    url = reverse("members:edit", args=[member.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _post(name="改名", org_code="A1")).status_code == 404
    member.refresh_from_db()
    assert member.name == "孙八" and counts() == before


def test_member_page_in_english(client, tree, member_factory, secretary_a):
    member = member_factory("A1")
    client.cookies["django_language"] = "en"
    html = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert "ID number" in html and "Full member" in html and ">Show<" not in html
    assert 'data-reveal="id_number"' in html and "</i> Show</button>" in html
    assert "公民身份号码" not in html
