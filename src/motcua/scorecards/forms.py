"""The forms of the reform scorecard's pages. Each page's helper keeps its own section."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import EvidenceKind

# --- assessment cycle ------------------------------------------------------------------------------------
# The points stay text here: ``services.parse_points`` checks them against the leaf's maximum and says why.

EVIDENCE_MAX_BYTES = 20 * 1024 * 1024


class SelfScoreForm(forms.Form):
    points = forms.CharField(label=_("Self-score"), required=False, max_length=20)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("File"), required=False)
    url = forms.URLField(label=_("Link"), required=False, max_length=500, assume_scheme="https")
    dossier_code = forms.CharField(label=_("Dossier code"), required=False, max_length=60)
    note = forms.CharField(label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > EVIDENCE_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload

    def kind(self) -> str:
        """The kind of evidence given: the file, else the link, else the dossier, else the note."""
        data = self.cleaned_data
        if data.get("file"):
            return EvidenceKind.FILE
        if data.get("url"):
            return EvidenceKind.LINK
        if data.get("dossier_code"):
            return EvidenceKind.DOSSIER
        return EvidenceKind.NOTE


class OwnerForm(forms.Form):
    node = forms.TypedChoiceField(label=_("Criterion"), coerce=int)
    user = forms.TypedChoiceField(label=_("Officer"), coerce=int)

    def __init__(self, *args: Any, nodes: list[tuple[int, str]], officers: list[tuple[int, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = nodes  # type: ignore[attr-defined]
        self.fields["user"].choices = officers  # type: ignore[attr-defined]


class CouncilScoreForm(forms.Form):
    """The council's score of a leaf (appraisal or decision on appeal) and its reason."""

    points = forms.CharField(label=_("Points"), required=True, max_length=20)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class AppealForm(forms.Form):
    """One row per leaf: the points asked for and the grounds. Rows left empty are not appealed."""

    def __init__(self, *args: Any, scores: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scores = scores
        for s in scores:
            self.fields[f"points_{s.pk}"] = forms.CharField(
                label=_("Points asked for on %(code)s") % {"code": s.node.code}, required=False, max_length=20)
            self.fields[f"reason_{s.pk}"] = forms.CharField(
                label=_("Grounds for %(code)s") % {"code": s.node.code}, required=False, max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2}))

    def rows(self) -> list[tuple[Any, Any, Any]]:
        """(score, points field, grounds field) for the template."""
        return [(s, self[f"points_{s.pk}"], self[f"reason_{s.pk}"]) for s in self.scores]

    def items(self) -> list[tuple[Any, str, str]]:
        """The rows filled in (points or grounds), for ``services.appeal``."""
        out = []
        for s in self.scores:
            points = (self.cleaned_data.get(f"points_{s.pk}") or "").strip()
            reason = (self.cleaned_data.get(f"reason_{s.pk}") or "").strip()
            if points or reason:
                out.append((s, points, reason))
        return out
