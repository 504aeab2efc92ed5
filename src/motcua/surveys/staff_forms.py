"""The staff forms of the surveys: the results filter and the paper questionnaire's header."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import selectors
from .choices import Channel
from .models import Questionnaire

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
GROUP_LABELS = {"unit": _("Agency"), "channel": _("Answer channel"), "month": _("Month"), "quarter": _("Quarter"),
                "year": _("Year"), "procedure": _("Procedure"), "desk": _("Desk counter"),
                "officer": _("Officer (questions about the officer)")}


class ResultsFilter(forms.Form):
    questionnaire = forms.ChoiceField(label=_("Questionnaire"), required=False)
    unit = forms.ChoiceField(label=_("Agency"), required=False)
    from_ = forms.DateField(label=_("From"), required=False, widget=DATE)
    to = forms.DateField(label=_("To"), required=False, widget=DATE)
    channel = forms.ChoiceField(label=_("Answer channel"), required=False,
                                choices=[("", _("All channels")), *Channel.choices])
    by = forms.ChoiceField(label=_("Group by"), required=False,
                           choices=[("", _("No grouping")), *GROUP_LABELS.items()])

    def __init__(self, data: Any, agencies: list[Any]) -> None:
        # Always bound: an empty query is this year, shown in the fields as it is applied.
        today = timezone.localdate()
        data = data.copy() if hasattr(data, "copy") else dict(data or {})
        if not data.get("from"):
            data["from"] = today.replace(month=1, day=1).isoformat()
        if not data.get("to"):
            data["to"] = today.isoformat()
        super().__init__(data)
        codes: list[tuple[str, str]] = []
        for q in selectors.questionnaires():
            if q.code not in [c for c, _l in codes]:
                codes.append((q.code, _("%(title)s (all versions)") % {"title": q.title}))
            codes.append((f"{q.code}:{q.version}", f"{q.title} — v{q.version}"))
        self.fields["questionnaire"].choices = codes  # type: ignore[attr-defined]
        self.fields["unit"].choices = [  # type: ignore[attr-defined]
            ("", _("All agencies in my scope")), *[(u.code, u.name) for u in agencies]]

    def add_prefix(self, field_name: str) -> str:
        return "from" if field_name == "from_" else super().add_prefix(field_name)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("from_") or not data.get("to"):
            return data
        if data["to"] < data["from_"]:
            self.add_error("to", _("The end date is before the start date."))
        elif (data["to"] - data["from_"]).days > 3660:
            self.add_error("to", _("Ask for at most ten years at a time."))
        return data


class PaperHeader(forms.Form):
    """What a paper questionnaire says besides its answers; no person, no dossier."""

    number = forms.CharField(label=_("Sheet number"), max_length=40,
                             help_text=_("As printed on the questionnaire: both entries name the same sheet."))
    month = forms.DateField(label=_("Day answered"), widget=DATE,
                            help_text=_("Only the month is kept."))
    procedure_code = forms.CharField(label=_("Procedure code (optional)"), max_length=60, required=False)
    desk = forms.ChoiceField(label=_("Desk counter (optional)"), required=False)

    def __init__(self, data: Any, counters: list[Any], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["desk"].choices = [  # type: ignore[attr-defined]
            ("", "—"), *[(c.code, c.name) for c in counters]]
        if not self.is_bound:
            self.initial.setdefault("month", timezone.localdate())

    def clean_month(self) -> dt.date:
        day: dt.date = self.cleaned_data["month"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The day cannot be in the future."))
        return day


def paper_questionnaires() -> list[Questionnaire]:
    return [q for q in Questionnaire.objects.filter(active=True).order_by("code", "-version")]
