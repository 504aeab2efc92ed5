"""Staff pages: the queue, the register entry, the item page and its actions."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
