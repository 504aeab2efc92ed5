"""Staff screens of the dossiers, mounted at /ho-so/."""

from django.urls import path

from . import views

app_name = "dossiers"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("tiep-nhan/", views.choose_procedure, name="choose_procedure"),
    path("tiep-nhan/<str:procedure_code>/", views.intake, name="intake"),
    path("tim-kiem/", views.search, name="search"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/phieu/<str:form>/", views.form_pdf, name="form_pdf"),
    path("<str:code>/<slug:slug>/", views.action, name="action"),
]
