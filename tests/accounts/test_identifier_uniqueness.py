"""Two accounts never share a sign-in e-mail or phone (issue 21): the database refuses it (partial unique
constraints, e-mails compared without case), and every writer answers the loser of a race as it answers "this
address is taken" — never a 500."""

from __future__ import annotations

import io
import itertools
from unittest import mock

import pytest
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from motcua.accounts import identifiers
from motcua.accounts.models import User
from motcua.accounts.services import create_citizen

PASSWORD = "mat-khau-dai-1"  # tests/conftest.py's people
_NAMES = itertools.count()


def _citizen(email: str = "", phone: str = "") -> User:
    return create_citizen(username=f"cd{next(_NAMES)}", full_name="Công Dân", email=email, phone=phone,
                          password_hash=make_password(PASSWORD))


# --- the constraints -----------------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize(("first", "second"), [("an@example.vn", "an@example.vn"),
                                               ("an@example.vn", "An@Example.VN")])
def test_a_second_account_with_the_same_email_is_refused_by_the_database(first, second):
    _citizen(email=first)
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        User.objects.create(username="other", email=second)
    assert identifiers.conflict(raised.value) == "email"


@pytest.mark.django_db
def test_a_second_account_with_the_same_phone_is_refused_by_the_database():
    user = _citizen(phone="0912345678")
    other = _citizen()
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        User.objects.filter(pk=other.pk).update(phone="0912345678")
    assert identifiers.conflict(raised.value) == "phone"
    assert User.objects.get(pk=other.pk).phone == "" and user.phone == "0912345678"


@pytest.mark.django_db
def test_any_number_of_accounts_may_have_no_email_and_no_phone():
    for _ in range(3):
        _citizen()
    assert User.objects.filter(email="", phone="").count() == 3


@pytest.mark.django_db
def test_a_user_name_taken_twice_is_named_too():
    # Registration makes the address the user name: the loser of two registrations may hit that one first.
    _citizen()
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        User.objects.create(username="an@example.vn")
        User.objects.create(username="an@example.vn")
    assert identifiers.conflict(raised.value) == "username"


@pytest.mark.django_db
def test_another_violation_is_not_taken_for_an_identifier():
    _citizen(email="an@example.vn")
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        User.objects.create(username="x", email="b@example.vn", unit_id=999999)  # no such unit
        connection.check_constraints()
    assert identifiers.conflict(raised.value) is None


@pytest.mark.parametrize(("typed", "stored"), [("+84 912.345.678", "0912345678"), ("0912-345-678", "0912345678"),
                                               (" 0263 3822 123 ext 5 ", "0263 3822 123 ext 5"),
                                               ("0263.3822.123", "02633822123"), ("", "")])
def test_the_canonical_phone_is_the_registrations_form(typed, stored):
    assert identifiers.canonical_phone(typed) == stored


# --- the administrators' page -------------------------------------------------------------------------------

def _person_form(user: User, **changes: str) -> dict[str, str]:
    data = {"username": user.username, "first_name": "", "last_name": "", "email": user.email,
            "is_active": "on", "date_joined_0": timezone.localtime(user.date_joined).strftime("%d/%m/%Y"),
            "date_joined_1": "08:00:00", "last_login_0": "", "last_login_1": "", "full_name": user.full_name,
            "phone": user.phone, "unit": "", "applicant_kind": user.applicant_kind, "organisation_name": "",
            "organisation_tax_code": "", "preferred_language": "vi",
            "role_assignments-TOTAL_FORMS": "0", "role_assignments-INITIAL_FORMS": "0",
            "role_assignments-MIN_NUM_FORMS": "0", "role_assignments-MAX_NUM_FORMS": "1000"}
    return {**data, **changes}


@pytest.mark.django_db
def test_the_admin_refuses_an_email_or_phone_of_another_account_next_to_the_field(people, client_for):
    _citizen(email="an@example.vn", phone="0912345678")
    an = people["an"]
    page = f"/quan-tri/accounts/user/{an.pk}/change/"
    client = client_for("ha")
    response = client.post(page, _person_form(an, email="AN@example.vn", phone="+84 912 345 678"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "email" in errors and "phone" in errors
    body = response.content.decode()
    assert "Một tài khoản khác đã dùng địa chỉ thư điện tử này." in body
    an.refresh_from_db()
    assert (an.email, an.phone) == ("", "")


@pytest.mark.django_db
def test_the_admin_stores_the_canonical_forms(people, client_for):
    an = people["an"]
    response = client_for("ha").post(f"/quan-tri/accounts/user/{an.pk}/change/",
                                     _person_form(an, email=" An.Moi@Example.vn ", phone="+84 912.345.678"))
    assert response.status_code == 302, response.content.decode()[:3000]
    an.refresh_from_db()
    assert (an.email, an.phone) == ("an.moi@example.vn", "0912345678")


@pytest.mark.django_db
def test_the_admin_answers_a_save_that_lost_the_race_with_a_message_not_a_500(people, client_for):
    an = people["an"]
    _citizen(phone="0912345678")
    page = f"/quan-tri/accounts/user/{an.pk}/change/"
    from motcua.accounts.admin import PersonChangeForm

    # The form's check and the model's validation both ran before the other account took the number.
    with mock.patch.object(PersonChangeForm, "clean_phone", lambda form: form.cleaned_data["phone"]), \
            mock.patch.object(User, "validate_constraints", lambda self, exclude=None: None):
        response = client_for("ha").post(page, _person_form(an, phone="0912345678"), follow=True)
    assert response.status_code == 200
    assert "Chưa lưu gì: Một tài khoản khác đã dùng số điện thoại này." in response.content.decode()
    an.refresh_from_db()
    assert an.phone == ""



@pytest.mark.django_db
def test_the_demo_leaves_out_an_address_another_account_already_holds(settings, tmp_path):
    from motcua.accounts import demo

    settings.MOTCUA_DEMO_CREDENTIALS_FILE = tmp_path / "creds.txt"
    holder = _citizen(email="An@Example.vn", phone="0912345678")
    demo.seed(io.StringIO())
    an = User.objects.get(username="an")
    assert (an.email, an.phone) == ("", "")
    assert User.objects.get(username="binh").email == "binh@example.vn"
    assert User.objects.get(pk=holder.pk).email == "An@Example.vn"
