"""The citizen's documents (*kho dữ liệu điện tử của tổ chức, cá nhân*): results this system issued to an
applicant, kept so that a later procedure that asks for a paper of the same kind takes it from here instead
of asking for it again (Decree 118/2025 Art. 4(2a) as added by Decree 309/2026; 766 indicators 4.3, 4.4).
Writes go through ``wallet.services``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HeldDocument(models.Model):
    """One paper a person or organisation holds: its kind (shared with the catalogue's documents), number, date
    and issuing agency, and the electronic file (the signed result). ``holder_number`` is the personal ID number or
    the tax code the dossier was filed under; ``holder`` the citizen account, when the dossier had one."""

    holder = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("holder's account"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="held_documents")
    holder_number = models.CharField(_("holder's ID number or tax code"), max_length=14, db_index=True)
    holder_name = models.CharField(_("holder"), max_length=255)
    kind = models.CharField(_("kind of paper"), max_length=60, blank=True, db_index=True)
    title = models.CharField(_("title"), max_length=500)
    number = models.CharField(_("number"), max_length=100, db_index=True)
    issued_on = models.DateField(_("date"), null=True, blank=True)
    issuer = models.ForeignKey("accounts.OrgUnit", verbose_name=_("issued by"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    # The stored file of the result (never deleted: attachments are protected), not a copy of it; a certified
    # copy keeps its own file (``copy``).
    attachment = models.ForeignKey("dossiers.Attachment", verbose_name=_("file"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    result = models.OneToOneField("dossiers.Result", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="held")
    dossier = models.ForeignKey("dossiers.Dossier", verbose_name=_("issued on dossier"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    copy = models.OneToOneField("dossiers.CertifiedCopy", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="held")
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("held document")
        verbose_name_plural = _("held documents")
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title} {self.number}"


class CertifiedCopy(models.Model):
    """An electronic copy certified from a paper original presented at the desk (*bản sao điện tử có chứng thực
    từ bản chính*; Decree 23/2015/NĐ-CP as amended, Decree 45/2020/NĐ-CP Art. 6; 766 "electronic certified
    copies"): the original described, its scan, the copy's number in the agency's register of the year, and the
    copy signed in the agency's name where it has a key. Kept in the presenter's documents."""

    agency = models.ForeignKey("accounts.OrgUnit", verbose_name=_("agency"), on_delete=models.PROTECT,
                               related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number in the register"))
    reference = models.CharField(_("number"), max_length=60)
    title = models.CharField(_("paper copied"), max_length=500)
    kind = models.CharField(_("kind of paper"), max_length=60, blank=True)
    original_number = models.CharField(_("number of the original"), max_length=100, blank=True)
    original_issuer = models.CharField(_("issued by"), max_length=255, blank=True)
    original_date = models.DateField(_("date of the original"), null=True, blank=True)
    presenter_name = models.CharField(_("presented by"), max_length=255)
    presenter_number = models.CharField(_("presenter's ID number or tax code"), max_length=14)
    pages = models.PositiveSmallIntegerField(_("pages"), default=1)
    file = models.FileField(_("file"), max_length=300)
    sha256 = models.CharField(max_length=64)
    signed = models.BooleanField(_("signed electronically"), default=False)
    verify_url = models.CharField(max_length=300, blank=True)
    certified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("certified by"), on_delete=models.PROTECT,
                                     related_name="+")
    certified_at = models.DateTimeField(_("certified at"))

    class Meta:
        verbose_name = _("certified copy")
        verbose_name_plural = _("certified copies")
        ordering = ["-year", "-number"]
        constraints = [models.UniqueConstraint(fields=["agency", "year", "number"], name="certifiedcopy_unique")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"
