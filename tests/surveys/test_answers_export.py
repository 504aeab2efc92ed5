"""The raw answers of a filter covering more responses than a request should write are built in the background
(issue 20, ``core.exports``, ``surveys.background``): the browser follows the export's page, the file holds the
same anonymised rows, only its owner downloads it and only while they may still see the results."""

from __future__ import annotations

import csv
import io

import pytest

from motcua.accounts.models import User
from motcua.core import exports
from motcua.core.models import ExportJob
from motcua.surveys import background

from .test_staff_pages import YEAR, _answers

pytestmark = pytest.mark.django_db


def test_many_answers_are_exported_in_the_background_for_their_owner_only(client_for, org, people, settings,
                                                                          django_capture_on_commit_callbacks):
    settings.MOTCUA_EXPORT_SYNC_MAX = 3
    _answers(org, people, 5)
    _answers(org, people, 1, procedure="9.999999")  # alone in its month: its procedure is withheld
    client = client_for("giang")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"/khao-sat/ket-qua/tra-loi.csv?{YEAR}")
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert response["Location"] == f"/xuat/{job.pk}/"
    assert job.kind == background.CSV and job.total == 6 and job.status == "done"  # the immediate backend
    downloaded = client.get(f"/xuat/{job.pk}/tep")
    assert downloaded.status_code == 200
    content = b"".join(downloaded.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(content)))
    assert sorted(r["procedure"] for r in rows) == ["(khác)", *["1.013236"] * 5]
    # The inspector may see the same results, but this export is not theirs.
    assert client_for("thanh").get(response["Location"]).status_code == 404
    assert client_for("thanh").get(f"/xuat/{job.pk}/tep").status_code == 404
    # The XLSX goes the same way.
    with django_capture_on_commit_callbacks(execute=True):
        book = client.get(f"/khao-sat/ket-qua/tra-loi.xlsx?{YEAR}")
    assert book.status_code == 302
    xlsx = ExportJob.objects.get(kind=background.XLSX)
    assert b"".join(client.get(f"/xuat/{xlsx.pk}/tep").streaming_content)[:2] == b"PK"  # type: ignore[attr-defined]


def test_few_answers_are_still_answered_at_once(client_for, org, people, settings):
    settings.MOTCUA_EXPORT_SYNC_MAX = 10
    _answers(org, people, 5)
    response = client_for("giang").get(f"/khao-sat/ket-qua/tra-loi.csv?{YEAR}")
    assert response.status_code == 200 and response.content.startswith("\ufeff".encode())
    assert not ExportJob.objects.exists()


def test_a_bad_filter_or_no_right_starts_nothing(client_for, settings):
    settings.MOTCUA_EXPORT_SYNC_MAX = 0
    assert client_for("thanh").get("/khao-sat/ket-qua/tra-loi.csv?from=2026-13-01").status_code == 400
    assert client_for("binh").get(f"/khao-sat/ket-qua/tra-loi.xlsx?{YEAR}").status_code == 403
    assert not ExportJob.objects.exists()


def test_the_owner_who_lost_the_right_cannot_download(org, people, settings):
    from django.http import QueryDict

    settings.MOTCUA_EXPORT_SYNC_MAX = 3
    _answers(org, people, 5)
    giang = people["giang"]
    job = exports.start(background.XLSX, giang, background.params(QueryDict(YEAR)))
    exports.build(job.pk)
    assert exports.file_for(giang, job.pk).status == "done"
    giang.role_assignments.all().delete()
    with pytest.raises(exports.NotFound):
        exports.file_for(User.objects.get(pk=giang.pk), job.pk)
