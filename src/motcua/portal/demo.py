"""Demo data of the portal: contact preferences for the demo citizens (the dossiers' notices, ratings and
tracking need no seed of their own)."""

from __future__ import annotations

from typing import Any

from motcua.accounts.choices import Role
from motcua.accounts.models import User

from .models import ContactPreference


def seed(stdout: Any) -> None:
    citizens = User.objects.filter(role_assignments__role=Role.CITIZEN).distinct()
    created = 0
    for user in citizens:
        _pref, made = ContactPreference.objects.get_or_create(user=user, defaults={
            "channels": ["email", "sms"] if user.email else ["sms", "email"]})
        created += int(made)
    stdout.write(f"portal: {created} contact preferences; track dossiers at /tra-cuu, register at /dang-ky/\n")
