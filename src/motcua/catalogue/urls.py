from django.urls import path

from . import views

app_name = "catalogue"

urlpatterns = [
    path("", views.index, name="index"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/lich-su/", views.history, name="history"),
    path("<str:code>/mau/<int:order>/", views.form_file, name="form"),
]
