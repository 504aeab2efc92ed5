"""The staff's pages of the destruction lists (issue 21): ``/ho-so/tieu-huy/`` and ``/ho-so/tieu-huy/<id>/``. The same
rules as the API's ``/api/v1/destruction-lists`` (``retention.visible_lists``, ``retention.approve``): who may read,
who may approve, 409 for a list already decided; an approval through the form changes exactly what one through the
API changes; bad input is shown next to the field and changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from motcua.accounts import services as account_services
from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.dossiers.choices import DestructionStatus
from motcua.dossiers.models import DestructionItem, DestructionList, Dossier, DossierEvent

from .test_dossier_retention import AFTER, closed, proposed  # noqa: F401  (a list proposed for T.SXD, one dossier)

pytestmark = pytest.mark.django_db

PAGES = "/ho-so/tieu-huy/"
API = "/api/v1/destruction-lists"
# The day the decision is recorded: 10 January 2026, 09:00 in Vietnam, after the list of 1 January.
LATER = dt.datetime(2026, 1, 10, 2, 0, tzinfo=dt.UTC)
GOOD = {"number": "12/QĐ-SXD", "decided_on": "2026-01-05", "confirm": "on"}


def _client(user: User, language: str = "vi") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the pages follow the language switch's cookie
    client.force_login(user)
    return client


def _state() -> dict[str, Any]:
    """Everything an approval could touch: the lists, their items, the dossiers, their events."""
    return {
        "lists": list(DestructionList.objects.order_by("pk").values()),
        "items": list(DestructionItem.objects.order_by("pk").values()),
        "dossiers": list(Dossier.objects.order_by("pk").values()),
        "events": DossierEvent.objects.count(),
    }


def _post(client: Client, pk: int, data: dict[str, str]) -> Any:
    with time_machine.travel(LATER, tick=False):
        return client.post(f"{PAGES}{pk}/", data)


def test_anonymous_is_asked_to_sign_in(proposed):  # noqa: F811
    before = _state()
    for response in (Client().get(PAGES), Client().get(f"{PAGES}{proposed.pk}/"), _post(Client(), proposed.pk, GOOD)):
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert _state() == before


@pytest.mark.parametrize("who", ["an", "binh", "cuong", "dung", "thanh"])
def test_those_without_the_right_get_403_as_from_the_api(proposed, people, who):  # noqa: F811
    client, before = _client(people[who]), _state()
    assert client.get(PAGES).status_code == 403
    assert client.get(f"{PAGES}{proposed.pk}/").status_code == 403
    assert _post(client, proposed.pk, GOOD).status_code == 403
    assert _state() == before


def test_another_agencys_leader_sees_no_list_and_cannot_approve(proposed, people, org):  # noqa: F811
    leader = User.objects.create_user(username="lanh", password="mat-khau-dai-1", full_name="Lê Anh")
    account_services.assign_role(leader, Role.AGENCY_LEADER, org["other"])
    client, before = _client(leader), _state()
    page = client.get(PAGES)
    assert page.status_code == 200 and f"{PAGES}{proposed.pk}/" not in page.content.decode()
    assert client.get(f"{PAGES}{proposed.pk}/").status_code == 404
    assert _post(client, proposed.pk, GOOD).status_code == 404
    assert _state() == before


def test_the_leader_reads_the_list_without_the_applicants_data(proposed, people, closed):  # noqa: F811
    client = _client(people["giang"])
    listing = client.get(PAGES).content.decode()
    assert f"{PAGES}{proposed.pk}/" in listing and "Sở Xây dựng" in listing
    assert "Đã lập danh mục, chờ quyết định" in listing
    response = client.get(f"{PAGES}{proposed.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert closed.code in page and "15/06/2020" in page and "31/12/2025" in page and "5 năm" in page
    assert closed.procedure.code in page
    for personal in ("Nguyễn Văn An", "068090001234", closed.applicant_phone, closed.applicant_address):
        assert personal not in page
    assert 'name="decided_on"' in page and 'name="confirm"' in page and "csrfmiddlewaretoken" in page
    assert "không thể khôi phục" in page  # the box says the removal is irreversible


def test_the_queue_links_the_lists_for_leaders_only(proposed, people):  # noqa: F811
    assert PAGES in _client(people["giang"]).get("/ho-so/").content.decode()
    assert PAGES not in _client(people["binh"]).get("/ho-so/").content.decode()


def test_the_navigation_links_the_lists_for_administrators(proposed, people):  # noqa: F811
    assert f'href="{PAGES}"' in _client(people["ha"]).get("/").content.decode()
    for who in ("giang", "binh", "an"):  # a leader finds it on the queue; the others may not open it
        assert f'href="{PAGES}"' not in _client(people[who]).get("/").content.decode()
    assert f'href="{PAGES}"' not in Client().get("/").content.decode()


def test_the_admin_links_the_page(proposed, people):  # noqa: F811
    admin = _client(people["ha"])
    for url in ("/quan-tri/dossiers/destructionlist/", f"/quan-tri/dossiers/destructionlist/{proposed.pk}/change/"):
        assert f"{PAGES}{proposed.pk}/" in admin.get(url).content.decode()


@pytest.mark.parametrize("how", ["page", "api"])
def test_the_page_changes_exactly_what_the_api_changes(proposed, people, how):  # noqa: F811
    before = _state()
    client = _client(people["giang"])
    if how == "page":
        response = _post(client, proposed.pk, GOOD)
        assert response.status_code == 302 and response["Location"] == f"{PAGES}{proposed.pk}/"
    else:
        with time_machine.travel(LATER, tick=False):
            response = client.post(f"{API}/{proposed.pk}/approve",
                                   {"decision": "Quyết định số 12/QĐ-SXD ngày 05/01/2026"},
                                   content_type="application/json")
        assert response.status_code == 200
    after = _state()
    assert {k: v for k, v in after.items() if k != "lists"} == {k: v for k, v in before.items() if k != "lists"}
    changed = {k for k, v in after["lists"][0].items() if before["lists"][0][k] != v}
    assert changed == {"status", "decision", "approved_by_id", "approved_at"}
    approved = DestructionList.objects.get()
    assert approved.status == DestructionStatus.APPROVED and approved.approved_by == people["giang"]
    assert approved.decision == "Quyết định số 12/QĐ-SXD ngày 05/01/2026" and approved.approved_at == LATER
    shown = client.get(f"{PAGES}{proposed.pk}/").content.decode()
    assert "Quyết định số 12/QĐ-SXD ngày 05/01/2026" in shown and "Hoàng Văn Giang" in shown
    assert 'name="confirm"' not in shown  # decided: no form any more


def test_the_administrator_records_the_heads_decision(proposed, people):  # noqa: F811
    client = _client(people["ha"])
    assert f"{PAGES}{proposed.pk}/" in client.get(PAGES).content.decode()
    assert _post(client, proposed.pk, {**GOOD, "number": "Quyết định số 3/QĐ-SXD"}).status_code == 302
    approved = DestructionList.objects.get()
    assert approved.approved_by == people["ha"] and approved.decision == "Quyết định số 3/QĐ-SXD ngày 05/01/2026"


def test_a_second_approval_is_refused_with_409_and_changes_nothing(proposed, people):  # noqa: F811
    client = _client(people["giang"])
    # Two tabs: the form read before the first approval is sent after it.
    assert _post(client, proposed.pk, GOOD).status_code == 302
    before = _state()
    again = _post(_client(people["ha"]), proposed.pk, {**GOOD, "number": "13/QĐ-SXD"})
    assert again.status_code == 409 and "Danh mục này đã được quyết định." in again.content.decode()
    assert _state() == before and DestructionList.objects.get().decision.startswith("Quyết định số 12/QĐ-SXD")


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"number": ""}, "number", "Nhập số của quyết định"),
    ({"number": "12/QĐ\x07"}, None, "ký tự điều khiển"),  # refused before the view (UserTextMiddleware)
    ({"number": "x" * 101}, "number", ""),
    ({"decided_on": ""}, "decided_on", "Nhập ngày ký quyết định."),
    ({"decided_on": "2026-02-31"}, "decided_on", "Nhập một ngày hợp lệ"),
    ({"decided_on": "2026-01-11"}, "decided_on", "không thể là một ngày trong tương lai"),
    ({"decided_on": "2025-12-31"}, "decided_on", "trước ngày lập danh mục (01/01/2026)"),
    ({"confirm": ""}, "confirm", "Đánh dấu vào ô để xác nhận"),
])
def test_bad_input_is_shown_next_to_the_field_and_changes_nothing(proposed, people, data, field, message):  # noqa: F811
    before = _state()
    response = _post(_client(people["giang"]), proposed.pk, {**GOOD, **data})
    assert response.status_code == 400
    page = response.content.decode()
    assert (field is None or f'id="id_{field}_error"' in page) and message in page
    assert _state() == before


def test_bad_input_in_english(proposed, people):  # noqa: F811
    response = _post(_client(people["giang"], "en"), proposed.pk, {**GOOD, "decided_on": "2026-01-11"})
    assert response.status_code == 400
    assert "The decision&#x27;s date cannot be in the future." in response.content.decode()


def test_a_post_without_the_csrf_token_changes_nothing(proposed, people):  # noqa: F811
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["giang"])
    before = _state()
    assert _post(client, proposed.pk, GOOD).status_code == 403
    assert _state() == before


def test_an_unknown_list_is_404(proposed, people):  # noqa: F811
    client = _client(people["giang"])
    assert client.get(f"{PAGES}999999/").status_code == 404
    assert _post(client, 999999, GOOD).status_code == 404


def test_the_api_takes_the_number_and_date_apart_with_the_pages_checks(proposed, people):  # noqa: F811
    client, before = _client(people["giang"]), _state()
    url = f"{API}/{proposed.pk}/approve"
    with time_machine.travel(LATER, tick=False):
        for body, field in (({"number": "12/QĐ-SXD", "decided_on": "2026-01-11"}, "decided_on"),
                            ({"number": "12/QĐ-SXD", "decided_on": "2025-12-31"}, "decided_on"),
                            ({"number": "", "decided_on": "2026-01-05"}, "number"),
                            ({"number": "12/QĐ-SXD"}, "decided_on"),
                            ({"decision": "QĐ 12", "number": "12/QĐ-SXD", "decided_on": "2026-01-05"}, "decision")):
            response = client.post(url, body, content_type="application/json")
            assert response.status_code == 400, body
            assert response.json()["error"]["details"]["fields"][0]["field"] == field
        assert _state() == before
        response = client.post(url, {"number": "12/QĐ-SXD", "decided_on": "2026-01-05"},
                               content_type="application/json")
    assert response.status_code == 200 and response.json()["decision"] == "Quyết định số 12/QĐ-SXD ngày 05/01/2026"
