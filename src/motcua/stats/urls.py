"""Statistics pages, mounted at /thong-ke/."""

from django.urls import path

from . import views

app_name = "stats"

urlpatterns = [
    path("", views.index, name="index"),
    path("tinh/", views.province, name="province"),
    path("don-vi/<str:code>/", views.unit_dashboard, name="unit"),
    path("ho-so/", views.dossiers, name="dossiers"),
    path("xep-hang/", views.ranking, name="ranking"),
    path("bao-cao/", views.report, name="report"),
    path("bao-cao.xlsx", views.report_xlsx, name="report_xlsx"),
    path("bao-cao.pdf", views.report_pdf, name="report_pdf"),
    path("bao-cao/phat-hanh", views.report_issue, name="report_issue"),
    path("bao-cao/da-phat-hanh/<int:pk>.pdf", views.issued_report_pdf, name="issued_report_pdf"),
    path("cong-khai/", views.transparency, name="transparency"),
    path("cong-khai.csv", views.open_data_csv, name="open_data_csv"),
    path("cong-khai.json", views.open_data_json, name="open_data_json"),
]
