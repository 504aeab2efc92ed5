"""The forms of the staff pages: the queue's filters, the register entry (Decree 20/2008 Art. 9) and one form
per action of the registry (``actions.ACTIONS``). A form parses; the service decides: its ``DomainError``
is put back next to the field it names (``add_domain_error``) and nothing is changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.accounts.choices import Role, UnitKind
from motcua.accounts.models import OrgUnit, RoleAssignment, User, valid_on_q
from motcua.catalogue.models import Field
from motcua.core import redaction
from motcua.dossiers import files as dossier_files

from .choices import STAFF_CHANNELS, Channel, Criterion, Finding, Kind, Status, Topic
from .models import FeedbackItem

AGENCY_KINDS = (UnitKind.AGENCY, UnitKind.SERVICE_CENTRE, UnitKind.COMMUNE, UnitKind.PROVINCE)
# Who may be given an item to handle (services._officer_in: an officer or a division head of the agency).
HANDLING_ROLES = (Role.SPECIALIST, Role.DIVISION_HEAD)


def divisions_of(agency_ids: set[int] | None) -> list[OrgUnit]:
    """The divisions (and desks) under the given agencies (all, for None)."""
    qs = OrgUnit.objects.filter(kind__in=(UnitKind.DIVISION, UnitKind.DESK))
    if agency_ids is not None:
        paths = list(OrgUnit.objects.filter(pk__in=agency_ids, kind__in=AGENCY_KINDS).values_list("path", flat=True))
        if not paths:
            return []
        cond = Q()
        for path in paths:
            cond |= Q(path__startswith=path)
        qs = qs.filter(cond)
    return list(qs.order_by("path"))


def officers_of(agency: OrgUnit) -> list[User]:
    """The agency's officers who may be given an item: its specialists and division heads today."""
    ids = RoleAssignment.objects.filter(valid_on_q(timezone.localdate()), role__in=HANDLING_ROLES,
                                        unit__path__startswith=agency.path).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("full_name", "pk"))


def _choices(field: forms.Field, choices: list[tuple[Any, Any]]) -> None:
    field.choices = choices  # type: ignore[attr-defined]  # a ChoiceField: set after the query


def _field_choices() -> list[tuple[Any, Any]]:
    return _blank(_("Not known")) + [(f.pk, f.name) for f in Field.objects.order_by("name")]


def _blank(label: str | Any) -> list[tuple[str, Any]]:
    return [("", label)]


def _textarea(rows: int = 4, maxlength: int | None = None) -> forms.Textarea:
    attrs: dict[str, Any] = {"rows": rows}
    if maxlength:
        attrs["maxlength"] = maxlength
    return forms.Textarea(attrs=attrs)


# --- the queue -------------------------------------------------------------------------------------------------

