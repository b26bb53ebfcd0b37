"""Background jobs of data exchange (django-tasks): large imports are checked and committed here while
the page polls the job's progress. Running a job twice is harmless: a commit is refused unless the job
is in the "validated" state, and it leaves that state in the same run."""
from __future__ import annotations

from django_tasks import task

from dangjian.core.context import Channel, RequestContext, use_context
from dangjian.exchange.services import job_run, jobs_purge_files

__all__ = ["purge_import_files", "run_import_job"]


@task()
def run_import_job(job_id: int, commit: bool = False) -> str:
    """Dry run (or commit) of an import job as its owner, audited with the task channel."""
    with use_context(RequestContext(channel=Channel.TASK)):
        job = job_run(job_id=job_id, commit=commit)
    return job.status


@task()
def purge_import_files() -> int:
    """Daily: forget the uploaded files of old import jobs (the reports stay)."""
    return jobs_purge_files()
