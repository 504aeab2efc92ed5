"""Ten concurrent requests to issue form 01 of a new dossier, from threads with their own connections: one
issued form, one event, no error (the issue renders before the lock and checks again under it)."""

from __future__ import annotations

import copy

import pytest
from django.db import connection
from django.test import Client

from motcua.dossiers import services
from motcua.dossiers.choices import EventKind
from motcua.dossiers.models import IssuedForm
from tests.conftest import at_once
from tests.dossiers.conftest import intake, make_procedure


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def _signed_in(user):  # type: ignore[no-untyped-def]
    """The session cookie of ``user``, signed in once (the threads share it), after one request has loaded
    what a first request loads (URLs, translations, the PDF renderer)."""
    client = Client()
    client.force_login(user)
    client.get("/ho-so/")
    return client.cookies


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_issues_of_one_form_give_one_form_and_no_error(people, org):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent connections: PostgreSQL (in-memory SQLite is one connection)")
    make_procedure(org)
    user = people["binh"]
    d = services.receive_at_desk(user, intake())
    n = 10
    cookies = _signed_in(user)

    def work() -> int:
        client = Client(raise_request_exception=False)
        client.cookies = copy.deepcopy(cookies)
        return client.post(f"/ho-so/{d.code}/phieu/01/").status_code

    statuses, errors = at_once(n, work)
    assert errors == []
    assert statuses == [200] * n
    assert IssuedForm.objects.filter(dossier=d, role="receipt").count() == 1
    assert d.events.filter(kind=EventKind.FORM_ISSUED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_reads_of_a_form_issue_nothing(people, org):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent connections: PostgreSQL (in-memory SQLite is one connection)")
    make_procedure(org)
    user = people["binh"]
    d = services.receive_at_desk(user, intake())
    n = 10
    cookies = _signed_in(user)

    def work() -> int:
        client = Client(raise_request_exception=False)
        client.cookies = copy.deepcopy(cookies)
        response = client.get(f"/ho-so/{d.code}/phieu/01/")
        return response.status_code if response.get("X-Form-Preview") == "1" else -1

    statuses, errors = at_once(n, work)
    assert errors == []
    assert statuses == [200] * n
    assert not IssuedForm.objects.exists()
