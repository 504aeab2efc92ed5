"""``/api/v1/scorecards``: the criteria trees, the assessments of the reform scorecard with their history, the
rankings and the simulator; the writes of the cycle go through the same services as the pages.

Who sees what: published rankings are public; an agency's officers see their agency's assessments; the
appraisal council, inspectors and administrators see all (``services.may_view``). Thin: parse, call a service
or selector, shape the answer.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import AfterValidator, Field

from motcua.accounts.auth import STAFF_OR_CITIZEN
from motcua.accounts.models import User
from motcua.core.api_schemas import ErrorOut
from motcua.core.errors import NotFound, PermissionDenied

from . import services
from .choices import TreeStatus
from .models import Assessment, Score, Tree
from .selectors import ranking as ranking_selectors
from .selectors import simulator
from .selectors.assessments import in_reform, visible_assessments

router = Router(tags=["Reform scorecards"], auth=STAFF_OR_CITIZEN)

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 409: ErrorOut}
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL in text: refused here as bad input, never a 500 at the database.
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


Text = Annotated[str, Field(max_length=10_000), AfterValidator(_no_nul)]
Code = Annotated[str, Field(max_length=20), AfterValidator(_no_nul)]
Points = Annotated[str, Field(max_length=20, description="points, e.g. \"1.5\""), AfterValidator(_no_nul)]


# --- schemas ----------------------------------------------------------------------------------------------

class BandOut(Schema):
    code: str
    min: float
    name: str = ""


class NodeOut(Schema):
    code: str
    parent: str | None
    depth: int
    name: str
    name_en: str
    max_points: Decimal
    method: str
    metric: str
    rule: str
    target: Decimal | None
    steps: list[list[str]]
    guidance: str
    evidence_required: str


class TreeOut(Schema):
    id: int
    scheme: str
    year: int
    name: str
    name_en: str
    decision: str
    status: str
    data_from: dt.date
    data_to: dt.date
    appeal_days: int
    bands: list[BandOut]
    frozen_at: dt.datetime | None
    published_at: dt.datetime | None


class TreeDetailOut(TreeOut):
    nodes: list[NodeOut]


class TreesOut(Schema):
    count: int
    items: list[TreeOut]


class TreeIn(Schema):
    """A criteria tree in the JSON format of the export (``GET /trees/{id}`` without the ids, or the file of
    ``motcua scorecards export``): scheme, year, name, decision, data period, appeal window, bands and nodes
    with their children."""

    spec: dict[str, Any]
    replace: bool = Field(False, description="replace a draft tree of the same scheme and year")


class AssessmentOut(Schema):
    id: int
    tree: int
    year: int
    agency_code: str
    agency: str
    status: str
    self_total: Decimal | None
    total: Decimal | None
    submitted_at: dt.datetime | None
    appraised_at: dt.datetime | None
    appeal_until: dt.datetime | None
    locked_at: dt.datetime | None
    computed_at: dt.datetime | None


class AssessmentsOut(Schema):
    count: int
    items: list[AssessmentOut]


class ScoreOut(Schema):
    code: str
    max_points: Decimal
    automatic: bool
    self_points: Decimal | None
    self_comment: str
    auto_points: Decimal | None = Field(description="null: no data (never 0 for want of data)")
    auto_detail: dict[str, Any]
    appraised_points: Decimal | None
    appraisal_reason: str
    appeal_points: Decimal | None
    appeal_reason: str
    decided_points: Decimal | None
    decision_reason: str
    final_points: Decimal | None
    evidence: int


class AssessmentDetailOut(AssessmentOut):
    scores: list[ScoreOut]


class ChangeOut(Schema):
    at: dt.datetime
    stage: str
    code: str | None
    old: str
    new: str
    reason: str
    by: str | None


class HistoryOut(Schema):
    count: int
    items: list[ChangeOut]


class RankingRowOut(Schema):
    agency_code: str
    agency: str
    total: Decimal | None
    rank: int | None
    band: str | None
    areas: dict[str, Decimal | None]
    area_ranks: dict[str, int | None]
    previous_total: Decimal | None
    previous_rank: int | None
    change: int | None = Field(description="places gained since last year (negative: lost)")


class RankingOut(Schema):
    tree: TreeOut
    published: bool
    count: int
    rows: list[RankingRowOut]


class OpportunityOut(Schema):
    code: str
    name: str
    automatic: bool
    current: Decimal | None
    max_points: Decimal
    available: Decimal
    value: float | None
    full_at: float | None
    explanation: str


class OpportunitiesOut(Schema):
    count: int
    items: list[OpportunityOut]


class SimulateIn(Schema):
    changes: dict[Code, Annotated[str, Field(max_length=20), AfterValidator(_no_nul)]] = Field(
        description="leaf code → the rate aimed at for an automatic leaf (\"90%\" or \"0.9\") or the points for a "
                    "manual one")


class GainOut(Schema):
    code: str
    points_from: Decimal | None
    points_to: Decimal
    gain: Decimal


class SimulationOut(Schema):
    total_now: Decimal | None
    total_after: Decimal | None
    rank_now: int | None
    rank_after: int | None
    count: int
    gains: list[GainOut]
    errors: dict[str, str]


class PointsIn(Schema):
    points: Points | None = None
    comment: Text = ""


class ReasonedPointsIn(Schema):
    points: Points
    reason: Text = ""


class AppealItemIn(Schema):
    code: Code
    points: Points
    reason: Text


class AppealIn(Schema):
    items: list[AppealItemIn] = Field(max_length=500)


# --- helpers ----------------------------------------------------------------------------------------------

def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _tree_out(t: Tree) -> dict[str, Any]:
    return {"id": t.pk, "scheme": t.scheme, "year": t.year, "name": t.name, "name_en": t.name_en,
            "decision": t.decision, "status": t.status, "data_from": t.data_from, "data_to": t.data_to,
            "appeal_days": t.appeal_days, "bands": t.bands, "frozen_at": t.frozen_at, "published_at": t.published_at}


def _tree(user: User, tree_id: int) -> Tree:
    t = Tree.objects.filter(pk=tree_id).first()
    if t is None or not (in_reform(user) or t.status == TreeStatus.PUBLISHED):
        raise NotFound(_not_found())
    return t


def _not_found() -> str:
    return _("No such scorecard, or you may not see it.")


def _assessment(user: User, assessment_id: int) -> Assessment:
    a = Assessment.objects.select_related("tree", "agency").filter(pk=assessment_id).first()
    if a is None or not services.may_view(user, a):
        raise NotFound(_not_found())
    return a


def _score(a: Assessment, code: str) -> Score:
    s = a.scores.select_related("node").filter(node__code=code).first()
    if s is None:
        raise NotFound(_not_found())
    return s


def _assessment_out(a: Assessment) -> dict[str, Any]:
    return {"id": a.pk, "tree": a.tree_id, "year": a.tree.year, "agency_code": a.agency.code, "agency": a.agency.name,
            "status": a.status, "self_total": a.self_total, "total": a.total, "submitted_at": a.submitted_at,
            "appraised_at": a.appraised_at, "appeal_until": a.appeal_until, "locked_at": a.locked_at,
            "computed_at": a.computed_at}


def _detail(a: Assessment) -> dict[str, Any]:
    scores = (a.scores.select_related("node").order_by("node__position")
              .annotate(n_evidence=Count("evidence", filter=Q(evidence__removed_at__isnull=True))))
    return {**_assessment_out(a), "scores": [{
        "code": s.node.code, "max_points": s.node.max_points, "automatic": s.node.automatic,
        "self_points": s.self_points, "self_comment": s.self_comment, "auto_points": s.auto_points,
        "auto_detail": s.auto_detail, "appraised_points": s.appraised_points, "appraisal_reason": s.appraisal_reason,
        "appeal_points": s.appeal_points, "appeal_reason": s.appeal_reason, "decided_points": s.decided_points,
        "decision_reason": s.decision_reason, "final_points": s.final_points,
        "evidence": s.n_evidence} for s in scores]}  # type: ignore[attr-defined]


def _ranking_out(t: Tree) -> dict[str, Any]:
    data = ranking_selectors.ranking(t)
    codes = {a.pk: a.code for a in data["areas"]}
    return {"tree": _tree_out(t), "published": t.status == TreeStatus.PUBLISHED, "count": data["count"],
            "rows": [{"agency_code": r.agency.code, "agency": r.agency.name, "total": r.total, "rank": r.rank,
                      "band": r.band["code"] if r.band else None,
                      "areas": {codes[k]: v for k, v in r.areas.items()},
                      "area_ranks": {codes[k]: v for k, v in r.area_ranks.items()},
                      "previous_total": r.previous_total, "previous_rank": r.previous_rank, "change": r.change}
                     for r in data["rows"]]}


# --- public -----------------------------------------------------------------------------------------------

@router.get("/rankings", response={200: TreesOut, 400: ErrorOut}, auth=None,
            summary="Published reform rankings (anyone)")
def published_rankings(request: HttpRequest) -> Any:
    items = [_tree_out(t) for t in ranking_selectors.published_trees()]
    return {"count": len(items), "items": items}


@router.get("/rankings/{tree_id}", response={200: RankingOut, 404: ErrorOut}, auth=None,
            summary="A published ranking (anyone): total, areas, bands and the change since last year")
def published_ranking(request: HttpRequest, tree_id: Id) -> Any:
    t = Tree.objects.filter(pk=tree_id, status=TreeStatus.PUBLISHED).first()
    if t is None:
        raise NotFound(_not_found())
    return _ranking_out(t)


# --- trees ------------------------------------------------------------------------------------------------

@router.get("/trees", response={200: TreesOut, **ERRORS}, summary="Criteria trees (those taking part in reform "
                                                                  "scoring)")
def trees(request: HttpRequest) -> Any:
    if not in_reform(_user(request)):
        raise PermissionDenied(_not_found())
    items = [_tree_out(t) for t in Tree.objects.order_by("-year", "scheme")]
    return {"count": len(items), "items": items}


@router.get("/trees/{tree_id}", response={200: TreeDetailOut, **ERRORS}, summary="A criteria tree with its nodes")
def tree(request: HttpRequest, tree_id: Id) -> Any:
    t = _tree(_user(request), tree_id)
    nodes = list(t.nodes.order_by("position"))
    codes = {n.pk: n.code for n in nodes}
    return {**_tree_out(t), "nodes": [{
        "code": n.code, "parent": codes.get(n.parent_id) if n.parent_id else None, "depth": n.depth, "name": n.name,
        "name_en": n.name_en, "max_points": n.max_points, "method": n.method, "metric": n.metric, "rule": n.rule,
        "target": n.target, "steps": n.steps, "guidance": n.guidance, "evidence_required": n.evidence_required,
    } for n in nodes]}


@router.post("/trees", response={201: TreeOut, **WRITE_ERRORS},
             summary="Import a criteria tree as JSON (the council or an administrator)")
def import_tree(request: HttpRequest, payload: TreeIn) -> Any:
    t = services.create_tree(payload.spec, by=_user(request), replace=payload.replace)
    return 201, _tree_out(t)


@router.get("/trees/{tree_id}/ranking", response={200: RankingOut, **ERRORS},
            summary="The ranking of a tree, provisional until published (the council, inspectors)")
def tree_ranking(request: HttpRequest, tree_id: Id) -> Any:
    user = _user(request)
    t = _tree(user, tree_id)
    if t.status != TreeStatus.PUBLISHED and not services.sees_all(user):
        raise NotFound(_not_found())
    return _ranking_out(t)


@router.post("/trees/{tree_id}/publish", response={200: TreeOut, **WRITE_ERRORS},
             summary="Publish the results once every assessment is locked (the council)")
def publish(request: HttpRequest, tree_id: Id) -> Any:
    return _tree_out(services.publish(_tree(_user(request), tree_id), _user(request)))


# --- assessments ------------------------------------------------------------------------------------------

@router.get("/assessments", response={200: AssessmentsOut, **ERRORS},
            summary="The assessments the caller may see (their agency's; all for the council and inspectors)")
def assessments(request: HttpRequest) -> Any:
    items = [_assessment_out(a) for a in visible_assessments(_user(request))]
    return {"count": len(items), "items": items}


@router.get("/assessments/{assessment_id}", response={200: AssessmentDetailOut, **ERRORS},
            summary="An assessment with every leaf's scores (the agency's, the data's, the council's, the final)")
def assessment(request: HttpRequest, assessment_id: Id) -> Any:
    return _detail(_assessment(_user(request), assessment_id))


@router.get("/assessments/{assessment_id}/history", response={200: HistoryOut, **ERRORS},
            summary="Every change of an assessment, oldest first, with who and when")
def history(request: HttpRequest, assessment_id: Id) -> Any:
    a = _assessment(_user(request), assessment_id)
    rows = a.history.select_related("score__node", "by").order_by("pk")  # append-only: the order written
    items = [{"at": c.at, "stage": c.stage, "code": c.score.node.code if c.score else None, "old": c.old,
              "new": c.new, "reason": c.reason, "by": c.by.get_full_name() if c.by else None} for c in rows]
    return {"count": len(items), "items": items}


@router.get("/assessments/{assessment_id}/opportunities", response={200: OpportunitiesOut, **ERRORS},
            summary="Where the next points are: each leaf's points available and what it would take")
def opportunities(request: HttpRequest, assessment_id: Id) -> Any:
    a = _assessment(_user(request), assessment_id)
    items = [{"code": o.node.code, "name": o.node.name, "automatic": o.automatic, "current": o.current,
              "max_points": o.node.max_points, "available": o.available, "value": o.value, "full_at": o.full_at,
              "explanation": o.explain()} for o in simulator.opportunities(a)]
    return {"count": len(items), "items": items}


@router.post("/assessments/{assessment_id}/simulate", response={200: SimulationOut, **ERRORS},
             summary="The total and rank with chosen improvements, against the other agencies' current totals "
                     "(changes nothing)")
def simulate(request: HttpRequest, assessment_id: Id, payload: SimulateIn) -> Any:
    a = _assessment(_user(request), assessment_id)
    s = simulator.simulate(a, payload.changes)
    return {**{k: s[k] for k in ("total_now", "total_after", "rank_now", "rank_after", "count", "errors")},
            "gains": [{"code": g["code"], "points_from": g["from"], "points_to": g["to"], "gain": g["gain"]}
                      for g in s["gains"]]}


@router.post("/assessments/{assessment_id}/scores/{code}/self", response={200: AssessmentDetailOut, **WRITE_ERRORS},
             summary="Self-score a leaf (its owner or the agency's leader, before submission)")
def self_score(request: HttpRequest, assessment_id: Id, code: Code, payload: PointsIn) -> Any:
    a = _assessment(_user(request), assessment_id)
    services.self_score(_score(a, code), payload.points, payload.comment, _user(request))
    return _detail(_assessment(_user(request), assessment_id))


@router.post("/assessments/{assessment_id}/submit", response={200: AssessmentOut, **WRITE_ERRORS},
             summary="Submit the self-assessment to the council (the agency's leader)")
def submit(request: HttpRequest, assessment_id: Id) -> Any:
    return _assessment_out(services.submit(_assessment(_user(request), assessment_id), _user(request)))


@router.post("/assessments/{assessment_id}/scores/{code}/appraisal",
             response={200: AssessmentDetailOut, **WRITE_ERRORS},
             summary="Appraise a leaf (the council); a score different from the agency's needs a reason")
def appraise(request: HttpRequest, assessment_id: Id, code: Code, payload: ReasonedPointsIn) -> Any:
    a = _assessment(_user(request), assessment_id)
    services.appraise(_score(a, code), payload.points, payload.reason, _user(request))
    return _detail(_assessment(_user(request), assessment_id))


@router.post("/assessments/{assessment_id}/send-appraisal", response={200: AssessmentOut, **WRITE_ERRORS},
             summary="Send the appraisal to the agency; the appeal window opens (the council)")
def send_appraisal(request: HttpRequest, assessment_id: Id) -> Any:
    return _assessment_out(services.send_appraisal(_assessment(_user(request), assessment_id), _user(request)))


@router.post("/assessments/{assessment_id}/appeal", response={200: AssessmentOut, **WRITE_ERRORS},
             summary="Appeal leaves within the window, with the points asked for and the grounds (the leader)")
def appeal(request: HttpRequest, assessment_id: Id, payload: AppealIn) -> Any:
    a = _assessment(_user(request), assessment_id)
    items = [(_score(a, i.code), i.points, i.reason) for i in payload.items]
    return _assessment_out(services.appeal(a, items, _user(request)))


@router.post("/assessments/{assessment_id}/scores/{code}/decision",
             response={200: AssessmentDetailOut, **WRITE_ERRORS},
             summary="Decide an appealed leaf, with the reason (the council)")
def decide(request: HttpRequest, assessment_id: Id, code: Code, payload: ReasonedPointsIn) -> Any:
    a = _assessment(_user(request), assessment_id)
    services.decide(_score(a, code), payload.points, payload.reason, _user(request))
    return _detail(_assessment(_user(request), assessment_id))


@router.post("/assessments/{assessment_id}/lock", response={200: AssessmentOut, **WRITE_ERRORS},
             summary="Lock the scores once the appeal window passed or every appeal is decided (the council)")
def lock(request: HttpRequest, assessment_id: Id) -> Any:
    return _assessment_out(services.lock(_assessment(_user(request), assessment_id), _user(request)))
