"""``/api/v1/insight/flags``: the integrity flags of the caller's scope (``selectors``: those who may see an
agency's statistics read its flags; the inspector and the administrator review them), their evidence, the review,
the per-agency and per-officer summaries and the honest on-time rate. Thin: parse, call, shape. No field carries
an applicant's personal data; a dossier is named by its code, with ``readable`` saying whether the caller may
open it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import AfterValidator, Field

from motcua.accounts.auth import STAFF_OR_CITIZEN
from motcua.accounts.models import User
from motcua.core.api_schemas import ErrorOut, Offset, limit_field, parse_day
from motcua.core.errors import DomainError

from ..models import Flag, FlagState, Rule
from . import review, selectors

router = Router(tags=["Insight"], auth=STAFF_OR_CITIZEN)
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
FlagId = Annotated[int, Field(ge=1, le=2**63 - 1)]
MAX_DAYS = 3660


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


class EventOut(Schema):
    id: int
    dossier: str
    seq: int
    kind: str
    at: dt.datetime
    actor: str
    readable: bool


class DossierRefOut(Schema):
    code: str
    readable: bool


class FlagOut(Schema):
    id: int
    rule: str
    kind: str
    kind_label: str
    severity: int
    state: str
    agency: str | None
    officer: str | None
    procedure: str | None
    dossier: str | None
    occurred_at: dt.datetime
    found_at: dt.datetime
    reviewed_at: dt.datetime | None
    review_reason: str


class FlagDetailOut(FlagOut):
    dossiers: list[DossierRefOut]
    events: list[EventOut]
    facts: dict[str, Any]


class FlagListOut(Schema):
    count: int
    results: list[FlagOut]


class ReviewIn(Schema):
    decision: str = Field(description="accepted (confirmed) or dismissed")
    reason: Annotated[str, Field(max_length=2000), AfterValidator(_no_nul)]


class SummaryRowOut(Schema):
    id: int
    name: str
    total: int
    open: int
    accepted: int
    dismissed: int
    high: int


class SummaryOut(Schema):
    by: str
    rows: list[SummaryRowOut]


class RateOut(Schema):
    agency: str
    counted: int = Field(description="dossiers processed in the period: ended in it or in progress at its end")
    on_time: int = Field(description="of them, early, on time or within time as the statistics report it")
    honest_on_time: int
    corrected: int
    rate: float | None
    honest_rate: float | None


class RatesOut(Schema):
    first: dt.date
    last: dt.date
    agencies: list[RateOut]


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def flag_out(f: Flag) -> dict[str, Any]:
    return {"id": f.pk, "rule": f.rule, "kind": f.kind, "kind_label": f.kind_label, "severity": f.severity,
            "state": f.state, "agency": f.agency.code if f.agency else None,
            "officer": (f.officer.full_name or f.officer.username) if f.officer else None,
            "procedure": f.procedure.code if f.procedure else None,
            "dossier": (f.dossier.code or f.dossier.reference) if f.dossier else None, "occurred_at": f.occurred_at,
            "found_at": f.found_at, "reviewed_at": f.reviewed_at, "review_reason": f.review_reason}


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, code="invalid_input", details={"fields": [{"field": field, "message": message}]})


class ListQuery(Schema):
    rule: str | None = Field(None, max_length=20, description="one of the rules")
    agency: int | None = Field(None, ge=1, le=2**31 - 1, description="the agency's id")
    officer: int | None = Field(None, ge=1, le=2**31 - 1, description="the officer's id")
    state: str | None = Field(None, max_length=10, description="open (default), accepted, dismissed or all")
    severity: int | None = Field(None, ge=1, le=3)
    limit: int = limit_field(50, 500)
    offset: Offset = 0


@router.get("", response={200: FlagListOut, **ERRORS}, summary="Integrity flags of the caller's scope")
def flag_list(request: HttpRequest, q: Query[ListQuery]) -> dict[str, Any]:
    """The flags the caller reads, most severe and most recent first, filtered by rule, agency (id), officer (id),
    state and severity."""
    if q.rule and q.rule not in Rule.values:
        raise _invalid("rule", _("Choose one of the rules: %(list)s.") % {"list": ", ".join(Rule.values)})
    wanted = q.state or FlagState.OPEN
    if wanted not in (*FlagState.values, "all"):
        raise _invalid("state", _("Choose one of the states: %(list)s.")
                       % {"list": ", ".join([*FlagState.values, "all"])})
    qs = selectors.flags(_user(request), selectors.Filters(q.rule or "", q.agency, q.officer,
                                                           "" if wanted == "all" else wanted, q.severity))
    return {"count": qs.count(), "results": [flag_out(f) for f in qs[q.offset:q.offset + q.limit]]}


@router.get("/summary", response={200: SummaryOut, **ERRORS}, summary="Flags per agency or per officer")
def flag_summary(request: HttpRequest, by: str = Query("agency", max_length=10,
                                                       description="agency or officer")) -> dict[str, Any]:
    if by not in ("agency", "officer"):
        raise _invalid("by", _("Group by agency or by officer."))
    return {"by": by, "rows": selectors.summary(_user(request), by)}


@router.get("/honest-rate", response={200: RatesOut, **ERRORS}, summary="On-time rate as reported and corrected")
def honest_rate(request: HttpRequest, from_: str | None = Query(None, alias="from", description="YYYY-MM-DD"),
                to: str | None = Query(None, description="YYYY-MM-DD")) -> dict[str, Any]:
    """Per agency in the caller's scope, indicator 2.1 of the period as the statistics report it (``counted``: the
    dossiers processed in the period, ended in it or in progress at its end; ``on_time``: of them early, on time or
    within time) and with the confirmed flags corrected (docs/insight-integrity.md)."""
    user = _user(request)
    selectors.agency_scope(user)
    today = timezone.localdate()
    first = parse_day(from_, "from", today.replace(month=1, day=1))
    last = parse_day(to, "to", today)
    if last < first:
        raise DomainError(_("The end date is before the start date."), code="invalid_range")
    if (last - first).days > MAX_DAYS:
        raise DomainError(_("Ask for at most ten years at a time."), code="range_too_long")
    rows = selectors.honest_rates(user, first, last)
    return {"first": first, "last": last, "agencies": [
        {"agency": r.agency.code, "counted": r.counted, "on_time": r.on_time, "honest_on_time": r.honest_on_time,
         "corrected": r.corrected, "rate": r.rate, "honest_rate": r.honest_rate} for r in rows]}


@router.get("/{flag_id}", response={200: FlagDetailOut, **ERRORS}, summary="One flag with its evidence")
def flag_detail(request: HttpRequest, flag_id: FlagId) -> dict[str, Any]:
    user = _user(request)
    v = selectors.view(user, selectors.get(user, flag_id))
    return {**flag_out(v.flag), "dossiers": [{"code": d["code"], "readable": d["readable"]} for d in v.dossiers],
            "events": [{"id": e.id, "dossier": e.dossier, "seq": e.seq, "kind": e.kind, "at": e.at, "actor": e.actor,
                        "readable": e.readable} for e in v.events],
            "facts": {k: v for k, v in ((v.flag.evidence or {}).get("facts") or {}).items()
                      if k != "first_dossier_id"}}


@router.post("/{flag_id}/review", response={200: FlagOut, **ERRORS, 409: ErrorOut},
             summary="Confirm or dismiss a flag (inspector, administrator)")
def flag_review(request: HttpRequest, flag_id: FlagId, body: ReviewIn) -> dict[str, Any]:
    flag = review.review(_user(request), flag_id, body.decision, body.reason)
    return flag_out(selectors.get(_user(request), flag.pk))

