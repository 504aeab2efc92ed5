"""The forms of the reform scorecards' pages: they parse and show errors next to the fields; the rules are the
services' (a ``DomainError`` is placed on the field it names)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import DomainError

from .choices import EvidenceKind, PlanStatus, ReviewStatus, StaffLevel

# --- legal-document register -----------------------------------------------------------------------------

REGISTER_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def place_register_error(form: forms.Form, exc: Any) -> None:
    """Show a service's refusal next to the field it names (``details["field"]``), else above the form."""
    field = (exc.details or {}).get("field")
    form.add_error(field if field in form.fields else None, exc.message)


class RegisterFilter(forms.Form):
    """The register's filters; always bound (an empty query shows every document of the agency)."""

    agency = forms.ChoiceField(label=_("Agency"), required=False)
    year = forms.TypedChoiceField(label=_("Year of issue"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Review"), required=False,
                               choices=[("", _("All")), *ReviewStatus.choices])
    q = forms.CharField(label=_("Number or title contains"), required=False, max_length=200)

    def __init__(self, data: Any, *, years: list[int], agencies: list[Any] | None) -> None:
        super().__init__(data)
        self.fields["year"].choices = [("", _("All years")), *[(y, y) for y in years]]  # type: ignore[attr-defined]
        if agencies is None:
            del self.fields["agency"]
        else:
            self.fields["agency"].choices = [  # type: ignore[attr-defined]
                ("", _("Choose an agency")), *[(a.code, a.name) for a in agencies]]


class DocumentForm(forms.Form):
    number = forms.CharField(label=_("Number and symbol"), max_length=80, help_text=_("e.g. 12/2026/QĐ-UBND"))
    title = forms.CharField(label=_("Title"), widget=forms.Textarea(attrs={"rows": 3}))
    issuer = forms.CharField(label=_("Issued by"), max_length=255,
                             help_text=_("e.g. Provincial People's Committee"))
    issued_on = forms.DateField(label=_("Issued on"), widget=REGISTER_DATE)
    effective_on = forms.DateField(label=_("In force from"), required=False, widget=REGISTER_DATE)


class ReviewForm(forms.Form):
    review_status = forms.ChoiceField(label=_("Outcome of the review"), choices=ReviewStatus.choices)
    reviewed_on = forms.DateField(label=_("Reviewed on"), required=False, widget=REGISTER_DATE,
                                  help_text=_("Required once the document is reviewed."))
    findings = forms.CharField(label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=_("What the review found unlawful or unsuitable."))
    correction = forms.CharField(label=_("Correction made"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text=_("How the findings were corrected (amended, replaced, repealed)."))
    corrected_on = forms.DateField(label=_("Corrected on"), required=False, widget=REGISTER_DATE)


# --- staff evaluation -------------------------------------------------------------------------------------


class StaffPeriodForm(forms.Form):
    """The period of the staff evaluation (a year, or a quarter of it) and, for those who see every agency,
    the agency (a GET form)."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    quarter = forms.TypedChoiceField(label=_("Quarter"), coerce=int, required=False, empty_value=None,
                                     choices=[("", _("Whole year")), *((q, str(q)) for q in range(1, 5))])
    agency = forms.ChoiceField(label=_("Agency"), required=False)

    def __init__(self, data: Any = None, agencies: list[tuple[str, str]] | None = None) -> None:
        super().__init__(data or None)
        if agencies is None:
            del self.fields["agency"]
        else:
            field = self.fields["agency"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", _("Choose an agency")), *agencies]

    def period(self) -> tuple[int, int | None]:
        """(year, quarter or None): this year when the form is empty or not valid."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("year") or timezone.localdate().year, data.get("quarter")


class StaffDecisionForm(forms.Form):
    level = forms.ChoiceField(label=_("Classification decided"), choices=StaffLevel.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Required when the level differs from the one suggested."))


# --- simulator and action plan ----------------------------------------------------------------------------


def leaf_field(code: str) -> str:
    """The simulator's input name of a leaf ("c-1.2")."""
    return f"c-{code}"


class SimulatorForm(forms.Form):
    """One optional input per leaf of the assessment: the rate aimed at (automatic leaf) or the points aimed at
    (manual leaf). Read by ``selectors.simulator.simulate``; its errors come back next to the field."""

    def __init__(self, data: Any, leaves: list[Any]) -> None:
        super().__init__(data)
        for node in leaves:
            label = _("Rate aimed at") if node.automatic else _("Points aimed at")
            self.fields[leaf_field(node.code)] = forms.CharField(
                label=label, required=False, max_length=20,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6,
                                              "placeholder": "90%" if node.automatic else str(node.max_points)}))

    def changes(self) -> dict[str, str]:
        """Leaf code → the value typed (the empty ones left out)."""
        out = {}
        for name, value in self.cleaned_data.items():
            if name.startswith("c-") and (value or "").strip():
                out[name[2:]] = value.strip()
        return out


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """The service's message next to the field it names (``details``), else above the form."""
    for name in exc.details:
        if name in form.fields:
            form.add_error(name, exc.message)
            return
    form.add_error(None, exc.message)


class PlanItemAddForm(forms.Form):
    """An improvement chosen in the simulator, made an item of the action plan."""

    node = forms.ChoiceField(label=_("Criterion"))
    action = forms.CharField(label=_("What will be done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ChoiceField(label=_("Owner"))
    due = forms.DateField(label=_("Deadline"), widget=DATE)
    target_value = forms.CharField(label=_("Rate aimed at (automatic criterion)"), required=False, max_length=20,
                                   help_text=_("e.g. 90%"))
    target_points = forms.CharField(label=_("Points aimed at (manual criterion)"), required=False, max_length=20,
                                    help_text=_("Empty: the criterion's maximum."))

    def __init__(self, data: Any, leaves: list[Any], officers: list[Any], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.leaves = {n.code: n for n in leaves}
        self.officers = {str(u.pk): u for u in officers}
        self.fields["node"].choices = [(n.code, f"{n.code}. {n.name}") for n in leaves]  # type: ignore[attr-defined]
        self.fields["owner"].choices = [("", "—"), *((str(u.pk), str(u)) for u in officers)]  # type: ignore[attr-defined]

    add_domain_error = _add_domain_error


class PlanItemUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=PlanStatus.choices)
    progress = forms.CharField(label=_("Progress"), required=False, max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 2}))

    add_domain_error = _add_domain_error


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
