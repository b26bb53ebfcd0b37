"""The member-register API: search and keyset pages, masking and audited reveal, writes through
services, and bad input refused whole with the field named."""
import datetime as dt

import pytest

from dangjian.audit.models import AuditEntry
from dangjian.members.models import Member
from dangjian.members.services import member_link_user
from dangjian.orgs.services import org_create, unit_create
from tests.fixtures import audit_count, make_id_number

pytestmark = pytest.mark.django_db

# Per request (see orgs/tests/test_api.py): 8 for auth and the session; then the page (one query:
# members joined with their branch and group).
LIST_QUERIES = 5 + 1


@pytest.fixture
def admin(user_factory):
    return user_factory("admin", "sysadmin", None, scope="all")


@pytest.fixture
def worker(tree, user_factory):
    """党务工作者 with an "org" grant at branch A1 only: may change A1's members, may not reveal."""
    return user_factory("worker", "party_worker", tree["A1"], scope="org")


@pytest.fixture
def people(tree, member_factory):
    return {
        "a1": member_factory("A1", name="张伟"),
        "a2": member_factory("A2", name="李娜"),
        "b1": member_factory("B1", name="张敏", status="mobile"),
        "a1p": member_factory("A1", name="王芳", category="probationary", full_member_on=None),
    }


def _state():
    return (list(Member.objects.order_by("pk").values_list()), audit_count())


def _errors(response):
    assert response.status_code == 422, response.content
    return [(e["code"], e["field"]) for e in response.json()["errors"]]


