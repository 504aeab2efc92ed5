"""Every write of the surveys app: questionnaires and their versions, answers from every channel (the one-time
link, the QR code, the kiosk, paper entered twice), the running tallies, campaigns and their invitations.

An answer is stored by ``record`` and nowhere else: it checks the answers against the questionnaire, writes
the response without the person (``models`` docstring), its raw answers and the tallies in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from motcua.accounts.models import OrgUnit, User
from motcua.accounts.permissions import Capability, has_capability
from motcua.core import links, redaction
from motcua.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from motcua.core.text import nfc
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.notifications import defaults as notice_keys
from motcua.notifications.services import Recipient, notify

from . import indices
from .choices import CampaignStatus, Channel, SheetStatus
from .models import (
    Answer,
    Campaign,
    Criterion,
    Factor,
    Invitation,
    PaperSheet,
    Questionnaire,
    Response,
    Stratum,
    Tally,
)

COMMENT_MAX = 2000


def _field_error(message: str, name: str, code: str = "invalid_input") -> DomainError:
    """The API's field error (``core.api_schemas.field_error``'s shape), with its own code where useful."""
    return DomainError(message, code=code, details={"fields": [{"field": name, "message": message}]})


# --- questionnaires ------------------------------------------------------------------------------------

def current(code: str, day: dt.date | None = None) -> Questionnaire | None:
    """The version of questionnaire ``code`` in force on ``day`` (today): the latest active one whose
    validity covers the day."""
    day = day or timezone.localdate()
    qs = Questionnaire.objects.filter(code=code, active=True, valid_from__lte=day).exclude(valid_to__lt=day)
    return qs.order_by("-version").first()


def per_dossier_form(day: dt.date | None = None) -> Questionnaire:
    code = getattr(settings, "MOTCUA_SURVEY_DOSSIER_FORM", "dossier")
    form = current(code, day)
    if form is None:
        raise NotFound(_("No survey questionnaire is in force."), code="no_questionnaire")
    return form


def check_editable(questionnaire: Questionnaire) -> None:
    """A questionnaire that answers name is frozen: its meaning is part of those answers."""
    if questionnaire.pk and questionnaire.frozen:
        raise Conflict(_("This questionnaire already has answers and cannot be changed; make a new version."),
                       code="questionnaire_frozen")


@transaction.atomic
def new_version(questionnaire: Questionnaire, valid_from: dt.date | None = None) -> Questionnaire:
    """Copy a questionnaire, its factors and criteria into the next version, valid from ``valid_from`` (today);
    the previous version ends the day before."""
    start = valid_from or timezone.localdate()
    latest = Questionnaire.objects.filter(code=questionnaire.code).order_by("-version").first()
    number = (latest.version if latest else questionnaire.version) + 1
    copy = Questionnaire.objects.create(
        code=questionnaire.code, version=number, title=questionnaire.title, title_en=questionnaire.title_en,
        valid_from=start, scale_max=questionnaire.scale_max, scale_labels=list(questionnaire.scale_labels),
        satisfied_from=questionnaire.satisfied_from, asks_comment=questionnaire.asks_comment,
        per_dossier=questionnaire.per_dossier, active=True)
    for factor in questionnaire.factors.all():
        new_factor = Factor.objects.create(questionnaire=copy, position=factor.position, code=factor.code,
                                           name=factor.name, name_en=factor.name_en)
        for c in factor.criteria.all():
            Criterion.objects.create(factor=new_factor, position=c.position, code=c.code, text=c.text,
                                     text_en=c.text_en, about_officer=c.about_officer, allows_na=c.allows_na,
                                     overall=c.overall)
    if questionnaire.valid_to is None or questionnaire.valid_to >= start:
        Questionnaire.objects.filter(code=questionnaire.code, version__lt=number).filter(
            valid_to__isnull=True).update(valid_to=start - dt.timedelta(days=1))
    return copy


# --- answers --------------------------------------------------------------------------------------------

@dataclass
class Where:
    """What an answer is about, without the person: the agency, desk, procedure, the officer the officer
    questions are about, the month, and the campaign stratum it was sampled in."""

    unit: OrgUnit
    month: dt.date
    desk: str = ""
    procedure_code: str = ""
    officer: User | None = None
    campaign_id: int | None = None
    stratum: str = ""


@dataclass
class Answers:
    values: Mapping[str, int | None]
    comment: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def check_answers(questionnaire: Questionnaire, answers: Answers) -> dict[int, int | None]:
    """Criterion id → score (None: not applicable), every criterion answered once; raises a field error
    naming the first criterion at fault."""
    criteria = list(questionnaire.criteria.all())
    by_code = {c.code: c for c in criteria}
    unknown = sorted(set(answers.values) - set(by_code))
    if unknown:
        raise _field_error(_("Unknown question: %(code)s.") % {"code": unknown[0]}, unknown[0])
    out: dict[int, int | None] = {}
    for c in criteria:
        if c.code not in answers.values:
            raise _field_error(_("Answer every question (or choose “not applicable” where it is offered)."),
                               c.code, "missing_answer")
        value = answers.values[c.code]
        if value is None:
            if not c.allows_na:
                raise _field_error(_("This question has no “not applicable” answer; choose a score."), c.code)
        elif isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= questionnaire.scale_max:
            raise _field_error(_("Choose a score from 1 to %(max)s.") % {"max": questionnaire.scale_max}, c.code)
        out[c.pk] = value
    if all(v is None for v in out.values()):
        raise _field_error(_("Give a score to at least one question."), criteria[0].code if criteria else "values")
    if len(answers.comment or "") > COMMENT_MAX:
        raise _field_error(_("The comment may have at most 2000 characters."), "comment")
    return out


def dislikes(questionnaire: Questionnaire, criteria: list[Criterion], scores: dict[int, int | None]) -> bool:
    """Whether a response counts as a "dislike" (766 ind. 5.4): its overall question, if the form has one,
    scores below the middle of the scale (1 or 2 of 5); otherwise the mean of its scores does."""
    middle = (questionnaire.scale_max + 1) / 2
    overall = [scores.get(c.pk) for c in criteria if c.overall]
    if overall and overall[0] is not None:
        return overall[0] < middle
    given = [v for v in scores.values() if v is not None]
    return bool(given) and sum(given) / len(given) < middle


def dedupe_key(dossier_id: int, channel: str) -> str:
    """The keyed hash that makes "one answer per dossier and channel" checkable without storing the dossier:
    without the server's secret it cannot be computed from a dossier, and it is never shown or exported."""
    return salted_hmac("motcua.surveys.dedupe", f"{dossier_id}:{channel}", algorithm="sha256").hexdigest()


