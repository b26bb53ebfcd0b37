"""The organisation API: filters and keyset pages, detail with term, writes through services, 422s."""
import datetime as dt

import pytest
from django.utils import timezone

from dangjian.audit.models import AuditEntry
from dangjian.orgs.models import Organization
from dangjian.orgs.services import org_create, org_dissolve, term_create

pytestmark = pytest.mark.django_db

# Per request: session, user, second-factor device, MFA policy, grants (5); the idle-timeout stamp
# saved to the session (3: savepoint, update, release); then the handler's own queries.
REQUEST_QUERIES = 5  # session, user, MFA device, grants, role check
LIST_QUERIES = REQUEST_QUERIES + 2  # the page, its parents' codes
TERMS_QUERIES = REQUEST_QUERIES + 2  # the org, its terms


@pytest.fixture
def admin(user_factory):
    return user_factory("admin", "sysadmin", None, scope="all")


@pytest.fixture
def admin_client(admin, api_client):
    return api_client(admin)


def _state():
    return (list(Organization.objects.order_by("pk").values_list()), AuditEntry.objects.count())


def _errors(response):
    assert response.status_code == 422, response.content
    return [(e["code"], e["field"]) for e in response.json()["errors"]]


@pytest.mark.parametrize(
    ("_case", "params", "codes"),
    [
        ("everything", {}, ["G", "A", "B", "A1", "A2", "B1", "A1G1"]),
        ("children_by_code", {"parent": "A"}, ["A1", "A2"]),
        ("children_by_id", {"parent": "@A"}, ["A1", "A2"]),
        ("subtree_by_code", {"subtree": "A"}, ["A", "A1", "A2", "A1G1"]),
        ("subtree_by_id", {"subtree": "@A1"}, ["A1", "A1G1"]),
        ("type", {"type": "branch"}, ["A1", "A2", "B1"]),
        ("name_fragment", {"q": "乙"}, ["B", "B1"]),
        ("exact_code", {"q": "a1g1"}, ["A1G1"]),
        ("dissolved", {"status": "dissolved"}, ["A2"]),
        ("combined", {"subtree": "A", "type": "branch", "status": "active"}, ["A1"]),
    ],
)
def test_list_filters(tree, admin_client, _case, params, codes):
    # given
    org_dissolve(actor=None, org=tree["A2"], on=dt.date(2025, 1, 1))
    params = {k: str(tree[v[1:]].pk) if v.startswith("@") else v for k, v in params.items()}
    # when
    response = admin_client.get("/orgs", **params)
    # then
    assert response.status_code == 200
    assert [item["code"] for item in response.json()["items"]] == codes


def test_list_item_fields(tree, admin_client):
    response = admin_client.get("/orgs", q="A1")
    assert response.json() == {
        "items": [{"id": tree["A1"].pk, "code": "A1", "name": "甲一支部", "short_name": "", "org_type": "branch",
                   "is_joint": False, "status": "active", "depth": 3, "parent_code": "A", "child_count": 1}],
        "next_cursor": None,
    }


def test_list_keyset_pages_walk_every_row_once(tree, admin_client):
    # given
    seen, cursor, pages = [], None, 0
    # when
    while True:
        body = admin_client.get("/orgs", limit=3, cursor=cursor).json()
        seen += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    # then
    assert pages == 3
    assert seen == sorted(o.pk for o in tree.values())


@pytest.mark.parametrize(
    ("_case", "params", "errors"),
    [
        ("unknown_parent", {"parent": "NOPE"}, [("orgs.unknown_org", "parent")]),
        ("unknown_subtree_id", {"subtree": "999999"}, [("orgs.unknown_org", "subtree")]),
        ("bad_type", {"type": "club"}, [("validation.invalid_choice", "type")]),
        ("limit_too_big", {"limit": "1000"}, [("validation.too_large", "limit")]),
        ("bad_cursor", {"cursor": "%%%"}, [("validation.invalid_cursor", "cursor")]),
    ],
)
def test_list_bad_filters_are_422_naming_the_parameter(tree, admin_client, _case, params, errors):
    assert _errors(admin_client.get("/orgs", **params)) == errors


