from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorBody(Schema):
    code: str
    message: str
    details: dict[str, Any] = {}


class ErrorOut(Schema):
    """Every API error: a stable machine code, a message in the caller's language, details."""

    error: ErrorBody
