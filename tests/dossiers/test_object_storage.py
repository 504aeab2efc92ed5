"""Files in an S3-compatible object store (issue 20): ``MOTCUA_STORAGE_URL`` puts attachments, issued forms and
results in a bucket every app server sees. These tests talk to a real S3 server (moto's, over HTTP, started in a
subprocess by ``deploy.objectstore``): the intake writes the object before the row commits, the app serves it
after its permission checks, the sweep lists the bucket, and a store that fails answers a clear 503 and
creates nothing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from deploy.common import ServiceError
from deploy.objectstore import ObjectStore, start_s3
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from motcua.core import storageconf
from motcua.dossiers import files, services
from motcua.dossiers.models import Attachment, Dossier, DossierEvent, IssuedForm

from .conftest import PDF, intake, upload
from .test_api import BODY

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ObjectStore]:
    try:
        store = start_s3(tmp_path_factory.mktemp("s3"))
    except ServiceError as exc:
        pytest.skip(f"no S3-compatible server available: {exc}")
    yield store
    store.stop()


@pytest.fixture
def bucket(s3: ObjectStore, settings, monkeypatch) -> ObjectStore:  # type: ignore[no-untyped-def]
    """Django's default storage pointed at the bucket, through the same parser the settings use."""
    for name, value in s3.environment.items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {**settings.STORAGES, "default": storageconf.parse(s3.storage_url)}
    return s3


