"""Reads of the VNeID sign-in."""

from __future__ import annotations

from motcua.accounts.models import User

from ..models import VneidIdentity


def is_linked(user: User) -> bool:
    return VneidIdentity.objects.filter(user=user).exists()
