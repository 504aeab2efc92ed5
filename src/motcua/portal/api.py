from ninja import Router

# Mounted at the API root: paths here are /public/..., /ratings/...
router = Router(tags=["public"])
