from django.urls import URLPattern, URLResolver, path

from .payments import views as payments

app_name = "integrations"

urlpatterns: list[URLPattern | URLResolver] = [
    # Online payment of fees and charges (docs/integrations-payments.md).
    path("thanh-toan/", payments.staff_list, name="payments"),
    path("thanh-toan/callback/", payments.callback, name="payment-callback"),
    path("thanh-toan/ho-so/<str:code>/", payments.start, name="payment-start"),
    path("thanh-toan/don/<str:order_id>/", payments.order, name="payment"),
    path("thanh-toan/don/<str:order_id>/bien-lai/", payments.receipt, name="payment-receipt"),
    path("thanh-toan/don/<str:order_id>/hoan-tien/", payments.refund, name="payment-refund"),
    path("thanh-toan/doi-soat/", payments.reconciliations, name="payment-reconciliations"),
    path("thanh-toan/doi-soat/<int:pk>/", payments.reconciliation, name="payment-reconciliation"),
]
