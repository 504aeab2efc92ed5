"""The public page "Lịch làm việc", as anonymous, as a citizen and as an administrator."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def clients(client_for):  # type: ignore[no-untyped-def]
    return {"anonymous": Client(), "an": client_for("an"), "ha": client_for("ha")}


@pytest.mark.parametrize("who", ["anonymous", "an", "ha"])
def test_year_page_lists_holidays_with_lunar_dates(clients, who):
    response = clients[who].get(reverse("calendars:year"), {"year": 2026})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lịch làm việc" in html
    assert "Tết Nguyên Đán" in html and "01/01/2026" in html  # lunar date of 17/02/2026
    assert "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)" in html
    assert "22/08/2026" in html  # the swapped Saturday
    assert '<th scope="col">' in html and "<caption>" in html


def test_year_in_the_path_and_the_navigation(client):
    response = client.get(reverse("calendars:year_of", args=[2024]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "04/05/2024" in html and "29/04/2024" in html
    assert reverse("calendars:year_of", args=[2025]) in html


@pytest.mark.parametrize("year", ["abc", "1800", "99999"])
def test_bad_year_is_a_404_not_a_500(client, year):
    assert client.get(reverse("calendars:year"), {"year": year}).status_code == 404


def test_due_form_computes_and_explains(client):
    response = client.get(reverse("calendars:year_of", args=[2026]), {
        "start_date": "2026-02-13", "start_time": "10:00", "amount": "3", "unit": "working_days",
        "policy": "working_hours",
    })
    html = response.content.decode()
    assert response.status_code == 200
    assert "25/02/2026 10:00" in html
    assert "Mùng hai Tết Nguyên Đán" in html


def test_due_form_errors_are_shown_next_to_the_field(client):
    response = client.get(reverse("calendars:year_of", args=[2026]), {
        "start_date": "not a date", "start_time": "10:00", "amount": "-1", "unit": "working_days",
    })
    assert response.status_code == 200
    html = response.content.decode()
    assert "field-error" in html
    response = client.get(reverse("calendars:year_of", args=[2026]), {
        "start_date": "2026-02-13", "start_time": "10:00", "amount": "1.5", "unit": "days",
    })
    assert "field-error" in response.content.decode()


def test_page_in_english(client):
    client.cookies["django_language"] = "en"
    response = client.get(reverse("calendars:year_of", args=[2026]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
