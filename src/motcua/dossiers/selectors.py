"""Reads of dossiers: visibility (404 outside one's scope), search, masking of personal data."""

from __future__ import annotations

import copy as _copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import OrgUnit, User
from motcua.accounts.permissions import Capability, has_capability, own_unit_ids, unit_ids_in_scope
from motcua.catalogue import eform
from motcua.core.errors import NotFound
from motcua.core.text import fold_vi

from .choices import Status, SupplementProblem
from .models import Attachment, Consultation, Dossier, DossierEvent, ProcessingStep


def _not_found(public_id: str) -> NotFound:
    return NotFound(_("There is no dossier %(code)s.") % {"code": public_id}, code="dossier_not_found")


def visible_q(user: User) -> Q | None:
    """What ``user`` may see: staff, dossiers received or processed by a unit in their scope, or routed to
    one (a step of the internal process, a request for an opinion); a citizen, their own. None: nothing.

    Once a dossier has steps, a division's staff see it only when it is routed to their division (or to
    their agency for "a specialist", the default process), not as one of every dossier of their agency."""
    if not user.is_authenticated:
        return None
    q = Q(owner=user)
    ids = unit_ids_in_scope(user, Capability.VIEW_DOSSIERS)
    if ids is None:
        return Q()
    if ids:
        above = _ancestor_ids(ids) - ids
        q |= Q(receiving_unit_id__in=ids) | Q(processing_unit_id__in=ids)
        q |= Q(Exists(ProcessingStep.objects.filter(dossier=OuterRef("pk"), unit_id__in=ids)))
        # A request for an opinion opens the dossier to the consulted unit's own officers only: one addressed
        # to the province's People's Committee is not read by every department under it.
        own = own_unit_ids(user, Capability.VIEW_DOSSIERS)
        if own:
            q |= Q(Exists(Consultation.objects.filter(dossier=OuterRef("pk"), unit_id__in=own)))
        if above:
            q |= Q(Exists(ProcessingStep.objects.filter(dossier=OuterRef("pk"), unit_id__in=above,
                                                        role__in=("specialist", "division_head", ""))))
            # Before it is routed (no steps yet: at the desk, or received before issue 6), a dossier is seen
            # by the staff of the agency that will process it, as in issue 5.
            q |= Q(processing_unit_id__in=above) & ~Q(Exists(ProcessingStep.objects.filter(dossier=OuterRef("pk"))))
    return q


def _ancestor_ids(ids: set[int]) -> set[int]:
    result: set[int] = set()
    for unit in OrgUnit.objects.filter(pk__in=ids).only("path"):
        result |= set(unit.ancestor_ids())
    return result


def processes(user: User, dossier: Dossier) -> bool:
    """Whether ``user`` processes for the dossier's processing unit (on it or on a unit inside it)."""
    ids = unit_ids_in_scope(user, Capability.PROCESS_DOSSIERS)
    if ids is None:
        return True
    unit = dossier.processing_unit
    return OrgUnit.objects.filter(pk__in=ids, path__startswith=unit.path).exists()


def correctable_q(user: User) -> Q | None:
    """The dossiers whose applicant details ``user`` may correct (``services.correct_applicant``): those who
    need the personal data to do their work (``may_see_personal_data``) — the desk of the receiving unit and
    the officers who process for the processing unit (its desk officers, specialists, division heads and
    leaders). An inspector, an officer of another agency and a citizen (even the owner, who asks instead):
    none. None: nothing."""
    if not user.is_authenticated:
        return None
    receive = unit_ids_in_scope(user, Capability.RECEIVE_DOSSIERS)
    process = unit_ids_in_scope(user, Capability.PROCESS_DOSSIERS)
    if receive is None or process is None:
        return Q()
    if not receive and not process:
        return None
    # ``processes``: an officer of a unit at or under the processing unit.
    return Q(receiving_unit_id__in=receive) | Q(processing_unit_id__in=_ancestor_ids(process) | process)


def correctable(user: User) -> QuerySet[Dossier]:
    q = correctable_q(user)
    return Dossier.objects.none() if q is None else Dossier.objects.filter(q)


def may_correct_applicant(user: User, dossier: Dossier) -> bool:
    return correctable(user).filter(pk=dossier.pk).exists()


def visible(user: User) -> QuerySet[Dossier]:
    q = visible_q(user)
    if q is None:
        return Dossier.objects.none()
    return Dossier.objects.filter(q)


