"""Signing in through VNeID: which motcua account the identified person gets.

- The personal identification number links a person to one account (``VneidIdentity``).
- A number seen for the first time, by someone not signed in, gets a new citizen account (no password): an
  existing account is never taken over on the strength of a name, a phone or an e-mail that match.
- An existing account is linked only when its holder proves both: signed in with its password, then through
  VNeID in the same session.
- Staff accounts never sign in through VNeID: they have their own sign-in with a second factor.
- Each sign-in records the level that VNeID proved (Decree 69/2024/NĐ-CP Art. 13) on the account, whence
  each dossier filed online copies it (DVCQG ``TaiKhoanDuocXacThucVoiVNeID``).
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts import services as accounts_services
from motcua.accounts.models import User
from motcua.core.errors import Conflict, PermissionDenied

from ..models import VneidIdentity
from .client import Identification


def may_use_vneid(user: User) -> bool:
    """Only citizens' accounts: officers and administrators sign in with their password and second factor."""
    return not (user.is_staff or user.is_superuser or user.is_official)


def _refuse_staff() -> PermissionDenied:
    return PermissionDenied(_("Staff accounts do not sign in through VNeID: sign in with your username, password "
                              "and second factor."), code="staff_account")


def sign_in(person: Identification, current: User | None) -> tuple[User, bool]:
    """The account the identified person signs in to, and whether it was created now. ``current``: the account
    signed in with its password in this session, which asks to be linked."""
    try:
        return _sign_in(person, current)
    except IntegrityError as exc:  # the same person signing in twice at the very same moment
        raise Conflict(_("This sign-in crossed another one for the same person. Start it again."),
                       code="vneid_race") from exc


@transaction.atomic
def _sign_in(person: Identification, current: User | None) -> tuple[User, bool]:
    if current is not None and not may_use_vneid(current):
        raise _refuse_staff()
    now = timezone.now()
    identity = VneidIdentity.objects.select_for_update().select_related("user").filter(
        id_number=person.id_number).first()
    by_subject = VneidIdentity.objects.filter(subject=person.subject).exclude(id_number=person.id_number).first()
    if by_subject is not None:
        # The provider calls someone with another number by this subject: do not guess which is right.
        raise Conflict(_("VNeID's answer does not match what it said before about this person. Nothing was "
                         "changed; contact the one-stop desk."), code="vneid_subject")
    created = False
    if identity is not None:
        user = identity.user
        if current is not None and current.pk != user.pk:
            raise Conflict(_("This identification is already linked to another account on this site. Sign out, "
                             "then sign in with VNeID to use that account."), code="vneid_linked_elsewhere")
    else:
        if current is not None:
            if VneidIdentity.objects.filter(user=current).exists():
                raise Conflict(_("Your account is already linked to another personal identification number. "
                                 "Contact the one-stop desk."), code="vneid_other_number")
            user = current
        else:
            # An account of its own, never one found by name, phone or e-mail (they prove nothing).
            user = accounts_services.create_citizen(username=f"vneid-{secrets.token_hex(6)}",
                                                    full_name=person.full_name)
            created = True
        identity = VneidIdentity(user=user, id_number=person.id_number, first_sign_in_at=now)
    if not may_use_vneid(user):
        raise _refuse_staff()
    if not user.is_active:
        raise PermissionDenied(_("This account is disabled. Contact the one-stop desk."), code="inactive")
    identity.issuer = person.issuer
    identity.subject = person.subject
    identity.level = person.level
    identity.last_sign_in_at = now
    identity.save()
    accounts_services.record_identification(user, person.level)
    return user, created

