"""Reads of the legal-document register: an agency's documents with the filters of the register's page, the
counts by review status and the share lawful (as ``metrics.register_counts`` counts it for the index)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from motcua.accounts.choices import UnitKind
from motcua.accounts.models import OrgUnit
from motcua.core.text import fold_vi

from .. import metrics
from ..choices import ReviewStatus
from ..models import LegalDocument

LAWFUL = (ReviewStatus.LAWFUL, ReviewStatus.CORRECTED)


@dataclass(frozen=True)
class Filter:
    year: int | None = None
    status: str = ""
    q: str = ""


def documents(agency: OrgUnit, f: Filter = Filter()) -> list[LegalDocument]:
    """The agency's documents, newest first: issued in ``f.year``, of review status ``f.status``, whose number
    or title contains ``f.q`` (folded: "qd ubnd" finds "QĐ-UBND", "quy hoach" finds "quy hoạch")."""
    qs: QuerySet[LegalDocument] = LegalDocument.objects.filter(agency=agency).select_related("updated_by")
    if f.year:
        qs = qs.filter(issued_on__year=f.year)
    if f.status:
        qs = qs.filter(review_status=f.status)
    rows = list(qs.order_by("-issued_on", "number"))
    words = fold_vi(f.q).split()
    if words:
        # Folding is done here rather than in SQL: a register holds tens of documents a year.
        rows = [d for d in rows if all(w in fold_vi(f"{d.number} {d.title}") for w in words)]
    return rows


def years(agency: OrgUnit) -> list[int]:
    """The years in which the agency's documents were issued, newest first."""
    return sorted({d.year for d in LegalDocument.objects.filter(agency=agency).values_list("issued_on", flat=True)},
                  reverse=True)


def counts(agency: OrgUnit, year: int | None = None) -> dict[str, int]:
    """The number of documents of each review status (every status present, 0 if none)."""
    qs = LegalDocument.objects.filter(agency=agency)
    if year:
        qs = qs.filter(issued_on__year=year)
    found = dict(qs.values_list("review_status").annotate(n=Count("pk")).values_list("review_status", "n"))
    return {s: found.get(s, 0) for s in ReviewStatus.values}


def lawful_share(agency: OrgUnit, first: dt.date, last: dt.date) -> dict[str, Any]:
    """The share of the documents issued in the period found lawful or corrected, repealed ones left out:
    ``{"total", "lawful", "share"}`` with ``share`` None when there is no document — exactly what the
    measure "legal_lawful" of the index reads."""
    total, lawful = metrics.register_counts([agency.pk], first, last).get(agency.pk, (0, 0))
    return {"total": total, "lawful": lawful, "share": lawful / total if total else None}


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


# Every day a document can have been issued on: the share of the whole register.
ALL_TIME = (dt.date(1900, 1, 1), dt.date(9999, 12, 31))


def agencies() -> list[OrgUnit]:
    """The agencies a reader of every register may choose from (departments, boards, communes)."""
    return list(OrgUnit.objects.filter(kind__in=(UnitKind.AGENCY, UnitKind.COMMUNE)).order_by("name"))
