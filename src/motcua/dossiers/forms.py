"""Forms of the staff screens: the desk's checklist (intake), the actions on a dossier, the queue filters.

Thin: they parse and give each field its label and help; the services decide. A ``DomainError`` whose
details name a field is shown next to that field (``add_domain_error``).
"""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.accounts import selectors as accounts_selectors
from motcua.catalogue import selectors as catalogue
from motcua.catalogue.forms import EFORM_PREFIX, add_eform_fields, clean_eform, eform_field_names

from . import files as services_files
from . import services
from .choices import ApplicantKind, Channel, Outcome, Status, SupplementProblem
from .workflow.choices import PaymentChannel, ReturnMethod

MAX_FILES_PER_DOCUMENT = 50


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (``<input type=file multiple>``); the services check each by content."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            result = [single(d, initial) for d in data if d]
        else:
            result = [single(data, initial)] if data else []
        if len(result) > MAX_FILES_PER_DOCUMENT:
            raise forms.ValidationError(_("Choose at most %(n)s files per document."),
                                        params={"n": MAX_FILES_PER_DOCUMENT})
        return result


_SEPARATOR = re.compile(r"\s*(?:—|–|:| - )\s*")


def parse_missing(text: str) -> list[services.MissingItem]:
    """One item a line: "what is missing — why" (also "what: why" or "what - why")."""
    items = []
    for line in (text or "").splitlines():
        line = line.strip(" \t•-*")
        if not line:
            continue
        parts = _SEPARATOR.split(line, maxsplit=1)
        items.append(services.MissingItem(parts[0].strip(), parts[1].strip() if len(parts) > 1 else ""))
    return items


# --- the desk's checklist -----------------------------------------------------------------------------

# A service's field path (``DomainError.details["fields"]``) → the name of the form field that shows it.
FIELD_MAP = {
    "applicant.kind": "applicant_kind", "applicant.name": "applicant_name",
    "applicant.id_number": "applicant_id_number", "applicant.tax_code": "applicant_tax_code",
    "applicant.address": "applicant_address", "applicant.phone": "applicant_phone",
    "applicant.email": "applicant_email", "sets": "sets", "outcome": "outcome", "reason": "reason",
    "missing": "missing", "time_variant": "time_variant", "result_method": "result_method",
    "result_address": "result_address", "respond_working_days": "respond_working_days",
}


def add_domain_error(form: forms.Form, error: Any) -> None:
    """Show a service's refusal next to the field it names, else at the top of the form."""
    placed = False
    for item in (getattr(error, "details", None) or {}).get("fields", []) or []:
        name = FIELD_MAP.get(str(item.get("field", "")), str(item.get("field", "")))
        if name.startswith("form_data."):  # a field of the application's e-form
            name = EFORM_PREFIX + name.removeprefix("form_data.")
        scanned = re.fullmatch(r"documents\.(\d+)\.scanned_at_desk", name)
        if scanned:  # the checklist's "scanned at the desk" box of that document
            name = f"doc{scanned.group(1)}_scanned"
        if name in form.fields:
            form.add_error(name, str(item.get("message") or error.message))
            placed = True
    if not placed:
        form.add_error(None, error.message)


RESULT_METHOD_ERROR = _("Choose how the result is returned.")


RESPOND_DAYS_HELP = _("Only where the law sets it: for a construction permit 2 working days, 1 for an extension or "
                      "re-issue (Decree 217/2026 Art. 54). Leave empty where it sets none.")


def respond_days_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Time to supplement (working days)"), required=False, min_value=1,
        max_value=services.MAX_RESPOND_DAYS, help_text=RESPOND_DAYS_HELP,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


def problem_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=_("What is wrong"), required=False,
                             choices=[("", _("— nothing —")), *SupplementProblem.choices])


