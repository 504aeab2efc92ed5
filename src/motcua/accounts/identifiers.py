"""The sign-in e-mail and phone of an account: their canonical stored form, and how a write learns that the database
refused one because another account holds it (issue 21).

Two accounts never hold the same e-mail (compared without case: sign-in, the password reset and registration all
treat ``An@Example.vn`` and ``an@example.vn`` as one address) nor the same phone. The database holds this with two
partial unique constraints on ``accounts.User`` (``EMAIL_UNIQUE``, ``PHONE_UNIQUE``; empty values, e.g. of a closed
account, are not compared), so that two confirmations landing at the same instant cannot both win: the loser's
INSERT or UPDATE fails with an ``IntegrityError`` that ``conflict`` names, and each writer turns it into the answer
it already gives for "this address is taken".
"""

from __future__ import annotations

import re

from django.db import IntegrityError

EMAIL_UNIQUE = "accounts_user_email_unique"
PHONE_UNIQUE = "accounts_user_phone_unique"

# A Vietnamese phone number as the portal's registration accepts it (``portal.services.normalise_identifier``):
# +84 or 0, then 9 or 10 digits (ASCII only) — a mobile number, or a fixed line with its area code.
_MOBILE = re.compile(r"^(\+84|0)\d{9,10}$", re.ASCII)
_SEPARATORS = re.compile(r"[\s.\-()]")


def canonical_email(value: str) -> str:
    """The stored form of an e-mail: trimmed and lower-cased, as registration stores it."""
    return (value or "").strip().lower()


def canonical_phone(value: str) -> str:
    """The stored form of a phone: a Vietnamese number as registration stores it (digits only, ``+84`` written
    ``0``: ``+84 912.345.678`` is ``0912345678``), so that the one number is one value for the uniqueness and for
    the password reset by SMS. Anything else (a line with its extension, a foreign number) is only trimmed."""
    value = (value or "").strip()
    digits = _SEPARATORS.sub("", value)
    if not _MOBILE.match(digits):
        return value
    return "0" + digits[3:] if digits.startswith("+84") else digits


def conflict(exc: IntegrityError) -> str | None:
    """Which sign-in identifier an ``IntegrityError`` says is taken: ``"email"``, ``"phone"`` or ``"username"``
    (registration makes the address the user name too); ``None`` for any other violation, which the caller
    re-raises. PostgreSQL names the constraint (psycopg's ``diag.constraint_name``); SQLite names the index of an
    expression constraint, or the table's column for a plain one."""
    cause = exc.__cause__
    name = getattr(getattr(cause, "diag", None), "constraint_name", None) or ""
    text = f"{name} {exc}"
    if EMAIL_UNIQUE in text:
        return "email"
    if PHONE_UNIQUE in text or "accounts_user.phone" in text:
        return "phone"
    if "accounts_user_username_key" in text or "accounts_user.username" in text:
        return "username"
    return None
