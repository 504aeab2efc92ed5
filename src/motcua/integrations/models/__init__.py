"""The models of the integrations app, one module per joint; each is imported here so that Django finds it."""

from .national_catalogue import CatalogueApplication, CatalogueComparison
from .payments import CallbackOutcome, OnlinePayment, PaymentCallback, PaymentReconciliation, PaymentState
from .sync import Reconciliation, RecordKind, SyncRecord, SyncState
from .vneid import VneidIdentity

__all__ = ["CallbackOutcome", "CatalogueApplication", "CatalogueComparison", "OnlinePayment", "PaymentCallback",
           "PaymentReconciliation", "PaymentState", "Reconciliation", "RecordKind", "SyncRecord", "SyncState",
           "VneidIdentity"]
