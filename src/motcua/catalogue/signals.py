"""Receivers that mark the receipt cache stale (``selectors.receipt_version``) on any catalogue change.

They listen to the models themselves, not to ``services``, because the admin's inlines, cascades and
the unit tree also change what a receipt copies; the few writes that send no signal (``update()``,
``bulk_create``) bump the token themselves (``services.bump_revision``).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from motcua.accounts.models import OrgUnit

from .models import Fee, Field, LegalBasis, Procedure, ProcedureVersion, RequiredDocument, Step, TimeVariant

WATCHED = (Field, Procedure, ProcedureVersion, TimeVariant, LegalBasis, RequiredDocument, Fee, Step, OrgUnit)


def _changed(sender: type, **kwargs: Any) -> None:
    from . import services

    services.bump_revision()


def connect() -> None:
    for model in WATCHED:
        post_save.connect(_changed, sender=model, dispatch_uid=f"catalogue_revision_save_{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"catalogue_revision_delete_{model.__name__}")
    m2m_changed.connect(_changed, sender=Procedure.receiving_units.through,
                        dispatch_uid="catalogue_revision_receiving_units")