def test_detail_has_parent_child_count_and_current_term_with_days_left(tree, admin_client):
    # given
    term_create(actor=None, org=tree["A1"], start_date=dt.date(2020, 1, 1))
    term = term_create(actor=None, org=tree["A1"], start_date=dt.date(2023, 3, 1))
    # when
    body = admin_client.get(f"/orgs/{tree['A1'].pk}").json()
    # then
    assert body["parent"] == {"id": tree["A"].pk, "code": "A", "name": "甲公司党委"}
    assert (body["parent_code"], body["child_count"], body["depth"]) == ("A", 1, 3)
    assert body["current_term"] == {
        "number": 2, "start_date": "2023-03-01", "term_years": 3, "end_date": "2026-03-01", "is_current": True,
        "days_left": (term.end_date - timezone.localdate()).days,
    }


def test_detail_of_a_root_has_no_parent_and_no_term(tree, admin_client):
    body = admin_client.get(f"/orgs/{tree['G'].pk}").json()
    assert (body["parent"], body["parent_code"], body["current_term"], body["child_count"]) == (None, None, None, 2)


def test_terms_newest_first(tree, admin_client):
    term_create(actor=None, org=tree["A1"], start_date=dt.date(2020, 1, 1))
    term_create(actor=None, org=tree["A1"], start_date=dt.date(2023, 3, 1))
    body = admin_client.get(f"/orgs/{tree['A1'].pk}/terms").json()
    assert [(t["number"], t["is_current"], t["end_date"]) for t in body["items"]] == [
        (2, True, "2026-03-01"), (1, False, "2023-01-01"),
    ]


def test_create_goes_through_the_service_and_is_audited(tree, admin, admin_client):
    # given
    audits = AuditEntry.objects.count()
    # when
    response = admin_client.post("/orgs", {"parent": "A1", "name": "甲一第二党小组", "code": "A1G2",
                                           "org_type": "group", "reason": "支部调整"})
    # then
    assert response.status_code == 201
    org = Organization.objects.get(code="A1G2")
    assert response.json()["id"] == org.pk
    assert (response.json()["parent_code"], org.get_parent().code, org.depth) == ("A1", "A1", 4)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == audits + 1
    assert (entry.action, entry.actor_id, entry.target_id, entry.reason, entry.channel) == (
        "orgs.create", admin.pk, str(org.pk), "支部调整", "api")


@pytest.mark.parametrize(
    ("_case", "body", "errors"),
    [
        ("group_under_committee", {"parent": "A", "org_type": "group"}, [("orgs.parent_not_allowed", "parent")]),
        ("committee_under_branch", {"parent": "A1", "org_type": "committee"}, [("orgs.parent_not_allowed", "parent")]),
        ("group_as_root", {"parent": None, "org_type": "group"}, [("orgs.root_not_allowed", "parent")]),
        ("unknown_parent", {"parent": "NOPE", "org_type": "branch"}, [("orgs.unknown_org", "parent")]),
        ("duplicate_code", {"parent": "A", "org_type": "branch", "code": "B1"}, [("orgs.code_taken", "code")]),
        ("empty_name", {"parent": "A", "org_type": "branch", "name": ""}, [("validation.too_short", "name")]),
        ("null_name", {"parent": "A", "org_type": "branch", "name": None}, [("validation.invalid_type", "name")]),
        ("unknown_field", {"parent": "A", "org_type": "branch", "path": "0001"}, [("validation.unknown_field", "path")]),
        ("latitude", {"parent": "A", "org_type": "branch", "latitude": "91"}, [("validation.too_large", "latitude")]),
        ("missing_type", {"parent": "A", "org_type": None}, [("validation.invalid_choice", "org_type")]),
    ],
)
def test_create_bad_input_is_422_naming_the_field_and_writes_nothing(tree, admin_client, _case, body, errors):
    # given
    payload = {"name": "新组织", "code": "NEW1", **body}
    before = _state()
    # when
    response = admin_client.post("/orgs", payload)
    # then
    assert _errors(response) == errors
    assert _state() == before


def test_update_changes_only_the_sent_fields_and_records_before_and_after(tree, admin_client):
    # given
    audits = AuditEntry.objects.count()
    # when
    response = admin_client.patch(f"/orgs/{tree['A1'].pk}", {"short_name": "甲一", "region": "北京"})
    # then
    assert response.status_code == 200
    org = Organization.objects.get(pk=tree["A1"].pk)
    assert (org.name, org.short_name, org.region) == ("甲一支部", "甲一", "北京")
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == audits + 1
    assert (entry.action, entry.before["short_name"], entry.after["short_name"]) == ("orgs.update", "", "甲一")


