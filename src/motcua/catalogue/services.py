"""Every write to the catalogue.

Invariants kept here:
- versions of one procedure never overlap, so ``as_of`` names one version (law is versioned);
- a version is published only with every part Decree 63/2010 Art. 8(2)–(3) requires (``parts``);
- a published version is frozen: a dossier may have been received under it. Only its end date may be
  set (by a later version); anything else needs ``unpublish_version`` first;
- the folded search columns and the full-text index follow every change.
``user`` is None for system callers (the importer, ``motcua demo``); otherwise the user must hold
``Capability.MANAGE_CATALOGUE``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.accounts.permissions import Capability, has_capability
from motcua.core import revisions
from motcua.core.errors import Conflict, DomainError, PermissionDenied
from motcua.core.text import fold_vi, nfc

from . import eform, search
from .choices import InteragencyMode, TimeUnit, VersionStatus
from .models import CatalogueRevision, Field, Procedure, ProcedureVersion
from .parts import missing_parts

# Fields of a published version that may still change: its end (set when a later version starts).
_MUTABLE_WHEN_PUBLISHED = {"valid_to", "updated_at"}
_VERSION_CONTENT = [
    f.name for f in ProcedureVersion._meta.concrete_fields
    if f.name not in {"id", "created_at", "updated_at", "status", "published_at", "published_by"}
]


def bump_revision() -> None:
    """Mark what every process cached of the catalogue for receipts as stale (they compare the token).

    Written in the caller's transaction, so the new token and the change commit together."""
    revisions.bump(CatalogueRevision)


def require_manager(user: User | None) -> None:
    if user is not None and not has_capability(user, Capability.MANAGE_CATALOGUE):
        raise PermissionDenied(_("Only catalogue administrators may change procedures."))


# --- search columns -----------------------------------------------------------------------------


def _body_of(procedure: Procedure) -> str:
    parts: list[str] = [procedure.code, procedure.result_name]
    if procedure.field_id:
        parts.append(procedure.field.name if procedure.field else "")
    if procedure.agency_id and procedure.agency:
        parts.append(procedure.agency.name)
    for version in procedure.versions.prefetch_related("documents", "fees", "legal_bases").all():
        parts += [version.label, version.requirements]
        parts += [d.name for d in version.documents.all()]
        parts += [f.name for f in version.fees.all()]
        parts += [f"{b.instrument} {b.articles}" for b in version.legal_bases.all()]
    return search.index_text(*parts)


def refresh_search(procedure: Procedure) -> None:
    """Recompute the folded columns of ``procedure`` and its row of the full-text index."""
    name_folded = search.index_text(procedure.name)
    body = _body_of(procedure)
    Procedure.objects.filter(pk=procedure.pk).update(name_folded=name_folded, search_body=body)
    procedure.name_folded, procedure.search_body = name_folded, body
    search.index_procedure(procedure.pk, name_folded, body)


def rebuild_search_index() -> int:
    with transaction.atomic():
        for procedure in Procedure.objects.select_related("field", "agency"):
            name_folded = search.index_text(procedure.name)
            body = _body_of(procedure)
            Procedure.objects.filter(pk=procedure.pk).update(name_folded=name_folded, search_body=body)
        return search.rebuild_index()


# --- procedures ---------------------------------------------------------------------------------


def save_field(name: str, code: str = "") -> Field:
    name, code = nfc(name), nfc(code)
    field = Field.objects.filter(name=name).first() or Field(name=name)
    if code:
        field.code = code
    field.name_folded = fold_vi(name)
    field.save()
    return field


@transaction.atomic
def save_procedure(procedure: Procedure, *, user: User | None = None) -> Procedure:
    require_manager(user)
    procedure.code = nfc(procedure.code)
    procedure.name = nfc(procedure.name)
    procedure.result_name = nfc(procedure.result_name)
    procedure.full_clean(exclude=["receiving_units"])
    procedure.save()
    refresh_search(procedure)
    return procedure


