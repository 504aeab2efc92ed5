"""Reads of the yearly cycle's pages: the assessments a person may see, and one assessment's page — its tree as
ordered rows with the leaves' scores, evidence, owners and the subtotals — and its history."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from motcua.accounts.models import OrgUnit, User
from motcua.accounts.permissions import Capability, has_capability, officers_with, own_unit_ids

from .. import services
from ..models import Assessment, Evidence, Node, Owner, Score, ScoreChange, Tree

HISTORY_PAGE = 50


def in_reform(user: User) -> bool:
    """Whether ``user`` has any part in the reform scorecards (officer, leader, council or reader)."""
    return any(has_capability(user, c) for c in (Capability.ASSESS_REFORM, Capability.APPRAISE_REFORM,
                                                  Capability.VIEW_REFORM))


def visible_assessments(user: User) -> QuerySet[Assessment]:
    """Every assessment for those who see all (council, inspectors); the own agency's for its officers."""
    qs = Assessment.objects.select_related("tree", "agency").order_by("-tree__year", "tree__scheme", "agency__name")
    if services.sees_all(user):
        return qs
    ids = own_unit_ids(user, Capability.ASSESS_REFORM)
    if ids is None:
        return qs
    return qs.filter(agency_id__in=ids)


@dataclass
class TreeGroup:
    tree: Tree
    assessments: list[Assessment] = field(default_factory=list)

    @property
    def all_locked(self) -> bool:
        return bool(self.assessments) and all(a.locked for a in self.assessments)


def by_tree(assessments: list[Assessment]) -> list[TreeGroup]:
    groups: dict[int, TreeGroup] = {}
    for a in assessments:
        groups.setdefault(a.tree_id, TreeGroup(a.tree)).assessments.append(a)
    return list(groups.values())


@dataclass
class Row:
    """One node of the tree on the page: an area or criterion (with its subtotals) or a scored leaf."""

    node: Node
    depth: int
    leaf: bool
    max_points: Decimal
    score: Score | None = None
    evidence: list[Evidence] = field(default_factory=list)
    owners: list[Owner] = field(default_factory=list)
    self_total: Decimal | None = None
    final_total: Decimal | None = None
    may_self_score: bool = False
    forms: dict[str, Any] = field(default_factory=dict)  # the forms the person may use on the leaf (views)
    open: bool = False  # the forms shown unfolded: one of them has an error (views)

    @property
    def auto_detail(self) -> dict[str, Any]:
        return (self.score.auto_detail or {}) if self.score else {}

    @property
    def auto_rate(self) -> Decimal | None:
        """The data's rate as a percentage (one decimal), None without data."""
        value = self.auto_detail.get("value")
        if value is None:
            return None
        return (Decimal(str(value)) * 100).quantize(Decimal("0.1"))


def _add(total: Decimal | None, value: Decimal | None) -> Decimal | None:
    if value is None:
        return total
    return value if total is None else total + value


def assessment_rows(a: Assessment, user: User | None = None) -> list[Row]:
    """The tree in order (areas, criteria, leaves), each leaf with its score, evidence (not removed) and owners;
    each parent with the sums of its leaves' self-scores (or the data's) and final scores. ``may_self_score``
    says whether ``user`` may self-score the leaf (the services check again)."""
    nodes = list(Node.objects.filter(tree_id=a.tree_id).order_by("position"))
    scores = {s.node_id: s for s in Score.objects.filter(assessment=a).select_related("owner")}
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    for e in Evidence.objects.filter(score__assessment=a, removed_at__isnull=True).select_related("added_by"):
        evidence[e.score_id].append(e)
    owners: dict[int, list[Owner]] = defaultdict(list)
    for o in Owner.objects.filter(assessment=a).select_related("user").order_by("node__position", "user__full_name"):
        owners[o.node_id].append(o)
    parents = {n.pk: n.parent_id for n in nodes}
    has_children = {n.parent_id for n in nodes if n.parent_id is not None}
    leader = services.leads(user, a.agency)
    officer = leader or services.is_officer_of(user, a.agency)
    owned = {node_id for node_id, items in owners.items() if user is not None and any(o.user_id == user.pk
                                                                                     for o in items)}
    rows = {n.pk: Row(node=n, depth=n.depth, leaf=n.pk not in has_children, max_points=n.max_points) for n in nodes}
    for n in nodes:
        row = rows[n.pk]
        row.owners = owners.get(n.pk, [])
        if not row.leaf:
            continue
        s = scores.get(n.pk)
        row.score, row.evidence = s, evidence.get(s.pk, []) if s else []
        if s is None:
            continue
        chain: set[int] = set()
        up: int | None = n.pk
        while up is not None:
            chain.add(up)
            up = parents.get(up)
        row.may_self_score = leader or (officer and user is not None and (
            s.owner_id == user.pk or bool(chain & owned)))
        up = n.parent_id
        while up is not None:
            parent = rows[up]
            parent.self_total = _add(parent.self_total, s.self_or_auto())
            parent.final_total = _add(parent.final_total, s.final_points)
            up = parents.get(up)
    return [rows[n.pk] for n in nodes]


def officers_of(agency: OrgUnit) -> list[User]:
    """The officers of the agency (the people who may own a criterion), by name."""
    return officers_with(Capability.ASSESS_REFORM, agency)


def history(a: Assessment, page: Any = 1, per_page: int = HISTORY_PAGE) -> Page[ScoreChange]:
    """The assessment's history, newest first, with who and which criterion."""
    qs = ScoreChange.objects.filter(assessment=a).select_related("by", "score__node").order_by("-at", "-pk")
    return Paginator(qs, per_page).get_page(page)


def appealed_scores(a: Assessment) -> list[Score]:
    return list(Score.objects.filter(assessment=a, appeal_points__isnull=False).select_related("node")
                .order_by("node__position"))
