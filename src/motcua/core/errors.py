"""The API error format of DESIGN.md: ``{"error": {"code", "message", "details"}}``.

Services raise ``DomainError`` (or a subclass) with a stable machine code and a translated message;
the API turns it into the JSON body with the right 4xx status, and views show the message next to
the form. Nothing else is needed to report a refused action consistently.
"""

from __future__ import annotations

from typing import Any


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
