"""Open311 GeoReport v2 at ``/open311/v2/``."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
