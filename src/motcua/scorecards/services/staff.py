"""The leader's yearly classification of an officer, beside the one motcua suggests from the reform results
(``selectors.staff``). The levels are those of Decree 90/2020/NĐ-CP as amended by Decree 48/2023/NĐ-CP
[unverified: the 2025 Law on Cadres and Civil Servants may have a newer decree]. The history of each decision
is kept by django-auditlog (``StaffDecision`` is registered in ``apps.py``)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import OrgUnit, User
from motcua.core.errors import DomainError

from ..choices import StaffLevel
from ..models import StaffDecision
from ..selectors import staff as staff_selectors
from . import _need, _text, is_officer_of, leads


def decide(officer: User, agency: OrgUnit, year: int, level: str, note: str, by: User) -> StaffDecision:
    """Record (or change) the leader's classification of ``officer`` for ``year``. Only the agency's leader
    decides, never about themselves; the level is one of ``StaffLevel``; a level other than the one suggested
    now (or when nothing is suggested) needs a note saying why. The suggestion of the moment is stored beside
    the decision."""
    _need(leads(by, agency))
    if officer.pk == by.pk:
        raise DomainError(_("A leader's own classification is decided by their superior, not here."),
                          code="own_classification")
    if not is_officer_of(officer, agency):
        raise DomainError(_("%(name)s is not an officer of %(agency)s.")
                          % {"name": officer.get_full_name() or officer.username, "agency": agency.name},
                          code="not_an_officer")
    if level not in StaffLevel.values:
        raise DomainError(_("Choose one of the four levels of the classification."), code="invalid_input",
                          details={"level": "invalid"})
    if not 2000 <= year <= timezone.localdate().year:
        raise DomainError(_("The year must be the current year or a past one."), code="invalid_input",
                          details={"year": "out_of_range"})
    note = _text(note)
    first, last = staff_selectors.quarter_range(year)
    row = staff_selectors.officer_row(agency, officer, first, last)
    suggested = staff_selectors.suggest(row) if row is not None else ""
    if level != suggested and not note:
        raise DomainError(_("Say in the note why the level differs from the one suggested from the reform "
                            "results (or why you decide without a suggestion)."), code="note_required",
                          details={"note": "required"})
    with transaction.atomic():
        decision = StaffDecision.objects.select_for_update().filter(officer=officer, agency=agency,
                                                                    year=year).first()
        if decision is None:
            decision = StaffDecision(officer=officer, agency=agency, year=year)
        decision.suggested, decision.decided, decision.note, decision.decided_by = suggested, level, note, by
        decision.save()
    return decision