def record(questionnaire: Questionnaire, answers: Answers, where: Where, channel: str, *,
           dossier_id: int | None = None) -> Response:
    """Store one answered questionnaire. ``dossier_id`` (link, QR, campaign) is only hashed into the
    de-duplication key: a second answer about the same dossier on the same channel is refused (409)."""
    scores = check_answers(questionnaire, answers)
    criteria = list(questionnaire.criteria.all())
    comment = redaction.propose(nfc(answers.comment or "").strip(), {})[0] if answers.comment else ""
    month = where.month.replace(day=1)
    try:
        with transaction.atomic():
            response = Response.objects.create(
                questionnaire=questionnaire, channel=channel, unit=where.unit, desk=where.desk,
                procedure_code=where.procedure_code, officer=where.officer, month=month,
                campaign_id=where.campaign_id, stratum=where.stratum, comment=comment,
                disliked=dislikes(questionnaire, criteria, scores),
                dedupe=dedupe_key(dossier_id, channel) if dossier_id is not None else None)
            Answer.objects.bulk_create([Answer(response=response, criterion_id=cid, value=value)
                                        for cid, value in scores.items()])
            add_to_tallies([response], {response.pk: scores}, questionnaire)
    except IntegrityError as exc:
        raise Conflict(_("An answer about this dossier has already been received. Thank you."),
                       code="already_answered") from exc
    return response


def _tally_key(questionnaire_id: int, criterion_id: int | None, unit_id: int, month: dt.date, channel: str,
               campaign_id: int | None, stratum: str) -> str:
    return f"{questionnaire_id}:{criterion_id or '-'}:{unit_id}:{month:%Y-%m}:{channel}:{campaign_id or '-'}:{stratum}"


