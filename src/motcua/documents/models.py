"""The agencies' signing keys and the papers signed with them. The issued legal forms themselves are
``motcua.dossiers.models.IssuedForm`` (the dossiers app decides which form applies and issues it; this app renders
what it is given and, where the agency has a key, signs it: ``signing``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class KeyBackend(models.TextChoices):
    PKCS12 = "pkcs12", _("PKCS#12 file on the server")
    PKCS11 = "pkcs11", _("Hardware security module (PKCS#11)")


class SigningKey(models.Model):
    """An agency's certificate and key for the electronic signature of the body (Decree 30/2020 Art. 8: the seal
    or digital signature of the issuing body), configured by the operator: a PKCS#12 file on the server or a key
    in an HSM reached through PKCS#11. The passphrase or PIN is never stored here: ``secret_env`` names the
    environment variable that holds it. The seal image is printed with the signature (Annex I: red, true size,
    PNG with a transparent background, over about the left third of the signer's signature)."""

    agency = models.OneToOneField("accounts.OrgUnit", verbose_name=_("agency"), on_delete=models.PROTECT,
                                  related_name="signing_key")
    backend = models.CharField(_("where the key is"), max_length=10, choices=KeyBackend.choices,
                               default=KeyBackend.PKCS12)
    pkcs12_path = models.CharField(_("PKCS#12 file"), max_length=500, blank=True,
                                   help_text=_("Absolute path of the .p12 file on the server."))
    pkcs11_module = models.CharField(_("PKCS#11 module"), max_length=500, blank=True,
                                     help_text=_("Path of the HSM's PKCS#11 library."))
    token_label = models.CharField(_("token label"), max_length=100, blank=True)
    key_label = models.CharField(_("key label"), max_length=100, blank=True)
    cert_label = models.CharField(_("certificate label"), max_length=100, blank=True,
                                  help_text=_("Empty: the same as the key label."))
    secret_env = models.CharField(_("environment variable of the passphrase or PIN"), max_length=100, blank=True,
                                  help_text=_("The name of the variable, e.g. MOTCUA_SXD_P12_PASSPHRASE; never the "
                                              "secret itself."))
    secret_file = models.CharField(_("file of the passphrase or PIN"), max_length=500, blank=True,
                                   help_text=_("Or the path of a file readable by the server only that holds it."))
    seal_image = models.FileField(_("seal image (PNG)"), upload_to="seals/", max_length=300, blank=True)
    signs_results = models.BooleanField(_("signs results"), default=True)
    signs_copies = models.BooleanField(_("signs certified copies"), default=True)
    signs_forms = models.JSONField(_("forms it signs"), default=list, blank=True,
                                   help_text=_("Roles of the legal forms the agency signs electronically, e.g. "
                                               "[\"receipt\", \"apology\"]."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")

    def __str__(self) -> str:
        return str(self.agency)


class SignedDocument(models.Model):
    """A paper signed in an agency's name: the exact bytes signed (``file``, ``sha256``), who signed it and
    with which certificate, and its public verification address (``token``, printed as a QR code on it). The
    agency may revoke a paper it annulled; the verification page then says so."""

    token = models.CharField(max_length=40, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=30)
    subject = models.CharField(_("record"), max_length=60, db_index=True)
    agency = models.ForeignKey("accounts.OrgUnit", verbose_name=_("agency"), on_delete=models.PROTECT,
                               related_name="+")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed by"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(_("signed by"), max_length=255)
    signer_title = models.CharField(_("position"), max_length=255, blank=True)
    reference = models.CharField(_("number"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    cert_subject = models.CharField(_("certificate holder"), max_length=500)
    cert_issuer = models.CharField(_("certificate issuer"), max_length=500)
    cert_serial = models.CharField(_("certificate serial number"), max_length=100)
    cert_fingerprint = models.CharField(_("certificate fingerprint (SHA-256)"), max_length=64)
    signed_at = models.DateTimeField(_("signed at"))
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    file = models.FileField(max_length=300)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    revocation_reason = models.TextField(_("why it was revoked"), blank=True)

    class Meta:
        verbose_name = _("signed paper")
        verbose_name_plural = _("signed papers")
        ordering = ["-signed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference or self.subject}"
