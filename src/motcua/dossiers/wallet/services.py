"""Writes of the citizen's documents: a result kept for its holder when it is recorded with its file."""

from __future__ import annotations

from ..models import Dossier
from ..workflow.models import Result
from .models import HeldDocument


def keep_result(dossier: Dossier, result: Result) -> HeldDocument | None:
    """Keep an electronic result in its holder's documents (called in the transaction that records it): the
    file, the number, the kind of paper the procedure's result is. A result without a file, or a dossier without
    the applicant's ID number or tax code, keeps nothing. Idempotent (one per result)."""
    holder_id = dossier.applicant_id_number or dossier.applicant_tax_code
    if result.attachment_id is None or not holder_id:
        return None
    procedure = dossier.snapshot.get("procedure") or {}
    held, _created = HeldDocument.objects.get_or_create(result=result, defaults={
        "holder": dossier.owner, "holder_number": holder_id, "holder_name": dossier.applicant_name,
        "kind": procedure.get("result_kind") or "", "title": procedure.get("result_name") or procedure.get("name", ""),
        "number": result.number, "issued_on": result.issued_on, "issuer": dossier.processing_unit.agency()
        or dossier.processing_unit, "attachment_id": result.attachment_id, "dossier": dossier})
    return held
