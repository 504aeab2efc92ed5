"""Issue 21, finding 1: notices are read exactly by those who may read their subject. An officer of another
agency gets the same answer as for a subject that does not exist (no oracle on the sequential codes), and a
registration's confirmation code is never shown to staff."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.notifications import defaults

from .test_api import URL, dossier, ref, sent  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.notifications.urls")]


def test_another_agency_gets_what_a_missing_subject_gets(sent, token_for, ref):  # noqa: F811
    other = Client().get(URL, {"subject": ref}, HTTP_AUTHORIZATION=token_for("khanh"))
    missing = Client().get(URL, {"subject": "dossier:T.SXD-000000-9999"}, HTTP_AUTHORIZATION=token_for("khanh"))
    assert other.status_code == missing.status_code == 403
    assert other.json() == missing.json()
    assert sent.recipient_name not in other.content.decode()
    mine = Client().get(URL, {"subject": ref}, HTTP_AUTHORIZATION=token_for("binh"))
    assert mine.status_code == 200 and mine.json()


@pytest.mark.parametrize("username", ["binh", "ha", "thanh", "khanh"])
def test_a_registration_code_is_never_shown_to_staff(templates, an, send, token_for, username):
    message = send(an, defaults.STATUS_CHANGED, defaults.sample_context(defaults.STATUS_CHANGED),
                   preferred=["sms"], subject_ref="registration:7d1c0c43-52c7-4b8e-9b0e-6b2b1d0f3a11")
    response = Client().get(URL, {"subject": message.subject_ref}, HTTP_AUTHORIZATION=token_for(username))
    assert response.status_code == 403 and message.body not in response.content.decode()
