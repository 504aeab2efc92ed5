import pytest

from motcua.accounts.permissions import Capability, has_capability, unit_ids_in_scope


@pytest.mark.django_db
def test_specialist_reaches_own_division_only(people, org):
    cuong = people["cuong"]
    assert has_capability(cuong, Capability.PROCESS_DOSSIERS, org["division"])
    assert not has_capability(cuong, Capability.PROCESS_DOSSIERS, org["division2"])
    assert not has_capability(cuong, Capability.PROCESS_DOSSIERS, org["other_division"])
    assert not has_capability(cuong, Capability.RECEIVE_DOSSIERS)


@pytest.mark.django_db
def test_desk_officer_and_leader_reach_the_whole_agency(people, org):
    for name in ("binh", "giang"):
        ids = unit_ids_in_scope(people[name], Capability.VIEW_DOSSIERS)
        assert ids is not None
        assert {org["sxd"].pk, org["desk"].pk, org["division"].pk, org["division2"].pk} <= ids
        assert org["other"].pk not in ids and org["other_division"].pk not in ids


@pytest.mark.django_db
def test_officer_of_another_agency_does_not_reach_construction(people, org):
    assert not has_capability(people["khanh"], Capability.VIEW_DOSSIERS, org["division"])
    assert has_capability(people["khanh"], Capability.VIEW_DOSSIERS, org["other_division"])


@pytest.mark.django_db
def test_inspector_reads_everything_and_changes_nothing(people, org):
    thanh = people["thanh"]
    assert unit_ids_in_scope(thanh, Capability.VIEW_DOSSIERS) is None
    for cap in (Capability.PROCESS_DOSSIERS, Capability.RECEIVE_DOSSIERS, Capability.ADMINISTER):
        assert not has_capability(thanh, cap, org["division"])


@pytest.mark.django_db
def test_citizen_has_no_staff_capability(people, org):
    an = people["an"]
    assert has_capability(an, Capability.SUBMIT_DOSSIERS)
    assert not has_capability(an, Capability.VIEW_DOSSIERS, org["division"])
    assert unit_ids_in_scope(an, Capability.VIEW_DOSSIERS) == set()


@pytest.mark.django_db
def test_expired_role_grants_nothing(people, org):
    import datetime as dt

    assignment = people["cuong"].role_assignments.get()
    assignment.valid_to = dt.date(2020, 1, 1)
    assignment.save()
    people["cuong"].__dict__.pop("_motcua_assignments", None)
    assert not has_capability(people["cuong"], Capability.PROCESS_DOSSIERS, org["division"])


@pytest.mark.django_db
def test_moving_a_unit_rewrites_the_subtree_paths(org):
    from motcua.accounts.services import save_unit

    division = org["division"]
    sxd = org["sxd"]
    sxd.parent = org["other"]
    save_unit(sxd)
    division.refresh_from_db()
    assert division.path.startswith(org["other"].path)


@pytest.mark.django_db
def test_a_unit_cannot_move_under_itself(org):
    from motcua.accounts.services import save_unit

    sxd = org["sxd"]
    sxd.parent = org["division"]
    with pytest.raises(ValueError):
        save_unit(sxd)


def test_officers_with_a_capability_are_the_agency_s_own(people, org):
    from motcua.accounts.models import OrgUnit
    from motcua.accounts.permissions import officers_with
    from motcua.accounts.services import assign_role, save_unit

    # The department's officers, whatever their unit inside it; not the other agency's, not the inspector.
    names = {u.username for u in officers_with(Capability.ASSESS_REFORM, org["sxd"])}
    assert names == {"binh", "cuong", "dung", "giang"}
    assert {u.username for u in officers_with(Capability.LEAD_REFORM, org["sxd"])} == {"giang"}
    # An agency placed under the department speaks for itself: its officers are not the department's.
    nested = save_unit(OrgUnit(parent=org["sxd"], name="Ban Quản lý dự án", code="T.SXD.BQL", kind="agency"))
    assign_role(people["khanh"], "specialist", nested)
    assert "khanh" not in {u.username for u in officers_with(Capability.ASSESS_REFORM, org["sxd"])}
    people["cuong"].is_active = False
    people["cuong"].save()
    assert "cuong" not in {u.username for u in officers_with(Capability.ASSESS_REFORM, org["sxd"])}
