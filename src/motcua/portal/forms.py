"""Forms of the citizen pages. They parse and check input; services do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from motcua.catalogue.forms import add_eform_fields, clean_eform, eform_field_names
from motcua.dossiers.choices import ApplicantField, ApplicantKind
from motcua.dossiers.workflow.choices import ReturnMethod


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Dossier code"), max_length=100,
                           help_text=_("As printed on the receipt, e.g. T.SXD-260706-0001."))
    verify = forms.RegexField(label=_("Last 4 digits of the applicant's phone or ID number"), regex=r"^\d{4}$",
                              max_length=4, error_messages={"invalid": _("Enter 4 digits.")},
                              widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))


class RegisterForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    identifier = forms.CharField(label=_("Email or mobile phone"), max_length=254,
                                 help_text=_("We send a confirmation code there."),
                                 widget=forms.TextInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(label=_("Password"), strip=False, help_text=_("At least 10 characters."),
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    language = forms.ChoiceField(label=_("Language of messages"), choices=settings.LANGUAGES, initial="vi")
    consent = forms.BooleanField(
        label=_("I have read the notice above and agree to the processing of my personal data for my account and "
                "for notices about my dossiers."),
        error_messages={"required": _("Tick the box to agree to the processing of your data for the account: "
                                      "without it no account can be opened.")})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return data


class ConfirmForm(forms.Form):
    code = forms.RegexField(label=_("Confirmation code"), regex=r"^\s*\d{6}\s*$", max_length=8,
                            error_messages={"invalid": _("Enter the 6 digits you received.")},
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


class ApplicantForm(forms.Form):
    kind = forms.ChoiceField(label=_("Who is applying"), choices=ApplicantKind.choices, widget=forms.RadioSelect)
    name = forms.CharField(label=_("Full name or organisation name"), max_length=255)
    id_number = forms.CharField(label=_("Personal ID number (12 digits)"), max_length=12, required=False,
                                widget=forms.TextInput(attrs={"inputmode": "numeric"}),
                                help_text=_("Required for an individual."))
    tax_code = forms.CharField(label=_("Tax code"), max_length=14, required=False,
                               help_text=_("Required for an organisation."))
    address = forms.CharField(label=_("Address"), max_length=500)
    phone = forms.CharField(label=_("Phone"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    email = forms.EmailField(label=_("Email"), required=False,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class QuestionsForm(forms.Form):
    subject = forms.CharField(label=_("What do you ask for?"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("In a few words, e.g. the address of the building."))

    def __init__(self, *args: Any, variants: list[str], units: list[tuple[str, str]],
                 conditions: list[tuple[int, str]], eform: list[dict[str, Any]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A version with an application e-form (Decree 118/2025 Art. 15) asks its fields, checked as they are
        # filled in, instead of the free-text request.
        self.eform = eform or []
        if self.eform:
            del self.fields["subject"]
            add_eform_fields(self, self.eform, (self.initial or {}).get("form_data"))
        if variants:
            self.fields["time_variant"] = forms.ChoiceField(
                label=_("Which case applies to you?"), widget=forms.RadioSelect,
                choices=[(v, v) for v in variants])
        if len(units) > 1:
            self.fields["receiving_unit"] = forms.ChoiceField(label=_("Where do you file?"), choices=units)
        if conditions:
            self.fields["conditions"] = forms.TypedMultipleChoiceField(
                label=_("Which of these situations apply to you?"), required=False, coerce=int,
                widget=forms.CheckboxSelectMultiple, choices=conditions,
                help_text=_("Each one you tick asks for one more document."))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.eform:
            data["form_data"] = clean_eform(self, self.eform)
            for name in eform_field_names(self):
                data.pop(name, None)  # kept once, checked and normalised, in ``form_data``
        return data


class FeesForm(forms.Form):
    acknowledged = forms.BooleanField(label=_("I have read the fees and charges."))


# The answer becomes ``Dossier.result_method``: the values are those of ``ReturnMethod`` (Decree 61/2018
# Art. 20: the result is returned at the desk, by public postal service or online).
DELIVERY_CHOICES = [
    (ReturnMethod.DESK.value, _("At the one-stop desk")),
    (ReturnMethod.POST.value, _("By public postal service (at my cost)")),
    (ReturnMethod.ONLINE.value, _("Online, as an electronic document")),
]
DELIVERY_ERROR = _("Choose how to receive the result: at the one-stop desk, by post or online.")


class DeliveryForm(forms.Form):
    method = forms.ChoiceField(label=_("How do you want to receive the result?"), widget=forms.RadioSelect,
                               choices=DELIVERY_CHOICES,
                               error_messages={"required": DELIVERY_ERROR, "invalid_choice": DELIVERY_ERROR})
    address = forms.CharField(label=_("Postal address"), max_length=500, required=False,
                              help_text=_("Only for the postal service."))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("method") == ReturnMethod.POST and not data.get("address"):
            self.add_error("address", _("Enter the address the result is to be posted to."))
        elif data.get("method") != ReturnMethod.POST:
            data["address"] = ""  # asked only for the post: not kept otherwise (personal data)
        return data


class SupplementForm(forms.Form):
    note = forms.CharField(label=_("Note to the desk (optional)"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(forms.Form):
    """The applicant's request to stop processing their dossier (Decree 118/2025 Art. 21(2))."""

    reason = forms.CharField(label=_("Why you ask to stop"), max_length=2000,
                             help_text=_("For example: the works will not be built, or the dossier will be filed "
                                         "again later."),
                             widget=forms.Textarea(attrs={"rows": 4}))
    confirm = forms.BooleanField(label=_("I understand that the agency stops processing this dossier and that "
                                         "the fees paid may not be refunded."))


