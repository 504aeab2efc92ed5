"""The API error format of DESIGN.md: ``{"error": {"code", "message", "details"}}``.

Services raise ``DomainError`` (or a subclass) with a stable machine code and a translated message;
the API turns it into the JSON body with the right 4xx status, and views show the message next to
the form. Nothing else is needed to report a refused action consistently.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        if status:
            self.status = status
        self.details = details or {}


class NotFound(DomainError):
    status = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": str(message), "details": details or {}}}


# Two refusals that both the request middleware (``UserTextMiddleware``, which may read the body first) and the
# API's exception handlers answer: one wording, one code, wherever the body was read.
def unreadable_multipart() -> DomainError:
    # Django refuses a multipart body without a boundary, or with a part header over 1 KB (a file name of
    # some 950 characters or more); the message says what to send instead.
    return DomainError(_("The multipart body cannot be read: send it with its boundary, and give each file a name "
                         "of at most 255 characters."), code="invalid_multipart", status=400)


def too_large() -> DomainError:
    return DomainError(_("The request is too large."), code="too_large", status=413)