def _body(org="A1", **overrides):
    birth = dt.date(1991, 4, 12)
    body = {
        "name": "赵强", "gender": "M", "birth_date": str(birth), "id_number": make_id_number(birth, 501, gender="M"),
        "phone": "13912345678", "joined_on": "2016-07-01", "full_member_on": "2017-07-01", "org": org,
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize(
    ("_case", "params", "names"),
    [
        ("everything", {}, ["张伟", "李娜", "张敏", "王芳"]),
        ("org_with_subtree", {"org": "A"}, ["张伟", "李娜", "王芳"]),
        ("org_without_subtree", {"org": "A", "subtree": "false"}, []),
        ("branch", {"org": "A1"}, ["张伟", "王芳"]),
        ("status", {"status": "mobile"}, ["张敏"]),
        ("category", {"category": "probationary"}, ["王芳"]),
        ("name_fragment", {"q": "张"}, ["张伟", "张敏"]),
        ("full_id_number", {"q": lambda p: p["a2"].id_number}, ["李娜"]),
        ("id_number_tail", {"q": lambda p: p["a2"].id_number[-4:]}, ["李娜"]),
        ("phone", {"q": lambda p: p["b1"].phone}, ["张敏"]),
        ("nothing_matches", {"q": "不存在"}, []),
    ],
)
def test_list_filters_and_search(people, admin, api_client, _case, params, names):
    # given
    params = {k: v(people) if callable(v) else v for k, v in params.items()}
    # when
    response = api_client(admin).get("/members", **params)
    # then
    assert response.status_code == 200
    assert [item["name"] for item in response.json()["items"]] == names


def test_list_masks_id_number_and_phone_even_for_a_revealer(people, admin, api_client):
    item = api_client(admin).get("/members", org="B1").json()["items"][0]
    m = people["b1"]
    assert item == {
        "id": m.pk, "name": "张敏", "gender": m.gender, "org": {"id": m.org_id, "code": "B1", "name": "乙一支部"},
        "party_group_code": None, "category": "full", "status": "mobile", "joined_on": "2005-07-01",
        "id_number": m.id_number[:4] + "*" * 10 + m.id_number[-4:], "phone": m.phone[:3] + "****" + m.phone[-4:],
    }


def test_list_keyset_pages(people, admin, api_client):
    client = api_client(admin)
    first = client.get("/members", limit=3).json()
    second = client.get("/members", limit=3, cursor=first["next_cursor"]).json()
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert ids == sorted(m.pk for m in people.values())
    assert second["next_cursor"] is None


def test_list_unknown_org_is_422(people, worker, api_client):
    assert _errors(api_client(worker).get("/members", org="NOPE")) == [("orgs.unknown_org", "org")]


def test_detail_is_masked_for_a_caller_who_may_not_reveal_and_nothing_is_audited(people, worker, api_client):
    # given
    client = api_client(worker)
    audits = AuditEntry.objects.count()
    m = people["a1"]
    # when
    body = client.get(f"/members/{m.pk}").json()
    # then
    assert (body["id_number"], body["phone"], body["revealed"]) == (
        m.id_number[:4] + "*" * 10 + m.id_number[-4:], m.phone[:3] + "****" + m.phone[-4:], False)
    assert (body["org"]["code"], body["birth_date"], body["has_account"]) == ("A1", str(m.birth_date), False)
    assert AuditEntry.objects.count() == audits


def test_detail_shows_plaintext_to_a_revealer_and_records_each_value_shown(people, admin, api_client):
    # given
    client = api_client(admin)
    audits = AuditEntry.objects.count()
    m = people["a2"]
    # when
    body = client.get(f"/members/{m.pk}").json()
    # then
    assert (body["id_number"], body["phone"], body["revealed"]) == (m.id_number, m.phone, True)
    entries = list(AuditEntry.objects.filter(seq__gt=audits).order_by("seq").values_list(
        "action", "actor_id", "target_id", "after", "reason"))
    assert entries == [
        ("members.reveal", admin.pk, str(m.pk), {"field": "id_number"}, "api: members_get"),
        ("members.reveal", admin.pk, str(m.pk), {"field": "phone"}, "api: members_get"),
    ]


def test_a_member_sees_their_own_record_in_full_without_an_audit_entry(people, user_factory, api_client):
    # given
    m = people["b1"]
    me = user_factory("me", "member", m.org, scope="self")
    member_link_user(actor=None, member=m, user=me)
    client = api_client(me)
    audits = AuditEntry.objects.count()
    # when
    body = client.get(f"/members/{m.pk}").json()
    others = client.get("/members").json()["items"]
    # then
    assert (body["id_number"], body["revealed"], body["has_account"]) == (m.id_number, True, True)
    assert [item["id"] for item in others] == [m.pk]
    assert AuditEntry.objects.count() == audits


def test_reveal_returns_the_plaintext_and_records_who_saw_it_and_why(people, tree, user_factory, api_client):
    # given
    secretary = user_factory("sec", "committee_secretary", tree["A"])
    client = api_client(secretary)
    audits = AuditEntry.objects.count()
    m = people["a1"]
    # when
    response = client.post(f"/members/{m.pk}/reveal", {"field": "phone", "reason": "联系转接组织关系"})
    # then
    assert response.json() == {"field": "phone", "value": m.phone}
    entry = AuditEntry.objects.get(seq=audits + 1)
    assert (entry.action, entry.actor_id, entry.target_id, entry.after, entry.reason, entry.org_path) == (
        "members.reveal", secretary.pk, str(m.pk), {"field": "phone"}, "联系转接组织关系", m.org.path)
    assert AuditEntry.objects.count() == audits + 1


def test_reveal_of_an_unknown_field_is_422(people, admin, api_client):
    client = api_client(admin)
    audits = AuditEntry.objects.count()
    assert _errors(client.post(f"/members/{people['a1'].pk}/reveal", {"field": "birth_date"})) == [
        ("validation.invalid_choice", "field")]
    assert AuditEntry.objects.count() == audits


def test_create_registers_the_member_through_the_service(tree, worker, api_client):
    # given: the worker's grant is the branch only, yet its party groups are reachable through it
    unit_create(actor=None, parent=None, name="甲公司", code="U-A", unit_type="company")
    client = api_client(worker)
    audits = AuditEntry.objects.count()
    body = _body(party_group="A1G1", unit="U-A", education="bachelor", reason="新转入")
    # when
    response = client.post("/members", body)
    # then
    assert response.status_code == 201, response.content
    member = Member.objects.get()
    data = response.json()
    assert data["id"] == member.pk
    assert (data["org"]["code"], data["party_group"]["code"], data["unit"]["code"], data["education"]) == (
        "A1", "A1G1", "U-A", "bachelor")
    assert (data["id_number"], data["phone"], data["revealed"]) == (
        body["id_number"][:4] + "*" * 10 + body["id_number"][-4:], "139****5678", False)
    assert (member.id_number, member.phone, member.party_group.code) == (body["id_number"], "13912345678", "A1G1")
    entry = AuditEntry.objects.get(seq=audits + 1)
    assert (entry.action, entry.actor_id, entry.reason, entry.after["phone"]) == (
        "members.create", worker.pk, "新转入", "139****5678")
    assert AuditEntry.objects.count() == audits + 1


@pytest.mark.parametrize(
    ("_case", "overrides", "errors"),
    [
        ("invalid_id_number", {"id_number": "110101199104120000"}, [("id_number.checksum", "id_number")]),
        ("id_number_too_short", {"id_number": "11010119910412"}, [("id_number.length", "id_number")]),
        ("birth_date_contradicts_id", {"birth_date": "1991-04-13"}, [("members.birth_date_mismatch", "birth_date")]),
        ("gender_contradicts_id", {"gender": "F"}, [("members.gender_mismatch", "gender")]),
        ("duplicate_id_number", {"id_number": "@existing"}, [("members.id_number_duplicate", "id_number")]),
        ("group_of_another_branch", {"org": "A2", "party_group": "A1G1"}, [("members.group_not_in_branch", "party_group")]),
        ("group_out_of_scope", {"party_group": "B1G1"}, [("orgs.unknown_org", "party_group")]),
        ("unknown_org_code", {"org": "NOPE"}, [("orgs.unknown_org", "org")]),
        ("org_out_of_scope", {"org": "B1"}, [("orgs.unknown_org", "org")]),
        ("org_is_not_a_branch", {"org": "A"}, [("members.org_not_branch", "org")]),
        ("unknown_unit_and_org", {"org": "NOPE", "unit": "NOPE"}, [("orgs.unknown_org", "org"),
                                                                   ("orgs.unknown_unit", "unit")]),
        ("phone", {"phone": "12345"}, [("members.phone_invalid", "phone")]),
        ("impossible_date", {"birth_date": "1991-02-30"}, [("validation.invalid_date", "birth_date")]),
        ("gender_choice", {"gender": "X"}, [("validation.invalid_choice", "gender")]),
        ("missing_name", {"name": "@drop"}, [("validation.required", "name")]),
        ("unknown_field", {"id_number_bidx": "x"}, [("validation.unknown_field", "id_number_bidx")]),
    ],
)
def test_create_bad_input_is_422_naming_the_field_and_writes_nothing(
    tree, people, user_factory, api_client, _case, overrides, errors
):
    # given: a worker of committee A's whole subtree
    org_create(actor=None, parent=tree["B1"], name="乙一第一党小组", code="B1G1", org_type="group")
    client = api_client(user_factory("a_worker", "party_worker", tree["A"]))
    body = _body(**overrides)
    if overrides.get("id_number") == "@existing":
        body.update(id_number=people["a1"].id_number, birth_date=str(people["a1"].birth_date),
                    gender=people["a1"].gender)
    if overrides.get("name") == "@drop":
        del body["name"]
    before = _state()
    # when
    response = client.post("/members", body)
    # then
    assert _errors(response) == errors
    assert _state() == before


def test_update_changes_only_the_sent_fields_and_audits_masked_values(people, worker, api_client):
    # given
    client = api_client(worker)
    m = people["a1"]
    audits = AuditEntry.objects.count()
    # when
    response = client.patch(f"/members/{m.pk}", {"phone": "13700001111", "party_group": "A1G1"})
    # then
    assert response.status_code == 200, response.content
    assert (response.json()["phone"], response.json()["party_group"]["code"]) == ("137****1111", "A1G1")
    m.refresh_from_db()
    assert (m.phone, m.party_group.code, m.name) == ("13700001111", "A1G1", "张伟")
    entry = AuditEntry.objects.get(seq=audits + 1)
    assert (entry.action, entry.before["phone"], entry.after["phone"]) == ("members.update", "138****0001", "137****1111")
    # and null clears a nullable reference
    assert client.patch(f"/members/{m.pk}", {"party_group": None}).json()["party_group"] is None


@pytest.mark.parametrize(
    ("_case", "body", "errors"),
    [
        ("explicit_null", {"name": None}, [("validation.invalid_type", "name")]),
        ("move_out_of_scope", {"org": "B1"}, [("orgs.unknown_org", "org")]),
        ("probationary_with_full_date", {"category": "probationary"}, [("members.full_date_required", "full_member_on")]),
        ("duplicate_id", {"id_number": "@a2"}, [("members.id_number_duplicate", "id_number")]),
    ],
)
def test_update_bad_input_is_422_and_writes_nothing(people, worker, api_client, _case, body, errors):
    client = api_client(worker)
    m = people["a1"]
    if body.get("id_number") == "@a2":
        other = people["a2"]
        body = {"id_number": other.id_number, "birth_date": str(other.birth_date), "gender": other.gender}
    before = _state()
    assert _errors(client.patch(f"/members/{m.pk}", body)) == errors
    assert _state() == before


def test_list_query_count_does_not_grow_with_rows(tree, member_factory, user_factory, api_client,
                                                  django_assert_num_queries):
    # given
    client = api_client(user_factory("reader", "party_worker", tree["G"]))
    for _ in range(2):
        member_factory("A1", party_group=tree["A1G1"])
    # when / then
    with django_assert_num_queries(LIST_QUERIES):
        small = client.get("/members")
    for code in ("A1", "A2", "B1") * 7:
        member_factory(code)
    with django_assert_num_queries(LIST_QUERIES):
        large = client.get("/members")
    assert (len(small.json()["items"]), len(large.json()["items"])) == (2, 23)
