"""Retention of dossiers (issue 21; docs/security.md, *Retention of the agencies' records*): a period per procedure
from the agency's own list, counted from the end of the year the dossier was closed; the dossiers past it are put
on a destruction list, and only those of a list the head of the agency approved are anonymised — personal fields
blanked, files gone from the store, notices blanked — while the code, statuses, dates and the statistics facts stay
and the event chain still verifies."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from motcua.accounts import services as account_services
from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.catalogue.models import Procedure
from motcua.dossiers import audit, files, retention
from motcua.dossiers import services as dossier_services
from motcua.dossiers.choices import DestructionStatus, EventKind, Status
from motcua.dossiers.facts import facts_for
from motcua.dossiers.models import Attachment, DestructionItem, DestructionList, Dossier, DossierEvent
from motcua.dossiers.workflow.models import Result
from motcua.notifications.models import Message

from .conftest import PDF, submit, to_returned

pytestmark = pytest.mark.django_db

CLOSED_ON = dt.datetime(2020, 6, 15, 3, 0, tzinfo=dt.UTC)  # 10:00 in Đà Lạt
BEFORE = dt.datetime(2025, 12, 31, 16, 0, tzinfo=dt.UTC)  # 23:00 on 31 December 2025, local: still kept
AFTER = dt.datetime(2025, 12, 31, 17, 30, tzinfo=dt.UTC)  # 00:30 on 1 January 2026, local: past a 5-year period


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def closed(people, procedure, templates, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """A dossier returned on 15 June 2020 with two uploaded files, a result file and its notices."""
    with time_machine.travel(CLOSED_ON, tick=False), django_capture_on_commit_callbacks(execute=True):
        dossier = to_returned(people)
        name = files.durable_save(f"{files.new_folder(dossier.reference)}/giay-phep.pdf", io.BytesIO(PDF))
        attachment = Attachment.objects.create(dossier=dossier, file=name, original_name="giay-phep.pdf",
                                               content_type="application/pdf", size=len(PDF), sha256="0" * 64,
                                               uploaded_by=people["cuong"])
        Result.objects.create(dossier=dossier, number="15/GPXD", attachment=attachment, recorded_by=people["cuong"],
                              recorded_at=timezone.now())
    return Dossier.objects.get(pk=dossier.pk)


def _period(procedure: Procedure, years: int | None) -> None:
    Procedure.objects.filter(pk=procedure.pk).update(retention_years=years)


def _run(django_capture_on_commit_callbacks, at: dt.datetime) -> str:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
        call_command("dossiers", "retention", stdout=out)
    return out.getvalue()


def _stored(dossier: Dossier) -> list[str]:
    return list(Attachment.objects.filter(dossier=dossier).values_list("file", flat=True))


def test_the_period_counts_from_the_end_of_the_year_the_dossier_was_closed(closed, procedure):
    assert retention.closed_at(closed) == closed.returned_at
    assert retention.kept_until(closed.returned_at, 5) == dt.date(2025, 12, 31)
    _period(procedure, 5)
    assert list(retention.past_period(BEFORE)) == []
    assert list(retention.past_period(AFTER)) == [closed]


def test_without_a_period_nothing_is_listed_nor_anonymised(closed, procedure, django_capture_on_commit_callbacks):
    files_before = _stored(closed)
    _run(django_capture_on_commit_callbacks, dt.datetime(2090, 1, 1, tzinfo=dt.UTC))
    assert DestructionList.objects.count() == 0
    d = Dossier.objects.get(pk=closed.pk)
    assert d.anonymised_at is None and d.applicant_name == "Nguyễn Văn An"
    assert all(default_storage.exists(n) for n in files_before)


def test_open_dossiers_are_never_listed(people, procedure, templates, django_capture_on_commit_callbacks):
    with time_machine.travel(CLOSED_ON, tick=False):
        open_one = dossier_services.accept(people["binh"], submit(people))
    _period(procedure, 1)
    assert open_one.status == Status.RECEIVED
    assert list(retention.past_period(dt.datetime(2090, 1, 1, tzinfo=dt.UTC))) == []


def test_past_its_period_a_dossier_is_listed_but_not_anonymised_without_approval(
        closed, procedure, django_capture_on_commit_callbacks):
    _period(procedure, 5)
    files_before = _stored(closed)
    assert "0 dossier(s)" in _run(django_capture_on_commit_callbacks, BEFORE)
    assert DestructionList.objects.count() == 0
    out = _run(django_capture_on_commit_callbacks, AFTER)
    assert "list 1 dossier(s)" in out and "anonymise 0 dossier(s)" in out
    listed = DestructionList.objects.get()
    assert listed.status == DestructionStatus.PROPOSED and listed.agency.code == "T.SXD"
    item = DestructionItem.objects.get()
    assert item.dossier_id == closed.pk and item.kept_until == dt.date(2025, 12, 31)
    _run(django_capture_on_commit_callbacks, AFTER + dt.timedelta(days=1))  # idempotent: listed once
    assert DestructionItem.objects.count() == 1 and DestructionList.objects.count() == 1
    d = Dossier.objects.get(pk=closed.pk)
    assert d.anonymised_at is None and d.applicant_id_number == "068090001234"
    assert all(default_storage.exists(n) for n in files_before)


def test_an_approved_list_is_carried_out(closed, procedure, people, settings, tmp_path,
                                         django_capture_on_commit_callbacks, capsys):
    _period(procedure, 5)
    _run(django_capture_on_commit_callbacks, AFTER)
    listed = DestructionList.objects.get()
    files_before = _stored(closed)
    forms_before = list(closed.issued_forms.values_list("file", flat=True))
    assert len(files_before) == 3 and all(default_storage.exists(n) for n in files_before)
    facts_before = facts_for(closed)
    events_before = DossierEvent.objects.filter(dossier=closed).count()
    settings.MOTCUA_AUDIT_CHECKPOINT_DIR = tmp_path / "anchor"
    call_command("audit", "checkpoint")  # the head before, anchored
    with django_capture_on_commit_callbacks(execute=True):
        retention.approve(people["giang"], listed.pk, "Quyết định số 12/QĐ-SXD ngày 05/01/2026")
    # a dry run says what would be done and changes nothing
    assert retention.carry_out(dry_run=True).dossiers == 1
    assert Dossier.objects.get(pk=closed.pk).anonymised_at is None
    assert DestructionList.objects.get().status == DestructionStatus.APPROVED
    assert all(default_storage.exists(n) for n in files_before)

    _run(django_capture_on_commit_callbacks, AFTER + dt.timedelta(days=1))
    d = Dossier.objects.get(pk=closed.pk)
    assert d.anonymised_at is not None
    for name in ("applicant_name", "applicant_id_number", "applicant_address", "applicant_phone", "applicant_email",
                 "subject", "search_folded"):
        assert "068090001234" not in getattr(d, name) and "An" not in getattr(d, name).split()
    assert d.applicant_name == d.applicant_id_number == d.applicant_phone == d.applicant_email == ""
    assert d.owner is None and d.form_data == {} and d.representative == {}
    assert d.code == closed.code and d.status == Status.RETURNED and d.returned_at == closed.returned_at
    assert d.received_at == closed.received_at and d.due_at == closed.due_at
    assert facts_for(d) == facts_before  # the statistics facts do not move
    assert not Attachment.objects.filter(dossier=d).exists() and not d.issued_forms.exists()
    assert not any(default_storage.exists(n) for n in files_before + forms_before)
    assert Result.objects.get(dossier=d).number == "15/GPXD"
    event = DossierEvent.objects.filter(dossier=d).order_by("-seq").first()
    assert event is not None and event.kind == EventKind.APPLICANT_ANONYMISED and event.actor == people["giang"]
    assert DossierEvent.objects.filter(dossier=d).count() == events_before + 1
    assert event.data["destruction_list"] == listed.pk and "068090001234" not in json.dumps(event.data)
    assert audit.verify([d.pk], checkpoints="none").ok
    call_command("audit", "verify")  # raises on any broken chain or row, checkpoints included
    assert "checked against 1 checkpoint(s)" in capsys.readouterr().out
    about = Message.objects.filter(subject_ref=f"dossier:{d.code}")
    assert about.exists() and all(m.body == "" and m.subject == "" and m.addresses == {} for m in about
                                  if m.status != "queued")
    done = DestructionList.objects.get()
    assert done.status == DestructionStatus.DONE and done.approved_by == people["giang"] and done.done_at
    assert DestructionItem.objects.get().done_at is not None
    # idempotent: another run changes nothing
    assert "anonymise 0 dossier(s)" in _run(django_capture_on_commit_callbacks, AFTER + dt.timedelta(days=2))
    assert DossierEvent.objects.filter(dossier=d).count() == events_before + 1
    # the staff's page of the dossier shows it anonymised
    response = _client(people["binh"]).get(f"/ho-so/{d.code}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nguyễn Văn An" not in page and "068090" not in page and "giay-phep.pdf" not in page
    assert "đã được xóa ngày" in page and "Đã xóa dữ liệu cá nhân khi hết thời hạn bảo quản" in page


def test_an_edit_of_an_anonymised_row_is_still_caught(closed, procedure, people, django_capture_on_commit_callbacks):
    _period(procedure, 5)
    _run(django_capture_on_commit_callbacks, AFTER)
    retention.approve(people["ha"], DestructionList.objects.get().pk, "QĐ 3/QĐ-SXD")
    _run(django_capture_on_commit_callbacks, AFTER)
    Dossier.objects.filter(pk=closed.pk).update(applicant_name="Nguyễn Văn An")  # behind the services' back
    report = audit.verify([closed.pk], checkpoints="none")
    assert not report.ok and "applicant" in str(report.problems[0])


def test_a_period_cleared_after_the_approval_keeps_the_dossier(closed, procedure, people,
                                                               django_capture_on_commit_callbacks):
    _period(procedure, 5)
    _run(django_capture_on_commit_callbacks, AFTER)
    retention.approve(people["giang"], DestructionList.objects.get().pk, "QĐ 4/QĐ-SXD")
    _period(procedure, None)
    out = _run(django_capture_on_commit_callbacks, AFTER)
    assert f"Skipped {closed.code}" in out
    assert Dossier.objects.get(pk=closed.pk).anonymised_at is None
    assert DestructionList.objects.get().status == DestructionStatus.DONE
    _period(procedure, 5)  # set again: the dossier goes on a new list for a new decision
    _run(django_capture_on_commit_callbacks, AFTER)
    assert DestructionList.objects.filter(status=DestructionStatus.PROPOSED).count() == 1
    assert Dossier.objects.get(pk=closed.pk).anonymised_at is None


# --- approval: permissions and bad input -------------------------------------------------------------------------

@pytest.fixture
def proposed(closed, procedure, django_capture_on_commit_callbacks) -> DestructionList:  # type: ignore[no-untyped-def]
    _period(procedure, 5)
    _run(django_capture_on_commit_callbacks, AFTER)
    return DestructionList.objects.get()


API = "/api/v1/destruction-lists"


def test_the_api_as_anonymous_asks_to_sign_in(proposed):
    assert Client().get(API).status_code == 401
    response = Client().post(f"{API}/{proposed.pk}/approve", {"decision": "QĐ 1"}, content_type="application/json")
    assert response.status_code == 401
    assert DestructionList.objects.get().status == DestructionStatus.PROPOSED


@pytest.mark.parametrize("who", ["an", "binh", "cuong", "dung", "thanh"])
def test_the_api_refuses_those_without_the_right(proposed, people, who):
    client = _client(people[who])
    assert client.get(API).status_code == 403
    response = client.post(f"{API}/{proposed.pk}/approve", {"decision": "QĐ 1"}, content_type="application/json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    assert DestructionList.objects.get().status == DestructionStatus.PROPOSED


def test_another_agencys_leader_sees_no_list(proposed, people, org):
    leader = User.objects.create_user(username="lanh", password="mat-khau-dai-1", full_name="Lê Anh")
    account_services.assign_role(leader, Role.AGENCY_LEADER, org["other"])
    client = _client(leader)
    assert client.get(API).json() == []
    assert client.get(f"{API}/{proposed.pk}").status_code == 404
    response = client.post(f"{API}/{proposed.pk}/approve", {"decision": "QĐ 1"}, content_type="application/json")
    assert response.status_code == 404
    assert DestructionList.objects.get().status == DestructionStatus.PROPOSED


def test_the_leader_reads_and_approves_through_the_api(proposed, people, closed):
    client = _client(people["giang"])
    lists = client.get(API).json()
    assert [x["id"] for x in lists] == [proposed.pk] and lists[0]["dossiers"] == 1
    detail = client.get(f"{API}/{proposed.pk}").json()
    assert detail["items"][0]["dossier"] == closed.code and detail["items"][0]["kept_until"] == "2025-12-31"
    response = client.post(f"{API}/{proposed.pk}/approve", {"decision": "Quyết định số 12/QĐ-SXD"},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert response.json()["approved_by"] == "Hoàng Văn Giang"
    again = client.post(f"{API}/{proposed.pk}/approve", {"decision": "QĐ 13"}, content_type="application/json")
    assert again.status_code == 409
    assert DestructionList.objects.get().decision == "Quyết định số 12/QĐ-SXD"
    assert Dossier.objects.get(pk=closed.pk).anonymised_at is None  # carried out by the next run, not here


@pytest.mark.parametrize("decision", ["", "   ", "x" * 256, ["QĐ 1"]])
def test_a_bad_decision_is_refused_and_changes_nothing(proposed, people, decision):
    response = _client(people["giang"]).post(f"{API}/{proposed.pk}/approve", {"decision": decision},
                                             content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["fields"][0]["field"] == "decision"
    assert DestructionList.objects.get().status == DestructionStatus.PROPOSED


def test_an_unknown_list_is_404(proposed, people):
    response = _client(people["giang"]).post(f"{API}/999999/approve", {"decision": "QĐ 1"},
                                             content_type="application/json")
    assert response.status_code == 404


def test_the_command_approves_in_a_users_name_and_refuses_bad_input(proposed, people):
    with pytest.raises(CommandError):
        call_command("dossiers", "retention", "--approve", str(proposed.pk), "--decision", "QĐ 1", "--by", "nobody")
    with pytest.raises(CommandError):
        call_command("dossiers", "retention", "--approve", str(proposed.pk), "--decision", "QĐ 1", "--by", "binh")
    with pytest.raises(CommandError):
        call_command("dossiers", "retention", "--approve", str(proposed.pk), "--decision", "", "--by", "giang")
    assert DestructionList.objects.get().status == DestructionStatus.PROPOSED
    out = io.StringIO()
    call_command("dossiers", "retention", "--approve", str(proposed.pk), "--decision", "QĐ 1", "--by", "giang",
                 stdout=out)
    assert "approved" in out.getvalue()
    listing = io.StringIO()
    call_command("dossiers", "retention", "--list", stdout=listing)
    assert f"List {proposed.pk} T.SXD approved" in listing.getvalue()


# --- the catalogue's period ------------------------------------------------------------------------------------

def test_the_period_is_set_by_catalogue_administrators_only(procedure, people):
    url = f"/api/v1/procedures/{procedure.code}/retention"
    assert Client().put(url, {"retention_years": 5}, content_type="application/json").status_code == 401
    assert _client(people["giang"]).put(url, {"retention_years": 5},
                                        content_type="application/json").status_code == 403
    admin = _client(people["ha"])
    for bad in (0, 101, -1, "năm"):
        response = admin.put(url, {"retention_years": bad}, content_type="application/json")
        assert response.status_code == 400, bad
    assert Procedure.objects.get(pk=procedure.pk).retention_years is None
    response = admin.put(url, {"retention_years": 10}, content_type="application/json")
    assert response.status_code == 200 and response.json() == {"code": procedure.code, "retention_years": 10}
    response = admin.put(url, {"retention_years": None}, content_type="application/json")
    assert response.status_code == 200 and Procedure.objects.get(pk=procedure.pk).retention_years is None
    assert admin.put("/api/v1/procedures/9.999999/retention", {"retention_years": 3},
                     content_type="application/json").status_code == 404


def test_the_admin_edits_the_period(procedure, people):
    page = _client(people["ha"]).get(f"/quan-tri/catalogue/procedure/{procedure.pk}/change/")
    assert page.status_code == 200 and 'name="retention_years"' in page.content.decode()


def test_the_admin_shows_the_lists_read_only(proposed, people):
    admin = _client(people["ha"])
    page = admin.get(f"/quan-tri/dossiers/destructionlist/{proposed.pk}/change/")
    assert page.status_code == 200 and proposed.agency.name in page.content.decode()
    assert 'name="decision"' not in page.content.decode()
    assert admin.post(f"/quan-tri/dossiers/destructionlist/{proposed.pk}/delete/", {"post": "yes"}).status_code == 403
    assert DestructionList.objects.filter(pk=proposed.pk).exists()
    assert _client(people["giang"]).get("/quan-tri/dossiers/destructionlist/").status_code in (302, 403)