def add_to_tallies(responses: list[Response], scores: Mapping[Any, Mapping[int, int | None]],
                   questionnaire: Questionnaire, sign: int = 1) -> None:
    """Add (or, with ``sign`` -1, take back) responses to the running tallies: one upsert per row touched
    (INSERT … ON CONFLICT DO UPDATE, the same statement on SQLite and PostgreSQL)."""
    rows: dict[str, list[Any]] = {}
    threshold = questionnaire.satisfied_from
    for r in responses:
        base = (r.unit_id, r.month, r.channel, r.campaign_id, r.stratum)
        head = _tally_key(questionnaire.pk, None, *base)
        row = rows.setdefault(head, [head, questionnaire.pk, None, *base, 0, 0, 0, 0, 0])
        row[8] += sign
        row[12] += sign if r.disliked else 0
        for cid, value in scores[r.pk].items():
            key = _tally_key(questionnaire.pk, cid, *base)
            row = rows.setdefault(key, [key, questionnaire.pk, cid, *base, 0, 0, 0, 0, 0])
            if value is None:
                row[10] += sign
            else:
                row[8] += sign
                row[9] += sign if value >= threshold else 0
                row[11] += sign * value
    if not rows:
        return
    table = Tally._meta.db_table
    sql = (f"INSERT INTO {table} (key, questionnaire_id, criterion_id, unit_id, month, channel, campaign_id, "  # noqa: S608
           "stratum, answered, satisfied, na, score_sum, disliked) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
           "%s, %s, %s) ON CONFLICT (key) DO UPDATE SET answered = {t}.answered + excluded.answered, "
           "satisfied = {t}.satisfied + excluded.satisfied, na = {t}.na + excluded.na, "
           "score_sum = {t}.score_sum + excluded.score_sum, disliked = {t}.disliked + excluded.disliked"
           ).replace("{t}", table)
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[*row[:4], row[4].isoformat(), *row[5:]] for row in rows.values()])


@transaction.atomic
def retally(questionnaire: Questionnaire | None = None) -> int:
    """Rebuild the tallies from the raw answers (after a restore, or to check them); returns the rows."""
    forms = [questionnaire] if questionnaire else list(Questionnaire.objects.all())
    for form in forms:
        Tally.objects.filter(questionnaire=form).delete()
        batch: list[Response] = []
        # In tally order, so that each batch touches its own tally rows: unordered, every batch upserted most
        # of them again (a province-year, 1,000,000 answers on PostgreSQL: 85 s, and 13,020 pages for 93,160
        # tally rows, dead versions the reads then scan; ordered: 22 s, 1,543 pages — bench/bench_surveys.py).
        for response in (Response.objects.filter(questionnaire=form).order_by("unit_id", "month", "channel")
                         .iterator(chunk_size=2000)):
            batch.append(response)
            if len(batch) >= 2000:
                _retally_batch(form, batch)
                batch = []
        if batch:
            _retally_batch(form, batch)
    if connection.vendor == "postgresql":
        # The planner's statistics of a rebuilt table are those of the old one until autovacuum comes by:
        # one agency's year then scanned every row (57 ms instead of 6; bench/bench_surveys.py).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Tally._meta.db_table}")
    return Tally.objects.count()


def _retally_batch(form: Questionnaire, batch: list[Response]) -> None:
    scores: dict[Any, dict[int, int | None]] = {r.pk: {} for r in batch}
    for rid, cid, value in Answer.objects.filter(response__in=batch).values_list("response_id", "criterion_id",
                                                                                   "value"):
        scores[rid][cid] = value
    add_to_tallies(batch, scores, form)


# --- the dossier's link and QR code ----------------------------------------------------------------------

def link_days() -> int:
    return int(getattr(settings, "MOTCUA_RATING_VALID_DAYS", 60))


def token_digest(token: str) -> str:
    return hashlib.sha256((token or "").encode("utf-8")).hexdigest()


def invite(dossier: Dossier, *, questionnaire: Questionnaire | None = None, campaign_id: int | None = None,
           stratum: str = "", days: int | None = None) -> str | None:
    """Create the one-time link to answer about ``dossier`` (the result notice's, or a campaign's); None when
    the dossier already has that link (one answer per dossier and channel)."""
    form = questionnaire or per_dossier_form()
    token = secrets.token_urlsafe(32)
    expires = timezone.now() + dt.timedelta(days=days or link_days())
    try:
        with transaction.atomic():
            Invitation.objects.create(dossier=dossier, questionnaire=form, campaign_id=campaign_id,
                                      stratum=stratum, digest=token_digest(token), expires_at=expires)
    except IntegrityError:
        return None
    return token


