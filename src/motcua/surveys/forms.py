"""The questionnaire as a form, built from its data: one radio group per criterion, highest score first, with
"not applicable" where the criterion allows it, and the optional comment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import Criterion, Questionnaire
from .services import COMMENT_MAX, Answers

NA = "na"


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


class AnswerForm(forms.Form):
    def __init__(self, questionnaire: Questionnaire, *args: Any, kiosk: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        english = _english()
        self.groups: list[tuple[Any, list[str]]] = []
        for factor in questionnaire.factors.prefetch_related("criteria"):
            names = []
            for c in factor.criteria.all():
                name = f"c_{c.code}"
                self.fields[name] = self._field(questionnaire, c, english)
                names.append(name)
            self.groups.append((factor, names))
        # A kiosk asks no comment: the tablet is shared at the desk, and a free text is where a name or a
        # phone number would be written (the "no personal data").
        if questionnaire.asks_comment and not kiosk:
            self.fields["comment"] = forms.CharField(
                label=_("Comment (optional)"), required=False, max_length=COMMENT_MAX,
                help_text=_("Please do not write your name, phone or ID number: comments are read by the "
                            "agency's leaders."),
                widget=forms.Textarea(attrs={"rows": 3, "aria-describedby": "id_comment-help"}))

    @staticmethod
    def _field(questionnaire: Questionnaire, c: Criterion, english: bool) -> forms.ChoiceField:
        choices = [(str(v), f"{v} — {questionnaire.label(v, 'en' if english else 'vi')}")
                   for v in range(questionnaire.scale_max, 0, -1)]
        if c.allows_na:
            choices.append((NA, str(_("Not applicable"))))
        return forms.ChoiceField(label=(c.text_en if english and c.text_en else c.text), choices=choices,
                                 widget=forms.RadioSelect,
                                 error_messages={"required": _("Choose an answer.")})

    def bound_groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(factor, [self[name] for name in names]) for factor, names in self.groups]

    def answers(self) -> Answers:
        data = self.cleaned_data
        values: dict[str, int | None] = {}
        for c in self.questionnaire.criteria.all():
            raw = data.get(f"c_{c.code}")
            values[c.code] = None if raw in (NA, None) else int(raw)
        return Answers(values=values, comment=data.get("comment", ""))

    def add_domain_error(self, exc: Any) -> None:
        placed = False
        for item in (exc.details or {}).get("fields") or []:
            name = item.get("field", "")
            target = f"c_{name}" if f"c_{name}" in self.fields else (name if name in self.fields else None)
            if target:
                self.add_error(target, item.get("message", exc.message))
                placed = True
        if not placed:
            self.add_error(None, exc.message)
