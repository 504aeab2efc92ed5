"""Reads of the criteria trees: the list with their leaves and points, one tree as ordered rows."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count

from motcua.accounts.choices import UnitKind
from motcua.accounts.models import OrgUnit

from .. import metrics
from ..choices import Rule
from ..models import Node, Tree


@dataclass(frozen=True)
class TreeLine:
    tree: Tree
    leaves: int
    max_points: Decimal
    assessments: int


def trees() -> list[TreeLine]:
    """Every tree, newest year first, with its number of scored leaves and its total points."""
    items = list(Tree.objects.annotate(n_assessments=Count("assessments")).order_by("-year", "scheme"))
    nodes = list(Node.objects.values_list("tree_id", "pk", "parent_id", "max_points"))
    parents = {parent for _tree, _pk, parent, _pts in nodes if parent is not None}
    leaves: dict[int, int] = {}
    totals: dict[int, Decimal] = {}
    for tree_id, pk, parent, points in nodes:
        if pk not in parents:
            leaves[tree_id] = leaves.get(tree_id, 0) + 1
        if parent is None:
            totals[tree_id] = totals.get(tree_id, Decimal(0)) + points
    return [TreeLine(t, leaves.get(t.pk, 0), totals.get(t.pk, Decimal(0)), t.n_assessments)  # type: ignore[attr-defined]
            for t in items]


@dataclass(frozen=True)
class NodeRow:
    node: Node
    leaf: bool
    measure: str
    rule: str
    target: str
    steps: list[tuple[str, Decimal]]


def _pct(value: Any) -> str:
    """0.9 → "90%", 0.825 → "82,5%" (the Vietnamese decimal comma)."""
    return format((Decimal(str(value)) * 100).normalize(), "f").replace(".", ",") + "%"


def rows(tree: Tree) -> list[NodeRow]:
    """The tree's criteria in order (a parent before its children), with what scores each leaf."""
    nodes = list(tree.nodes.order_by("position"))
    parents = {n.parent_id for n in nodes}
    out = []
    for node in nodes:
        metric = metrics.METRICS.get(node.metric)
        out.append(NodeRow(
            node=node, leaf=node.pk not in parents, measure=str(metric.label) if metric else node.metric,
            rule=Rule(node.rule).label if node.rule in Rule.values else "",  # type: ignore[arg-type]
            target=_pct(node.target) if node.target is not None else "",
            steps=[(_pct(at), Decimal(str(pts))) for at, pts in node.steps or []]))
    return out


def total(tree: Tree) -> Decimal:
    return sum((n.max_points for n in tree.nodes.filter(parent__isnull=True)), Decimal(0))


def agencies_to_open(tree: Tree) -> list[OrgUnit]:
    """The current agencies that have no assessment on the tree yet."""
    have = tree.assessments.values_list("agency_id", flat=True)
    return list(OrgUnit.objects.current().filter(kind=UnitKind.AGENCY).exclude(pk__in=have).order_by("name"))
