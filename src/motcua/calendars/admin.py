"""The override table and the working calendars, edited by administrators in the admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from . import selectors, services
from .models import CalendarOverride, ScheduleYear, WorkingCalendar, WorkingPeriod


class CalendarAdminMixin:
    """Only holders of the calendar capability (administrators) see or change these models."""

    def _allowed(self, request: HttpRequest) -> bool:
        return selectors.may_manage_calendar(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(CalendarAdminMixin, admin.ModelAdmin):
    list_display = ["date", "kind", "name", "legal_reference", "calendar", "updated_by", "updated_at"]
    list_filter = ["kind", "calendar"]
    search_fields = ["name", "name_en", "legal_reference", "note"]
    date_hierarchy = "date"
    readonly_fields = ["created_by", "created_at", "updated_by", "updated_at"]
    fields = ["calendar", "date", "kind", "name", "name_en", "legal_reference", "note", *readonly_fields]

    def save_model(self, request: HttpRequest, obj: CalendarOverride, form: Any, change: bool) -> None:
        services.save_override(obj, request.user)  # type: ignore[arg-type]

    def delete_model(self, request: HttpRequest, obj: CalendarOverride) -> None:
        services.delete_override(obj, request.user)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with services.changed_by(request.user):  # type: ignore[arg-type]
            super().delete_queryset(request, queryset)


class WorkingPeriodInline(admin.TabularInline):
    model = WorkingPeriod
    extra = 0
    fields = ["weekday", "start", "end", "counts_for_limits", "desk_open"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True


@admin.register(WorkingCalendar)
class WorkingCalendarAdmin(CalendarAdminMixin, admin.ModelAdmin):
    list_display = ["name", "org_unit", "hours_per_working_day"]
    autocomplete_fields = ["org_unit"]
    inlines = [WorkingPeriodInline]


@admin.register(ScheduleYear)
class ScheduleYearAdmin(CalendarAdminMixin, admin.ModelAdmin):
    """A year is confirmed once its official public-sector schedule is entered (the override table holds the
    days the ``holidays`` package lacks); from 1 October the administrators are warned while next year is not."""

    list_display = ["year", "legal_reference", "updated_by", "updated_at"]
    search_fields = ["legal_reference", "note"]
    readonly_fields = ["updated_by", "created_at", "updated_at"]
    fields = ["year", "legal_reference", "note", *readonly_fields]

    def save_model(self, request: HttpRequest, obj: ScheduleYear, form: Any, change: bool) -> None:
        services.save_schedule_year(obj, request.user)  # type: ignore[arg-type]

    def delete_model(self, request: HttpRequest, obj: ScheduleYear) -> None:
        services.delete_schedule_year(obj)
