from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from motcua.core.api_schemas import ErrorOut

from . import selectors
from .auth import STAFF_OR_CITIZEN

router = Router(tags=["accounts"])


class AgencyOut(Schema):
    code: str
    name: str


class UnitOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    agency: AgencyOut | None = None


class AssignmentOut(Schema):
    role: str
    role_label: str
    unit: UnitOut | None = None


class MeOut(Schema):
    username: str
    full_name: str
    roles: list[str]
    assignments: list[AssignmentOut]
    unit: UnitOut | None = None


@router.get("/me", response={200: MeOut, 401: ErrorOut}, auth=STAFF_OR_CITIZEN, summary="The caller")
def me(request: HttpRequest) -> dict[str, Any]:
    """The caller's username, full name, roles and unit."""
    return selectors.profile(request.auth)  # type: ignore[attr-defined]
