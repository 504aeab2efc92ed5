"""The pages and API of exports built in the background (``core.exports``): the owner follows the progress and
downloads the file; anyone else gets the 404 of an export that does not exist."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from ninja import Router, Schema

from . import exports
from .api_schemas import ErrorOut
from .errors import NotFound
from .models import ExportJob

router = Router(tags=["exports"])  # mounted in motcua/api.py with the staff-or-citizen authentication


class ExportOut(Schema):
    id: uuid.UUID
    title: str
    status: str
    done: int
    total: int
    percent: int
    error: str
    page_url: str
    download_url: str | None
    expires_at: Any


def describe(job: ExportJob) -> dict[str, Any]:
    ready = job.status == ExportJob.Status.DONE
    return {"id": job.pk, "title": job.title, "status": job.status, "done": job.done, "total": job.total,
            "percent": job.percent, "error": job.error, "page_url": reverse("core:export", args=[job.pk]),
            "download_url": reverse("core:export_file", args=[job.pk]) if ready else None,
            "expires_at": job.expires_at}


def _file_response(job: ExportJob) -> FileResponse:
    response = FileResponse(default_storage.open(job.file.name, "rb"), as_attachment=True, filename=job.filename,
                            content_type=job.content_type or "application/octet-stream")
    response["Cache-Control"] = "no-store, private"  # personal data
    return response


@router.get("/{job_id}", response={200: ExportOut, 401: ErrorOut, 404: ErrorOut},
            summary="An export built in the background: its progress and link")
def export_status(request: HttpRequest, job_id: uuid.UUID) -> dict[str, Any]:
    return describe(exports.job_for(request.auth, job_id))  # type: ignore[attr-defined]


@router.get("/{job_id}/file", response={200: None, 401: ErrorOut, 404: ErrorOut},
            summary="The file of a finished export (its owner only)")
def export_file(request: HttpRequest, job_id: uuid.UUID) -> FileResponse:
    return _file_response(exports.file_for(request.auth, job_id))  # type: ignore[attr-defined]


@login_required
@require_GET
def page(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """The progress of the export and, once ready, the link to the file. It does not reload itself (a page that
    reloads on its own is a WCAG 2.2.1 failure): ``core/export.js`` polls the API and updates the progress in
    place; without JavaScript the user refreshes it, or comes back to its address later."""
    try:
        job = exports.job_for(request.user, job_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    waiting = job.status in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)
    return render(request, "core/export.html", {"job": job, "info": describe(job), "waiting": waiting})


@login_required
@require_GET
def file(request: HttpRequest, job_id: uuid.UUID) -> FileResponse:
    try:
        return _file_response(exports.file_for(request.user, job_id))
    except NotFound as exc:
        raise Http404(exc.message) from exc