def test_update_without_change_writes_no_audit_entry(tree, admin_client):
    audits = AuditEntry.objects.count()
    response = admin_client.patch(f"/orgs/{tree['A1'].pk}", {"name": "甲一支部"})
    assert response.status_code == 200
    assert AuditEntry.objects.count() == audits


@pytest.mark.parametrize(
    ("_case", "body", "errors"),
    [
        ("type_conflicts_with_child_group", {"org_type": "committee"}, [("orgs.child_type_conflict", "org_type")]),
        ("code_taken", {"code": "B1"}, [("orgs.code_taken", "code")]),
        ("explicit_null", {"name": None}, [("validation.invalid_type", "name")]),
        ("parent_is_not_patchable", {"parent": "B"}, [("validation.unknown_field", "parent")]),
    ],
)
def test_update_bad_input_is_422_and_writes_nothing(tree, admin_client, _case, body, errors):
    before = _state()
    assert _errors(admin_client.patch(f"/orgs/{tree['A1'].pk}", body)) == errors
    assert _state() == before


def test_move_carries_the_subtree_and_is_audited(tree, admin_client):
    # given
    audits = AuditEntry.objects.count()
    # when
    response = admin_client.post(f"/orgs/{tree['A1'].pk}/move", {"parent": "B", "reason": "划转"})
    # then
    assert response.status_code == 200
    a1, g1 = Organization.objects.get(code="A1"), Organization.objects.get(code="A1G1")
    assert (response.json()["parent_code"], a1.get_parent().code, g1.get_parent().code) == ("B", "B", "A1")
    assert g1.path.startswith(a1.path)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == audits + 1
    assert (entry.action, entry.before["parent"], entry.after["parent"], entry.reason) == ("orgs.move", "A", "B", "划转")


@pytest.mark.parametrize(
    ("_case", "code", "parent", "errors"),
    [
        ("into_itself", "A", "A1", [("orgs.move_into_itself", "parent")]),
        ("group_under_committee", "A1G1", "B", [("orgs.parent_not_allowed", "parent")]),
        ("unknown_parent", "A1", "NOPE", [("orgs.unknown_org", "parent")]),
        ("missing_parent", "A1", None, [("validation.invalid_type", "parent")]),
    ],
)
def test_move_to_an_illegal_place_is_422_and_writes_nothing(tree, admin_client, _case, code, parent, errors):
    before = _state()
    assert _errors(admin_client.post(f"/orgs/{tree[code].pk}/move", {"parent": parent})) == errors
    assert _state() == before


def test_list_query_count_does_not_grow_with_rows(tree, user_factory, api_client, django_assert_num_queries):
    # given: a worker without MFA, reading the whole tree
    client = api_client(user_factory("reader", "branch_secretary", tree["G"]))
    # when / then
    with django_assert_num_queries(LIST_QUERIES):
        small = client.get("/orgs")
    for n in range(20):
        org_create(actor=None, parent=tree["B"], name=f"乙{n}支部", code=f"BX{n}", org_type="branch")
    with django_assert_num_queries(LIST_QUERIES):
        large = client.get("/orgs")
    assert (len(small.json()["items"]), len(large.json()["items"])) == (7, 27)


def test_terms_query_count_does_not_grow_with_rows(tree, user_factory, api_client, django_assert_num_queries):
    client = api_client(user_factory("reader", "branch_secretary", tree["G"]))
    term_create(actor=None, org=tree["A1"], start_date=dt.date(2010, 1, 1))
    with django_assert_num_queries(TERMS_QUERIES):
        small = client.get(f"/orgs/{tree['A1'].pk}/terms")
    for year in range(2013, 2025, 3):
        term_create(actor=None, org=tree["A1"], start_date=dt.date(year, 1, 1))
    with django_assert_num_queries(TERMS_QUERIES):
        large = client.get(f"/orgs/{tree['A1'].pk}/terms")
    assert (len(small.json()["items"]), len(large.json()["items"])) == (1, 5)
