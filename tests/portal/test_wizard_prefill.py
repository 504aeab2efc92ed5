"""The applicant step starts filled in from the citizen's account and, for the ID number and the address the
account does not hold, from their latest dossier; every field stays editable and what is sent wins."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from motcua.dossiers.models import Dossier

from .conftest import APPLICANT, draft_until_delivery

pytestmark = pytest.mark.django_db


def _value(html: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert tag, name
    assert "readonly" not in tag.group(0) and "disabled" not in tag.group(0)  # editable
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


def _applicant_page(client: Client) -> str:
    response = client.post("/cong-dan/nop-ho-so/1.013236/")
    base = response["Location"].rsplit("/", 2)[0]
    return client.get(f"{base}/applicant/").content.decode()


def test_a_first_submission_starts_from_the_account(people, procedure, client_for):
    an = people["an"]
    an.phone, an.email = "0987654321", "an@example.vn"
    an.save()
    html = _applicant_page(client_for("an"))
    assert _value(html, "name") == "Nguyễn Văn An"
    assert _value(html, "phone") == "0987654321"
    assert _value(html, "email") == "an@example.vn"
    assert _value(html, "id_number") is None and _value(html, "address") is None  # nothing to reuse yet
    assert re.search(r'<input[^>]*value="individual"[^>]*checked', html)


def test_the_next_submission_reuses_the_id_number_and_the_address(people, procedure, client_for,
                                                                  django_capture_on_commit_callbacks):
    client = client_for("an")
    base = draft_until_delivery(client)
    assert client.post(f"{base}/delivery/", {"method": "desk"}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{base}/nop/").status_code == 302
    assert Dossier.objects.get().applicant_id_number == APPLICANT["id_number"]

    response = client.post("/cong-dan/nop-ho-so/1.013236/")
    base = response["Location"].rsplit("/", 2)[0]
    html = client.get(f"{base}/applicant/").content.decode()
    assert _value(html, "id_number") == APPLICANT["id_number"]
    assert _value(html, "address") == APPLICANT["address"]
    assert _value(html, "phone") == APPLICANT["phone"]  # the account has none: the dossier's
    # Editable: what the citizen sends is what the draft keeps, and the page then shows it.
    moved = {**APPLICANT, "address": "3 Hùng Vương, Đà Lạt"}
    assert client.post(f"{base}/applicant/", moved).status_code == 302
    assert _value(client.get(f"{base}/applicant/").content.decode(), "address") == "3 Hùng Vương, Đà Lạt"


def test_another_citizens_dossier_is_never_reused(people, procedure, client_for, django_capture_on_commit_callbacks):
    client = client_for("an")
    base = draft_until_delivery(client)
    client.post(f"{base}/delivery/", {"method": "desk"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{base}/nop/")
    Dossier.objects.update(owner=None)  # e.g. a dossier filed at the desk, of no account
    html = _applicant_page(client)
    assert _value(html, "id_number") is None and _value(html, "address") is None
