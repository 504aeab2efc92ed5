"""The insight app's own tables; none of them is a dossier's (the app writes nothing to dossiers)."""
