"""Withdrawing consent closes the account (Law 91/2025/QH15 Art. 4: to withdraw consent): sign-in disabled, the
account's own data removed, the dossiers kept under the agency's legal duty; confirmed with the password, by POST
with CSRF, audited. Anonymous, staff and a wrong password change nothing."""

from __future__ import annotations

import io

import pytest
from auditlog.models import LogEntry
from django.core.files.storage import default_storage
from django.test import Client

from motcua.accounts.models import ApiToken, User
from motcua.accounts.services import create_token
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Dossier
from motcua.integrations.models import VneidIdentity
from motcua.portal import services
from motcua.portal.models import Consent, ContactPreference, Draft, DraftFile, PendingRegistration

from .conftest import PDF, submit

pytestmark = pytest.mark.django_db

PAGE = "/cong-dan/du-lieu-ca-nhan/dong-tai-khoan/"
PASSWORD = "mat-khau-dai-1"  # tests/conftest.py's people


@pytest.fixture
def an(people, procedure, templates, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    user = people["an"]
    user.email, user.phone = "an@example.vn", "0912345678"
    user.save()
    Consent.objects.create(user=user, version="2026-01", given_at=user.date_joined)
    ContactPreference.objects.create(user=user, channels=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_services.accept(people["binh"], submit(people))
    draft = services.start_draft(user, procedure.code)
    with django_capture_on_commit_callbacks(execute=True):
        services.attach_draft_file(user, draft, 1, "don.pdf", io.BytesIO(PDF), set())
    PendingRegistration.objects.create(identifier="an@example.vn", channel="email", full_name="Nguyễn Văn An",
                                       password_hash="x", code_hash="x", expires_at=user.date_joined)
    create_token(user, "app")
    VneidIdentity.objects.create(user=user, issuer="https://vneid.example", subject="sub-an", id_number="068090001234",
                                 level="vneid2", first_sign_in_at=user.date_joined, last_sign_in_at=user.date_joined)
    return user, dossier


def _client(user: User) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def _post(client: Client, data: dict):  # type: ignore[no-untyped-def,type-arg]
    page = client.get(PAGE)
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else client.cookies["csrftoken"].value
    return client.post(PAGE, {**data, "csrfmiddlewaretoken": token})


def test_the_page_says_what_is_removed_and_what_the_agencies_keep(an):
    body = _client(an[0]).get(PAGE).content.decode()
    assert "nghĩa vụ" in body and "/cong-dan/du-lieu-ca-nhan/tai-ve.zip" in body and 'type="password"' in body
    assert "style=" not in body and "<script>" not in body


def test_closing_the_account_removes_its_data_and_keeps_the_dossiers(an, django_capture_on_commit_callbacks):
    user, dossier = an
    file_name = DraftFile.objects.get().file.name
    assert default_storage.exists(file_name)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(_client(user), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 200 and "Tài khoản của Quý vị đã được đóng" in response.content.decode()
    closed = User.objects.get(pk=user.pk)
    assert not closed.is_active and not closed.has_usable_password()
    assert closed.username == f"closed-{user.pk}" and closed.full_name == closed.email == closed.phone == ""
    assert Consent.objects.get(user=user).withdrawn_at is not None
    assert not ContactPreference.objects.filter(user=user).exists()
    assert not Draft.objects.filter(owner=user).exists() and not default_storage.exists(file_name)
    assert not PendingRegistration.objects.exists() and not ApiToken.objects.filter(user=user).exists()
    assert not VneidIdentity.objects.exists() and closed.identity_level == ""
    kept = Dossier.objects.get(pk=dossier.pk)
    assert kept.owner_id == user.pk and kept.applicant_name == "Nguyễn Văn An"
    # Signed out, and no way back in.
    assert Client().login(username="an", password=PASSWORD) is False
    entry = LogEntry.objects.filter(object_pk=str(user.pk), changes__has_key="consent").get()
    assert "Nguyễn Văn An" not in str(entry.changes) and "an@example.vn" not in str(entry.changes)


@pytest.mark.parametrize("data", [{"password": "sai-mat-khau", "confirm": "on"}, {"password": PASSWORD},
                                  {"confirm": "on"}])
def test_a_wrong_password_or_no_confirmation_changes_nothing(an, data):
    user, _dossier = an
    response = _post(_client(user), data)
    assert response.status_code == 400 and 'class="error"' in response.content.decode()
    same = User.objects.get(pk=user.pk)
    assert same.is_active and same.email == "an@example.vn" and Draft.objects.filter(owner=user).exists()
    assert Consent.objects.get(user=user).withdrawn_at is None


def test_without_the_csrf_token_nothing_happens(an):
    response = _client(an[0]).post(PAGE, {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 403 and User.objects.get(pk=an[0].pk).is_active


def test_anonymous_and_staff_cannot_close_an_account(an, people):
    assert Client().get(PAGE).status_code == 302
    assert Client().post(PAGE, {"password": PASSWORD, "confirm": "on"}).status_code == 302
    binh = Client()
    binh.force_login(people["binh"])
    assert binh.get(PAGE).status_code == 403
    assert binh.post(PAGE, {"password": PASSWORD, "confirm": "on"}).status_code == 403
    assert User.objects.get(pk=people["binh"].pk).is_active and User.objects.get(pk=an[0].pk).is_active
