from django.urls import URLPattern, URLResolver, include, path

app_name = "integrations"

urlpatterns: list[URLPattern | URLResolver] = [
    path("vneid/", include("motcua.integrations.vneid.urls")),
]
