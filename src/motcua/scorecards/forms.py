"""The forms of the reform scorecard's pages. Each page family keeps its own section below."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import DomainError

from .choices import PlanStatus

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
