"""How the citizen asks to receive the result (the wizard's "delivery" step) lands in ``Dossier.result_method``
through ``dossiers.services.submit_online``, shows on the citizen's and the staff's dossier pages and in the
API; a value that is not one of ``ReturnMethod`` is refused with a Vietnamese message and nothing is created."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.core.errors import DomainError
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Dossier
from motcua.dossiers.workflow.choices import ReturnMethod
from motcua.portal.models import Draft, DraftFile

from .conftest import POSTAL, draft_until_delivery, intake

pytestmark = pytest.mark.django_db

# The citizen's page speaks the wizard's words; the staff page those of the return form.
CITIZEN_LABEL = {"desk": "Trực tiếp tại Bộ phận Một cửa", "post": "Qua dịch vụ bưu chính công ích",
                 "online": "Trực tuyến"}
STAFF_LABEL = {"desk": "Tại Bộ phận Một cửa", "post": "Qua bưu chính", "online": "Trực tuyến"}
BAD_METHOD = "Chọn cách nhận kết quả: trực tiếp tại Bộ phận Một cửa, qua bưu chính hoặc trực tuyến."

def test_the_wizard_offers_exactly_the_return_methods(people, procedure, client_for):
    from motcua.portal.forms import DeliveryForm

    assert [value for value, _label in DeliveryForm().fields["method"].choices] == list(ReturnMethod.values)


@pytest.mark.parametrize("method", ["desk", "post", "online"])
def test_each_method_is_stored_and_shown(people, procedure, templates, client_for, token_for, method):
    client = client_for("an")
    base = draft_until_delivery(client)
    answer = {"method": method, "address": POSTAL if method == "post" else ""}
    assert client.post(f"{base}/delivery/", answer).status_code == 302
    response = client.post(f"{base}/nop/")
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.result_method == method
    page = client.get(response["Location"]).content.decode()
    assert "Nhận kết quả" in page and CITIZEN_LABEL[method] in page
    staff = client_for("binh").get(f"/ho-so/{dossier.public_id}/").content.decode()
    assert "Hình thức trả kết quả" in staff and STAFF_LABEL[method] in staff
    # The desk accepts it (it then has a code) and the API's dossier detail says it too.
    dossier_services.accept(people["binh"], dossier)
    dossier.refresh_from_db()
    body = Client().get(f"/api/v1/dossiers/{dossier.code}", HTTP_AUTHORIZATION=token_for("binh")).json()
    assert body["result_method"] == method


def test_a_bad_value_is_refused_at_the_step_in_vietnamese(people, procedure, client_for):
    client = client_for("an")
    base = draft_until_delivery(client)
    response = client.post(f"{base}/delivery/", {"method": "fax"})
    assert response.status_code == 400
    assert BAD_METHOD in response.content.decode()
    assert "delivery" not in Draft.objects.get().data  # the answer was not saved
    assert client.post(f"{base}/nop/").status_code == 302  # back to the review: the step is missing
    assert not Dossier.objects.exists()


def test_a_bad_value_in_a_saved_draft_blocks_the_submission(people, procedure, client_for):
    client = client_for("an")
    base = draft_until_delivery(client)
    assert client.post(f"{base}/delivery/", {"method": "desk"}).status_code == 302
    draft = Draft.objects.get()
    draft.data = {**draft.data, "delivery": {"method": "fax", "address": ""}}  # e.g. a draft of an older release
    draft.save(update_fields=["data"])
    response = client.post(f"{base}/nop/")
    assert response.status_code == 302 and response["Location"].endswith("/review/")
    assert BAD_METHOD in client.get(f"{base}/review/").content.decode()
    assert not Dossier.objects.exists()
    assert Draft.objects.exists() and DraftFile.objects.count() == 2  # the draft is kept as it was


def test_the_dossier_service_refuses_a_bad_value_before_writing(people, procedure):
    with pytest.raises(DomainError) as caught:
        dossier_services.submit_online(people["an"], intake(result_method="fax"))
    assert caught.value.details["fields"][0]["field"] == "result_method"
    assert caught.value.message == "Hãy chọn hình thức trả kết quả."
    assert not Dossier.objects.exists()


def test_without_a_choice_the_field_stays_empty(people, procedure):
    """The desk's intake does not ask: the field is filled when the result is returned."""
    dossier = dossier_services.submit_online(people["an"], intake())
    assert dossier.result_method == ""
