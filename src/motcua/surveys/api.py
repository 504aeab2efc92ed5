"""``/api/v1/surveys``: the questionnaires (anyone), an answer through a one-time link (anyone holding it), the
satisfaction indices of the caller's scope (staff who may see statistics) and the campaigns (administrators).
Thin: parse, call a service or selector, shape the answer.

Nothing here links an answer to a person: the answer endpoint says only that it was recorded, and the
results are counts over groups, withheld under the minimum group size (``MOTCUA_SURVEY_MIN_GROUP``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import AfterValidator, Field, Strict

from motcua.accounts.auth import STAFF_OR_CITIZEN
from motcua.accounts.models import OrgUnit, User
from motcua.accounts.permissions import Capability, has_capability
from motcua.core.api_schemas import Day, ErrorOut, parse_day
from motcua.core.errors import DomainError, NotFound, PermissionDenied

from . import selectors, services
from .choices import CampaignStatus, Channel
from .models import Campaign, Questionnaire

router = Router(tags=["Surveys"], auth=STAFF_OR_CITIZEN)

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 409: ErrorOut}
MAX_DAYS = 3660


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL in text: refused here as bad input, never a 500 at the database.
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
Token = Annotated[str, Field(max_length=200, description="the token of the one-time link"), AfterValidator(_no_nul)]
CampaignId = Annotated[int, Field(ge=1, le=2**31 - 1)]
Score = Annotated[int, Strict()]


# --- schemas ----------------------------------------------------------------------------------------------

class ScaleLabelOut(Schema):
    value: int
    vi: str
    en: str


class CriterionOut(Schema):
    code: str
    text: str
    text_en: str
    about_officer: bool
    allows_na: bool
    overall: bool


class FactorOut(Schema):
    code: str
    name: str
    name_en: str
    criteria: list[CriterionOut]


class QuestionnaireOut(Schema):
    code: str
    version: int
    title: str
    title_en: str
    valid_from: dt.date
    valid_to: dt.date | None
    active: bool
    per_dossier: bool
    asks_comment: bool
    scale_max: int
    satisfied_from: int
    scale: list[ScaleLabelOut]
    factors: list[FactorOut]


class QuestionnairesOut(Schema):
    count: int
    items: list[QuestionnaireOut]


class AnswerIn(Schema):
    """The answers to every criterion of the invitation's questionnaire, by criterion code: a score from 1 to
    the questionnaire's highest, or null for "not applicable" where the criterion allows it."""

    values: dict[Annotated[str, Field(max_length=20), AfterValidator(_no_nul)], Score | None]
    comment: Text = Field("", max_length=10_000, description=f"at most {services.COMMENT_MAX} characters; "
                                                              "do not write your name, phone or ID number")


class RecordedOut(Schema):
    recorded: bool


class IndexOut(Schema):
    """An index (share of satisfied answers, 0-1) with its 95% interval; null when withheld (``suppressed``:
    fewer answers than the minimum group size)."""

    index: float | None = None
    low: float | None = None
    high: float | None = None
    ten_point: float | None = None
    n: int | None = None
    na: int = 0
    suppressed: bool
    mean_score: float | None = None


class CriterionResultOut(IndexOut):
    code: str
    text: str
    about_officer: bool


class FactorResultOut(IndexOut):
    code: str
    name: str
    criteria: list[CriterionResultOut]


class GroupOut(Schema):
    key: str
    label: str
    responses: int | None
    suppressed: bool
    overall: IndexOut
    score: float | None = None
    score_points: float | None = None
    factors: list[FactorResultOut]


class ResultsQuestionnaireOut(Schema):
    code: str
    versions: list[int]
    title: str
    scale_max: int
    satisfied_from: int


class ResultsOut(Schema):
    unit: str | None
    campaign: int | None
    questionnaire: ResultsQuestionnaireOut
    period_from: dt.date = Field(alias="from")
    to: dt.date
    by: str
    minimum: int
    weighted: bool
    groups: list[GroupOut]


