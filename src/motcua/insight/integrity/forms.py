"""The forms of the integrity pages: the queue's filter, the review, the summaries' period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from motcua.accounts.models import OrgUnit, User

from ..models import FlagState, Rule, Severity


class FilterForm(forms.Form):
    rule = forms.ChoiceField(label=_("Rule"), required=False)
    agency = forms.TypedChoiceField(label=_("Agency"), required=False, coerce=int, empty_value=None)
    officer = forms.TypedChoiceField(label=_("Officer"), required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(label=pgettext_lazy("integrity flag", "State"), required=False)
    severity = forms.TypedChoiceField(label=_("Severity"), required=False, coerce=int, empty_value=None)

    def __init__(self, data: Any, agencies: list[OrgUnit], officers: list[User]) -> None:
        super().__init__(data)
        every: list[tuple[Any, Any]] = [("", _("All"))]
        choices: dict[str, list[tuple[Any, Any]]] = {
            "rule": every + list(Rule.choices),
            "agency": every + [(a.pk, a.name) for a in agencies],
            "officer": every + [(u.pk, u.full_name or u.username) for u in officers],
            "state": [*FlagState.choices, ("all", _("All"))],
            "severity": every + list(Severity.choices),
        }
        for name, values in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = values


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect,
        choices=[(FlagState.ACCEPTED, _("Confirm: the pattern is what the rule says")),
                 (FlagState.DISMISSED, _("Dismiss: there is a legitimate explanation"))])
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                             help_text=_("Required; kept with the flag."))


def _year_start() -> dt.date:
    return timezone.localdate().replace(month=1, day=1)


class PeriodForm(forms.Form):
    first = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first = data.get("first") or _year_start()
        last = data.get("last") or timezone.localdate()
        if last < first:
            raise forms.ValidationError(_("The end of the period is before its start."))
        if (last - first).days > 3660:
            raise forms.ValidationError(_("Choose a period of at most ten years."))
        data["first"], data["last"] = first, last
        return data
