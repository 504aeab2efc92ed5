"""The operators' warnings about the production engines (``core.health``, listed by ``/healthz``): the task
queue on Redis and the object store, when they are configured. Each answers "all is well" with no notice, so a
department on one machine (database queue, local files) sees nothing here."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from .health import Notice

logger = logging.getLogger(__name__)


def is_operator(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False))


def task_queue_notices() -> Iterable[Notice]:
    if not getattr(settings, "TASKS_URL", ""):
        return []
    from .management.commands.worker import failed_count

    try:
        failed = failed_count()
    except Exception as exc:  # Redis down: the app still answers, but nothing in the background runs
        logger.warning("healthz: the task queue is unreachable: %s", exc)
        return [Notice("tasks_queue_unreachable",
                       _("The task queue (Redis) cannot be reached: notices and background work are waiting."))]
    if failed:
        return [Notice("tasks_failed", _("%(count)s background job(s) failed for good: see `motcua worker failed`.")
                       % {"count": failed})]
    return []


def storage_notices() -> Iterable[Notice]:
    if not getattr(settings, "STORAGE_URL", "").startswith("s3://"):
        return []
    from django.core.files.storage import default_storage

    try:
        default_storage.bucket.meta.client.head_bucket(Bucket=default_storage.bucket_name)  # type: ignore[attr-defined]
    except Exception as exc:
        logger.warning("healthz: the object store is unreachable: %s", exc)
        return [Notice("storage_unreachable",
                       _("The file store cannot be reached: uploads and downloads are refused until it is back."))]
    return []
