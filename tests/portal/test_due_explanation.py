"""How the public pages explain a promised date: a limit in calendar days counts every day (Civil Code 2015
Arts. 147-148), a limit in working days skips weekends and days off."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.catalogue.models import ProcedureVersion
from motcua.dossiers import services as dossier_services

from .conftest import submit

pytestmark = pytest.mark.django_db


def _received(people, procedure, unit: str, amount: int):  # type: ignore[no-untyped-def]
    ProcedureVersion.objects.filter(procedure=procedure).update(legal_time_amount=amount, legal_time_unit=unit)
    return dossier_services.accept(people["binh"], submit(people))


def _explanation(dossier) -> str:  # type: ignore[no-untyped-def]
    response = Client().get(f"/api/v1/public/dossiers/{dossier.code}?verify=5678")
    assert response.status_code == 200
    return str(response.json()["due_explanation"])


def test_calendar_days_are_explained_as_the_civil_code_counts_them(people, procedure):
    dossier = _received(people, procedure, "days", 20)
    assert dossier.clock["unit"] == "days"
    text = _explanation(dossier)
    assert "không kể ngày nghỉ" not in text  # "without weekends and days off" is what working days do
    assert "20 ngày theo lịch, tính từ ngày tiếp theo ngày" in text
    assert "thứ Bảy, Chủ nhật và ngày nghỉ lễ cũng được tính" in text
    assert "Điều 147 và Điều 148" in text
    page = Client().post("/tra-cuu", {"code": dossier.code, "verify": "5678"}).content.decode()
    assert "Điều 147 và Điều 148" in page


def test_working_days_are_explained_without_weekends_and_days_off(people, procedure):
    text = _explanation(_received(people, procedure, "working_days", 15))
    assert "15 ngày làm việc tính từ" in text and "không kể ngày nghỉ cuối tuần và ngày nghỉ lễ" in text
