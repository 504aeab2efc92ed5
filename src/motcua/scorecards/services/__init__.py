"""Every write of the reform scorecards: trees, the yearly cycle of each agency's assessment (self-score,
submission, appraisal, appeal, decision, lock, publication), the automatic leaves, owners, evidence, the
action plan, the legal-document register and the staff classifications.

Each function checks who may do it, runs in one transaction and appends its line to ``ScoreChange``; a
refused action raises ``DomainError`` with a message in the user's language and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from motcua.accounts.models import OrgUnit, User
from motcua.accounts.permissions import Capability, has_capability, holders_of, officers_with, own_unit_ids
from motcua.calendars import selectors as calendar
from motcua.core import links
from motcua.core.errors import Conflict, DomainError, PermissionDenied
from motcua.core.text import nfc
from motcua.notifications import defaults as notice_keys
from motcua.notifications.services import Recipient, notify
from motcua.stats import selectors as stats_selectors

from .. import metrics
from ..choices import AssessmentStatus, EvidenceKind, Method, PlanStatus, Rule, Stage, TreeStatus
from ..models import ActionPlanItem, Assessment, Evidence, Node, Owner, Score, ScoreChange, Tree

CENT = Decimal("0.01")
TOLERANCE = Decimal("0.01")


# --- who may --------------------------------------------------------------------------------------------


def is_council(user: User | None) -> bool:
    return user is not None and has_capability(user, Capability.APPRAISE_REFORM)


def sees_all(user: User | None) -> bool:
    return user is not None and has_capability(user, Capability.VIEW_REFORM)


def is_officer_of(user: User | None, agency: OrgUnit) -> bool:
    """An officer of the agency (or of a unit under it) — never of an agency placed under it."""
    if user is None or not user.is_authenticated:
        return False
    ids = own_unit_ids(user, Capability.ASSESS_REFORM)
    return ids is not None and agency.pk in ids


def leads(user: User | None, agency: OrgUnit) -> bool:
    if user is None or not user.is_authenticated:
        return False
    ids = own_unit_ids(user, Capability.LEAD_REFORM)
    return ids is not None and agency.pk in ids


def may_view(user: User | None, assessment: Assessment) -> bool:
    return sees_all(user) or is_officer_of(user, assessment.agency)


def owns(user: User | None, score: Score) -> bool:
    """Whether ``user`` owns the score's leaf: named owner of it or of a criterion above it."""
    if user is None or not user.is_authenticated:
        return False
    if score.owner_id == user.pk:
        return True
    node_ids = {score.node_id, *ancestor_ids(score.node)}
    return Owner.objects.filter(assessment_id=score.assessment_id, node_id__in=node_ids, user=user).exists()


def may_self_score(user: User | None, score: Score) -> bool:
    return leads(user, score.assessment.agency) or (is_officer_of(user, score.assessment.agency) and owns(user, score))


def ancestor_ids(node: Node) -> list[int]:
    out, pk = [], node.parent_id
    parents = dict(Node.objects.filter(tree_id=node.tree_id).values_list("pk", "parent_id"))
    while pk is not None:
        out.append(pk)
        pk = parents.get(pk)
    return out