class CampaignIn(Schema):
    name: Text = Field(max_length=255)
    questionnaire: Text = Field("sipas", max_length=50, description="its code, or code:version (the version in "
                                                                     "force today when none is given)")
    period_from: Day
    period_to: Day
    unit: Text | None = Field(None, max_length=60, description="the code of the agency whose dossiers are "
                                                               "sampled; none: every agency")
    margin: float = Field(0.05, gt=0, le=0.5, description="margin of error at 95% confidence")
    expected_share: float = Field(0.5, gt=0, lt=1, description="the share expected to be satisfied (0.5: the "
                                                               "largest sample)")
    expected_response_rate: float = Field(1.0, gt=0, le=1, description="the sample is inflated by its inverse")
    seed: int | None = Field(None, ge=0, le=2**63 - 1, description="the random seed (a random one if none)")


class CampaignOut(Schema):
    id: int
    name: str
    questionnaire: str
    version: int
    unit: str | None
    period_from: dt.date
    period_to: dt.date
    margin: float
    expected_share: float
    expected_response_rate: float
    seed: int
    status: str
    status_label: str
    population: int
    sample_size: int
    created_at: dt.datetime
    sent_at: dt.datetime | None
    reminded_at: dt.datetime | None
    closes_at: dt.datetime | None


class CampaignListOut(Schema):
    count: int
    items: list[CampaignOut]


class RemindedOut(Schema):
    reminded: int
    campaign: CampaignOut


class StratumRateOut(Schema):
    key: str
    procedure_code: str
    channel: str
    population: int
    sample: int
    invited: int
    answered: int
    rate: float | None


class RatesOut(Schema):
    campaign: int
    status: str
    population: int
    sample_size: int
    invited: int
    answered: int
    rate: float | None
    strata: list[StratumRateOut]


# --- shaping ------------------------------------------------------------------------------------------------

def questionnaire_out(q: Questionnaire) -> dict[str, Any]:
    return {
        "code": q.code, "version": q.version, "title": q.title, "title_en": q.title_en, "valid_from": q.valid_from,
        "valid_to": q.valid_to, "active": q.active, "per_dossier": q.per_dossier, "asks_comment": q.asks_comment,
        "scale_max": q.scale_max, "satisfied_from": q.satisfied_from,
        "scale": [{"value": v, "vi": q.label(v, "vi"), "en": q.label(v, "en")}
                  for v in range(1, q.scale_max + 1)],
        "factors": [{"code": f.code, "name": f.name, "name_en": f.name_en,
                     "criteria": [{"code": c.code, "text": c.text, "text_en": c.text_en,
                                   "about_officer": c.about_officer, "allows_na": c.allows_na, "overall": c.overall}
                                  for c in f.criteria.all()]} for f in q.factors.all()],
    }


def campaign_out(c: Campaign) -> dict[str, Any]:
    return {"id": c.pk, "name": c.name, "questionnaire": c.questionnaire.code, "version": c.questionnaire.version,
            "unit": c.unit.code if c.unit else None, "period_from": c.period_from, "period_to": c.period_to,
            "margin": float(c.margin), "expected_share": float(c.expected_share),
            "expected_response_rate": float(c.expected_response_rate), "seed": c.seed, "status": c.status,
            "status_label": str(CampaignStatus(c.status).label), "population": c.population,
            "sample_size": c.sample_size, "created_at": c.created_at, "sent_at": c.sent_at,
            "reminded_at": c.reminded_at, "closes_at": c.closes_at}


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, code="invalid_input", details={"fields": [{"field": field, "message": message}]})


# --- anyone ----------------------------------------------------------------------------------------------------

@router.get("/questionnaires", response={200: QuestionnairesOut, 400: ErrorOut}, auth=None,
            summary="The questionnaires, their versions, factors, criteria and scale (anyone)")
def questionnaires(request: HttpRequest) -> dict[str, Any]:
    """Every version of every questionnaire, latest first within a code: its factors and criteria (by code,
    the keys of an answer) and the labels of its scale. A version that answers name never changes; a change
    is a new version."""
    items = [questionnaire_out(q) for q in selectors.questionnaire_catalogue()]
    return {"count": len(items), "items": items}


