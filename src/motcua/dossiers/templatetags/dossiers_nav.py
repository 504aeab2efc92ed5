"""What the site's navigation offers from the dossiers app beyond the queue (``includes/nav_items.html``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from motcua.accounts.permissions import Capability, has_capability

register = template.Library()


@register.simple_tag(takes_context=True)
def destruction_lists_url(context: dict[str, Any]) -> str:
    """The destruction lists' page for an administrator, who records the head's decision there but opens no
    dossier queue (a leader finds the page on the queue, ``dossiers/queue.html``); "" for anyone else."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not has_capability(user, Capability.ADMINISTER):
        return ""
    return reverse("dossiers:destruction_lists")
