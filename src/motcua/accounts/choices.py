from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Provincial People's Committee")
    AGENCY = "agency", _("Agency (department, board, sector)")
    DIVISION = "division", _("Division")
    DESK = "desk", _("One-stop desk")
    SERVICE_CENTRE = "service_centre", _("Public Administration Service Centre")
    COMMUNE = "commune", _("Commune-level People's Committee")


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    DESK_OFFICER = "desk_officer", _("Desk officer")
    SPECIALIST = "specialist", _("Specialist")
    DIVISION_HEAD = "division_head", _("Division head")
    AGENCY_LEADER = "agency_leader", _("Agency leader")
    CENTRE_OFFICER = "centre_officer", _("Service centre officer")
    ADMINISTRATOR = "administrator", _("Administrator")
    INSPECTOR = "inspector", _("Inspector")
    # A member of the province's reform appraisal council (the Department of Home Affairs, indices.md §4):
    # appraises every agency's reform scorecard, changes nothing else.
    APPRAISER = "appraiser", _("Reform appraiser")


STAFF_ROLES = frozenset(
    {
        Role.DESK_OFFICER,
        Role.SPECIALIST,
        Role.DIVISION_HEAD,
        Role.AGENCY_LEADER,
        Role.CENTRE_OFFICER,
        Role.ADMINISTRATOR,
        Role.INSPECTOR,
        Role.APPRAISER,
    }
)


class ApplicantKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    ORGANISATION = "organisation", _("Organisation representative")


class IdentityLevel(models.TextChoices):
    """How surely an account's holder is known. Since Decree 69/2024/NĐ-CP (Art. 13, with the transition of
    Art. 41) citizens sign in to public-service systems with their electronic identification (VNeID), level 1
    or level 2; an account whose holder was never identified that way has no level. DVCQG's flag
    ``TaiKhoanDuocXacThucVoiVNeID`` (national-portal-sync.md §2) is 1 for either VNeID level."""

    NONE = "", _("Not identified electronically")
    VNEID_1 = "vneid1", _("VNeID level 1")
    VNEID_2 = "vneid2", _("VNeID level 2")
