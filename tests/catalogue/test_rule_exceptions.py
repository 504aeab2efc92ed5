"""A procedure version's exceptions of sector law to the general rule set (the supplement window, restart
or pause): edited with the version, carried by its snapshot, exported and imported, compared."""

from __future__ import annotations

import copy

import pytest

from motcua.catalogue import exchange, selectors
from motcua.catalogue.models import ProcedureVersion

from .test_exchange import good

ADMIN = "/quan-tri/catalogue"


def test_the_snapshot_carries_the_exceptions(permit):
    version = permit["new"]
    assert selectors.snapshot(version)["version"]["supplement_rule"] == ""
    assert selectors.snapshot(version)["version"]["supplement_working_days"] is None
    ProcedureVersion.objects.filter(pk=version.pk).update(supplement_rule="pause", supplement_working_days=5)
    snap = selectors.snapshot(ProcedureVersion.objects.get(pk=version.pk))["version"]
    assert (snap["supplement_rule"], snap["supplement_working_days"]) == ("pause", 5)


def test_export_import_keeps_the_exceptions_and_checks_their_range(org):
    data = good(org)
    data["procedures"][0]["versions"][1].update(supplement_rule="pause", supplement_working_days=5)
    exchange.import_catalogue(data)
    version = ProcedureVersion.objects.get(procedure__code="1.100001", status="draft")
    assert (version.supplement_rule, version.supplement_working_days) == ("pause", 5)
    first = exchange.export_data()
    assert first["procedures"][0]["versions"][1]["supplement_working_days"] == 5
    exchange.import_catalogue(copy.deepcopy(first))
    assert exchange.export_data() == first
    bad = good(org)
    bad["procedures"][0]["versions"][1].update(supplement_working_days=0, supplement_rule="sometimes")
    with pytest.raises(exchange.CatalogueImportError) as caught:
        exchange.import_catalogue(bad)
    fields = {e["field"] for e in caught.value.errors}
    assert any(f.startswith("supplement_working_days") for f in fields)
    assert any(f.startswith("supplement_rule") for f in fields)


def test_the_diff_names_a_changed_exception(permit):
    old, new = permit["old"], permit["new"]
    ProcedureVersion.objects.filter(pk=new.pk).update(supplement_working_days=5)
    changes = selectors.diff_versions(selectors.get_version(old.pk), selectors.get_version(new.pk))
    assert any(c.part == "supplement_working_days" and c.new == 5 for c in changes)


def test_the_admin_edits_the_exceptions_of_a_draft(client_for, catalogue):
    draft = ProcedureVersion.objects.get(procedure__code="1.099999")
    html = client_for("ha").get(f"{ADMIN}/procedureversion/{draft.pk}/change/").content.decode()
    assert 'name="supplement_working_days"' in html and 'name="supplement_rule"' in html
