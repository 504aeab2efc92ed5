"""Where an online dossier goes (issue 14, item 14): to the desk of the agency that handles the procedure,
which can act on it, unless the citizen chooses another unit that receives it (the province's service
centre) — not to whichever receiving unit the database lists first."""

from __future__ import annotations

import re

import pytest

from motcua.accounts import services as accounts
from motcua.accounts.choices import UnitKind
from motcua.accounts.models import OrgUnit
from motcua.dossiers.models import Dossier

from .conftest import APPLICANT, pdf_file, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre(org, procedure):  # type: ignore[no-untyped-def]
    centre = accounts.save_unit(OrgUnit(parent=org["province"], name="Trung tâm Phục vụ hành chính công tỉnh",
                                        code="T.TTPVHCC", kind=UnitKind.SERVICE_CENTRE))
    centre.receives_for.add(org["sxd"])
    procedure.receiving_units.add(centre)
    # Listed first in the tree's order, as in the demo data (its path sorts before the department's desk):
    # test set-up only, so that the order of the rows cannot be what picks the desk.
    OrgUnit.objects.filter(pk=centre.pk).update(path=f"{org['province'].path}0{centre.pk}/")
    assert procedure.receiving_units.first().pk == centre.pk
    return OrgUnit.objects.get(pk=centre.pk)


def test_an_online_dossier_goes_to_the_handling_agencys_desk_by_default(people, org, centre):
    assert submit(people).receiving_unit == org["desk"]


def test_the_wizard_offers_the_desk_first_and_keeps_the_citizens_choice(people, org, centre, client_for):
    client = client_for("an")
    base = client.post("/cong-dan/nop-ho-so/1.013236/")["Location"].rsplit("/", 2)[0]
    assert client.post(f"{base}/applicant/", APPLICANT).status_code == 302
    page = client.get(f"{base}/questions/").content.decode()
    options = re.findall(r'<option value="([^"]+)"', page)
    assert options[:2] == [org["desk"].code, centre.code]  # the first option is the one a browser selects

    assert client.post(f"{base}/questions/", {"subject": "Nhà ở", "receiving_unit": centre.code}).status_code == 302
    assert client.post(f"{base}/documents/", {"document_1": pdf_file(), "document_2": pdf_file("b.pdf")}
                       ).status_code == 302
    assert client.post(f"{base}/fees/", {"acknowledged": "on"}).status_code == 302
    assert client.post(f"{base}/delivery/", {"method": "desk"}).status_code == 302
    assert client.post(f"{base}/nop/").status_code == 302
    assert Dossier.objects.get().receiving_unit == centre
