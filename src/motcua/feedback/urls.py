from __future__ import annotations

from django.urls import URLPattern, URLResolver

from .views import public, staff

app_name = "feedback"

# Mounted at /phan-anh/: the public pages and, under can-bo/, the staff pages.
urlpatterns: list[URLPattern | URLResolver] = [*public.urlpatterns, *staff.urlpatterns]
