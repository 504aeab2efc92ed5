"""Every read of the surveys app: the questionnaires in force, the indices with their intervals by any
grouping, the department's score on 25 points, the dislikes of 766 indicator 5.4, and the leader's list of
comments. Nothing read here names a person or a dossier; every group under the minimum size is suppressed
(``MOTCUA_SURVEY_MIN_GROUP``, 5 by default) before it leaves this module.

Agency, channel and period groupings are read from the running tallies (``models.Tally``); procedure, desk
and officer groupings from the raw answers, filtered by agency and month first.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from motcua.accounts.choices import UnitKind
from motcua.accounts.models import OrgUnit, User
from motcua.accounts.permissions import Capability, has_capability, own_unit_ids, unit_ids_in_scope
from motcua.catalogue.models import Procedure
from motcua.core.errors import NotFound, PermissionDenied
from motcua.dossiers.choices import Status as DossierStatus
from motcua.dossiers.models import Dossier

from . import indices
from .choices import Channel
from .indices import Cell, Index
from .models import Answer, Campaign, Counter, Criterion, Invitation, Questionnaire, Response, Stratum, Tally

AGENCY_KINDS = (UnitKind.AGENCY, UnitKind.PROVINCE, UnitKind.SERVICE_CENTRE, UnitKind.COMMUNE)
TALLY_GROUPS = ("unit", "channel", "month", "quarter", "year")
RAW_GROUPS = ("procedure", "desk", "officer")
GROUPS = (*TALLY_GROUPS, *RAW_GROUPS)


def minimum_group() -> int:
    return max(1, int(getattr(settings, "MOTCUA_SURVEY_MIN_GROUP", 5)))


def score_formula() -> tuple[str, float]:
    return (str(getattr(settings, "MOTCUA_SURVEY_SCORE_FORMULA", "share")),
            float(getattr(settings, "MOTCUA_SURVEY_SCORE_POINTS", 25)))


def questionnaires() -> list[Questionnaire]:
    return list(Questionnaire.objects.order_by("code", "-version"))


def forms_of(code: str, first: dt.date, last: dt.date) -> list[Questionnaire]:
    """The versions of questionnaire ``code`` whose validity meets [first, last], latest first (answers are
    combined across versions by criterion code)."""
    qs = Questionnaire.objects.filter(code=code, valid_from__lte=last).exclude(valid_to__lt=first)
    return list(qs.order_by("-version")) or list(Questionnaire.objects.filter(code=code).order_by("-version")[:1])


def resolve(spec: str | None) -> tuple[str, int | None]:
    """``"sipas"`` or ``"sipas:2"`` → (code, version or None)."""
    spec = str(spec or getattr(settings, "MOTCUA_SURVEY_DOSSIER_FORM", "dossier")).strip()
    code, _sep, version = spec.partition(":")
    return code, int(version) if version.isdigit() else None


@dataclass
class Scope:
    """What a result covers: a questionnaire code (one version or all), agencies (None: all), whole months."""

    code: str
    first: dt.date
    last: dt.date
    unit_ids: frozenset[int] | None = None
    version: int | None = None
    channel: str = ""
    campaign: Campaign | None = None

    def forms(self) -> list[Questionnaire]:
        forms = forms_of(self.code, self.first, self.last)
        return [f for f in forms if f.version == self.version] if self.version else forms

    def months(self) -> tuple[dt.date, dt.date]:
        return self.first.replace(day=1), self.last


def _text(obj: Any, base: str) -> str:
    english = (get_language() or "vi").startswith("en")
    return (getattr(obj, f"{base}_en", "") if english else "") or getattr(obj, base)


def _label(criterion: Criterion) -> str:
    """"1.2. The premises…" for a numbered criterion; the statement alone for one coded by a word."""
    text = _text(criterion, "text")
    return f"{criterion.code}. {text}" if criterion.code[:1].isdigit() else text


def _period_key(month: dt.date, by: str) -> str:
    if by == "year":
        return f"{month.year}"
    if by == "quarter":
        return f"{month.year}-Q{(month.month - 1) // 3 + 1}"
    return f"{month:%Y-%m}"


def _weights(campaign: Campaign | None, responses: dict[str, float]) -> dict[str, float]:
    """Non-response weights of a campaign's strata: w_h = N_h / r_h (the population the stratum stands for
    over the responses it gave), so that a stratum that answered little counts for its share of the frame."""
    if campaign is None:
        return {}
    out = {}
    for s in Stratum.objects.filter(campaign=campaign):
        got = responses.get(s.key, 0)
        out[s.key] = (s.population / got) if got else 0.0
    return out


def _tally_cells(scope: Scope, forms: list[Questionnaire], by: str | None
                 ) -> tuple[dict[str, dict[str, Cell]], dict[str, Cell]]:
    first, last = scope.months()
    qs = Tally.objects.filter(questionnaire__in=forms, month__gte=first, month__lte=last)
    if scope.unit_ids is not None:
        qs = qs.filter(unit_id__in=scope.unit_ids)
    if scope.channel:
        qs = qs.filter(channel=scope.channel)
    qs = qs.filter(campaign=scope.campaign) if scope.campaign else qs
    fields = ["criterion__code", "stratum"]
    if by == "unit":
        fields.append("unit_id")
    elif by == "channel":
        fields.append("channel")
    elif by in ("month", "quarter", "year"):
        fields.append("month")
    rows = list(qs.values(*fields).annotate(a=Sum("answered"), s=Sum("satisfied"), n=Sum("na"),
                                            sc=Sum("score_sum")))

    def group_of(row: dict[str, Any]) -> str:
        if by == "unit":
            return str(row["unit_id"])
        if by == "channel":
            return str(row["channel"])
        if by in ("month", "quarter", "year"):
            return _period_key(row["month"], by)
        return "all"

    stratum_responses: dict[str, float] = defaultdict(float)
    for row in rows:
        if row["criterion__code"] is None:
            stratum_responses[row["stratum"]] += row["a"] or 0
    weights = _weights(scope.campaign, stratum_responses)
    cells: dict[str, dict[str, Cell]] = defaultdict(lambda: defaultdict(Cell))
    responses: dict[str, Cell] = defaultdict(Cell)
    for row in rows:
        w = weights.get(row["stratum"], 1.0) if scope.campaign else 1.0
        group = group_of(row)
        if row["criterion__code"] is None:
            responses[group].add(row["a"] or 0, 0, 0, 0, w)
        else:
            cells[group][row["criterion__code"]].add(row["a"] or 0, row["s"] or 0, row["n"] or 0, row["sc"] or 0, w)
    return cells, responses


def _responses_of(scope: Scope, forms: list[Questionnaire]) -> Q:
    """The responses of ``scope`` to ``forms`` (agencies, whole months, channel, campaign), as a filter."""
    first, last = scope.months()
    base = Q(questionnaire__in=forms, month__gte=first, month__lte=last)
    if scope.unit_ids is not None:
        base &= Q(unit_id__in=scope.unit_ids)
    if scope.channel:
        base &= Q(channel=scope.channel)
    if scope.campaign:
        base &= Q(campaign=scope.campaign)
    return base


def _raw_cells(scope: Scope, forms: list[Questionnaire], by: str
               ) -> tuple[dict[str, dict[str, Cell]], dict[str, Cell]]:
    field = {"procedure": "procedure_code", "desk": "desk", "officer": "officer_id"}[by]
    cells: dict[str, dict[str, Cell]] = defaultdict(lambda: defaultdict(Cell))
    responses: dict[str, Cell] = defaultdict(Cell)
    for form in forms:
        base = _responses_of(scope, [form])
        if by == "officer":
            base &= Q(officer__isnull=False)
        else:
            base &= ~Q(**{field: ""})
        for row in Response.objects.filter(base).values(field).annotate(n=Count("pk")):
            responses[str(row[field])].add(row["n"], 0, 0, 0)
        answers = Answer.objects.filter(response__in=Response.objects.filter(base))
        if by == "officer":
            answers = answers.filter(criterion__about_officer=True)
        for row in (answers.values(f"response__{field}", "criterion__code")
                    .annotate(a=Count("value"), s=Count("pk", filter=Q(value__gte=form.satisfied_from)),
                              n=Count("pk", filter=Q(value__isnull=True)), sc=Sum("value"))):
            cells[str(row[f"response__{field}"])][row["criterion__code"]].add(
                row["a"], row["s"], row["n"], row["sc"] or 0)
    return cells, responses


def _structure(forms: list[Questionnaire], officer_only: bool = False) -> list[tuple[Any, list[Criterion]]]:
    """The factors and their criteria of the latest version (criteria matched across versions by code)."""
    if not forms:
        return []
    latest = forms[0]
    out = []
    for factor in latest.factors.prefetch_related("criteria"):
        criteria = [c for c in factor.criteria.all() if c.about_officer or not officer_only]
        if criteria:
            out.append((factor, criteria))
    return out


def _group_result(structure: list[tuple[Any, list[Criterion]]], cells: dict[str, Cell], responses: Cell,
                  minimum: int) -> dict[str, Any]:
    n = round(responses.answered)
    if n < minimum:
        return {"responses": None, "suppressed": True, "overall": Index(None, None, None, n, True).as_dict()
                | {"n": None}, "factors": []}
    factors = []
    factor_indices = []
    # The responses a weighted result stands for: its effective size, for the means' intervals.
    base = responses.n_eff if responses.w2 else responses.answered
    for factor, criteria in structure:
        crit = [(c, indices.criterion_index(cells.get(c.code, Cell()), minimum)) for c in criteria]
        f_index = indices.mean_index([i for _c, i in crit], base, minimum)
        factor_indices.append(f_index)
        factors.append({"code": factor.code, "name": _text(factor, "name"), **f_index.as_dict(),
                        "criteria": [{"code": c.code, "text": _text(c, "text"), "label": _label(c),
                                      "about_officer": c.about_officer, **i.as_dict()} for c, i in crit]})
    overall = indices.mean_index(factor_indices, base, minimum)
    formula, points = score_formula()
    return {"responses": n, "suppressed": False, "overall": overall.as_dict(),
            "score": indices.score_of(overall.value, formula, points), "score_points": points, "factors": factors}


def _labels(by: str | None, keys: Iterable[str]) -> dict[str, str]:
    keys = list(keys)
    if by == "unit":
        return {str(pk): name for pk, name in OrgUnit.objects.filter(pk__in=[int(k) for k in keys])
                .values_list("pk", "name")}
    if by == "officer":
        return {str(u.pk): u.get_full_name() for u in User.objects.filter(pk__in=[int(k) for k in keys])}
    if by == "procedure":
        names = dict(Procedure.objects.filter(code__in=keys).values_list("code", "name"))
        return {k: f"{k} — {names[k]}" if k in names else k for k in keys}
    if by == "channel":
        return {k: str(Channel(k).label) if k in Channel.values else k for k in keys}
    if by == "month":
        return {k: f"{k[5:7]}/{k[:4]}" for k in keys}
    if by == "quarter":
        return {k: _("Quarter %(q)s/%(y)s") % {"q": k[-1], "y": k[:4]} for k in keys}
    return {k: (_("All") if k == "all" else k) for k in keys}


def results(scope: Scope, by: str | None = None, minimum: int | None = None) -> dict[str, Any]:
    """The indices of ``scope``, overall or per group of ``by`` (one of ``GROUPS``): per criterion, factor and
    overall, each with its 95% interval, its base and the ten-point form; groups and indices under the
    minimum size suppressed (value, interval and exact base withheld)."""
    if by is not None and by not in GROUPS:
        raise ValueError(by)
    minimum = minimum or minimum_group()
    forms = scope.forms()
    structure = _structure(forms, officer_only=by == "officer")
    if by in RAW_GROUPS:
        cells, responses = _raw_cells(scope, forms, by)
    else:
        cells, responses = _tally_cells(scope, forms, by)
    keys = sorted(set(responses) | set(cells)) if by else ["all"]
    labels = _labels(by, keys)
    groups = []
    for key in keys:
        group = _group_result(structure, cells.get(key, {}), responses.get(key, Cell()), minimum)
        groups.append({"key": key, "label": labels.get(key, key), **group})
    latest = forms[0] if forms else None
    return {"questionnaire": {"code": scope.code, "versions": [f.version for f in forms],
                              "title": _text(latest, "title") if latest else scope.code,
                              "scale_max": latest.scale_max if latest else 5,
                              "satisfied_from": latest.satisfied_from if latest else 4},
            "from": scope.first, "to": scope.last, "by": by or "", "minimum": minimum,
            "weighted": scope.campaign is not None, "groups": groups}


def overall(scope: Scope) -> dict[str, Any]:
    """The whole of ``scope`` as one group (``results`` without a grouping)."""
    return results(scope)["groups"][0]


def department_score(unit_ids: frozenset[int] | None, first: dt.date, last: dt.date,
                     code: str | None = None) -> dict[str, Any]:
    """The satisfaction part of the reform index: the overall index and its score on the configured points
    (for the scorecard, which reads it here rather than copying numbers)."""
    spec_code, version = resolve(code)
    group = overall(Scope(spec_code, first, last, unit_ids, version))
    formula, points = score_formula()
    return {"index": group["overall"]["index"], "low": group["overall"]["low"], "high": group["overall"]["high"],
            "responses": group["responses"], "score": group.get("score"), "points": points, "formula": formula}


def dislike_counts(first: dt.date, last: dt.date, procedure_codes: Iterable[str] | None = None
                   ) -> dict[int, tuple[int, int]]:
    """(responses, dislikes) per agency over the months [first, last] touches, every questionnaire and channel
    (766 indicator 5.4 counts the dossiers that drew a dislike; an answer names no dossier, so it is counted
    by month)."""
    qs = Response.objects.filter(month__gte=first.replace(day=1), month__lte=last)
    if procedure_codes is not None:
        qs = qs.filter(procedure_code__in=list(procedure_codes))
    return {row["unit_id"]: (row["n"], row["d"]) for row in
            qs.values("unit_id").annotate(n=Count("pk"), d=Count("pk", filter=Q(disliked=True)))}


def comments(unit_ids: frozenset[int] | None, first: dt.date, last: dt.date, code: str | None = None,
             limit: int = 200) -> list[dict[str, Any]]:
    """The open comments for the leader: the text (masked of personal data when stored), the agency and the
    month only — not the desk, procedure or officer, which with a date could point at one dossier."""
    spec_code, version = resolve(code)
    qs = Response.objects.filter(questionnaire__code=spec_code, month__gte=first.replace(day=1),
                                 month__lte=last).exclude(comment="")
    if version:
        qs = qs.filter(questionnaire__version=version)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    return [{"month": r["month"], "unit": r["unit__name"], "comment": r["comment"]}
            for r in qs.order_by("-month", "id").values("month", "unit__name", "comment")[:limit]]


def overall_question_counts(first: dt.date, last: dt.date) -> dict[tuple[int, str], tuple[int, int]]:
    """(agency id, procedure code) → (answers to an overall question, satisfied ones) over the months
    [first, last] touches: the public transparency page's satisfaction per procedure."""
    rows = (Answer.objects.filter(criterion__overall=True, value__isnull=False,
                                  response__month__gte=first.replace(day=1), response__month__lte=last)
            .values("response__unit_id", "response__procedure_code")
            .annotate(n=Count("pk"), s=Count("pk", filter=Q(value__gte=F("criterion__questionnaire__satisfied_from")))))
    return {(r["response__unit_id"], r["response__procedure_code"]): (r["n"], r["s"]) for r in rows}


