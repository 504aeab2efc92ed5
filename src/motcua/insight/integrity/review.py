"""The review of a flag (the inspector's decision): confirm it (``accepted``: the case counts in the honest
on-time rate) or dismiss it, each with a reason. Writes only the flag: a dismissed flag keeps its fingerprint,
so the scan does not raise the pattern again (``scan.save``). Who may: ``selectors.may_review``."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core.errors import Conflict, DomainError, PermissionDenied
from motcua.core.text import nfc

from ..models import Flag, FlagState
from . import selectors

MAX_REASON = 2000


def review(user: User, flag_id: int, state: str, reason: str) -> Flag:
    """Confirm or dismiss the open flag ``flag_id`` with ``reason`` (required)."""
    flag = selectors.get(user, flag_id)  # NotFound outside the reader's scope
    if not selectors.may_review(user):
        raise PermissionDenied(_("Only an inspector or an administrator reviews the flags."), code="forbidden")
    if state not in (FlagState.ACCEPTED, FlagState.DISMISSED):
        raise DomainError(_("Choose to confirm or to dismiss the flag."), code="invalid_input",
                          details={"fields": [{"field": "decision", "message": _("Choose a decision.")}]})
    text = nfc(reason or "").strip()
    if not text or "\x00" in text or len(text) > MAX_REASON:
        message = _("Give the reason for the decision (at most %(n)s characters).") % {"n": MAX_REASON}
        raise DomainError(message, code="invalid_input", details={"fields": [{"field": "reason", "message": message}]})
    with transaction.atomic():
        flag = Flag.objects.select_for_update().get(pk=flag.pk)
        if flag.state != FlagState.OPEN:
            raise Conflict(_("This flag has been reviewed already."), code="flag_reviewed")
        flag.state, flag.review_reason = state, text
        flag.reviewed_by, flag.reviewed_at = user, timezone.now()
        flag.save(update_fields=["state", "review_reason", "reviewed_by", "reviewed_at"])
    return flag