def get_visible(user: User, public_id: str) -> Dossier:
    """The dossier by code (or reference before it has one), or ``NotFound`` — also when it exists outside
    the user's scope, so that its existence is not disclosed."""
    dossier = (
        visible(user).select_related("receiving_unit", "processing_unit", "procedure", "owner")
        .filter(Q(code=public_id) | Q(reference=public_id)).first()
    )
    if dossier is None:
        raise _not_found(public_id)
    return dossier


def get_attachment(user: User, public_id: str, attachment_id: int) -> tuple[Dossier, Attachment]:
    """A file of a dossier the user may see (the same rule as the dossier), or ``NotFound`` — also when the
    file belongs to another dossier, so that neither's existence is disclosed."""
    dossier = get_visible(user, public_id)
    attachment = Attachment.objects.filter(dossier=dossier, pk=attachment_id).first()
    if attachment is None:
        raise NotFound(_("This dossier has no such file."), code="file_not_found")
    attachment.dossier = dossier
    return dossier, attachment


def is_staff_reader(user: User, dossier: Dossier) -> bool:
    return dossier.owner_id != user.pk


def may_see_personal_data(user: User, dossier: Dossier) -> bool:
    """Those who need it: the applicant, the desk that received the dossier, the unit processing it. Others
    (an inspector, a leader reading statistics) see it masked."""
    if dossier.owner_id == user.pk:
        return True
    return has_capability(user, Capability.RECEIVE_DOSSIERS, dossier.receiving_unit) or processes(user, dossier)


def mask(value: str, keep_start: int = 3, keep_end: int = 3) -> str:
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return "•" * len(value)
    return value[:keep_start] + "•" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def mask_address(value: str) -> str:
    """Keep only the last part of an address (the province): "…, tỉnh Lâm Đồng"."""
    if not value:
        return ""
    parts = [p.strip() for p in value.split(",") if p.strip()]
    return "…, " + parts[-1] if len(parts) > 1 else "…"


def personal_data(dossier: Dossier, full: bool) -> dict[str, Any]:
    rep = dict(dossier.representative or {})
    if full:
        return {"id_number": dossier.applicant_id_number, "tax_code": dossier.applicant_tax_code,
                "address": dossier.applicant_address, "phone": dossier.applicant_phone,
                "email": dossier.applicant_email, "representative": rep, "masked": False}
    masked_rep = {k: (mask(v) if k in ("id_number", "phone", "email") else mask_address(v) if k == "address" else v)
                  for k, v in rep.items()}
    return {"id_number": mask(dossier.applicant_id_number), "tax_code": dossier.applicant_tax_code,
            "address": mask_address(dossier.applicant_address), "phone": mask(dossier.applicant_phone, 0, 3),
            "email": mask(dossier.applicant_email, 1, 4), "representative": masked_rep, "masked": True}


def masked_copy(dossier: Dossier) -> Dossier:
    """A copy of the dossier, never saved, whose personal data (ID number, address, phone, e-mail, the
    representative's, the postal address for the result) is masked as on the page: what a paper or an export
    is rendered from for a reader who may not see it (``may_see_personal_data``). The name stays, as on the
    page: it is what the dossier is known by."""
    copy = _copy.copy(dossier)
    masked = personal_data(dossier, full=False)
    copy.applicant_id_number, copy.applicant_address = masked["id_number"], masked["address"]
    copy.applicant_phone, copy.applicant_email = masked["phone"], masked["email"]
    copy.representative = masked["representative"]
    copy.result_address = mask_address(dossier.result_address)
    copy.collector_id_number = mask(dossier.collector_id_number)
    return copy


def for_reader(user: User, dossiers: list[Dossier]) -> list[Dossier]:
    """The dossiers as ``user`` may read them: whole for those who need the personal data, else masked
    copies (an inspector, an officer of another agency consulted on one of them)."""
    return [d if may_see_personal_data(user, d) else masked_copy(d) for d in dossiers]