def codes_answered(unit_ids: frozenset[int] | None, first: dt.date, last: dt.date) -> list[str]:
    """The questionnaire codes with answers in [first, last] (the dashboards show one row each)."""
    qs = Tally.objects.filter(month__gte=first.replace(day=1), month__lte=last, criterion__isnull=True)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    return sorted(set(qs.values_list("questionnaire__code", flat=True)))


def title_of(code: str) -> str:
    latest = Questionnaire.objects.filter(code=code).order_by("-version").first()
    return _text(latest, "title") if latest else code

# --- campaigns ------------------------------------------------------------------------------------------------

def stratum_key(procedure_code: str, channel: str) -> str:
    return f"{procedure_code}|{channel}"


def _period_instants(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[first 00:00, the day after last 00:00) in local time: the period's days as the citizens live them."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def campaign_frame(campaign: Campaign) -> dict[str, dict[str, Any]]:
    """The sampling frame of a campaign: the dossiers finished in its period — returned (``returned_at``), or
    done and not yet returned (``processing_ended_at``) — whose processing agency is the campaign's (or its
    subtree; every agency when it has none), by stratum (procedure code × receipt channel). For each stratum
    the ids of ``all`` its dossiers and of those ``reachable``: with an e-mail or a phone on the dossier or
    its owner's account, and not invited by another campaign."""
    start, end = _period_instants(campaign.period_from, campaign.period_to)
    qs = (Dossier.objects.filter(status__in=[DossierStatus.DONE, DossierStatus.RETURNED])
          .annotate(ended=Coalesce("returned_at", "processing_ended_at"))
          .filter(ended__gte=start, ended__lt=end))
    if campaign.unit_id is not None:
        unit = campaign.unit
        qs = qs.filter(processing_unit__path__startswith=unit.path) if unit and unit.path else qs.filter(
            processing_unit=campaign.unit_id)
    invited = set(Invitation.objects.filter(campaign__isnull=False).exclude(campaign=campaign)
                  .values_list("dossier_id", flat=True))
    frame: dict[str, dict[str, Any]] = {}
    rows = qs.values_list("pk", "procedure__code", "channel", "applicant_email", "applicant_phone", "owner__email",
                          "owner__phone")
    for pk, code, channel, email, phone, owner_email, owner_phone in rows.iterator(chunk_size=2000):
        key = stratum_key(code, channel)
        stratum = frame.setdefault(key, {"procedure_code": code, "channel": channel, "all": [], "reachable": []})
        stratum["all"].append(pk)
        if (email or phone or owner_email or owner_phone) and pk not in invited:
            stratum["reachable"].append(pk)
    return frame


def campaigns() -> list[Campaign]:
    return list(Campaign.objects.select_related("questionnaire", "unit").order_by("-period_to", "-id"))


def _rate(answered: int, invited: int) -> float | None:
    return round(answered / invited, 4) if invited else None


def campaign_rates(campaign: Campaign) -> dict[str, Any]:
    """The response rate of a campaign, per stratum and overall: the invitations sent and those used (an
    answer was given). A used invitation says nothing about which answer it gave (``models.Invitation``)."""
    counts = {row["stratum"]: (row["n"], row["u"]) for row in Invitation.objects.filter(campaign=campaign)
              .values("stratum").annotate(n=Count("pk"), u=Count("pk", filter=Q(used=True)))}
    strata = []
    for s in Stratum.objects.filter(campaign=campaign).order_by("key"):
        invited, answered = counts.get(s.key, (0, 0))
        strata.append({"key": s.key, "procedure_code": s.procedure_code, "channel": s.dossier_channel,
                       "population": s.population, "sample": s.sample, "invited": invited, "answered": answered,
                       "rate": _rate(answered, invited)})
    invited = sum(n for n, _u in counts.values())
    answered = sum(u for _n, u in counts.values())
    return {"campaign": campaign.pk, "status": campaign.status, "population": campaign.population,
            "sample_size": campaign.sample_size, "invited": invited, "answered": answered,
            "rate": _rate(answered, invited), "strata": strata}


def questionnaire_catalogue() -> list[Questionnaire]:
    """Every questionnaire version with its factors and criteria, for the public API."""
    return list(Questionnaire.objects.prefetch_related("factors__criteria").order_by("code", "-version"))


# --- staff: scope, raw answers for export, paper sheets --------------------------------------------------------

def scope_ids(user: User, unit: str | None) -> tuple[frozenset[int] | None, OrgUnit | None]:
    """The units whose answers ``user`` may read (statistics rights), narrowed to the subtree of ``unit`` (a
    unit code) when given: (ids or None for everything, the unit). 403 outside the user's scope, 404 for an
    unknown code."""
    if not has_capability(user, Capability.VIEW_STATS):
        raise PermissionDenied(_("You may not see statistics."), code="forbidden")
    if not unit:
        scope = unit_ids_in_scope(user, Capability.VIEW_STATS)
        return (None if scope is None else frozenset(scope)), None
    node = OrgUnit.objects.filter(code=unit).first()
    if node is None:
        raise NotFound(_("No organisation unit has this code."), code="unit_not_found")
    if not has_capability(user, Capability.VIEW_STATS, node):
        raise PermissionDenied(_("You may not see the statistics of this unit."), code="forbidden")
    return frozenset(OrgUnit.objects.filter(path__startswith=node.path).values_list("pk", flat=True)), node


def agencies_in(unit_ids: frozenset[int] | None) -> list[OrgUnit]:
    """The agencies whose answers a reader may filter on (answers name the agency)."""
    qs = OrgUnit.objects.filter(kind__in=AGENCY_KINDS).order_by("name")
    return list(qs if unit_ids is None else qs.filter(pk__in=unit_ids))


OTHER_PROCEDURE = "(khác)"


def response_count(scope: Scope) -> int:
    """How many rows ``raw_answers`` would give (whether the export runs in the background)."""
    return Response.objects.filter(_responses_of(scope, scope.forms())).count()


def raw_answers(scope: Scope, minimum: int | None = None) -> tuple[list[str], list[dict[str, Any]]]:
    """The raw answers of ``scope`` for export, one row per response, anonymised: the month, the agency's code,
    the channel, the questionnaire and version, the procedure only where at least ``minimum`` responses share
    agency, procedure and month (otherwise "(khác)"), and one column per criterion (None: not applicable).
    Never the response's key, the officer, the desk, the dedupe key or the comment; rows shuffled, so that
    their order does not follow the order answers came in. Returns (criterion codes, rows)."""
    minimum = minimum or minimum_group()
    forms = scope.forms()
    responses = Response.objects.filter(_responses_of(scope, forms))
    big = {(r["unit_id"], r["procedure_code"], r["month"]) for r in
           responses.values("unit_id", "procedure_code", "month").annotate(n=Count("pk")) if r["n"] >= minimum}
    codes = [c.code for _f, criteria in _structure(forms) for c in criteria]
    rows: dict[Any, dict[str, Any]] = {}
    for r in responses.values("pk", "month", "unit__code", "unit_id", "channel", "questionnaire__code",
                              "questionnaire__version", "procedure_code"):
        known = (r["unit_id"], r["procedure_code"], r["month"]) in big
        rows[r["pk"]] = {"month": f"{r['month']:%Y-%m}", "agency": r["unit__code"], "channel": r["channel"],
                         "questionnaire": r["questionnaire__code"], "version": r["questionnaire__version"],
                         "procedure": (r["procedure_code"] if known else OTHER_PROCEDURE) if r["procedure_code"]
                         else "", **dict.fromkeys(codes)}
    for rid, code, value in Answer.objects.filter(response__in=responses).values_list(
            "response_id", "criterion__code", "value"):
        if rid in rows and code in rows[rid]:
            rows[rid][code] = value
    out = list(rows.values())
    random.SystemRandom().shuffle(out)
    return codes, out


def codebook(scope: Scope) -> list[dict[str, str]]:
    """What each column of the raw answers means: the fixed columns, then each criterion with its statement
    in both languages, the scale and the coding of "not applicable"."""
    forms = scope.forms()
    latest = forms[0] if forms else None
    scale = "; ".join(f"{v} = {latest.label(v)} / {latest.label(v, 'en')}" for v in
                      range(1, latest.scale_max + 1)) if latest else ""
    out = [
        {"column": "month", "vi": "Tháng trả lời (YYYY-MM)", "en": "Month answered (YYYY-MM)", "values": ""},
        {"column": "agency", "vi": "Mã định danh cơ quan", "en": "Agency identifier code", "values": ""},
        {"column": "channel", "vi": "Kênh", "en": "Channel", "values": ", ".join(Channel.values)},
        {"column": "questionnaire", "vi": "Mã phiếu", "en": "Questionnaire code", "values": ""},
        {"column": "version", "vi": "Phiên bản phiếu", "en": "Questionnaire version", "values": ""},
        {"column": "procedure", "vi": "Mã thủ tục; (khác) khi ít hơn số phiếu tối thiểu",
         "en": "Procedure code; (khác) when fewer than the minimum group", "values": ""},
    ]
    for factor, criteria in _structure(forms):
        for c in criteria:
            out.append({"column": c.code, "vi": f"{factor.code}. {factor.name} — {c.text}",
                        "en": f"{factor.code}. {factor.name_en or factor.name} — {c.text_en or c.text}",
                        "values": scale + ("; (trống / empty) = Không áp dụng / not applicable"
                                           if c.allows_na else "")})
    return out


def sheets_waiting(unit_ids: frozenset[int] | None) -> list[Any]:
    """The paper questionnaires entered once, or whose entries differ, of the reader's agencies."""
    from .choices import SheetStatus
    from .models import PaperSheet

    qs = PaperSheet.objects.exclude(status=SheetStatus.ACCEPTED).select_related("questionnaire", "unit")
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    return list(qs.order_by("-created_at")[:100])
# --- the kiosk at the desk -----------------------------------------------------------------------------------

def kiosk_counters(user: User) -> list[Counter]:
    """The active counters a desk officer may set a kiosk up at: those of the units they receive dossiers
    for as one of their own officers (their desk and its agency); every counter for a tree-wide role."""
    ids = own_unit_ids(user, Capability.RECEIVE_DOSSIERS)
    qs = Counter.objects.filter(active=True).select_related("unit")
    if ids is not None:
        qs = qs.filter(unit_id__in=ids)
    return list(qs.order_by("unit__name", "code"))


def kiosk_counter(unit_id: int, code: str) -> Counter | None:
    """The counter a kiosk's cookie names, if it is still in use."""
    return Counter.objects.select_related("unit").filter(unit_id=unit_id, code=code, active=True).first()


def kiosk_officer(user_id: int) -> User | None:
    """The officer who set the kiosk up, if still an active account (the officer questions are about them)."""
    return User.objects.filter(pk=user_id, is_active=True).first()


def dossier_link(dossier: Any, open_only: bool = False) -> Invitation | None:
    """The dossier's link of the result notice (not a campaign's); ``open_only``: unanswered and unexpired
    (the citizen's page offers to answer only then)."""
    qs = Invitation.objects.filter(dossier=dossier, campaign__isnull=True).select_related(
        "dossier__procedure", "questionnaire")
    if open_only:
        qs = qs.filter(used=False, expires_at__gt=timezone.now())
    return qs.first()
