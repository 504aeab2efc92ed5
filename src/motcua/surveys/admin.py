from __future__ import annotations

from django.contrib import admin

from .models import Counter


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
    """The desk counters a kiosk is set up at (``views.kiosk``). A counter answers name is kept: switch it off
    (``active``) rather than delete it, so that the answers' desk keeps a name."""

    list_display = ["name", "code", "unit", "active"]
    list_filter = ["active", "unit"]
    search_fields = ["name", "code", "unit__name"]
    autocomplete_fields = ["unit"]
