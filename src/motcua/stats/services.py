"""The statistics app's writes: a leader signs and issues a periodic report; the public results are published
(the rollups are kept by ``rollups``, which the dossier events drive)."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import OrgUnit, User
from motcua.dossiers import codes, files, issuing

from . import kpi, reports, selectors
from .forms import last_full_months
from .models import IssuedReport, PublishedResults


def issue(user: User, unit: OrgUnit | None, scope: kpi.Scope, first: dt.date, last: dt.date) -> IssuedReport:
    """The leader signs and issues the report: the next number of the issuing agency's register of reports of
    the year, the PDF rendered with it and the signer, stored, and recorded. All in one transaction, so a
    number is never lost or given twice: a report is issued a few times a month, so holding the register
    while its PDF renders costs nothing that matters."""
    issuer = reports.issuer_of(unit)
    if issuer is None or not reports.may_issue(user, unit):
        raise PermissionDenied
    now = timezone.now()
    agency_code = issuing.register_agency(issuer)
    year = timezone.localdate(now).year
    with transaction.atomic():
        number = codes.next_paper_number(agency_code, "report", year)
        reference = f"{issuing.format_number(number)}/{reports.symbol(issuer)}"
        out = reports.render(unit, scope, first, last, issuer=issuer, number=reference, signer=user, at=now,
                      preview=False)
        name = files.durable_save(f"reports/{year}/{agency_code}/{number:04d}.pdf", out)
        try:
            return IssuedReport.objects.create(
                unit=unit, issuer=issuer, first=first, last=last, agency_code=agency_code, year=year,
                number=number, reference=reference, file=name, sha256=hashlib.sha256(out).hexdigest(),
                issued_by=user, issued_at=now)
        except BaseException:
            files.discard([name])
            raise


def publish_results(today: dt.date) -> PublishedResults:
    """Compute the public results of the 12 whole months before ``today`` and keep them as the period's row
    (replacing an earlier computation of the same period). Idempotent: ``motcua stats publish`` runs it."""
    first, last = last_full_months(today)
    data = selectors.transparency(today)
    row, _created = PublishedResults.objects.update_or_create(
        last=last, defaults={"first": first, "data": data, "built_at": timezone.now()})
    return row


def current_results(today: dt.date) -> PublishedResults:
    """The row the public pages show: the period's last computation, or a new one when the period has none
    yet (the first visit of a month, a new installation). Kept fresh by the periodic job, not per visit."""
    return selectors.published_results(today) or publish_results(today)
