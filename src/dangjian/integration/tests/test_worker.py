"""``dangjian worker``: one loop iteration runs a queued task (django-tasks-db) with the audit channel
"task", ticks the schedule, never runs a claimed task twice, and stops on SIGTERM."""
from __future__ import annotations

import datetime as dt
import os
import signal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from dangjian.audit.models import AuditEntry
from dangjian.integration.models import ScheduledJob
from dangjian.integration.services import preferences_set
from dangjian.integration.tests.helpers import person
from dangjian.integration.worker import Worker

pytestmark = pytest.mark.django_db

DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@task()
def audited_probe(user_id: int) -> str:
    """A task that writes through a service: its audit entry must carry the worker's context."""
    from dangjian.accounts.models import User

    preferences_set(actor=User.objects.get(pk=user_id), values={"email": {"min_severity": "off"}})
    return "done"


@pytest.fixture
def db_backend(settings):
    settings.TASKS = DB_BACKEND
    return settings


def test_one_iteration_runs_a_queued_task_attributed_to_the_task_channel(tree, db_backend):
    # given
    alice = person("alice")
    result = audited_probe.enqueue(alice.pk)
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "READY"
    worker = Worker(schedule=False, worker_id="worker-1")
    # when
    ran = worker.run_once()
    # then
    assert ran is True
    row.refresh_from_db()
    assert (row.status, row.return_value, row.worker_ids) == ("SUCCESSFUL", "done", ["worker-1"])
    entry = AuditEntry.objects.filter(action="integration.preferences_change").get()
    assert (entry.channel, entry.actor_id) == ("task", alice.pk)
    assert entry.request_id == str(row.pk).replace("-", "")
    # and: nothing left to run
    assert worker.run_once() is False


def test_a_claimed_task_is_not_run_by_a_second_worker(tree, db_backend):
    # given: worker one claimed the task (RUNNING) but has not finished it
    alice = person("alice")
    result = audited_probe.enqueue(alice.pk)
    one, two = Worker(schedule=False, worker_id="one"), Worker(schedule=False, worker_id="two")
    claimed = one._next_task()
    assert str(claimed.pk) == str(result.id)
    # when
    ran = two.run_once()
    # then
    assert ran is False
    assert DBTaskResult.objects.get(pk=result.id).worker_ids == ["one"]


def test_the_tick_queues_due_schedule_entries_which_the_loop_then_runs(tree, db_backend):
    # given
    alice = person("alice")
    ScheduledJob.objects.create(name="probe", task_path="dangjian.integration.tests.test_worker.audited_probe",
                                spec="every 1h", kwargs={"user_id": alice.pk},
                                next_run_at=timezone.now() - dt.timedelta(seconds=1))
    worker = Worker(schedule=True, tick=3600, worker_id="w")
    # when
    assert worker.run_once() is True
    # then
    job = ScheduledJob.objects.get(name="probe")
    assert (job.last_status, job.last_worker) == ("queued", "w")
    assert DBTaskResult.objects.get(pk=job.last_task_id).status == "SUCCESSFUL"
    assert job.next_run_at > timezone.now() + dt.timedelta(minutes=59)
    # and: the next tick is an hour away, the queue is empty
    assert worker.run_once() is False


def test_sigterm_stops_the_loop_after_the_current_task(db_backend, monkeypatch):
    # given
    worker = Worker(schedule=False, interval=30)
    worker.configure_signals()
    try:
        # when
        os.kill(os.getpid(), signal.SIGTERM)
        # then: the loop is over and does not wait its 30 s interval
        assert worker.running is False
        worker.run()
        # and: the wrapper's follow-up signal within 2 s is the same request, not a forced stop
        os.kill(os.getpid(), signal.SIGINT)
        assert worker.running is False
        # but: another signal later ends the current task too
        clock = [worker._first_signal_at + 5]
        monkeypatch.setattr("dangjian.integration.worker.time.monotonic", lambda: clock[0])
        with pytest.raises(SystemExit) as stopped:
            worker.shutdown(signal.SIGTERM, None)
        assert stopped.value.code == 1
    finally:
        worker.reset_signals()
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_worker_command_runs_the_queue_in_batch_mode(tree, db_backend):
    alice = person("alice")
    audited_probe.enqueue(alice.pk)
    audited_probe.enqueue(alice.pk)
    call_command("worker", "--batch", "--no-schedule", "--interval", "0", "--worker-id", "cmd", verbosity=0)
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["SUCCESSFUL", "SUCCESSFUL"]


def test_worker_command_needs_the_database_backend():
    with pytest.raises(CommandError, match="DatabaseBackend"):
        call_command("worker", "--batch")
