"""Exports off the request: big registers and reports built by a background task, with progress and a download
link (issue 20; docs/operations.md "Long exports").

A one-year register of some 250 dossiers took 6–8 s to render as PDF, and four at once held both of a small
server's workers long enough for ``/healthz`` to wait 15 s; a province's agency has thousands. An app registers
each export it offers (``register``) with three functions: how many rows a request would give (``count``), whether
a user may still make it (``allowed``: checked again at download, so a moved officer loses the file with the
right), and how to build it (``render``, reporting progress). Below ``MOTCUA_EXPORT_SYNC_MAX`` rows the view builds
it at once as before; above, ``start`` records an ``ExportJob`` and enqueues ``run_export``, and the user follows
it on ``/xuat/<id>/``. Core knows no app: the exports are registered from the apps' ``ready()``.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from .errors import NotFound
from .models import ExportJob

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Output:
    content: bytes
    filename: str
    content_type: str


@dataclass(frozen=True)
class Export:
    kind: str
    title: Callable[[dict[str, Any]], str]
    count: Callable[[Any, dict[str, Any]], int]
    allowed: Callable[[Any, dict[str, Any]], bool]
    render: Callable[[Any, dict[str, Any], Progress], Output]


_exports: dict[str, Export] = {}


def register(export: Export) -> None:
    _exports[export.kind] = export


def get(kind: str) -> Export:
    return _exports[kind]


def sync_max() -> int:
    """Up to this many rows an export is built within the request (about 2 s of PDF on a small server)."""
    return int(getattr(settings, "MOTCUA_EXPORT_SYNC_MAX", 60))


def keep() -> dt.timedelta:
    return dt.timedelta(hours=int(getattr(settings, "MOTCUA_EXPORT_KEEP_HOURS", 24)))


def in_background(kind: str, user: Any, params: dict[str, Any]) -> bool:
    return get(kind).count(user, params) > sync_max()


def start(kind: str, user: Any, params: dict[str, Any]) -> ExportJob:
    """Record the export and enqueue its task once the record is committed. The same export asked again while
    one is waiting or under way is that one (a double click, a refreshed page), not a second."""
    export = get(kind)
    with transaction.atomic():
        same = (ExportJob.objects.select_for_update()
                .filter(owner=user, kind=kind, params=params,
                        status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]).first())
        if same is not None:
            return same
        job = ExportJob.objects.create(owner=user, kind=kind, params=params, title=export.title(params),
                                       total=export.count(user, params), expires_at=timezone.now() + keep())
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: uuid.UUID) -> None:
    try:
        run_export.enqueue(str(job_id))
    except Exception:  # the queue is down: the periodic ``exports resume`` picks the job up
        logger.exception("export %s could not be enqueued; the periodic job will start it", job_id)


@task()
def run_export(job_id: str) -> None:
    build(uuid.UUID(job_id))


def build(job_id: uuid.UUID) -> None:
    """Build the export's file. Idempotent and restartable: a job done is left alone; a job whose worker died
    is built again from the start (its half-written file was never recorded)."""
    claimed = ExportJob.objects.filter(pk=job_id, status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING])
    job = claimed.first()
    if job is None:
        return
    ExportJob.objects.filter(pk=job_id).update(status=ExportJob.Status.RUNNING, attempts=job.attempts + 1, done=0,
                                               error="")
    last_written = [0.0]

    def progress(done: int, total: int) -> None:
        # Written outside any transaction, at most twice a second: the page polls it.
        now = timezone.now().timestamp()
        if now - last_written[0] >= 0.5 or done >= total:
            ExportJob.objects.filter(pk=job_id).update(done=done, total=total)
            last_written[0] = now

    try:
        output = get(job.kind).render(job.owner, job.params, progress)
        name = default_storage.save(f"exports/{timezone.now():%Y/%m/%d}/{job_id}/{output.filename}",
                                    ContentFile(output.content))
    except Exception as exc:
        logger.exception("export %s (%s) failed", job_id, job.kind)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.FAILED, finished_at=timezone.now(),
            error=_("The export could not be prepared (%(error)s). Try again, or ask the administrator.")
            % {"error": type(exc).__name__})
        return
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportJob.Status.DONE, file=name, filename=output.filename, content_type=output.content_type,
        done=job.total or 1, total=job.total or 1, finished_at=timezone.now())


def job_for(user: Any, job_id: uuid.UUID | str) -> ExportJob:
    """The user's own export; anyone else's, or one expired, is not found (the same answer for both)."""
    try:
        job = ExportJob.objects.get(pk=job_id, owner=user, expires_at__gt=timezone.now())
    except (ExportJob.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("There is no such export, or it has expired."), code="export_not_found") from exc
    return job


def file_for(user: Any, job_id: uuid.UUID | str) -> ExportJob:
    """The finished export, for its owner while they may still make it."""
    job = job_for(user, job_id)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise NotFound(_("This export is not ready."), code="export_not_ready")
    if not get(job.kind).allowed(user, job.params):
        raise NotFound(_("There is no such export, or it has expired."), code="export_not_found")
    return job


def resume(older_than: dt.timedelta = dt.timedelta(minutes=10)) -> int:
    """Enqueue again the jobs left waiting or running too long (the queue was down, the worker died)."""
    stale = ExportJob.objects.filter(status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING],
                                     created_at__lt=timezone.now() - older_than, attempts__lt=3)
    count = 0
    for job_id in stale.values_list("pk", flat=True):
        _enqueue(job_id)
        count += 1
    ExportJob.objects.filter(status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING],
                             created_at__lt=timezone.now() - older_than, attempts__gte=3).update(
        status=ExportJob.Status.FAILED, finished_at=timezone.now(),
        error=_("The export could not be prepared after several attempts. Ask the administrator."))
    return count


def sweep(now: dt.datetime | None = None) -> int:
    """Delete the expired exports and their files."""
    now = now or timezone.now()
    expired = list(ExportJob.objects.filter(expires_at__lte=now))
    for job in expired:
        if job.file:
            try:
                default_storage.delete(job.file.name)
            except Exception:  # the store is down: the row stays and the next sweep tries again
                logger.exception("export %s: its file could not be deleted", job.pk)
                continue
        job.delete()
    return len(expired)