def where_of(dossier: Dossier, *, campaign_id: int | None = None, stratum: str = "") -> Where:
    """What an answer about ``dossier`` is about: its processing agency, procedure, the desk officer who
    received it (the officer the officer questions are about), the month it ended in."""
    unit = dossier.processing_unit
    agency = unit.agency() or unit
    ended = dossier.returned_at or dossier.processing_ended_at or timezone.now()
    receipt = (DossierEvent.objects.filter(dossier=dossier, kind="code_assigned").order_by("seq")
               .select_related("actor").first())
    officer = receipt.actor if receipt and receipt.actor and receipt.actor.is_official else None
    return Where(unit=agency, month=timezone.localdate(ended).replace(day=1), procedure_code=dossier.procedure.code,
                 officer=officer, campaign_id=campaign_id, stratum=stratum)


def invitation_for(token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return (Invitation.objects.select_related("dossier", "dossier__procedure", "dossier__processing_unit",
                                              "questionnaire")
            .filter(digest=token_digest(token)).first())


def answer_invitation(token: str, answers: Answers) -> Response:
    """Answer through a one-time link: once only, before it expires; the invitation is marked used in the
    transaction that stores the answer."""
    invitation = invitation_for(token)
    if invitation is None:
        raise NotFound(_("This survey link is not valid."), code="not_found")
    return answer_invitation_object(invitation, answers)


def answer_invitation_object(invitation: Invitation, answers: Answers) -> Response:
    """``answer_invitation`` once the invitation is found (by its token, or by the signed-in owner)."""
    check_answers(invitation.questionnaire, answers)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
        if locked is None:
            raise NotFound(_("This survey link is not valid."), code="not_found")
        if locked.used:
            raise Conflict(_("This survey has already been answered. Thank you."), code="already_answered")
        if locked.expires_at <= timezone.now():
            raise Conflict(_("This survey link has expired."), code="link_expired")
        Invitation.objects.filter(pk=locked.pk).update(used=True)
        channel = Channel.CAMPAIGN if locked.campaign_id else Channel.LINK
        where = where_of(invitation.dossier, campaign_id=locked.campaign_id, stratum=locked.stratum)
        return record(invitation.questionnaire, answers, where, channel, dossier_id=invitation.dossier_id)


def qr_signature(code: str) -> str:
    return links.survey_signature(code)


def dossier_for_qr(code: str, signature: str) -> Dossier | None:
    if not code or not signature or not constant_time_compare(qr_signature(code), signature):
        return None
    return (Dossier.objects.select_related("procedure", "processing_unit").filter(code=code).first())


def answer_qr(code: str, signature: str, answers: Answers) -> Response:
    dossier = dossier_for_qr(code, signature)
    if dossier is None:
        raise NotFound(_("This survey link is not valid."), code="not_found")
    return record(per_dossier_form(), answers, where_of(dossier), Channel.QR, dossier_id=dossier.pk)


# --- paper, entered twice ----------------------------------------------------------------------------------

@dataclass
class SheetResult:
    sheet: PaperSheet
    accepted: bool
    differences: list[str]


def _sheet_data(questionnaire: Questionnaire, answers: Answers, where: Where) -> dict[str, Any]:
    scores = check_answers(questionnaire, answers)
    codes = {c.pk: c.code for c in questionnaire.criteria.all()}
    return {"values": {codes[cid]: v for cid, v in sorted(scores.items())},
            "comment": nfc(answers.comment or "").strip(), "desk": where.desk,
            "procedure_code": where.procedure_code, "month": where.month.replace(day=1).isoformat(),
            "officer": where.officer.pk if where.officer else None}


def _differences(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    out = [k for k in ("month", "desk", "procedure_code", "officer", "comment") if a.get(k) != b.get(k)]
    va, vb = a.get("values") or {}, b.get("values") or {}
    out += [code for code in sorted(set(va) | set(vb)) if va.get(code) != vb.get(code)]
    return out


def enter_sheet(user: User, questionnaire: Questionnaire, number: str, answers: Answers, where: Where
                ) -> SheetResult:
    """One entry of a paper questionnaire. The first entry waits; a later entry by another person that
    matches an earlier one exactly makes the sheet count (a response on the paper channel); one that matches
    none is kept and the sheet shows the fields that differ, until an entry matches."""
    number = nfc(number or "").strip()
    if not number or len(number) > 40:
        raise _field_error(_("Enter the number printed on the questionnaire."), "number")
    data = _sheet_data(questionnaire, answers, where)
    with transaction.atomic():
        sheet, _created = PaperSheet.objects.select_for_update().get_or_create(
            unit=where.unit, questionnaire=questionnaire, number=number)
        if sheet.status == SheetStatus.ACCEPTED:
            raise Conflict(_("This questionnaire has already been entered twice and counted."),
                           code="sheet_counted")
        if any(e["by"] == user.pk for e in sheet.entries):
            raise Conflict(_("The second entry of a questionnaire must be made by another person."),
                           code="same_person")
        match = next((e for e in sheet.entries if not _differences(e["data"], data)), None)
        differences = [] if match else (_differences(sheet.entries[-1]["data"], data) if sheet.entries else [])
        sheet.entries = [*sheet.entries, {"by": user.pk, "at": timezone.now().isoformat(), "data": data}]
        if match:
            sheet.status = SheetStatus.ACCEPTED
            sheet.save(update_fields=["entries", "status"])
            record(questionnaire, answers, where, Channel.PAPER)
            return SheetResult(sheet, True, [])
        sheet.status = SheetStatus.CONFLICT if differences else SheetStatus.PENDING
        sheet.save(update_fields=["entries", "status"])
        return SheetResult(sheet, False, differences)


# --- campaigns (SIPAS: a sample of the period's finished dossiers, stratified, invited once, reminded once) ----

NOTICE_INVITATION = notice_keys.SURVEY_INVITATION
NOTICE_REMINDER = notice_keys.SURVEY_REMINDER


def reminder_days() -> int:
    return max(1, int(getattr(settings, "MOTCUA_SURVEY_REMINDER_DAYS", 7)))


def _check_admin(user: User | None) -> None:
    # None: a command or the scheduler, run by the operator.
    if user is not None and not has_capability(user, Capability.ADMINISTER):
        raise PermissionDenied(_("Only an administrator may run survey campaigns."), code="forbidden")


def _share(value: Any, name: str, high: float) -> Decimal:
    """A fraction with three decimals (the model's fields), above 0 and at most ``high``."""
    try:
        number = Decimal(str(value)).quantize(Decimal("0.001"))
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if not number.is_finite() or not Decimal(0) < number <= Decimal(str(high)):
        raise _field_error(_("Give a number between %(low)s and %(high)s.") % {"low": 0, "high": high}, name)
    return number


def create_campaign(user: User | None, questionnaire: Questionnaire, name: str, period_from: dt.date,
                    period_to: dt.date, unit: OrgUnit | None = None, margin: float = 0.05,
                    expected_share: float = 0.5, expected_response_rate: float = 1.0,
                    seed: int | None = None) -> Campaign:
    """A campaign in draft: nothing is drawn until ``send_invitations``, so that the frame is read once the
    period's dossiers are finished. ``seed`` makes the draw reproducible (a random one is stored if none is
    given, so that the draw can still be repeated and checked)."""
    _check_admin(user)
    name = nfc(name or "").strip()
    if not name or len(name) > 255:
        raise _field_error(_("Give the campaign a name of at most 255 characters."), "name")
    if period_to < period_from:
        raise _field_error(_("The end of the period is before its start."), "period_to")
    # A margin over 0.5 sizes no useful sample; the decimals are the model's (3 places).
    margin_d = _share(margin, "margin", 0.5)
    share_d = _share(expected_share, "expected_share", 0.999)
    rate_d = _share(expected_response_rate, "expected_response_rate", 1)
    if seed is None:
        seed = secrets.randbelow(2**62)
    elif not 0 <= seed < 2**63:
        raise _field_error(_("Give a whole number from 0 to 2^63 - 1."), "seed")
    return Campaign.objects.create(
        questionnaire=questionnaire, name=name, unit=unit, period_from=period_from, period_to=period_to,
        margin=margin_d, expected_share=share_d, expected_response_rate=rate_d, seed=seed,
        status=CampaignStatus.DRAFT, created_by=user or _system_user())


def _system_user() -> User:
    # A campaign made by a command (no signed-in user) is the first superuser's.
    user = User.objects.filter(is_superuser=True).order_by("pk").first()
    if user is None:
        raise Conflict(_("Create an administrator account first."), code="no_administrator")
    return user


@dataclass
class Draw:
    """A campaign's draw, before anything is written: per stratum key its population (every finished
    dossier), its sample size and the dossiers drawn (ids)."""

    population: int
    sample_size: int
    strata: dict[str, dict[str, Any]]


def draw_sample(campaign: Campaign) -> Draw:
    """Draw the campaign's sample (no write): the frame's strata (procedure × receipt channel), the sample
    size for the campaign's margin at 95% with the finite-population correction, inflated by the expected
    response rate (at most the frame), allocated in proportion to the strata's populations, then a simple
    random draw in each stratum with ``random.Random(campaign.seed)`` over the dossiers in id order, strata
    in key order — the same seed and frame give the same draw.

    A stratum's population counts every finished dossier (it is what the answers stand for: the weights
    N_h / r_h); the draw is among those that can be reached (an e-mail or phone on the dossier or its
    owner's account) and were not invited by another campaign (a dossier is answered about once per channel,
    ``dedupe_key``)."""
    from . import selectors

    frame = selectors.campaign_frame(campaign)
    populations = {key: len(s["all"]) for key, s in frame.items()}
    total = sum(populations.values())
    n = indices.sample_size(total, float(campaign.margin), float(campaign.expected_share))
    rate = float(campaign.expected_response_rate) or 1.0
    n = min(total, math.ceil(n / rate - 1e-9))
    allocation = indices.allocate(populations, n)
    rng = random.Random(campaign.seed)  # noqa: S311 - a reproducible statistical draw, not a secret
    strata: dict[str, dict[str, Any]] = {}
    for key in sorted(frame):
        reachable = sorted(frame[key]["reachable"])
        k = min(allocation.get(key, 0), len(reachable))
        strata[key] = {"procedure_code": frame[key]["procedure_code"], "channel": frame[key]["channel"],
                       "population": populations[key], "allocated": allocation.get(key, 0),
                       "drawn": sorted(rng.sample(reachable, k))}
    return Draw(population=total, sample_size=sum(len(s["drawn"]) for s in strata.values()), strata=strata)


def _recipient(dossier: Dossier) -> Recipient:
    owner = dossier.owner
    return Recipient(name=dossier.applicant_name, email=dossier.applicant_email or (owner.email if owner else ""),
                     phone=dossier.applicant_phone or (owner.phone if owner else ""),
                     language=(owner.preferred_language if owner else "") or "vi")


def _notice(key: str, campaign: Campaign, dossier: Dossier, token: str, expires: dt.datetime) -> None:
    """The invitation or the reminder, to the applicant's contacts. Tied to the campaign, not to the dossier:
    the link is the applicant's alone, and the dossier's notice list is read by its officers."""
    recipient = _recipient(dossier)
    agency = dossier.processing_unit.agency() or dossier.processing_unit
    context = {"recipient_name": dossier.applicant_name, "dossier_code": dossier.public_id,
               "procedure_name": dossier.procedure.name, "agency_name": agency.name,
               "survey_url": links.absolute(reverse("surveys:answer", args=[token])),
               "closes_at": timezone.localtime(expires), "hotline": settings.MOTCUA_SITE.get("hotline", "")}
    notify(recipient, key, context, subject_ref=f"survey-campaign:{campaign.pk}", sender=agency.name)


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().select_related("questionnaire").get(pk=campaign.pk)


@transaction.atomic
def send_invitations(campaign: Campaign, user: User | None = None) -> Campaign:
    """Draw the sample and invite it, in one step: a token is only ever in the notice that carries it (the
    invitation keeps its SHA-256), so the invitations are made and sent together. Writes the strata (their
    populations are the weights' N_h), one invitation per dossier drawn, one notice each; the campaign is
    then ``sent`` and closes when the links expire."""
    _check_admin(user)
    campaign = _locked(campaign)
    if campaign.status != CampaignStatus.DRAFT:
        raise Conflict(_("The invitations of this campaign have already been sent."), code="campaign_not_draft")
    today = timezone.localdate()
    if campaign.period_to >= today:
        raise Conflict(_("The sample is drawn once the period is over: wait until %(day)s.")
                       % {"day": f"{campaign.period_to + dt.timedelta(days=1):%d/%m/%Y}"}, code="period_not_over")
    draw = draw_sample(campaign)
    if not draw.sample_size:
        raise Conflict(_("No finished dossier of the period can be reached: there is no one to invite."),
                       code="empty_frame")
    days = link_days()
    now = timezone.now()
    expires = now + dt.timedelta(days=days)
    Stratum.objects.bulk_create([
        Stratum(campaign=campaign, key=key, procedure_code=s["procedure_code"], dossier_channel=s["channel"],
                population=s["population"], sample=len(s["drawn"])) for key, s in draw.strata.items()])
    drawn = {pk: key for key, s in draw.strata.items() for pk in s["drawn"]}
    dossiers = Dossier.objects.select_related("procedure", "processing_unit", "processing_unit__parent", "owner")
    for dossier in dossiers.filter(pk__in=list(drawn)).order_by("pk"):
        token = invite(dossier, questionnaire=campaign.questionnaire, campaign_id=campaign.pk,
                       stratum=drawn[dossier.pk], days=days)
        if token:
            _notice(NOTICE_INVITATION, campaign, dossier, token, expires)
    campaign.status = CampaignStatus.SENT
    campaign.population, campaign.sample_size = draw.population, draw.sample_size
    campaign.sent_at, campaign.closes_at = now, expires
    campaign.save(update_fields=["status", "population", "sample_size", "sent_at", "closes_at"])
    return campaign


@transaction.atomic
def remind(campaign: Campaign, user: User | None = None) -> int:
    """The one reminder of a campaign: to each invitation not answered yet, a notice with a fresh link that
    replaces the first (only digests are kept, so the first token cannot be sent again). Returns the
    reminders sent."""
    _check_admin(user)
    campaign = _locked(campaign)
    if campaign.status != CampaignStatus.SENT:
        raise Conflict(_("Only a campaign whose invitations were sent, and not closed, can be reminded."),
                       code="campaign_not_sent")
    if campaign.reminded_at is not None:
        raise Conflict(_("This campaign's reminder has already been sent (one reminder only)."),
                       code="already_reminded")
    now = timezone.now()
    sent = 0
    open_ = (Invitation.objects.filter(campaign=campaign, used=False, reminded=False, expires_at__gt=now)
             .select_related("dossier", "dossier__procedure", "dossier__processing_unit",
                             "dossier__processing_unit__parent", "dossier__owner").order_by("pk"))
    for invitation in open_:
        token = secrets.token_urlsafe(32)
        # Still unanswered under the lock the answer takes (``answer_invitation_object``).
        if Invitation.objects.filter(pk=invitation.pk, used=False).update(digest=token_digest(token), reminded=True):
            _notice(NOTICE_REMINDER, campaign, invitation.dossier, token, invitation.expires_at)
            sent += 1
    campaign.reminded_at = now
    campaign.save(update_fields=["reminded_at"])
    return sent


def remind_due(now: dt.datetime | None = None) -> int:
    """Remind every campaign sent at least MOTCUA_SURVEY_REMINDER_DAYS days ago and not reminded yet
    (``motcua surveys remind``, scheduled); returns the reminders sent."""
    now = now or timezone.now()
    due = Campaign.objects.filter(status=CampaignStatus.SENT, reminded_at__isnull=True,
                                  sent_at__lte=now - dt.timedelta(days=reminder_days())).exclude(closes_at__lte=now)
    return sum(remind(campaign) for campaign in due.order_by("pk"))


@transaction.atomic
def close(campaign: Campaign, user: User | None = None) -> Campaign:
    """End a campaign (or abandon a draft): its unanswered links stop working at once. The answers given
    stay, with their strata, for the weighted results."""
    _check_admin(user)
    campaign = _locked(campaign)
    if campaign.status == CampaignStatus.CLOSED:
        raise Conflict(_("This campaign is already closed."), code="campaign_closed")
    now = timezone.now()
    Invitation.objects.filter(campaign=campaign, used=False, expires_at__gt=now).update(expires_at=now)
    campaign.status = CampaignStatus.CLOSED
    campaign.closes_at = now if campaign.closes_at is None or campaign.closes_at > now else campaign.closes_at
    campaign.save(update_fields=["status", "closes_at"])
    return campaign
