"""The catalogue carries the sector clocks (issue 13, item 8): a procedure version's own supplement window where
the appraisal takes 5 working days, and the event its time limit counts from when that is not the receipt."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client

from motcua.catalogue import exchange, selectors
from motcua.catalogue.models import Procedure, ProcedureVersion

from .conftest import make_procedure, make_version

pytestmark = pytest.mark.django_db

NEW = dt.date(2026, 7, 1)


def _version(code: str, valid_from: dt.date = NEW) -> ProcedureVersion:
    return ProcedureVersion.objects.get(procedure__code=code, valid_from=valid_from)


def test_the_department_s_catalogue_seeds_the_sector_windows_and_the_cchn_clock(db):
    from motcua.accounts.demo import seed_organisation
    from motcua.catalogue import demo

    seed_organisation()
    demo.seed(io.StringIO())
    # Decree 217/2026 Art. 54: permits for other works are appraised in 5 working days; Arts. 36-37: a
    # feasibility study gets its one request within 5 working days; Decree 212/2026 Arts. 30-31: a CCHN too.
    for code in ("1.013236", "1.013231", "1.013238", "1.013230", "1.013239", "1.013237"):
        assert _version(code).supplement_working_days == 5, code
    assert _version("1.013225").supplement_working_days is None  # houses: 3, other works: 5; the rule set's 3
    assert _version("1.013236").clock_start == "receipt"
    cchn = _version("1.013237")
    assert cchn.is_published and cchn.clock_start == "evaluation_result"
    assert _version("1.013237", dt.date(2025, 7, 1)).clock_start == "exam_result"  # Decree 175/2024 Art. 76
    assert selectors.snapshot(cchn)["version"]["clock_start"] == "evaluation_result"


def test_the_clock_start_goes_through_export_and_import(org):
    procedure = make_procedure(org, "1.013237", "Cấp chứng chỉ hành nghề hoạt động xây dựng lần đầu",
                               result="Chứng chỉ hành nghề")
    version = make_version(procedure, NEW, amount=6, publish=False)
    ProcedureVersion.objects.filter(pk=version.pk).update(clock_start="evaluation_result")
    data = exchange.export_data()
    assert data["procedures"][0]["versions"][0]["clock_start"] == "evaluation_result"
    Procedure.objects.all().delete()
    exchange.import_catalogue(data)
    assert _version("1.013237").clock_start == "evaluation_result"
    data["procedures"][0]["versions"][0]["clock_start"] = "whenever"
    with pytest.raises(exchange.CatalogueImportError):
        exchange.import_catalogue(data)


def test_the_procedure_page_promises_no_date_counted_from_now_for_a_later_clock(org):
    procedure = make_procedure(org, "1.013237", "Cấp chứng chỉ hành nghề hoạt động xây dựng lần đầu",
                               result="Chứng chỉ hành nghề")
    version = make_version(procedure, NEW, amount=6, publish=False)
    ProcedureVersion.objects.filter(pk=version.pk).update(clock_start="evaluation_result")
    version.refresh_from_db()
    from motcua.catalogue import services

    services.publish_version(version)
    assert selectors.promised_results(version) == []
    page = Client().get("/thu-tuc/1.013237/").content.decode()
    assert "Thời hạn giải quyết được tính từ khi có thông báo kết quả đánh giá" in page
    assert "Nếu nộp hồ sơ đầy đủ ngay bây giờ" not in page
    assert Client().get("/api/v1/procedures/1.013237").json()["clock_start"] == "evaluation_result"
