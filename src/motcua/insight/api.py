"""The insight API, mounted at ``/api/v1/insight``."""

from ninja import Router

from .integrity.api import router as integrity_router

router = Router(tags=["Insight"])
router.add_router("/flags", integrity_router)

# Lateness prediction (docs/insight-prediction.md).
from .prediction.api import router as prediction_router  # noqa: E402 - the app's router first

router.add_router("/predictions", prediction_router)
