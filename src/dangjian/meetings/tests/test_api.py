"""The meetings REST API: JSON shapes, 422 at the field (rows dotted), check-in by a member, compliance,
elections and terms, query counts of the lists that do not grow with rows."""
import datetime as dt

import pytest
from django.utils import timezone

from dangjian.audit.models import AuditEntry
from dangjian.meetings.models import Attendance, Meeting
from dangjian.meetings.services import checkin_code_issue
from dangjian.meetings.tests.fixtures import shanghai
from dangjian.members.services import member_link_user

pytestmark = pytest.mark.django_db

# per request: session, user, OTP device, MFA check, grants; then the page (org, kind and group joined)
LIST_QUERIES = 5 + 1


@pytest.fixture
def worker(tree, user_factory, api_client):
    return api_client(user_factory("ganshi", "party_worker", tree["A1"], scope="org"))


def _errors(response):
    assert response.status_code == 422, response.content
    return [(e["code"], e["field"]) for e in response.json()["errors"]]


def _body(branch, **over):
    body = {"org": "A1", "kind": "theme_day", "topic": "主题党日", "held": True,
            "starts_at": "2024-03-15T14:00:00+08:00", "ends_at": "2024-03-15T16:00:00+08:00",
            "attendance": [{"member": branch.full[0].pk, "status": "present"},
                           {"member": branch.full[1].pk, "status": "leave", "reason": "出差"}]}
    body.update(over)
    return body


def test_create_held_meeting_returns_the_roll_call(branch, worker):
    # when
    response = worker.post("/meetings", _body(branch, agenda=["学习", "讨论"]))
    # then
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["meeting_date"], body["starts_at"], body["agenda"]) == (
        "held", "2024-03-15", "2024-03-15T14:00:00+08:00", ["学习", "讨论"])
    assert body["counts"] == {"present": 1, "leave": 1, "absent": 2}
    assert [(a["member"]["id"], a["status"], a["reason"]) for a in body["attendance"]] == [
        (branch.full[0].pk, "present", ""), (branch.full[1].pk, "leave", "出差"), (branch.full[2].pk, "absent", ""),
        (branch.probationary.pk, "absent", "")]


def test_naive_times_are_beijing_time(branch, worker):
    body = worker.post("/meetings", _body(branch, starts_at="2024-03-31T23:30:00", ends_at="2024-04-01T00:30:00",
                                          attendance=[])).json()
    assert (body["starts_at"], body["meeting_date"]) == ("2024-03-31T23:30:00+08:00", "2024-03-31")


@pytest.mark.parametrize(
    ("_case", "over", "errors"),
    [
        ("end_before_start", {"ends_at": "2024-03-15T13:00:00+08:00"}, [("meetings.end_before_start", "ends_at")]),
        ("future", {"starts_at": "2099-01-01T10:00:00+08:00", "ends_at": "2099-01-01T11:00:00+08:00"},
         [("meetings.held_in_future", "starts_at")]),
        ("ftp", {"online_url": "ftp://x.cn/a"}, [("meetings.url_invalid", "online_url")]),
        ("bad_status", {"attendance": [{"member": 1, "status": "late"}]}, [("validation.invalid_choice",
                                                                            "attendance.0.status")]),
        ("unknown_kind", {"kind": "party_congress"}, [("meetings.kind_unknown", "kind")]),
        ("unknown_group", {"kind": "group_meeting", "party_group": "X9"}, [("meetings.group_not_in_org",
                                                                           "party_group")]),
        ("extra_field", {"color": "red"}, [("validation.unknown_field", "color")]),
    ],
)
def test_bad_input_is_422_at_the_field_and_nothing_is_written(branch, worker, _case, over, errors):
    before = (Meeting.objects.count(), AuditEntry.objects.count())
    assert _errors(worker.post("/meetings", _body(branch, **over))) == errors
    assert (Meeting.objects.count(), AuditEntry.objects.count()) == before


def test_member_of_another_branch_is_refused_at_its_row(branch, worker):
    body = _body(branch, attendance=[{"member": branch.full[0].pk, "status": "present"},
                                     {"member": branch.other.pk, "status": "present"}])
    response = worker.post("/meetings", body)
    assert _errors(response) == [("meetings.attendance_not_on_roll", "attendance.1.member")]
    assert Meeting.objects.count() == 0


def test_record_then_detail(branch, worker, meeting_factory):
    meeting = meeting_factory("A1", "theme_day", shanghai(2024, 3, 5, 14))
    response = worker.post(f"/meetings/{meeting.pk}/record", {
        "attendance": [{"member": branch.full[2].pk, "status": "absent"}], "minutes": "记录"})
    assert response.status_code == 200
    detail = worker.get(f"/meetings/{meeting.pk}").json()
    assert (detail["status"], detail["minutes"], detail["counts"]) == ("held", "记录",
                                                                       {"present": 0, "leave": 0, "absent": 4})


