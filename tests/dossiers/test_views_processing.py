"""The processing actions as forms (issue 6): shown to whom they belong, run through the workflow services,
a refusal shows the service's message and changes nothing."""

from __future__ import annotations

import pytest

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierEvent

from .conftest import intake

pytestmark = pytest.mark.django_db
pytest.importorskip("motcua.dossiers.workflow.services")


@pytest.fixture
def in_progress(procedure, people):  # type: ignore[no-untyped-def]
    return services.transfer(people["binh"], services.receive_at_desk(people["binh"], intake()))


def test_the_specialist_takes_the_dossier_from_its_page(in_progress, client_for):
    client = client_for("cuong")
    page = client.get(f"/ho-so/{in_progress.code}/").content.decode()
    assert f"/ho-so/{in_progress.code}/claim/" in page
    assert f"/ho-so/{in_progress.code}/sign/" not in page  # a specialist does not sign
    response = client.post(f"/ho-so/{in_progress.code}/claim/", {"note": ""})
    assert response.status_code in (302, 400)
    if response.status_code == 400:  # the default process may start with another unit: the message is shown
        assert 'role="alert"' in response.content.decode()


def test_the_desk_does_not_see_processing_actions(in_progress, client_for):
    page = client_for("binh").get(f"/ho-so/{in_progress.code}/").content.decode()
    assert f"/ho-so/{in_progress.code}/claim/" not in page
    assert client_for("binh").post(f"/ho-so/{in_progress.code}/approve/").status_code == 403


def test_a_refused_processing_action_changes_nothing(in_progress, client_for):
    before = DossierEvent.objects.filter(dossier=in_progress).count()
    response = client_for("dung").post(f"/ho-so/{in_progress.code}/draft-apology/",
                                       {"reason": "", "new_due_at": "2020-01-01T08:00"})
    assert response.status_code == 400
    assert DossierEvent.objects.filter(dossier=in_progress).count() == before
    assert Dossier.objects.get(pk=in_progress.pk).due_at == in_progress.due_at


def test_assign_to_an_unknown_officer_is_shown_next_to_the_field(in_progress, client_for):
    response = client_for("dung").post(f"/ho-so/{in_progress.code}/assign/", {"officer": "nobody"})
    assert response.status_code == 400 and 'id="id_officer_error"' in response.content.decode()


def test_other_agency_gets_404_on_processing_actions(in_progress, client_for):
    assert client_for("khanh").post(f"/ho-so/{in_progress.code}/claim/").status_code == 404


@pytest.mark.parametrize("method", ["online", "post"])
def test_the_return_form_starts_from_the_citizens_choice(procedure, people, method):  # type: ignore[no-untyped-def]
    from motcua.dossiers.forms import action_form
    extra = {"result_address": "12 Trần Phú, Đà Lạt"} if method == "post" else {}
    dossier = services.receive_at_desk(people["binh"], intake(result_method=method, **extra))
    assert dossier.result_method == method
    html = str(action_form("return", dossier)["method"])
    assert f'value="{method}" selected' in html and 'value="desk" selected' not in html
