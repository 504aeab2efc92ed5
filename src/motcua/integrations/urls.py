from django.urls import URLPattern, URLResolver, include, path

from . import views
from .national_catalogue import views as national_catalogue
from .payments import views as payments

app_name = "integrations"

urlpatterns: list[URLPattern | URLResolver] = [
    path("dong-bo/", views.sync_page, name="sync"),
    path("dong-bo/ban-ghi/<int:record_id>/gui-lai/", views.replay, name="sync_replay"),
    path("dong-bo/gui-lai-tat-ca/", views.replay_all, name="sync_replay_all"),
    path("dong-bo/ho-so/<int:dossier_id>/gui-lai/", views.resend, name="sync_resend"),
    path("dong-bo/doi-soat/", views.reconcile_now, name="sync_reconcile"),
    path("vneid/", include("motcua.integrations.vneid.urls")),
    # Online payment of fees and charges (docs/integrations-payments.md).
    path("thanh-toan/", payments.staff_list, name="payments"),
    path("thanh-toan/callback/", payments.callback, name="payment-callback"),
    path("thanh-toan/ho-so/<str:code>/", payments.start, name="payment-start"),
    path("thanh-toan/don/<str:order_id>/", payments.order, name="payment"),
    path("thanh-toan/don/<str:order_id>/bien-lai/", payments.receipt, name="payment-receipt"),
    path("thanh-toan/don/<str:order_id>/hoan-tien/", payments.refund, name="payment-refund"),
    path("thanh-toan/doi-soat/", payments.reconciliations, name="payment-reconciliations"),
    path("thanh-toan/doi-soat/<int:pk>/", payments.reconciliation, name="payment-reconciliation"),
    path("danh-muc-quoc-gia/", national_catalogue.page, name="national-catalogue"),
    path("danh-muc-quoc-gia/ap-dung/", national_catalogue.apply, name="national-catalogue-apply"),
]