@router.post("/answers/{token}", response={201: RecordedOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             auth=None, summary="Answer a survey with the one-time link's token (anyone holding it)")
def answer(request: HttpRequest, token: Token, body: AnswerIn) -> tuple[int, dict[str, Any]]:
    """Records the answers once: 404 for a token that names no invitation, 409 ``already_answered`` or
    ``link_expired``, 400 naming the criterion at fault (nothing is stored then). The answer is stored
    without the person and without the instant; the response says only that it was recorded."""
    services.answer_invitation(token, services.Answers(values=dict(body.values), comment=body.comment))
    return 201, {"recorded": True}


# --- staff: the indices of their scope ------------------------------------------------------------------------

FROM = Query(None, alias="from", description="YYYY-MM-DD (1 January of this year, or the campaign's period)")
TO = Query(None, description="YYYY-MM-DD (today, or the end of the campaign's period)")


@router.get("/results", response={200: ResultsOut, **ERRORS}, by_alias=True,
            summary="Satisfaction indices of a unit and period (staff who may see statistics)")
def results(request: HttpRequest, unit: str | None = Query(None, max_length=60),
            from_: str | None = FROM, to: str | None = TO,
            questionnaire: str | None = Query(None, max_length=50, description="code or code:version"),
            by: str | None = Query(None, max_length=20, description="one of " + ", ".join(selectors.GROUPS)),
            channel: str | None = Query(None, max_length=20, description="one of " + ", ".join(Channel.values)),
            campaign: int | None = Query(None, ge=1, le=2**31 - 1)) -> dict[str, Any]:
    """Per criterion, factor and overall: the index (share of answers at or above the questionnaire's
    "satisfied" score), its 95% interval, its base and the ten-point form, overall or per group of ``by``;
    limited to the units the caller may see statistics of. A group or an index under the minimum group size
    is withheld: its values are null and ``suppressed`` true. With ``campaign``, the campaign's answers
    weighted for non-response (N_h / r_h per stratum)."""
    user: User = request.auth  # type: ignore[attr-defined]
    unit_ids, node = selectors.scope_ids(user, unit)
    if by and by not in selectors.GROUPS:
        raise _invalid("by", _("Group by one of: %(groups)s.") % {"groups": ", ".join(selectors.GROUPS)})
    if channel and channel not in Channel.values:
        raise _invalid("channel", _("Choose one of the channels: %(list)s.") % {"list": ", ".join(Channel.values)})
    chosen = None
    if campaign is not None:
        chosen = Campaign.objects.select_related("questionnaire").filter(pk=campaign).first()
        if chosen is None:
            raise NotFound(_("No survey campaign has this number."), code="campaign_not_found")
    today = timezone.localdate()
    start = parse_day(from_, "from", chosen.period_from if chosen else today.replace(month=1, day=1))
    end = parse_day(to, "to", chosen.period_to if chosen else today)
    if end < start:
        raise DomainError(_("The end date is before the start date."), code="invalid_range")
    if (end - start).days > MAX_DAYS:
        raise DomainError(_("Ask for at most ten years at a time."), code="range_too_long")
    version: int | None
    if chosen and not questionnaire:
        code, version = chosen.questionnaire.code, chosen.questionnaire.version
    else:
        code, version = selectors.resolve(questionnaire)
    scope = selectors.Scope(code, start, end, unit_ids, version, channel or "", chosen)
    data = selectors.results(scope, by or None)
    return {"unit": node.code if node else None, "campaign": chosen.pk if chosen else None, **data}


# --- administrators: campaigns ------------------------------------------------------------------------------

def _admin(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    if not has_capability(user, Capability.ADMINISTER):
        raise PermissionDenied(_("Only an administrator may run survey campaigns."), code="forbidden")
    return user


def _campaign(campaign_id: int) -> Campaign:
    found = Campaign.objects.select_related("questionnaire", "unit").filter(pk=campaign_id).first()
    if found is None:
        raise NotFound(_("No survey campaign has this number."), code="campaign_not_found")
    return found


def _questionnaire(spec: str) -> Questionnaire:
    code, version = selectors.resolve(spec)
    qs = Questionnaire.objects.filter(code=code)
    found = qs.filter(version=version).first() if version else (services.current(code) or
                                                                  qs.order_by("-version").first())
    if found is None:
        raise NotFound(_("No questionnaire has this code and version."), code="questionnaire_not_found")
    return found


@router.get("/campaigns", response={200: CampaignListOut, **ERRORS}, summary="Survey campaigns (administrators)")
def campaign_list(request: HttpRequest) -> dict[str, Any]:
    _admin(request)
    items = [campaign_out(c) for c in selectors.campaigns()]
    return {"count": len(items), "items": items}


@router.post("/campaigns", response={201: CampaignOut, **WRITE_ERRORS}, summary="Create a survey campaign "
             "(administrators)")
def campaign_create(request: HttpRequest, body: CampaignIn) -> tuple[int, dict[str, Any]]:
    """A campaign in draft: its sample is drawn and invited by ``send`` once its period is over."""
    user = _admin(request)
    unit = None
    if body.unit:
        unit = OrgUnit.objects.filter(code=body.unit).first()
        if unit is None:
            raise NotFound(_("No organisation unit has this code."), code="unit_not_found")
    created = services.create_campaign(
        user, _questionnaire(body.questionnaire), body.name, body.period_from, body.period_to, unit=unit,
        margin=body.margin, expected_share=body.expected_share, expected_response_rate=body.expected_response_rate,
        seed=body.seed)
    return 201, campaign_out(_campaign(created.pk))


@router.get("/campaigns/{campaign_id}", response={200: CampaignOut, **ERRORS},
            summary="One survey campaign (administrators)")
def campaign_detail(request: HttpRequest, campaign_id: CampaignId) -> dict[str, Any]:
    _admin(request)
    return campaign_out(_campaign(campaign_id))


@router.post("/campaigns/{campaign_id}/send", response={200: CampaignOut, **WRITE_ERRORS},
             summary="Draw the sample and send the invitations (administrators)")
def campaign_send(request: HttpRequest, campaign_id: CampaignId) -> dict[str, Any]:
    """Draws the stratified sample of the period's finished dossiers and sends each its one-time link, in one
    step (409 unless the campaign is a draft whose period is over)."""
    user = _admin(request)
    return campaign_out(_campaign(services.send_invitations(_campaign(campaign_id), user).pk))


@router.post("/campaigns/{campaign_id}/remind", response={200: RemindedOut, **WRITE_ERRORS},
             summary="Send the campaign's one reminder (administrators)")
def campaign_remind(request: HttpRequest, campaign_id: CampaignId) -> dict[str, Any]:
    """To each invitation not answered yet, a new link that replaces the first; once per campaign (409)."""
    user = _admin(request)
    sent = services.remind(_campaign(campaign_id), user)
    return {"reminded": sent, "campaign": campaign_out(_campaign(campaign_id))}


@router.post("/campaigns/{campaign_id}/close", response={200: CampaignOut, **WRITE_ERRORS},
             summary="Close a survey campaign (administrators)")
def campaign_close(request: HttpRequest, campaign_id: CampaignId) -> dict[str, Any]:
    """Its unanswered links stop working; the answers given stay (409 if already closed)."""
    user = _admin(request)
    services.close(_campaign(campaign_id), user)
    return campaign_out(_campaign(campaign_id))


@router.get("/campaigns/{campaign_id}/rates", response={200: RatesOut, **ERRORS},
            summary="A campaign's response rates, per stratum and overall (administrators)")
def campaign_rates(request: HttpRequest, campaign_id: CampaignId) -> dict[str, Any]:
    _admin(request)
    return selectors.campaign_rates(_campaign(campaign_id))