def _dead_store(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The store pointed at a port nobody listens on: what the app sees when the object store is down."""
    from deploy.common import free_port

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "motcua-dev")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "motcua-dev-secret")
    url = f"s3://motcua-files?endpoint_url=http://127.0.0.1:{free_port()}&region_name=us-east-1&max_attempts=1"
    settings.STORAGES = {**settings.STORAGES, "default": storageconf.parse(url)}


def test_the_intake_writes_to_the_bucket_and_the_app_serves_it_to_those_who_may_see_it(people, procedure, bucket,
                                                                                        client_for):
    d = services.receive_at_desk(people["binh"], intake(), [upload(PDF, "đơn.pdf", 1)])
    attachment = d.attachments.get()
    assert attachment.file.name in bucket.keys("dossiers/")  # in the object store, not on this disk
    response = client_for("binh").get(f"/ho-so/{d.public_id}/tep/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Cache-Control"] == "no-store, private"
    # Nothing in the bucket is public: an unsigned GET of the object is refused by the store itself, and the
    # officer of another agency gets the dossier's 404 from the app.
    import requests

    assert requests.get(f"{bucket.endpoint}/{bucket.bucket}/{attachment.file.name}", timeout=5).status_code == 403
    assert client_for("khanh").get(f"/ho-so/{d.public_id}/tep/{attachment.pk}/").status_code == 404


def test_an_issued_form_is_stored_in_the_bucket_and_read_back(people, procedure, bucket, token_for):
    token = token_for("binh")
    created = Client().post("/api/v1/dossiers", {"data": json.dumps(BODY),
                                                  "documents.1": SimpleUploadedFile("don.pdf", PDF)},
                            HTTP_AUTHORIZATION=token)
    assert created.status_code == 201, created.content
    code = created.json()["code"]
    receipt = Client().post(f"/api/v1/dossiers/{code}/forms/receipt", HTTP_AUTHORIZATION=token)  # issue it
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF-")
    issued = IssuedForm.objects.get(dossier__code=code)
    assert issued.file.name in bucket.keys("dossiers/")
    again = Client().get(f"/api/v1/dossiers/{code}/forms/receipt", HTTP_AUTHORIZATION=token)
    assert again.content == receipt.content  # served from the bucket, not rendered again


def test_the_sweep_lists_the_bucket_removes_orphans_and_keeps_named_objects(people, procedure, bucket, settings):
    d = services.receive_at_desk(people["binh"], intake(), [upload()])
    kept = d.attachments.get().file.name
    orphan = files.durable_save("dossiers/2026/03/10/X/orphan.pdf", PDF)
    assert files.sweep_orphans() == []  # too young: a transaction may still be writing it
    swept = files.sweep_orphans(now=timezone.now() + dt.timedelta(hours=2))
    # The bucket is shared by this module's tests, whose rows were rolled back: their objects are orphans too.
    assert orphan in swept and kept not in swept
    assert kept in bucket.keys("dossiers/") and orphan not in bucket.keys("dossiers/")


def test_a_failing_store_refuses_the_intake_clearly_and_creates_nothing(people, procedure, settings, token_for,
                                                                        monkeypatch):
    _dead_store(settings, monkeypatch)
    before = (Dossier.objects.count(), Attachment.objects.count(), DossierEvent.objects.count())
    response = Client().post("/api/v1/dossiers", {"data": json.dumps(BODY),
                                                   "documents.1": SimpleUploadedFile("don.pdf", PDF)},
                             HTTP_AUTHORIZATION=token_for("binh"), HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "storage_unavailable"
    assert "Kho lưu tệp" in error["message"]  # in the user's language
    with pytest.raises(files.StorageUnavailable):
        services.submit_online(people["an"], intake(), [upload()])
    assert (Dossier.objects.count(), Attachment.objects.count(), DossierEvent.objects.count()) == before


def test_a_failing_store_gives_a_503_page_when_a_file_is_opened(people, procedure, bucket, settings, client_for,
                                                                monkeypatch):
    d = services.receive_at_desk(people["binh"], intake(), [upload()])
    attachment = d.attachments.get()
    _dead_store(settings, monkeypatch)
    response = client_for("binh").get(f"/ho-so/{d.public_id}/tep/{attachment.pk}/")
    assert response.status_code == 503
    assert "Kho lưu tệp" in response.content.decode()


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://bucket", "must start with s3://"),
    ("s3://Bad_Bucket", "not a valid bucket name"),
    ("s3://motcua?colour=blue", "unknown option 'colour'"),
    ("s3://motcua?verify=perhaps", "must be true or false"),
    ("s3://motcua?read_timeout=soon", "must be a whole number"),
    ("file://relative/path", "file:///absolute/folder"),
])
def test_a_bad_storage_url_stops_the_start_with_a_clear_message(url: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        storageconf.parse(url)


def test_the_storage_url_maps_to_s3storage_options() -> None:
    parsed = storageconf.parse("s3://key:se%2Fcret@motcua-files?endpoint_url=http://s3.local:9000"
                               "&region_name=hn-1&location=prod&addressing_style=path&read_timeout=7")
    options = parsed["OPTIONS"]
    assert parsed["BACKEND"] == "storages.backends.s3.S3Storage"
    assert options["bucket_name"] == "motcua-files" and options["endpoint_url"] == "http://s3.local:9000"
    assert options["access_key"] == "key" and options["secret_key"] == "se/cret"
    assert options["location"] == "prod" and options["default_acl"] is None and options["file_overwrite"] is False
    assert options["client_config"].read_timeout == 7
    assert options["client_config"].s3 == {"addressing_style": "path"}
    assert storageconf.parse("file:///srv/files") == {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": "/srv/files"}}


def test_healthz_reports_whether_the_object_store_answers(bucket, settings, monkeypatch):  # type: ignore[no-untyped-def]
    from motcua.core import engines

    settings.STORAGE_URL = bucket.storage_url
    assert list(engines.storage_notices()) == []  # the bucket answers: nothing to tell the operators
    codes = [w["code"] for w in Client().get("/healthz").json().get("warnings", [])]
    assert "storage_unreachable" not in codes  # (other checks, e.g. next year's calendar, may warn here)
    _dead_store(settings, monkeypatch)
    assert [n.code for n in engines.storage_notices()] == ["storage_unreachable"]
    body = Client().get("/healthz").json()  # the app still runs (status ok); the monitoring alerts a person
    assert body["status"] == "ok" and "storage_unreachable" in [w["code"] for w in body["warnings"]]


def test_the_feedback_sweep_lists_its_own_prefix_in_the_bucket(people, procedure, bucket):  # type: ignore[no-untyped-def]
    from motcua.feedback import files as feedback_files

    d = services.receive_at_desk(people["binh"], intake(), [upload()])
    dossier_file = d.attachments.get().file.name
    orphan = files.durable_save("feedback/2026/03/10/orphan.pdf", PDF)
    later = timezone.now() + dt.timedelta(hours=2)
    assert feedback_files.sweep_orphans(now=later, dry_run=True) == [orphan]  # only under feedback/
    assert orphan in bucket.keys("feedback/")
    assert feedback_files.sweep_orphans(now=later) == [orphan]
    assert orphan not in bucket.keys("feedback/") and dossier_file in bucket.keys("dossiers/")
