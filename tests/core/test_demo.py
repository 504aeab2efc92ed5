import io

import pytest
from django.core.management import call_command

from motcua.accounts.choices import UnitKind
from motcua.accounts.models import OrgUnit, User


@pytest.mark.django_db
def test_demo_is_idempotent_and_complete(settings, tmp_path, monkeypatch):
    settings.MOTCUA_DEMO_CREDENTIALS_FILE = tmp_path / "creds.txt"
    from motcua.dossiers import demo as dossiers_demo

    monkeypatch.setattr(dossiers_demo, "COUNT", 20)  # the full demo's few hundred dossiers take a minute
    out = io.StringIO()
    call_command("demo", stdout=out)
    first = out.getvalue()
    counts = (OrgUnit.objects.count(), User.objects.count())
    call_command("demo", stdout=io.StringIO())
    assert (OrgUnit.objects.count(), User.objects.count()) == counts

    assert OrgUnit.objects.filter(kind=UnitKind.AGENCY).count() >= 16
    sxd = OrgUnit.objects.get(name="Sở Xây dựng")
    assert sxd.children.filter(kind=UnitKind.DIVISION).exists()
    assert sxd.children.filter(kind=UnitKind.DESK).exists()
    assert OrgUnit.objects.filter(kind=UnitKind.SERVICE_CENTRE).exists()
    for username in ("an", "binh", "cuong", "dung", "giang", "ha", "khanh"):
        assert username in first
        assert User.objects.filter(username=username).exists()
    # The printed password works and stays the same on the second run.
    password = next(line.split()[1] for line in first.splitlines() if line.strip().startswith("binh "))
    assert User.objects.get(username="binh").check_password(password)
    assert (tmp_path / "creds.txt").read_text().count("binh ") == 1
    assert User.objects.get(username="binh").unit.agency() == sxd
