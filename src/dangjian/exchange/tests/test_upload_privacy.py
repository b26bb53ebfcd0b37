"""Uploaded files hold full ID numbers and phones (issue 7 §4): they are kept SM4-encrypted only while a
job waits for its commit, forgotten when it ends, and old ones are purged on the worker's schedule. The
proof reads the whole database — every table, the django-tasks queue and the audit log included; on
SQLite the database file itself, byte for byte (free pages too) — for the plaintext."""
from __future__ import annotations

import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from dangjian.core import crypto
from dangjian.exchange.models import ImportJob
from dangjian.exchange.tests.helpers import MEMBER_HEADER, csv_bytes, member_row
from dangjian.integration.schedule import DEFAULT_SCHEDULE
from dangjian.integration.worker import Worker
from dangjian.members.models import Member
from tests.fixtures import signin as _signin

pytestmark = pytest.mark.django_db




def _upload(client, data: bytes):
    return client.post(reverse("exchange:upload"), {"kind": "members", "mode": "create", "profile": "", "org_code": "",
                                                    "file": SimpleUploadedFile("members.csv", data)})


def _database_bytes() -> bytes:
    """Everything the database holds. SQLite: the database file's bytes (``serialize``: every page as
    it would be on disk, the free ones included). PostgreSQL: every row of every table as text (bytea
    as hex)."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.serialize()
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT CAST(t AS text) FROM "{table}" t')
            chunks.extend(row[0] for row in cursor.fetchall())
    return "\n".join(chunks).encode("utf-8")


def _leaks(haystack: bytes, secrets: list[str]) -> list[str]:
    hexed = haystack.lower()
    return [s for s in secrets if s.encode() in haystack or s.encode().hex().encode() in hexed]


def test_no_plaintext_id_number_or_phone_is_left_in_the_database(client, tree, user_factory, settings):
    # given: three uploads of a branch worker — committed through the worker's queue, one rejected
    # (discarded: it cannot be committed), one previewed and left waiting
    _signin(client, user_factory("w", "party_worker", tree["A1"], scope="org"))
    committed_rows = [member_row(1), member_row(2)]
    rejected_rows = [member_row(3), member_row(4, 所在党支部代码="B1")]
    waiting_rows = [member_row(5)]
    secrets = [r[MEMBER_HEADER.index(h)] for r in (*committed_rows, *rejected_rows, *waiting_rows)
               for h in ("公民身份号码", "手机号码")]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.DANGJIAN_EXCHANGE_SYNC_BYTES = 10  # every file goes through the django-tasks queue
    worker = Worker(schedule=False, worker_id="w1")
    # when
    _upload(client, csv_bytes(MEMBER_HEADER, committed_rows))
    committed = ImportJob.objects.get()
    assert worker.run_once() is True
    client.post(reverse("exchange:job_commit", args=[committed.pk]))
    assert worker.run_once() is True
    _upload(client, csv_bytes(MEMBER_HEADER, rejected_rows))
    _upload(client, csv_bytes(MEMBER_HEADER, waiting_rows))
    while worker.run_once():
        pass
    # then: the register has the committed rows, the queue ran four tasks, and the jobs ended as planned
    assert Member.objects.count() == 2
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 4
    jobs = list(ImportJob.objects.order_by("pk"))
    assert [j.status for j in jobs] == ["committed", "rejected", "validated"]
    # only the waiting job keeps its file, encrypted; the other two forgot theirs
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, data FROM exchange_importjob")
        raw = {pk: bytes(data) for pk, data in cursor.fetchall()}
    assert [len(raw[j.pk]) > 0 for j in jobs] == [False, False, True]
    assert raw[jobs[2].pk].startswith(b"sm4gcm:1:")
    assert jobs[2].data == csv_bytes(MEMBER_HEADER, waiting_rows)
    # and no ID number or phone is anywhere in the database in clear
    assert _leaks(_database_bytes(), secrets) == []


def test_the_purge_of_old_upload_files_is_on_the_default_schedule():
    entry = next(e for e in DEFAULT_SCHEDULE if e.task_path == "dangjian.exchange.tasks.purge_import_files")
    assert (entry.name, entry.spec) == ("exchange.purge_import_files", "30 3 * * *")


def test_the_migration_encrypts_waiting_files_and_forgets_finished_ones(tree, user_factory):
    # given: jobs as the schema before the migration stored them (plaintext files)
    state = MigrationLoader(connection).project_state(("exchange", "0003_role_permissions")).apps
    OldJob = state.get_model("exchange", "ImportJob")
    user = user_factory("u")
    waiting = OldJob.objects.create(kind="members", file_name="a.csv", data=b"ID 110101", size=9, status="validated",
                                    created_by_id=user.pk)
    done = OldJob.objects.create(kind="members", file_name="b.csv", data=b"ID 110102", size=9, status="committed",
                                 created_by_id=user.pk)
    migration = importlib.import_module("dangjian.exchange.migrations.0004_encrypt_upload_files")
    # when
    migration.encrypt_or_forget(state, None)
    # then
    stored = dict(OldJob.objects.values_list("pk", "data"))
    assert crypto.decrypt_bytes(bytes(stored[waiting.pk])) == b"ID 110101"
    assert bytes(stored[done.pk]) == b""
    assert ImportJob.objects.get(pk=waiting.pk).data == b"ID 110101"
