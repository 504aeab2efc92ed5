from ninja import Router

# Mounted at /api/v1/stats.
router = Router(tags=["statistics"])
