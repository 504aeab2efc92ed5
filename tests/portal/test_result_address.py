"""The postal address for the result (``Dossier.result_address``): asked by the wizard's "delivery" step when
the citizen chooses the public postal service, carried through ``dossiers.services.submit_online`` (required
then, dropped for the other methods), shown to the applicant and to the staff who handle the dossier (masked
for other readers), never on public tracking."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from motcua.accounts import services as accounts_services
from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.core.errors import DomainError
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Dossier
from motcua.portal.models import Draft

from .conftest import APPLICANT, POSTAL, draft_until_delivery, intake, submit

pytestmark = pytest.mark.django_db

STREET = "5 Lê Lợi"  # the part of the address no masked view may show
MISSING = "Hãy nhập địa chỉ nhận kết quả qua bưu chính."

def _by_post(people) -> Dossier:  # type: ignore[no-untyped-def]
    return submit(people, result_method="post", result_address=POSTAL)


# --- stored -------------------------------------------------------------------------------------------

def test_the_wizard_stores_the_postal_address_and_the_citizen_sees_it(people, procedure, client_for):
    client = client_for("an")
    base = draft_until_delivery(client)
    assert client.post(f"{base}/delivery/", {"method": "post", "address": f"  {POSTAL} "}).status_code == 302
    response = client.post(f"{base}/nop/")
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert (dossier.result_method, dossier.result_address) == ("post", POSTAL)
    page = client.get(response["Location"]).content.decode()
    assert "Qua dịch vụ bưu chính công ích" in page and POSTAL in page


@pytest.mark.parametrize("method", ["desk", "online"])
def test_for_the_other_methods_the_address_is_not_kept(people, procedure, client_for, method):
    client = client_for("an")
    base = draft_until_delivery(client)
    assert client.post(f"{base}/delivery/", {"method": method, "address": POSTAL}).status_code == 302
    assert Draft.objects.get().data["delivery"]["address"] == ""
    assert client.post(f"{base}/nop/").status_code == 302
    assert Dossier.objects.get().result_address == ""


def test_the_service_clears_an_address_given_with_another_method(people, procedure):
    dossier = submit(people, result_method="online", result_address=POSTAL)
    assert (dossier.result_method, dossier.result_address) == ("online", "")
    assert submit(people, result_address=POSTAL).result_address == ""  # no method chosen


def test_the_address_is_normalised(people, procedure):
    dossier = submit(people, result_method="post", result_address="  5  Le\u0302\u0301 Lợi,\n tỉnh Lâm Đồng ")
    assert dossier.result_address == "5 Lế Lợi, tỉnh Lâm Đồng"


# --- refused ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("address", ["", "   \n "])
def test_the_service_refuses_post_without_an_address_and_writes_nothing(people, procedure, settings, address):
    with pytest.raises(DomainError) as caught:
        submit(people, result_method="post", result_address=address)
    assert caught.value.code == "invalid_input"
    assert caught.value.message == MISSING
    assert caught.value.details["fields"][0]["field"] == "result_address"
    assert not Dossier.objects.exists()
    assert not [p for p in settings.MEDIA_ROOT.rglob("*") if p.ispdf_file()]


def test_the_service_refuses_an_address_too_long(people, procedure):
    with pytest.raises(DomainError) as caught:
        dossier_services.submit_online(people["an"], intake(result_method="post", result_address="5 Lê Lợi " * 60))
    assert caught.value.details["fields"][0]["field"] == "result_address"
    assert caught.value.message == "Địa chỉ nhận kết quả qua bưu chính dài tối đa 500 ký tự."
    assert not Dossier.objects.exists()


def test_the_wizard_asks_for_the_address_at_the_step(people, procedure, client_for):
    client = client_for("an")
    base = draft_until_delivery(client)
    response = client.post(f"{base}/delivery/", {"method": "post", "address": "   "})
    assert response.status_code == 400
    assert "Nhập địa chỉ nhận kết quả qua bưu chính." in response.content.decode()
    assert "delivery" not in Draft.objects.get().data


def test_a_saved_draft_by_post_without_an_address_is_not_submitted(people, procedure, client_for):
    client = client_for("an")
    base = draft_until_delivery(client)
    assert client.post(f"{base}/delivery/", {"method": "desk"}).status_code == 302
    draft = Draft.objects.get()
    draft.data = {**draft.data, "delivery": {"method": "post", "address": " "}}  # e.g. an older release's draft
    draft.save(update_fields=["data"])
    response = client.post(f"{base}/nop/")
    assert response.status_code == 302 and response["Location"].endswith("/review/")
    assert not Dossier.objects.exists() and Draft.objects.exists()


def test_the_api_refuses_post_without_an_address(people, procedure, token_for):
    body = {"procedure": "1.013236", "applicant": APPLICANT, "documents": [{"order": 1}, {"order": 2}],
            "channel": "online", "result_method": "post"}
    response = Client().post("/api/v1/dossiers", json.dumps(body), content_type="application/json",
                             HTTP_AUTHORIZATION=token_for("an"))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"] == MISSING and error["details"]["fields"][0]["field"] == "result_address"
    assert not Dossier.objects.exists()
    body["result_address"] = POSTAL
    response = Client().post("/api/v1/dossiers", json.dumps(body), content_type="application/json",
                             HTTP_AUTHORIZATION=token_for("an"))
    assert response.status_code == 201
    assert Dossier.objects.get().result_address == POSTAL


# --- who sees it ----------------------------------------------------------------------------------------

def _text(body: object) -> str:
    return json.dumps(body, ensure_ascii=False)


def _detail(reference: str, token: str):  # type: ignore[no-untyped-def]
    return Client().get(f"/api/v1/dossiers/{reference}", HTTP_AUTHORIZATION=token)


def test_the_api_detail_shows_it_to_the_owner_and_the_desk_masked_to_other_readers(people, procedure, token_for):
    dossier = _by_post(people)
    for who in ("an", "binh"):
        body = _detail(dossier.reference, token_for(who)).json()
        assert (body["result_method"], body["result_address"]) == ("post", POSTAL)
    masked = _detail(dossier.reference, token_for("thanh")).json()  # the inspector reads, does not handle
    assert masked["applicant"]["masked"] is True
    assert masked["result_address"] == "…, tỉnh Lâm Đồng" and STREET not in _text(masked)


def test_the_api_detail_is_refused_to_others(people, procedure, token_for):
    dossier = _by_post(people)
    other = User.objects.create_user(username="chi", password="mat-khau-dai-1", full_name="Lý Thị Chi")
    accounts_services.assign_role(other, Role.CITIZEN, None)
    assert Client().get(f"/api/v1/dossiers/{dossier.reference}").status_code == 401
    for token in (token_for("khanh"), "Bearer " + accounts_services.create_token(other, "test")[1]):
        response = _detail(dossier.reference, token)
        assert response.status_code == 404 and STREET not in _text(response.json())


def test_the_staff_page_shows_it_once_the_personal_data_is_opened(people, procedure, client_for):
    dossier = _by_post(people)
    page = client_for("binh").get(f"/ho-so/{dossier.public_id}/").content.decode()
    assert "Địa chỉ nhận kết quả qua bưu chính" in page and STREET not in page
    page = client_for("binh").get(f"/ho-so/{dossier.public_id}/", {"ca-nhan": "1"}).content.decode()
    assert "Hình thức trả kết quả" in page and POSTAL in page
    page = client_for("thanh").get(f"/ho-so/{dossier.public_id}/", {"ca-nhan": "1"}).content.decode()
    assert STREET not in page and "đã ẩn (thông tin cá nhân)" in page


def test_public_tracking_never_shows_it(people, procedure):
    dossier = dossier_services.accept(people["binh"], _by_post(people))
    page = Client().post("/tra-cuu", {"code": dossier.code, "verify": "5678"})
    assert page.status_code == 200 and dossier.code in page.content.decode()
    assert STREET not in page.content.decode() and "Lê Lợi" not in page.content.decode()
    api = Client().get(f"/api/v1/public/dossiers/{dossier.code}", {"verify": "5678"})
    assert api.status_code == 200 and api.json()["code"] == dossier.code
    assert "Lê Lợi" not in _text(api.json()) and "result_address" not in api.json()