class QueueForm(forms.Form):
    q = forms.CharField(label=_("Search: code, title or text"), required=False, max_length=100)
    field = forms.TypedChoiceField(label=_("Field"), required=False, coerce=int, empty_value=None)
    division = forms.TypedChoiceField(label=_("Division"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)
    topic = forms.ChoiceField(label=_("About"), required=False)
    # The statistics link their numbers here (``stats.views.feedback_url``): not shown as fields, kept in the
    # query so that a dashboard's count opens exactly the items behind it.
    tu = forms.DateField(required=False, widget=forms.HiddenInput)
    den = forms.DateField(required=False, widget=forms.HiddenInput)
    handled = forms.BooleanField(required=False, widget=forms.HiddenInput)
    thong_ke = forms.BooleanField(required=False, widget=forms.HiddenInput)
    channel = forms.ChoiceField(required=False, widget=forms.HiddenInput, choices=[("", ""), *Channel.choices])
    agency = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, agency_ids: set[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["field"], _blank(_("All fields")) + [
            (f.pk, f.name) for f in Field.objects.order_by("name")])
        _choices(self.fields["division"], _blank(_("All divisions")) + [
            (u.pk, u.name) for u in divisions_of(agency_ids)])
        _choices(self.fields["status"], _blank(_("All statuses")) + list(Status.choices))
        _choices(self.fields["topic"], _blank(_("Both")) + list(Topic.choices))

    def values(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        first, last, handled = data.get("tu"), data.get("den"), bool(data.get("handled"))
        return {"q": data.get("q") or "", "field_id": data.get("field"), "division_id": data.get("division"),
                "status": data.get("status") or "", "topic": data.get("topic") or "",
                "channel": data.get("channel") or "", "agency_id": data.get("agency"),
                "counted": bool(data.get("thong_ke")),
                "received_from": None if handled else first, "received_to": None if handled else last,
                "handled_from": first if handled else None, "handled_to": last if handled else None}


# --- the register entry ----------------------------------------------------------------------------------------

class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class EntryForm(forms.Form):
    """What came by letter, phone, e-mail or in person, entered in the register (Decree 20/2008 Art. 9)."""

    agency = forms.TypedChoiceField(label=_("Agency"), coerce=int)
    channel = forms.ChoiceField(label=_("How it came"), widget=forms.RadioSelect,
                                choices=[(c.value, c.label) for c in STAFF_CHANNELS])
    received_at = forms.DateTimeField(
        label=_("When it came"), help_text=_("The day and hour the letter, call or visit came; not in the future."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    topic = forms.ChoiceField(label=_("About"), widget=forms.RadioSelect, choices=Topic.choices,
                              initial=Topic.REGULATION)
    kind = forms.ChoiceField(label=_("Kind"), widget=forms.RadioSelect, choices=Kind.choices, initial=Kind.FEEDBACK)
    field = forms.TypedChoiceField(label=_("Field"), required=False, coerce=int, empty_value=None)
    title = forms.CharField(label=_("Title"), max_length=300)
    content = forms.CharField(label=_("Content"), widget=_textarea(8, 10_000))
    proposal = forms.CharField(label=_("Proposed solution"), required=False, widget=_textarea(4, 10_000),
                               help_text=_("Required for a petition."))
    dossier_code = forms.CharField(label=_("Dossier code, if it is about a dossier"), required=False, max_length=60)
    name = forms.CharField(label=_("Sender's name"), required=False, max_length=200)
    id_number = forms.CharField(label=_("ID number"), required=False, max_length=20)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=20)
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254)
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    scans = MultipleFileField(label=_("Scanned letter and other files"), required=False,
                              help_text=_("PDF, JPEG or PNG, at most 5 files."))

    def __init__(self, *args: Any, agencies: list[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["agency"], [(a.pk, a.name) for a in agencies])
        self.single_agency = agencies[0].pk if len(agencies) == 1 else None
        if self.single_agency is not None:
            # One agency: nothing to choose (a hidden field the browser might not send is not required).
            self.fields["agency"].widget = forms.HiddenInput()
            self.fields["agency"].initial = self.single_agency
            self.fields["agency"].required = False
        _choices(self.fields["field"], _field_choices())
        now = timezone.localtime()
        self.fields["received_at"].widget.attrs["max"] = now.strftime("%Y-%m-%dT%H:%M")
        self.fields["received_at"].initial = now.replace(second=0, microsecond=0)

    def clean_agency(self) -> int:
        value = self.cleaned_data.get("agency")
        if self.single_agency is not None:
            return self.single_agency
        return int(value or 0)  # a choice of the list (TypedChoiceField checked it)

    def clean_received_at(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["received_at"]
        # A minute of grace: the browser's clock and the form's "now" differ a little.
        if value > timezone.now() + dt.timedelta(minutes=1):
            raise forms.ValidationError(_("The day it came cannot be in the future."))
        return min(value, timezone.now())

    def uploads(self) -> list[dossier_files.Upload]:
        return [dossier_files.upload_from_django(f.name or "", f, None) for f in self.cleaned_data.get("scans") or []]


# --- the actions -----------------------------------------------------------------------------------------------

class ActionForm(forms.Form):
    """Base of the action forms: ``payload()`` is the input of ``actions.take``."""

    def __init__(self, *args: Any, item: FeedbackItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item = item

    def payload(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), widget=_textarea(4, 2000))


class SpamForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), required=False, widget=_textarea(3, 2000))


class RoutingForm(ActionForm):
    """Classify (accept and route) or reassign: the division and the officer, of the agency only."""

    division = forms.TypedChoiceField(label=_("Division"), required=False, coerce=int, empty_value=None)
    assignee = forms.TypedChoiceField(label=_("Officer"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency = self.item.agency
        _choices(self.fields["division"], _blank(_("Not chosen")) + [
            (u.pk, u.name) for u in divisions_of({agency.pk})])
        _choices(self.fields["assignee"], _blank(_("Not chosen")) + [
            (u.pk, u.get_full_name() or u.username) for u in officers_of(agency)])
        self.initial.setdefault("division", self.item.division_id)
        self.initial.setdefault("assignee", self.item.assignee_id)

    def payload(self) -> dict[str, Any]:
        return {"division_id": self.cleaned_data.get("division"), "assignee_id": self.cleaned_data.get("assignee")}


class ClassifyForm(RoutingForm):
    topic = forms.ChoiceField(label=_("About"), widget=forms.RadioSelect, choices=Topic.choices)
    kind = forms.ChoiceField(label=_("Kind"), widget=forms.RadioSelect, choices=Kind.choices)
    field = forms.TypedChoiceField(label=_("Field"), required=False, coerce=int, empty_value=None)
    field_order = ["topic", "kind", "field", "division", "assignee"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["field"], _field_choices())
        self.initial.setdefault("topic", self.item.topic)
        self.initial.setdefault("kind", self.item.kind)
        self.initial.setdefault("field", self.item.field_id)

    def payload(self) -> dict[str, Any]:
        return {**super().payload(), "topic": self.cleaned_data["topic"], "kind": self.cleaned_data["kind"],
                "field_id": self.cleaned_data.get("field")}


class ForwardForm(ActionForm):
    to_unit = forms.TypedChoiceField(label=_("Agency on this system"), required=False, coerce=int, empty_value=None)
    to_name = forms.CharField(label=_("Or the name of another agency"), required=False, max_length=255)
    reason = forms.CharField(label=_("Reason"), widget=_textarea(4, 2000),
                             help_text=_("Why the item is outside this agency's remit (Decree 20/2008 Art. 9)."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        others = OrgUnit.objects.filter(kind__in=AGENCY_KINDS).exclude(pk=self.item.agency_id).order_by("name")
        _choices(self.fields["to_unit"], _blank(_("Not on this system")) + [(u.pk, u.name) for u in others])

    def payload(self) -> dict[str, Any]:
        return {"to_unit_id": self.cleaned_data.get("to_unit"), "to_name": self.cleaned_data.get("to_name") or "",
                "reason": self.cleaned_data["reason"]}


class MergeForm(ActionForm):
    into_code = forms.CharField(label=_("Code of the earlier item"), max_length=40)
    reason = forms.CharField(label=_("Reason"), required=False, widget=_textarea(3, 2000))


class MessageForm(ActionForm):
    message = forms.CharField(label=_("What to ask the sender"), widget=_textarea(5, 2000))


VERDICTS = [("met", _("Met")), ("not_met", _("Not met")), ("not_applicable", _("Not applicable"))]


class DraftForm(ActionForm):
    """The answer and, for a regulation, the review against the six criteria of Decree 20/2008 Art. 14."""

    answer = forms.CharField(label=_("Answer to the sender"), widget=_textarea(10, 10_000))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("answer", self.item.answer)
        if self.item.topic == Topic.REGULATION:
            saved = self.item.review or {}
            for criterion in Criterion:
                entry = saved.get(criterion.value) or {}
                self.fields[f"{criterion.value}_verdict"] = forms.ChoiceField(
                    label=criterion.label, widget=forms.RadioSelect, choices=VERDICTS, required=False)
                self.fields[f"{criterion.value}_note"] = forms.CharField(
                    label=_("Note on “%(c)s”") % {"c": criterion.label}, required=False, max_length=2000,
                    widget=_textarea(2, 2000))
                self.initial.setdefault(f"{criterion.value}_verdict", entry.get("verdict", ""))
                self.initial.setdefault(f"{criterion.value}_note", entry.get("note", ""))

    def criteria(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        if self.item.topic != Topic.REGULATION:
            return []
        return [(self[f"{c.value}_verdict"], self[f"{c.value}_note"]) for c in Criterion]

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {"answer": self.cleaned_data["answer"]}
        if self.item.topic == Topic.REGULATION:
            data["review"] = {c.value: {"verdict": self.cleaned_data.get(f"{c.value}_verdict") or "",
                                        "note": self.cleaned_data.get(f"{c.value}_note") or ""} for c in Criterion}
        return data


class DecisionForm(ActionForm):
    accept = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect, initial="yes", choices=[
        ("yes", _("Pass it on")), ("no", _("Send it back to the drafter"))])
    note = forms.CharField(label=_("Note"), required=False, widget=_textarea(3, 2000),
                           help_text=_("Required when you send it back: say what to change."))

    def payload(self) -> dict[str, Any]:
        return {"accept": self.cleaned_data["accept"] == "yes", "note": self.cleaned_data.get("note") or ""}


class ApproveForm(DecisionForm):
    accept = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect, initial="yes", choices=[
        ("yes", _("Approve: the answer goes to the sender")), ("no", _("Send it back to the drafter"))])


class PublicationForm(ActionForm):
    """The redaction step: the texts the public will read, proposed with the personal data masked."""

    title = forms.CharField(label=_("Published title"), max_length=300)
    content = forms.CharField(label=_("Published question"), required=False, widget=_textarea(6))
    answer = forms.CharField(label=_("Published answer"), widget=_textarea(8))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("title", self.item.public_title)
        self.initial.setdefault("content", self.item.public_content)
        self.initial.setdefault("answer", self.item.public_answer)

    def payload(self) -> dict[str, Any]:
        return {k: self.cleaned_data.get(k) or "" for k in ("title", "content", "answer")}


# Decree 20/2008 Art. 19: the result is published through at least one of these.
PUBLICATION_MEANS = [("website", _("the agency's website")), ("media", _("the mass media")),
                     ("letter", _("a letter to the sender")), ("other", _("other means"))]


class PublishForm(ActionForm):
    channels = forms.MultipleChoiceField(label=_("Published through"), widget=forms.CheckboxSelectMultiple,
                                         choices=PUBLICATION_MEANS, initial=["website"])

    def payload(self) -> dict[str, Any]:
        labels = dict(PUBLICATION_MEANS)
        return {"channels": ", ".join(str(labels[c]) for c in self.cleaned_data["channels"])}


class FindingForm(ActionForm):
    finding = forms.ChoiceField(label=_("Finding"), widget=forms.RadioSelect, choices=Finding.choices)
    note = forms.CharField(label=_("Reasons"), widget=_textarea(4, 2000))


class EmptyForm(ActionForm):
    pass


FORMS: dict[str, type[ActionForm]] = {
    "classify": ClassifyForm, "assign": RoutingForm, "forward": ForwardForm, "reject": ReasonForm,
    "merge": MergeForm, "request-info": MessageForm, "extend": ReasonForm, "draft-answer": DraftForm,
    "review-answer": DecisionForm, "approve-answer": ApproveForm, "edit-publication": PublicationForm,
    "publish": PublishForm, "mark-spam": SpamForm, "unmark-spam": SpamForm, "decide-finding": FindingForm,
}

# A service's field name → the form's.
FIELD_MAP = {"division_id": "division", "assignee_id": "assignee", "to_unit_id": "to_unit", "field_id": "field",
             "public_answer": "answer", "public_title": "title", "public_content": "content",
             "received_at": "received_at", "dossier_code": "dossier_code", "procedure_code": "dossier_code",
             "files": "scans"}


def action_form(slug: str, item: FeedbackItem, data: Any = None, **kwargs: Any) -> ActionForm:
    return FORMS.get(slug, EmptyForm)(data, item=item, **kwargs)


def add_domain_error(form: forms.Form, error: Any) -> None:
    """Show a service's refusal next to the field it names, else at the top of the form."""
    name = str((getattr(error, "details", None) or {}).get("field", ""))
    name = FIELD_MAP.get(name, name)
    if name.startswith("review."):
        name = name.removeprefix("review.").split(".")[0] + "_verdict"
    if name in form.fields:
        form.add_error(name, error.message)
    else:
        form.add_error(None, error.message)


def redaction_findings(item: FeedbackItem) -> list[redaction.Finding]:
    """What the detector finds in the sender's original texts: listed beside the proposal for the approver."""
    from .services import known_personal_data

    known = known_personal_data(item)
    found: list[redaction.Finding] = []
    for text in (item.title, item.content, item.answer):
        found.extend(redaction.propose(text, known)[1])
    unique: dict[tuple[str, str], redaction.Finding] = {(f.kind, f.text): f for f in found}
    return list(unique.values())
