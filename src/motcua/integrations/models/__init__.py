"""The models of the integrations app, one module per joint; each is imported here so that Django finds it."""

from .payments import CallbackOutcome, OnlinePayment, PaymentCallback, PaymentState, Reconciliation

__all__ = ["CallbackOutcome", "OnlinePayment", "PaymentCallback", "PaymentState", "Reconciliation"]
