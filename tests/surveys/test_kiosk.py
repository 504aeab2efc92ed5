"""The kiosk at the desk: set up by a desk officer, then answered by anyone holding the tablet, with the
signed cookie as the only proof, no comment and nothing about the person."""

from __future__ import annotations

import pytest
from django.core import signing
from django.test import Client

from motcua.surveys import services
from motcua.surveys.choices import Channel
from motcua.surveys.models import Counter, Response
from motcua.surveys.views import kiosk as kiosk_views

pytestmark = pytest.mark.django_db
SETUP, KIOSK, CLOSE = "/khao-sat/quay/", "/khao-sat/quay/phieu/", "/khao-sat/quay/dong/"


@pytest.fixture
def counters(org):  # type: ignore[no-untyped-def]
    return {"q1": Counter.objects.create(unit=org["sxd"], code="Q1", name="Quầy 1"),
            "q2": Counter.objects.create(unit=org["sxd"], code="Q2", name="Quầy 2"),
            "off": Counter.objects.create(unit=org["sxd"], code="Q9", name="Quầy 9", active=False),
            "other": Counter.objects.create(unit=org["other"], code="Q1", name="Quầy 1 SNN")}


def answers_post() -> dict[str, str]:
    form = services.per_dossier_form()
    data = {}
    for i, c in enumerate(form.criteria.all()):
        data[f"c_{c.code}"] = "5" if i else "4"
    return data


def kiosk_client(client_for, counter: Counter) -> Client:  # type: ignore[no-untyped-def]
    client = client_for("binh")
    response = client.post(SETUP, {"counter": f"{counter.unit_id}:{counter.code}"})
    assert response.status_code == 302 and response["Location"] == KIOSK
    return client


def test_setup_lists_the_officers_active_counters_only(client_for, counters):
    page = client_for("binh").get(SETUP)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Quầy 1" in body and "Quầy 2" in body and "Quầy 9" not in body and "Quầy 1 SNN" not in body


def test_setup_is_for_desk_officers(client_for, counters):
    assert Client().get(SETUP).status_code == 302  # to the sign-in page
    assert client_for("cuong").get(SETUP).status_code == 403
    assert client_for("an").get(SETUP).status_code == 403
    # Another agency's counter is refused like no choice.
    other = counters["other"]
    assert client_for("binh").post(SETUP, {"counter": f"{other.unit_id}:{other.code}"}).status_code == 400


def test_setup_sets_a_signed_httponly_cookie_and_signs_the_officer_out(client_for, counters, people):
    client = kiosk_client(client_for, counters["q1"])
    cookie = client.cookies[kiosk_views.COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and int(cookie["max-age"]) == 12 * 3600
    data = signing.loads(cookie.value, salt=kiosk_views.SALT)
    assert data == {"a": counters["q1"].unit_id, "c": "Q1", "o": people["binh"].pk}
    assert "_auth_user_id" not in client.session


def test_kiosk_without_cookie_is_refused(counters):
    page = Client().get(KIOSK)
    assert page.status_code == 403
    assert "cán bộ" in page.content.decode()  # "ask the desk officer", in Vietnamese
    assert Client().post(KIOSK, answers_post()).status_code == 403
    assert not Response.objects.exists()


def test_a_tampered_or_foreign_cookie_is_refused(client_for, counters, org):
    client = kiosk_client(client_for, counters["q1"])
    value = client.cookies[kiosk_views.COOKIE].value
    forged = Client()
    forged.cookies[kiosk_views.COOKIE] = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    assert forged.get(KIOSK).status_code == 403
    other = Client()  # validly signed, but not with the kiosk's salt
    other.cookies[kiosk_views.COOKIE] = signing.dumps({"a": org["sxd"].pk, "c": "Q1", "o": None})
    assert other.get(KIOSK).status_code == 403
    old = Client()  # a counter no longer in use
    old.cookies[kiosk_views.COOKIE] = signing.dumps({"a": org["sxd"].pk, "c": "Q9", "o": None},
                                                    salt=kiosk_views.SALT)
    assert old.get(KIOSK).status_code == 403
    assert old.post(KIOSK, answers_post()).status_code == 403
    assert not Response.objects.exists()


def test_an_answer_names_the_agency_counter_and_officer_and_nothing_personal(client_for, counters, people, org):
    client = kiosk_client(client_for, counters["q2"])
    page = client.get(KIOSK)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="comment"' not in body and "<textarea" not in body
    assert 'lang="vi"' in body
    done = client.post(KIOSK, {**answers_post(), "comment": "Tôi là Nguyễn Văn A, 0903123456"})
    # At once a blank form for the next person, with the thanks; no timed refresh.
    assert done.status_code == 302 and done.url == f"{KIOSK}?cam-on=1"
    text = client.get(done.url).content.decode()
    assert 'role="status"' in text and "http-equiv" not in text and "checked" not in text
    response = Response.objects.get()
    assert response.channel == Channel.KIOSK
    assert response.unit == org["sxd"] and response.desk == "Q2" and response.officer == people["binh"]
    assert response.comment == "" and response.procedure_code == "" and response.dedupe is None
    assert response.campaign_id is None and response.stratum == ""
    assert response.answers.count() == services.per_dossier_form().criteria.count()
    # The next person answers on the same tablet: one response each.
    assert client.post(KIOSK, answers_post()).status_code == 302
    assert Response.objects.filter(channel=Channel.KIOSK).count() == 2


def test_an_invalid_answer_is_shown_again_with_its_errors_and_nothing_is_stored(client_for, counters):
    client = kiosk_client(client_for, counters["q1"])
    data = answers_post()
    first = next(iter(data))
    data.pop(first)
    data[next(iter(data))] = "9"
    page = client.post(KIOSK, data)
    assert page.status_code == 400
    body = page.content.decode()
    assert 'role="alert"' in body and 'aria-invalid="true"' in body
    assert not Response.objects.exists()


def test_the_kiosk_speaks_english_for_one_page_only(client_for, counters):
    client = kiosk_client(client_for, counters["q1"])
    english = client.get(KIOSK + "?lang=en").content.decode()
    assert 'lang="en"' in english and "Tell us how we served you" in english
    done = client.post(KIOSK + "?lang=en", answers_post())
    assert done.url == "/khao-sat/quay/phieu/?lang=en&cam-on=1"
    assert "The form is ready for the next person" in client.get(done.url).content.decode()
    assert 'lang="vi"' in client.get(KIOSK).content.decode()


def test_closing_the_kiosk_clears_the_cookie(client_for, counters, people):
    client = kiosk_client(client_for, counters["q1"])
    assert client.post(CLOSE).status_code == 302  # signed out by the setup: to sign-in, the kiosk stays
    assert client.get(KIOSK).status_code == 200
    client.force_login(people["binh"])
    response = client.post(CLOSE)
    assert response.status_code == 302 and response["Location"] == SETUP
    assert client.cookies[kiosk_views.COOKIE].value == ""
    assert client.get(KIOSK).status_code == 403


def test_demo_counters_are_seeded_once(org):
    from motcua.surveys.demo import seed_counters

    assert seed_counters() == 3  # the one desk's agency (Sở Xây dựng)
    assert seed_counters() == 0
    assert list(Counter.objects.filter(unit=org["sxd"]).values_list("name", flat=True)) == [
        "Quầy 1", "Quầy 2", "Quầy 3"]
