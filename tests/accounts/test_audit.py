import pytest
from auditlog.models import LogEntry

from motcua.accounts.models import User


@pytest.mark.django_db
def test_unit_changes_in_the_admin_are_audited_with_their_actor(people, org, client_for):
    client = client_for("ha")
    unit = org["division"]
    response = client.post(
        f"/quan-tri/accounts/orgunit/{unit.pk}/change/",
        {"kind": unit.kind, "name": "Phòng Quản lý xây dựng", "short_name": "QLXD", "code": unit.code,
         "parent": org["sxd"].pk, "address": "", "phone": "", "hotline": "", "email": "", "website": "",
         "valid_from": "", "valid_to": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = LogEntry.objects.get_for_object(unit).latest("timestamp")
    assert entry.actor == people["ha"]
    assert "Phòng Quản lý xây dựng" in str(entry.changes)


@pytest.mark.django_db
def test_password_changes_never_reach_the_audit_log(people):
    user = User.objects.get(username="cuong")
    user.set_password("mot-mat-khau-moi-dai")
    user.save()
    for logged in LogEntry.objects.get_for_object(user):
        assert "password" not in (logged.changes or {})
