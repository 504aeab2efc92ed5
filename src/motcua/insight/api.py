"""The insight API, mounted at ``/api/v1/insight``."""

from ninja import Router

router = Router(tags=["Insight"])

# Lateness prediction (docs/insight-prediction.md).
from .prediction.api import router as prediction_router  # noqa: E402 - the app's router first

router.add_router("/predictions", prediction_router)
