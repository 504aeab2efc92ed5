"""A version is published only with every part Decree 63/2010 Art. 8(2)–(3) requires."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.catalogue import services
from motcua.catalogue.choices import FeeStatus
from motcua.catalogue.models import ProcedureVersion
from motcua.catalogue.parts import gaps, missing_parts
from motcua.core.errors import DomainError, PermissionDenied

from .conftest import make_procedure, make_version


def test_an_empty_version_lacks_every_version_part(org):
    procedure = make_procedure(org, "1.000001", "Thủ tục thử")
    version = services.save_version(ProcedureVersion(procedure=procedure, valid_from=dt.date(2026, 1, 1)))
    keys = [p.key for p in missing_parts(version)]
    assert keys == ["sequence", "manner", "documents", "time_limit", "fees"]


def test_publishing_an_incomplete_version_names_the_missing_parts(org):
    procedure = make_procedure(org, "1.000002", "Thủ tục thử", individuals=False, organisations=False,
                               result="")
    version = make_version(procedure, dt.date(2026, 1, 1), amount=None, fee=None, documents=[], publish=False)
    with pytest.raises(DomainError) as caught:
        services.publish_version(version)
    assert caught.value.code == "version_incomplete"
    assert caught.value.details["missing"] == ["documents", "time_limit", "applicants", "result", "fees"]
    message = caught.value.message
    assert "Điều 8 khoản 2 điểm d" in message  # the missing part is named, with its article
    version.refresh_from_db()
    assert not version.is_published


def test_a_procedure_without_agency_cannot_be_published(org):
    procedure = make_procedure(org, "1.000003", "Thủ tục thử")
    procedure.agency = None
    services.save_procedure(procedure)
    version = make_version(procedure, dt.date(2026, 1, 1), publish=False)
    assert [p.key for p in missing_parts(version)] == ["agency"]


def test_fee_part_is_satisfied_by_no_fee(org):
    procedure = make_procedure(org, "1.000004", "Thủ tục thử")
    version = make_version(procedure, dt.date(2026, 1, 1), fee=None, publish=False)
    assert [p.key for p in missing_parts(version)] == ["fees"]
    version.fee_status = FeeStatus.FREE
    services.save_version(version)
    services.publish_version(version)
    assert version.__class__.objects.get(pk=version.pk).is_published


def test_a_fee_without_amount_needs_the_rule_that_sets_it(org):
    procedure = make_procedure(org, "1.000005", "Thủ tục thử")
    version = make_version(procedure, dt.date(2026, 1, 1), publish=False)
    version.fees.update(amount_vnd=None)
    assert [p.key for p in missing_parts(version)] == ["fees"]
    version.fees.update(amount_rule="Do HĐND tỉnh quy định")
    assert missing_parts(version) == []
    assert "fee amount" in gaps(version) or "mức phí" in " ".join(gaps(version)).lower() or gaps(version)


def test_time_variants_satisfy_the_time_limit(org):
    procedure = make_procedure(org, "1.000006", "Thủ tục thử")
    version = make_version(procedure, dt.date(2026, 1, 1), amount=None, publish=False)
    version.time_variants.create(label="Nhà ở riêng lẻ", amount=7, unit="working_days")
    assert missing_parts(version) == []


def test_unpublish_then_publish_again(org):
    procedure = make_procedure(org, "1.000007", "Thủ tục thử")
    version = make_version(procedure, dt.date(2026, 1, 1))
    services.unpublish_version(version)
    assert not version.is_published and version.published_at is None
    services.publish_version(version)
    version.refresh_from_db()
    assert version.is_published and version.published_at is not None


def test_only_administrators_publish(org, people):
    procedure = make_procedure(org, "1.000008", "Thủ tục thử")
    version = make_version(procedure, dt.date(2026, 1, 1), publish=False)
    for name in ("an", "binh", "giang", "thanh"):
        with pytest.raises(PermissionDenied):
            services.publish_version(version, user=people[name])
    services.publish_version(version, user=people["ha"])
    version.refresh_from_db()
    assert version.is_published and version.published_by == people["ha"]


def test_only_administrators_edit(org, people):
    procedure = make_procedure(org, "1.000009", "Thủ tục thử")
    with pytest.raises(PermissionDenied):
        services.save_procedure(procedure, user=people["cuong"])
    with pytest.raises(PermissionDenied):
        services.clone_version(make_version(procedure, dt.date(2026, 1, 1)), valid_from=dt.date(2027, 1, 1),
                               user=people["dung"])