class CorrectionForm(forms.Form):
    """A request to correct an applicant detail of one of the citizen's dossiers (Law 91/2025/QH15 Art. 4)."""

    dossier = forms.ChoiceField(label=_("Dossier"))
    field = forms.ChoiceField(label=_("Which item is wrong"), choices=ApplicantField.choices)
    requested_value = forms.CharField(label=_("The correct value"), max_length=500)
    reason = forms.CharField(label=_("Why the value held is wrong"), max_length=2000,
                             help_text=_("For example: a typing mistake at the desk, or a new ID card."),
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, dossiers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dossier"].choices = dossiers  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    """The agency's answer to a citizen's request about the data of a dossier."""

    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect, choices=[
        ("accept", _("Correct the dossier as requested")), ("refuse", _("Refuse, with the reason"))])
    answer = forms.CharField(label=_("Answer to the applicant"), max_length=2000, required=False,
                             help_text=_("Required when refusing: the applicant reads it."),
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, kind: str = "correction", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kind != "correction":
            self.fields["decision"].choices = [  # type: ignore[attr-defined]
                ("accept", _("Do what is asked (say what was done)")), ("refuse", _("Refuse, with the reason"))]
            self.fields["answer"].help_text = _("Required: the applicant reads it.")


class DataRightForm(forms.Form):
    """A request to delete the data of one of the citizen's dossiers, to restrict its processing or to object
    to it (Law 91/2025/QH15 Art. 4)."""

    dossier = forms.ChoiceField(label=_("Dossier"))
    kind = forms.ChoiceField(label=_("What you ask for"), widget=forms.RadioSelect, choices=[
        ("deletion", _("Delete my data in this dossier")),
        ("restriction", _("Restrict the processing of my data in this dossier")),
        ("objection", _("Object to the processing of my data in this dossier"))])
    reason = forms.CharField(label=_("Your request and its reason"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, dossiers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dossier"].choices = dossiers  # type: ignore[attr-defined]


class CloseAccountForm(forms.Form):
    password = forms.CharField(label=_("Your password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    confirm = forms.BooleanField(label=_("I withdraw my consent and close my account. I understand that my "
                                         "dossiers are kept by the agencies."))


class IdentifierChangeForm(forms.Form):
    identifier = forms.CharField(label=_("New e-mail or mobile phone"), max_length=254,
                                 help_text=_("We send a code there. Nothing changes until you enter it."),
                                 widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none",
                                                               "spellcheck": "false"}))
    password = forms.CharField(label=_("Your password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class NameForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
