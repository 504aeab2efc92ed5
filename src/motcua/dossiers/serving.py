"""Serving a dossier's stored files (issue 14): opened from the storage (file system or object store alike),
inline only for the types a browser shows safely, never cached, with a name that cannot break the header.

Who may open a file is who may see the dossier (``selectors.get_attachment``); every opening by staff is
logged like a read of the personal data (DESIGN.md, Privacy), because the files carry it (ID card scans, the
applicant's own forms)."""

from __future__ import annotations

import logging
import unicodedata
from typing import IO

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core.errors import DomainError, NotFound

from . import files, issuing, selectors, services
from .models import Attachment, Dossier, IssuedForm

logger = logging.getLogger(__name__)

#: Types shown in the browser; anything else (DOCX, XLSX) is always downloaded.
INLINE_TYPES = frozenset({files.CONTENT_TYPES[files.PDF], files.CONTENT_TYPES[files.JPEG],
                          files.CONTENT_TYPES[files.PNG]})


class FileMissing(DomainError):
    """The row names a file the storage no longer has: a clear 410, not a server error."""

    status = 410


def safe_filename(name: str) -> str:
    """The name for ``Content-Disposition``: control and format characters (a line break, a right-to-left
    override) removed; quoting and RFC 5987 ``filename*`` are left to Django."""
    cleaned = "".join(ch for ch in unicodedata.normalize("NFC", name or "")
                      if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"))
    return cleaned.replace("/", "_").replace("\\", "_").strip() or "tep"


def _open(attachment: Attachment) -> IO[bytes]:
    try:
        return default_storage.open(attachment.file.name, "rb")
    except FileNotFoundError as exc:
        logger.error("Attachment %s of dossier %s is missing from storage (%s): %s", attachment.pk,
                     attachment.dossier_id, attachment.file.name, exc)
        raise FileMissing(_("The file “%(name)s” is no longer in storage. Please tell the administrator.")
                          % {"name": attachment.original_name}, code="file_missing",
                          details={"file": attachment.pk}) from exc
    except Exception as exc:  # the store itself failed (down, refusing): a 503 saying so, not a 500
        raise files.storage_unavailable(exc) from exc


def response(attachment: Attachment, *, download: bool) -> FileResponse:
    """The file: inline for PDF and images unless ``download``; other types always as an attachment."""
    inline = not download and attachment.content_type in INLINE_TYPES
    result = FileResponse(_open(attachment), as_attachment=not inline, filename=safe_filename(attachment.original_name),
                          content_type=attachment.content_type or "application/octet-stream")
    result["X-Content-Type-Options"] = "nosniff"
    result["Cache-Control"] = "no-store, private"
    if inline and attachment.content_type != files.CONTENT_TYPES[files.PDF]:
        # An image shown in the browser runs nothing and reaches nothing of the site (an opaque origin). Not
        # a PDF: Chromium refuses to start its PDF viewer in a sandboxed document (crbug.com/413851: "This page
        # has been blocked"), and the desk must read it. The PDF is safe without: its type was found from its
        # bytes at upload (``files.sniff``), ``nosniff`` keeps the browser to it, and the viewer runs the
        # file's own scripts isolated from the site.
        result["Content-Security-Policy"] = "sandbox"
    return result


def open_file(user: User, code: str, attachment_id: int, *, download: bool, where: str) -> FileResponse:
    """The file of a dossier the user may see (``NotFound`` otherwise, as for the dossier), its opening logged
    when a member of staff opens it (the applicant's own readings are not: ``is_staff_reader``)."""
    dossier, attachment = selectors.get_attachment(user, code, attachment_id)
    result = response(attachment, download=download)
    try:
        if selectors.is_staff_reader(user, dossier):
            services.record_personal_data_view(user, dossier, where, attachment=attachment)
    except BaseException:
        result.close()
        raise
    return result


def file_url(dossier: Dossier, attachment: Attachment) -> str:
    return f"/api/v1/dossiers/{dossier.public_id}/files/{attachment.pk}"


#: The papers addressed to the applicant, which the applicant's own page offers once issued: the supplement
#: request (form 02), the refusal (form 03), the apology and new date (form 04) and the stop notice (Circular
#: 03/2025 Art. 7). The receipt has its own link; the control sheet and the register are the agency's.
APPLICANT_PAPERS = ("supplement-request", "refusal", "apology", "stop-notice")


def applicant_papers(dossier: Dossier) -> list[IssuedForm]:
    """The issued papers of the dossier addressed to its applicant, the last version of each."""
    latest: dict[str, IssuedForm] = {}
    for form in IssuedForm.objects.filter(dossier=dossier, role__in=APPLICANT_PAPERS).order_by("role", "version"):
        latest[form.role] = form
    return sorted(latest.values(), key=lambda f: f.issued_at)


def paper_response(dossier: Dossier, role: str) -> HttpResponse:
    """The issued copy of one of the applicant's papers, served like a file: never cached, with a safe name;
    ``NotFound`` for a paper not issued (a preview is never the applicant's) or not addressed to them."""
    issued = issuing.current(dossier, role) if role in APPLICANT_PAPERS else None
    if issued is None:
        raise NotFound(_("This paper has not been issued for the dossier."), code="form_not_issued")
    try:
        pdf = issuing.read(issued)
    except FileNotFoundError as exc:
        logger.error("Issued form %s of dossier %s is missing from storage: %s", issued.pk, dossier.pk, exc)
        raise FileMissing(_("The file “%(name)s” is no longer in storage. Please tell the administrator.")
                          % {"name": role}, code="file_missing") from exc
    except Exception as exc:
        raise files.storage_unavailable(exc) from exc
    result = HttpResponse(pdf, content_type=files.CONTENT_TYPES[files.PDF])
    result["Content-Disposition"] = content_disposition_header(
        False, safe_filename(f"{dossier.public_id}-{issued.role}.pdf")) or "inline"
    result["X-Content-Type-Options"] = "nosniff"
    result["Cache-Control"] = "no-store, private"
    return result
