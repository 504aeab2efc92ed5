from django.urls import path

from . import exports_views, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("csp-report", views.csp_report, name="csp_report"),
    path("xuat/<uuid:job_id>/", exports_views.page, name="export"),
    path("xuat/<uuid:job_id>/tep", exports_views.file, name="export_file"),
]
