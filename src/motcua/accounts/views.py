from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.views.decorators.http import require_GET

from . import selectors
from .forms import LoginForm
from .models import User
from .permissions import Capability, has_capability


def landing_url(user: User) -> str:
    """Where a person lands after signing in (unless the sign-in page was asked for by another page): an
    officer who processes dossiers on what is assigned to them, a desk officer on the online dossiers to
    check, an inspector on the dossiers of the queue, a citizen on their own page; anyone else on the home
    page. Each sorted by what is due first (the queue's default order)."""
    if has_capability(user, Capability.PROCESS_DOSSIERS):
        return reverse("dossiers:queue") + "?bucket=mine"
    if has_capability(user, Capability.RECEIVE_DOSSIERS):
        return reverse("dossiers:queue") + "?bucket=to_check"
    if has_capability(user, Capability.VIEW_DOSSIERS):
        return reverse("dossiers:queue")
    if has_capability(user, Capability.SUBMIT_DOSSIERS):
        return reverse("portal:home")
    return resolve_url(settings.LOGIN_REDIRECT_URL)


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        user = self.request.user
        return landing_url(user) if isinstance(user, User) else super().get_default_redirect_url()


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)  # login_required
    return render(request, "accounts/account.html", {"profile": selectors.profile(request.user)})
