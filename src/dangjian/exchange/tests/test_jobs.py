"""Import jobs outside a test transaction, as in production: the progress of a commit is written while
the commit's own transaction is open (PostgreSQL: through a second connection; SQLite: skipped), and a
job is committed once."""
from __future__ import annotations

import pytest

from dangjian.exchange.models import ImportJob
from dangjian.exchange.services import job_claim_commit, job_create, job_run
from dangjian.exchange.tests.helpers import MEMBER_HEADER, csv_bytes, member_row
from dangjian.members.models import Member

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_job_is_previewed_committed_once_with_its_progress_recorded(tree, user_factory, monkeypatch):
    from django.db import connection, connections

    opened = []
    create = connections.create_connection
    monkeypatch.setattr(connections, "create_connection", lambda alias: opened.append(alias) or create(alias))
    owner = user_factory("owner", "party_worker", tree["A1"], scope="org")
    data = csv_bytes(MEMBER_HEADER, [member_row(i) for i in range(1, 1201)])
    job = job_create(actor=owner, kind="members", mode="create", file_name="m.csv", data=data)
    job = job_run(job_id=job.pk, commit=False)
    assert (job.status, job.processed, job.total, job.counts["created"]) == ("validated", 1200, 1200, 1200)
    assert job_claim_commit(job_id=job.pk) is True
    assert job_claim_commit(job_id=job.pk) is False
    job = job_run(job_id=job.pk, commit=True)
    assert (job.status, job.counts["created"], job.phase) == ("committed", 1200, "done")
    assert Member.objects.count() == 1200
    assert ImportJob.objects.get(pk=job.pk).status == "committed"
    # the commit's progress went through a second connection on PostgreSQL (one writer on SQLite: none)
    assert opened == (["default"] if connection.vendor == "postgresql" else [])
