"""Reads of the national catalogue joint: the latest comparison, the recent applications."""

from __future__ import annotations

from ..models import CatalogueApplication, CatalogueComparison


def latest_comparison() -> CatalogueComparison | None:
    return CatalogueComparison.objects.first()


def latest_successful() -> CatalogueComparison | None:
    return CatalogueComparison.objects.filter(ok=True).first()


def recent_applications(limit: int = 20) -> list[CatalogueApplication]:
    return list(CatalogueApplication.objects.select_related("applied_by")[:limit])
