from django.urls import URLPattern, path

from . import views

app_name = "documents"

urlpatterns: list[URLPattern] = [
    path("", views.verify_file, name="verify_file"),
    path("<str:token>/", views.verify, name="verify"),
]
