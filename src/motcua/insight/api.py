"""The insight API, mounted at ``/api/v1/insight``."""

from ninja import Router

router = Router(tags=["Insight"])