class IntakeForm(forms.Form):
    """The checklist of a procedure version: who applies, which documents were handed over (and scanned),
    and the desk's decision: receive, ask once for everything missing (form 02) or refuse (form 03)."""

    channel = forms.ChoiceField(label=_("How the dossier arrived"), choices=[
        (Channel.DESK.value, Channel.DESK.label), (Channel.POST.value, Channel.POST.label)],
        initial=Channel.DESK.value, widget=forms.RadioSelect)
    applicant_kind = forms.ChoiceField(label=_("The applicant is"), choices=ApplicantKind.choices,
                                       initial=ApplicantKind.INDIVIDUAL.value, widget=forms.RadioSelect)
    applicant_name = forms.CharField(label=_("Full name or organisation name"), max_length=255,
                                     widget=forms.TextInput(attrs={"autocomplete": "off"}))
    applicant_id_number = forms.CharField(
        label=_("Personal ID number"), max_length=12, required=False,
        help_text=_("12 digits, on the chip ID card (individuals)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": r"\d{12}"}))
    applicant_tax_code = forms.CharField(label=_("Tax code"), max_length=14, required=False,
                                         help_text=_("Organisations: 10 digits, or 10 digits, a hyphen and 3."),
                                         widget=forms.TextInput(attrs={"autocomplete": "off"}))
    applicant_address = forms.CharField(label=_("Address"), max_length=500, required=False)
    applicant_phone = forms.CharField(label=_("Phone"), max_length=20, required=False,
                                      widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
    applicant_email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    rep_name = forms.CharField(label=_("Representative's name"), max_length=255, required=False)
    rep_id_number = forms.CharField(label=_("Representative's personal ID number"), max_length=12, required=False,
                                    widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    rep_phone = forms.CharField(label=_("Representative's phone"), max_length=20, required=False,
                                widget=forms.TextInput(attrs={"type": "tel"}))
    rep_document = forms.CharField(label=_("Authorisation document"), max_length=255, required=False,
                                   help_text=_("Its number and date, e.g. Giấy ủy quyền số 12 ngày 03/03/2026."))
    subject = forms.CharField(label=_("Request"), max_length=1000, required=False,
                              help_text=_("Leave empty to use the procedure's name."),
                              widget=forms.Textarea(attrs={"rows": 2}))
    sets = forms.IntegerField(label=_("Number of sets"), min_value=1, max_value=50, initial=1,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    time_variant = forms.ChoiceField(label=_("Case (sets the time limit)"), required=False, choices=[])
    # How the applicant asks to receive the result (Decree 61/2018 Art. 20), written on the receipt (Circular
    # 01/2018 form 01); the service requires the postal address for "post" only and drops it otherwise.
    result_method = forms.ChoiceField(label=_("How the result is returned"), choices=ReturnMethod.choices,
                                      initial=ReturnMethod.DESK.value, widget=forms.RadioSelect,
                                      help_text=_("Ask the applicant: the receipt (form 01) states it."),
                                      error_messages={"required": RESULT_METHOD_ERROR,
                                                      "invalid_choice": RESULT_METHOD_ERROR})
    result_address = forms.CharField(label=_("Postal address for the result"), max_length=500, required=False,
                                     help_text=_("Needed only when the result is sent by post."))
    outcome = forms.ChoiceField(label=_("What to do with the dossier"), choices=Outcome.choices,
                                initial=Outcome.RECEIVE.value, widget=forms.RadioSelect)
    missing = forms.CharField(
        label=_("Other things to supplement or correct"), required=False,
        help_text=_("Things not in the list above, one a line: what — why. Required documents not ticked are "
                    "added by themselves."),
        widget=forms.Textarea(attrs={"rows": 3}))
    respond_working_days = respond_days_field()
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False,
                             help_text=_("Required to refuse; printed on form 02 or 03."),
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, documents: list[dict[str, Any]], variants: list[str],
                 eform: list[dict[str, Any]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.documents = documents
        # A version with an application e-form (Decree 118/2025 Art. 15) asks its fields instead of the
        # free-text request.
        self.eform = eform or []
        if self.eform:
            del self.fields["subject"]
            add_eform_fields(self, self.eform)
        if variants:
            field = cast(forms.ChoiceField, self.fields["time_variant"])
            field.choices = [("", _("— choose the case —")), *[(v, v) for v in variants]]
            self.fields["time_variant"].required = True
        else:
            del self.fields["time_variant"]
        for order in range(1, len(documents) + 1):
            self.fields[f"doc{order}_provided"] = forms.BooleanField(label=_("Handed over"), required=False)
            self.fields[f"doc{order}_scanned"] = forms.BooleanField(label=_("Scanned at the desk"), required=False)
            self.fields[f"doc{order}_reused"] = forms.BooleanField(label=_("Taken from digitised data"),
                                                                   required=False)
            self.fields[f"doc{order}_reuse"] = forms.CharField(
                label=_("Or the number of a paper the applicant already holds"), max_length=100, required=False)
            self.fields[f"doc{order}_files"] = MultipleFileField(label=_("Scans or files"))
            self.fields[f"doc{order}_problem"] = problem_field()
            self.fields[f"doc{order}_note"] = forms.CharField(
                label=_("What is missing or wrong"), max_length=500, required=False)
        # The orders of the required documents found missing when receiving: their message, which names the
        # document, is shown once, at the top, and the document's box is marked.
        self.missing_orders: set[int] = set()

    def document_rows(self) -> list[dict[str, Any]]:
        return [{"order": order, "doc": doc, "provided": self[f"doc{order}_provided"],
                 "scanned": self[f"doc{order}_scanned"], "reused": self[f"doc{order}_reused"],
                 "reuse": self[f"doc{order}_reuse"],
                 "files": self[f"doc{order}_files"], "problem": self[f"doc{order}_problem"],
                 "note": self[f"doc{order}_note"], "missing": order in self.missing_orders}
                for order, doc in enumerate(self.documents, start=1)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        outcome = data.get("outcome")
        if outcome == Outcome.REFUSE and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for refusing the dossier."))
        if outcome == Outcome.RECEIVE:
            for order, doc in enumerate(self.documents, start=1):
                if doc.get("condition"):
                    continue
                if not (data.get(f"doc{order}_provided") or data.get(f"doc{order}_reused")
                        or data.get(f"doc{order}_files") or (data.get(f"doc{order}_reuse") or "").strip()):
                    self.missing_orders.add(order)
                    self.add_error(None, _(
                        "The required document “%(document)s” is missing: tick it as handed over, or ask for a "
                        "supplement instead.") % {"document": doc["name"]})
        if outcome == Outcome.SUPPLEMENT:
            for item in parse_missing(data.get("missing", "")):
                if not item.reason:
                    self.add_error("missing", _("Give the reason for each item to supplement."))
                    break
        if self.eform:
            if outcome != Outcome.RECEIVE:
                # Sent back for completion or refused: the service lets required fields stay empty then.
                for name in eform_field_names(self):
                    if name in self.errors and not (self.data.get(self.add_prefix(name)) or "").strip():
                        del self.errors[name]
            data["form_data"] = clean_eform(self, self.eform) if outcome == Outcome.RECEIVE else {
                name.removeprefix(EFORM_PREFIX): data.get(name) for name in eform_field_names(self)
                if data.get(name) not in (None, "")}
        return data

    def eform_fields(self) -> list[Any]:
        return [self[name] for name in eform_field_names(self)]

    def intake(self, procedure_code: str) -> services.Intake:
        d = self.cleaned_data
        documents, missing = [], []
        for order, doc in enumerate(self.documents, start=1):
            provided = bool(d.get(f"doc{order}_provided") or d.get(f"doc{order}_files"))
            note = d.get(f"doc{order}_note", "")
            problem = d.get(f"doc{order}_problem") or ""
            documents.append(services.DocumentInput(
                order=order, provided=provided, scanned_at_desk=bool(d.get(f"doc{order}_scanned")),
                reused_digitised=bool(d.get(f"doc{order}_reused")), note=note,
                reuse_of=(d.get(f"doc{order}_reuse") or "").strip()))
            # A document of the list to supplement or correct: ticked with what is wrong, or a note on one
            # not handed over (then it is missing).
            if problem or (note and not provided):
                missing.append(services.MissingItem(doc["name"], note, order=order,
                                                    kind=problem or SupplementProblem.MISSING.value))
        missing += parse_missing(d.get("missing", ""))
        representative = {k: d.get(f"rep_{k}", "") for k in ("name", "id_number", "phone", "document")}
        return services.Intake(
            procedure=procedure_code,
            applicant=services.Applicant(
                kind=d["applicant_kind"], name=d["applicant_name"], id_number=d.get("applicant_id_number", ""),
                tax_code=d.get("applicant_tax_code", ""), address=d.get("applicant_address", ""),
                phone=d.get("applicant_phone", ""), email=d.get("applicant_email", "")),
            representative={k: v for k, v in representative.items() if v}, subject=d.get("subject", ""),
            sets=d.get("sets") or 1, documents=documents, time_variant=d.get("time_variant", "") or "",
            channel=d["channel"], outcome=d["outcome"], reason=d.get("reason", ""), missing=missing,
            respond_working_days=d.get("respond_working_days"),
            result_method=d["result_method"], result_address=d.get("result_address", ""),
            form_data=d.get("form_data") if self.eform else None)

    def uploads(self) -> list[tuple[int, Any]]:
        return [(order, f) for order in range(1, len(self.documents) + 1)
                for f in self.cleaned_data.get(f"doc{order}_files") or []]


# --- actions on a dossier -----------------------------------------------------------------------------
# Each action of the registry (``actions.REGISTRY``) names the form that collects its input on the staff
# pages; ``payload()`` gives that input as the action's schema reads it (the API's JSON body has the same
# fields), and ``uploads()`` its files.

class ActionForm(forms.Form):
    def payload(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if value is not None}

    def uploads(self) -> list[services_files.Upload]:
        return []


class ReasonForm(ActionForm):
    """An action with a reason, required where the law wants one."""

    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, required: bool = True, help_text: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
        if help_text:
            self.fields["reason"].help_text = help_text


class ConfirmForm(ActionForm):
    """An action without fields: the button confirms it."""


class AcceptForm(ActionForm):
    time_variant = forms.ChoiceField(label=_("Case (sets the time limit)"), required=False, choices=[])

    def __init__(self, *args: Any, variants: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if variants:
            field = cast(forms.ChoiceField, self.fields["time_variant"])
            field.choices = [("", _("— choose the case —")), *[(v, v) for v in variants]]
            self.fields["time_variant"].required = True
        else:
            del self.fields["time_variant"]


class SupplementRequestForm(ActionForm):
    """Form 02: the documents of the dossier's list to supplement or correct, each ticked with what is wrong
    and why, plus free items, asked once for everything (Decree 61/2018 Arts. 17 and 19(4))."""

    missing = forms.CharField(
        label=_("Other things to supplement or correct"), required=False,
        help_text=_("Things not in the list above, one a line: what — why."),
        widget=forms.Textarea(attrs={"rows": 3}))
    respond_working_days = respond_days_field()
    reason = forms.CharField(label=_("Note to the applicant"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, documents: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.documents = documents
        for doc in documents:
            # A required document never handed over is asked for by itself (``services._missing_items``):
            # it starts ticked as missing, so that the officer sees it.
            absent = doc.required and not doc.provided
            self.fields[f"doc{doc.order}_kind"] = problem_field()
            self.fields[f"doc{doc.order}_kind"].initial = SupplementProblem.MISSING.value if absent else ""
            self.fields[f"doc{doc.order}_reason"] = forms.CharField(
                label=_("Why"), max_length=500, required=False,
                initial=str(_("Not submitted")) if absent else "")

    def document_rows(self) -> list[dict[str, Any]]:
        return [{"order": doc.order, "doc": doc, "kind": self[f"doc{doc.order}_kind"],
                 "reason": self[f"doc{doc.order}_reason"]} for doc in self.documents]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        items: list[services.MissingItem] = []
        for doc in self.documents:
            kind = data.get(f"doc{doc.order}_kind") or ""
            reason = (data.get(f"doc{doc.order}_reason") or "").strip()
            if reason and not kind:
                self.add_error(f"doc{doc.order}_kind", _("Say what is wrong with %(document)s.")
                               % {"document": doc.name})
            elif kind:
                items.append(services.MissingItem(doc.name, reason, order=doc.order, kind=kind))
        free = parse_missing(data.get("missing", ""))
        if any(not i.reason for i in free):
            self.add_error("missing", _("Give the reason for each item to supplement."))
        items += free
        if not items and not self.errors:
            self.add_error(None, _("List what must be supplemented."))
        data["items"] = items
        return data

    def payload(self) -> dict[str, Any]:
        return {"missing": [{"order": m.order, "document": m.document, "kind": m.kind, "reason": m.reason}
                            for m in self.cleaned_data["items"]],
                "reason": self.cleaned_data.get("reason", ""),
                "respond_working_days": self.cleaned_data.get("respond_working_days")}


class SupplementArrivedForm(ActionForm):
    """The supplement handed in at the desk: what is now provided, the scans, a note."""

    reason = forms.CharField(label=_("Note"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, documents: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.documents = documents
        for doc in documents:
            self.fields[f"doc{doc.order}_provided"] = forms.BooleanField(
                label=_("Handed over"), required=False, initial=doc.provided)
            self.fields[f"doc{doc.order}_scanned"] = forms.BooleanField(
                label=_("Scanned at the desk"), required=False, initial=doc.scanned_at_desk)
            self.fields[f"doc{doc.order}_files"] = MultipleFileField(label=_("Scans or files"))

    def document_rows(self) -> list[dict[str, Any]]:
        return [{"order": doc.order, "doc": doc, "provided": self[f"doc{doc.order}_provided"],
                 "scanned": self[f"doc{doc.order}_scanned"], "files": self[f"doc{doc.order}_files"]}
                for doc in self.documents]

    def document_inputs(self) -> list[services.DocumentInput]:
        d = self.cleaned_data
        return [services.DocumentInput(
            order=doc.order, provided=bool(d.get(f"doc{doc.order}_provided") or d.get(f"doc{doc.order}_files")),
            scanned_at_desk=bool(d.get(f"doc{doc.order}_scanned")), reused_digitised=doc.reused_digitised)
            for doc in self.documents]

    def payload(self) -> dict[str, Any]:
        return {"documents": [vars(d) for d in self.document_inputs()], "reason": self.cleaned_data.get("reason", "")}

    def uploads(self) -> list[services_files.Upload]:
        return [services_files.Upload(name=f.name or "", stream=f, document_order=doc.order)
                for doc in self.documents for f in self.cleaned_data.get(f"doc{doc.order}_files") or []]


# --- queue and search ---------------------------------------------------------------------------------

BUCKETS = [
    ("", _("Everything open")),
    ("overdue", _("Past the promised return date")),
    ("due_today", _("Step due today")),
    ("step_overdue", _("Step past its deadline")),
    ("at_risk", _("At risk of missing the promised date")),
    ("to_check", _("Online, to check")),
    ("apologies", _("Apologies to sign")),
    ("closed", _("Closed")),
    ("mine", _("Assigned to me")),
    ("to_take", _("Waiting for me to take")),
    ("to_sign", _("Waiting for my review or signature")),
    ("consultations", _("Opinions asked of my unit")),
]
SORTS = [
    ("due", _("Promised date, soonest first")),
    ("-due", _("Promised date, latest first")),
    ("-submitted", _("Newest first")),
    ("submitted", _("Oldest first")),
    ("code", _("Dossier code")),
]


class QueueForm(forms.Form):
    """Filters of the queue and of the search (a GET form)."""

    q = forms.CharField(label=_("Dossier code, ID number or name"), max_length=100, required=False,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))
    bucket = forms.ChoiceField(label=_("Show"), choices=BUCKETS, required=False)
    status = forms.TypedChoiceField(label=_("Status"), coerce=int, empty_value=None, required=False,
                                    choices=[("", _("Any status")), *Status.choices])
    procedure = forms.CharField(label=_("Procedure code"), max_length=40, required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORTS, required=False)

    def values(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {"q": "", "bucket": "", "status": None, "procedure": "", "sort": "due"}
        data = dict(self.cleaned_data)
        data["sort"] = data.get("sort") or "due"
        return data


class SearchForm(QueueForm):
    """The search's filters: the queue's, and a value of the application's e-form (the plot, the map sheet…)."""

    form_field = forms.ChoiceField(label=_("Field of the application form"), required=False, choices=[])
    form_value = forms.CharField(label=_("Value in the application form"), max_length=200, required=False,
                                 help_text=_("The exact value, e.g. plot number 125."),
                                 widget=forms.TextInput(attrs={"autocomplete": "off"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["form_field"]).choices = [
            ("", _("Any searchable field")), *catalogue.searchable_form_fields()]

    def values(self) -> dict[str, Any]:
        data = super().values()
        if not self.is_bound or not self.is_valid():
            data.update(form_field="", form_value="")
        return data


# --- processing actions (issue 6) ---------------------------------------------------------------------

class NoteForm(ActionForm):
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AssignForm(ActionForm):
    officer = forms.CharField(label=_("Officer's username"), max_length=150,
                              help_text=_("The specialist who will appraise the dossier."))


class ConsultForm(ActionForm):
    # Chosen by name from the organisation tree (grouped by agency, a plain select without JavaScript); the
    # value is the unit's code, which the API also takes (as it takes a name that only one unit bears).
    unit = forms.ChoiceField(label=_("Unit or agency consulted"), choices=[],
                             help_text=_("Grouped by agency: the agency itself, then its divisions."))
    question = forms.CharField(label=_("Question"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    days = forms.DecimalField(label=_("Working days to answer"), min_value=1, max_value=60, decimal_places=2,
                              required=False, help_text=_("Leave empty for the procedure's default."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["unit"]).choices = [
            ("", _("Choose a unit")), *accounts_selectors.consultable_units()]


AGREES = [("yes", _("We agree")), ("no", _("We do not agree"))]


class AnswerForm(ActionForm):
    """The consulted unit's answer to one of the requests addressed to it on this dossier, chosen by what was
    asked, by whom and by when (no number to type)."""

    consultation = forms.TypedChoiceField(label=_("Request for an opinion"), coerce=int, choices=[])
    answer = forms.CharField(label=_("Answer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    agrees = forms.TypedChoiceField(label=_("Your unit's opinion"), choices=AGREES, widget=forms.RadioSelect,
                                    coerce=lambda v: v == "yes", initial="yes")

    def __init__(self, *args: Any, consultations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["consultation"]).choices = [
            (c.pk, consultation_label(c)) for c in consultations]


def consultation_label(c: Any) -> str:
    """How a request for an opinion is told apart from another: the unit asked, the question, the deadline."""
    due = timezone.localtime(c.due_at).strftime("%d/%m/%Y %H:%M")
    return f"{c.unit.name}: {c.question[:120]} ({_('due')} {due})"


class ApologyForm(ActionForm):
    reason = forms.CharField(label=_("Reason for the delay"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    new_due_at = forms.DateTimeField(label=_("New promised return"),
                                     help_text=_("Date and time, e.g. 2026-12-18 16:00."),
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                     input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"])


class StartClockForm(ActionForm):
    event_at = forms.DateTimeField(label=_("When the event happened"),
                                   help_text=_("Date and time of the notice, e.g. 2026-12-18 16:00."),
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                   input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"])
    reference = forms.CharField(label=_("Number of the notice"), max_length=100, required=False)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PaymentRequestForm(ActionForm):
    amount_vnd = forms.IntegerField(label=_("Amount (VND)"), min_value=1, required=False,
                                    help_text=_("Leave empty for the fees of the procedure."))
    description = forms.CharField(label=_("What for"), max_length=500, required=False)


class PaymentForm(ActionForm):
    channel = forms.ChoiceField(label=_("How the applicant paid"), choices=[])
    receipt_number = forms.CharField(label=_("Receipt number"), max_length=100, required=False)

    def __init__(self, *args: Any, channels: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["channel"]).choices = channels


class ResultForm(ActionForm):
    number = forms.CharField(label=_("Number of the result"), max_length=100)
    issued_on = forms.DateField(label=_("Date of the result"), widget=forms.DateInput(attrs={"type": "date"}),
                                input_formats=["%Y-%m-%d", "%d/%m/%Y"])
    file = forms.FileField(label=_("Digitised result"), required=False)

    def payload(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "file" and v is not None}

    def uploads(self) -> list[services_files.Upload]:
        upload = self.cleaned_data.get("file")
        return [services_files.Upload(name=upload.name or "", stream=upload)] if upload else []


class SignForm(ActionForm):
    """The leader's signature of the result; with the result's number (and its date and signed file) the
    signature records the result too, so the dossier is done at once."""

    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    number = forms.CharField(label=_("Number of the result"), max_length=100, required=False,
                             help_text=_("Give it to record the result with the signature."))
    issued_on = forms.DateField(label=_("Date of the result"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}), input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                                help_text=_("Leave empty for today."))
    file = forms.FileField(label=_("Digitised result"), required=False)

    def payload(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "file" and v not in (None, "")}

    def uploads(self) -> list[services_files.Upload]:
        upload = self.cleaned_data.get("file")
        return [services_files.Upload(name=upload.name or "", stream=upload)] if upload else []


class ReturnForm(ActionForm):
    method = forms.ChoiceField(label=_("How the result is returned"), choices=[])
    collector_name = forms.CharField(label=_("Collected by (full name)"), max_length=255, required=False,
                                     help_text=_("At the desk: the person who collects the paper result."))
    collector_id_number = forms.CharField(label=_("Collector's ID number"), max_length=20, required=False,
                                          help_text=_("12 digits, or a passport number."))
    collector_signed = forms.BooleanField(label=_("The collector has signed the register"), required=False)
    postal_tracking = forms.CharField(label=_("Postal tracking number"), max_length=40, required=False,
                                      help_text=_("By post: the number on the postal receipt."))

    def __init__(self, *args: Any, methods: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["method"]).choices = methods


def action_form(kind: str, dossier: Any, data: Any = None, files_data: Any = None, *,
                consultations: list[Any] | None = None) -> ActionForm:
    """The form of an action's kind (``ActionSpec.form``) for this dossier, bound to ``data`` if given;
    ``consultations``: the requests for an opinion the user may answer (the answer's choices)."""
    if kind == "accept":
        # The cases of the version the dossier will be received under: the one in force today, which may not
        # be the one of its first submission (``services._keep_version``).
        current = catalogue.version_on(dossier.procedure, timezone.localdate())
        labels = ([v.label for v in current.time_variants.all()] if current is not None else
                  [v["label"] for v in dossier.snapshot.get("version", {}).get("time_variants") or []])
        variants = [] if (dossier.clock or {}).get("variant") in labels else labels
        return AcceptForm(data, variants=variants)
    if kind == "supplement-request":
        return SupplementRequestForm(data, documents=list(dossier.documents.all()))
    if kind == "supplement-arrived":
        return SupplementArrivedForm(data, files_data, documents=list(dossier.documents.all()))
    simple: dict[str, Any] = {
        "reason": lambda: ReasonForm(data), "reason-optional": lambda: ReasonForm(data, required=False),
        "note": lambda: NoteForm(data), "assign": lambda: AssignForm(data), "consult": lambda: ConsultForm(data),
        "answer": lambda: AnswerForm(data, consultations=consultations or []), "apology": lambda: ApologyForm(data),
        "start-clock": lambda: StartClockForm(data),
        "payment-request": lambda: PaymentRequestForm(data),
        "payment": lambda: PaymentForm(data, channels=list(PaymentChannel.choices)),
        "result": lambda: ResultForm(data, files_data), "sign": lambda: SignForm(data, files_data),
        # The citizen chose how to receive the result when submitting (Decree 61/2018, art. 20; stored on
        # ``result_method``): the form starts from that choice, not from the first method of the list.
        "return": lambda: ReturnForm(data, methods=list(ReturnMethod.choices),
                                     initial={"method": dossier.result_method} if dossier.result_method else None),
    }
    form: ActionForm = simple[kind]() if kind in simple else ConfirmForm(data)
    return form


# --- the head's decision on a destruction list (``retention.approve_decision``) ---------------------------------

class DecisionForm(forms.Form):
    """The number and date of the head of the agency's decision, and the reader's confirmation that the removal
    cannot be undone. The service checks the number and the date again (not in the future, not before the list)."""

    number = forms.CharField(label=_("Decision number"), max_length=100,
                             help_text=_("As printed on the signed decision, e.g. 12/QĐ-SXD."),
                             error_messages={"required": _("Give the decision's number, e.g. 12/QĐ-SXD (one line, at "
                                                           "most 100 characters).")})
    decided_on = forms.DateField(label=_("Date of the decision"), input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                 help_text=_("The day the head of the agency signed it."),
                                 error_messages={"required": _("Give the date the decision was signed."),
                                                 "invalid": _("Enter a valid date, e.g. 05/01/2026.")})
    confirm = forms.BooleanField(
        label=_("I understand that on the next run the personal data and the files of every dossier on this list "
                "are removed for good and cannot be recovered."),
        error_messages={"required": _("Tick the box to confirm that the removal cannot be undone.")})
