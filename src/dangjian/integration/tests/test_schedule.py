"""The schedule: defaults synced once, due entries claimed by exactly one claimer (compare-and-set on
``next_run_at``; on PostgreSQL also with two concurrent claimers on separate connections), missing
tasks logged and skipped."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.utils import timezone
from django_tasks import task

from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError
from dangjian.integration.models import ScheduledJob
from dangjian.integration.schedule import DEFAULT_SCHEDULE, ScheduleEntry
from dangjian.integration.services import (
    schedule_claim_due,
    schedule_job_update,
    schedule_run_due,
    schedule_run_now,
    schedule_sync,
)
from dangjian.integration.services.schedule import _claim

pytestmark = pytest.mark.django_db

CALLS: list[dict] = []


@task()
def probe(**kwargs) -> int:
    CALLS.append(kwargs)
    return len(CALLS)


PROBE = "dangjian.integration.tests.test_schedule.probe"
NOW = dt.datetime(2025, 3, 1, 2, 0, tzinfo=dt.UTC)


def _job(name: str, *, path: str = PROBE, spec: str = "every 60s", due: dt.datetime = NOW, **fields) -> ScheduledJob:
    return ScheduledJob.objects.create(name=name, task_path=path, spec=spec, next_run_at=due, **fields)


@pytest.fixture(autouse=True)
def _reset_calls():
    CALLS.clear()


def test_defaults_are_synced_once_and_keep_admin_changes():
    # when
    added = schedule_sync(now=NOW)
    # then
    assert added == [e.name for e in DEFAULT_SCHEDULE]
    by_name = {j.name: j for j in ScheduledJob.objects.all()}
    assert by_name["health.scan_all"].task_path == "dangjian.health.tasks.scan_all"
    assert by_name["dues.monthly_bills"].task_path == "dangjian.dues.tasks.generate_monthly_bills"
    # 02:00 UTC on 1 March is 10:00 in Shanghai: the nightly scan is next at 02:30 on 2 March, the bills on 1 April
    assert timezone.localtime(by_name["health.scan_all"].next_run_at).isoformat() == "2025-03-02T02:30:00+08:00"
    assert timezone.localtime(by_name["dues.monthly_bills"].next_run_at).isoformat() == "2025-04-01T01:00:00+08:00"
    # and: a second sync adds nothing and keeps what an administrator changed
    ScheduledJob.objects.filter(name="health.scan_all").update(spec="0 3 * * *", enabled=False)
    assert schedule_sync(now=NOW) == []
    assert ScheduledJob.objects.filter(name="health.scan_all").values_list("spec", "enabled").get() == (
        "0 3 * * *", False)


def test_due_entries_are_claimed_once_when_claimed_twice():
    # given
    _job("due.a")
    _job("due.b", due=NOW - dt.timedelta(hours=1))
    _job("later", due=NOW + dt.timedelta(seconds=1))
    _job("off", enabled=False)
    # when
    first = schedule_claim_due(now=NOW, worker_id="w1")
    second = schedule_claim_due(now=NOW, worker_id="w2")
    # then
    assert sorted(j.name for j in first) == ["due.a", "due.b"]
    assert second == []
    rows = dict(ScheduledJob.objects.values_list("name", "next_run_at"))
    assert rows["due.a"] == rows["due.b"] == NOW + dt.timedelta(seconds=60)  # one run, not one per missed period
    assert ScheduledJob.objects.get(name="due.a").last_worker == "w1"


def test_a_stale_claim_loses_the_compare_and_set():
    # given: two workers read the same due entry
    _job("nightly", spec="30 2 * * *")
    seen_by_one = ScheduledJob.objects.get(name="nightly")
    seen_by_two = ScheduledJob.objects.get(name="nightly")
    # when
    won = _claim(seen_by_one, now=NOW, worker_id="one")
    lost = _claim(seen_by_two, now=NOW, worker_id="two")
    # then
    assert won is not None and lost is None
    assert ScheduledJob.objects.get(name="nightly").last_worker == "one"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_claimers_on_separate_connections_never_double_a_run():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent connections are a PostgreSQL test; SQLite is covered sequentially above")
    rounds, claimers = 15, 4
    for n in range(rounds):
        _job(f"job.{n}.a", due=NOW)
        _job(f"job.{n}.b", due=NOW)
    results: dict[str, list[str]] = {}
    stale: dict[str, list[str]] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(claimers)
    snapshot = list(ScheduledJob.objects.order_by("pk"))

    def claim(worker: str) -> None:
        try:
            barrier.wait()
            results[worker] = [j.name for j in schedule_claim_due(now=NOW, worker_id=worker, limit=100)]
            # the same stale snapshot, bypassing SKIP LOCKED: the compare-and-set alone must hold
            barrier.wait()
            stale[worker] = [j.name for j in snapshot if _claim(j, now=NOW + dt.timedelta(hours=1),
                                                                   worker_id=worker) is not None]
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(f"w{i}",)) for i in range(claimers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    claimed = [name for names in results.values() for name in names]
    assert sorted(claimed) == sorted(j.name for j in snapshot)  # every due entry exactly once
    assert [name for names in stale.values() for name in names] == []  # every stale claim lost


def test_run_due_queues_the_task_and_tolerates_a_missing_one(caplog):
    # given
    _job("probe", kwargs={"period": "2025-03"})
    _job("health.scan_all", path="dangjian.nowhere.tasks.scan_all", spec="30 2 * * *")
    _job("not_a_task", path="dangjian.integration.conf.check")
    # when
    runs = schedule_run_due(now=NOW, worker_id="w1")
    # then
    assert sorted((r.name, r.status) for r in runs) == [("health.scan_all", "missing"), ("not_a_task", "missing"),
                                                          ("probe", "queued")]
    assert CALLS == [{"period": "2025-03"}]  # the immediate backend ran it at once
    rows = {j.name: j for j in ScheduledJob.objects.all()}
    assert rows["health.scan_all"].last_status == "missing"
    assert "dangjian.nowhere" in rows["health.scan_all"].last_error
    assert rows["health.scan_all"].next_run_at > NOW  # skipped, not retried in a loop
    assert rows["probe"].last_status == "queued" and rows["probe"].last_task_id
    assert "health.scan_all: task dangjian.nowhere.tasks.scan_all is not available" in caplog.text
    # and: nothing is due any more
    assert schedule_run_due(now=NOW, worker_id="w2") == []
    assert len(CALLS) == 1


def test_the_real_dues_task_is_found():
    schedule_sync(now=NOW, entries=(ScheduleEntry("dues.monthly_bills", "dangjian.dues.tasks.generate_monthly_bills",
                                                  "0 1 1 * *", "bills"),))
    ScheduledJob.objects.update(next_run_at=NOW)
    [run] = schedule_run_due(now=NOW, worker_id="w")
    assert (run.status, run.error) == ("queued", "")


def test_update_and_run_now_are_audited():
    # given
    _job("probe", spec="every 60s", due=NOW + dt.timedelta(days=1))
    # when
    job = schedule_job_update(actor=None, name="probe", spec="0 4 * * *", now=NOW)
    run = schedule_run_now(actor=None, name="probe")
    # then
    assert timezone.localtime(job.next_run_at).isoformat() == "2025-03-02T04:00:00+08:00"
    assert run.status == "queued" and len(CALLS) == 1
    assert list(AuditEntry.objects.filter(action__startswith="integration.schedule").order_by("seq")
                .values_list("action", "after__spec")) == [("integration.schedule_update", "0 4 * * *"),
                                                           ("integration.schedule_run", None)]
    with pytest.raises(DomainError) as caught:
        schedule_job_update(actor=None, name="probe", spec="every day")
    assert [(e.field, e.code) for e in caught.value.errors] == [("spec", "integration.spec_invalid")]
    with pytest.raises(DomainError):
        schedule_run_now(actor=None, name="nope")


def test_schedule_command(capsys):
    call_command("schedule")
    out = capsys.readouterr().out
    assert "health.scan_all" in out and "dangjian.dues.tasks.generate_monthly_bills" in out
    call_command("schedule", "set", "health.scan_all", "--disable")
    assert ScheduledJob.objects.get(name="health.scan_all").enabled is False
    _job("ghost", path="dangjian.nowhere.tasks.ghost")
    with pytest.raises(CommandError, match="not found"):
        call_command("schedule", "run", "ghost")
    with pytest.raises(CommandError, match="不存在"):
        call_command("schedule", "run", "nope")