def test_checkin_by_a_member_with_the_code(tree, branch, meeting_factory, user_factory, api_client):
    # given: a meeting running now with a code; a member with a login
    meeting = meeting_factory("A1", "theme_day", timezone.now() - dt.timedelta(minutes=10))
    checkin_code_issue(actor=None, meeting=meeting)
    meeting.refresh_from_db()
    user = user_factory("dangyuan")
    member_link_user(actor=None, member=branch.full[1], user=user)
    client = api_client(user)
    # when
    mine = client.get("/meetings/mine").json()
    wrong = client.post("/meetings/checkin", {"meeting": meeting.pk, "code": "x"})
    right = client.post("/meetings/checkin", {"meeting": meeting.pk, "code": meeting.checkin_code})
    # then
    assert mine["member"] == {"id": branch.full[1].pk, "name": branch.full[1].name}
    assert [(m["id"], m["checkin_open"], m["my_status"]) for m in mine["upcoming"]] == [(meeting.pk, True, None)]
    assert _errors(wrong) == [("meetings.checkin_code_wrong", "code")]
    assert right.status_code == 200
    assert (right.json()["status"], right.json()["member"]["id"]) == ("present", branch.full[1].pk)
    assert Attendance.objects.get(meeting=meeting, member=branch.full[1]).self_confirmed_at is not None


def test_compliance_json(tree, branch, worker, meeting_factory):
    meeting_factory("A1", "theme_day", shanghai(2024, 1, 10, 14), held=True)
    meeting_factory("A1", "theme_day", shanghai(2024, 2, 10, 14))
    body = worker.get("/meetings/compliance", org="A1", period="2024-Q1").json()
    assert body["period"] == {"label": "2024-Q1", "unit": "quarter", "start": "2024-01-01", "end": "2024-04-01"}
    theme = next(r for r in body["orgs"][0]["rules"] if r["kind"]["code"] == "theme_day")
    assert [(w["label"], w["held"], w["unrecorded"], w["status"]) for w in theme["windows"]] == [
        ("2024-01", 1, 0, "met"), ("2024-02", 0, 1, "unrecorded"), ("2024-03", 0, 0, "not_held")]
    assert (theme["status"], theme["held"], theme["required"]) == ("not_held", 1, 3)
    assert _errors(worker.get("/meetings/compliance", org="A1", period="2024-Q9")) == [
        ("meetings.period_invalid", "period")]


def test_election_and_terms_via_api(tree, branch, user_factory, api_client):
    client = api_client(user_factory("dept", "org_dept", tree["A"], scope="subtree"))
    a, b, c = branch.full
    response = client.post("/meetings/elections", {
        "org": "A1", "held_on": "2024-06-20", "attending": 3,
        "results": [{"member": a.pk, "votes": 3, "elected": True, "position": "secretary"},
                    {"member": branch.probationary.pk, "votes": 2, "elected": True}]})
    assert _errors(response) == [("meetings.election_candidate_not_voter", "results.1.member")]
    response = client.post("/meetings/elections", {
        "org": "A1", "held_on": "2024-06-20", "attending": 3,
        "results": [{"member": a.pk, "votes": 3, "elected": True, "position": "secretary"},
                    {"member": b.pk, "votes": 2, "elected": True}, {"member": c.pk, "votes": 1}]})
    assert response.status_code == 201
    election = response.json()
    assert (election["entitled"], election["term"]["number"], election["term"]["end_date"]) == (3, 1, "2027-06-20")
    assert [(r["member"]["id"], r["elected"], r["position"]) for r in election["results"]] == [
        (a.pk, True, "secretary"), (b.pk, True, "member"), (c.pk, False, "")]
    terms = client.get("/meetings/terms", org="A", children=True).json()
    assert [(t["org"]["code"], t["status"]) for t in terms] == [("A", None), ("A1", "current"), ("A2", None)]


def test_list_query_count_does_not_grow_with_rows(tree, branch, worker, meeting_factory, django_assert_num_queries):
    meeting_factory("A1")
    with django_assert_num_queries(LIST_QUERIES):
        small = worker.get("/meetings")
    for day in range(1, 12):
        meeting_factory("A1", "theme_day", shanghai(2024, 4, day, 9))
    with django_assert_num_queries(LIST_QUERIES):
        large = worker.get("/meetings")
    assert (len(small.json()["items"]), len(large.json()["items"])) == (1, 12)

