"""Which parts a procedure version must have before it is published.

Decree 63/2010/NĐ-CP Art. 8(2) requires every procedure to state clearly (a) its name, (b) the order
of implementation, (c) the manner of implementation, (d) the dossier, (đ) the time limit, (e) who may
apply, (g) the implementing agency and (h) the result. Art. 8(3) adds forms, requirements and fees
*where the procedure has them*, so the fee part is satisfied by stating either that there is no fee or
which fees apply (each with an amount or the rule that sets it). Indicator 1.3 of Bộ chỉ số 766 counts
procedures published with all the required parts (domain note indices.md §1.2).

``missing_parts`` blocks publication; ``gaps`` lists facts that are not captured yet but do not block
it (they are shown as "not captured" on the pages so that no one mistakes a gap for a fact).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .choices import FeeStatus
from .models import ProcedureVersion


@dataclass(frozen=True)
class Part:
    key: str
    label: str | Promise


PARTS: tuple[Part, ...] = (
    Part("name", _("name (Decree 63/2010 Art. 8(2)(a))")),
    Part("sequence", _("order of implementation (Art. 8(2)(b))")),
    Part("manner", _("manner of implementation (Art. 8(2)(c))")),
    Part("documents", _("dossier: the required documents (Art. 8(2)(d))")),
    Part("time_limit", _("time limit (Art. 8(2)(đ))")),
    Part("applicants", _("who may apply (Art. 8(2)(e))")),
    Part("agency", _("implementing agency (Art. 8(2)(g))")),
    Part("result", _("result (Art. 8(2)(h))")),
    Part("fees", _("fees, or that there is none (Art. 8(3))")),
)


def _has_time_limit(version: ProcedureVersion) -> bool:
    if version.legal_time_amount is not None and version.legal_time_unit:
        return True
    return version.time_variants.exists()


def _has_fees(version: ProcedureVersion) -> bool:
    if version.fee_status == FeeStatus.FREE:
        return True
    if version.fee_status != FeeStatus.CHARGED:
        return False
    fees = list(version.fees.all())
    return bool(fees) and all(f.name and (f.amount_vnd is not None or f.amount_rule.strip()) for f in fees)


def _present(version: ProcedureVersion) -> dict[str, bool]:
    procedure = version.procedure
    return {
        "name": bool(procedure.name.strip()),
        "sequence": bool(version.sequence.strip()),
        "manner": bool(version.manner.strip()),
        "documents": version.documents.exists(),
        "time_limit": _has_time_limit(version),
        "applicants": procedure.for_individuals or procedure.for_organisations,
        "agency": procedure.agency_id is not None,
        "result": bool(procedure.result_name.strip()),
        "fees": _has_fees(version),
    }


def missing_parts(version: ProcedureVersion) -> list[Part]:
    """The required parts ``version`` lacks, in the order of the decree; empty when complete."""
    present = _present(version)
    return [part for part in PARTS if not present[part.key]]


def gaps(version: ProcedureVersion) -> list[str]:
    """Facts not captured that do not block publication (shown as such on the pages)."""
    found: list[str] = []
    if version.dossier_sets is None:
        found.append(str(_("number of sets")))
    if version.target_time_amount is None:
        found.append(str(_("internal target")))
    if any(f.amount_vnd is None for f in version.fees.all()):
        found.append(str(_("fee amount")))
    if any(d.copy_kind == "" for d in version.documents.all()):
        found.append(str(_("original or copy of a document")))
    if version.procedure.online_mode == "partial" and not version.procedure.partial_online_reason.strip():
        found.append(str(_("reason it is not fully online")))
    if version.procedure.field is None or not version.procedure.field.code:
        found.append(str(_("national field code")))
    return found
