"""Public pages: the form, the receipt and tracking page, the published answers, open data."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
