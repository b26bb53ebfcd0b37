"""Recurring series: dates on a fixed day (clamped to short months), the next N generated idempotently."""
import datetime as dt

import pytest

from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError
from dangjian.meetings.models import Meeting, MeetingSeries
from dangjian.meetings.services import series_create, series_generate
from dangjian.meetings.services.series import series_dates

pytestmark = pytest.mark.django_db


@pytest.fixture
def monthly(tree, kinds):
    """主题党日 on the 31st of every month at 14:30 for 2 hours, from 2024-01-01."""
    return series_create(actor=None, org=tree["A1"], kind=kinds["theme_day"], topic="主题党日", day_of_month=31,
                         start_time=dt.time(14, 30), starts_on=dt.date(2024, 1, 1), duration_minutes=120,
                         place="党员活动室")


def test_series_is_created_and_audited(monthly, tree):
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.target_id, entry.after["day_of_month"], entry.after["interval_months"]) == (
        "meetings.series_create", str(monthly.pk), 31, 1)


def test_dates_are_clamped_to_short_months(monthly):
    assert series_dates(monthly, after=dt.date(2024, 1, 31), count=4) == [
        dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2024, 3, 31), dt.date(2024, 4, 30)]
    assert series_dates(monthly, after=dt.date(2024, 2, 1), count=1) == [dt.date(2024, 2, 29)]


def test_generate_next_three_then_again_creates_nothing(monthly, tree):
    # when
    first = series_generate(actor=None, series=monthly, count=3, today=dt.date(2024, 2, 10))
    audits = AuditEntry.objects.count()
    second = series_generate(actor=None, series=monthly, count=3, today=dt.date(2024, 2, 10))
    # then
    assert [m.meeting_date for m in first] == [dt.date(2024, 2, 29), dt.date(2024, 3, 31), dt.date(2024, 4, 30)]
    assert second == []
    assert Meeting.objects.filter(series=monthly).count() == 3
    assert AuditEntry.objects.count() == audits
    meeting = first[0]
    assert (meeting.status, meeting.topic, meeting.place, meeting.org_id, meeting.kind.code) == (
        "planned", "主题党日", "党员活动室", tree["A1"].pk, "theme_day")
    assert (meeting.starts_at.isoformat(), meeting.ends_at.isoformat()) == (
        "2024-02-29T14:30:00+08:00", "2024-02-29T16:30:00+08:00")


def test_generating_further_ahead_adds_only_the_missing_dates(monthly):
    series_generate(actor=None, series=monthly, count=2, today=dt.date(2024, 2, 10))
    more = series_generate(actor=None, series=monthly, count=4, today=dt.date(2024, 2, 10))
    assert [m.meeting_date for m in more] == [dt.date(2024, 4, 30), dt.date(2024, 5, 31)]
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.after["created"]) == ("meetings.series_generate", ["2024-04-30", "2024-05-31"])


def test_quarterly_series_until_its_end(tree, kinds):
    series = series_create(actor=None, org=tree["A1"], kind=kinds["general_meeting"], topic="支部党员大会",
                           day_of_month=15, start_time=dt.time(9), starts_on=dt.date(2024, 1, 1), interval_months=3,
                           until=dt.date(2024, 10, 15))
    created = series_generate(actor=None, series=series, count=24, today=dt.date(2024, 1, 1))
    assert [m.meeting_date for m in created] == [dt.date(2024, 1, 15), dt.date(2024, 4, 15), dt.date(2024, 7, 15),
                                                 dt.date(2024, 10, 15)]


@pytest.mark.parametrize(
    ("_case", "over", "errors"),
    [
        ("day_zero", {"day_of_month": 0}, [("meetings.series_day", "day_of_month")]),
        ("day_32", {"day_of_month": 32}, [("meetings.series_day", "day_of_month")]),
        ("interval", {"interval_months": 4}, [("meetings.series_interval", "interval_months")]),
        ("duration", {"duration_minutes": 10}, [("meetings.series_duration", "duration_minutes")]),
        ("until_before_start", {"until": dt.date(2023, 12, 31)}, [("meetings.end_before_start", "until")]),
        ("url", {"online_url": "mailto:a@b.cn"}, [("meetings.url_invalid", "online_url")]),
    ],
)
def test_bad_series_is_refused(tree, kinds, _case, over, errors):
    args = {"actor": None, "org": tree["A1"], "kind": kinds["theme_day"], "topic": "主题党日", "day_of_month": 1,
            "start_time": dt.time(9), "starts_on": dt.date(2024, 1, 1), **over}
    before = (MeetingSeries.objects.count(), AuditEntry.objects.count())
    with pytest.raises(DomainError) as exc:
        series_create(**args)
    assert [(e.code, e.field) for e in exc.value.errors] == errors
    assert (MeetingSeries.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize("count", [0, 25, "x"])
def test_generate_count_is_bounded(monthly, count):
    with pytest.raises(DomainError) as exc:
        series_generate(actor=None, series=monthly, count=count, today=dt.date(2024, 2, 10))
    assert [(e.code, e.field) for e in exc.value.errors] == [("meetings.series_count", "count")]