def set_retention_years(procedure: Procedure, years: int | None, *, user: User | None) -> Procedure:
    """Set how many years the agency keeps a closed dossier of ``procedure`` (its own list of retention periods,
    docs/security.md), or clear it (``None``: kept permanently). Catalogue administrators only; a value outside
    1-100 is refused and nothing changes. Shortening a period does not touch a dossier already on an approved
    destruction list that is no longer past it (``dossiers.retention.carry_out`` checks again)."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Only catalogue administrators may change procedures."))
    require_manager(user)
    if years is not None and not 1 <= years <= 100:
        message = _("The retention period is a whole number of years from 1 to 100, or empty for permanent.")
        raise DomainError(message, code="invalid_input",
                          details={"fields": [{"field": "retention_years", "message": message}]})
    procedure.retention_years = years
    procedure.save(update_fields=["retention_years", "updated_at"])
    return procedure


@transaction.atomic
def delete_procedure(procedure: Procedure, *, user: User | None = None) -> None:
    require_manager(user)
    if procedure.versions.filter(status=VersionStatus.PUBLISHED).exists():
        raise Conflict(_("Unpublish every version of the procedure before deleting it."),
                       code="procedure_published")
    pk = procedure.pk
    procedure.delete()
    search.unindex_procedure(pk)


# --- versions -----------------------------------------------------------------------------------


def overlapping(version: ProcedureVersion) -> ProcedureVersion | None:
    """Another version of the same procedure whose dates overlap ``version``'s, if any."""
    end = version.valid_to or dt.date.max
    others = ProcedureVersion.objects.filter(procedure_id=version.procedure_id, valid_from__lte=end)
    others = others.exclude(valid_to__lt=version.valid_from)
    if version.pk:
        others = others.exclude(pk=version.pk)
    return others.order_by("valid_from").first()


def _check_dates(version: ProcedureVersion) -> None:
    if version.valid_to is not None and version.valid_to < version.valid_from:
        raise DomainError(_("A version cannot end before it starts."), code="invalid_dates",
                          details={"field": "valid_to"})
    other = overlapping(version)
    if other is not None:
        raise Conflict(
            _("The dates overlap version %(other)s of the same procedure; versions of one procedure "
              "never overlap.") % {"other": str(other)},
            code="version_overlap", details={"field": "valid_from", "other_version": other.pk},
        )


def _check_times(version: ProcedureVersion) -> None:
    legal, target = version.legal_time_amount, version.target_time_amount
    if legal is not None and not version.legal_time_unit:
        raise DomainError(_("Give the unit of the legal time."), code="invalid_time",
                          details={"field": "legal_time_unit"})
    if target is not None and not version.target_time_unit:
        raise DomainError(_("Give the unit of the internal target."), code="invalid_time",
                          details={"field": "target_time_unit"})
    if legal is not None and target is not None and version.legal_time_unit == version.target_time_unit \
            and target >= legal:
        # The target is a shorter internal goal ("within the internal target"): it must be shorter than the legal time.
        raise DomainError(_("The internal target must be shorter than the legal time."),
                          code="invalid_time", details={"field": "target_time_amount"})


def _check_frozen(version: ProcedureVersion) -> None:
    if not version.pk:
        return
    stored = ProcedureVersion.objects.filter(pk=version.pk).values(*_VERSION_CONTENT).first()
    if stored is None or not ProcedureVersion.objects.filter(pk=version.pk,
                                                             status=VersionStatus.PUBLISHED).exists():
        return
    changed = [name for name in _VERSION_CONTENT
               if name not in _MUTABLE_WHEN_PUBLISHED
               and stored[name] != _value(version, name)]
    if changed:
        raise Conflict(_("A published version cannot be changed: unpublish it first, or clone it to start "
                         "the next version."), code="version_published", details={"fields": changed})


def _value(version: ProcedureVersion, name: str) -> Any:
    field = ProcedureVersion._meta.get_field(name)
    return getattr(version, field.attname)  # type: ignore[union-attr]


