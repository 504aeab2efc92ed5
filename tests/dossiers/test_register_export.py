"""A register of more dossiers than a request should render is built in the background (issue 20,
``core.exports``): the request answers 202 (or sends a browser to the page that follows it), the task builds the
same file, only its owner downloads it and only while still staff; a failure says so; expired exports go."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from motcua.accounts.models import User
from motcua.core import exports
from motcua.core.models import ExportJob
from motcua.dossiers import exports as register_exports

from .test_api import _received

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(procedure, token_for, settings):  # type: ignore[no-untyped-def]
    settings.MOTCUA_EXPORT_SYNC_MAX = 2
    return [_received(token_for) for _ in range(3)]


def _url(kind: str = "pdf") -> str:
    today = timezone.localdate().isoformat()
    return f"/api/v1/registers/dossiers.{kind}?from={today}&to={today}"


def test_a_big_register_is_built_in_the_background_and_downloaded_by_its_owner(three, token_for,
                                                                               django_capture_on_commit_callbacks):
    token = token_for("binh")
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().get(_url("xlsx"), HTTP_AUTHORIZATION=token)
    assert response.status_code == 202, response.content
    info = response.json()
    assert response["Location"] == f"/api/v1/exports/{info['id']}"
    assert info["total"] == 3 and info["status"] == "queued"
    state = Client().get(response["Location"], HTTP_AUTHORIZATION=token).json()
    assert state["status"] == "done" and state["percent"] == 100  # the immediate backend ran the task
    file = Client().get(f"{response['Location']}/file", HTTP_AUTHORIZATION=token)
    assert file.status_code == 200 and file["Cache-Control"] == "no-store, private"
    content = b"".join(file.streaming_content)  # type: ignore[attr-defined]
    assert content[:2] == b"PK"
    for code in three:
        assert code.encode() in _xlsx_strings(content)
    # Anyone else: the 404 of an export that does not exist, on the API and on the page.
    assert Client().get(response["Location"], HTTP_AUTHORIZATION=token_for("khanh")).status_code == 404
    assert Client().get(f"{response['Location']}/file", HTTP_AUTHORIZATION=token_for("khanh")).status_code == 404


def _xlsx_strings(content: bytes) -> bytes:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist() if name.endswith(".xml"))


def test_a_browser_is_sent_to_the_page_that_follows_the_export(three, client_for, people,
                                                                django_capture_on_commit_callbacks):
    client = client_for("binh")
    response = client.get(_url(), HTTP_ACCEPT="text/html")
    assert response.status_code == 303
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "<progress" in text and "Sổ theo dõi hồ sơ" in text and "Làm mới" in text  # waiting: progress shown
    job = ExportJob.objects.get()
    exports.build(job.pk)
    page = client.get(response["Location"]).content.decode()
    assert "<progress" not in page and "/tep" in page
    downloaded = client.get(f"/xuat/{job.pk}/tep")
    assert downloaded.status_code == 200
    assert b"".join(downloaded.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]
    assert client_for("khanh").get(response["Location"]).status_code == 404
    # The same export asked again while it is under way is the same one, not a second.
    ExportJob.objects.update(status=ExportJob.Status.QUEUED)
    assert client.get(_url(), HTTP_ACCEPT="text/html")["Location"] == response["Location"]


def test_a_small_register_is_still_answered_at_once(procedure, token_for, settings):
    settings.MOTCUA_EXPORT_SYNC_MAX = 10
    _received(token_for)
    response = Client().get(_url(), HTTP_AUTHORIZATION=token_for("binh"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert not ExportJob.objects.exists()


def test_the_owner_who_is_no_longer_staff_cannot_download(three, token_for, people):
    binh = people["binh"]
    job = exports.start(register_exports.XLSX, binh, register_exports.params(timezone.localdate(),
                                                                            timezone.localdate()))
    exports.build(job.pk)
    binh.role_assignments.all().delete()  # moved out of the agency: no longer staff
    binh = User.objects.get(pk=binh.pk)
    with pytest.raises(exports.NotFound):
        exports.file_for(binh, job.pk)


def test_a_failing_export_says_so_and_expired_ones_are_swept(three, people, monkeypatch):
    binh = people["binh"]
    today = timezone.localdate()
    job = exports.start(register_exports.PDF, binh, register_exports.params(today, today))

    def broken(*args: object) -> bytes:
        raise RuntimeError("the renderer broke")

    from motcua.dossiers import issuing

    monkeypatch.setattr(issuing.renderer(), "register_pdf", broken)
    exports.build(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "RuntimeError" in job.error
    done = exports.start(register_exports.XLSX, binh, register_exports.params(today, today))
    exports.build(done.pk)
    done.refresh_from_db()
    from django.core.files.storage import default_storage

    assert default_storage.exists(done.file.name)
    ExportJob.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    call_command("exports", "sweep")
    assert not ExportJob.objects.exists() and not default_storage.exists(done.file.name)


def test_an_export_is_nothing_to_an_anonymous_caller(three, people):
    today = timezone.localdate()
    job = exports.start(register_exports.XLSX, people["binh"], register_exports.params(today, today))
    exports.build(job.pk)
    assert Client().get(f"/api/v1/exports/{job.pk}").status_code == 401
    assert Client().get(f"/api/v1/exports/{job.pk}/file").status_code == 401
    page = Client().get(f"/xuat/{job.pk}/")
    assert page.status_code == 302 and "/tai-khoan/dang-nhap/" in page["Location"]
    assert Client().get(f"/xuat/{job.pk}/tep").status_code == 302
    assert Client().get("/api/v1/exports/khong-phai-uuid").status_code == 401
