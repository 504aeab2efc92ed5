"""The citizen's survey pages: the one-time link of the result notice, the QR code printed on the receipt and
the result. No sign-in: the link (or the signed QR code) is the proof, and nothing on the page names the
person. Work without JavaScript."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.core.errors import DomainError

from .. import services
from ..forms import AnswerForm
from ..models import Invitation, Questionnaire


def _page(request: HttpRequest, questionnaire: Questionnaire, submit: object, subject: str) -> HttpResponse:
    form = AnswerForm(questionnaire, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            submit(form.answers())  # type: ignore[operator]
        except DomainError as exc:
            if exc.code == "already_answered":
                return render(request, "surveys/done.html", {"already": True}, status=409)
            if exc.status == 404:
                raise Http404(exc.message) from exc
            form.add_domain_error(exc)
        else:
            return render(request, "surveys/done.html", {"already": False})
    status = 400 if request.method == "POST" else 200
    return render(request, "surveys/answer.html", {"form": form, "questionnaire": questionnaire,
                                                   "subject": subject, "action": request.path}, status=status)


def invitation_page(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    """The form of one invitation (also served from the citizen's own dossier page by the portal)."""
    if invitation.used:
        return render(request, "surveys/done.html", {"already": True}, status=409)
    def submit(answers: services.Answers) -> None:
        services.answer_invitation_object(invitation, answers)

    return _page(request, invitation.questionnaire, submit, invitation.dossier.procedure.name)


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_for(token)
    if invitation is None:
        raise Http404(_("This survey link is not valid."))
    return invitation_page(request, invitation)


@require_http_methods(["GET", "POST"])
def answer_qr(request: HttpRequest, code: str, signature: str) -> HttpResponse:
    dossier = services.dossier_for_qr(code, signature)
    if dossier is None:
        raise Http404(_("This survey link is not valid."))
    try:
        questionnaire = services.per_dossier_form()
    except DomainError as exc:
        raise Http404(exc.message) from exc

    def submit(answers: services.Answers) -> None:
        services.answer_qr(code, signature, answers)

    return _page(request, questionnaire, submit, dossier.procedure.name)