def _need(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not do this on this scorecard."))


# --- numbers --------------------------------------------------------------------------------------------


def parse_points(raw: Any, node: Node, name: str = "points") -> Decimal:
    """Points between 0 and the leaf's maximum, with at most two decimals."""
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise DomainError(_("Enter the points as a number, e.g. 1.5."), code="invalid_input",
                          details={name: "not_a_number"}) from None
    if not value.is_finite() or value < 0 or value > node.max_points:
        raise DomainError(_("The points must be between 0 and %(max)s for criterion %(code)s.")
                          % {"max": node.max_points, "code": node.code}, code="out_of_range",
                          details={name: "out_of_range", "max": str(node.max_points)})
    if value != value.quantize(CENT):
        raise DomainError(_("The points take at most two decimals."), code="invalid_input",
                          details={name: "too_precise"})
    return value.quantize(CENT)


def _text(value: str | None) -> str:
    return nfc((value or "").strip())


def _fmt(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def _log(assessment: Assessment, stage: str, by: User | None, *, score: Score | None = None, old: Any = "",
         new: Any = "", reason: str = "") -> None:
    ScoreChange.objects.create(assessment=assessment, score=score, stage=stage, old=str(old)[:255],
                               new=str(new)[:255], reason=reason, by=by)


# --- trees ----------------------------------------------------------------------------------------------


def _check_node(spec: Mapping[str, Any], path: str) -> dict[str, Any]:
    """One node of a tree specification, checked and normalised (``create_tree``'s format)."""
    code = _text(str(spec.get("code") or ""))
    where = code or path
    if not code:
        raise DomainError(_("Criterion %(where)s has no code.") % {"where": path}, code="invalid_tree",
                          details={"node": path, "field": "code"})
    name = _text(spec.get("name"))
    if not name:
        raise DomainError(_("Criterion %(code)s has no name.") % {"code": where}, code="invalid_tree",
                          details={"node": where, "field": "name"})
    try:
        max_points = Decimal(str(spec.get("max_points", "")).replace(",", "."))
    except (InvalidOperation, ValueError):
        max_points = Decimal(-1)
    if not max_points.is_finite() or max_points < 0 or max_points != max_points.quantize(CENT):
        raise DomainError(_("Criterion %(code)s: the maximum points must be a number of 0 or more with at most two "
                            "decimals.") % {"code": where}, code="invalid_tree",
                          details={"node": where, "field": "max_points"})
    children = [_check_node(c, f"{where}.{i + 1}") for i, c in enumerate(spec.get("children") or [])]
    method = str(spec.get("method") or Method.MANUAL)
    if method not in Method.values:
        raise DomainError(_("Criterion %(code)s: unknown scoring method “%(method)s”.")
                          % {"code": where, "method": method}, code="invalid_tree",
                          details={"node": where, "field": "method"})
    metric, rule = str(spec.get("metric") or ""), str(spec.get("rule") or "")
    target, steps = spec.get("target"), spec.get("steps") or []
    if children:
        total = sum((c["max_points"] for c in children), Decimal(0))
        if abs(total - max_points) > TOLERANCE:
            raise DomainError(_("Criterion %(code)s: its maximum (%(max)s) is not the sum of its parts' (%(sum)s).")
                              % {"code": where, "max": max_points, "sum": total}, code="invalid_tree",
                              details={"node": where, "field": "max_points"})
        method, metric, rule, target, steps = Method.MANUAL, "", "", None, []
    elif method != Method.MANUAL:
        if metric not in metrics.METRICS:
            raise DomainError(_("Criterion %(code)s: unknown measure “%(metric)s”.")
                              % {"code": where, "metric": metric}, code="invalid_tree",
                              details={"node": where, "field": "metric"})
        rule = rule or Rule.LINEAR
        if rule not in Rule.values:
            raise DomainError(_("Criterion %(code)s: unknown rule “%(rule)s”.") % {"code": where, "rule": rule},
                              code="invalid_tree", details={"node": where, "field": "rule"})
        target = _rate(target, where, "target", required=rule in (Rule.PROPORTIONAL, Rule.THRESHOLD))
        steps = _steps(steps, where, max_points) if rule == Rule.STEPS else []
    else:
        metric, rule, target, steps = "", "", None, []
    return {"code": code, "name": name, "name_en": _text(spec.get("name_en")), "max_points": max_points,
            "method": method, "metric": metric, "rule": rule, "target": target, "steps": steps,
            "guidance": _text(spec.get("guidance")), "evidence_required": _text(spec.get("evidence_required")),
            "children": children}


def _rate(raw: Any, where: str, name: str, required: bool) -> Decimal | None:
    if raw in (None, ""):
        if required:
            raise DomainError(_("Criterion %(code)s: the rule needs a target rate.") % {"code": where},
                              code="invalid_tree", details={"node": where, "field": name})
        return None
    try:
        value = metrics.parse_rate(raw)
    except ValueError:
        value = Decimal(0)
    if value <= 0:  # a target or a step of 0% is no target
        raise DomainError(_("Criterion %(code)s: a rate is between 0 and 1 (or 0%% and 100%%).") % {"code": where},
                          code="invalid_tree", details={"node": where, "field": name})
    return value.quantize(Decimal("0.0001"))


def _steps(raw: Any, where: str, max_points: Decimal) -> list[list[str]]:
    out = []
    try:
        for at, pts in raw:
            rate, value = _rate(at, where, "steps", True), Decimal(str(pts))
            if rate is None or value < 0 or value > max_points:
                raise ValueError
            out.append([str(rate), str(value)])
    except (TypeError, ValueError, InvalidOperation):
        raise DomainError(_("Criterion %(code)s: steps are pairs of a rate and the points it earns, at most the "
                            "maximum.") % {"code": where}, code="invalid_tree",
                          details={"node": where, "field": "steps"}) from None
    if not out:
        raise DomainError(_("Criterion %(code)s: the rule needs at least one step.") % {"code": where},
                          code="invalid_tree", details={"node": where, "field": "steps"})
    return out


def _check_bands(raw: Any) -> list[dict[str, Any]]:
    out = []
    try:
        for band in raw or []:
            code = _text(str(band["code"]))
            low = Decimal(str(band["min"]))
            if not code or not low.is_finite() or low < 0:
                raise ValueError
            out.append({"code": code, "min": float(low), "name": _text(band.get("name"))})
    except (KeyError, TypeError, ValueError, InvalidOperation, AttributeError):
        raise DomainError(_("Each ranking band needs a code and the lowest total it takes."), code="invalid_tree",
                          details={"field": "bands"}) from None
    return sorted(out, key=lambda b: -b["min"])


def _date(raw: Any, name: str) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise DomainError(_("Enter the date as YYYY-MM-DD."), code="invalid_tree", details={"field": name}) from None


@transaction.atomic
def create_tree(spec: Mapping[str, Any], by: User | None = None, *, replace: bool = False) -> Tree:
    """A tree from its specification (the JSON format of ``exchange``; XLSX is read into it):
    ``{scheme, year, name, name_en, decision, data_from, data_to, appeal_days, bands, nodes: [...]}`` where a
    node is ``{code, name, name_en, max_points, method, metric, rule, target, steps, guidance,
    evidence_required, children}``. ``replace``: a draft tree of the same scheme and year is replaced; a
    frozen one never is."""
    if by is not None:
        _need(is_council(by) or has_capability(by, Capability.ADMINISTER))
    scheme = _text(str(spec.get("scheme") or ""))
    try:
        year = int(spec.get("year") or 0)
    except (TypeError, ValueError):
        year = 0
    if not scheme or not 2000 <= year <= 2100:
        raise DomainError(_("A tree needs its scheme and the year it assesses."), code="invalid_tree",
                          details={"field": "scheme" if not scheme else "year"})
    name = _text(spec.get("name")) or f"{scheme} {year}"
    nodes = [_check_node(n, str(i + 1)) for i, n in enumerate(spec.get("nodes") or [])]
    if not nodes:
        raise DomainError(_("A tree needs at least one area."), code="invalid_tree", details={"field": "nodes"})
    codes: list[str] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            codes.append(item["code"])
            walk(item["children"])
    walk(nodes)
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise DomainError(_("Codes used twice: %(codes)s.") % {"codes": ", ".join(duplicates)}, code="invalid_tree",
                          details={"codes": duplicates})
    data_from = _date(spec.get("data_from") or dt.date(year, 1, 1), "data_from")
    data_to = _date(spec.get("data_to") or dt.date(year, 12, 31), "data_to")
    if data_to < data_from:
        raise DomainError(_("The data period ends before it starts."), code="invalid_tree",
                          details={"field": "data_to"})
    try:
        appeal_days = int(spec.get("appeal_days") or 5)
    except (TypeError, ValueError):
        appeal_days = -1
    if not 1 <= appeal_days <= 60:
        raise DomainError(_("The appeal window is from 1 to 60 working days."), code="invalid_tree",
                          details={"field": "appeal_days"})
    existing = Tree.objects.select_for_update().filter(scheme=scheme, year=year).first()
    if existing is not None:
        if existing.frozen:
            raise Conflict(_("The tree for %(scheme)s %(year)s is frozen: assessment has started on it.")
                           % {"scheme": scheme, "year": year}, code="tree_exists")
        if not replace:
            raise Conflict(_("A tree for %(scheme)s %(year)s already exists; replace it to change the draft.")
                           % {"scheme": scheme, "year": year}, code="tree_exists")
        existing.delete()
    tree = Tree.objects.create(scheme=scheme, year=year, name=name, name_en=_text(spec.get("name_en")),
                               decision=_text(spec.get("decision")), bands=_check_bands(spec.get("bands")),
                               appeal_days=appeal_days, data_from=data_from, data_to=data_to)
    position = 0

    def save(items: list[dict[str, Any]], parent: Node | None, depth: int) -> None:
        nonlocal position
        for item in items:
            position += 1
            node = Node.objects.create(
                tree=tree, parent=parent, code=item["code"], position=position, depth=depth, name=item["name"],
                name_en=item["name_en"], max_points=item["max_points"], method=item["method"], metric=item["metric"],
                rule=item["rule"], target=item["target"], steps=item["steps"], guidance=item["guidance"],
                evidence_required=item["evidence_required"])
            save(item["children"], node, depth + 1)
    save(nodes, None, 0)
    return tree


def check_editable(tree: Tree) -> None:
    if tree.frozen:
        raise Conflict(_("This tree is frozen: assessment has started on it. Publish next year's tree instead."),
                       code="tree_frozen")


@transaction.atomic
def delete_tree(tree: Tree, by: User | None = None) -> None:
    if by is not None:
        _need(is_council(by) or has_capability(by, Capability.ADMINISTER))
    check_editable(tree)
    tree.delete()


def leaves(tree: Tree) -> list[Node]:
    nodes = list(tree.nodes.all())
    parents = {n.parent_id for n in nodes}
    return [n for n in nodes if n.pk not in parents]


# --- the cycle ------------------------------------------------------------------------------------------


@transaction.atomic
def open_assessments(tree: Tree, agencies: Iterable[OrgUnit], by: User | None = None) -> list[Assessment]:
    """Start the cycle for ``agencies`` on ``tree``: the tree freezes, each agency gets its scores (one per
    leaf) and the automatic leaves are filled from the data."""
    if by is not None:
        _need(is_council(by))
    tree = Tree.objects.select_for_update().get(pk=tree.pk)
    if tree.status == TreeStatus.PUBLISHED:
        raise Conflict(_("The results of this tree are published."), code="tree_published")
    if tree.status == TreeStatus.DRAFT:
        tree.status, tree.frozen_at = TreeStatus.OPEN, timezone.now()
        tree.save(update_fields=["status", "frozen_at", "updated_at"])
    tree_leaves = leaves(tree)
    created = []
    for agency in agencies:
        assessment, made = Assessment.objects.get_or_create(tree=tree, agency=agency)
        if made:
            Score.objects.bulk_create([Score(assessment=assessment, node=n) for n in tree_leaves])
            _log(assessment, Stage.STATUS, by, new=AssessmentStatus.SELF)
            created.append(assessment)
    if created:
        recompute(tree, created)
    return created


def agency_scope(assessments: Iterable[Assessment]) -> dict[int, tuple[str, frozenset[int]]]:
    """Each assessed agency's code and the ids of its subtree (what ``metrics.read_many`` reads for)."""
    agencies = [a.agency for a in assessments]
    trees = stats_selectors.subtrees(agencies)
    return {a.pk: (a.code, trees[a.pk]) for a in agencies}


def recompute(tree: Tree, assessments: Iterable[Assessment] | None = None, *,
              at: dt.datetime | None = None) -> int:
    """Fill the automatic leaves of the tree's open assessments from the data (until each locks): the points,
    the rate and the numbers behind it. A change is logged; the totals follow. Returns the scores changed."""
    chosen = list(assessments) if assessments is not None else list(
        tree.assessments.exclude(status=AssessmentStatus.LOCKED).select_related("agency"))
    chosen = [a for a in chosen if a.status != AssessmentStatus.LOCKED]
    auto = [n for n in leaves(tree) if n.automatic]
    if not chosen:
        return 0
    # The data period, cut at today while it runs (the open dossiers are judged now, ``kpi.judged_at``).
    last = min(tree.data_to, timezone.localdate())
    first = min(tree.data_from, last)
    # The notes kept with the figures are written in the site's first language, whoever triggered the run.
    with translation.override(settings.LANGUAGE_CODE):
        readings = metrics.read_many(agency_scope(chosen), {n.metric for n in auto}, first, last) if auto else {}
    changed = 0
    now = at or timezone.now()
    for assessment in chosen:
        with transaction.atomic():
            a = Assessment.objects.select_for_update().get(pk=assessment.pk)
            if a.status == AssessmentStatus.LOCKED:
                continue
            scores = {s.node_id: s for s in a.scores.all()}
            for node in auto:
                score = scores.get(node.pk)
                if score is None:
                    continue
                reading = readings[a.agency_id][node.metric]
                value = metrics.points(reading.value, node.max_points, node.rule, node.target, node.steps)
                detail = {**reading.as_dict(), "metric": node.metric, "from": first.isoformat(),
                          "to": last.isoformat()}
                if value != score.auto_points or detail != score.auto_detail:
                    if value != score.auto_points:
                        _log(a, Stage.AUTO, None, score=score, old=_fmt(score.auto_points),
                             new=_fmt(value) or _("no data"))
                        changed += 1
                    score.auto_points, score.auto_detail = value, detail
                    score.final_points = score.compute_final()
                    score.save(update_fields=["auto_points", "auto_detail", "final_points"])
            a.computed_at = now
            _retotal(a)
    return changed


def recompute_open() -> int:
    """Every tree under way (the periodic job ``scorecards recompute``)."""
    return sum(recompute(t) for t in Tree.objects.filter(status=TreeStatus.OPEN))


def _retotal(a: Assessment) -> None:
    scores = list(a.scores.all())
    own = [s.self_or_auto() for s in scores]
    final = [s.final_points for s in scores]
    a.self_total = sum((v for v in own if v is not None), Decimal(0)) if any(v is not None for v in own) else None
    a.total = sum((v for v in final if v is not None), Decimal(0)) if any(v is not None for v in final) else None
    a.save(update_fields=["self_total", "total", "computed_at", "updated_at"])


def _locked_assessment(pk: int) -> Assessment:
    return Assessment.objects.select_for_update().select_related("tree", "agency").get(pk=pk)


def _expect(a: Assessment, *statuses: str) -> None:
    if a.status not in statuses:
        raise Conflict(_("Not possible now: the assessment is at the stage “%(status)s”.")
                       % {"status": a.get_status_display()}, code="wrong_stage",
                       details={"status": a.status})


@transaction.atomic
def assign_owner(assessment: Assessment, node: Node, user: User, by: User) -> Owner:
    a = _locked_assessment(assessment.pk)
    _need(leads(by, a.agency))
    _expect(a, AssessmentStatus.SELF)
    if node.tree_id != a.tree_id:
        raise DomainError(_("This criterion is not in the assessment's tree."), code="invalid_input")
    if not is_officer_of(user, a.agency):
        raise DomainError(_("%(name)s is not an officer of %(agency)s.") % {"name": user, "agency": a.agency},
                          code="not_an_officer", details={"user": "not_an_officer"})
    owner, made = Owner.objects.get_or_create(assessment=a, node=node, user=user)
    if made:
        _log(a, Stage.OWNER, by, new=f"{node.code}: {user}")
    return owner


@transaction.atomic
def remove_owner(owner: Owner, by: User) -> None:
    a = _locked_assessment(owner.assessment_id)
    _need(leads(by, a.agency))
    _expect(a, AssessmentStatus.SELF)
    _log(a, Stage.OWNER, by, old=f"{owner.node.code}: {owner.user}")
    owner.delete()


def _locked_score(score: Score) -> tuple[Score, Assessment]:
    a = _locked_assessment(score.assessment_id)
    s = Score.objects.select_related("node", "assessment").get(pk=score.pk)
    s.assessment = a
    return s, a


@transaction.atomic
def self_score(score: Score, points: Any, comment: str, by: User) -> Score:
    """The agency's own score of a leaf, by its owner or the leader, before submission. Empty points on an
    automatic leaf: the data's figure stands."""
    s, a = _locked_score(score)
    _need(may_self_score(by, s))
    _expect(a, AssessmentStatus.SELF)
    value = None if (points in (None, "") and s.node.automatic) else parse_points(points, s.node)
    comment = _text(comment)
    if value == s.self_points and comment == s.self_comment:
        return s
    _log(a, Stage.SELF, by, score=s, old=_fmt(s.self_points), new=_fmt(value), reason=comment)
    s.self_points, s.self_comment = value, comment
    s.final_points = s.compute_final()
    s.save(update_fields=["self_points", "self_comment", "final_points"])
    _retotal(a)
    return s


@transaction.atomic
def add_evidence(score: Score, by: User, *, kind: str, file: Any = None, url: str = "", dossier_code: str = "",
                 note: str = "") -> Evidence:
    s, a = _locked_score(score)
    _need(may_self_score(by, s))
    _expect(a, AssessmentStatus.SELF, AssessmentStatus.APPRAISED)
    if kind not in EvidenceKind.values:
        raise DomainError(_("Choose the kind of evidence."), code="invalid_input", details={"kind": "invalid"})
    filled = {EvidenceKind.FILE: file, EvidenceKind.LINK: url.strip(), EvidenceKind.DOSSIER: dossier_code.strip(),
              EvidenceKind.NOTE: note.strip()}[EvidenceKind(kind)]
    if not filled:
        raise DomainError(_("Give the file, the link, the dossier code or the note."), code="invalid_input",
                          details={"evidence": "empty"})
    evidence = Evidence(score=s, kind=kind, url=url.strip(), dossier_code=dossier_code.strip().upper(),
                        note=_text(note), added_by=by)
    if file is not None:
        evidence.file_name = str(getattr(file, "name", ""))[:255]
        evidence.file.save(evidence.file_name or "evidence", file, save=False)
    evidence.save()
    _log(a, Stage.EVIDENCE, by, score=s, new=evidence.file_name or evidence.url or evidence.dossier_code
         or evidence.note[:120])
    return evidence


@transaction.atomic
def remove_evidence(evidence: Evidence, by: User) -> None:
    s, a = _locked_score(evidence.score)
    _need(may_self_score(by, s))
    _expect(a, AssessmentStatus.SELF)
    if evidence.removed_at is None:
        evidence.removed_at = timezone.now()
        evidence.save(update_fields=["removed_at"])
        _log(a, Stage.EVIDENCE, by, score=s, old=evidence.file_name or evidence.url or evidence.dossier_code
             or evidence.note[:120])


def missing_scores(a: Assessment) -> list[str]:
    """The codes of the manual leaves with no self-score (an automatic leaf without data may stay empty)."""
    return [s.node.code for s in a.scores.select_related("node") if s.node.method == Method.MANUAL
            and s.self_points is None]


@transaction.atomic
def submit(assessment: Assessment, by: User) -> Assessment:
    a = _locked_assessment(assessment.pk)
    _need(leads(by, a.agency))
    _expect(a, AssessmentStatus.SELF)
    missing = missing_scores(a)
    if missing:
        raise DomainError(_("Score every criterion before submitting. Still empty: %(codes)s.")
                          % {"codes": ", ".join(missing)}, code="incomplete", details={"missing": missing})
    a.status, a.submitted_at = AssessmentStatus.SUBMITTED, timezone.now()
    a.save(update_fields=["status", "submitted_at", "updated_at"])
    _log(a, Stage.STATUS, by, old=AssessmentStatus.SELF, new=a.status)
    _tell(a, notice_keys.REFORM_SUBMITTED, holders_of(Capability.APPRAISE_REFORM))
    return a


@transaction.atomic
def appraise(score: Score, points: Any, reason: str, by: User) -> Score:
    """The council's score of a leaf. A score different from the agency's needs a reason."""
    s, a = _locked_score(score)
    _need(is_council(by))
    _expect(a, AssessmentStatus.SUBMITTED)
    value = parse_points(points, s.node)
    reason = _text(reason)
    if value != s.self_or_auto() and not reason:
        raise DomainError(_("Give the reason for changing the agency's score."), code="reason_required",
                          details={"reason": "required"})
    _log(a, Stage.APPRAISAL, by, score=s, old=_fmt(s.appraised_points if s.appraised_points is not None
                                                   else s.self_or_auto()), new=_fmt(value), reason=reason)
    s.appraised_points, s.appraisal_reason = value, reason
    s.final_points = s.compute_final()
    s.save(update_fields=["appraised_points", "appraisal_reason", "final_points"])
    _retotal(a)
    return s


def appeal_deadline(a: Assessment, sent: dt.datetime) -> dt.datetime:
    """The end of the appeal window: ``tree.appeal_days`` whole working days after the day the appraisal was
    sent, on the agency's calendar (the one clock)."""
    due = calendar.compute_due(sent, a.tree.appeal_days, "working_days", policy="end_of_day",
                               agency_code=a.agency.code)
    return due.due_at


@transaction.atomic
def send_appraisal(assessment: Assessment, by: User) -> Assessment:
    """The council sends its appraisal: every leaf it did not change keeps the agency's score as appraised, and
    the appeal window opens."""
    a = _locked_assessment(assessment.pk)
    _need(is_council(by))
    _expect(a, AssessmentStatus.SUBMITTED)
    for s in a.scores.filter(appraised_points__isnull=True):
        s.appraised_points = s.self_or_auto()
        s.final_points = s.compute_final()
        s.save(update_fields=["appraised_points", "final_points"])
    now = timezone.now()
    a.status, a.appraised_at, a.appeal_until = AssessmentStatus.APPRAISED, now, appeal_deadline(a, now)
    a.save(update_fields=["status", "appraised_at", "appeal_until", "updated_at"])
    _retotal(a)
    _log(a, Stage.STATUS, by, old=AssessmentStatus.SUBMITTED, new=a.status)
    # The appeal window runs from now: the agency's leaders are told, with its end.
    _tell(a, notice_keys.REFORM_APPRAISED, officers_with(Capability.LEAD_REFORM, a.agency))
    return a


def subject_ref(a: Assessment) -> str:
    """What the notices about an assessment concern (read by those who may see it, ``apps``)."""
    return f"reform-assessment:{a.pk}"


def _tell(a: Assessment, key: str, people: Iterable[User]) -> None:
    """A notice to each person, recorded now and delivered after the commit (``notifications.notify``)."""
    context = {"agency_name": a.agency.name, "tree_name": a.tree.name,
               "self_total": a.self_total if a.self_total is not None else "—",
               "total": a.total if a.total is not None else "—",
               "appeal_until": timezone.localtime(a.appeal_until) if a.appeal_until else None,
               "assessment_url": links.absolute(reverse("scorecards:assessment", args=[a.pk]))}
    for person in people:
        notify(Recipient.from_user(person), key, {**context, "recipient_name": person.get_full_name()},
               subject_ref=subject_ref(a), sender=a.agency.name if key == notice_keys.REFORM_SUBMITTED else "")


@transaction.atomic
def appeal(assessment: Assessment, items: Iterable[tuple[Score, Any, str]], by: User) -> Assessment:
    """The agency's appeal, within the window: the points it asks for on each contested leaf, with grounds."""
    a = _locked_assessment(assessment.pk)
    _need(leads(by, a.agency))
    _expect(a, AssessmentStatus.APPRAISED)
    if a.appeal_until is None or timezone.now() > a.appeal_until:
        raise Conflict(_("The appeal window closed on %(at)s.")
                       % {"at": timezone.localtime(a.appeal_until).strftime("%d/%m/%Y %H:%M")
                          if a.appeal_until else "—"}, code="appeal_closed")
    chosen = []
    for score, points, reason in items:
        s = Score.objects.select_related("node").get(pk=score.pk, assessment=a)
        value = parse_points(points, s.node)
        reason = _text(reason)
        if not reason:
            raise DomainError(_("Give the grounds of the appeal for criterion %(code)s.") % {"code": s.node.code},
                              code="reason_required", details={"reason": "required", "node": s.node.code})
        if value == s.appraised_points:
            raise DomainError(_("Criterion %(code)s: ask for a score different from the appraised one.")
                              % {"code": s.node.code}, code="invalid_input", details={"node": s.node.code})
        chosen.append((s, value, reason))
    if not chosen:
        raise DomainError(_("Choose at least one criterion to appeal."), code="invalid_input",
                          details={"items": "required"})
    for s, value, reason in chosen:
        s.appeal_points, s.appeal_reason = value, reason
        s.save(update_fields=["appeal_points", "appeal_reason"])
        _log(a, Stage.APPEAL, by, score=s, old=_fmt(s.appraised_points), new=_fmt(value), reason=reason)
    a.status, a.appealed_at = AssessmentStatus.APPEALED, timezone.now()
    a.save(update_fields=["status", "appealed_at", "updated_at"])
    _log(a, Stage.STATUS, by, old=AssessmentStatus.APPRAISED, new=a.status)
    return a


@transaction.atomic
def decide(score: Score, points: Any, reason: str, by: User) -> Score:
    """The council's decision on an appealed leaf, with its reason."""
    s, a = _locked_score(score)
    _need(is_council(by))
    _expect(a, AssessmentStatus.APPEALED)
    if s.appeal_points is None:
        raise DomainError(_("This criterion was not appealed."), code="not_appealed")
    value = parse_points(points, s.node)
    reason = _text(reason)
    if not reason:
        raise DomainError(_("Give the reason for the decision."), code="reason_required",
                          details={"reason": "required"})
    _log(a, Stage.DECISION, by, score=s, old=_fmt(s.appraised_points), new=_fmt(value), reason=reason)
    s.decided_points, s.decision_reason = value, reason
    s.final_points = s.compute_final()
    s.save(update_fields=["decided_points", "decision_reason", "final_points"])
    _retotal(a)
    return s


@transaction.atomic
def lock(assessment: Assessment, by: User) -> Assessment:
    """Scores lock: after the appeal window closed with no appeal, or once every appeal is decided."""
    a = _locked_assessment(assessment.pk)
    _need(is_council(by))
    _expect(a, AssessmentStatus.APPRAISED, AssessmentStatus.APPEALED)
    if a.status == AssessmentStatus.APPRAISED and a.appeal_until and timezone.now() <= a.appeal_until:
        raise Conflict(_("The agency may still appeal until %(at)s.")
                       % {"at": timezone.localtime(a.appeal_until).strftime("%d/%m/%Y %H:%M")}, code="appeal_open")
    undecided = [s.node.code for s in a.scores.select_related("node")
                 if s.appeal_points is not None and s.decided_points is None]
    if undecided:
        raise Conflict(_("Decide the appeal on %(codes)s first.") % {"codes": ", ".join(undecided)},
                       code="appeal_undecided", details={"undecided": undecided})
    old = a.status
    a.status, a.locked_at = AssessmentStatus.LOCKED, timezone.now()
    a.save(update_fields=["status", "locked_at", "updated_at"])
    _retotal(a)
    _log(a, Stage.STATUS, by, old=old, new=a.status)
    return a


@transaction.atomic
def publish(tree: Tree, by: User) -> Tree:
    """The results of the tree are published (the ranking becomes public) once every assessment is locked."""
    t = Tree.objects.select_for_update().get(pk=tree.pk)
    _need(is_council(by))
    if t.status != TreeStatus.OPEN:
        raise Conflict(_("Only a tree under assessment can be published."), code="wrong_stage")
    waiting = list(t.assessments.exclude(status=AssessmentStatus.LOCKED).values_list("agency__name", flat=True))
    if waiting or not t.assessments.exists():
        raise Conflict(_("Lock every assessment first. Not locked: %(names)s.") % {"names": ", ".join(waiting) or "—"},
                       code="not_locked", details={"waiting": waiting})
    t.status, t.published_at = TreeStatus.PUBLISHED, timezone.now()
    t.save(update_fields=["status", "published_at", "updated_at"])
    for a in t.assessments.all():
        _log(a, Stage.STATUS, by, old=AssessmentStatus.LOCKED, new=TreeStatus.PUBLISHED)
    return t


# --- action plan ----------------------------------------------------------------------------------------


@transaction.atomic
def plan_improvement(assessment: Assessment, node: Node, *, action: str, owner: User, due: dt.date, by: User,
                     target_value: Any = None, target_points: Any = None) -> ActionPlanItem:
    """An improvement chosen by the leader (from the simulator), with its owner and deadline in the year."""
    a = _locked_assessment(assessment.pk)
    _need(leads(by, a.agency))
    if a.status == AssessmentStatus.LOCKED:
        raise Conflict(_("The assessment is locked."), code="wrong_stage")
    if node.tree_id != a.tree_id or node.children.exists():
        raise DomainError(_("Choose a criterion of the tree that is scored."), code="invalid_input",
                          details={"node": "invalid"})
    action = _text(action)
    if not action:
        raise DomainError(_("Say what will be done."), code="invalid_input", details={"action": "required"})
    if not is_officer_of(owner, a.agency):
        raise DomainError(_("%(name)s is not an officer of %(agency)s.") % {"name": owner, "agency": a.agency},
                          code="not_an_officer", details={"owner": "not_an_officer"})
    if due < timezone.localdate() or due.year > a.tree.year + 1:
        raise DomainError(_("The deadline is between today and the end of the assessment."), code="invalid_input",
                          details={"due": "out_of_range"})
    score = a.scores.get(node=node)
    current = score.final_points or Decimal(0)
    if node.automatic and target_value not in (None, ""):
        rate = _rate(target_value, node.code, "target_value", True)
        points = metrics.points(float(rate or 0), node.max_points, node.rule, node.target, node.steps) or Decimal(0)
    else:
        rate = None
        points = parse_points(node.max_points if target_points in (None, "") else target_points, node,
                              "target_points")
    item = ActionPlanItem.objects.create(assessment=a, node=node, action=action, target_value=rate,
                                         target_points=points, expected_gain=max(points - current, Decimal(0)),
                                         owner=owner, due=due, created_by=by)
    return item


@transaction.atomic
def update_plan_item(item: ActionPlanItem, *, status: str, progress: str, by: User) -> ActionPlanItem:
    i = ActionPlanItem.objects.select_for_update().select_related("assessment__agency").get(pk=item.pk)
    _need(leads(by, i.assessment.agency) or i.owner_id == by.pk)
    if status not in PlanStatus.values:
        raise DomainError(_("Choose a status."), code="invalid_input", details={"status": "invalid"})
    i.status, i.progress = status, _text(progress)
    i.save(update_fields=["status", "progress", "updated_at"])
    return i



# --- results kept elsewhere -----------------------------------------------------------------------------


@transaction.atomic
def import_results(tree: Tree, agency: OrgUnit, points: Mapping[str, Any], by: User | None, *,
                   final: bool) -> Assessment:
    """Load an agency's scores kept in other software (provinces run the PAR cycle in separate software today):
    ``final`` — a past year's appraised results, the assessment created locked; otherwise the agency's
    self-scores of a cycle under way, before its submission. Every leaf named must exist; each score is
    checked against its maximum and logged as imported."""
    if by is not None:
        _need(is_council(by) or has_capability(by, Capability.ADMINISTER))
    if tree.status == TreeStatus.PUBLISHED:
        raise Conflict(_("The results of this tree are published."), code="tree_published")
    open_assessments(tree, [agency])
    a = _locked_assessment(Assessment.objects.get(tree=tree, agency=agency).pk)
    _expect(a, AssessmentStatus.SELF)
    scores = {s.node.code: s for s in a.scores.select_related("node")}
    unknown = sorted(set(points) - set(scores))
    if unknown:
        raise DomainError(_("No scored criterion has the code %(codes)s.") % {"codes": ", ".join(unknown)},
                          code="invalid_input", details={"codes": unknown})
    reason = _("Imported from the results kept before motcua.")
    for code, raw in points.items():
        s = scores[code]
        value = parse_points(raw, s.node)
        if final:
            s.self_points = s.appraised_points = value
        else:
            s.self_points = value
        s.final_points = s.compute_final()
        s.save(update_fields=["self_points", "appraised_points", "final_points"])
        _log(a, Stage.SELF if not final else Stage.APPRAISAL, by, score=s, new=_fmt(value), reason=reason)
    if final:
        missing = [c for c, s in scores.items() if s.final_points is None]
        if missing:
            raise DomainError(_("Give every criterion's result. Missing: %(codes)s.") % {"codes": ", ".join(missing)},
                              code="incomplete", details={"missing": missing})
        a.status, a.locked_at = AssessmentStatus.LOCKED, timezone.now()
        a.save(update_fields=["status", "locked_at", "updated_at"])
        _log(a, Stage.STATUS, by, old=AssessmentStatus.SELF, new=a.status, reason=reason)
    _retotal(a)
    return a
