"""Writes of the legal-document register (*văn bản quy phạm pháp luật*): an agency's officers add and edit their
agency's documents and record each review (Decree 34/2016/NĐ-CP, Chapter VII). The council and the inspectors
read every agency's register; nobody else writes in it.

Each change is kept by django-auditlog (``LegalDocument`` is registered in ``apps.py``) with who made it; a
refused change raises ``DomainError`` whose ``details["field"]`` names the field at fault, and saves nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from auditlog.context import auditlog_value, set_actor
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import OrgUnit, User
from motcua.core.errors import DomainError, PermissionDenied
from motcua.core.text import fold_vi, nfc

from ..choices import ReviewStatus
from ..models import LegalDocument
from . import is_officer_of, sees_all

FIELDS = ("number", "title", "issuer", "issued_on", "effective_on")
REVIEW_FIELDS = ("review_status", "reviewed_on", "findings", "correction", "corrected_on")


def may_edit(user: User | None, agency: OrgUnit) -> bool:
    """Officers of the agency (Capability.ASSESS_REFORM) keep its register."""
    return is_officer_of(user, agency)


def may_read(user: User | None, agency: OrgUnit) -> bool:
    return sees_all(user) or is_officer_of(user, agency)


def _invalid(message: str, field: str) -> DomainError:
    return DomainError(message, code="invalid_input", details={"field": field})


def _text(value: Any) -> str:
    return nfc(str(value or ""))


def _long_text(value: Any) -> str:
    """NFC, each line trimmed, the line breaks kept (findings and corrections are often lists)."""
    lines = [nfc(line) for line in str(value or "").splitlines()]
    return "\n".join(lines).strip()


def _day(raw: Any, field: str, *, required: bool, past: bool = True) -> dt.date | None:
    """A date from a date or an ISO string; ``past``: not after today."""
    if raw in (None, ""):
        if required:
            raise _invalid(_("Enter this date."), field)
        return None
    if isinstance(raw, dt.datetime):
        day = raw.date()
    elif isinstance(raw, dt.date):
        day = raw
    else:
        try:
            day = dt.date.fromisoformat(str(raw).strip())
        except ValueError:
            raise _invalid(_("Enter the date as YYYY-MM-DD."), field) from None
    if past and day > timezone.localdate():
        raise _invalid(_("The date cannot be in the future."), field)
    return day


def _number_key(number: str) -> str:
    """Two spellings of one number and symbol (case, marks, spaces) name the same document."""
    return fold_vi(number).replace(" ", "")


@contextlib.contextmanager
def _actor(by: User) -> Iterator[None]:
    """The auditlog entry names ``by`` (and, in a request, the address the middleware read). auditlog's contexts
    do not nest: the one found (the request's) is put back after, so that later saves keep their actor."""
    previous = auditlog_value.get(None)
    same = previous is not None and getattr(previous.get("actor"), "pk", None) == by.pk
    address = {"remote_addr": previous.get("remote_addr"), "remote_port": previous.get("remote_port")} \
        if same and previous is not None else {}
    try:
        with set_actor(by, **address):
            yield
    finally:
        if previous is not None:
            auditlog_value.set(previous)


@transaction.atomic
def save_document(agency: OrgUnit, data: Mapping[str, Any], by: User,
                  document: LegalDocument | None = None) -> LegalDocument:
    """Add a document to ``agency``'s register, or edit ``document`` (its number and symbol, title, issuer, day
    of issue and day in force). The review is recorded apart (``review_document``)."""
    if not may_edit(by, agency) or (document is not None and document.agency_id != agency.pk):
        raise PermissionDenied(_("Only the agency's own officers keep its register of legal documents."))
    number = _text(data.get("number"))
    if not number:
        raise _invalid(_("Enter the number and symbol."), "number")
    if len(number) > LegalDocument._meta.get_field("number").max_length:  # type: ignore[operator]
        raise _invalid(_("The number and symbol is too long."), "number")
    title = _text(data.get("title"))
    if not title:
        raise _invalid(_("Enter the title."), "title")
    issuer = _text(data.get("issuer"))
    if not issuer:
        raise _invalid(_("Enter who issued it."), "issuer")
    if len(issuer) > LegalDocument._meta.get_field("issuer").max_length:  # type: ignore[operator]
        raise _invalid(_("The issuer's name is too long."), "issuer")
    issued_on = _day(data.get("issued_on"), "issued_on", required=True)
    # A document may come into force after the day it is entered, never before it is issued (a retroactive
    # effect is rare and still counts from the day of issue in the register).
    effective_on = _day(data.get("effective_on"), "effective_on", required=False, past=False)
    if effective_on is not None and issued_on is not None and effective_on < issued_on:
        raise _invalid(_("A document cannot be in force before it is issued."), "effective_on")

    key = _number_key(number)
    others = LegalDocument.objects.filter(agency=agency)
    if document is not None:
        others = others.exclude(pk=document.pk)
    if any(_number_key(n) == key for n in others.values_list("number", flat=True)):
        raise _duplicate(number, agency)

    if document is None:
        doc = LegalDocument(agency=agency)
    else:
        doc = LegalDocument.objects.select_for_update().get(pk=document.pk)
        if doc.reviewed_on and issued_on and doc.reviewed_on < issued_on:
            raise _invalid(_("The document was reviewed on %(day)s, before this day of issue.")
                           % {"day": doc.reviewed_on.strftime("%d/%m/%Y")}, "issued_on")
    values = {"number": number, "title": title, "issuer": issuer, "issued_on": issued_on,
              "effective_on": effective_on}
    if doc.pk is not None and all(getattr(doc, k) == v for k, v in values.items()):
        return doc
    for k, v in values.items():
        setattr(doc, k, v)
    doc.updated_by = by
    try:
        with transaction.atomic(), _actor(by):
            doc.save()
    except IntegrityError:  # the same number saved at the same instant by someone else
        raise _duplicate(number, agency) from None
    return doc


def _duplicate(number: str, agency: OrgUnit) -> DomainError:
    return DomainError(_("Document %(number)s is already in the register of %(agency)s.")
                       % {"number": number, "agency": agency.name}, code="duplicate_number",
                       details={"field": "number"})


@transaction.atomic
def review_document(document: LegalDocument, status: str, reviewed_on: Any, findings: str, correction: str,
                    corrected_on: Any, by: User) -> LegalDocument:
    """Record the review of a document: lawful (the day of review), findings to correct (and what they are),
    findings corrected (what was done and when, not before the review) or repealed. What is not required is
    kept as given: a lawful review keeps earlier findings for the record."""
    doc = LegalDocument.objects.select_for_update().select_related("agency").get(pk=document.pk)
    if not may_edit(by, doc.agency):
        raise PermissionDenied(_("Only the agency's own officers keep its register of legal documents."))
    if status not in ReviewStatus.values:
        raise _invalid(_("Choose the outcome of the review."), "review_status")
    needs_review = status in (ReviewStatus.LAWFUL, ReviewStatus.FINDINGS, ReviewStatus.CORRECTED)
    reviewed = _day(reviewed_on, "reviewed_on", required=needs_review)
    if reviewed is not None and reviewed < doc.issued_on:
        raise _invalid(_("A document is reviewed after it is issued (%(day)s).")
                       % {"day": doc.issued_on.strftime("%d/%m/%Y")}, "reviewed_on")
    findings, correction = _long_text(findings), _long_text(correction)
    if status in (ReviewStatus.FINDINGS, ReviewStatus.CORRECTED) and not findings:
        raise _invalid(_("Say what the review found."), "findings")
    corrected = _day(corrected_on, "corrected_on", required=status == ReviewStatus.CORRECTED)
    if status == ReviewStatus.CORRECTED and not correction:
        raise _invalid(_("Say how the findings were corrected."), "correction")
    if status == ReviewStatus.CORRECTED and corrected is not None and reviewed is not None and corrected < reviewed:
        raise _invalid(_("The correction cannot come before the review."), "corrected_on")
    values = {"review_status": status, "reviewed_on": reviewed, "findings": findings, "correction": correction,
              "corrected_on": corrected}
    if all(getattr(doc, k) == v for k, v in values.items()):
        return doc
    for k, v in values.items():
        setattr(doc, k, v)
    doc.updated_by = by
    with _actor(by):
        doc.save(update_fields=[*REVIEW_FIELDS, "updated_by", "updated_at"])
    return doc
