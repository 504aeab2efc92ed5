"""The integrations API (mounted at /api/v1/integrations/)."""

from ninja import Router

router = Router(tags=["integrations"])
