from django.urls import URLPattern, URLResolver

from .integrity.urls import urlpatterns as integrity_urls

app_name = "insight"

urlpatterns: list[URLPattern | URLResolver] = [*integrity_urls]
