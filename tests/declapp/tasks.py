from django_tasks import task

__all__ = ["tick"]


@task()
def tick() -> None:
    """Does nothing: the schedule only needs a task to name."""
