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


@pytest.fixture
def desk(people, org):  # type: ignore[no-untyped-def]
    """(a dossier just received at the desk, a client factory signed in as its desk officer). The threads
    share one session cookie, made after one request has loaded what a first request loads (URLs,
    translations, the PDF renderer)."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent connections: PostgreSQL (in-memory SQLite is one connection)")
    make_procedure(org)
    user = people["binh"]
    d = services.receive_at_desk(user, intake())
    signed_in = Client()
    signed_in.force_login(user)
    signed_in.get("/ho-so/")

    def client() -> Client:
        c = Client(raise_request_exception=False)
        c.cookies = copy.deepcopy(signed_in.cookies)
        return c

    return d, client


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_issues_of_one_form_give_one_form_and_no_error(desk):
    d, client = desk
    statuses, errors = at_once(10, lambda: client().post(f"/ho-so/{d.code}/phieu/01/").status_code)
    assert errors == []
    assert statuses == [200] * 10
    assert IssuedForm.objects.filter(dossier=d, role="receipt").count() == 1
    assert d.events.filter(kind=EventKind.FORM_ISSUED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_reads_of_a_form_issue_nothing(desk):
    d, client = desk

    def work() -> int:
        response = client().get(f"/ho-so/{d.code}/phieu/01/")
        return response.status_code if response.get("X-Form-Preview") == "1" else -1

    statuses, errors = at_once(10, work)
    assert errors == []
    assert statuses == [200] * 10
    assert not IssuedForm.objects.exists()
