from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors
from .forms import LoginForm
from .models import User


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)  # login_required
    return render(request, "accounts/account.html", {"profile": selectors.profile(request.user)})
