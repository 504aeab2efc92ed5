from django.urls import URLPattern, URLResolver, path

from .national_catalogue import views as national_catalogue

app_name = "integrations"

urlpatterns: list[URLPattern | URLResolver] = [
    path("danh-muc-quoc-gia/", national_catalogue.page, name="national-catalogue"),
    path("danh-muc-quoc-gia/ap-dung/", national_catalogue.apply, name="national-catalogue-apply"),
]
