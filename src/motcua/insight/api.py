"""The insight API, mounted at ``/api/v1/insight``."""

from ninja import Router

from .integrity.api import router as integrity_router

router = Router(tags=["Insight"])
router.add_router("/flags", integrity_router)
