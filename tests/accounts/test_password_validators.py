"""The password check refuses the person's own name and contact (issue 21, finding 9): "nguyenvanan1" was accepted
for Nguyễn Văn An, since Django's similarity check looks at first_name/last_name (empty here) and keeps the marks."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from motcua.accounts.models import User
from motcua.accounts.validators import PersonalInformationValidator, name_fragments
from motcua.portal.models import PendingRegistration

AN = {"username": "0977123456", "full_name": "Nguyễn Văn An", "phone": "0977123456"}


def _refused(password: str, **who: str) -> bool:
    try:
        validate_password(password, User(**(who or AN)))
    except ValidationError:
        return True
    return False


@pytest.mark.parametrize("password", [
    "nguyenvanan1", "NguyenVanAn2026", "Nguyễn Văn An 99", "an.nguyen@2026", "2026@NguyenAn",
    "vanan-2026-xyz", "An@1990199001",
])
def test_the_name_in_any_case_marks_or_order_is_refused(password):
    assert _refused(password)


def test_one_word_of_the_name_with_digits_is_refused():
    assert _refused("Chi@19901990", username="chi@example.vn", full_name="Lê Thị Chi", email="chi@example.vn")


@pytest.mark.parametrize(("password", "who"), [
    ("my-0977123456-pass", AN),
    ("pass+84977123456", AN),
    ("lethichi.work-2026", {"username": "lethichi.work@example.vn", "full_name": "Trần Bình",
                            "email": "lethichi.work@example.vn"}),
    ("binhbinh-2026-x", {"username": "binh", "full_name": "Trần Thị Bình"}),
])
def test_the_phone_the_email_and_the_user_name_are_refused(password, who):
    assert _refused(password, **who)


@pytest.mark.parametrize("password", ["mot-mat-khau-rat-dai-2026", "hoa-sen-nở-trên-hồ-7", "Dalat#Thong#Xanh#88"])
def test_an_unrelated_password_passes(password):
    assert not _refused(password)


def test_the_message_is_vietnamese():
    with pytest.raises(ValidationError) as exc:
        validate_password("nguyenvanan1xyz", User(**AN))
    assert "Mật khẩu không được chứa họ tên của Quý vị." in exc.value.messages


def test_fragments_are_folded_and_paired():
    fragments = name_fragments("Nguyễn Văn An")
    assert {"nguyenvanan", "nguyenan", "annguyen", "vanan", "nguyenvan"} <= fragments
    assert "an" not in fragments and "van" not in fragments
    assert name_fragments("Đặng Thị Ánh") >= {"dangthianh", "anhdang"}


def test_without_a_user_nothing_is_checked():
    PersonalInformationValidator().validate("nguyenvanan1", None)


@pytest.mark.django_db
def test_registration_refuses_the_name_as_password():
    response = Client().post("/dang-ky/", {"full_name": "Nguyễn Văn An", "identifier": "0977123456",
                                           "password": "nguyenvanan1", "password2": "nguyenvanan1",
                                           "language": "vi", "consent": "on"})
    assert response.status_code == 200
    assert 'id="id_password_error"' in response.content.decode()
    assert not PendingRegistration.objects.exists()
