"""Accounts identified through VNeID, the national electronic identification (Decree 69/2024/NĐ-CP)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.accounts.choices import IdentityLevel

# The personal identification number (số định danh cá nhân): 12 digits, Law on Identification 2023 Art. 12.
ID_NUMBER = RegexValidator(r"^\d{12}$", _("A personal identification number has 12 digits."))


class VneidIdentity(models.Model):
    """The link between a motcua account and the person VNeID identified. One person, one account: the personal
    identification number is what links them; the provider's ``sub`` is kept to notice a provider that changes
    its mind about who is who."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE,
                                related_name="vneid_identity")
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject at the provider"), max_length=255, unique=True)
    id_number = models.CharField(_("personal identification number"), max_length=12, unique=True,
                                 validators=[ID_NUMBER])
    level = models.CharField(_("identification level"), max_length=10, choices=IdentityLevel.choices)
    first_sign_in_at = models.DateTimeField(_("first sign-in"))
    last_sign_in_at = models.DateTimeField(_("last sign-in"))

    class Meta:
        verbose_name = _("VNeID identity")
        verbose_name_plural = _("VNeID identities")

    def __str__(self) -> str:
        # The number is personal data: never whole in a label.
        return f"VNeID …{self.id_number[-4:]} ({self.user})"
