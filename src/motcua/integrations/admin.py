"""Administration of the integrations."""

from django.contrib import admin
from django.http import HttpRequest

from .models import OnlinePayment, PaymentCallback, PaymentReconciliation


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    """Money records are written by the payment services only (a refund, a confirmation): read here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(OnlinePayment)
class OnlinePaymentAdmin(_ReadOnly):
    list_display = ["order_id", "dossier", "amount_vnd", "state", "paid_at", "receipt_number", "needs_refund"]
    list_filter = ["state", "provider", "needs_refund"]
    search_fields = ["order_id", "dossier__code", "dossier__reference", "transaction_id", "receipt_number"]


@admin.register(PaymentCallback)
class PaymentCallbackAdmin(_ReadOnly):
    list_display = ["received_at", "order_id", "signature_valid", "outcome"]
    list_filter = ["outcome", "signature_valid"]
    search_fields = ["order_id"]


@admin.register(PaymentReconciliation)
class PaymentReconciliationAdmin(_ReadOnly):
    list_display = ["day", "provider", "lines_there", "lines_here", "ran_at", "error"]
