"""The ranking of the province's agencies on a tree: the total, each area, the band, and the change since the
previous year's tree of the same scheme ("7th of 16, up 8 places")."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from ..choices import TreeStatus
from ..models import Assessment, Node, Score, Tree


@dataclass
class Row:
    assessment: Assessment
    total: Decimal | None
    rank: int | None = None
    band: dict[str, Any] | None = None
    areas: dict[int, Decimal | None] = field(default_factory=dict)
    area_ranks: dict[int, int | None] = field(default_factory=dict)
    previous_total: Decimal | None = None
    previous_rank: int | None = None

    @property
    def agency(self) -> Any:
        return self.assessment.agency

    @property
    def change(self) -> int | None:
        """Places gained since last year (positive: moved up)."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


def competition_ranks(values: dict[Any, Decimal | None]) -> dict[Any, int | None]:
    """1, 2, 2, 4: ties share a rank; no value, no rank."""
    ordered = sorted((v for v in values.values() if v is not None), reverse=True)
    return {k: (ordered.index(v) + 1 if v is not None else None) for k, v in values.items()}


def band_of(tree: Tree, total: Decimal | None) -> dict[str, Any] | None:
    if total is None:
        return None
    for band in tree.bands:  # highest first (``services._check_bands``)
        if total >= Decimal(str(band["min"])):
            return band
    return None


def area_of(nodes: list[Node]) -> dict[int, int]:
    """Each node's area (its ancestor of depth 0)."""
    parent = {n.pk: n.parent_id for n in nodes}
    out = {}
    for n in nodes:
        pk = n.pk
        while parent[pk] is not None:
            pk = parent[pk]  # type: ignore[assignment]
        out[n.pk] = pk
    return out


def finals(tree: Tree) -> dict[int, dict[int, Decimal | None]]:
    """assessment id → leaf node id → final points, in one query."""
    out: dict[int, dict[int, Decimal | None]] = defaultdict(dict)
    for a, n, p in Score.objects.filter(assessment__tree=tree).values_list("assessment_id", "node_id",
                                                                            "final_points"):
        out[a][n] = p
    return out


def sum_known(values: list[Decimal | None]) -> Decimal | None:
    """The sum of the figures known; None when none is (no data is not 0)."""
    known = [v for v in values if v is not None]
    return sum(known, Decimal(0)) if known else None


def previous_tree(tree: Tree) -> Tree | None:
    return Tree.objects.filter(scheme=tree.scheme, year=tree.year - 1).exclude(status=TreeStatus.DRAFT).first()


def ranking(tree: Tree) -> dict[str, Any]:
    """Every agency assessed on ``tree`` with its total (the final scores), rank, band, points and rank by area,
    and last year's total and rank on the previous tree of the scheme."""
    nodes = list(tree.nodes.all())
    areas = [n for n in nodes if n.parent_id is None]
    area = area_of(nodes)
    scores = finals(tree)
    assessments = list(tree.assessments.select_related("agency"))
    rows = []
    for a in assessments:
        mine = scores.get(a.pk, {})
        by_area: dict[int, list[Decimal | None]] = defaultdict(list)
        for node_id, value in mine.items():
            by_area[area[node_id]].append(value)
        rows.append(Row(a, sum_known(list(mine.values())),
                        areas={ar.pk: sum_known(by_area.get(ar.pk, [])) for ar in areas}))
    ranks = competition_ranks({r.assessment.pk: r.total for r in rows})
    for ar in areas:
        area_ranks = competition_ranks({r.assessment.pk: r.areas[ar.pk] for r in rows})
        for r in rows:
            r.area_ranks[ar.pk] = area_ranks[r.assessment.pk]
    for r in rows:
        r.rank = ranks[r.assessment.pk]
        r.band = band_of(tree, r.total)
    before = previous_tree(tree)
    if before is not None:
        old = {a.agency_id: a.total for a in before.assessments.all()}
        old_ranks = competition_ranks(old)
        for r in rows:
            r.previous_total = old.get(r.assessment.agency_id)
            r.previous_rank = old_ranks.get(r.assessment.agency_id)
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.agency.name))
    return {"tree": tree, "areas": areas, "rows": rows, "previous": before, "count": len(rows),
            "max_points": sum_known([n.max_points for n in areas]) or Decimal(0)}


def published_trees() -> QuerySet[Tree]:
    return Tree.objects.filter(status=TreeStatus.PUBLISHED).order_by("-year", "scheme")