@dataclass
class Filters:
    status: int | None = None
    procedure: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""
    # A value of the application's e-form (the plot number, the map sheet…), matched exactly in one
    # searchable field (``form_field``) or in any (``catalogue.eform.index_text``).
    form_field: str = ""
    form_value: str = ""


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def search(user: User, filters: Filters) -> QuerySet[Dossier]:
    """Staff search within their scope: by status, procedure, submission dates, and ``q`` — a dossier code,
    an ID number, (part of) a name, folded so that accents do not matter, or the exact value of a searchable
    field of the application's e-form; and by one e-form field's value (``form_field``/``form_value``)."""
    qs = visible(user).select_related("procedure", "receiving_unit", "processing_unit")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.procedure:
        qs = qs.filter(procedure__code=filters.procedure)
    if filters.date_from:
        qs = qs.filter(submitted_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(submitted_at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    text = (filters.q or "").strip()
    if text:
        folded = fold_vi(text)
        qs = qs.filter(Q(code__iexact=text) | Q(reference__iexact=text) | Q(applicant_id_number=text)
                       | Q(search_folded__contains=folded)
                       | Q(form_search__contains=eform.search_fragment("", text)))
    value = (filters.form_value or "").strip()
    if value:
        qs = qs.filter(form_search__contains=eform.search_fragment(filters.form_field or "", value))
    return qs.order_by("-submitted_at", "-id")


def received_between(user: User, first: dt.date, last: dt.date) -> QuerySet[Dossier]:
    """The register (form 06/07): dossiers received from ``first`` to ``last`` in the user's scope."""
    return (
        visible(user)
        .filter(received_at__gte=_day_start(first), received_at__lt=_day_start(last + dt.timedelta(days=1)))
        .select_related("procedure", "processing_unit", "receiving_unit").order_by("received_at", "id")
    )


def is_staff(user: User) -> bool:
    return user.is_authenticated and has_capability(user, Capability.VIEW_DOSSIERS)


# --- the supplement request, as the applicant reads it -------------------------------------------------

@dataclass
class SupplementItem:
    document: str
    reason: str
    order: int | None  # the document's order in the dossier's list; None for a free item
    kind: str
    kind_label: str
    detail: str


@dataclass
class SupplementRequest:
    at: dt.datetime
    items: list[SupplementItem]
    respond_by: dt.datetime | None  # None where no rule gives the applicant a time (``services.supplement_deadline``)
    note: str
    phase: str

    @property
    def last_day(self) -> dt.date | None:
        """The last day to supplement: ``respond_by`` is the end of that day (the next day's first instant)."""
        if self.respond_by is None:
            return None
        return timezone.localtime(self.respond_by - dt.timedelta(microseconds=1)).date()


def supplement_request(dossier: Dossier) -> SupplementRequest | None:
    """The last supplement request (form 02) of the dossier: each item with its reason and, for a document of
    the list, its order, so that the applicant uploads exactly what is asked for; and the deadline, if any.
    Requests recorded before items carried an order are matched to the list by name."""
    event = (DossierEvent.objects.filter(dossier=dossier, status_after=Status.SUPPLEMENT_REQUESTED)
             .order_by("-seq").first())
    if event is None:
        return None
    data = event.data or {}
    names = {fold_vi(d.name): d.order for d in dossier.documents.all()}
    items = []
    for m in data.get("missing") or []:
        document = str(m.get("document") or "")
        kind = str(m.get("kind") or "")
        order = m.get("order") if m.get("order") is not None else names.get(fold_vi(document))
        items.append(SupplementItem(
            document=document, reason=str(m.get("reason") or ""), order=order, kind=kind,
            kind_label=str(SupplementProblem(kind).label) if kind in SupplementProblem.values else "",
            detail=str(m.get("detail") if "detail" in m else m.get("reason") or "")))
    respond_by = dt.datetime.fromisoformat(data["respond_by"]) if data.get("respond_by") else None
    return SupplementRequest(at=event.at, items=items, respond_by=respond_by, note=event.reason or "",
                             phase=str(data.get("phase") or ""))


def supplement_sent(dossier: Dossier) -> bool:
    """The applicant sent the supplement asked for at intake and the desk has not yet checked it again: the
    status is back to "newly submitted" (1), but that would tell the applicant nothing."""
    return (dossier.status == Status.NEW and dossier.intake_supplements > 0
            and bool((dossier.clock or {}).get("complete_at")))


def status_label(dossier: Dossier) -> str:
    """The status as people read it: the national name (domain note §10), except around a supplement, where
    the name says who is waiting for whom."""
    if dossier.status == Status.SUPPLEMENT_REQUESTED:
        return _("Awaiting supplement")
    if supplement_sent(dossier):
        return _("Supplement sent, awaiting intake")
    return str(Status(dossier.status).label)
