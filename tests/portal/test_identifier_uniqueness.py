"""The portal's writers of a sign-in e-mail or phone (registration, the change of the sign-in address) when the
database refuses a second account with the same one (issue 21, ``motcua.accounts.identifiers``): the loser of two
confirmations landing at the same instant gets the answer the check in Python gives, never a 500."""

from __future__ import annotations

import itertools
import re
import threading
from unittest import mock

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils.translation import gettext

from motcua.accounts.models import User
from motcua.accounts.services import create_citizen
from motcua.core.errors import DomainError
from motcua.notifications.models import Message
from motcua.portal import services as portal
from motcua.portal.models import PendingIdentifierChange, PendingRegistration
from tests.conftest import at_once

# The answers the checks in Python give (portal.services), in the language of the request (Vietnamese here).
CHANGE_TAKEN = "This e-mail or phone now belongs to another account: nothing was changed."
ACCOUNT_EXISTS = "An account with this email or phone already exists: sign in instead."
PASSWORD = "mat-khau-dai-1"  # tests/conftest.py's people
_NAMES = itertools.count()


def _citizen(email: str = "", phone: str = "") -> User:
    return create_citizen(username=f"cd{next(_NAMES)}", full_name="Công Dân", email=email, phone=phone,
                          password_hash=make_password(PASSWORD))


def _checks_miss(*_args: object) -> None:
    """The check in Python as it sees the database when the other confirmation has not committed yet."""
    return None


@pytest.mark.django_db
def test_a_change_confirmed_after_another_account_took_the_address_gets_the_uniform_answer(
        people, templates, django_capture_on_commit_callbacks):
    an = people["an"]
    with django_capture_on_commit_callbacks(execute=True):
        pending = portal.start_identifier_change(an, "moi@example.vn", PASSWORD)
    code = _code(f"identifier-change:{pending.key}")
    _citizen(email="Moi@Example.vn")  # took it in the meantime
    with mock.patch.object(portal, "_account_holder", _checks_miss), pytest.raises(DomainError) as raised:
        portal.confirm_identifier_change(an, pending.key, code)
    assert raised.value.message == gettext(CHANGE_TAKEN)
    assert raised.value.details["fields"][0]["field"] == "code"
    an.refresh_from_db()
    assert an.email == "" and PendingIdentifierChange.objects.get(pk=pending.pk).confirmed_at is None


@pytest.mark.django_db
def test_a_registration_confirmed_after_the_address_got_an_account_gets_the_uniform_answer(
        templates, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pending = portal.start_registration("Nguyễn Văn Mới", "0977123456", "mot-mat-khau-rat-dai", consent=True)
    code = _code(f"registration:{pending.key}")
    _citizen(phone="0977123456")  # e.g. the desk opened one for this person meanwhile
    with mock.patch.object(portal, "_account_holder", _checks_miss), pytest.raises(DomainError) as raised:
        portal.confirm_registration(pending.key, code)
    assert raised.value.message == gettext(ACCOUNT_EXISTS)
    assert User.objects.filter(phone="0977123456").count() == 1
    assert PendingRegistration.objects.get(pk=pending.pk).confirmed_at is None


def _code(subject_ref: str) -> str:
    message = Message.objects.filter(key="account.confirmation_code", subject_ref=subject_ref).latest("id")
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found
    return found.group(1)


def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("two connections writing at once: PostgreSQL (the in-memory SQLite of the tests is one "
                    "connection, and SQLite writes one transaction at a time)")


def _both_checked_first(original):  # type: ignore[no-untyped-def]
    """``_account_holder`` that lets each of two threads through only when both have checked: both see the
    address free, as when two confirmations land at the same instant."""
    barrier = threading.Barrier(2)

    def holder(identifier: str) -> User | None:
        found = original(identifier)
        barrier.wait(timeout=60)
        return found

    return holder


@pytest.mark.django_db(transaction=True)
def test_two_accounts_confirming_the_same_new_email_at_once_one_wins_the_other_is_told(
        people, templates, django_capture_on_commit_callbacks):
    _postgresql_only()
    an, other = people["an"], _citizen(email="khac@example.vn")
    jobs = []
    for user in (an, other):
        with django_capture_on_commit_callbacks(execute=True):
            pending = portal.start_identifier_change(user, "moi@example.vn", PASSWORD)
        jobs.append((user, pending.key, _code(f"identifier-change:{pending.key}")))
    queue = iter(jobs)
    lock = threading.Lock()

    def confirm() -> User:
        with lock:
            user, key, code = next(queue)
        return portal.confirm_identifier_change(User.objects.get(pk=user.pk), key, code)

    with mock.patch.object(portal, "_account_holder", _both_checked_first(portal._account_holder)):
        results, errors = at_once(2, confirm)
    assert len(results) == 1 and len(errors) == 1, errors
    assert isinstance(errors[0], DomainError) and errors[0].message == gettext(CHANGE_TAKEN)
    assert User.objects.filter(email="moi@example.vn").count() == 1
    assert PendingIdentifierChange.objects.filter(confirmed_at__isnull=False).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_registrations_of_one_address_confirmed_at_once_make_one_account(
        templates, django_capture_on_commit_callbacks):
    _postgresql_only()
    keys = []
    for _ in range(2):  # the same person, in two tabs
        with django_capture_on_commit_callbacks(execute=True):
            pending = portal.start_registration("Nguyễn Văn Mới", "moi@example.vn", "mot-mat-khau-rat-dai",
                                                consent=True)
        keys.append((pending.key, _code(f"registration:{pending.key}")))
    queue = iter(keys)
    lock = threading.Lock()

    def confirm() -> User:
        with lock:
            key, code = next(queue)
        return portal.confirm_registration(key, code)

    with mock.patch.object(portal, "_account_holder", _both_checked_first(portal._account_holder)):
        results, errors = at_once(2, confirm)
    assert len(results) == 1 and len(errors) == 1, errors
    assert isinstance(errors[0], DomainError) and errors[0].message == gettext(ACCOUNT_EXISTS)
    assert User.objects.filter(email="moi@example.vn").count() == 1
