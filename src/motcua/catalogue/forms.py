from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import get_language
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


# --- the application's e-form on a page (the desk's intake, the citizen's wizard) -------------------------

EFORM_PREFIX = "ef_"


def add_eform_fields(form: forms.Form, declaration: list[dict[str, Any]], initial: dict[str, Any] | None = None,
                     ) -> None:
    """Add one field per declared e-form field (named ``ef_<key>``). They are text inputs (a choice is a select):
    the values are checked by ``eform.clean_values`` in ``clean_eform``, so that a page, the API and the import
    give the same errors; the browser only gets hints (``inputmode``, ``required``)."""
    from . import eform

    initial = initial or {}
    for spec in declaration:
        name = EFORM_PREFIX + spec["key"]
        label = eform.text_in(spec["label"])
        help_parts = [eform.text_in(spec.get("help"))] if spec.get("help") else []
        if spec.get("unit"):
            help_parts.append(str(_("Unit: %(unit)s.")) % {"unit": spec["unit"]})
        help_text = " ".join(help_parts)
        required = bool(spec.get("required"))
        value = initial.get(spec["key"])
        field: forms.Field
        if spec["type"] == "choice":
            choices = [("", _("— choose —")), *[(c["value"], eform.text_in(c["label"])) for c in spec["choices"]]]
            field = forms.ChoiceField(label=label, required=False, choices=choices, help_text=help_text)
        else:
            attrs: dict[str, str] = {"autocomplete": "off"}
            if spec["type"] == "integer":
                attrs["inputmode"] = "numeric"
            elif spec["type"] == "decimal":
                attrs["inputmode"] = "decimal"
            elif spec["type"] == "date":
                attrs["placeholder"] = "dd/mm/yyyy"
            field = forms.CharField(label=label, required=False, help_text=help_text, strip=True,
                                    widget=forms.TextInput(attrs=attrs))
            if isinstance(value, int | float) and spec["type"] in ("integer", "decimal"):
                # As the applicant types it: 120,5 in Vietnamese (read back by ``clean_values``), 120.5 otherwise.
                vietnamese = (get_language() or "vi")[:2] == "vi"
                plain = format(Decimal(str(value)).normalize(), "f")
                value = eform.display_number(value, "vi") if vietnamese else plain
            elif value and spec["type"] == "date":
                value = eform.display_value(spec, value)
        if required:
            # The same message as ``eform.clean_values`` gives the API.
            field.required = True
            field.error_messages["required"] = str(_("Fill in “%(label)s”.")) % {"label": label}
        form.fields[name] = field
        if value is not None:
            form.initial[name] = value


def clean_eform(form: forms.Form, declaration: list[dict[str, Any]]) -> dict[str, Any]:
    """The e-form's values from ``form``'s cleaned data, checked against ``declaration``; each problem is shown
    next to its field. Returns the normalised values ({} when there are errors)."""
    from motcua.core.errors import DomainError

    from . import eform

    data = form.cleaned_data
    raw = {spec["key"]: data.get(EFORM_PREFIX + spec["key"]) for spec in declaration}
    try:
        return eform.clean_values(declaration, raw)
    except DomainError as exc:
        for item in exc.details.get("fields", []):
            name = EFORM_PREFIX + str(item["field"]).removeprefix("form_data.")
            if name in form.errors:
                continue  # already said by the field itself (required)
            form.add_error(name if name in form.fields else None, item["message"])
        return {}


def eform_field_names(form: forms.Form) -> list[str]:
    return [name for name in form.fields if name.startswith(EFORM_PREFIX)]
