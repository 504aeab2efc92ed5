from ninja import Router

# Mounted at the API root: paths here are /dossiers..., /registers/...
router = Router(tags=["dossiers"])
