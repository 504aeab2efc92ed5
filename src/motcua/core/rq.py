"""RQ, when ``MOTCUA_TASKS_URL`` puts the task queue in Redis (settings.py, docs/operations.md).

django-tasks-rq enqueues each task as an RQ job without a retry policy: a job whose worker was killed (a
deployment, the machine lost, the OOM killer) would be moved to the failed list, and its work silently not done
until someone looks. Every motcua task is idempotent (the outbox rows it works from say what is still owed; the
national services deduplicate by key), so running a job again is always safe, and the queue class below gives
each job a retry policy: RQ re-queues an abandoned job (``StartedJobRegistry.cleanup``, once its heartbeat has
expired) or a failed one after ``MOTCUA_TASKS_RETRY`` seconds, the last failure going to the failed list, which
``motcua worker failed`` shows and ``motcua worker requeue`` empties.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django_rq.queues import DjangoRQ
from rq import Retry


def retry_policy() -> Retry:
    intervals = [int(s) for s in getattr(settings, "MOTCUA_TASKS_RETRY", [30, 300, 1800])]
    return Retry(max=max(1, len(intervals)), interval=intervals or [30])  # type: ignore[no-untyped-call]


class RetryingQueue(DjangoRQ):
    """django-rq's queue, each new job given the retry policy unless the caller set one."""

    def create_job(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("retry") is None:
            kwargs["retry"] = retry_policy()
        return super().create_job(*args, **kwargs)