def _normalise(version: ProcedureVersion) -> None:
    for name in ("label", "legal_time_note", "source"):
        setattr(version, name, nfc(getattr(version, name)))
    version.sequence = version.sequence.strip()
    version.manner = version.manner.strip()
    if version.eform is None:
        version.eform = []


def validate_version(version: ProcedureVersion) -> None:
    """Raise ``DomainError`` if saving ``version`` would break an invariant (used by forms too)."""
    _normalise(version)
    _check_frozen(version)
    _check_times(version)
    _check_dates(version)
    eform.validate_declaration(version.eform)


@transaction.atomic
def save_version(version: ProcedureVersion, *, user: User | None = None) -> ProcedureVersion:
    """Create or change a version, keeping the invariants of this module."""
    require_manager(user)
    validate_version(version)
    version.save()
    refresh_search(version.procedure)
    return version


def ensure_editable(version: ProcedureVersion) -> None:
    """Raise unless the parts of ``version`` (documents, fees, steps…) may change."""
    if version.pk and ProcedureVersion.objects.filter(pk=version.pk, status=VersionStatus.PUBLISHED).exists():
        raise Conflict(_("A published version cannot be changed: unpublish it first, or clone it to start "
                         "the next version."), code="version_published")


def after_parts_saved(version: ProcedureVersion) -> None:
    """Called once the documents, fees, steps… of ``version`` have been written."""
    check_step_budgets(version)
    check_participants(version)
    refresh_search(version.procedure)


def check_step_budgets(version: ProcedureVersion) -> None:
    """The steps' budgets (in the legal time's unit) may not add up to more than the legal time.

    Steps with the same order run in parallel, so each order counts with its longest budget.
    """
    unit = version.legal_time_unit
    if version.legal_time_amount is None or unit not in (TimeUnit.WORKING_DAYS, TimeUnit.WORKING_HOURS):
        return
    longest: dict[int, Any] = {}
    for step in version.steps.all():
        if step.budget_amount is None or step.budget_unit != unit:
            continue
        longest[step.order] = max(longest.get(step.order, 0), step.budget_amount)
    total = sum(longest.values())
    if total > version.legal_time_amount:
        raise DomainError(
            _("The steps take %(total)s %(unit)s, more than the legal time of %(legal)s.")
            % {"total": total, "unit": TimeUnit(unit).label, "legal": version.legal_time_amount},
            code="steps_exceed_legal_time", details={"total": str(total)},
        )


def check_participants(version: ProcedureVersion) -> None:
    """An inter-agency version (dossier-lifecycle.md §5) names its mode and at least two agencies, exactly one
    of them the lead, which is the procedure's implementing agency (it assembles and signs the result); on
    paper the lead comes last, after the agencies that pass the dossier on to it. The shares of the time, in
    the legal time's unit, may not add up to more than the legal time (the agencies that work at once count
    with the longest share)."""
    rows = list(version.participants.select_related("agency").order_by("order", "id"))
    mode = version.interagency_mode
    if not rows and not mode:
        return
    if not mode:
        raise DomainError(_("Say how the dossier travels between the participating agencies."),
                          code="interagency_mode_missing")
    if len(rows) < 2:
        raise DomainError(_("An inter-agency procedure names at least two participating agencies."),
                          code="interagency_too_few")
    leads = [p for p in rows if p.lead]
    if len(leads) != 1:
        raise DomainError(_("Exactly one participating agency is the lead agency."), code="interagency_lead")
    agency = version.procedure.agency
    if agency is not None and leads[0].agency_id != agency.pk:
        raise DomainError(_("The lead agency is the procedure's implementing agency."),
                          code="interagency_lead_agency")
    if mode == InteragencyMode.SEQUENTIAL and rows[-1] is not leads[0]:
        raise DomainError(_("On paper the lead agency comes last: it assembles the result."),
                          code="interagency_lead_last")
    unit = version.legal_time_unit
    if version.legal_time_amount is None:
        return
    shares = [p.share_amount for p in rows if p.share_amount is not None and p.share_unit == unit]
    partners = [p.share_amount for p in rows if not p.lead and p.share_amount is not None and p.share_unit == unit]
    lead = leads[0].share_amount if leads[0].share_unit == unit else None
    total = (sum(partners) if mode == InteragencyMode.SEQUENTIAL else max(partners, default=0)) + (lead or 0)
    if shares and total > version.legal_time_amount:
        raise DomainError(
            _("The agencies' shares take %(total)s %(unit)s, more than the legal time of %(legal)s.")
            % {"total": total, "unit": TimeUnit(unit).label, "legal": version.legal_time_amount},
            code="interagency_shares_exceed", details={"total": str(total)})


