"""The citizen's online wizard asks the procedure's application e-form (Decree 118/2025 Art. 15) instead of the
free-text request, checks it on the server (no JavaScript needed), keeps it through the review, and files it."""

from __future__ import annotations

import pytest

from motcua.dossiers.models import Dossier
from tests.catalogue.eform_helpers import STORED, VALUES, declare

from .conftest import APPLICANT, pdf_file

pytestmark = pytest.mark.django_db


def _to_questions(client) -> str:  # type: ignore[no-untyped-def]
    base: str = client.post("/cong-dan/nop-ho-so/1.013236/")["Location"].rsplit("/", 2)[0]
    assert client.post(f"{base}/applicant/", APPLICANT).status_code == 302
    return base


def test_the_wizard_asks_the_form_checks_it_and_files_it(people, procedure, templates, client_for):
    declare(procedure)
    client = client_for("an")
    base = _to_questions(client)
    page = client.get(f"{base}/questions/").content.decode()
    assert 'name="ef_plot_number"' in page and 'name="subject"' not in page
    assert 'inputmode="numeric"' in page and "Đơn vị: m²." in page
    bad = client.post(f"{base}/questions/", {**VALUES, "ef_plot_number": "", "ef_plot_area": "-3",
                                             "ef_floors": "3", "ef_works_grade": "II", "ef_map_sheet": "7"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "Hãy điền “Thửa đất số”." in text and "“Diện tích thửa đất” phải từ 0,1 m² trở lên." in text
    good = {f"ef_{k}": v for k, v in VALUES.items()}
    assert client.post(f"{base}/questions/", good).status_code == 302
    again = client.get(f"{base}/questions/").content.decode()
    assert 'value="120,5"' in again  # the saved answers come back as typed, the Vietnamese way
    files = {"document_1": pdf_file(), "document_2": pdf_file("b.pdf")}
    assert client.post(f"{base}/documents/", files).status_code == 302
    assert client.post(f"{base}/fees/", {"acknowledged": "on"}).status_code == 302
    assert client.post(f"{base}/delivery/", {"method": "desk"}).status_code == 302
    review = client.get(f"{base}/review/").content.decode()
    assert 'role="alert"' not in review and "Tờ bản đồ số" in review and "120,5 m²" in review
    response = client.post(f"{base}/nop/")
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.form_data == STORED
    page = client.get(response["Location"]).content.decode()
    assert "Thửa đất số" in page and "125" in page and "Cấp II" in page


def test_a_form_declared_after_the_step_was_answered_is_asked_before_submitting(people, procedure, client_for):
    client = client_for("an")
    base = _to_questions(client)
    assert client.post(f"{base}/questions/", {"subject": "Nhà ở 3 tầng"}).status_code == 302
    declare(procedure)
    review = client.get(f"{base}/review/").content.decode()
    assert "Hãy điền “Thửa đất số”." in review
