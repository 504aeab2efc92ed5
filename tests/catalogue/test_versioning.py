"""Law is versioned: which version applies on a date, no overlaps, frozen publications, snapshots."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from motcua.catalogue import selectors, services
from motcua.catalogue.models import ProcedureVersion
from motcua.core.errors import Conflict, DomainError

from .conftest import NEW_START, OLD_END, make_version


def test_as_of_picks_the_old_version_on_its_last_day_and_the_new_one_on_its_first(permit):
    procedure = permit["procedure"]
    assert selectors.version_on(procedure, OLD_END) == permit["old"]
    assert selectors.version_on(procedure, NEW_START) == permit["new"]
    assert selectors.version_on(procedure, dt.date(2025, 7, 1)) == permit["old"]
    assert selectors.version_on(procedure, dt.date(2030, 1, 1)) == permit["new"]


def test_as_of_before_the_first_version_finds_nothing(permit):
    assert selectors.version_on(permit["procedure"], dt.date(2025, 6, 30)) is None


def test_a_version_overlapping_another_is_refused(permit):
    overlapping = ProcedureVersion(procedure=permit["procedure"], valid_from=dt.date(2026, 6, 1),
                                   valid_to=dt.date(2026, 6, 15))
    with pytest.raises(Conflict) as caught:
        services.save_version(overlapping)
    assert caught.value.code == "version_overlap"
    assert ProcedureVersion.objects.filter(procedure=permit["procedure"]).count() == 2


def test_moving_a_version_onto_another_is_refused(permit):
    old = permit["old"]
    services.unpublish_version(old)
    old.valid_to = NEW_START
    with pytest.raises(Conflict):
        services.save_version(old)


def test_adjacent_versions_do_not_overlap(permit):
    # 30/06 and 01/07 touch but do not overlap: both saved by the fixture, and re-saving is fine.
    services.unpublish_version(permit["old"])
    services.save_version(permit["old"])


def test_a_version_cannot_end_before_it_starts(permit):
    version = ProcedureVersion(procedure=permit["procedure"], valid_from=dt.date(2020, 1, 10),
                               valid_to=dt.date(2020, 1, 1))
    with pytest.raises(DomainError):
        services.save_version(version)


def test_a_published_version_is_frozen(permit):
    new = permit["new"]
    new.legal_time_amount = Decimal(3)
    with pytest.raises(Conflict) as caught:
        services.save_version(new)
    assert "legal_time_amount" in caught.value.details["fields"]
    with pytest.raises(Conflict):
        services.ensure_editable(new)


def test_clone_ends_the_source_and_copies_its_parts(permit):
    new = permit["new"]
    clone = services.clone_version(new, valid_from=dt.date(2027, 1, 1), label="2027")
    new.refresh_from_db()
    assert new.valid_to == dt.date(2026, 12, 31)
    assert new.is_published and not clone.is_published
    assert clone.valid_to is None and clone.created_from == new
    assert [d.name for d in clone.documents.all()] == [d.name for d in new.documents.all()]
    assert clone.fees.count() == new.fees.count() == 1
    assert clone.steps.count() == 1 and clone.legal_bases.count() == 1
    assert selectors.version_on(permit["procedure"], dt.date(2026, 12, 31)) == new
    # The draft is invisible to the public until published.
    assert selectors.version_on(permit["procedure"], dt.date(2027, 1, 1)) is None
    assert selectors.version_on(permit["procedure"], dt.date(2027, 1, 1), include_drafts=True) == clone


def test_clone_must_start_after_its_source(permit):
    with pytest.raises(DomainError):
        services.clone_version(permit["new"], valid_from=NEW_START)


def test_clone_of_an_ended_version_into_a_taken_range_is_refused(permit):
    with pytest.raises(Conflict):
        services.clone_version(permit["old"], valid_from=dt.date(2026, 8, 1))


def test_snapshot_is_json_and_complete(permit):
    snap = selectors.snapshot(selectors.get_version(permit["new"].pk))
    json.dumps(snap)
    version = snap["version"]
    assert snap["procedure"]["code"] == "1.013236"
    assert version["legal_time"] == {"amount": 10, "unit": "working_days"}
    assert version["deadline_policy"] == "working_hours"
    assert version["documents"][0]["name"] == "Đơn đề nghị cấp giấy phép xây dựng"
    assert version["fees"][0]["amount_vnd"] == 150_000
    assert version["steps"][0]["budget"] == {"amount": 0.5, "unit": "working_days"}
    assert version["legal_basis"] == [{"instrument": "Nghị định 217/2026/NĐ-CP", "articles": "Điều 54", "note": ""}]
    assert snap["procedure"]["applicant_types"] == ["individual", "organisation"]


def test_snapshot_taken_at_receipt_does_not_move_when_the_catalogue_changes(permit):
    taken = json.loads(json.dumps(selectors.snapshot(selectors.get_version(permit["old"].pk))))
    clone = services.clone_version(permit["new"], valid_from=dt.date(2027, 1, 1))
    clone.legal_time_amount = Decimal(7)
    services.save_version(clone)
    clone.fees.update(amount_vnd=999)
    permit["procedure"].name = "Tên mới"
    services.save_procedure(permit["procedure"])
    # The stored snapshot is a value: the later edits do not reach it.
    assert taken["version"]["legal_time"] == {"amount": 20, "unit": "days"}
    assert taken["version"]["fees"][0]["amount_vnd"] == 150_000
    assert taken["procedure"]["name"].startswith("Cấp giấy phép")


def test_diff_names_what_changed(permit):
    changes = selectors.diff_versions(selectors.get_version(permit["old"].pk), selectors.get_version(permit["new"].pk))
    parts = {(c.part, c.kind, c.key) for c in changes}
    assert ("legal_time", "changed", "") in parts
    assert ("documents", "added", "Kết quả thẩm định PCCC") in parts
    assert ("label", "changed", "") in parts


def test_steps_may_not_exceed_the_legal_time(permit):
    clone = services.clone_version(permit["new"], valid_from=dt.date(2027, 1, 1))
    clone.steps.create(order=2, name="Thẩm định", budget_amount=Decimal(12), budget_unit="working_days")
    with pytest.raises(DomainError) as caught:
        services.after_parts_saved(clone)
    assert caught.value.code == "steps_exceed_legal_time"


def test_parallel_steps_count_once(permit):
    clone = services.clone_version(permit["new"], valid_from=dt.date(2027, 1, 1))
    clone.steps.create(order=2, name="Thẩm định", budget_amount=Decimal(5), budget_unit="working_days")
    clone.steps.create(order=2, name="Lấy ý kiến", budget_amount=Decimal(2), budget_unit="working_days")
    clone.steps.create(order=3, name="Trình ký", budget_amount=Decimal(4), budget_unit="working_days")
    services.after_parts_saved(clone)  # 0.5 + max(5, 2) + 4 = 9.5 ≤ 10


def test_the_target_must_be_shorter_than_the_legal_time(permit):
    clone = services.clone_version(permit["new"], valid_from=dt.date(2027, 1, 1))
    clone.target_time_amount, clone.target_time_unit = Decimal(10), "working_days"
    with pytest.raises(DomainError):
        services.save_version(clone)
    clone.target_time_amount = Decimal(8)
    services.save_version(clone)


def test_make_version_helper_is_complete(permit):
    assert make_version  # the fixture built published versions through publish_version
    assert permit["old"].is_published and permit["new"].is_published
