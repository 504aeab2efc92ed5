"""Organisation units, people, their roles, their API tokens, their recovery codes and security keys."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

from motcua.core.models import TimeStampedModel

from .choices import STAFF_ROLES, ApplicantKind, IdentityLevel, Role, UnitKind
from .identifiers import EMAIL_UNIQUE, PHONE_UNIQUE


def valid_on_q(day: dt.date, prefix: str = "") -> Q:
    """Rows whose open-ended validity period (``valid_from`` … ``valid_to``, either may be empty) covers
    ``day``; ``prefix`` reaches them through a relation (``"role_assignments__"``)."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day}))


class OrgUnitQuerySet(models.QuerySet["OrgUnit"]):
    def valid_on(self, day: dt.date) -> OrgUnitQuerySet:
        return self.filter(valid_on_q(day))

    def current(self) -> OrgUnitQuerySet:
        return self.valid_on(timezone.localdate())


class OrgUnit(TimeStampedModel):
    """A node of the organisation tree: province, agency, division, desk, service centre, commune.

    Units merge and split (the 2025 reorganisation), so they carry validity dates and are never
    deleted once dossiers name them; a successor is a new unit. ``path`` is a materialised path of
    ids ("/1/4/9/") kept by ``services.save_unit`` so that a subtree is one indexed prefix query.
    """

    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=80, blank=True)
    # The official electronic identifier (Circular 10/2016/TT-BTTTT; Decision 20/2020/QĐ-TTg as
    # amended by Decision 09/2025/QĐ-TTg). It becomes the prefix of dossier codes, so it is unique.
    code = models.CharField(_("identifier code"), max_length=40, unique=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    hotline = models.CharField(_("hotline"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    # A service centre receives dossiers on behalf of agencies (Decree 61/2018 Art. 14(2)).
    receives_for = models.ManyToManyField(
        "self", verbose_name=_("receives dossiers for"), symmetrical=False, blank=True,
        related_name="received_by",
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="orgunit_valid_range",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def agency(self) -> OrgUnit | None:
        """The nearest unit of kind agency or service centre at or above this one."""
        node: OrgUnit | None = self
        while node is not None:
            if node.kind in (UnitKind.AGENCY, UnitKind.SERVICE_CENTRE, UnitKind.COMMUNE):
                return node
            node = node.parent
        return None


# The reverse manager of RecoveryCodeDevice.user comes from django-otp's untyped abstract Device: not seen by
# the stubs' plugin.
class User(AbstractUser):  # type: ignore[django-manager-missing]
    """A natural person: a citizen or an official. Every recorded action names one."""

    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    applicant_kind = models.CharField(
        _("applicant kind"), max_length=20, choices=ApplicantKind.choices, blank=True
    )
    organisation_name = models.CharField(_("organisation name"), max_length=255, blank=True)
    organisation_tax_code = models.CharField(_("organisation tax code"), max_length=20, blank=True)
    preferred_language = models.CharField(_("preferred language"), max_length=5, default="vi")
    # Set only by a sign-in through the national electronic identification (integrations.vneid): the level
    # that sign-in proved, kept until the next one; never typed in by anyone.
    identity_level = models.CharField(_("electronic identification"), max_length=10, blank=True,
                                      choices=IdentityLevel.choices, default="", editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        # The e-mail and phone sign a person in (as the user name a registration gives) and receive the password
        # reset: two accounts holding one would make both ambiguous, and a check in Python alone lets two
        # confirmations at the same instant both pass (issue 21). E-mails are compared without case, as sign-in
        # and the password reset compare them; an empty value (no address, a closed account) is not compared.
        # Phones are stored in ``identifiers.canonical_phone``'s form. Migration 0007 resolved older duplicates.
        constraints = [
            models.UniqueConstraint(Lower("email"), condition=~Q(email=""), name=EMAIL_UNIQUE,
                                    violation_error_message=_("Another account already has this e-mail address.")),
            models.UniqueConstraint(fields=["phone"], condition=~Q(phone=""), name=PHONE_UNIQUE,
                                    violation_error_message=_("Another account already has this phone number.")),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.username

    def active_roles(self, day: dt.date | None = None) -> set[str]:
        day = day or timezone.localdate()
        return {a.role for a in self.role_assignments.all() if a.is_active_on(day)}

    @property
    def is_official(self) -> bool:
        return bool(self.active_roles() & STAFF_ROLES)


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def valid_on(self, day: dt.date) -> RoleAssignmentQuerySet:
        return self.filter(valid_on_q(day))


class RoleAssignment(TimeStampedModel):
    """A role held by a person in a unit for a period: officers rotate and units reorganise."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    # The position held, as it is printed over the signature of a paper ("Giám đốc", "Phó Giám đốc",
    # "Trưởng phòng"): Decree 30/2020 Art. 13 and Annex I, the signer's position ("chức vụ của người ký").
    title = models.CharField(_("position title"), max_length=120, blank=True,
                             help_text=_("As printed over the signature, e.g. “Giám đốc”, “Phó Giám đốc”."))

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="roleassignment_unique"),
            models.CheckConstraint(
                condition=Q(role="citizen") | Q(role="administrator") | Q(role="inspector") | Q(unit__isnull=False),
                name="roleassignment_staff_has_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.unit or '—'})"

    def is_active_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


class ApiToken(TimeStampedModel):
    """A bearer token. Only a SHA-256 digest of the secret is stored; the secret is shown once.

    The token is ``mc_<prefix>_<secret>``: the prefix finds the row, the digest is compared in
    constant time. SHA-256 suffices because the secret carries 256 bits of randomness (unlike a
    password, it cannot be guessed from a dictionary).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"mc_{self.prefix}_… ({self.user})"

    def is_usable(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


class RecoveryCodeDevice(ThrottlingMixin, Device):
    """A person's one-time recovery codes: the second factor when the authenticator app is lost.

    django-otp's own static device keeps its codes in clear; here only a keyed digest of each code is stored
    (HMAC-SHA-256 with the ``SECRET_KEY``), so a copy of the database alone does not sign anyone in. A code
    is deleted when it is used (spent). Wrong codes slow further tries down exponentially, as the TOTP device
    does (``OTP_TOTP_THROTTLE_FACTOR``)."""

    class Meta(Device.Meta):
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1))

    def remaining(self) -> int:
        return self.codes.count()

    def verify_token(self, token: object) -> bool:
        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        code = normalise_recovery_code(str(token))
        spent = bool(code) and self.codes.filter(digest=recovery_code_digest(code)).delete()[0] > 0
        if spent:
            self.throttle_reset()
        else:
            self.throttle_increment()
        return spent


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, db_index=True)

    def __str__(self) -> str:
        return f"recovery code {self.pk} of {self.device_id}"  # never the code: only its digest is kept


class SecurityKeyDevice(TimestampMixin, Device):
    """A security key or passkey (WebAuthn, W3C Web Authentication Level 2) that a person has enrolled as a second
    factor, used instead of the authenticator app's code. A django-otp device, so that a session that signed in
    with it is "verified" for ``OTPMiddleware`` and ``SecondFactorMiddleware`` exactly as one that typed a code.

    Only the credential's public key is kept (COSE, as the authenticator gave it): a copy of the database signs no
    one in. ``sign_count`` is the authenticator's signature counter as last seen: an assertion whose counter does
    not go up (when either is non-zero) comes from a cloned authenticator and is refused (WebAuthn §6.1.1,
    verified by py_webauthn). ``verify_token`` is django-otp's typed-code path and is never true here: a key
    answers a challenge (``services.verify_security_key``), it has no code to type."""

    # Typed by hand: the stubs' plugin does not see fields of a model on django-otp's untyped abstract Device.
    credential_id: models.CharField[str, str] = models.CharField(  # base64url, as the browser names it
        _("credential ID"), max_length=1400, unique=True, editable=False)
    public_key: models.BinaryField[bytes, bytes] = models.BinaryField(editable=False)
    sign_count: models.PositiveBigIntegerField[int, int] = models.PositiveBigIntegerField(default=0, editable=False)
    transports: models.JSONField[list[str], list[str]] = models.JSONField(default=list, blank=True, editable=False)
    aaguid: models.CharField[str, str] = models.CharField(max_length=36, blank=True, editable=False)
    backed_up: models.BooleanField[bool, bool] = models.BooleanField(_("synced passkey"), default=False, editable=False)

    class Meta(Device.Meta):
        verbose_name = _("security key")
        verbose_name_plural = _("security keys")

    def verify_token(self, token: object) -> bool:
        return False


def normalise_recovery_code(code: str) -> str:
    """A recovery code as typed: case, spaces and dashes do not matter (``ab12-cd34`` is ``AB12CD34``)."""
    return "".join(ch for ch in code.upper() if ch.isalnum() and ch.isascii())


def recovery_code_digest(code: str) -> str:
    return salted_hmac("motcua.accounts.recovery-code", code, algorithm="sha256").hexdigest()
