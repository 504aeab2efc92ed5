"""The forms of the reform scorecard's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import StaffLevel

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
