"""``{% operator_notices as notices %}``: the ``core.health`` notices meant for the signed-in staff member (the
admin banner, templates/admin/base_site.html)."""

from __future__ import annotations

from typing import Any

from django import template

from motcua.core import health

register = template.Library()


@register.simple_tag(takes_context=True)
def operator_notices(context: dict[str, Any]) -> list[health.Notice]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not (user.is_active and user.is_staff):
        return []
    return health.notices(user)
