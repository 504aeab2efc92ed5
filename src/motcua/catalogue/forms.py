from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Level, OnlineMode


class CatalogueFilterForm(forms.Form):
    """The catalogue's GET filters. Bad values are reported next to the field and then ignored."""

    q = forms.CharField(label=_("Search procedures"), required=False, max_length=200,
                        help_text=_("Diacritics are optional; e.g. cap phep xay dung, GPXD, chung chi hanh nghe."))
    field = forms.ChoiceField(label=_("Field"), required=False)
    level = forms.ChoiceField(label=_("Level"), required=False)
    online_mode = forms.ChoiceField(label=_("Online mode"), required=False)
    agency = forms.ChoiceField(label=_("Implementing agency"), required=False)
    as_of = forms.DateField(label=_("In force on"), required=False, input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                            widget=forms.DateInput(attrs={"type": "date"}),
                            help_text=_("Leave empty for today."))

    def __init__(self, *args: Any, choices: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        self.fields["q"].widget.attrs.update({"type": "search", "autocomplete": "off", "enterkeyhint": "search"})
        options = {
            "field": [(str(f.pk), f.name) for f in choices["fields"]],
            "level": list(Level.choices),
            "online_mode": list(OnlineMode.choices),
            "agency": [(u.code, u.name) for u in choices["agencies"]],
        }
        for name, values in options.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = every + values

    def filters(self) -> dict[str, Any]:
        """The valid filters; a field with a bad value is left out (its error is shown)."""
        if self.is_bound:
            self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) or ("" if name != "as_of" else None) for name in self.fields}


class CloneForm(forms.Form):
    valid_from = forms.DateField(label=_("The new version is valid from"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    label = forms.CharField(label=_("Label"), required=False, max_length=255)
