"""Forms of the public feedback pages. They parse and check the shape of the input; the services check the rules
(a petition's proposal, the sender's contact for an item about an officer, the files by their content) and the
views put a service's refusal next to the field it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.accounts.choices import UnitKind
from motcua.accounts.models import OrgUnit
from motcua.catalogue.models import Field

from .choices import Kind, Reaction, Topic
from .services import MAX_CONTENT, MAX_FILES, MAX_TITLE


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Up to ``MAX_FILES`` files in one input; each is checked by its content by the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,"
                                                                      "image/jpeg,image/png"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        items = [f for f in items if f]
        if len(items) > MAX_FILES:
            raise forms.ValidationError(_("Attach at most %(n)s files.") % {"n": MAX_FILES})
        return [super(MultipleFileField, self).clean(f, initial) for f in items]


def agencies() -> list[OrgUnit]:
    """The agencies that receive feedback, in the order of the tree (the first is the default)."""
    return list(OrgUnit.objects.current().filter(kind=UnitKind.AGENCY).order_by("pk"))


class PublicFeedbackForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=OrgUnit.objects.none(), empty_label=None,
                                    help_text=_("The agency whose regulation or service your feedback is about."))
    topic = forms.ChoiceField(label=_("What is it about?"), choices=Topic.choices, initial=Topic.REGULATION,
                              widget=forms.RadioSelect)
    kind = forms.ChoiceField(label=_("Feedback or petition"), choices=Kind.choices, initial=Kind.FEEDBACK,
                             widget=forms.RadioSelect,
                             help_text=_("A petition also proposes a solution or a new regulation."))
    field = forms.ModelChoiceField(label=_("Field"), queryset=Field.objects.all(), required=False,
                                   empty_label=_("— Not sure —"))
    procedure_code = forms.CharField(label=_("Procedure code (optional)"), max_length=40, required=False,
                                     help_text=_("As in the list of procedures, if the feedback is about one."))
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    content = forms.CharField(label=_("Content"), max_length=MAX_CONTENT, widget=forms.Textarea(attrs={"rows": 6}),
                              help_text=_("What the problem is, where and when you met it."))
    proposal = forms.CharField(label=_("Proposed solution"), max_length=MAX_CONTENT, required=False,
                               widget=forms.Textarea(attrs={"rows": 4}), help_text=_("Required for a petition."))
    address_string = forms.CharField(label=_("Place (optional)"), max_length=300, required=False,
                                     help_text=_("The address the feedback is about, if any."))
    name = forms.CharField(label=_("Your name"), max_length=200, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    id_number = forms.CharField(label=_("Personal ID number"), max_length=20, required=False,
                                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    address = forms.CharField(label=_("Your address"), max_length=300, required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    attachments = MultipleFileField(label=_("Photos or documents (optional)"),
                              help_text=_("Up to 5 files: photos (JPEG, PNG) or PDF."))
    # The honeypot (instead of a CAPTCHA): hidden by the stylesheet, announced to screen readers as a field to
    # leave empty; a person never fills it, a script filling every field does.
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))
    ho_so = forms.CharField(required=False, max_length=60, widget=forms.HiddenInput)

    def __init__(self, *args: Any, dossier_code: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = agencies()
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        agency_field.queryset = OrgUnit.objects.filter(pk__in=[u.pk for u in units]).order_by("pk")
        if units and not self.is_bound:
            self.initial.setdefault("agency", units[0].pk)
        self.dossier_code = dossier_code
        if dossier_code:
            # Linked to a dossier ("phản ánh về hồ sơ này"): the agency is the dossier's, the item is about how
            # it was handled (Decree 118/2025 Art. 9(2)(đ)); the service sets both.
            for name in ("agency", "topic", "procedure_code"):
                del self.fields[name]
            self.initial["ho_so"] = dossier_code
        rule = _("Optional for feedback on a regulation; required (your name, and a phone, an e-mail or an address) "
                 "for feedback about how a procedure was carried out or about an officer, so that the agency can "
                 "answer you.")
        self.fields["name"].help_text = rule

    def is_honeypot(self) -> bool:
        return bool((self.data.get("website") or "").strip())


class TrackingForm(forms.Form):
    ma = forms.CharField(label=_("Feedback code"), max_length=40,
                         help_text=_("As on your receipt, e.g. T.SXD-PA26-00001."))
    khoa = forms.CharField(label=_("Tracking key (optional)"), max_length=40, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "off"}),
                           help_text=_("Printed on your receipt. Without it you see only the status and the dates."))


class ProvideInfoForm(forms.Form):
    text = forms.CharField(label=_("The information asked for"), max_length=MAX_CONTENT, required=False,
                           widget=forms.Textarea(attrs={"rows": 5}))
    attachments = MultipleFileField(label=_("Photos or documents (optional)"),
                              help_text=_("Up to 5 files: photos (JPEG, PNG) or PDF."))


class ReactForm(forms.Form):
    reaction = forms.ChoiceField(label=_("Did the answer satisfy you?"), choices=Reaction.choices,
                                 widget=forms.RadioSelect)


class FollowUpForm(forms.Form):
    content = forms.CharField(label=_("What remains unsolved"), max_length=MAX_CONTENT,
                              widget=forms.Textarea(attrs={"rows": 5}),
                              help_text=_("A follow-up is a new item linked to this one, with its own code."))


class AnswerSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False,
                        help_text=_("Words of the question or the answer; with or without diacritics."))
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=OrgUnit.objects.none(), required=False,
                                    empty_label=_("All agencies"))
    field = forms.ModelChoiceField(label=_("Field"), queryset=Field.objects.all(), required=False,
                                   empty_label=_("All fields"))
    year = forms.IntegerField(label=_("Year published"), min_value=2000, max_value=2100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        agency_field.queryset = OrgUnit.objects.filter(kind=UnitKind.AGENCY).order_by("pk")