@transaction.atomic
def publish_version(version: ProcedureVersion, *, user: User | None = None) -> ProcedureVersion:
    """Publish ``version``; refused, naming what is missing, unless it has every required part."""
    require_manager(user)
    given = version
    version = ProcedureVersion.objects.select_for_update().select_related("procedure").get(pk=version.pk)
    if version.is_published:
        return version
    missing = missing_parts(version)
    if missing:
        names = ", ".join(str(part.label) for part in missing)
        raise DomainError(
            _("Version %(version)s cannot be published: it lacks %(parts)s.") % {"version": str(version),
                                                                                   "parts": names},
            code="version_incomplete", details={"missing": [part.key for part in missing]},
        )
    _check_dates(version)
    check_step_budgets(version)
    check_participants(version)
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = user
    version.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    given.status, given.published_at, given.published_by = version.status, version.published_at, user
    return version


@transaction.atomic
def unpublish_version(version: ProcedureVersion, *, user: User | None = None) -> ProcedureVersion:
    """Withdraw ``version`` from the public. Dossiers already received keep their snapshot."""
    require_manager(user)
    version.status = VersionStatus.DRAFT
    version.published_at = None
    version.published_by = None
    version.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    return version


def _copy_parts(source: ProcedureVersion, target: ProcedureVersion) -> None:
    for related in ("documents", "fees", "steps", "legal_bases", "time_variants", "participants"):
        for item in getattr(source, related).all():
            item.pk = None
            item.version = target
            item.save()


@transaction.atomic
def clone_version(source: ProcedureVersion, *, valid_from: dt.date, user: User | None = None,
                  label: str = "") -> ProcedureVersion:
    """Start the next version of a procedure as a draft copy of ``source`` valid from ``valid_from``.

    ``source`` (even published) ends the day before, as a change of law ends the old rules; the new
    draft runs to wherever ``source`` used to end.
    """
    require_manager(user)
    source = ProcedureVersion.objects.select_for_update().get(pk=source.pk)
    if valid_from <= source.valid_from:
        raise DomainError(_("The new version must start after %(day)s, when the version it copies starts.")
                          % {"day": source.valid_from.strftime("%d/%m/%Y")},
                          code="invalid_dates", details={"field": "valid_from"})
    old_end = source.valid_to
    if old_end is None or old_end >= valid_from:
        source.valid_to = valid_from - dt.timedelta(days=1)
        ProcedureVersion.objects.filter(pk=source.pk).update(valid_to=source.valid_to, updated_at=timezone.now())
        bump_revision()  # update() sends no signal, and the old version no longer covers the new dates
        new_end = old_end
    else:
        new_end = None
    clone = ProcedureVersion.objects.get(pk=source.pk)
    clone.pk = None
    clone.valid_from, clone.valid_to = valid_from, new_end
    clone.status, clone.published_at, clone.published_by = VersionStatus.DRAFT, None, None
    clone.created_from = source
    if label:
        clone.label = label
    _check_dates(clone)
    clone.save()
    _copy_parts(source, clone)
    return clone


@transaction.atomic
def delete_version(version: ProcedureVersion, *, user: User | None = None) -> None:
    require_manager(user)
    ensure_editable(version)
    procedure = version.procedure
    version.delete()
    refresh_search(procedure)
