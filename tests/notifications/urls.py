"""A separate API carrying the notifications router, for these tests only (the main API mounts it later).

It answers errors as the main API does (``{"error": {...}}``)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from motcua.core.errors import DomainError, error_body
from motcua.notifications.api import make_router

api = NinjaAPI(urls_namespace="ntf_test")


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, error_body(exc.code, exc.message, exc.details), status=exc.status)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, error_body("unauthenticated", "Sign in."), status=401)


api.add_router("/", make_router())

urlpatterns = [path("api/v1/", api.urls)]
