from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import Policy, Unit


class DueForm(forms.Form):
    """The due-date calculator of the public page (a GET form: it works without JavaScript)."""

    start_date = forms.DateField(label=_("Date received"), widget=forms.DateInput(attrs={"type": "date"}),
                                 input_formats=["%Y-%m-%d", "%d/%m/%Y"])
    start_time = forms.TimeField(label=_("Time received"), initial=dt.time(8, 0),
                                 widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    amount = forms.DecimalField(label=_("Time limit"), min_value=Decimal(0), max_value=Decimal(5000),
                                decimal_places=2, initial=Decimal(3),
                                widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}))
    unit = forms.ChoiceField(label=pgettext_lazy("time limit", "Unit"), choices=Unit.choices, initial=Unit.WORKING_DAYS)
    policy = forms.ChoiceField(label=_("How working days are counted"), choices=Policy.choices,
                               initial=Policy.WORKING_HOURS, required=False)
