"""The report with its register sheet for a period of more dossiers than a request should write is built in the
background (issue 20, ``core.exports``, ``stats.exports``): the browser is sent to the page that follows it, the
task writes the same workbook, only its owner downloads it and only while they may still see the unit; a small
period is answered at once as before."""

from __future__ import annotations

import io
import zipfile

import pytest

from motcua.core import exports
from motcua.core.models import ExportJob
from motcua.stats import exports as report_exports

pytestmark = pytest.mark.django_db

QUERY = "unit=T.SXD&period=month&year=2025&month=3"


def test_a_long_report_is_built_in_the_background_for_its_owner_only(client_for, march, settings,
                                                                     django_capture_on_commit_callbacks):
    settings.MOTCUA_EXPORT_SYNC_MAX = 2
    client = client_for("giang")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"/thong-ke/bao-cao.xlsx?{QUERY}")
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert response["Location"] == f"/xuat/{job.pk}/"
    assert job.kind == report_exports.XLSX and job.total == 7 and job.status == "done"  # the immediate backend
    page = client.get(response["Location"]).content.decode()
    assert "core/export.js" not in page and f"/xuat/{job.pk}/tep" in page
    downloaded = client.get(f"/xuat/{job.pk}/tep")
    assert downloaded.status_code == 200 and downloaded["Cache-Control"] == "no-store, private"
    with zipfile.ZipFile(io.BytesIO(b"".join(downloaded.streaming_content))) as book:  # type: ignore[attr-defined]
        strings = book.read("xl/sharedStrings.xml").decode()
        assert "xl/worksheets/sheet2.xml" in book.namelist()
    assert "SỔ THEO DÕI HỒ SƠ" in strings and march["A"].code in strings
    # Anyone else, even one who sees the same unit: the 404 of an export that does not exist.
    for other in ("thanh", "dung"):
        assert client_for(other).get(response["Location"]).status_code == 404
        assert client_for(other).get(f"/xuat/{job.pk}/tep").status_code == 404


def test_the_owner_who_may_no_longer_see_the_unit_cannot_download(march, people, settings):
    settings.MOTCUA_EXPORT_SYNC_MAX = 2
    giang = people["giang"]
    from motcua.accounts.models import OrgUnit

    unit = OrgUnit.objects.get(code="T.SXD")
    job = exports.start(report_exports.XLSX, giang, report_exports.params(unit, *_march()))
    exports.build(job.pk)
    assert exports.file_for(giang, job.pk).status == "done"
    giang.role_assignments.all().delete()
    from motcua.accounts.models import User

    with pytest.raises(exports.NotFound):
        exports.file_for(User.objects.get(pk=giang.pk), job.pk)


def test_a_short_report_is_still_answered_at_once(client_for, march, settings):
    settings.MOTCUA_EXPORT_SYNC_MAX = 10
    response = client_for("giang").get(f"/thong-ke/bao-cao.xlsx?{QUERY}")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert not ExportJob.objects.exists()


def test_a_report_of_another_unit_is_still_403_and_starts_nothing(client_for, march, settings):
    settings.MOTCUA_EXPORT_SYNC_MAX = 0
    assert client_for("giang").get("/thong-ke/bao-cao.xlsx?unit=T.SNN&period=month&year=2025&month=3"
                                   ).status_code == 403
    assert not ExportJob.objects.exists()


def _march():  # type: ignore[no-untyped-def]
    import datetime as dt

    return dt.date(2025, 3, 1), dt.date(2025, 3, 31)
